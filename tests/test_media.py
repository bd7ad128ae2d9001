"""Uploaded files on the production setup (DEBUG off): what `/media/` serves and to whom (core/media.py).

Public: the metadata-free copies and thumbnails of feedback photos whose report's content is public
(the URL the Open311 API gives as `media_url` and the report's page links to), and the form templates
of the public catalogue. Everything else under MEDIA_ROOT (dossier files, the originals of photos, …)
answers 404 there, and so does a photo the public may not see yet.
"""

import json
import re
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from catalog.choices import VersionStatus
from dossiers.tests.factories import make_world, submitted_dossier
from feedback import services as feedback_services
from feedback.choices import RejectReason
from feedback.models import Report, ReportPhoto
from feedback.tests.factories import ApiKeyFactory, category_pair, jpeg_bytes, operator, upload

pytestmark = pytest.mark.django_db
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEMPLATE_BYTES = b"PK\x03\x04 mau don to khai"


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False
    settings.MEDIA_ACCEL_PREFIX = ""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def feedback_world():
    _parent, category = category_pair(code="MT-ANH")
    return {"category": category, "key": ApiKeyFactory(), "operator": operator()}


def _open311_report(world) -> Report:
    answer = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": world["key"].key,
            "service_code": "MT-ANH",
            "lat": "16.8163",
            "long": "107.1003",
            "description": "Rác đổ trên vỉa hè",
            "media": upload("rac.jpg", jpeg_bytes()),
        },
    )
    assert answer.status_code == 200, answer.content
    return Report.objects.get(service_request_id=json.loads(answer.content)[0]["service_request_id"])


def _open311_media_path(report) -> str:
    answer = Client().get(f"/open311/v2/requests/{report.service_request_id}.json")
    media_url = json.loads(answer.content)[0]["media_url"]
    return urlsplit(media_url).path if media_url else ""


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_published_photo_is_served_at_its_open311_media_url_and_from_the_page(feedback_world):
    report = _open311_report(feedback_world)
    photo = ReportPhoto.objects.get(report=report)
    feedback_services.report_accept(actor=feedback_world["operator"], report=report)  # screened: public

    path = _open311_media_path(report)
    assert path == f"/media/{photo.public.name}"
    answer = Client().get(path)
    assert answer.status_code == 200
    assert _body(answer) == default_storage.open(photo.public.name).read()
    assert answer["Content-Type"] == "image/jpeg"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Disposition"].startswith("inline")
    assert answer["Cache-Control"].startswith("public, max-age=")

    page = Client().get(reverse("feedback:detail", args=[report.token])).content.decode()
    links = re.findall(r'<a href="(/media/[^"]+)"><img src="(/media/[^"]+)"', page)
    assert links == [(f"/media/{photo.public.name}", f"/media/{photo.thumbnail.name}")]
    for link in links[0]:
        shown = Client().get(link)
        assert shown.status_code == 200 and _body(shown)[:2] == b"\xff\xd8"  # a JPEG

    again = Client().get(path, HTTP_IF_MODIFIED_SINCE=answer["Last-Modified"])
    assert again.status_code == 304


def test_photo_of_a_report_not_screened_or_rejected_is_not_public(feedback_world):
    report = feedback_services.report_submit(
        actor=None,
        category=feedback_world["category"],
        description="Cột điện nghiêng",
        lat="16.8",
        long="107.1",
        photo_files=[upload()],
    )
    photo = ReportPhoto.objects.get(report=report)
    public, thumb = f"/media/{photo.public.name}", f"/media/{photo.thumbnail.name}"
    assert default_storage.exists(photo.public.name)
    assert Client().get(public).status_code == 404
    assert Client().get(thumb).status_code == 404
    assert _open311_media_path(report) == ""  # Open311 does not give the address either

    # The reporter, whose browser holds the follow key, sees their own photo (not cached by proxies).
    reporter = Client()
    reporter.get(reverse("feedback:detail", args=[report.token]) + f"?khoa={report.follow_key}")
    own = reporter.get(public)
    assert own.status_code == 200 and own["Cache-Control"] == "private, no-store"
    # So does the operator who screens it.
    official = Client()
    official.force_login(feedback_world["operator"])
    assert official.get(thumb).status_code == 200

    feedback_services.report_reject(
        actor=feedback_world["operator"], report=Report.objects.get(pk=report.pk), reason=RejectReason.SPAM
    )
    assert Client().get(public).status_code == 404
    assert Client().get(thumb).status_code == 404


def test_original_photo_is_never_under_media(feedback_world):
    report = _open311_report(feedback_world)
    feedback_services.report_accept(actor=feedback_world["operator"], report=report)
    photo = ReportPhoto.objects.get(report=report)
    assert default_storage.exists(photo.original.name) and photo.original.name.startswith("feedback/private/")
    official = Client()
    official.force_login(feedback_world["operator"])
    assert official.get(f"/media/{photo.original.name}").status_code == 404
    # …only through the officials' checked view
    assert official.get(reverse("feedback:original_photo", args=[photo.pk])).status_code == 200
    assert Client().get(reverse("feedback:original_photo", args=[photo.pk])).status_code == 302  # to the login


@pytest.fixture
def dossier_world():
    return make_world()


def _give_template(component, name="mau-to-khai.docx"):
    component.template.save(name, ContentFile(TEMPLATE_BYTES), save=True)
    return component.template.name


def test_form_template_of_a_published_procedure_is_served(dossier_world):
    name = _give_template(dossier_world.component)
    page = Client().get(reverse("catalog:detail", args=[dossier_world.version.procedure.code]))
    assert page.status_code == 200
    assert f'href="/media/{name}"' in page.content.decode()
    answer = Client().get(f"/media/{name}")
    assert answer.status_code == 200 and _body(answer) == TEMPLATE_BYTES
    assert answer["Content-Type"] == DOCX
    assert answer["Content-Disposition"].startswith("attachment")  # not a type the browser should render
    assert answer["X-Content-Type-Options"] == "nosniff"


def test_form_template_of_a_draft_is_not_public(dossier_world):
    version = dossier_world.version
    name = _give_template(dossier_world.component)
    version.status = VersionStatus.DRAFT
    version.save(update_fields=["status"])
    assert Client().get(f"/media/{name}").status_code == 404


def test_dossier_files_are_not_under_media(dossier_world):
    dossier = submitted_dossier(dossier_world)
    stored = dossier.files.get().file.name
    assert default_storage.exists(stored)
    applicant = Client()
    applicant.force_login(dossier_world.citizen)  # even the dossier's own applicant
    assert applicant.get(f"/media/{stored}").status_code == 404
    assert Client().get(f"/media/{stored}").status_code == 404


def test_traversal_and_folders_answer_404(dossier_world, feedback_world):
    dossier = submitted_dossier(dossier_world)
    stored = dossier.files.get().file.name
    name = _give_template(dossier_world.component)
    for path in (
        f"/media/catalog/templates/../../{stored}",
        f"/media/catalog/templates/%2e%2e/%2e%2e/{stored}",
        f"/media/feedback/public/..%2f..%2f{stored}",
        f"/media/catalog/templates/./{name.rsplit('/', 1)[1]}",
        f"/media/catalog/templates//{name.rsplit('/', 1)[1]}",
        "/media/catalog/templates/",
        "/media/catalog/",
        "/media/",
        "/media/catalog/templates/../../../../../../etc/passwd",
        "/media//etc/passwd",
    ):
        assert Client().get(path).status_code == 404, path
    assert Client().get(f"/media/{name}").status_code == 200  # the same file by its real name


def test_with_the_accel_prefix_nginx_sends_the_bytes(settings, feedback_world, dossier_world):
    settings.MEDIA_ACCEL_PREFIX = "/_media/"
    report = _open311_report(feedback_world)
    feedback_services.report_accept(actor=feedback_world["operator"], report=report)
    photo = ReportPhoto.objects.get(report=report)
    answer = Client().get(_open311_media_path(report))
    assert answer.status_code == 200 and not answer.streaming and answer.content == b""
    assert answer["X-Accel-Redirect"] == f"/_media/{photo.public.name}"
    assert answer["Content-Type"] == "image/jpeg" and answer["X-Content-Type-Options"] == "nosniff"

    name = _give_template(dossier_world.component)
    template = Client().get(f"/media/{name}")
    assert template["X-Accel-Redirect"] == f"/_media/{name}" and template.content == b""
    # A refused file is refused before nginx is asked.
    dossier = submitted_dossier(dossier_world)
    refused = Client().get(f"/media/{dossier.files.get().file.name}")
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused

    # The officials' checked view of an original hands over the same way.
    official = Client()
    official.force_login(feedback_world["operator"])
    original = official.get(reverse("feedback:original_photo", args=[photo.pk]))
    assert original["X-Accel-Redirect"] == f"/_media/{photo.original.name}" and original.content == b""
    assert original["Cache-Control"] == "private, no-store"


def test_development_mode_serves_no_private_file_either(settings, dossier_world):
    """`make run` (DEBUG on) used to serve all of MEDIA_ROOT; the URLs no longer depend on DEBUG."""
    import importlib

    from django.urls import clear_url_caches

    import config.urls

    stored = submitted_dossier(dossier_world).files.get().file.name
    name = _give_template(dossier_world.component)
    settings.DEBUG = True
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        assert Client().get(f"/media/{stored}").status_code == 404
        assert Client().get(f"/media/{name}").status_code == 200
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()
