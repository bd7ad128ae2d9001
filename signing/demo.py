"""Demo data of the signing app: the demo PKI for every agency, and one signed certificate.

The seeds' example: a temporary graduation certificate (Giấy chứng nhận tốt nghiệp tạm thời) issued
by the Department of Education and Training, which a university verifies by its QR code.
"""

from django.db import transaction

from core.text import fold
from directory.choices import AgencyKind
from directory.models import Agency

from . import pki
from .models import IssuedDocument
from .pdf import build_document
from .services import issue_pdf

EDUCATION_CODE = "000.00.16.H44"  # the directory demo's Sở Giáo dục và Đào tạo (directory.demo.DEPT_EDUCATION)
CERTIFICATE_REFERENCE = "GCNTN-2026-000123"
CERTIFICATE_TITLE = "Giấy chứng nhận tốt nghiệp tạm thời"
STUDENT = {
    "name": "Nguyễn Thị Mai Anh",
    "born": "14/05/2008",
    "birthplace": "Quảng Trị",
    "school": "Trường THPT chuyên Lê Quý Đôn, Quảng Trị",
    "year": "2026",
    "rank": "Khá",
}
SIGNER_NAME = "Lê Văn Hùng"
SIGNER_TITLE = "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"


def education_department() -> Agency | None:
    agency = Agency.objects.filter(name_folded__contains=fold("Giáo dục và Đào tạo"), is_active=True).first()
    if agency is not None:
        return agency
    if Agency.objects.filter(code=EDUCATION_CODE).exists():
        return None  # the code is someone else's: do not guess
    parent = Agency.objects.filter(kind=AgencyKind.PROVINCIAL_COMMITTEE, parent__isnull=True).first()
    return Agency.objects.create(
        code=EDUCATION_CODE,
        name="Sở Giáo dục và Đào tạo",
        short_name="SGDĐT",
        kind=AgencyKind.DEPARTMENT,
        parent=parent,
    )


def render_certificate(verify_url: str, *, agency_name: str, when=None) -> bytes:
    s = STUDENT
    return build_document(
        agency_name=agency_name,
        parent_agency_name="UBND tỉnh Quảng Trị",
        number=f"Số: {CERTIFICATE_REFERENCE}",
        title=CERTIFICATE_TITLE,
        paragraphs=[
            f"Giám đốc {agency_name} tỉnh Quảng Trị chứng nhận:",
            f"Họ và tên: {s['name']}. Ngày sinh: {s['born']}. Nơi sinh: {s['birthplace']}.",
            f"Học sinh {s['school']},",
            f"đã tốt nghiệp trung học phổ thông năm {s['year']}, xếp loại: {s['rank']}.",
            "Giấy chứng nhận tốt nghiệp tạm thời có giá trị đến khi người học được cấp bằng tốt nghiệp chính "
            "thức. Cơ sở giáo dục đại học tiếp nhận hồ sơ xét tuyển xác thực giấy này bằng cách quét mã QR.",
        ],
        table=[["Môn thi", "Điểm"], ["Toán", "8,2"], ["Ngữ văn", "7,5"], ["Vật lí", "8,0"], ["Hóa học", "7,75"]],
        verify_url=verify_url,
        signer_title=SIGNER_TITLE,
        signer_name=SIGNER_NAME,
        when=when,
    )


def issue_graduation_certificate(*, agency: Agency, actor=None) -> IssuedDocument:
    return issue_pdf(
        render=lambda url: render_certificate(url, agency_name=agency.name),
        agency=agency,
        kind="certificate",
        title=f"{CERTIFICATE_TITLE} – {STUDENT['name']}",
        reference=CERTIFICATE_REFERENCE,
        actor=actor,
        signer_name=SIGNER_NAME,
        signer_title="KT. Giám đốc, Phó Giám đốc",
    )


def load(stdout) -> list[tuple[str, str, str]]:
    agencies = list(Agency.objects.filter(is_active=True))
    if pki.signing_mode() == "demo":
        pki.init_demo_pki(agencies)
        stdout.write(f"signing: PKI demo cho {len(agencies)} cơ quan tại {pki.pki_dir()}")
    with transaction.atomic():
        agency = education_department()
    if agency is None:
        stdout.write("signing: không tìm thấy Sở Giáo dục và Đào tạo, bỏ qua giấy chứng nhận mẫu")
        return []
    document = IssuedDocument.objects.filter(agency=agency, reference=CERTIFICATE_REFERENCE).first()
    if document is None:
        document = issue_graduation_certificate(agency=agency)
    stdout.write(f"signing: giấy chứng nhận tốt nghiệp tạm thời mẫu – xác thực tại {document.verify_url}")
    return []
