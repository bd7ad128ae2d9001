"""Demo dossiers for the demo province, filed and processed through the real services.

Run by `manage.py seed_demo` after directory, catalog and signing. Every dossier below goes through
the same service calls a person would make from the pages, so codes, timelines, control sheets,
audit events, slips and signed results are real. The scenarios leave work in every demo account's
queue (the README's table of demo accounts says who finds what):

UBND phường Đồng Hới (receives and decides; motcua/chuyenvien/truongbophan/lanhdao.donghoi):
- "Đăng ký khai sinh" (1.001193, no fee): congdan1 — waiting for the desk, at the specialist,
  returned and rated; congdan2 — supplement requested, late with an apology slip and a new
  appointment (moved into the past with a database update — the only step not done through a
  service), waiting for the unit leader's approval, waiting for the leader's approval, returned.
- "Đăng ký khai tử" (1.000656): congdan1 — supplement requested.
- "Cấp bản sao trích lục hộ tịch" (2.000635, fee): doanhnghiep1 — waiting for the desk, fee due,
  supplement requested (fee paid at the desk), returned.
Trung tâm Phục vụ hành chính công tỉnh (receives; motcua.ttpvhcc and motcua.stp at its desk):
- "Cấp thẻ công chứng viên" (1.013859, charge, decided by Sở Tư pháp): waiting for the desk, fee
  due, at chuyenvien.stp, at truongphong.stp, at lanhdao.stp, returned with the result signed by
  Sở Tư pháp (listed for vanthu.stp).
- "Cấp Phiếu lý lịch tư pháp" (2.000488, fee, decided by Công an tỉnh since 1/3/2025): waiting for
  the centre's desk (motcua.ttpvhcc, and motcua.congan, the police's officer at its counter), at
  canbo.congan, at truongphong.congan, at lanhdao.congan.
- "Đăng ký nội quy lao động" (1.001864, decided by Sở Nội vụ): doanhnghiep1 — waiting for the desk.

Who acts at each step is looked up in the directory (the holder of the step's role in its agency
and unit), so the scenarios follow the catalogue's agencies and steps. Idempotent: when a demo
citizen already has a dossier for the birth procedure, nothing is created.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

logger = logging.getLogger("cqs.dossiers.demo")

BIRTH_PROCEDURE = "1.001193.000.00.00.H44"  # Đăng ký khai sinh (phường/xã)
DEATH_PROCEDURE = "1.000656.000.00.00.H44"  # Đăng ký khai tử (phường/xã)
EXTRACT_PROCEDURE = "2.000635.000.00.00.H44"  # Cấp bản sao trích lục hộ tịch (công dân, tổ chức; có lệ phí)
# Cấp Phiếu lý lịch tư pháp: received by the provincial service centre, decided by Công an tỉnh, with a fee
RECORD_PROCEDURE = "2.000488.000.00.00.H44"
# Cấp thẻ công chứng viên: received by the provincial service centre, decided by Sở Tư pháp, with a charge
NOTARY_PROCEDURE = "1.013859.000.00.00.H44"
LABOUR_RULES_PROCEDURE = "1.001864.000.00.00.H44"  # Đăng ký nội quy lao động (doanh nghiệp)
WARD = "000.01.30.H44"  # UBND phường Đồng Hới (directory.demo.WARD_DONG_HOI)
CENTRE = "000.00.01.H44"  # Trung tâm Phục vụ hành chính công tỉnh (directory.demo.SERVICE_CENTRE)

DESK = "motcua.donghoi"
CITIZENS = ("congdan1", "congdan2")
BUSINESS = "doanhnghiep1"

# The stages a demo dossier is taken to, in order along the one-stop flow.
SUBMITTED, FEE_DUE, PROCESSING, SUPPLEMENT, UNIT_LEADER, AGENCY_LEADER, RETURNED, RATED = (
    "mới nộp, chờ tiếp nhận",
    "đã tiếp nhận, chờ nộp phí",
    "đang xử lý (chuyên viên)",
    "yêu cầu bổ sung",
    "chờ lãnh đạo phòng/bộ phận duyệt",
    "chờ lãnh đạo cơ quan duyệt",
    "đã trả kết quả",
    "đã trả kết quả, đã đánh giá",
)

SAMPLE_VALUES = {
    "ho_ten": None,  # the applicant's own name
    "ten_tre": "Nguyễn Minh Khang",
    "noi_sinh": "Bệnh viện Hữu nghị Việt Nam – Cu Ba Đồng Hới",
    "dia_chi": "Phường Đồng Hới, tỉnh Quảng Trị",
    "muc_dich": "Bổ sung hồ sơ xin việc",
}


def _pdf(title: str) -> bytes:
    """A one-page PDF standing in for a scanned document."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from .slips import FONT, _register_fonts

    _register_fonts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont(FONT, 14)
    page.drawString(72, 760, "Bản scan mẫu (dữ liệu demo)")
    page.setFont(FONT, 11)
    page.drawString(72, 736, title[:90])
    page.showPage()
    page.save()
    return buffer.getvalue()


def _upload(component) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"thanh-phan-{component.pk}.pdf", _pdf(component.name), content_type="application/pdf")


def sample_form_data(schema: dict, applicant) -> dict:
    """Plausible values for every field of a procedure's form (so demo dossiers pass validation)."""
    data = {}
    for name, prop in (schema or {}).get("properties", {}).items():
        kind = prop.get("type")
        if name in SAMPLE_VALUES:
            data[name] = SAMPLE_VALUES[name] or applicant.display_name
        elif kind == "boolean":
            data[name] = True
        elif kind in ("integer", "number"):
            data[name] = prop.get("minimum", 1) or 1
        elif "enum" in prop:
            data[name] = prop["enum"][0]
        elif prop.get("format") == "date":
            data[name] = (timezone.localdate() - timedelta(days=10)).isoformat()
        elif prop.get("format") == "email":
            data[name] = applicant.email or "demo@example.vn"
        elif prop.get("x-validator") == "cccd":
            data[name] = applicant.cccd or "044090001234"
        elif prop.get("x-validator") == "mst":
            data[name] = applicant.tax_code or "3200123452"
        else:
            text = f"{prop.get('title', name)} (demo)"
            data[name] = text[: prop.get("maxLength", len(text))]
    return data


def _submit(version, applicant):
    from catalog import routing
    from directory.demo import WARD_DONG_HOI

    from . import services

    files = {c.pk: [_upload(c)] for c in version.components.all() if c.required}
    # A procedure every commune receives is filed at Đồng Hới ward, where the demo's commune officials work
    # (the applicant chooses: catalog.routing); a procedure with one receiver goes there.
    receivers = routing.receivers(version)
    return services.dossier_submit_online(
        applicant=applicant,
        procedure_version=version,
        form_data=sample_form_data(version.form_schema, applicant),
        files=files,
        receiving_agency=routing.find_agency(receivers, WARD_DONG_HOI) if len(receivers) > 1 else None,
    )


def _submit(version, applicant, receiving=None):
    from . import services

    files = {c.pk: [_upload(c)] for c in version.components.all() if c.required}
    return services.dossier_submit_online(
        applicant=applicant,
        procedure_version=version,
        form_data=sample_form_data(version.form_schema, applicant),
        files=files,
        receiving_agency=receiving,
    )


def _holder(role: str, agency_id: int, unit_id: int | None = None):
    """A demo official holding `role` in the agency (in the unit, or agency-wide), fresh from the database
    (grants are cached per user object, so each action starts from a clean one)."""
    from django.db.models import Q

    from directory.models import StaffPosition, User

    positions = StaffPosition.objects.filter(agency_id=agency_id, role=role, is_active=True)
    if unit_id is not None:
        positions = positions.filter(Q(unit_id=unit_id) | Q(unit__isnull=True))
    position = positions.order_by("unit_id", "id").first()
    if position is None:
        raise LookupError(f"no demo official holds {role} at agency {agency_id}")
    return User.objects.get(pk=position.user_id)


def _step_holder(d):
    return _holder(d.current_role, d.current_agency_id, d.current_unit_id)


def _desk(d):
    from directory.choices import Role

    return _holder(Role.ONE_STOP_OFFICER, d.receiving_agency_id)


def _pay_at_counter(d):
    """The desk records the fee paid in cash; the payments app then sends the dossier on to processing.
    Without an app keeping fees (dossiers.fees), the desk settles the dossier by hand."""
    from . import fees, services
    from .models import Dossier

    keeper = fees.keeper()
    if keeper is None:
        return services.dossier_payment_settled(dossier=d, actor=None)
    for obligation in keeper.obligations_for(d):
        if obligation.status == "due":
            keeper.record_counter_payment(
                obligation=obligation, actor=_desk(d), amount=obligation.amount, reference=f"BL-DEMO-{d.pk:04d}"
            )
    return Dossier.objects.get(pk=d.pk)


def _attach_result(d, version):
    from directory.choices import Role

    from . import services
    from .models import Dossier

    actor = _holder(Role.AGENCY_LEADER, d.competent_agency_id)
    try:
        return services.dossier_attach_result(dossier=d, actor=actor, generate=True)
    except Exception as exc:  # signing not configured: attach a plain PDF instead
        logger.warning("demo result not generated (%s); attaching a PDF", exc)
        result = SimpleUploadedFile(
            "ket-qua.pdf", _pdf(f"Kết quả: {version.result_name}"), content_type="application/pdf"
        )
        return services.dossier_attach_result(dossier=Dossier.objects.get(pk=d.pk), actor=actor, file=result)


def _take(version, applicant, stage: str, *, receiving=None):
    """File a dossier as `applicant` and take it through the services up to `stage`."""
    from directory.choices import Role
    from directory.models import User

    from . import services
    from .choices import DossierStatus
    from .models import Dossier

    d = _submit(version, User.objects.get(pk=applicant.pk), receiving)
    if stage == SUBMITTED:
        return d
    d = services.dossier_receive(dossier=d, officer=_desk(d))
    if stage == FEE_DUE:
        return d
    if d.status == DossierStatus.PAYMENT_REQUESTED:
        d = _pay_at_counter(d)
    if d.current_role == Role.ONE_STOP_OFFICER:  # a desk step of the competent agency after reception
        d = services.dossier_transfer(dossier=d, actor=_step_holder(d), note="Chuyển chuyên viên thẩm định.")
    if stage == PROCESSING:
        return d
    if stage == SUPPLEMENT:
        services.dossier_request_supplement(
            dossier=d,
            actor=_step_holder(d),
            reason="Giấy tờ đính kèm chụp bị mờ, không đọc được.",
            items=["Bản chụp rõ nét giấy tờ đã nộp"],
        )
        return Dossier.objects.get(pk=d.pk)
    d = services.dossier_transfer(dossier=d, actor=_step_holder(d), note="Hồ sơ đầy đủ, đề nghị giải quyết.")
    if stage == UNIT_LEADER and d.current_role == Role.UNIT_LEADER:
        return d
    while d.current_role == Role.UNIT_LEADER:
        d = services.dossier_approve(dossier=d, leader=_step_holder(d))
    if stage == AGENCY_LEADER:
        return d
    while d.current_step is not None and d.current_role == Role.AGENCY_LEADER:
        d = services.dossier_approve(dossier=d, leader=_step_holder(d))
    d = _attach_result(d, version)
    d = services.dossier_return_result(dossier=d, actor=_desk(d), method="online")
    if stage == RATED:
        services.dossier_rate(
            dossier=d, applicant=User.objects.get(pk=applicant.pk), score=5, comment="Cán bộ hướng dẫn tận tình."
        )
    return d


def _late_with_apology(version, applicant, receiving):
    """Received, then past its appointment: marked late, the desk apologises and sets a new date."""
    from . import services
    from .models import Dossier

    d = _take(version, applicant, PROCESSING, receiving=receiving)
    past = timezone.now() - timedelta(days=9)
    Dossier.objects.filter(pk=d.pk).update(
        received_at=past, due_at=past + timedelta(days=4), original_due_at=past + timedelta(days=4)
    )
    services.dossiers_mark_late()
    new_due = timezone.localtime() + timedelta(days=3)
    new_due = new_due.replace(hour=16, minute=0, second=0, microsecond=0)
    return services.dossier_apologize(
        dossier=Dossier.objects.get(pk=d.pk),
        actor=_desk(d),
        reason="Chờ xác minh thông tin nơi sinh với cơ sở y tế.",
        new_due_at=new_due,
    )


def _version(code: str):
    from catalog.models import Procedure

    procedure = Procedure.objects.filter(code=code).first()
    return procedure.current_version if procedure else None


def load(stdout) -> list[tuple[str, str, str]]:
    from directory.models import Agency, User

    from .models import Dossier

    users = {u.username: u for u in User.objects.filter(username__in=[*CITIZENS, BUSINESS, DESK])}
    birth = _version(BIRTH_PROCEDURE)
    ward = Agency.objects.filter(code=WARD).first()
    if birth is None or ward is None or len(users) < 4:
        stdout.write("  hồ sơ mẫu: bỏ qua (thiếu thủ tục hoặc tài khoản mẫu của directory/catalog)\n")
        return []
    citizen1, citizen2, business = users["congdan1"], users["congdan2"], users[BUSINESS]
    if Dossier.objects.filter(applicant__in=[citizen1, citizen2], procedure_version=birth).exists():
        stdout.write("  hồ sơ mẫu: đã có, không tạo thêm\n")
        return []

    made = []

    def take(code, applicant, stage, receiving=None):
        version = _version(code)
        if version is not None:
            made.append((f"{version.name[:40]} – {stage}", _take(version, applicant, stage, receiving=receiving)))

    # The ward: the birth procedure in every state, for both citizens
    take(BIRTH_PROCEDURE, citizen1, SUBMITTED, ward)
    take(BIRTH_PROCEDURE, citizen1, PROCESSING, ward)
    take(BIRTH_PROCEDURE, citizen2, SUPPLEMENT, ward)
    made.append(("Đăng ký khai sinh – trễ hạn, đã xin lỗi", _late_with_apology(birth, citizen2, ward)))
    take(BIRTH_PROCEDURE, citizen1, RATED, ward)
    take(BIRTH_PROCEDURE, citizen2, UNIT_LEADER, ward)
    take(BIRTH_PROCEDURE, citizen2, AGENCY_LEADER, ward)
    take(BIRTH_PROCEDURE, citizen2, RETURNED, ward)
    take(DEATH_PROCEDURE, citizen1, SUPPLEMENT, ward)
    # The business at the ward: a civil-status extract, with its fee
    for stage in (SUBMITTED, FEE_DUE, SUPPLEMENT, RETURNED):
        take(EXTRACT_PROCEDURE, business, stage, ward)
    # The provincial centre receives; Sở Tư pháp decides
    take(NOTARY_PROCEDURE, citizen2, SUBMITTED)
    take(NOTARY_PROCEDURE, citizen2, FEE_DUE)
    take(NOTARY_PROCEDURE, citizen1, PROCESSING)
    take(NOTARY_PROCEDURE, citizen1, UNIT_LEADER)
    take(NOTARY_PROCEDURE, citizen2, AGENCY_LEADER)
    take(NOTARY_PROCEDURE, citizen1, RETURNED)
    take(RECORD_PROCEDURE, citizen1, SUBMITTED)
    take(RECORD_PROCEDURE, citizen2, PROCESSING)
    take(RECORD_PROCEDURE, citizen1, UNIT_LEADER)
    take(RECORD_PROCEDURE, citizen2, AGENCY_LEADER)
    take(LABOUR_RULES_PROCEDURE, business, SUBMITTED)
    for label, dossier in made:
        stdout.write(f"  hồ sơ mẫu {dossier.code}: {label}\n")
    return []


__all__ = ["load", "sample_form_data"]
