"""Photo checks and the metadata-free public copy.

A photo is accepted on its content, not its name: Pillow must decode it as JPEG, PNG or WebP. The
published copy is re-encoded from pixels only (orientation applied first), so EXIF — GPS position,
camera serial, time — never reaches the public. The original is kept privately for the officials.
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.images import ImageTooLarge, open_image

from . import conf

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMBNAIL_SIDE = 320


@dataclass
class CheckedPhoto:
    data: bytes
    content_type: str
    name: str


def check_uploads(files) -> list[CheckedPhoto]:
    """Validate uploaded files (size, count, real image type); raise ValidationError in Vietnamese."""
    files = [f for f in files or [] if f]
    if len(files) > conf.max_photos():
        raise ValidationError({"photos": _("Chỉ được gửi tối đa %(n)d ảnh.") % {"n": conf.max_photos()}})
    checked = []
    limit = conf.max_photo_bytes()
    for upload in files:
        name = getattr(upload, "name", "ảnh") or "ảnh"
        if getattr(upload, "size", 0) > limit:
            raise ValidationError(
                {
                    "photos": _("Ảnh “%(name)s” vượt quá %(mb)s MB.")
                    % {"name": name, "mb": round(limit / 1024 / 1024, 1)}
                }
            )
        data = upload.read()
        if len(data) > limit:
            raise ValidationError(
                {
                    "photos": _("Ảnh “%(name)s” vượt quá %(mb)s MB.")
                    % {"name": name, "mb": round(limit / 1024 / 1024, 1)}
                }
            )
        checked.append(CheckedPhoto(data=data, content_type=sniff(data, name), name=name))
    return checked


def sniff(data: bytes, name: str = "") -> str:
    try:
        with open_image(data) as img:
            fmt = img.format
            img.verify()
    except ImageTooLarge as too_large:
        raise ValidationError(
            {
                "photos": _("Ảnh “%(name)s” quá lớn (%(w)d × %(h)d điểm ảnh; tối đa %(mp)d triệu điểm ảnh).")
                % {"name": name, "w": too_large.width, "h": too_large.height, "mp": too_large.limit // 1_000_000}
            }
        )
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"photos": _("Tệp “%(name)s” không phải là ảnh hợp lệ.") % {"name": name}})
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError({"photos": _("Ảnh “%(name)s” phải ở định dạng JPEG, PNG hoặc WebP.") % {"name": name}})
    return ALLOWED_FORMATS[fmt]


def public_copies(data: bytes) -> tuple[bytes, bytes, int, int]:
    """Return (public JPEG, thumbnail JPEG, width, height), both without any metadata."""
    with open_image(data) as src:
        img = ImageOps.exif_transpose(src)
        img = img.convert("RGB")
    img.info = {}  # drop EXIF / XMP / ICC / comments carried over from the source
    side = conf.photo_max_side()
    img.thumbnail((side, side))
    width, height = img.size
    public = io.BytesIO()
    img.save(public, "JPEG", quality=85, optimize=True)
    thumb_img = img.copy()
    thumb_img.info = {}
    thumb_img.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    thumb = io.BytesIO()
    thumb_img.save(thumb, "JPEG", quality=80)
    return public.getvalue(), thumb.getvalue(), width, height
