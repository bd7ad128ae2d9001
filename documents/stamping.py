"""The number, date and time of issue stamped on an outgoing document, without breaking its signatures.

Nghị định 30/2020/NĐ-CP, Phụ lục I: the competent person signs first; the văn thư then gives the number and the
date and the agency's own digital signature goes on last. On an electronic document the number and date are
written by the văn thư after the person has signed, so they cannot be part of the bytes the person signed.

How it is done here (no rewriting of a signed revision):
1. before the person signs, `prepare` adds an empty, read-only text field (`SoNgayBanHanh`) in the top margin of
   page 1, at the right; the person's signature covers that empty field;
2. when the văn thư issues the number, `fill` writes the number, date and time into the field as an
   incremental update (form filling: a change allowed after an approval signature, so the person's signature
   stays valid, `pdfsig` reporting it valid over its revision);
3. the agency signs last (`signing.pades.sign_as_organisation`), another incremental update covering all.

Attachments (separate files, Phụ lục I: the agency's signature "at the top right of the first page of the
attachment", with the number and symbol and the signing time) get the same field, filled, and the agency's
signature next to it (`signing.pades.sign_pdf` with the box at the top right).

No database access here.
"""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas

STAMP_FIELD = "SoNgayBanHanh"
STAMP_SIZE = (78 * mm, 13 * mm)
RIGHT_MARGIN = 12 * mm
TOP_MARGIN = 4 * mm
SEAL_SIZE = (36 * mm, 22 * mm)  # the agency's signature on an attachment, left of the stamp


def _page_box(reader: PdfFileReader, index: int = 0) -> tuple[float, float, float, float]:
    page = reader.find_page_for_modification(index)[0].get_object()
    box = page.get("/CropBox") or page.get("/MediaBox")
    if box is None:  # inherited from the page tree
        box = reader.root["/Pages"].get("/MediaBox") or [0, 0, 595.28, 841.89]
    x1, y1, x2, y2 = (float(v) for v in box)
    return x1, y1, x2, y2


def stamp_rect(reader: PdfFileReader) -> tuple[float, float, float, float]:
    """The stamp's place: the top margin of page 1, at the right."""
    _x1, _y1, x2, y2 = _page_box(reader)
    right = x2 - RIGHT_MARGIN
    top = y2 - TOP_MARGIN
    return (right - STAMP_SIZE[0], top - STAMP_SIZE[1], right, top)


def seal_box(pdf: bytes) -> tuple[int, tuple[int, int, int, int]]:
    """Where the agency signs an attachment: page 1, left of the stamp, at the top right."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    x1, _y1, _x2, y2 = stamp_rect(reader)
    right = x1 - 2 * mm
    top = y2
    return 0, (int(right - SEAL_SIZE[0]), int(top - SEAL_SIZE[1]), int(right), int(top))


def _field(reader: PdfFileReader):
    form = reader.root.get("/AcroForm")
    if form is None:
        return None
    for ref in form.get_object().get("/Fields", []):
        item = ref.get_object()
        if str(item.get("/T", "")) == STAMP_FIELD:
            return ref
    return None


def has_stamp_field(pdf: bytes) -> bool:
    return _field(PdfFileReader(io.BytesIO(pdf), strict=False)) is not None


def prepare(pdf: bytes) -> bytes:
    """`pdf` with the empty stamp field on page 1 (unchanged if it has one). Only for an unsigned PDF."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if _field(writer.prev) is not None:
        return pdf
    page_ref = writer.find_page_for_modification(0)[0]
    rect = stamp_rect(writer.prev)
    widget = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
            generic.NameObject("/FT"): generic.NameObject("/Tx"),
            generic.NameObject("/T"): generic.TextStringObject(STAMP_FIELD),
            generic.NameObject("/TU"): generic.TextStringObject("Số, ký hiệu và thời gian ban hành"),
            generic.NameObject("/Ff"): generic.NumberObject(1 | 2 | 4096),  # read-only, required, multi-line
            generic.NameObject("/F"): generic.NumberObject(4),  # printed
            generic.NameObject("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in rect]),
            generic.NameObject("/P"): page_ref,
            generic.NameObject("/DA"): generic.TextStringObject("/Helv 0 Tf 0 g"),
            generic.NameObject("/V"): generic.TextStringObject(""),
        }
    )
    widget_ref = writer.add_object(widget)
    page = page_ref.get_object()
    annots = page.get("/Annots")
    if annots is None:
        page[generic.NameObject("/Annots")] = generic.ArrayObject([widget_ref])
    else:
        annots = annots.get_object()
        annots.append(widget_ref)
        if isinstance(page.raw_get("/Annots"), generic.IndirectObject):
            writer.update_container(annots)
    writer.update_container(page)
    root = writer.root
    form = root.get("/AcroForm")
    if form is None:
        form = generic.DictionaryObject({generic.NameObject("/Fields"): generic.ArrayObject()})
        root[generic.NameObject("/AcroForm")] = writer.add_object(form)
        writer.update_root()
    form = root["/AcroForm"]
    form["/Fields"].append(widget_ref)
    if isinstance(root.raw_get("/AcroForm"), generic.IndirectObject):
        writer.update_container(form)
    else:
        writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _appearance_pdf(width: float, height: float, lines: list[str]) -> bytes:
    from signing.pdf import FONT, FONT_BOLD, RENDER_LOCK, register_fonts

    register_fonts()
    with RENDER_LOCK:
        out = io.BytesIO()
        c = rl_canvas.Canvas(out, pagesize=(width, height), pageCompression=1, invariant=1)
        c.setCreator("chinhquyenso")
        c.setStrokeColorRGB(0.75, 0.1, 0.1)
        c.setFillColorRGB(0.75, 0.1, 0.1)
        c.setLineWidth(0.8)
        c.rect(0.5, 0.5, width - 1, height - 1)
        step = (height - 4) / max(len(lines), 1)
        for index, text in enumerate(lines):
            font = FONT_BOLD if index == 0 else FONT
            size = min(9.0, step * 0.8)
            from reportlab.pdfbase.pdfmetrics import stringWidth

            while size > 5 and stringWidth(text, font, size) > width - 6:
                size -= 0.25
            c.setFont(font, size)
            c.drawCentredString(width / 2, height - 2 - step * (index + 1) + step * 0.25, text)
        c.showPage()
        c.save()
        return out.getvalue()


def fill(pdf: bytes, lines: list[str]) -> bytes:
    """Write `lines` (number and symbol; date and time of issue) into the stamp field, incrementally."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    ref = _field(writer.prev)
    if ref is None:
        raise ValueError("the PDF has no stamp field")
    widget = ref.get_object()
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    layer = PdfFileReader(io.BytesIO(_appearance_pdf(x2 - x1, y2 - y1, lines)))
    xobject = writer.import_page_as_xobject(layer, page_ix=0)
    widget[generic.NameObject("/V")] = generic.TextStringObject(" — ".join(lines))
    widget[generic.NameObject("/AP")] = generic.DictionaryObject({generic.NameObject("/N"): xobject})
    writer.update_container(widget)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
