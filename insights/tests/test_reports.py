"""Periodic reports: the cut-off periods and the deadline (Nghị định 09/2019/NĐ-CP), pre-filling from the
platform's data, filling, signing and sending, returning for correction, the aggregate and its XLSX, and who may
do what on the pages (no login, another agency, the wrong role, the right role; refusals change nothing)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import AuditEvent
from directory.choices import AgencyKind, Role
from directory.models import Agency, StaffPosition, User
from dossiers.tests import factories as df
from insights import reports
from insights.choices_open import ReportStatus
from insights.models import PeriodicReport, ReportIndicator, ReportTemplate

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.SIGNING_PKI_DIR = tmp_path / "pki"
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"


def _staff(username, agency, role, **extra):
    user = User.objects.create_user(username=username, kind="staff", full_name=username, password="x-Mat-khau-1")
    StaffPosition.objects.create(user=user, agency=agency, role=role, **extra)
    return user


@pytest.fixture
def w():
    world = df.make_world()
    province = Agency.objects.create(
        code="000.00.00.H44", name="UBND tỉnh Quảng Trị", kind=AgencyKind.PROVINCIAL_COMMITTEE
    )
    template = ReportTemplate.objects.create(
        code="tthc-thang",
        title="Tình hình giải quyết thủ tục hành chính",
        legal_basis="Thông tư 01/2020/TT-VPCP",
        period="monthly",
        deadline_days=4,
    )
    template.agencies.set([world.justice, world.other])
    for order, (code, name, source) in enumerate(
        [
            ("tiep_nhan", "Số hồ sơ tiếp nhận", "dossiers_received"),
            ("dung_han", "Số hồ sơ giải quyết đúng hạn", "dossiers_on_time"),
            ("phan_anh", "Số phản ánh được chuyển đến", "feedback_received"),
            ("can_bo", "Số cán bộ làm việc tại bộ phận một cửa", "manual"),
        ]
    ):
        ReportIndicator.objects.create(template=template, order=order, code=code, name=name, source=source, unit="")
    return {
        "world": world,
        "template": template,
        "province": province,
        "manager": _staff("vpubnd", province, Role.SPECIALIST),
        "ioc": _staff("ioc", province, Role.IOC_VIEWER),
        "leader": world.leader,  # Sở Tư pháp's director, signing right "direct"
        "specialist": world.specialist,
        "other_leader": _staff("giamdoc_sxd", world.other, Role.AGENCY_LEADER),
        "citizen": world.citizen,
    }


# ------------------------------------------------------------------------------------------ the legal periods


@pytest.mark.parametrize(
    ("period", "year", "number", "start", "end", "label"),
    [
        ("monthly", 2027, 1, dt.date(2026, 12, 15), dt.date(2027, 1, 14), "Tháng 01/2027"),
        ("monthly", 2026, 11, dt.date(2026, 10, 15), dt.date(2026, 11, 14), "Tháng 11/2026"),
        ("quarterly", 2026, 1, dt.date(2025, 12, 15), dt.date(2026, 3, 14), "Quý I/2026"),
        ("quarterly", 2026, 4, dt.date(2026, 9, 15), dt.date(2026, 12, 14), "Quý IV/2026"),
        ("half_yearly", 2026, 1, dt.date(2025, 12, 15), dt.date(2026, 6, 14), "6 tháng đầu năm 2026"),
        ("half_yearly", 2026, 2, dt.date(2026, 6, 15), dt.date(2026, 12, 14), "6 tháng cuối năm 2026"),
        ("yearly", 2026, 1, dt.date(2025, 12, 15), dt.date(2026, 12, 14), "Năm 2026"),
    ],
)
def test_cut_off_periods_of_decree_09_2019(period, year, number, start, end, label):
    """Nghị định 09/2019/NĐ-CP, Điều 12: the figures run from the 15th of the month before to the 14th."""
    assert reports.period_bounds(period, year, number) == (start, end, label)


def test_a_period_out_of_range_is_refused():
    with pytest.raises(ValidationError):
        reports.period_bounds("quarterly", 2026, 5)


def test_opening_prefills_from_the_platforms_data(w):
    world = w["world"]
    with time_machine.travel(dt.datetime(2026, 11, 3, 9, tzinfo=VN), tick=False):
        df.processed_dossier(world)  # received and finished on 3/11: in November's cut-off (15/10–14/11)
        df.processing_dossier(world)
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, tzinfo=VN), tick=False):
        df.processing_dossier(world)  # 16/11: December's figures, not November's
        made = reports.period_open(actor=w["manager"], template=w["template"], year=2026, number=11)
    assert len(made) == 2
    justice = PeriodicReport.objects.get(agency=world.justice)
    values = {v.indicator.code: v for v in justice.values.select_related("indicator")}
    assert values["tiep_nhan"].computed == Decimal(2) and values["tiep_nhan"].value == Decimal(2)
    assert values["dung_han"].computed == Decimal(1)
    assert values["can_bo"].value is None and values["can_bo"].computed is None
    assert justice.due_on == dt.date(2026, 11, 18)  # 14/11 + 4 days
    other = PeriodicReport.objects.get(agency=world.other)
    assert other.values.get(indicator__code="tiep_nhan").value == 0
    # opening again adds nothing
    assert reports.period_open(actor=w["manager"], template=w["template"], year=2026, number=11) == []
    assert PeriodicReport.objects.count() == 2
    assert AuditEvent.objects.filter(action="insights.report_period_opened").count() == 2


def test_only_the_province_opens_a_period(w):
    for user in (w["leader"], w["ioc"], w["citizen"]):
        with pytest.raises(PermissionDenied):
            reports.period_open(actor=user, template=w["template"], year=2026, number=11)
    assert not PeriodicReport.objects.exists()


def _open(w, year=2026, number=11):
    reports.period_open(actor=w["manager"], template=w["template"], year=year, number=number)
    return PeriodicReport.objects.get(agency=w["world"].justice), PeriodicReport.objects.get(agency=w["world"].other)


def _fill_all(w, report, actor=None):
    return reports.report_fill(
        actor=actor or w["specialist"],
        report=report,
        values={"can_bo": "6", "tiep_nhan": "3"},
        notes={"can_bo": "Có 1 hợp đồng"},
    )


def test_sending_on_the_due_day_is_on_time_and_the_day_after_is_late(w):
    """The deadline day counts whole, Vietnam time: sent at 23:50 on 18/11 is on time, at 00:10 on 19/11 late."""
    justice, other = _open(w)
    _fill_all(w, justice)
    reports.report_fill(actor=w["other_leader"], report=other, values={"can_bo": "4"})
    with time_machine.travel(dt.datetime(2026, 11, 18, 23, 50, tzinfo=VN), tick=False):
        sent = reports.report_submit(actor=w["leader"], report=justice)
    with time_machine.travel(dt.datetime(2026, 11, 19, 0, 10, tzinfo=VN), tick=False):
        late = reports.report_submit(actor=w["other_leader"], report=other)
    assert sent.status == ReportStatus.SUBMITTED and not reports.is_late(sent)
    assert reports.is_late(late)
    document = sent.signed_document
    assert (
        document.related_id == str(sent.pk) and document.signed_by_id == w["leader"].pk
    )  # the leader, then the agency
    assert document.signer_certificate_serial and document.file.read().startswith(b"%PDF")
    data = reports.aggregate(w["template"], justice.period_start)
    assert [(r["report"].agency.name, r["late"]) for r in data["rows"]] == [
        ("Sở Tư pháp", False),
        ("Sở Xây dựng", True),
    ]
    assert data["totals"][3] == Decimal(10)  # 6 + 4 officials


def test_an_unsent_report_is_late_after_the_due_day(w):
    justice, _other = _open(w)
    assert not reports.is_late(justice, today=dt.date(2026, 11, 18))
    assert reports.is_late(justice, today=dt.date(2026, 11, 19))


def test_sending_needs_every_required_figure(w):
    justice, _other = _open(w)
    with pytest.raises(ValidationError) as exc:
        reports.report_submit(actor=w["leader"], report=justice)
    assert "Số cán bộ" in str(exc.value)
    justice.refresh_from_db()
    assert justice.status == ReportStatus.DRAFT and justice.signed_document is None


def test_return_for_correction_and_send_again(w):
    justice, _other = _open(w)
    _fill_all(w, justice)
    with time_machine.travel(dt.datetime(2026, 11, 17, 10, tzinfo=VN), tick=False):
        reports.report_submit(actor=w["leader"], report=justice)
    first = PeriodicReport.objects.get(pk=justice.pk)
    with pytest.raises(ValidationError):
        reports.report_return(actor=w["manager"], report=justice, reason="  ")
    assert PeriodicReport.objects.get(pk=justice.pk).status == ReportStatus.SUBMITTED
    with pytest.raises(PermissionDenied):
        reports.report_return(actor=w["leader"], report=justice, reason="Tự trả lại")
    reports.report_return(actor=w["manager"], report=justice, reason="Số cán bộ không khớp báo cáo quý trước.")
    returned = PeriodicReport.objects.get(pk=justice.pk)
    assert returned.status == ReportStatus.RETURNED and "không khớp" in returned.return_reason
    reports.report_fill(actor=w["specialist"], report=returned, values={"can_bo": "5"})
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=VN), tick=False):
        again = reports.report_submit(actor=w["leader"], report=returned)
    assert again.status == ReportStatus.SUBMITTED
    assert again.first_submitted_at == first.first_submitted_at and not reports.is_late(again)  # judged on the first
    assert again.signed_document_id != first.signed_document_id
    reports.report_accept(actor=w["manager"], report=again)
    accepted = PeriodicReport.objects.get(pk=justice.pk)
    assert accepted.status == ReportStatus.ACCEPTED
    with pytest.raises(ValidationError):
        reports.report_fill(actor=w["specialist"], report=accepted, values={"can_bo": "9"})
    actions = list(AuditEvent.objects.filter(object_id=str(justice.pk)).values_list("action", flat=True).order_by("pk"))
    assert actions.count("insights.report_submitted") == 2 and "insights.report_returned" in actions


def test_bad_figures_change_nothing(w):
    justice, _other = _open(w)
    for bad in ("-1", "mười", "1e20"):
        with pytest.raises(ValidationError):
            reports.report_fill(actor=w["specialist"], report=justice, values={"tiep_nhan": "7", "can_bo": bad})
    assert justice.values.get(indicator__code="tiep_nhan").value == Decimal(0)
    with pytest.raises(ValidationError):
        reports.report_fill(actor=w["specialist"], report=justice, values={"khong_co": "1"})


def test_the_aggregate_xlsx_follows_the_template(client, w):
    from openpyxl import load_workbook

    justice, other = _open(w)
    _fill_all(w, justice)
    client.force_login(w["ioc"])
    url = reverse("reports:aggregate", args=[w["template"].pk, justice.period_start.isoformat()])
    with time_machine.travel(dt.datetime(2026, 11, 17, 10, tzinfo=VN), tick=False):
        reports.report_submit(actor=w["leader"], report=justice)
        response = client.get(url + "?dinh-dang=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if r[0] == "STT")
    assert header[:4] == ["STT", "Chỉ tiêu", "Định nghĩa, cách tính", "Đơn vị tính"]
    assert header[4:7] == ["Sở Tư pháp", "Sở Xây dựng", "Tổng cộng (báo cáo đã gửi)"]
    lines = {r[1]: r for r in rows if isinstance(r[0], int)}
    assert list(lines) == [i.name for i in w["template"].indicators.all()]
    assert lines["Số cán bộ làm việc tại bộ phận một cửa"][4:7] == [6, None, 6]  # Sở Xây dựng has not sent
    status = {r[1]: r[4] for r in rows if r[1] in ("Sở Tư pháp", "Sở Xây dựng") and r[0] is None}
    assert status == {"Sở Tư pháp": "Đúng hạn", "Sở Xây dựng": "Chưa gửi, chưa đến hạn"}
    with time_machine.travel(dt.datetime(2026, 11, 19, 8, tzinfo=VN), tick=False):
        later = load_workbook(io.BytesIO(client.get(url + "?dinh-dang=xlsx").content)).active
    assert [None, "Sở Xây dựng", "Đang lập", None, "Trễ hạn"] in [
        [c.value for c in row][:5] for row in later.iter_rows()
    ]


# ---------------------------------------------------------------------------------------------- the pages


def test_report_page_permissions(client, w):
    justice, _other = _open(w)
    url = reverse("reports:detail", args=[justice.pk])
    assert client.get(url).status_code == 302  # no login: to the login page
    for user, status in ((w["other_leader"], 404), (w["citizen"], 404), (w["ioc"], 200), (w["specialist"], 200)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.force_login(w["specialist"])
    page = client.get(url).content.decode()
    assert "Lưu số liệu" in page and "Ký số và gửi" not in page
    client.force_login(w["leader"])
    assert "Ký số và gửi" in client.get(url).content.decode()


def test_actions_through_the_pages(client, w):
    justice, _other = _open(w)
    fill = reverse("reports:action", args=[justice.pk, "nhap-so-lieu"])
    submit = reverse("reports:action", args=[justice.pk, "ky-gui"])
    give_back = reverse("reports:action", args=[justice.pk, "tra-lai"])
    data = {"v_tiep_nhan": "2", "v_dung_han": "1", "v_phan_anh": "0", "v_can_bo": "5", "n_can_bo": ""}
    assert (
        client.post(fill, data).status_code == 302
        and PeriodicReport.objects.get(pk=justice.pk).values.get(indicator__code="can_bo").value is None
    )  # no login: nothing written
    client.force_login(w["other_leader"])
    assert client.post(fill, data).status_code == 404
    client.force_login(w["ioc"])
    assert client.post(fill, data).status_code == 403
    client.force_login(w["specialist"])
    assert client.post(submit).status_code == 403
    assert justice.values.get(indicator__code="can_bo").value is None
    assert client.post(fill, data).status_code == 302
    assert justice.values.get(indicator__code="can_bo").value == Decimal(5)
    client.force_login(w["leader"])
    assert client.post(give_back, {"reason": "Không được"}).status_code == 403
    assert client.post(submit).status_code == 302
    assert PeriodicReport.objects.get(pk=justice.pk).status == ReportStatus.SUBMITTED
    client.force_login(w["manager"])
    response = client.post(give_back, {"reason": ""}, follow=True)
    assert PeriodicReport.objects.get(pk=justice.pk).status == ReportStatus.SUBMITTED
    assert "Lý do trả lại" in response.content.decode()
    client.post(give_back, {"reason": "Thiếu số liệu phản ánh của tháng."})
    assert PeriodicReport.objects.get(pk=justice.pk).status == ReportStatus.RETURNED


def test_list_aggregate_and_open_pages(client, w, django_assert_max_num_queries):
    client.force_login(w["world"].other_specialist)
    empty = client.get(reverse("reports:list"))
    assert empty.status_code == 200 and "chưa được giao báo cáo nào" in empty.content.decode()
    client.logout()
    justice, _other = _open(w)
    aggregate = reverse("reports:aggregate", args=[w["template"].pk, justice.period_start.isoformat()])
    open_url = reverse("reports:open_period", args=[w["template"].pk])
    assert client.get(reverse("reports:list")).status_code == 302
    client.force_login(w["citizen"])
    assert client.get(reverse("reports:list")).status_code == 403
    assert client.get(aggregate).status_code == 403
    client.force_login(w["leader"])
    assert client.get(aggregate).status_code == 403
    assert "Tháng 11/2026" in client.get(reverse("reports:list")).content.decode()
    assert client.post(open_url, {"year": 2026, "number": 12}).status_code == 403
    assert PeriodicReport.objects.count() == 2
    client.force_login(w["ioc"])
    with django_assert_max_num_queries(15):
        page = client.get(aggregate)
    assert page.status_code == 200 and "Sở Xây dựng" in page.content.decode()
    assert client.post(open_url, {"year": 2026, "number": 12}).status_code == 403
    client.force_login(w["manager"])
    assert client.post(open_url, {"year": 2026, "number": 12}).status_code == 302
    assert PeriodicReport.objects.count() == 4
    assert client.get(reverse("reports:aggregate", args=[w["template"].pk, "2020-01-15"])).status_code == 404


def test_the_daily_job_opens_the_period_that_just_closed(w):
    import io as _io

    from django.core.management import call_command

    with time_machine.travel(dt.datetime(2026, 11, 14, 22, tzinfo=VN), tick=False):
        call_command("reports_open_periods", stdout=_io.StringIO())
    assert {r.label for r in PeriodicReport.objects.all()} == {"Tháng 10/2026"}
    with time_machine.travel(dt.datetime(2026, 11, 15, 6, tzinfo=VN), tick=False):
        out = _io.StringIO()
        call_command("reports_open_periods", stdout=out)
        call_command("reports_open_periods", stdout=_io.StringIO())  # twice the same day: nothing more
    assert "Tháng 11/2026" in out.getvalue()
    assert PeriodicReport.objects.filter(label="Tháng 11/2026").count() == 2
    assert reports.latest_closed("yearly", dt.date(2026, 12, 15)) == (2026, 1)
    assert reports.latest_closed("quarterly", dt.date(2027, 1, 5)) == (2026, 4)


def test_figures_read_the_vietnamese_way():
    assert [reports.figure(v) for v in (Decimal("1250"), Decimal("12.50"), Decimal("1234.25"), None)] == [
        "1.250",
        "12,5",
        "1.234,25",
        "—",
    ]
