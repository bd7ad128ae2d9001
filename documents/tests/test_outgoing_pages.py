"""The outgoing documents' pages (views_outgoing.py): each tried with no login, another agency, the wrong role
and the right one; a refused attempt changes nothing; a document one may not see answers 404. The buttons are
the ones OUTGOING_ACTIONS allows the user in the document's status."""

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from directory.choices import AccountKind, Role
from directory.models import User
from documents import review
from documents.choices import OutgoingStatus
from documents.models import OutgoingDocument, Publication, ReviewEvent
from documents.tests.outgoing_world import body_pdf, draft, staff, upload

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def _urls(document):
    return [
        reverse("documents:outgoing_detail", args=[document.pk]),
        reverse("documents:outgoing_edit", args=[document.pk]),
        reverse("documents:outgoing_file", args=[document.pk]),
        reverse("documents:outgoing_version", args=[document.pk, 1]),
        reverse("documents:outgoing_attachment", args=[document.pk, document.attachments.get().pk]),
    ]


@pytest.fixture
def doc(ow):
    return draft(ow, attachments=[upload("phu-luc.pdf")])


def test_no_login_is_sent_to_the_login_page(client, ow, doc):
    for url in [reverse("documents:outgoing_list"), reverse("documents:outgoing_new"), *_urls(doc)]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"] or "dang-nhap" in response["Location"]
    response = client.post(reverse("documents:outgoing_action", args=[doc.pk, "trinh"]))
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.status == OutgoingStatus.DRAFT


def test_a_citizen_may_not_draft(client, ow):
    citizen = User.objects.create_user(
        username="cd", kind=AccountKind.CITIZEN, full_name="Công dân", cccd="044090001234"
    )
    c = _client(client, citizen)
    assert c.get(reverse("documents:outgoing_list")).status_code == 403
    assert c.get(reverse("documents:outgoing_new")).status_code == 403
    assert c.post(reverse("documents:outgoing_new"), {"subject": "x"}).status_code == 403
    assert not OutgoingDocument.objects.exists()


def test_another_agency_sees_nothing(client, ow, doc):
    c = _client(client, ow["other_clerk"])
    for url in _urls(doc):
        assert c.get(url).status_code == 404, url
    for action in ("trinh", "duyet", "tra-lai", "ky-so", "cap-so", "gui"):
        assert c.post(reverse("documents:outgoing_action", args=[doc.pk, action]), {"comment": "x"}).status_code == 404
    assert doc.subject.encode() not in c.get(reverse("documents:outgoing_list")).content
    doc.refresh_from_db()
    assert doc.status == OutgoingStatus.DRAFT and not ReviewEvent.objects.exists()


def test_a_colleague_outside_the_chain_does_not_see_the_draft(client, ow, doc):
    colleague = staff("chuyenvien2", ow["ward"], Role.SPECIALIST)
    c = _client(client, colleague)
    for url in _urls(doc):
        assert c.get(url).status_code == 404, url
    leader = _client(client, ow["leader"])  # the agency's leader reads the draft and its files
    for url in _urls(doc):
        if "/sua/" not in url:
            assert leader.get(url).status_code == 200, url


def test_wrong_role_gets_no_button_and_a_refusal(client, ow, doc):
    review.outgoing_submit(actor=ow["expert"], document=doc)
    c = _client(client, ow["clerk"])  # the văn thư sees the draft but does not review it
    page = c.get(reverse("documents:outgoing_detail", args=[doc.pk]))
    assert page.status_code == 200 and b"action-duyet" not in page.content
    assert c.get(reverse("documents:outgoing_edit", args=[doc.pk])).status_code == 403
    response = c.post(reverse("documents:outgoing_action", args=[doc.pk, "duyet"]), follow=True)
    assert "Bạn không phải người duyệt ở bước này." in response.content.decode()
    leader = _client(client, ow["leader"])  # the leader is the second step, not the first
    leader.post(reverse("documents:outgoing_action", args=[doc.pk, "duyet"]))
    doc.refresh_from_db()
    assert doc.status == OutgoingStatus.IN_REVIEW and doc.draft.step == 1
    assert ReviewEvent.objects.filter(decision="approve").count() == 0


def test_right_roles_walk_the_draft_to_the_signed_state(client, ow):
    c = _client(client, ow["expert"])
    home = c.get(reverse("documents:outgoing_list")).content.decode()
    assert f'href="{reverse("documents:outgoing_list")}"' in home.split("<main", 1)[0]  # offered in the navigation
    new = c.get(reverse("documents:outgoing_new"))
    assert new.status_code == 200 and "Phó Chủ tịch".upper().encode() in new.content
    response = c.post(
        reverse("documents:outgoing_new"),
        {
            "document_type": "decision",
            "subject": "Về việc ban hành Quy chế làm việc",
            "drafting_unit": ow["unit"].pk,
            "urgency": "normal",
            "confidentiality": "none",
            "signatory": ow["position"].pk,
            "recipients": [ow["justice"].pk],
            "external_recipients": "Bộ Tư pháp\n",
            "is_public": "on",
            "body": upload(),
        },
    )
    document = OutgoingDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "documents:outgoing_detail", args=[document.pk]
    )
    assert document.draft.is_public and document.draft.external_list == ["Bộ Tư pháp"]
    page = c.get(response["Location"])
    assert b"action-trinh" in page.content and b"action-duyet" not in page.content
    assert c.get(reverse("documents:outgoing_file", args=[document.pk])).status_code == 200
    c.post(reverse("documents:outgoing_action", args=[document.pk, "trinh"]), {"comment": "Kính trình."})
    head = _client(client, ow["head"])
    assert b"action-duyet" in head.get(reverse("documents:outgoing_detail", args=[document.pk])).content
    head.post(reverse("documents:outgoing_action", args=[document.pk, "tra-lai"]), {"comment": "Sửa Điều 2."})
    document.refresh_from_db()
    assert document.status == OutgoingStatus.DRAFT
    c = _client(client, ow["expert"])
    edit = c.post(
        reverse("documents:outgoing_edit", args=[document.pk]),
        {
            "document_type": "decision",
            "subject": "Về việc ban hành Quy chế làm việc",
            "urgency": "normal",
            "signatory": ow["position"].pk,
            "recipients": [ow["justice"].pk],
            "is_public": "on",
            "body": upload(data=body_pdf("bản sửa")),
        },
    )
    assert edit.status_code == 302 and document.versions.count() == 2
    assert c.get(reverse("documents:outgoing_version", args=[document.pk, 1])).status_code == 200
    c.post(reverse("documents:outgoing_action", args=[document.pk, "trinh"]))
    _client(client, ow["head"]).post(reverse("documents:outgoing_action", args=[document.pk, "duyet"]))
    leader = _client(client, ow["leader"])
    leader.post(reverse("documents:outgoing_action", args=[document.pk, "duyet"]))
    assert b"action-ky-so" in leader.get(reverse("documents:outgoing_detail", args=[document.pk])).content
    leader.post(reverse("documents:outgoing_action", args=[document.pk, "ky-so"]))
    document.refresh_from_db()
    assert document.status == OutgoingStatus.SIGNED
    clerk = _client(client, ow["clerk"])
    assert b"action-cap-so" in clerk.get(reverse("documents:outgoing_detail", args=[document.pk])).content
    clerk.post(reverse("documents:outgoing_action", args=[document.pk, "cap-so"]))
    clerk.post(reverse("documents:outgoing_action", args=[document.pk, "gui"]))
    document.refresh_from_db()
    assert document.status == OutgoingStatus.ISSUED and document.sent_at is not None
    assert document.deliveries.get().agency == ow["justice"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"documents.outgoing_sign", "documents.outgoing_issue_number", "documents.outgoing_send"} <= actions
    # Marked public by its drafter: the văn thư publishes it (public.outgoing_publish); the public page lists it
    # with its verification address, the leader gets no such button, and the văn thư can withdraw it.
    page = clerk.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    assert "action-cong-khai" in page and "action-thoi-cong-khai" not in page
    assert reverse("documents:outgoing_exchange", args=[document.pk]) in page  # the exchange page is linked
    leader = _client(Client(), ow["leader"])
    assert b"action-cong-khai" not in leader.get(reverse("documents:outgoing_detail", args=[document.pk])).content
    refused = leader.post(reverse("documents:outgoing_action", args=[document.pk, "cong-khai"]), follow=True)
    assert "văn thư" in refused.content.decode() and not Publication.objects.exists()
    clerk.post(reverse("documents:outgoing_action", args=[document.pk, "cong-khai"]))
    document.refresh_from_db()
    public_id = document.publication.public_id
    anonymous = Client()
    listed = anonymous.get(reverse("documents:public_list")).content.decode()
    assert reverse("documents:public_verify", args=[public_id]) in listed
    page = clerk.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    assert "action-thoi-cong-khai" in page and "action-cong-khai " not in page
    clerk.post(reverse("documents:outgoing_action", args=[document.pk, "thoi-cong-khai"]))
    assert (
        reverse("documents:public_verify", args=[public_id])
        not in anonymous.get(reverse("documents:public_list")).content.decode()
    )
    assert (
        AuditEvent.objects.filter(action__in=["documents.outgoing_publish", "documents.outgoing_unpublish"]).count()
        == 2
    )


def test_a_bad_body_on_the_page_shows_why_and_writes_nothing(client, ow):
    c = _client(client, ow["expert"])
    response = c.post(
        reverse("documents:outgoing_new"),
        {
            "document_type": "decision",
            "subject": "x",
            "urgency": "normal",
            "confidentiality": "none",
            "body": upload("a.txt", b"hello"),
        },
    )
    assert response.status_code == 200 and "Tệp văn bản phải là PDF hoặc DOCX" in response.content.decode()
    assert not OutgoingDocument.objects.exists()


def test_the_worklist_counts_its_queries(client, ow, django_assert_max_num_queries):
    def count(n):
        for _ in range(n):
            review.outgoing_submit(actor=ow["expert"], document=draft(ow))
        c = _client(client, ow["head"])
        with django_assert_max_num_queries(9):  # the same for 2 and for 6 documents: no query per row
            page = c.get(reverse("documents:outgoing_list"))
        return page.content.decode().count("Về việc ban hành Quy chế làm việc")

    assert count(2) == 2
    assert count(4) == 6
