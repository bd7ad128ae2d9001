import datetime as dt
import re

from signing.pdf import (
    SIGNATURE_BOX_KEY,
    build_document,
    parse_signature_box,
    vietnamese_date_line,
    vietnamese_signing_time,
)
from signing.tests.helpers import pdftotext


def test_date_line_follows_decree_30_leading_zeros():
    assert vietnamese_date_line("Quảng Trị", dt.date(2026, 11, 23)) == "Quảng Trị, ngày 23 tháng 11 năm 2026"
    assert vietnamese_date_line("Quảng Trị", dt.date(2026, 2, 5)) == "Quảng Trị, ngày 05 tháng 02 năm 2026"
    assert vietnamese_date_line("Huế", dt.date(2026, 3, 9)) == "Huế, ngày 09 tháng 3 năm 2026"
    # an aware datetime is read in Vietnam time (23:30 UTC is already the next day in Vietnam)
    late = dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC)
    assert vietnamese_date_line("Quảng Trị", late).endswith("ngày 23 tháng 11 năm 2026")


def test_signing_time_text():
    moment = dt.datetime(2026, 11, 23, 3, 15, 3, tzinfo=dt.UTC)
    assert vietnamese_signing_time(moment) == "Ký ngày 23/11/2026 10:15:03 +07:00"


def test_build_document_has_the_administrative_layout(tmp_path):
    pdf = build_document(
        agency_name="Sở Giáo dục và Đào tạo",
        parent_agency_name="UBND tỉnh Quảng Trị",
        number="Số: 15/GCN-SGDĐT",
        title="Giấy chứng nhận tốt nghiệp tạm thời",
        paragraphs=["Chứng nhận: Nguyễn Thị Mai Anh & <b>bạn</b>"],
        table=[["Môn thi", "Điểm"], ["Toán", "8,2"]],
        verify_url="http://testserver/xac-thuc/abc/",
        signer_title="KT. Giám đốc",
        signer_name="Lê Văn Hùng",
        when=dt.date(2026, 11, 23),
    )
    assert pdf.startswith(b"%PDF-")
    text = pdftotext(pdf, tmp_path)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "Quảng Trị, ngày 23 tháng 11 năm 2026",
        "GIẤY CHỨNG NHẬN TỐT NGHIỆP TẠM THỜI",
        "Quét mã để xác thực văn bản",
        "http://testserver/xac-thuc/abc/",
        "Lê Văn Hùng",
        "KT. GIÁM ĐỐC",
        "Số: 15/GCN-SGDĐT",
        "Toán",
    ):
        assert expected in text, expected
    # user text is escaped, not interpreted as markup
    assert "& <b>bạn</b>" in text
    # the DejaVu font is embedded
    assert b"DejaVuSans" in pdf
    box = re.search(rb"/" + SIGNATURE_BOX_KEY.encode() + rb" \(([^)]*)\)", pdf)
    page, (x1, y1, x2, y2) = parse_signature_box(box.group(1).decode())
    assert page == 0 and x2 - x1 > 100 and y2 - y1 > 50
    # the box sits on the right half of the page
    assert x1 > 250


def test_long_document_puts_the_signature_box_on_the_last_page():
    pdf = build_document(
        agency_name="Sở Tư pháp",
        title="Báo cáo",
        paragraphs=["Đoạn văn dài. " * 40] * 12,
        verify_url="http://testserver/xac-thuc/x/",
        signer_name="A",
    )
    box = re.search(rb"/" + SIGNATURE_BOX_KEY.encode() + rb" \(([^)]*)\)", pdf)
    page, _ = parse_signature_box(box.group(1).decode())
    assert page >= 1


def test_parse_signature_box_rejects_garbage():
    assert parse_signature_box("x y") is None
    assert parse_signature_box("0 1 2 3") is None


def test_draw_qr_paints_exactly_the_qr_matrix(tmp_path):
    import io
    import subprocess

    import segno
    from PIL import Image
    from reportlab.pdfgen import canvas

    from signing.pdf import draw_qr

    url = "http://testserver/xac-thuc/IszHbbRyR9jz_Bg9gQ-IwA/"
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(300, 300))
    draw_qr(c, url, 50, 50, 200)
    c.showPage()
    c.save()
    (tmp_path / "qr.pdf").write_bytes(out.getvalue())
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "-singlefile", str(tmp_path / "qr.pdf"), str(tmp_path / "qr")],
        check=True,
        timeout=60,
    )
    image = Image.open(tmp_path / "qr.png").convert("L")
    matrix = [list(row) for row in segno.make(url, error="m", micro=False).matrix_iter(scale=1, border=2)]
    n = len(matrix)
    module = 200 / n
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            x = 50 + (col + 0.5) * module
            y = 50 + (r + 0.5) * module  # image rows go down from the top: the QR's top is at 300 - 250
            assert (image.getpixel((int(x), int(y))) < 128) == bool(dark), (r, col)
