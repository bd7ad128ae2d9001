"""Turning a pyHanko validation into findings in plain Vietnamese (shared by the pages and the API)."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from . import pades
from .models import IssuedDocument

CACHE_SECONDS = 300

# overall verdicts
VERDICT_VALID = "valid"  # intact and trusted
VERDICT_UNTRUSTED = "untrusted"  # intact, but the certificate does not chain to a trusted root
VERDICT_REVOKED = "revoked"  # intact, but the signer's certificate has been revoked
VERDICT_TAMPERED = "tampered"  # changed after signing / signature broken
VERDICT_UNSIGNED = "unsigned"  # a PDF without any digital signature
VERDICT_UNREADABLE = "unreadable"  # not a PDF we can read


@dataclass
class Finding:
    ok: bool | None  # True good, False bad, None neutral information
    text: str


@dataclass
class SignatureView:
    signer: str
    organization: str
    agency_code: str
    issuer: str
    signing_time: str
    timestamp: str
    intact: bool
    trusted: bool
    revoked: bool
    is_demo: bool
    pades: bool
    certificate_serial: str
    findings: list[Finding] = field(default_factory=list)
    role: str = ""  # "person" or "organisation"
    role_label: str = ""
    title: str = ""
    valid: bool = False  # intact, trusted, not revoked


@dataclass
class Verification:
    verdict: str
    headline: str
    signatures: list[SignatureView] = field(default_factory=list)
    sha256: str = ""
    issued_document: str = ""  # public_id of the matching IssuedDocument, when the file is one of ours
    issued_document_revoked: bool = False

    @property
    def ok(self) -> bool:
        return self.verdict == VERDICT_VALID

    def as_dict(self) -> dict:
        return asdict(self)


def format_time(moment) -> str:
    """'23/11/2026 10:15:03 +07:00' in Vietnam time."""
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    offset = local.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    return f"{local:%d/%m/%Y %H:%M:%S} {offset}".strip()


def _signature_view(report: pades.SignatureReport) -> SignatureView:
    findings: list[Finding] = []
    if report.intact and report.entire_file and not report.modified_after:
        findings.append(Finding(True, _("Văn bản còn nguyên vẹn kể từ khi ký.")))
    else:
        findings.append(Finding(False, _("Văn bản đã bị sửa đổi sau khi ký (chữ ký số không còn khớp với nội dung).")))
    if report.revoked:
        findings.append(Finding(False, _("Chứng thư số của người ký đã bị thu hồi.")))
    elif report.trusted:
        findings.append(
            Finding(True, _("Chứng thư số hợp lệ, do %(issuer)s cấp.") % {"issuer": report.issuer_common_name})
        )
    else:
        findings.append(
            Finding(
                False,
                _(
                    "Không xác định được nguồn gốc chứng thư số (không thuộc tổ chức cung cấp "
                    "dịch vụ chứng thực được tin cậy), do %(issuer)s cấp."
                )
                % {"issuer": report.issuer_common_name or "?"},
            )
        )
    if report.signer_common_name:
        who = report.signer_common_name
        if report.role == "person":
            who = ", ".join(x for x in (who, report.signer_title, report.signer_organization) if x)
        elif report.agency_code:
            who = f"{who} (mã định danh {report.agency_code})"
        findings.append(Finding(None, _("Ký bởi: %(who)s.") % {"who": who}))
    if report.signing_time:
        findings.append(
            Finding(None, _("Thời điểm ký (theo máy ký): %(t)s.") % {"t": format_time(report.signing_time)})
        )
    if report.timestamp:
        findings.append(
            Finding(
                bool(report.timestamp_trusted),
                _("Dấu thời gian của tổ chức cấp dấu thời gian: %(t)s.") % {"t": format_time(report.timestamp)},
            )
        )
    if report.is_demo:
        findings.append(Finding(None, _("Chứng thư số DEMO, chỉ dùng để thử nghiệm, không có giá trị pháp lý.")))
    return SignatureView(
        signer=report.signer_common_name,
        organization=report.signer_organization,
        agency_code=report.agency_code,
        issuer=report.issuer_common_name,
        signing_time=format_time(report.signing_time),
        timestamp=format_time(report.timestamp),
        intact=report.intact and report.entire_file and not report.modified_after,
        trusted=report.trusted,
        revoked=report.revoked,
        is_demo=report.is_demo,
        pades=report.pades,
        certificate_serial=report.certificate_serial,
        findings=findings,
        role=report.role,
        role_label=_(ROLE_LABELS[report.role]) if report.role in ROLE_LABELS else "",
        title=report.signer_title,
        valid=report.ok,
    )


ROLE_LABELS = {
    "person": "Chữ ký số của người có thẩm quyền",
    "organisation": "Chữ ký số của cơ quan, tổ chức",
}


def _order_finding(views: list[SignatureView]) -> None:
    """Nghị định 30/2020, Điều 15: the competent person signs before the organisation; flag the reverse."""
    first_org = next((i for i, v in enumerate(views) if v.role == "organisation"), None)
    if first_org is None:
        return
    if any(v.role == "person" for v in views[first_org + 1 :]):
        views[first_org].findings.append(
            Finding(False, _("Cơ quan, tổ chức đã ký trước người có thẩm quyền (sai thứ tự ký)."))
        )


def verify_bytes(data: bytes, *, match_issued: bool = True) -> Verification:
    """Validate a PDF (any PDF: ours or not) and describe the result in Vietnamese."""
    digest = hashlib.sha256(data).hexdigest()
    report = pades.validate_pdf(data)
    if not report.readable:
        return Verification(
            VERDICT_UNREADABLE, _("Không đọc được tệp: tệp không phải PDF hợp lệ hoặc đã bị hỏng."), sha256=digest
        )
    if not report.signed:
        return Verification(VERDICT_UNSIGNED, _("Tệp PDF này không có chữ ký số."), sha256=digest)
    views = [_signature_view(s) for s in report.signatures]
    _order_finding(views)
    if not report.intact:
        verdict, headline = VERDICT_TAMPERED, _("Văn bản đã bị sửa đổi sau khi ký. Không sử dụng bản này.")
    elif any(s.revoked for s in report.signatures):
        verdict = VERDICT_REVOKED
        headline = _("Văn bản còn nguyên vẹn, nhưng chứng thư số của người ký đã bị thu hồi. Không sử dụng bản này.")
    elif not report.trusted:
        verdict = VERDICT_UNTRUSTED
        headline = _("Văn bản còn nguyên vẹn, nhưng không xác định được nguồn gốc chứng thư số của người ký.")
    else:
        verdict, headline = VERDICT_VALID, _("Chữ ký số hợp lệ: văn bản còn nguyên vẹn kể từ khi ký.")
    result = Verification(verdict, headline, views, sha256=digest)
    if match_issued:
        issued = IssuedDocument.objects.filter(sha256=digest).only("public_id", "revoked").first()
        if issued is not None:
            result.issued_document = issued.public_id
            _apply_revocation(result, issued.revoked)
    return result


def _apply_revocation(result: Verification, revoked: bool) -> Verification:
    """A document its agency revoked is no longer valid, however intact its signature."""
    result.issued_document_revoked = revoked
    if revoked and result.verdict in (VERDICT_VALID, VERDICT_UNTRUSTED):
        result.verdict = VERDICT_REVOKED
        result.headline = _("Văn bản đã bị cơ quan ban hành thu hồi, không còn giá trị (chữ ký số vẫn nguyên vẹn).")
    return result


def verify_issued(document: IssuedDocument) -> Verification:
    """Validate the stored file of an issued document (cached briefly: the file never changes)."""
    key = f"signing:verify:{document.public_id}:{document.sha256}:{getattr(settings, 'SIGNING_MODE', 'demo')}"
    cached = cache.get(key)
    if cached is not None:
        return _apply_revocation(cached, document.revoked)
    with document.file.open("rb") as handle:
        data = handle.read()
    result = verify_bytes(data, match_issued=False)
    if hashlib.sha256(data).hexdigest() != document.sha256:
        # the stored file is not the one we issued: never vouch for it
        result.verdict = VERDICT_TAMPERED
        result.headline = _("Tệp lưu trữ không khớp với bản đã phát hành (mã băm SHA-256 khác). Không sử dụng bản này.")
    result.issued_document = document.public_id
    cache.set(key, result, CACHE_SECONDS)  # the signature's validation; revocation is applied per request
    return _apply_revocation(copy.copy(result), document.revoked)
