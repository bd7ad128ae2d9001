"""Images and the appearance of the visible signature (Nghị định 30/2020/NĐ-CP, Appendix I).

- the signer's signature image: blue ink on a transparent background (a stylised scribble of the
  signer's name, generated with Pillow — a real installation uploads the scanned signature);
- the organisation's seal image: a red ring with the agency name around it and a star in the
  centre, on a transparent background, overlapping the left third of the signature image;
- text: signer name, title and signing time ("Ký ngày 23/11/2026 10:15:03 +07:00") in DejaVu.

The appearance is drawn with reportlab into a one-page PDF the size of the signature field, then
imported by pyHanko as the field's appearance stream (a form XObject), so the text stays vector
text in an embedded DejaVu subset.
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


def _layout(width: float, height: float) -> dict:
    img_h = height * 0.62
    sig_w = min(width * 0.78, img_h * 420 / 160)
    sig_h = sig_w * 160 / 420
    sig_x = (width - sig_w) / 2 + width * 0.08
    seal = img_h
    # the seal overlaps about the left third of the signature image (Nghị định 30, Appendix I)
    seal_x = max(0.0, sig_x + sig_w / 3 - seal)
    return {
        "img_h": img_h,
        "sig": (sig_x, height - img_h + (img_h - sig_h) / 2, sig_w, sig_h),
        "seal": (seal_x, height - seal, seal, seal),
    }


@lru_cache(maxsize=128)
def image_layer_pdf(width: float, height: float, agency_name: str, signer_name: str) -> bytes:
    """Signature image with the seal over its left third: one page, cached (it only changes with the names)."""
    register_fonts()
    with _image_lock:  # Pillow/reportlab image objects are built one at a time
        return _image_layer_pdf(width, height, agency_name, signer_name)


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
def _image_layer_pdf(width: float, height: float, agency_name: str, signer_name: str) -> bytes:
    box = _layout(width, height)
    out = io.BytesIO()
    c = rl_canvas.Canvas(out, pagesize=(width, height), pageCompression=1, invariant=1)
    c.setCreator("chinhquyenso")
    c.drawImage(_image_reader(signature_png(signer_name or agency_name)), *box["sig"], mask="auto")
    c.drawImage(_image_reader(seal_png(agency_name)), *box["seal"], mask="auto")
    c.showPage()
    c.save()
    return out.getvalue()


@lru_cache(maxsize=256)
def _text_layer_cached(
    width: float, height: float, agency_name: str, signer_name: str, signer_title: str, signing_time_text: str
) -> bytes:
    return text_layer_pdf(
        width=width,
        height=height,
        agency_name=agency_name,
        signer_name=signer_name,
        signer_title=signer_title,
        signing_time_text=signing_time_text,
    )


@_rendering
def text_layer_pdf(
    *, width: float, height: float, agency_name: str, signer_name: str, signer_title: str, signing_time_text: str
) -> bytes:
    """Signer name, title and signing time under the images, in DejaVu Sans.

    One font only: each embedded font subset costs reportlab ~4 ms per document.
    """
    register_fonts()
    img_h = _layout(width, height)["img_h"]
    out = io.BytesIO()
    c = rl_canvas.Canvas(out, pagesize=(width, height), pageCompression=1, invariant=1)
    c.setCreator("chinhquyenso")
    c.setFillColor(colors.black)
    lines = [
        (FONT, f"Ký bởi: {signer_name or agency_name}"),
        (FONT, (signer_title or agency_name).replace("\n", " ")),
        (FONT, signing_time_text),
    ]
    line_h = (height - img_h) / len(lines)
    size = min(7.5, line_h * 0.85)
    y = height - img_h - line_h * 0.85
    for font, text in lines:
        c.setFont(font, _fit_text(text, font, size, width - 4))
        c.drawCentredString(width / 2, y, text)
        y -= line_h
    c.showPage()
    c.save()
    return out.getvalue()


def appearance_layers(
    *, width: float, height: float, agency_name: str, signer_name: str, signer_title: str, signing_time_text: str
) -> list[bytes]:
    """The visible signature as one-page PDFs to stack: [images, text]."""
    return [
        image_layer_pdf(round(width, 2), round(height, 2), agency_name, signer_name),
        # identical inputs give identical bytes: documents signed by the same person in the same second
        # (a batch of receipts) share the layer
        _text_layer_cached(
            round(width, 2), round(height, 2), agency_name, signer_name, signer_title, signing_time_text
        ),
    ]
