"""Who signs a generated result (dossiers.signatory): the competent person with a signing right, with
their own certificate, then the competent agency; an official without the right never signs."""

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from directory.models import StaffPosition
from dossiers import services
from dossiers.choices import DossierStatus as S
from dossiers.models import DossierSlip
from signing import pades
from signing.models import IssuedDocument
from signing.tests.helpers import intersects, pdfsig, signature_rects, word_boxes

from .core_world import build_world, fresh, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    settings.SIGNING_PKI_DIR = tmp_path / "pki"
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_MODE = "demo"


@pytest.fixture
def w():
    return build_world()


def at_director(w, *, director_signs=True):
    """Received, processed by the specialist, approved by the unit leader: at the director's step."""
    if not director_signs:
        StaffPosition.objects.filter(user=w.director).update(signing_right="")
    d = services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.version, form_data={}, files={w.component.pk: [pdf_upload()]}
    )
    d = services.dossier_receive(dossier=d, officer=fresh(w.officer))
    d = services.dossier_transfer(dossier=d, actor=fresh(w.specialist))
    return services.dossier_approve(dossier=d, leader=fresh(w.unit_leader))


def approved(w, *, director_signs=True):
    """... and approved by the director (the last approval): back at the desk."""
    return services.dossier_approve(dossier=at_director(w, director_signs=director_signs), leader=fresh(w.director))


def _result(d) -> tuple[IssuedDocument, bytes]:
    slip = DossierSlip.objects.get(dossier=d, kind="result")
    document = IssuedDocument.objects.get(public_id=slip.public_id)
    return document, document.file.read()


def test_the_desk_generates_and_the_approving_director_signs_then_the_agency(w, tmp_path):
    d = services.dossier_attach_result(dossier=approved(w), actor=fresh(w.officer), generate=True)
    assert d.status == S.PROCESSED
    document, data = _result(d)
    assert document.signed_by == w.director and document.agency == w.justice
    assert document.issued_by == w.officer
    report = pades.validate_pdf(data)
    person, agency = report.signatures
    assert report.ok
    assert (person.role, person.signer_common_name, person.signer_title) == ("person", "Giamdoc", "Giám đốc")
    assert (agency.role, agency.signer_common_name) == ("organisation", "Sở Tư pháp")
    out = pdfsig(data, tmp_path)
    assert out.count("Signature Validation: Signature is Valid.") == 2


def test_a_leader_with_the_right_holding_the_last_step_signs_himself(w):
    d = services.dossier_attach_result(dossier=at_director(w), actor=fresh(w.director), generate=True)
    document, _data = _result(d)
    assert document.signed_by == w.director and document.issued_by == w.director
    assert pades.validate_pdf(_data).ok


def test_the_last_step_held_without_the_right_signs_nothing(w):
    """The director holds the last processing step but his position has no signing right, and the only
    approval so far is the unit leader's (no right either): refused, nothing written."""
    d = at_director(w, director_signs=False)
    count = IssuedDocument.objects.count()
    with pytest.raises(ValidationError, match="người có thẩm quyền ký"):
        services.dossier_attach_result(dossier=d, actor=fresh(w.director), generate=True)
    d.refresh_from_db()
    assert d.status == S.PROCESSING and d.current_step.name == "Lãnh đạo Sở ký"
    assert IssuedDocument.objects.count() == count


def test_nobody_with_a_signing_right_approved_so_nothing_is_signed(w):
    """The last approval was by a director whose position has no signing right; neither the desk nor the
    specialist nor the unit leader has one: the result is refused and nothing changes."""
    d = approved(w, director_signs=False)
    before = (IssuedDocument.objects.count(), DossierSlip.objects.filter(kind="result").count())
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="người có thẩm quyền ký") as info:
        services.dossier_attach_result(dossier=d, actor=fresh(w.officer), generate=True)
    assert info.value.code == "no_signer"
    d.refresh_from_db()
    assert d.status == S.PROCESSING
    assert (IssuedDocument.objects.count(), DossierSlip.objects.filter(kind="result").count()) == before
    assert AuditEvent.objects.count() == events
    # uploading the result the competent person signed elsewhere still works
    d = services.dossier_attach_result(dossier=d, actor=fresh(w.officer), file=pdf_upload("ket-qua.pdf"))
    assert d.status == S.PROCESSED


def test_the_result_layout_keeps_both_signatures_off_the_text(w, tmp_path, monkeypatch):
    from dossiers import slips

    unsigned = []
    original = slips.render_result

    def keep(dossier, verify_url, **extra):
        data = original(dossier, verify_url, **extra)
        unsigned.append(data)
        return data

    monkeypatch.setattr(slips, "render_result", keep)
    d = services.dossier_attach_result(dossier=approved(w), actor=fresh(w.officer), generate=True)
    _document, data = _result(d)
    rects = signature_rects(data)
    assert set(rects) == {pades.PERSON_FIELD, pades.ORGANISATION_FIELD}
    words = word_boxes(unsigned[0], tmp_path)
    for _page, word, box in words:
        for name, rect in rects.items():
            assert not intersects(box, rect), (word, name)
    person = rects[pades.PERSON_FIELD]
    title = [box for _p, word, box in words if word == "GIÁM"]
    name = [box for _p, word, box in words if word == "Giamdoc"]
    assert title and name
    assert title[-1][1] >= person[3] and name[-1][3] <= person[1]


def test_the_receipt_is_signed_by_the_agency_alone_off_the_text(
    w, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    """The desk's receipt (Thông tư 01/2018, mẫu 01): one signature, the receiving agency's, inside the
    signer block (it used to fall to the page's bottom right corner, over the block's text)."""
    from dossiers import slips

    unsigned = []
    original = slips.render_receipt

    def keep(dossier, verify_url, **extra):
        data = original(dossier, verify_url, **extra)
        unsigned.append(data)
        return data

    monkeypatch.setattr(slips, "render_receipt", keep)
    d = services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.version, form_data={}, files={w.component.pk: [pdf_upload()]}
    )
    with django_capture_on_commit_callbacks(execute=True):
        d = services.dossier_receive(dossier=d, officer=fresh(w.officer))
    slip = DossierSlip.objects.get(dossier=d, kind="receipt")
    document = IssuedDocument.objects.get(public_id=slip.public_id)
    assert document.signed_by is None
    data = document.file.read()
    rects = signature_rects(data)
    assert list(rects) == [pades.FIELD_NAME]
    (report,) = pades.validate_pdf(data).signatures
    assert report.ok and report.role == "organisation"
    field = rects[pades.FIELD_NAME]
    words = word_boxes(unsigned[0], tmp_path)
    for _page, word, box in words:
        assert not intersects(box, field), word
    # right under the block's title "NGƯỜI TIẾP NHẬN", not at the page's corner
    title = next(box for _p, word, box in words if word == "NGƯỜI")
    assert 0 <= title[1] - field[3] < 20 and field[0] < title[0] < field[2]
