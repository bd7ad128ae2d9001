"""The storage sweep: unreferenced files and abandoned submission drafts (service, command, page)."""

import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction

from core.models import AuditEvent
from dossiers import services
from dossiers.models import Dossier, DossierFile, PersonalDocument
from dossiers.sweep import dossiers_sweep_files

from .core_world import build_world, fresh, pdf_upload

pytestmark = pytest.mark.django_db
DAY = 24 * 3600


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w():
    return build_world()


def media(settings) -> Path:
    return Path(settings.MEDIA_ROOT)


def all_files(settings) -> set[str]:
    root = media(settings)
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def age(settings, name: str, seconds: int) -> None:
    path = media(settings) / name
    then = time.time() - seconds
    os.utime(path, (then, then))


def age_all(settings, seconds: int) -> None:
    for name in all_files(settings):
        age(settings, name, seconds)


def sweep_audits():
    return AuditEvent.objects.filter(action="dossiers.sweep_files")


def test_rolled_back_upload_is_swept_and_referenced_files_stay(w, settings):
    kept = services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.version, form_data={}, files={w.component.pk: [pdf_upload()]}
    )
    kept_name = kept.files.get().file.name
    doc = services.personal_document_add(owner=fresh(w.citizen), title="CCCD", file=pdf_upload("cccd.pdf"))
    before = all_files(settings)
    # An outer transaction rolls back after the service stored its file: the service cannot clean up.
    with pytest.raises(RuntimeError), transaction.atomic():
        services.dossier_submit_online(
            applicant=w.citizen,
            procedure_version=w.version,
            form_data={},
            files={w.component.pk: [pdf_upload("lost.pdf")]},
        )
        raise RuntimeError("caller failed")
    (orphan,) = all_files(settings) - before
    assert orphan.startswith("dossiers/") and Dossier.objects.count() == 1
    # other unreferenced files: a personal-store leftover, one too young to touch, one outside our areas
    default_storage.save("personal/999/stale", ContentFile(b"%PDF-1.4 x"))
    default_storage.save("dossiers/2026/01/young.pdf", ContentFile(b"%PDF-1.4 y"))
    default_storage.save("feedback/2026/01/photo.jpg", ContentFile(b"\xff\xd8\xff"))
    age_all(settings, 3 * DAY)
    age(settings, "dossiers/2026/01/young.pdf", 3600)

    report = dossiers_sweep_files(older_than_hours=24, dry_run=True)
    assert sorted(report.removed) == sorted([orphan, "personal/999/stale"])
    assert not sweep_audits().exists()
    assert orphan in all_files(settings)  # a dry run deletes nothing

    report = dossiers_sweep_files(older_than_hours=24)
    assert sorted(report.removed) == sorted([orphan, "personal/999/stale"])
    left = all_files(settings)
    assert orphan not in left and "personal/999/stale" not in left
    assert {kept_name, doc.file.name, "dossiers/2026/01/young.pdf", "feedback/2026/01/photo.jpg"} <= left
    (event,) = sweep_audits()
    assert event.after["orphans"] == 2 and event.after["drafts"] == 0 and event.after["dry_run"] is False
    assert sorted(event.after["sample"]) == sorted(report.removed)
    # the kept dossier is intact
    assert kept.files.get().file.open("rb").read(5) == b"%PDF-"


def test_a_file_still_used_by_another_row_is_kept(w, settings):
    """A dossier that reused a personal document points at the same stored bytes; deleting the
    personal document row must not make the dossier's file an orphan."""
    doc = services.personal_document_add(owner=fresh(w.citizen), title="CCCD", file=pdf_upload("cccd.pdf"))
    d = services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.version, form_data={}, reuse={w.component.pk: [doc.pk]}
    )
    name = doc.file.name
    PersonalDocument.objects.filter(pk=doc.pk).delete()
    assert DossierFile.objects.get(dossier=d).file.name == name
    age_all(settings, 3 * DAY)
    report = dossiers_sweep_files(older_than_hours=24)
    assert name not in report.removed and name in all_files(settings)


def test_abandoned_drafts_are_removed_and_a_late_confirmation_is_answered(client, w, settings):
    settings.DOSSIER_DRAFT_RETENTION_HOURS = 12
    client.force_login(w.citizen)
    url = f"/ho-so/nop/{w.version.procedure.code}/"
    r = client.post(url, {"step": "review", "result_method": "online", f"c{w.component.pk}": pdf_upload()})
    assert r.status_code == 200
    (draft,) = all_files(settings)
    assert draft.startswith("dossiers/drafts/")
    other = default_storage.save("dossiers/drafts/abc123/recent", ContentFile(b"%PDF-1.4"))  # another visitor's
    age(settings, draft, 13 * 3600)

    report = dossiers_sweep_files(older_than_hours=24)
    assert report.drafts == [draft.rsplit("/", 1)[0]] and report.draft_files == 1 and report.removed == []
    assert all_files(settings) == {other}
    assert not (media(settings) / draft).parent.exists()  # the empty draft folder is gone too
    assert sweep_audits().get().after["drafts"] == 1

    # The citizen comes back and confirms: a clear message, no error page, nothing filed.
    r = client.post(url, {"step": "submit"}, follow=True)
    assert r.status_code == 200
    assert "Bản nháp hồ sơ đã hết hạn lưu giữ" in r.content.decode()
    assert Dossier.objects.count() == 0


def test_command_prints_what_it_removed(w, settings):
    default_storage.save("dossiers/2026/02/orphan.pdf", ContentFile(b"%PDF-1.4"))
    age_all(settings, 3 * DAY)
    out = io.StringIO()
    call_command("dossiers_sweep_files", "--older-than-hours", "48", "--dry-run", stdout=out)
    assert "Sẽ xóa tệp: dossiers/2026/02/orphan.pdf" in out.getvalue()
    assert "dossiers/2026/02/orphan.pdf" in all_files(settings) and not sweep_audits().exists()
    out = io.StringIO()
    call_command("dossiers_sweep_files", "--older-than-hours", "96", stdout=out)  # not old enough
    assert "Đã xóa 0 tệp" in out.getvalue() and "dossiers/2026/02/orphan.pdf" in all_files(settings)
    out = io.StringIO()
    call_command("dossiers_sweep_files", stdout=out)
    assert "Đã xóa tệp: dossiers/2026/02/orphan.pdf" in out.getvalue() and "Đã xóa 1 tệp" in out.getvalue()
    assert all_files(settings) == set()
    assert sweep_audits().count() == 2  # one per real run


def test_refuses_to_touch_files_younger_than_an_hour(w, settings):
    default_storage.save("dossiers/2026/02/orphan.pdf", ContentFile(b"%PDF-1.4"))
    with pytest.raises(CommandError, match="ít nhất 1 giờ"):
        call_command("dossiers_sweep_files", "--older-than-hours", "0")
    assert all_files(settings) == {"dossiers/2026/02/orphan.pdf"} and not sweep_audits().exists()
