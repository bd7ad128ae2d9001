"""An outgoing document from draft to issue (Nghị định 30/2020/NĐ-CP, Điều 10-16 and Phụ lục I): the draft with a
PDF or DOCX body, attachments and signatory; the agency's review chain with comments, return and versions; the
competent person's signature, then the number, date and time stamped and the agency's signature as incremental
updates — both signatures valid for poppler's pdfsig and for pyHanko, and a one-byte change caught."""

import io
import subprocess
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEvent
from documents import review, services
from documents.choices import OutgoingStatus
from documents.models import BodyVersion, OutgoingAttachment, OutgoingDocument, RegisterEntry, ReviewEvent
from documents.tests.outgoing_world import body_pdf, draft, upload
from signing import pades
from signing.tests.helpers import tamper

pytestmark = pytest.mark.django_db


def pdfsig(data: bytes, tmp_path) -> str:
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def _through_review(ow, document):
    review.outgoing_submit(actor=ow["expert"], document=document)
    review.outgoing_approve(actor=ow["head"], document=document, comment="Nội dung đạt.")
    return review.outgoing_approve(actor=ow["leader"], document=document)


def test_draft_keeps_versions_and_the_chain_returns_and_approves(ow):
    document = draft(ow)
    assert document.status == OutgoingStatus.DRAFT
    assert document.draft.signatory == ow["position"] and document.versions.count() == 1
    review.outgoing_submit(actor=ow["expert"], document=document)
    with pytest.raises(PermissionDenied):  # the leader is step 2, not step 1
        review.outgoing_approve(actor=ow["leader"], document=document)
    with pytest.raises(ValidationError):  # returning needs what to change
        review.outgoing_return(actor=ow["head"], document=document, comment=" ")
    review.outgoing_return(actor=ow["head"], document=document, comment="Sửa Điều 2 cho rõ thời hạn.")
    document.refresh_from_db()
    assert document.status == OutgoingStatus.DRAFT and document.draft.step == 0
    first_body = BodyVersion.objects.get(document=document, number=1).pdf.read()
    review.outgoing_update(
        actor=ow["expert"],
        document=document,
        document_type="decision",
        subject="Về việc ban hành Quy chế làm việc (sửa)",
        urgency="normal",
        is_public=True,
        recipients=[ow["justice"]],
        signatory=ow["position"],
        body=upload(data=body_pdf("QUYẾT ĐỊNH — bản sửa")),
    )
    versions = list(document.versions.all())
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].pdf.read() == first_body  # the old version is kept as it was
    document = _through_review(ow, document)
    assert document.status == OutgoingStatus.APPROVED
    decisions = list(ReviewEvent.objects.filter(document=document).values_list("decision", flat=True))
    assert decisions == ["submit", "return", "submit", "approve", "approve"]
    assert AuditEvent.objects.filter(action="documents.outgoing_return").count() == 1


def test_only_the_drafter_submits_and_only_the_signatory_signs(ow):
    document = draft(ow)
    with pytest.raises(PermissionDenied):
        review.outgoing_submit(actor=ow["head"], document=document)
    document = _through_review(ow, document)
    for intruder in (ow["expert"], ow["clerk"], ow["other_leader"]):
        with pytest.raises(PermissionDenied):
            review.outgoing_sign(actor=intruder, document=document)
    document.refresh_from_db()
    assert document.status == OutgoingStatus.APPROVED


def test_a_secret_document_is_never_public(ow):
    with pytest.raises(ValidationError):
        draft(ow, confidentiality="secret", is_public=True)
    assert not OutgoingDocument.objects.exists()


def test_signatory_must_hold_a_signing_right_in_the_agency(ow):
    from directory.models import StaffPosition

    clerk_position = StaffPosition.objects.get(user=ow["clerk"])
    with pytest.raises(ValidationError):
        draft(ow, signatory=clerk_position)
    assert not OutgoingDocument.objects.exists()


def test_sign_then_number_keeps_both_signatures_valid_and_a_byte_change_breaks_them(ow, tmp_path):
    document = draft(ow, attachments=[upload("phu-luc.pdf", body_pdf("Phụ lục: Quy chế làm việc"))])
    document = _through_review(ow, document)
    review.outgoing_sign(actor=ow["leader"], document=document)
    document.refresh_from_db()
    assert document.status == OutgoingStatus.SIGNED
    person_signed = document.body.read()
    assert pdfsig(person_signed, tmp_path).count("Signature is Valid") == 1
    with pytest.raises(PermissionDenied):
        services.outgoing_issue_number(actor=ow["leader"], document=document)
    entry = services.outgoing_issue_number(actor=ow["clerk"], document=document)
    document.refresh_from_db()
    assert entry.number_and_symbol == "Số: 01/QĐ-UBND" and document.status == OutgoingStatus.ISSUED
    final = document.body.read()
    assert final.startswith(person_signed)  # incremental updates only: the signed bytes untouched
    report = pdfsig(final, tmp_path)
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    assert "ChuKyNguoiCoThamQuyen" in report and "ChuKyCoQuan" in report
    checked = pades.validate_pdf(final)
    assert [s.field_name for s in checked.signatures] == ["ChuKyNguoiCoThamQuyen", "ChuKyCoQuan"]
    assert all(s.intact and not s.modified_after for s in checked.signatures)
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-", "-"], input=final, capture_output=True).stdout
    assert "Số: 01/QĐ-UBND".encode() in text
    # one byte changed after the signatures were made: poppler no longer calls either valid
    broken = pdfsig(tamper(final), tmp_path)
    assert broken.count("Signature Validation: Signature is Valid.") == 0, broken
    # one byte changed in what only the agency's signature covers (the filled number): the agency's breaks
    at = final.rindex(b"/SoNgayBanHanh") if b"/SoNgayBanHanh" in final else final.rindex(b"SoNgayBanHanh")
    changed = bytearray(final)
    changed[at + 2] = ord("X")
    after = pdfsig(bytes(changed), tmp_path)
    assert after.count("Signature Validation: Signature is Valid.") < 2, after
    assert not pades.validate_pdf(bytes(changed)).ok
    # the attachment: stamped with the number at its top right and signed by the agency
    attachment = OutgoingAttachment.objects.get(document=document).file.read()
    assert pdfsig(attachment, tmp_path).count("Signature Validation: Signature is Valid.") == 1
    text = subprocess.run(["pdftotext", "-", "-"], input=attachment, capture_output=True).stdout
    assert "Số: 01/QĐ-UBND".encode() in text
    assert document.draft.sealed_at is not None
    # sent: the other agency gets the sealed body and the signed attachment
    delivered = services.outgoing_send(actor=ow["clerk"], document=document)[0]
    assert delivered.scan.read() == final
    assert [a.file.read() for a in delivered.attachments.all()] == [attachment]


def test_a_failed_seal_gives_the_number_back(ow, monkeypatch):
    document = _through_review(ow, draft(ow))
    review.outgoing_sign(actor=ow["leader"], document=document)

    def broken(*args, **kwargs):
        raise RuntimeError("token removed")

    monkeypatch.setattr(pades, "sign_as_organisation", broken)
    with pytest.raises(RuntimeError):
        services.outgoing_issue_number(actor=ow["clerk"], document=document)
    document.refresh_from_db()
    assert document.status == OutgoingStatus.SIGNED and not RegisterEntry.objects.exists()
    monkeypatch.undo()
    entry = services.outgoing_issue_number(actor=ow["clerk"], document=document)
    assert entry.number == 1  # no skipped number


def _docx(text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
            'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main'
            '+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>',
        )
    return out.getvalue()


def test_a_docx_body_is_converted_and_the_original_kept(ow):
    document = draft(ow, body=SimpleUploadedFile("du-thao.docx", _docx("Quyết định về quy chế làm việc")))
    version = document.versions.get()
    pdf = document.body.read()
    assert pdf.startswith(b"%PDF-")
    assert version.original.read().startswith(b"PK") and version.original_name == "du-thao.docx"
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True).stdout
    assert "Quyết định về quy chế làm việc".encode() in text


def test_a_broken_docx_is_refused_and_leaves_nothing(ow, tmp_path):
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("word/document.xml", "<not-xml")
    with pytest.raises(ValidationError) as refused:
        draft(ow, body=SimpleUploadedFile("hong.docx", broken.getvalue()))
    assert "DOCX" in str(refused.value)
    assert not OutgoingDocument.objects.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # no orphan file
    with pytest.raises(ValidationError):
        draft(ow, body=SimpleUploadedFile("anh.png", b"\x89PNG\r\n"))
    with pytest.raises(ValidationError) as refused:  # a PDF that could not be signed later
        draft(ow, body=SimpleUploadedFile("hong.pdf", b"%PDF-1.7\n garbage"))
    assert "hỏng" in str(refused.value)
    with pytest.raises(ValidationError):
        draft(ow, attachments=[SimpleUploadedFile("pl.pdf", b"%PDF-1.4\n%%EOF")])
    assert not OutgoingDocument.objects.exists()


def test_the_signatory_may_send_an_approved_draft_back(ow):
    document = _through_review(ow, draft(ow))
    with pytest.raises(PermissionDenied):  # the section's head has had their say
        review.outgoing_return(actor=ow["head"], document=document, comment="Sửa tiếp.")
    review.outgoing_return(actor=ow["leader"], document=document, comment="Bổ sung căn cứ pháp lý.")
    document.refresh_from_db()
    assert document.status == OutgoingStatus.DRAFT
    last = ReviewEvent.objects.filter(document=document).last()
    assert last.decision == "return" and last.step_label == "Người ký" and last.actor == ow["leader"]


def test_a_conversion_that_hangs_or_cannot_start_is_refused_and_leaves_nothing(ow, settings, tmp_path):
    slow = tmp_path / "slow-soffice"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    settings.DOCUMENTS_SOFFICE = str(slow)
    settings.DOCUMENTS_CONVERT_TIMEOUT = 1
    with pytest.raises(ValidationError) as refused:
        draft(ow, body=SimpleUploadedFile("du-thao.docx", _docx("Nội dung")))
    assert "quá thời gian" in str(refused.value)
    settings.DOCUMENTS_SOFFICE = str(tmp_path / "khong-co")
    with pytest.raises(ValidationError) as refused:
        draft(ow, body=SimpleUploadedFile("du-thao.docx", _docx("Nội dung")))
    assert "LibreOffice" in str(refused.value)
    assert not OutgoingDocument.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [slow]  # no orphan file (MEDIA_ROOT is tmp_path)
