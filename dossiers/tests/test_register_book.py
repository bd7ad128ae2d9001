"""Sổ theo dõi hồ sơ (Thông tư 01/2018/TT-VPCP, mẫu số 06) as PDF and XLSX: the form's columns, the agency's
dossiers of the period in the order of receipt and nothing else, and only for its desk officers and leaders."""

import datetime as dt
import io
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from dossiers import services

from .factories import fresh, make_world, pdf_upload, procedure, processing_dossier

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "/ho-so/can-bo/so-theo-doi/"
HEADERS = [
    "Số TT",
    "Mã hồ sơ",
    "Tên TTHC",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Nhận kết quả từ cơ quan giải quyết",
    "Trả kết quả cho cá nhân, tổ chức",
    "Ghi chú (ký nhận)",
]


@pytest.fixture
def book(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = make_world()
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, tzinfo=VN), tick=False):
        before = processing_dossier(world)  # outside the period
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 15, tzinfo=VN), tick=False):
        first = processing_dossier(world)
    with time_machine.travel(dt.datetime(2026, 11, 3, 10, 40, tzinfo=VN), tick=False):
        second = processing_dossier(world, applicant=world.citizen2)
    version = procedure(
        "1.000888.000.00.00.H44", "Cấp giấy phép xây dựng", receiving=world.other, competent=world.other
    )
    with time_machine.travel(dt.datetime(2026, 11, 4, 9, tzinfo=VN), tick=False):
        foreign = services.dossier_submit_online(
            applicant=fresh(world.citizen),
            procedure_version=version,
            form_data={"muc_dich": "x"},
            files={version.components.order_by("order").first().pk: [pdf_upload()]},
        )
        foreign = services.dossier_receive(dossier=foreign, officer=fresh(world.other_officer))
    return world, before, first, second, foreign


def _get(client, user, **params):
    if user is not None:
        client.force_login(user)
    query = {"co-quan": "000.00.01.H44", "tu-ngay": "01/11/2026", "den-ngay": "30/11/2026", **params}
    return client.get(URL, query)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_pdf_lists_the_agencys_dossiers_of_the_period_with_the_forms_columns(client, book, tmp_path):
    world, before, first, second, foreign = book
    response = _get(client, world.officer, **{"dinh-dang": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "so.pdf"
    path.write_bytes(response.content)
    text = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode().split()
    )
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Từ ngày 01/11/2026 đến ngày 30/11/2026" in text
    for header in ("Mã hồ sơ", "Tên TTHC", "Cơ quan chủ trì giải quyết", "Hẹn trả kết quả", "Ghi chú (ký nhận)"):
        assert header in text
    assert first.code in text and second.code in text
    assert text.index(first.code) < text.index(second.code)  # the order of receipt
    assert "Nguyễn Văn An" in text and "Trần Thị Bình" in text and "Sở Tư pháp" in text
    assert "02/11/2026 09:15" in text
    assert foreign.code not in text and before.code not in text  # another agency's; another period's


def test_xlsx_has_the_columns_and_real_dates_shown_dd_mm_yyyy(client, book):
    world, before, first, second, foreign = book
    response = _get(client, world.officer, **{"dinh-dang": "xlsx"})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header_at = rows.index(tuple(HEADERS))
    body = rows[header_at + 1 :]
    assert [r[1] for r in body] == [first.code, second.code]
    assert [r[0] for r in body] == [1, 2] and body[0][3] == 1
    assert body[0][4] == "Nguyễn Văn An" and body[0][6] == "Sở Tư pháp"
    assert body[0][7] == dt.datetime(2026, 11, 2, 9, 15)  # Vietnam time
    assert sheet.cell(row=header_at + 2, column=8).number_format == "dd/mm/yyyy hh:mm"
    codes = {c for r in rows for c in r if isinstance(c, str)}
    assert foreign.code not in codes and before.code not in codes


def test_who_may_download_the_register(client, book):
    world, *_rest = book
    assert _get(client, None).status_code == 302  # log in first
    assert _get(client, world.citizen).status_code == 403
    assert _get(client, world.specialist).status_code == 403  # no desk or leader role anywhere
    other = _get(client, world.other_officer)  # the desk of another agency
    assert other.status_code == 403 and b"%PDF" not in other.content
    leader_elsewhere = _get(client, world.leader)  # a leader of the deciding agency, not the receiving one
    assert leader_elsewhere.status_code == 403
    own = _get(client, world.leader, **{"co-quan": "000.00.12.H44", "dinh-dang": "xlsx"})
    assert own.status_code == 200  # its own agency's register (it received nothing: headers only)
    rows = list(load_workbook(io.BytesIO(own.content)).active.iter_rows(values_only=True))
    assert rows[-1] == tuple(HEADERS)
    page = _get(client, world.officer, **{"co-quan": "", "tu-ngay": ""})
    assert page.status_code == 200 and "Sổ theo dõi hồ sơ" in page.content.decode()


def test_bad_dates_are_refused_with_a_vietnamese_message(client, book):
    world, *_rest = book
    wrong = _get(client, world.officer, **{"tu-ngay": "31/02/2026"})
    assert wrong.status_code == 400 and "Nhập một ngày hợp lệ" in wrong.content.decode()
    backwards = _get(client, world.officer, **{"tu-ngay": "30/11/2026", "den-ngay": "01/11/2026"})
    assert backwards.status_code == 400 and "Ngày kết thúc phải sau" in backwards.content.decode()
