"""The competent person signs first with their own certificate, then the organisation (Nghị định 30/2020,
Điều 15 and Phụ lục I): both signatures valid for pyHanko and poppler, shown on the verification page
and in the API, in the right order only, both broken by a change, and laid out over no text."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEvent
from directory.choices import AccountKind, Role
from directory.models import StaffPosition, User
from signing import pades, pki
from signing.models import IssuedDocument
from signing.pdf import build_document
from signing.services import issue_pdf
from signing.tests.helpers import intersects, pdfsig, signature_rects, tamper, word_boxes
from signing.verification import verify_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def deputy(education_department):
    user = User.objects.create_user(
        username="pgd.sgddt", password="x-Secret-123", kind=AccountKind.STAFF, full_name="Lê Văn Hùng"
    )
    return StaffPosition.objects.create(
        user=user,
        agency=education_department,
        role=Role.AGENCY_LEADER,
        title="Phó Giám đốc",
        signing_right="KT.",
        signing_for="Giám đốc",
    )


def _render(position, unsigned: list, paragraphs: int = 3):
    def render(verify_url):
        data = build_document(
            agency_name=position.agency.name,
            title="Giấy chứng nhận",
            paragraphs=["Chứng nhận ông Nguyễn Văn An đã hoàn thành khóa học."] * paragraphs,
            verify_url=verify_url,
            signer_title="\n".join(position.signature_lines()),
            signer_name=position.user.full_name,
        )
        unsigned.append(data)
        return data

    return render


def _issue(position, unsigned=None, paragraphs: int = 3, **kwargs):
    unsigned = [] if unsigned is None else unsigned
    return issue_pdf(
        render=_render(position, unsigned, paragraphs),
        agency=position.agency,
        kind="certificate",
        title="Giấy chứng nhận",
        reference="GCN-1",
        actor=None,
        signer=position,
        **kwargs,
    )


def test_person_then_organisation_both_valid_for_pyhanko_and_poppler(deputy, tmp_path):
    doc = _issue(deputy)
    data = doc.file.read()
    report = pades.validate_pdf(data)
    person, organisation = report.signatures
    assert report.ok and person.ok and organisation.ok
    assert (person.field_name, person.role) == (pades.PERSON_FIELD, "person")
    assert person.signer_common_name == "Lê Văn Hùng" and person.signer_title == "Phó Giám đốc"
    assert person.signer_organization == "Sở Giáo dục và Đào tạo"
    assert person.coverage == "ENTIRE_REVISION" and not person.modified_after  # the organisation's update is allowed
    assert (organisation.field_name, organisation.role) == (pades.ORGANISATION_FIELD, "organisation")
    assert organisation.signer_common_name == "Sở Giáo dục và Đào tạo" and organisation.coverage == "ENTIRE_FILE"
    assert organisation.signing_time >= person.signing_time
    out = pdfsig(data, tmp_path)
    assert out.count("Signature Validation: Signature is Valid.") == 2
    assert out.index("Lê Văn Hùng") < out.index("CN=Sở Giáo dục và Đào tạo")
    # the record names both: the person (and their own certificate) and the organisation's certificate
    assert doc.signed_by == deputy.user and doc.signer_name == "Lê Văn Hùng"
    assert doc.signer_title == "KT. Giám đốc, Phó Giám đốc"
    assert doc.signer_certificate_serial == person.certificate_serial
    assert doc.certificate_serial == organisation.certificate_serial != doc.signer_certificate_serial
    assert "Lê Văn Hùng" in doc.signer_certificate_subject
    event = AuditEvent.objects.get(action="signing.document_issued", object_id=str(doc.pk))
    assert event.after["signed_by"] == "pgd.sgddt"


def test_verification_page_and_api_show_both_signatures(client, deputy):
    doc = _issue(deputy)
    html = client.get(f"/xac-thuc/{doc.public_id}/").content.decode()
    assert html.count("✔ Chữ ký số hợp lệ") == 2
    assert "Chữ ký số thứ 1: Chữ ký số của người có thẩm quyền" in html
    assert "Chữ ký số thứ 2: Chữ ký số của cơ quan, tổ chức" in html
    assert "Lê Văn Hùng" in html and "Phó Giám đốc" in html
    body = client.post("/api/signing/verify/", {"file": SimpleUploadedFile("a.pdf", doc.file.read())}).json()
    assert body["verdict"] == "valid"
    person, organisation = body["signatures"]
    assert (person["role"], person["signer"], person["title"], person["valid"]) == (
        "person",
        "Lê Văn Hùng",
        "Phó Giám đốc",
        True,
    )
    assert (organisation["role"], organisation["signer"], organisation["valid"]) == (
        "organisation",
        "Sở Giáo dục và Đào tạo",
        True,
    )
    assert person["signing_time"] and organisation["signing_time"]
    detail = client.get(f"/api/signing/documents/{doc.public_id}/").json()
    assert detail["document"]["signed_by"] == "Lê Văn Hùng"


def test_a_change_after_signing_breaks_both(deputy, tmp_path):
    data = _issue(deputy).file.read()
    changed = tamper(data)
    report = pades.validate_pdf(changed)
    assert len(report.signatures) == 2 and not any(s.intact for s in report.signatures)
    assert verify_bytes(changed).verdict == "tampered"
    out = pdfsig(changed, tmp_path)
    assert "Signature is Valid" not in out and out.count("Digest Mismatch") == 2


def test_the_organisation_cannot_sign_first(deputy):
    unsigned = build_document(agency_name="Sở Giáo dục và Đào tạo", title="T", paragraphs=["x"], verify_url="u")
    agency = pki.key_material_for(deputy.agency)
    with pytest.raises(pades.SigningOrderError):
        pades.sign_as_organisation(unsigned, material=agency, agency_name=deputy.agency.name)
    # nor may the person sign over the organisation's signature
    org_signed, _facts = pades.sign_pdf(unsigned, material=agency, agency_name=deputy.agency.name)
    with pytest.raises(pades.SigningOrderError):
        pades.sign_as_person(
            org_signed, material=pki.key_material_for_person(deputy), signer_name="Lê Văn Hùng", title_lines=[]
        )


def test_a_file_signed_in_the_wrong_order_is_flagged(deputy):
    """Built by hand (the services refuse it): the organisation's signature, then a person's."""
    import io

    from django.utils import timezone
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    unsigned = build_document(agency_name="Sở Giáo dục và Đào tạo", title="T", paragraphs=["x"], verify_url="u")
    org_signed, _facts = pades.sign_pdf(
        unsigned, material=pki.key_material_for(deputy.agency), agency_name=deputy.agency.name
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(org_signed))
    both = pades._sign_field(
        writer,
        material=pki.key_material_for_person(deputy),
        field_name="Sau",
        page_ix=0,
        rect=(40, 40, 140, 90),
        layers=[],
        name="Lê Văn Hùng",
        reason="",
        location="",
        signing_time=timezone.now().replace(microsecond=0),
    )
    result = verify_bytes(both)
    assert [s.role for s in result.signatures] == ["organisation", "person"]
    assert any("sai thứ tự ký" in f.text and f.ok is False for f in result.signatures[0].findings)


def test_an_official_without_signing_right_cannot_sign(deputy, education_department):
    count = IssuedDocument.objects.count()
    clerk_user = User.objects.create_user(
        username="vt.sgddt", password="x-Secret-123", kind=AccountKind.STAFF, full_name="Hoàng Thị Mai"
    )
    clerk = StaffPosition.objects.create(
        user=clerk_user, agency=education_department, role=Role.DOCUMENT_CLERK, title="Văn thư"
    )
    with pytest.raises(PermissionDenied, match="không có thẩm quyền ký"):
        _issue(clerk)
    deputy.is_active = False  # a position no longer held signs nothing
    deputy.save()
    with pytest.raises(PermissionDenied):
        _issue(deputy)
    assert IssuedDocument.objects.count() == count
    assert not AuditEvent.objects.filter(action="signing.document_issued").exists()


def test_the_right_is_per_agency(deputy, education_department):
    from directory.models import Agency

    other = Agency.objects.create(code="000.00.13.H44", name="Sở Y tế", kind="department")
    with pytest.raises(PermissionDenied):
        issue_pdf(
            render=_render(deputy, []),
            agency=other,
            kind="certificate",
            title="Giấy chứng nhận",
            reference="",
            actor=None,
            signer=deputy,
        )


def test_the_signatures_cover_no_text_and_sit_between_title_and_name(deputy, tmp_path):
    unsigned = []
    data = _issue(deputy, unsigned).file.read()
    rects = signature_rects(data)
    person, organisation = rects[pades.PERSON_FIELD], rects[pades.ORGANISATION_FIELD]
    words = word_boxes(unsigned[0], tmp_path)
    assert words
    for _page, word, box in words:
        assert not intersects(box, person), word
        assert not intersects(box, organisation), word
    # the organisation's field is the left column of the person's: the seal over the signature's left third
    assert person[0] == organisation[0] and person[1] == organisation[1] and person[3] == organisation[3]
    assert organisation[2] < person[2]
    # title lines above the field, the name under it, both centred on it
    title = next(box for _p, w, box in words if w == "KT.")
    name = next(box for _p, w, box in words if w == "Hùng")
    assert title[1] >= person[3] and name[3] <= person[1]
    centre = (person[0] + person[2]) / 2
    assert title[0] < centre and name[2] > centre - 30


def test_on_a_later_page_both_signatures_sit_on_the_signer_block_s_page(deputy, tmp_path):
    """The signer block on page 2: the organisation's field goes on page 2 too, over the person's."""
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    unsigned = []
    data = _issue(deputy, unsigned, paragraphs=45).file.read()
    reader = PdfFileReader(BytesIO(data))
    assert reader.root["/Pages"]["/Count"] == 2
    pages = {}
    for index in range(2):
        page = reader.find_page_for_modification(index)[0].get_object()
        for annot in page.get("/Annots", []):
            pages[str(annot.get_object()["/T"])] = index
    assert pages == {pades.PERSON_FIELD: 1, pades.ORGANISATION_FIELD: 1}
    assert pades.validate_pdf(data).ok
    rects = signature_rects(data)
    for page, word, box in word_boxes(unsigned[0], tmp_path):
        if page == 1:
            assert not any(intersects(box, rect) for rect in rects.values()), word
