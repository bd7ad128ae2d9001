"""The slips render as PDF with the Circular 01/2018 titles and the dossier's facts (checked with pdftotext)."""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from dossiers import slips

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def pdf_text(data: bytes, tmp_path) -> str:
    assert data.startswith(b"%PDF-")
    path = tmp_path / "slip.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def fake_dossier():
    province = SimpleNamespace(name="Ủy ban nhân dân tỉnh Quảng Trị", short_name="UBND", parent=None)
    centre = SimpleNamespace(name="Trung tâm Phục vụ hành chính công tỉnh", short_name="TTPVHCC", parent=province)
    dept = SimpleNamespace(name="Sở Tư pháp", short_name="STP", parent=province)
    version = SimpleNamespace(
        name="Cấp phiếu lý lịch tư pháp",
        result_name="Phiếu lý lịch tư pháp",
        legal_basis="Luật Lý lịch tư pháp 2009",
        form_schema={"properties": {"purpose": {"title": "Mục đích sử dụng"}}},
    )
    component = SimpleNamespace(name="Tờ khai yêu cầu cấp phiếu")
    officer = SimpleNamespace(display_name="Lê Thị Tiếp Nhận")
    steps = [
        SimpleNamespace(
            order=1,
            name="Tiếp nhận hồ sơ",
            agency=centre,
            assignee=officer,
            received_at=dt.datetime(2026, 11, 2, 8, 0, tzinfo=VN),
            due_at=dt.datetime(2026, 11, 2, 17, 0, tzinfo=VN),
            finished_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=VN),
            on_time=True,
            note="",
        ),
        SimpleNamespace(
            order=2,
            name="Thẩm định hồ sơ",
            agency=dept,
            assignee=None,
            received_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=VN),
            due_at=dt.datetime(2026, 11, 5, 17, 0, tzinfo=VN),
            finished_at=dt.datetime(2026, 11, 9, 10, 0, tzinfo=VN),
            on_time=False,
            note="chậm do mất điện",
        ),
    ]
    return SimpleNamespace(
        code="000.00.12.H44-261102-0007",
        lookup_secret="AB12CD34",
        procedure_version=version,
        applicant=None,
        applicant_name="Nguyễn Văn Đông",
        applicant_id_number="044090001234",
        applicant_phone="0912345678",
        applicant_email="dong@example.vn",
        applicant_address="Đồng Hới, Quảng Trị",
        receiving_agency=centre,
        competent_agency=dept,
        channel="online",
        submitted_at=dt.datetime(2026, 11, 1, 20, 0, tzinfo=VN),
        received_at=dt.datetime(2026, 11, 2, 8, 30, tzinfo=VN),
        due_at=dt.datetime(2026, 11, 9, 16, 30, tzinfo=VN),
        original_due_at=dt.datetime(2026, 11, 6, 16, 30, tzinfo=VN),
        files=[SimpleNamespace(kind="component", component=component, original_name="to-khai.pdf")],
        steps=steps,
        form_data={"purpose": "Xin việc làm"},
        paused_hours_total=Decimal("0"),
    )


@pytest.mark.django_db  # the receipt asks the calendar when the dossier counts as received
def test_receipt_shows_code_dates_secret_and_components(tmp_path):
    text = pdf_text(
        slips.render_receipt(fake_dossier(), "https://dvc.example.vn/xac-thuc/abc/", officer_name="Lê Thị Tiếp Nhận"),
        tmp_path,
    )
    assert "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "000.00.12.H44-261102-0007" in text
    assert "AB12CD34" in text
    assert "Nguyễn Văn Đông" in text
    assert "Cấp phiếu lý lịch tư pháp" in text
    assert "Tờ khai yêu cầu cấp phiếu" in text
    assert "08 giờ 30 phút, ngày 02/11/2026" in text  # received, local time
    assert "16 giờ 30 phút, ngày 09/11/2026" in text  # appointment
    assert "/ho-so/tra-cuu/" in text
    assert "Lê Thị Tiếp Nhận" in text


def test_receipt_qr_points_at_public_lookup(settings):
    settings.PUBLIC_BASE_URL = "https://dvc.example.vn"
    url = slips.public_lookup_url(fake_dossier())
    assert url == "https://dvc.example.vn/ho-so/tra-cuu/?code=000.00.12.H44-261102-0007&secret=AB12CD34"


@pytest.mark.parametrize(
    ("renderer", "kwargs", "title", "expected"),
    [
        (
            slips.render_guidance,
            {"reason": "Thiếu tờ khai", "items": ["Tờ khai có chữ ký"]},
            "PHIẾU HƯỚNG DẪN HOÀN THIỆN HỒ SƠ",
            ["Thiếu tờ khai", "1. Tờ khai có chữ ký"],
        ),
        (
            slips.render_supplement_request,
            {"reason": "Ảnh mờ", "items": ["Bản chụp CCCD rõ nét", "Giấy xác nhận"]},
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            ["Ảnh mờ", "2. Giấy xác nhận", "Thời gian chờ bổ sung"],
        ),
        (
            slips.render_refusal,
            {"reason": "Không thuộc thẩm quyền"},
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            ["Không thuộc thẩm quyền"],
        ),
        (
            slips.render_apology,
            {"reason": "Hệ thống gián đoạn", "new_due_at": dt.datetime(2026, 11, 12, 16, 0, tzinfo=VN)},
            "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            [
                "Hệ thống gián đoạn",
                "16 giờ 00 phút, ngày 12/11/2026",
                "16 giờ 30 phút, ngày 06/11/2026",
                "Sở Tư pháp xin lỗi",
            ],
        ),
        (
            slips.render_control_sheet,
            {},
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            ["Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Đúng hạn", "Trễ hạn", "Lê Thị Tiếp Nhận", "chậm do mất điện"],
        ),
        (
            slips.render_result,
            {"signer_name": "Trần Lãnh Đạo"},
            "PHIẾU LÝ LỊCH TƯ PHÁP",
            [
                "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
                "Mục đích sử dụng",
                "Xin việc làm",
                "Trần Lãnh Đạo",
                "Luật Lý lịch tư pháp 2009",
            ],
        ),
    ],
)
def test_each_slip_has_its_title_and_facts(tmp_path, renderer, kwargs, title, expected):
    text = pdf_text(renderer(fake_dossier(), "https://dvc.example.vn/xac-thuc/x/", **kwargs), tmp_path)
    assert title in text
    assert "000.00.12.H44-261102-0007" in text
    assert "Quét mã để kiểm tra tính xác thực" in text
    for fragment in expected:
        assert fragment in text, fragment


def test_text_is_escaped_not_interpreted(tmp_path):
    dossier = fake_dossier()
    dossier.applicant_name = "A <b>&amp; B</b>"
    text = pdf_text(slips.render_refusal(dossier, "https://x/", reason="<i>lý do</i> & khác"), tmp_path)
    assert "A <b>&amp; B</b>" in text
    assert "<i>lý do</i> & khác" in text


def test_extras_arriving_as_json_strings_are_formatted(tmp_path):
    # The services pass slip extras through the task queue as JSON: dates come as ISO strings.
    text = pdf_text(
        slips.render_apology(
            fake_dossier(),
            "https://x/",
            reason="Chờ xác minh",
            old_due_at="2026-11-06T09:30:00+00:00",
            new_due_at="2026-11-12T09:00:00+00:00",
        ),
        tmp_path,
    )
    assert "16 giờ 30 phút, ngày 06/11/2026" in text  # 09:30 UTC is 16:30 in Vietnam
    assert "16 giờ 00 phút, ngày 12/11/2026" in text


@pytest.mark.django_db
def test_every_slip_renders_from_a_real_dossier(tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from dossiers import services

    from .factories import fresh, make_world, processing_dossier

    world = make_world()
    dossier = processing_dossier(world)
    services.dossier_transfer(dossier=dossier, actor=fresh(world.specialist), note="Đủ điều kiện")
    dossier.refresh_from_db()
    receipt = pdf_text(slips.render_receipt(dossier, "https://x/"), tmp_path)
    assert dossier.code in receipt and dossier.lookup_secret in receipt
    assert "Tờ khai yêu cầu cấp phiếu" in receipt and "Nguyễn Văn An" in receipt
    sheet = pdf_text(slips.render_control_sheet(dossier, "https://x/"), tmp_path)
    assert "Thẩm định hồ sơ" in sheet and "Đủ điều kiện" in sheet and "Đúng hạn" in sheet
    result = pdf_text(slips.render_result(dossier, "https://x/"), tmp_path)
    assert "Mục đích sử dụng" in result and "Xin việc làm" in result
    for render in (slips.render_guidance, slips.render_supplement_request, slips.render_refusal, slips.render_apology):
        assert dossier.code in pdf_text(render(dossier, "https://x/", reason="Lý do"), tmp_path)
