"""Slips as an official signs them (Thông tư 01/2018/TT-VPCP; heading and dateline of Nghị định 30/2020/NĐ-CP,
Phụ lục I): 'Số: …', the place and date from the directory, the officer's full name and title, a People's
Committee without the province above it, a desk under its agency, words never split, the legal time of
receipt, where to collect the result and the register number. Issued through the services, read with
pdftotext."""

import datetime as dt
import shutil
import subprocess
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from directory.models import AdministrativeUnit, Agency, OrgUnit, StaffPosition
from dossiers import services, slips
from dossiers.models import DossierSlip

from .factories import fresh, make_world, pdf_upload, procedure, processing_dossier, staff

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils"),
]

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def pdf_lines(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "slip.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8").splitlines()


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "slip-flow.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def slip_text(dossier, kind, tmp_path) -> str:
    slip = DossierSlip.objects.filter(dossier=dossier, kind=kind).latest("id")
    with slip.file.open("rb") as fh:
        return pdf_text(fh.read(), tmp_path)


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = make_world()
    province = AdministrativeUnit.objects.create(
        code="44", name="Tỉnh Quảng Trị", division_type="tỉnh", level="province"
    )
    committee = Agency.objects.create(
        code="000.00.00.H44",
        name="Ủy ban nhân dân tỉnh Quảng Trị",
        kind="provincial_committee",
        administrative_unit=province,
    )
    Agency.objects.filter(pk__in=[w.centre.pk, w.justice.pk]).update(parent=committee, administrative_unit=province)
    w.centre.refresh_from_db()
    w.justice.refresh_from_db()
    w.officer.full_name = "Lê Thị Tiếp Nhận"
    w.officer.save()
    StaffPosition.objects.filter(user=w.officer).update(title="Công chức tiếp nhận hồ sơ")
    w.leader.full_name = "Trần Văn Giám Đốc"
    w.leader.save()
    StaffPosition.objects.filter(user=w.leader).update(title="Giám đốc")
    return w


def test_receipt_slip_has_number_dateline_heading_officer_and_where_to_collect(
    world, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = processing_dossier(world)
    text = slip_text(dossier, "receipt", tmp_path)
    today = timezone.localdate()
    month = f"{today.month:02d}" if today.month < 3 else str(today.month)
    assert f"Số: {dossier.code}" in text
    assert f"Quảng Trị, ngày {today:%d} tháng {month} năm {today.year}" in text  # place from the directory
    assert "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ" in text and "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" in text
    assert "Lê Thị Tiếp Nhận" in text and "motcua" not in text  # the full name, not the user name
    assert "Công chức tiếp nhận hồ sơ" in text  # the title from the directory
    assert "Nơi nhận kết quả: Nhận trực tuyến trên Cổng dịch vụ công" in text
    assert f"Số vào sổ theo dõi hồ sơ: {dossier.code[-4:]}" in text


def test_commune_committee_heading_has_no_province_line_and_its_desk_sits_under_it(world, tmp_path):
    province = AdministrativeUnit.objects.get(code="44")
    ward = AdministrativeUnit.objects.create(
        code="19333", name="Phường Đồng Hới", division_type="phường", level="commune", parent=province
    )
    commune = Agency.objects.create(
        code="000.01.31.H44",
        name="Ủy ban nhân dân phường Đồng Hới",
        kind="commune_committee",
        parent=Agency.objects.get(code="000.00.00.H44"),
        administrative_unit=ward,
    )
    desk = OrgUnit.objects.create(agency=commune, name="Bộ phận Một cửa", is_one_stop_desk=True)
    officer = staff("motcua_dh", commune, "one_stop_officer", desk)
    version = procedure("1.000555.000.00.00.H44", "Chứng thực chữ ký", receiving=commune, competent=commune)
    dossier = services.dossier_submit_online(
        applicant=fresh(world.citizen),
        procedure_version=version,
        form_data={"muc_dich": "x"},
        files={version.components.order_by("order").first().pk: [pdf_upload()]},
    )
    dossier = services.dossier_receive(dossier=dossier, officer=fresh(officer))
    day = dt.date(2026, 12, 7)
    # the committee itself (a supplement request is issued by the deciding agency): two lines, no province
    lines = pdf_lines(slips.render_supplement_request(dossier, "https://x.vn/v/1", issued_on=day, reason="r"), tmp_path)
    text = " ".join(" ".join(lines).split())
    assert "Đồng Hới, ngày 07 tháng 12 năm 2026" in text
    assert "TỈNH QUẢNG TRỊ" not in text
    assert any(line.strip().startswith("ỦY BAN NHÂN DÂN") and "PHƯỜNG" not in line for line in lines)
    assert any("PHƯỜNG ĐỒNG HỚI" in line for line in lines)
    # the desk under the committee: the committee above the desk
    text = pdf_text(slips.render_refusal(dossier, "https://x.vn/v/2", issued_on=day, reason="r"), tmp_path)
    assert "ỦY BAN NHÂN DÂN PHƯỜNG ĐỒNG HỚI BỘ PHẬN MỘT CỬA" in text and "TỈNH QUẢNG TRỊ" not in text


def test_receipt_after_office_hours_counts_from_the_next_working_session(world, tmp_path):
    with time_machine.travel(dt.datetime(2026, 11, 6, 18, 10, tzinfo=VN), tick=False):  # a Friday evening
        dossier = processing_dossier(world)
        text = pdf_text(slips.render_receipt(dossier, "https://x.vn/v/3"), tmp_path)
    assert "18 giờ 10 phút, ngày 06/11/2026" in text
    assert "Thời điểm tính là đã nhận hồ sơ: 07 giờ 30 phút, ngày 09/11/2026" in text  # Monday morning
    with time_machine.travel(dt.datetime(2026, 11, 9, 9, 0, tzinfo=VN), tick=False):
        inside = processing_dossier(world)
        text = pdf_text(slips.render_receipt(inside, "https://x.vn/v/4"), tmp_path)
    assert "Thời điểm tính là đã nhận" not in text  # within office hours the two are the same


def test_apology_is_signed_by_the_head_with_the_title_from_the_directory(
    world, tmp_path, django_capture_on_commit_callbacks
):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=VN), tick=False):
        dossier = processing_dossier(world)
    late = dossier.due_at + dt.timedelta(hours=1)
    with time_machine.travel(late, tick=False), django_capture_on_commit_callbacks(execute=True):
        services.dossier_apologize(
            dossier=dossier,
            actor=fresh(world.leader),
            reason="Mất điện",
            new_due_at=dossier.due_at + dt.timedelta(days=3),
        )
    text = slip_text(dossier, "apology", tmp_path)
    assert "GIÁM ĐỐC" in text and "Trần Văn Giám Đốc" in text and "THỦ TRƯỞNG CƠ QUAN" not in text
    assert f"Số: {dossier.code}/XL-1" in text
    assert "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ SỞ TƯ PHÁP" in text


def test_every_slip_kind_has_a_number_and_a_dateline(world, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = processing_dossier(world)
        services.dossier_request_supplement(
            dossier=dossier, actor=fresh(world.specialist), reason="Ảnh mờ", items=["Bản chụp CCCD"]
        )
    dossier.refresh_from_db()
    day = timezone.localdate()
    renderers = {
        "guidance": lambda: slips.render_guidance(dossier, "u", reason="Thiếu", items=["a"]),
        "refusal": lambda: slips.render_refusal(dossier, "u", reason="Sai thẩm quyền"),
        "control_sheet": lambda: slips.render_control_sheet(dossier, "u"),
        "result": lambda: slips.render_result(dossier, "u"),
    }
    for kind, render in renderers.items():
        text = pdf_text(render(), tmp_path)
        assert f"Số: {dossier.code}" in text, kind
        assert f"Quảng Trị, ngày {day:%d} tháng" in text, kind
    assert f"Số: {dossier.code}/BS-1" in slip_text(dossier, "supplement", tmp_path)


def test_names_are_never_broken_inside_a_word(tmp_path):
    long_name = "Ủy ban nhân dân đặc khu Cồn Cỏ và các đơn vị hành chính trực thuộc khu vực biên giới biển"
    agency = SimpleNamespace(
        name=long_name, short_name="", kind="commune_committee", parent=None, administrative_unit=None
    )
    dossier = SimpleNamespace(
        code="000.00.99.H44-261207-0001",
        procedure_version=SimpleNamespace(name="Chứng thực"),
        applicant=None,
        applicant_name="Công Tôn Nữ Thị Phương Thảo Nguyên",
        receiving_agency=agency,
        competent_agency=agency,
        files=[],
        steps=[],
        supplement_count=0,
        apology_count=0,
        received_at=None,
        due_at=None,
    )
    data = slips.render_refusal(
        dossier, "u", reason="r", officer_name="Công Tôn Nữ Hoàng Thị Phương Thảo Nguyên Ngọc", officer_title=""
    )
    words = set(pdf_text(data, tmp_path).split())
    for word in (long_name.upper() + " Công Tôn Nữ Hoàng Thị Phương Thảo Nguyên Ngọc").split():
        assert word in words, word
    # a long token in a narrow column of the control sheet stays whole (it overflows rather than splits)
    step = SimpleNamespace(
        order=1,
        name="Thẩm định",
        agency=agency,
        unit_name="",
        assignee=None,
        finished_by=None,
        received_at=None,
        due_at=None,
        finished_at=None,
        on_time=None,
        note="Gộp với hồ sơ 000.00.12.H44-261102-0007",
    )
    sheet = pdf_text(slips.render_control_sheet(dossier, "u", steps=[step]), tmp_path).split()
    assert "000.00.12.H44-261102-0007" in sheet
    lines = pdf_lines(slips.render_refusal(dossier, "u", reason="r", officer_name="Công Tôn Nữ Phương Thảo"), tmp_path)
    assert any("Công Tôn Nữ Phương Thảo" in line for line in lines)  # a usual name sits on one line


def test_result_document_shows_answers_in_words_and_dates_as_dd_mm_yyyy(world, tmp_path):
    dossier = processing_dossier(world)
    dossier.form_data = {"muc_dich": "Xin việc", "ngay_sinh": "1990-02-28", "da_ket_hon": True}
    text = pdf_text(slips.render_result(dossier, "u"), tmp_path)
    assert "28/02/1990" in text and "1990-02-28" not in text
    assert "da_ket_hon: Có" in text and "True" not in text


def test_control_sheet_pdf_from_the_page_names_the_official_who_prints_it(client, world, tmp_path):
    dossier = processing_dossier(world)
    client.force_login(world.officer)
    response = client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/phieu-kiem-soat/", {"dinh-dang": "pdf"})
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "Lê Thị Tiếp Nhận" in text and "Công chức tiếp nhận hồ sơ" in text
    assert f"Số: {dossier.code}" in text and "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ" in text
