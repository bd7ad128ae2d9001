"""Decompression bombs: an image is refused by its declared pixel count before any pixel is decoded."""

import struct
import tracemalloc
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.images import ImageTooLarge, open_image


def png_bomb(width: int = 12000, height: int = 12000) -> bytes:
    """A real, valid greyscale PNG of width × height black pixels: about 140 KB on disk, 144 MB decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte + one byte a pixel
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


BOMB = png_bomb()


def test_the_bomb_is_small_on_disk_and_a_real_png():
    assert len(BOMB) < 300_000
    with pytest.raises(ImageTooLarge) as refused:
        open_image(BOMB)
    assert (refused.value.width, refused.value.height) == (12000, 12000)


def test_refused_without_decoding(settings):
    tracemalloc.start()
    try:
        with pytest.raises(ImageTooLarge):
            open_image(BOMB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024  # decoding would need 144 MB


def test_limit_is_a_setting(settings):
    small = png_bomb(100, 100)
    with open_image(small) as img:
        assert img.size == (100, 100)
    settings.CQS_MAX_IMAGE_PIXELS = 9_999
    with pytest.raises(ImageTooLarge):
        open_image(small)


@pytest.mark.django_db
def test_feedback_photo_bomb_refused_and_nothing_written(client):
    from feedback.models import Report
    from feedback.tests.factories import category_pair

    _parent, child = category_pair(handling_days=5)
    response = client.post(
        "/phan-anh/gui/",
        {
            "category": child.pk,
            "description": "Ảnh rất lớn",
            "lat": "17.1",
            "long": "106.1",
            "photos": [SimpleUploadedFile("bom.png", BOMB, content_type="image/png")],
        },
    )
    assert response.status_code == 400
    assert "quá lớn (12000 × 12000 điểm ảnh" in response.content.decode()
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_dossier_upload_bomb_refused(settings):
    from dossiers import services
    from dossiers.models import Dossier, DossierFile
    from dossiers.tests.core_world import build_world

    w = build_world()
    with pytest.raises(Exception, match="quá lớn") as refused:
        services.dossier_submit_online(
            applicant=w.citizen,
            procedure_version=w.version,
            form_data={},
            files={w.component.pk: [SimpleUploadedFile("bom.png", BOMB, content_type="image/png")]},
        )
    assert "12000 × 12000" in str(refused.value)
    assert Dossier.objects.count() == 0 and DossierFile.objects.count() == 0
