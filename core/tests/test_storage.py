"""core.speedups.storage.MediaStorage (speed-up "storage"; its guard test): the short path for new in-memory files, and what it leaves to Django's storage."""

import io
import os
import stat
from pathlib import Path

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import InMemoryUploadedFile, TemporaryUploadedFile

from core import speedups
from core.speedups import storage as media
from core.speedups.storage import MediaStorage

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 900  # about 230 KB, more than one of Django's 64 KB chunks


def _upload(data: bytes, name: str = "to-khai.pdf") -> InMemoryUploadedFile:
    return InMemoryUploadedFile(io.BytesIO(data), "files", name, "application/pdf", len(data), None)


@pytest.fixture
def store(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    return MediaStorage()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_storage_follows_the_switch():
    assert isinstance(default_storage, MediaStorage) is speedups.on("storage")


def test_new_in_memory_file_takes_the_short_path(store, monkeypatch):
    (Path(store.location) / "dossiers/2026/12").mkdir(parents=True)
    monkeypatch.setattr(FileSystemStorage, "save", lambda *a, **k: pytest.fail("went to Django's save()"))
    name = store.save("dossiers/2026/12/abc123.pdf", _upload(PDF), max_length=300)
    assert name == "dossiers/2026/12/abc123.pdf"
    path = Path(store.location) / name
    assert path.read_bytes() == PDF
    assert _mode(path) == 0o644  # FILE_UPLOAD_PERMISSIONS, as Django's storage leaves it


def test_short_path_gives_the_same_file_as_djangos_storage(store, settings):
    (Path(store.location) / "a").mkdir()
    ours = Path(store.location) / store.save("a/ours.pdf", _upload(PDF))
    theirs = Path(store.location) / FileSystemStorage.save(store, "a/theirs.pdf", _upload(PDF))
    assert ours.read_bytes() == theirs.read_bytes() == PDF
    assert _mode(ours) == _mode(theirs)
    assert ours.stat().st_gid == theirs.stat().st_gid == Path(store.location).stat().st_gid


def test_content_file_and_file_over_bytesio_take_the_short_path(store):
    assert store.save("x.pdf", ContentFile(PDF)) == "x.pdf"
    assert store.save("y.pdf", File(io.BytesIO(PDF))) == "y.pdf"
    assert (Path(store.location) / "x.pdf").read_bytes() == (Path(store.location) / "y.pdf").read_bytes() == PDF


def test_a_taken_name_gets_another_and_leaves_the_first_file_alone(store):
    first = store.save("dup.pdf", _upload(b"%PDF-first"))
    second = store.save("dup.pdf", _upload(b"%PDF-second"))
    assert first == "dup.pdf" and second != "dup.pdf" and second.startswith("dup_") and second.endswith(".pdf")
    assert (Path(store.location) / first).read_bytes() == b"%PDF-first"
    assert (Path(store.location) / second).read_bytes() == b"%PDF-second"


def test_a_missing_folder_is_made(store):
    name = store.save("dossiers/2031/01/new.pdf", _upload(PDF))
    assert (Path(store.location) / name).read_bytes() == PDF


@pytest.mark.parametrize("name", ["../outside.pdf", "a/../../outside.pdf", "/etc/outside.pdf"])
def test_names_leaving_the_root_are_refused(store, name):
    with pytest.raises(SuspiciousFileOperation):
        store.save(name, _upload(PDF))
    assert not (Path(store.location).parent / "outside.pdf").exists()


def test_an_unusual_name_goes_to_djangos_save(store):
    name = store.save("tờ khai (bản 2).pdf", _upload(PDF))  # Django's own path makes it a valid name
    assert (Path(store.location) / name).read_bytes() == PDF


def test_a_temporary_file_on_disk_goes_to_djangos_save(store):
    upload = TemporaryUploadedFile("big.pdf", "application/pdf", len(PDF), None)
    upload.write(PDF)
    upload.seek(0)
    name = store.save("big.pdf", upload)
    upload.close()  # as the request's end does (the file was moved, not copied)
    assert (Path(store.location) / name).read_bytes() == PDF


def test_a_failed_write_leaves_no_file(store, monkeypatch):
    def broken_write(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(media.os, "write", broken_write)
    with pytest.raises(OSError, match="No space left"):
        store.save("full.pdf", _upload(PDF))
    assert os.listdir(store.location) == []


def test_a_name_longer_than_the_column_goes_to_djangos_save(store):
    with pytest.raises(SuspiciousFileOperation):  # as Django's storage answers: no room for a free name
        store.save("d/" + "x" * 40 + ".pdf", _upload(PDF), max_length=10)
    assert os.listdir(store.location) == []
