"""Images and the appearance of the visible signatures (Nghị định 30/2020/NĐ-CP, Appendix I).

- the competent person's signature (`person_layers`): their signature image, blue ink on a
  transparent background (a stylised scribble of the name, generated with Pillow — a real
  installation uploads the scanned signature), and under it on the right "Ký bởi: <name>", the
  title with its prefix (KT. Giám đốc, Phó Giám đốc) and the signing time;
- the organisation's signature over it (`organisation_layers`): the red seal (a ring with the agency
  name around it, a star in the centre), whose right edge reaches a third into the signature image,
  and the organisation's signing time under the seal (`person_layout` gives the geometry);
- the organisation's signature alone (`appearance_layers`, slips and receipts): the seal, the
  agency's name and the signing time — no person's signature image.

Each appearance is drawn with reportlab into one-page PDFs the size of the field, then imported by
pyHanko as the field's appearance stream (form XObjects), so the text stays vector text in an
embedded DejaVu subset.
"""

from __future__ import annotations

import io
import math
import threading
import zlib
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as rl_canvas

from .pdf import FONT, FONT_DIR, RENDER_LOCK, register_fonts

SEAL_RED = (200, 16, 30)
INK_BLUE = (18, 48, 170)


def _font(size: int, name: str = "DejaVuSans-Bold.ttf") -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(f"{FONT_DIR}/{name}", size)


_image_lock = threading.Lock()


@lru_cache(maxsize=64)
def seal_png(agency_name: str, size: int = 300) -> bytes:
    """Red round seal: double ring, the agency name around the ring, a five-pointed star inside."""
    scale = 2  # draw large, downsample for smooth edges
    big = size * scale
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    red = (*SEAL_RED, 235)
    c = big / 2
    outer, ring = big / 2 - 4 * scale, 7 * scale
    draw.ellipse([c - outer, c - outer, c + outer, c + outer], outline=red, width=ring)
    inner = outer * 0.66
    draw.ellipse([c - inner, c - inner, c + inner, c + inner], outline=red, width=3 * scale)

    # the name around the ring, centred on the top, reading clockwise; the font is sized so the
    # name fills about 300° of the ring (long names get smaller letters)
    text = f"{agency_name.upper()} ★"
    radius = (outer + inner) / 2
    ring_width = outer - inner
    span = math.radians(300)
    probe = _font(100)
    natural = sum(probe.getlength(ch) for ch in text) * 1.08  # a little letter spacing
    letter = max(8, min(int(100 * radius * span / natural), int(ring_width * 0.5)))
    font = _font(letter)
    advances = [font.getlength(ch) * 1.08 for ch in text]
    total = sum(advances)
    angle = -math.pi / 2 - (total / radius) / 2
    for ch, adv in zip(text, advances, strict=True):
        mid = angle + (adv / radius) / 2
        cell = int(letter * 1.8)
        glyph = Image.new("RGBA", (cell, cell), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((cell / 2, cell / 2), ch, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(mid + math.pi / 2), resample=Image.BICUBIC)
        x = c + radius * math.cos(mid) - cell / 2
        y = c + radius * math.sin(mid) - cell / 2
        img.alpha_composite(glyph, (int(x), int(y)))
        angle += adv / radius

    # star in the centre
    r_out, r_in = inner * 0.62, inner * 0.25
    points = []
    for i in range(10):
        r = r_out if i % 2 == 0 else r_in
        a = math.radians(-90 + i * 36)
        points.append((c + r * math.cos(a), c + r * math.sin(a)))
    draw.polygon(points, fill=red)
    img = img.resize((size, size), Image.LANCZOS)
    out = io.BytesIO()
    img.save(out, "PNG", optimize=False)
    return out.getvalue()


@lru_cache(maxsize=256)
def signature_png(signer_name: str, width: int = 420, height: int = 160) -> bytes:
    """A blue scribble of the signer's name (given name emphasised) with an underline flourish."""
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    ink = (*INK_BLUE, 255)
    words = (signer_name or "Ký số").split()
    label = words[-1] if words else "Ký"
    initials = "".join(w[0] for w in words[:-1])
    font = _font(
        int(height * 0.42),
        "DejaVuSerif-BoldItalic.ttf" if _has("DejaVuSerif-BoldItalic.ttf") else "DejaVuSans-BoldOblique.ttf",
    )
    small = _font(int(height * 0.26), "DejaVuSans-Oblique.ttf")
    x = width * 0.08
    if initials:
        draw.text((x, height * 0.18), initials + ".", font=small, fill=ink)
        x += small.getlength(initials + ".") + 6
    draw.text((x, height * 0.12), label, font=font, fill=ink)
    end = min(width - 10, x + font.getlength(label) + 20)
    # a deterministic flourish (seeded by the name) under the text
    seed = zlib.crc32(signer_name.encode("utf-8"))
    amp = 6 + seed % 9
    pts = []
    for i in range(60):
        t = i / 59
        px = width * 0.06 + t * (end - width * 0.06)
        py = height * 0.78 + amp * math.sin(t * math.pi * (2 + seed % 3)) - 18 * t * (1 - t)
        pts.append((px, py))
    draw.line(pts, fill=ink, width=4, joint="curve")
    img = img.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


@lru_cache(maxsize=8)
def _has(filename: str) -> bool:
    import os

    return os.path.exists(f"{FONT_DIR}/{filename}")


def _image_reader(png: bytes) -> ImageReader:
    # a fresh reader each time: reportlab's ImageReader wraps a lazily loaded PIL image, which is not
    # safe to share between threads (the layer that uses it is cached anyway)
    return ImageReader(io.BytesIO(png))


def _fit_text(text: str, font: str, size: float, max_width: float, min_size: float = 5.0) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    while size > min_size and stringWidth(text, font, size) > max_width:
        size -= 0.25
    return size


IMAGE_BAND = 0.6  # share of the field's height for the images; the text goes under them
ORG_COLUMN = 0.36  # share of the person's field, on the left, that the organisation's field covers


def person_layout(width: float, height: float) -> dict:
    """Geometry of the two signatures in the signer block (Nghị định 30/2020, Phụ lục I).

    The person's field is the whole block: their signature image in the image band, their name, title
    and signing time under it on the right. The organisation's field is the left column of the same
    block: the seal, whose right edge reaches one third into the signature image (it "overlaps about
    the left third" of it), and the organisation's signing time under the seal. No text of one
    signature lies under the other's images or text.
    """
    band = height * IMAGE_BAND
    column = width * ORG_COLUMN
    seal = min(band, column)
    sig_w = min(width * 0.62, band * 420 / 160)
    sig_h = sig_w * 160 / 420
    sig_x = column - sig_w / 3
    return {
        "band": band,
        "column": column,
        "sig": (sig_x, height - band + (band - sig_h) / 2, sig_w, sig_h),
        "seal": (column - seal, height - seal, seal, seal),  # in the organisation's field (same origin)
        "text": (column + 2, 0.0, width - column - 2, height - band),  # x, y, width, height
    }


def _text_lines(x: float, y: float, w: float, h: float, texts: list[str], max_size: float = 7.0) -> tuple:
    """Centred lines filling the box (x, y, w, h) from the top: ((text, centre x, baseline, max width, size), ...)."""
    texts = [t for t in texts if t]
    if not texts:
        return ()
    line_h = h / len(texts)
    size = min(max_size, line_h * 0.85)
    top = y + h
    return tuple((text, x + w / 2, top - line_h * (i + 1) + line_h * 0.2, w - 2, size) for i, text in enumerate(texts))


@lru_cache(maxsize=128)
def _images_layer(width: float, height: float, items: tuple) -> bytes:
    """A one-page PDF with the images: items are ("signature"|"seal", name, x, y, w, h)."""
    register_fonts()
    with _image_lock:  # Pillow/reportlab image objects are built one at a time
        return _draw_images(width, height, items)


def _rendering(func):
    """Hold reportlab's process-wide render lock (see signing.pdf.RENDER_LOCK) for the whole call."""

    def locked(*args, **kwargs):
        with RENDER_LOCK:
            return func(*args, **kwargs)

    locked.__wrapped__ = func
    locked.__name__ = func.__name__
    locked.__doc__ = func.__doc__
    return locked


@_rendering
def _draw_images(width: float, height: float, items: tuple) -> bytes:
    out = io.BytesIO()
    c = rl_canvas.Canvas(out, pagesize=(width, height), pageCompression=1, invariant=1)
    c.setCreator("chinhquyenso")
    for kind, name, x, y, w, h in items:
        png = signature_png(name) if kind == "signature" else seal_png(name)
        c.drawImage(_image_reader(png), x, y, w, h, mask="auto")
    c.showPage()
    c.save()
    return out.getvalue()


@lru_cache(maxsize=256)
def _text_layer_cached(width: float, height: float, lines: tuple) -> bytes:
    return text_layer_pdf(width=width, height=height, lines=lines)


@_rendering
def text_layer_pdf(*, width: float, height: float, lines: tuple) -> bytes:
    """The appearance's text in DejaVu Sans: lines are (text, centre x, baseline, max width, size).

    One font only: each embedded font subset costs reportlab ~4 ms per document.
    """
    register_fonts()
    out = io.BytesIO()
    c = rl_canvas.Canvas(out, pagesize=(width, height), pageCompression=1, invariant=1)
    c.setCreator("chinhquyenso")
    c.setFillColor(colors.black)
    for text, cx, y, max_w, size in lines:
        c.setFont(FONT, _fit_text(text, FONT, size, max_w))
        c.drawCentredString(cx, y, text)
    c.showPage()
    c.save()
    return out.getvalue()


def _round(*values: float) -> tuple:
    return tuple(round(v, 2) for v in values)


def appearance_layers(*, width: float, height: float, agency_name: str, signing_time_text: str) -> list[bytes]:
    """The organisation's signature alone (slips, receipts): the seal, the agency's name and the time.

    No person's signature image: a document signed only with the agency's certificate must not look
    as if a person had signed it.
    """
    width, height = _round(width, height)
    band = height * IMAGE_BAND
    seal = band
    images = (("seal", agency_name, *_round((width - seal) / 2, height - seal, seal, seal)),)
    lines = _text_lines(0, 0, width, height - band, [f"Ký bởi: {agency_name}", signing_time_text], max_size=7.5)
    # identical inputs give identical bytes: documents signed in the same second (a batch of receipts) share it
    return [_images_layer(width, height, images), _text_layer_cached(width, height, lines)]


def person_layers(
    *, width: float, height: float, signer_name: str, title_lines: list[str], signing_time_text: str
) -> list[bytes]:
    """The competent person's signature: their signature image; name, title (with its prefix) and time."""
    width, height = _round(width, height)
    box = person_layout(width, height)
    images = (("signature", signer_name, *_round(*box["sig"])),)
    texts = [f"Ký bởi: {signer_name}", *[t for t in title_lines if t][:2], signing_time_text]
    lines = _text_lines(*box["text"], texts)
    return [_images_layer(width, height, images), _text_layer_cached(width, height, lines)]


def organisation_layers(*, width: float, height: float, agency_name: str, signing_time: str) -> list[bytes]:
    """The organisation's signature over the person's: the seal and the time, in the left column.

    `width`, `height`: the person's field; the organisation's field is its left column
    (`person_layout(...)["column"]` wide, as high). `signing_time`: "23/11/2026 10:15:03 +07:00".
    """
    width, height = _round(width, height)
    box = person_layout(width, height)
    column = round(box["column"], 2)
    images = (("seal", agency_name, *_round(*box["seal"])),)
    date, _space, clock = signing_time.partition(" ")
    lines = _text_lines(0, 0, column, height - box["band"], [f"Ký ngày {date}", clock])
    return [_images_layer(column, height, images), _text_layer_cached(column, height, lines)]
