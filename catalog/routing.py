"""Where a dossier goes: its receiving agency and its competent agency (Nghị định 118/2025/NĐ-CP).

Nghị định 118/2025/NĐ-CP (one-stop mechanism, in force 1/7/2025) lets the provincial Public
Administration Service Centre and every commune's centre receive dossiers, many of them regardless of
the applicant's commune, and a dossier received by one agency may be decided by another. So the two
agencies are chosen separately, from the procedure version's lists:

Receiving agency (cơ quan tiếp nhận) — one of the version's ``receiving_agencies`` (when that list is
empty, one of its competent agencies). The applicant (or the desk) names it; when the version lists
exactly one it is that one. Naming none when the version lists several is refused: the pages offer
the commune of the applicant's address first (``suggested_receiver``), the API must send it.

Competent agency (cơ quan giải quyết) — one of the version's ``competent_agencies``, by the version's
``competent_agency_rule``, which the province sets per procedure:

- ``chosen`` (the default): the applicant may name any competent agency (e.g. the commune where the
  land or the person the procedure concerns is). Named none: the receiving agency when it is itself
  competent (a commune-level procedure filed at a commune is decided by that commune), else the only
  competent agency; when there are several and the receiver is not one of them (a provincial centre
  received a commune-level procedure), the applicant must name it.
- ``receiving``: the agency that receives the dossier decides it (procedures the law lets any
  commune handle regardless of the applicant's residence). The receiving agency must be competent,
  and naming another competent agency is refused.
- ``fixed``: one agency decides every dossier, whoever receives it (a provincial department); the
  version lists exactly that one, and naming another is refused.

Every refusal is a ValidationError keyed by the field (``receiving_agency`` / ``competent_agency``) with a
Vietnamese message. Nothing here queries the database beyond the version's two agency lists, which the
submission path has loaded already (``catalog.selectors.version_for_submission``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from core.text import fold

from .choices import CompetentAgencyRule


@dataclass(frozen=True)
class Routing:
    receiving: object  # directory.models.Agency
    competent: object


def receivers(version) -> list:
    """The agencies that may receive a dossier of `version`."""
    return list(version.receiving_agencies.all()) or list(version.competent_agencies.all())


def deciders(version) -> list:
    return list(version.competent_agencies.all())


def find_agency(agencies, value):
    """The agency of `agencies` that `value` names (an Agency, its id, or its QCVN 102 code); None if none."""
    if value is None or value == "":
        return None
    if hasattr(value, "pk"):
        return next((a for a in agencies if a.pk == value.pk), None)
    text = str(value).strip()
    if text.isdigit():
        return next((a for a in agencies if a.pk == int(text)), None)
    return next((a for a in agencies if a.code == text.upper()), None)


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def choose_receiving(version, value, *, candidates=None):
    """The receiving agency named by `value` (or the only one); ValidationError when it cannot be."""
    allowed = receivers(version) if candidates is None else list(candidates)
    if value is None or value == "":
        if len(allowed) == 1:
            return allowed[0]
        if not allowed:
            raise ValidationError("Thủ tục chưa được cấu hình cơ quan tiếp nhận / giải quyết.", code="no_agency")
        raise _error(
            "receiving_agency",
            "Thủ tục này được nhiều cơ quan tiếp nhận: hãy chọn nơi nộp hồ sơ (xã, phường, đặc khu hoặc trung tâm).",
            "receiving_required",
        )
    agency = find_agency(allowed, value)
    if agency is None:
        raise _error(
            "receiving_agency", "Cơ quan đã chọn không tiếp nhận hồ sơ của thủ tục này.", "receiving_not_allowed"
        )
    return agency


def choose_competent(version, receiving, value):
    """The competent agency for a dossier received by `receiving`, by the version's rule (module docstring)."""
    allowed = deciders(version)
    if not allowed:
        raise ValidationError("Thủ tục chưa được cấu hình cơ quan tiếp nhận / giải quyết.", code="no_agency")
    named = None
    if value is not None and value != "":
        named = find_agency(allowed, value)
        if named is None:
            raise _error(
                "competent_agency",
                "Cơ quan đã chọn không có thẩm quyền giải quyết thủ tục này.",
                "competent_not_allowed",
            )
    rule = version.competent_agency_rule
    receiver_decides = find_agency(allowed, receiving)
    if rule == CompetentAgencyRule.FIXED:
        if len(allowed) != 1:
            raise ValidationError(
                "Thủ tục được cấu hình một cơ quan giải quyết cố định nhưng có nhiều cơ quan có thẩm quyền; "
                "vui lòng báo quản trị danh mục.",
                code="fixed_ambiguous",
            )
        if named is not None and named.pk != allowed[0].pk:
            raise _error(
                "competent_agency",
                f"Thủ tục này chỉ do {allowed[0].name} giải quyết.",
                "competent_fixed",
            )
        return allowed[0]
    if rule == CompetentAgencyRule.RECEIVING:
        if receiver_decides is None:
            raise _error(
                "receiving_agency",
                "Thủ tục này do chính cơ quan tiếp nhận giải quyết: hãy nộp tại một cơ quan có thẩm quyền giải quyết.",
                "receiving_not_competent",
            )
        if named is not None and named.pk != receiver_decides.pk:
            raise _error(
                "competent_agency",
                "Thủ tục này do chính cơ quan tiếp nhận hồ sơ giải quyết; không chọn được cơ quan giải quyết khác.",
                "competent_is_receiving",
            )
        return receiver_decides
    # CHOSEN
    if named is not None:
        return named
    if receiver_decides is not None:
        return receiver_decides
    if len(allowed) == 1:
        return allowed[0]
    raise _error(
        "competent_agency",
        "Hãy chọn cơ quan giải quyết hồ sơ (xã, phường, đặc khu nơi có đối tượng của thủ tục).",
        "competent_required",
    )


def route(version, *, receiving=None, competent=None, candidates=None) -> Routing:
    """Both agencies of a new dossier of `version`; `candidates` narrows the receivers (the desk's own)."""
    receiver = choose_receiving(version, receiving, candidates=candidates)
    return Routing(receiver, choose_competent(version, receiver, competent))


def suggested_receiver(agencies, address: str):
    """The agency of `agencies` whose administrative unit's name (e.g. "Phường Đồng Hới") is in `address`.

    The pages offer it first. Matched on the unit's full name, type included, folded (no diacritics,
    lower case), so "Phường Quảng Trị" is not matched by the province's name in "…, tỉnh Quảng Trị".
    """
    words = fold(re.sub(r"[^\w]+", " ", address or ""))
    if not words:
        return None
    padded = f" {words} "
    best, best_length = None, 0
    for agency in agencies:
        unit = getattr(agency, "administrative_unit", None)
        if unit is None or unit.level == "province":
            continue
        name = fold(unit.name)
        if name and f" {name} " in padded and len(name) > best_length:
            best, best_length = agency, len(name)
    return best
