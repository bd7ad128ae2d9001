"""Demo data of the signing app: the demo PKI for every agency, and one signed certificate.

The seeds' example: a temporary graduation certificate (Giấy chứng nhận tốt nghiệp tạm thời) issued
by the Department of Education and Training, which a university verifies by its QR code.
"""

from django.db import transaction

from core.text import fold
from directory.choices import AccountKind, AgencyKind, Role
from directory.demo import DEMO_PASSWORD
from directory.models import Agency, StaffPosition, User

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
SIGNER_USERNAME = "lanhdao.sgddt"
SIGNER_NAME = "Lê Văn Hùng"
SIGNER_POSITION = {"title": "Phó Giám đốc", "signing_right": "KT.", "signing_for": "Giám đốc"}


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


def certificate_signer(agency: Agency) -> StaffPosition:
    """The deputy director who signs the certificate ("KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"), with his own certificate."""
    user = User.objects.filter(username=SIGNER_USERNAME).first()
    if user is None:
        user = User.objects.create_user(
            SIGNER_USERNAME,
            password=DEMO_PASSWORD,
            kind=AccountKind.STAFF,
            full_name=SIGNER_NAME,
            email=f"{SIGNER_USERNAME}@quangtri.example.vn",
        )
    position, _created = StaffPosition.objects.get_or_create(
        user=user, agency=agency, unit=None, role=Role.AGENCY_LEADER, defaults=SIGNER_POSITION
    )
    if not position.signing_right:
        for name, value in SIGNER_POSITION.items():
            setattr(position, name, value)
        position.full_clean()
        position.save()
    return position


def render_certificate(verify_url: str, *, agency_name: str, when=None, signer=None) -> bytes:
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
        signer_title="\n".join(signer.signature_lines()) if signer else "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
        signer_name=signer.user.full_name if signer else SIGNER_NAME,
        when=when,
    )


def issue_graduation_certificate(*, agency: Agency, actor=None) -> IssuedDocument:
    """Signed by the deputy director with his own certificate, then by the department (Nghị định 30/2020)."""
    signer = certificate_signer(agency)
    return issue_pdf(
        render=lambda url: render_certificate(url, agency_name=agency.name, signer=signer),
        agency=agency,
        kind="certificate",
        title=f"{CERTIFICATE_TITLE} – {STUDENT['name']}",
        reference=CERTIFICATE_REFERENCE,
        actor=actor,
        signer=signer,
    )


def load(stdout) -> list[tuple[str, str, str]]:
    agencies = list(Agency.objects.filter(is_active=True))
    with transaction.atomic():
        agency = education_department()
        signer = certificate_signer(agency) if agency is not None else None
    if pki.signing_mode() == "demo":
        pki.init_demo_pki(agencies)
        persons = pki.init_demo_persons(signing_positions())
        stdout.write(
            f"signing: PKI demo cho {len(agencies)} cơ quan và {len(persons)} người có thẩm quyền ký "
            f"tại {pki.pki_dir()}"
        )
    if agency is None:
        stdout.write("signing: không tìm thấy Sở Giáo dục và Đào tạo, bỏ qua giấy chứng nhận mẫu")
        return []
    document = IssuedDocument.objects.filter(agency=agency, reference=CERTIFICATE_REFERENCE).first()
    if document is None:
        document = issue_graduation_certificate(agency=agency)
    stdout.write(f"signing: giấy chứng nhận tốt nghiệp tạm thời mẫu – xác thực tại {document.verify_url}")
    return [(SIGNER_USERNAME, DEMO_PASSWORD, f"{signer.user.full_name} – {signer.title} {agency.name} (ký văn bản)")]


def signing_positions() -> list[StaffPosition]:
    """Every active position with a signing right: each holder gets a personal demo certificate."""
    return list(
        StaffPosition.objects.filter(is_active=True, agency__is_active=True)
        .exclude(signing_right="")
        .select_related("user", "agency")
        .order_by("agency__code", "user__username")
    )
