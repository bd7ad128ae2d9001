"""Which series a document is numbered in, and its symbol (ký hiệu).

Rules (Nghị định 30/2020/NĐ-CP, Điều 15 khoản 1 and Phụ lục I; Luật Ban hành văn bản quy phạm pháp luật):
- one ordinary series per agency and year, from 01 on 1 January, for all its administrative documents;
- secret documents (độ mật set) in a series of their own (Điều 15 khoản 1 điểm d);
- legal normative documents in a series per type and year, the year written in the symbol (`07/2026/QĐ-UBND`);
- the symbol of a typed document is the type's abbreviation and the issuer's (`QĐ-UBND`); of a công văn or
  thư công, the issuer's abbreviation and the drafting unit's (`UBND-VP`); numbers below 10 get a leading zero.
"""

from django.core.exceptions import ValidationError

from .choices import ABBREVIATION, LEGAL_NORMATIVE_TYPES, WITHOUT_ABBREVIATION, Confidentiality, Series


def series_of(document) -> Series:
    if document.is_legal_normative:
        return Series.LEGAL_NORMATIVE
    if document.confidentiality != Confidentiality.NONE:
        return Series.SECRET
    return Series.ORDINARY


def check_kind(*, document_type: str, is_legal_normative: bool, confidentiality: str) -> None:
    """Refuse combinations the law does not know, before anything is written."""
    if is_legal_normative and document_type not in LEGAL_NORMATIVE_TYPES:
        raise ValidationError(
            {"is_legal_normative": ["Chỉ nghị quyết và quyết định được ban hành là văn bản quy phạm pháp luật."]}
        )
    if is_legal_normative and confidentiality != Confidentiality.NONE:
        raise ValidationError(
            {"confidentiality": ["Văn bản quy phạm pháp luật phải được công bố, không thể mang độ mật."]}
        )


def symbol_for(document, year: int) -> str:
    issuer = (document.agency.short_name or "").strip()
    if not issuer:
        raise ValidationError(
            "Cơ quan ban hành chưa có tên viết tắt (dùng trong ký hiệu văn bản): "
            "quản trị cần khai báo trước khi cấp số."
        )
    if document.document_type in WITHOUT_ABBREVIATION:
        unit = (getattr(document.drafting_unit, "short_name", "") or "").strip()
        if not unit:
            raise ValidationError(
                {"drafting_unit": ["Công văn cần đơn vị soạn thảo có tên viết tắt để ghi ký hiệu (ví dụ UBND-VP)."]}
            )
        return f"{issuer}-{unit}"
    abbreviation = ABBREVIATION[document.document_type]
    if document.is_legal_normative:
        return f"{year}/{abbreviation}-{issuer}"
    return f"{abbreviation}-{issuer}"
