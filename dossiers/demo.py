"""Demo dossiers for the demo province, filed and processed through the real services.

Run by `manage.py seed_demo` after directory, catalog and signing. Every dossier below goes through
the same service calls a person would make from the pages, so codes, timelines, control sheets,
audit events and slips are real. Scenarios (procedure 1.001193 "Đăng ký khai sinh", received and
decided by UBND phường Đồng Hới, no fee; demo officials motcua/chuyenvien/truongbophan/lanhdao.donghoi):

- congdan1: submitted online, waiting for the desk
- congdan1: received, at the specialist's step (processing)
- congdan2: supplement requested by the specialist (clock paused)
- congdan2: late, with an apology slip and a new appointment (the appointment is moved into the
  past with a database update — the only step not done through a service — to show a late dossier)
- congdan1: processed by every step, result generated and signed, returned online and rated 5/5

Idempotent: when a demo citizen already has a dossier for the demo procedure, nothing is created.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

logger = logging.getLogger("cqs.dossiers.demo")

BIRTH_PROCEDURE = "1.001193.000.00.00.H44"  # Đăng ký khai sinh (phường/xã)
# Cấp Phiếu lý lịch tư pháp: received by the provincial service centre, decided by Sở Tư pháp, with a fee
RECORD_PROCEDURE = "2.000488.000.00.00.H44"
CENTRE_DESK = "motcua.ttpvhcc"
JUSTICE_DESK = "motcua.stp"

DESK = "motcua.donghoi"
SPECIALIST = "chuyenvien.donghoi"
UNIT_LEADER = "truongbophan.donghoi"
LEADER = "lanhdao.donghoi"

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


def load(stdout) -> list[tuple[str, str, str]]:
    from catalog.models import Procedure
    from directory.models import User

    from . import services
    from .models import Dossier

    users = {
        u.username: u
        for u in User.objects.filter(username__in=["congdan1", "congdan2", DESK, SPECIALIST, UNIT_LEADER, LEADER])
    }
    procedure = Procedure.objects.filter(code=BIRTH_PROCEDURE).first()
    version = procedure.current_version if procedure else None
    if version is None or len(users) < 6:
        stdout.write("  hồ sơ mẫu: bỏ qua (thiếu thủ tục hoặc tài khoản mẫu của directory/catalog)\n")
        return []
    citizen1, citizen2 = users["congdan1"], users["congdan2"]
    if Dossier.objects.filter(applicant__in=[citizen1, citizen2], procedure_version__procedure=procedure).exists():
        stdout.write("  hồ sơ mẫu: đã có, không tạo thêm\n")
        return []

    def fresh(name):  # grants are cached per user object; start each actor clean
        return User.objects.get(pk=users[name].pk)

    made = []
    # 1. submitted online, waiting at the desk
    made.append(("mới nộp", _submit(version, fresh("congdan1"))))

    # 2. received: processing at the specialist's step
    d = services.dossier_receive(dossier=_submit(version, fresh("congdan1")), officer=fresh(DESK))
    made.append(("đang xử lý", d))

    # 3. supplement requested
    d = services.dossier_receive(dossier=_submit(version, fresh("congdan2")), officer=fresh(DESK))
    services.dossier_request_supplement(
        dossier=d,
        actor=fresh(SPECIALIST),
        reason="Giấy chứng sinh chụp bị mờ.",
        items=["Bản chụp rõ nét Giấy chứng sinh"],
    )
    made.append(("yêu cầu bổ sung", Dossier.objects.get(pk=d.pk)))

    # 4. late, apologised
    d = services.dossier_receive(dossier=_submit(version, fresh("congdan2")), officer=fresh(DESK))
    past = timezone.now() - timedelta(days=9)
    Dossier.objects.filter(pk=d.pk).update(
        received_at=past, due_at=past + timedelta(days=4), original_due_at=past + timedelta(days=4)
    )
    services.dossiers_mark_late()
    new_due = timezone.localtime() + timedelta(days=3)
    new_due = new_due.replace(hour=16, minute=0, second=0, microsecond=0)
    d = services.dossier_apologize(
        dossier=Dossier.objects.get(pk=d.pk),
        actor=fresh(DESK),
        reason="Chờ xác minh thông tin nơi sinh với cơ sở y tế.",
        new_due_at=new_due,
    )
    made.append(("trễ hạn, đã xin lỗi", d))

    # 5. the whole way: processed, result generated and signed, returned online, rated
    d = services.dossier_receive(dossier=_submit(version, fresh("congdan1")), officer=fresh(DESK))
    d = services.dossier_transfer(dossier=d, actor=fresh(SPECIALIST), note="Hồ sơ đầy đủ, đề nghị giải quyết.")
    while d.current_step is not None and d.current_role in ("unit_leader", "agency_leader"):
        leader = fresh(UNIT_LEADER if d.current_role == "unit_leader" else LEADER)
        d = services.dossier_approve(dossier=d, leader=leader)
    try:
        d = services.dossier_attach_result(dossier=d, actor=fresh(LEADER), generate=True)
    except Exception as exc:  # signing not configured: attach a plain PDF instead
        logger.warning("demo result not generated (%s); attaching a PDF", exc)
        result = SimpleUploadedFile(
            "ket-qua.pdf", _pdf(f"Kết quả: {version.result_name}"), content_type="application/pdf"
        )
        d = services.dossier_attach_result(dossier=Dossier.objects.get(pk=d.pk), actor=fresh(LEADER), file=result)
    d = services.dossier_return_result(dossier=d, actor=fresh(DESK), method="online")
    services.dossier_rate(dossier=d, applicant=fresh("congdan1"), score=5, comment="Cán bộ hướng dẫn tận tình.")
    made.append(("đã trả kết quả, đã đánh giá", d))

    made.extend(_load_justice(fresh_user=lambda name: User.objects.get(username=name)))
    for label, dossier in made:
        stdout.write(f"  hồ sơ mẫu {dossier.code}: {label}\n")
    return []


def _load_justice(*, fresh_user) -> list:
    """Judicial-record certificates: filed at the provincial centre, fee, then Sở Tư pháp's own steps."""
    from catalog.models import Procedure

    from . import services
    from .models import Dossier

    procedure = Procedure.objects.filter(code=RECORD_PROCEDURE).first()
    version = procedure.current_version if procedure else None
    if version is None:
        return []
    made = []
    # waiting at the centre's desk
    made.append(("lý lịch tư pháp – mới nộp", _submit(version, fresh_user("congdan2"))))
    # received: the fee is due (the payments demo points the citizen to it)
    d = services.dossier_receive(dossier=_submit(version, fresh_user("congdan2")), officer=fresh_user(CENTRE_DESK))
    made.append(("lý lịch tư pháp – chờ nộp phí", d))
    # received and paid at the counter: now at Sở Tư pháp, with its specialist
    d = services.dossier_receive(dossier=_submit(version, fresh_user("congdan1")), officer=fresh_user(CENTRE_DESK))
    try:
        from payments.selectors import obligations_for
        from payments.services import counter_payment_record
    except ImportError:  # payments not installed: the dossier stays at "payment requested"
        return made
    for obligation in obligations_for(d):
        counter_payment_record(
            obligation=obligation, actor=fresh_user(CENTRE_DESK), amount=obligation.amount, reference="BL-DEMO-0001"
        )
    d = Dossier.objects.get(pk=d.pk)
    if d.current_role == "one_stop_officer":
        d = services.dossier_transfer(dossier=d, actor=fresh_user(JUSTICE_DESK), note="Chuyển chuyên viên thẩm định.")
    made.append(("lý lịch tư pháp – đã nộp phí, đang thẩm định tại Sở Tư pháp", d))
    return made


__all__ = ["load", "sample_form_data"]
