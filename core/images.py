"""Opening uploaded images without letting their size decide our memory.

A compressed image says in its header how many pixels it has, and decoding it costs about three
bytes a pixel whatever the file's size: a 17 KB PNG of 12000 × 12000 pixels needs more than 400 MB
once decoded, and Pillow only refuses (``DecompressionBombError``) above twice its own default limit
of about 89 million pixels. Every place that reads an uploaded image therefore opens it through
``open_image``, which reads the header only and refuses the image by its pixel count before any pixel
is decoded.

The limit is the setting ``CQS_MAX_IMAGE_PIXELS`` (default 50 million pixels: a 50-megapixel phone
photo passes, a bomb does not).
"""

import io

from django.conf import settings
from PIL import Image

DEFAULT_MAX_PIXELS = 50_000_000


class ImageTooLarge(ValueError):
    """The image's header declares more pixels than the platform will decode."""

    def __init__(self, width: int, height: int, limit: int):
        self.width, self.height, self.limit = width, height, limit
        super().__init__(f"{width}x{height} pixels is over the limit of {limit}")


def max_pixels() -> int:
    return int(getattr(settings, "CQS_MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS))


def open_image(source) -> Image.Image:
    """``Image.open`` on bytes or a file object, refused (``ImageTooLarge``) by pixel count before decoding.

    Pillow's own errors for unreadable data (``UnidentifiedImageError``, ``OSError``…) pass through.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        source = io.BytesIO(source)
    img = Image.open(source)  # reads the header only; pixels are decoded on first use
    width, height = img.size
    limit = max_pixels()
    if width * height > limit:
        img.close()
        raise ImageTooLarge(width, height, limit)
    return img
