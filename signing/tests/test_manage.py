"""Officials' list of issued documents and revocation: no login, wrong agency, wrong role, right role."""

import pytest

from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, StaffPosition, User
from signing.models import IssuedDocument
from signing.tests.helpers import issue

pytestmark = pytest.mark.django_db


def _staff(username, agency=None, role=None):
    user = User.objects.create_user(
        username=username, password="x-Secret-123", kind=AccountKind.STAFF, full_name=username
    )
    if agency is not None:
        StaffPosition.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def justice():
    return Agency.objects.create(code="000.00.13.H44", name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT)


def test_no_login_is_sent_to_the_login_page(client, db):
    response = client.get("/xac-thuc/quan-ly/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_wrong_role_is_refused(client, education_department):
    client.force_login(_staff("chuyenvien", education_department, Role.SPECIALIST))
    assert client.get("/xac-thuc/quan-ly/").status_code == 403


def test_leader_sees_only_their_agency_and_query_count_is_flat(
    client, education_department, justice, django_assert_max_num_queries
):
    ours = [issue(education_department, reference=f"GD-{i}") for i in range(3)]
    theirs = issue(justice, reference="TP-1")
    client.force_login(_staff("giamdoc", education_department, Role.AGENCY_LEADER))
    client.get("/xac-thuc/quan-ly/")  # warm up
    # session, user, grants, count, page (+ the base template's own province queries)
    with django_assert_max_num_queries(9) as few:
        html = client.get("/xac-thuc/quan-ly/").content.decode()
    for doc in ours:
        assert doc.reference in html
    assert theirs.reference not in html
    for i in range(3, 8):
        issue(education_department, reference=f"GD-{i}")
    with django_assert_max_num_queries(9) as more:
        client.get("/xac-thuc/quan-ly/")
    assert len(more) == len(few)  # no query per row
    assert "GD-0" in client.get("/xac-thuc/quan-ly/?so=GD-0").content.decode()
    assert "GD-1" not in client.get("/xac-thuc/quan-ly/?so=GD-0").content.decode()


def test_revoke_from_the_page(client, education_department, justice):
    doc = issue(education_department)
    other = issue(justice)
    client.force_login(_staff("vanthu", education_department, Role.DOCUMENT_CLERK))
    # another agency's document: refused, nothing changes
    assert client.post(f"/xac-thuc/quan-ly/{other.public_id}/thu-hoi/", {"reason": "x"}).status_code == 403
    # no reason: a Vietnamese message, nothing changes
    response = client.post(f"/xac-thuc/quan-ly/{doc.public_id}/thu-hoi/", {"reason": ""}, follow=True)
    assert "Phải nêu lý do thu hồi" in response.content.decode()
    assert not IssuedDocument.objects.get(pk=doc.pk).revoked
    response = client.post(f"/xac-thuc/quan-ly/{doc.public_id}/thu-hoi/", {"reason": "Cấp nhầm"}, follow=True)
    assert "Đã thu hồi văn bản" in response.content.decode()
    assert IssuedDocument.objects.get(pk=doc.pk).revoked
    assert not IssuedDocument.objects.get(pk=other.pk).revoked
    # twice: a clear message
    response = client.post(f"/xac-thuc/quan-ly/{doc.public_id}/thu-hoi/", {"reason": "Lần nữa"}, follow=True)
    assert "đã bị thu hồi trước đó" in response.content.decode()


def test_administrator_sees_everything(client, education_department, justice):
    a, b = issue(education_department, reference="GD-9"), issue(justice, reference="TP-9")
    admin = _staff("quantri", justice, Role.ADMINISTRATOR)
    client.force_login(admin)
    html = client.get("/xac-thuc/quan-ly/").content.decode()
    assert a.reference in html and b.reference in html


def test_citizen_cannot_revoke(client, education_department):
    doc = issue(education_department)
    citizen = User.objects.create_user(
        username="dan", password="x-Secret-123", kind=AccountKind.CITIZEN, cccd="044199001235"
    )
    client.force_login(citizen)
    assert client.post(f"/xac-thuc/quan-ly/{doc.public_id}/thu-hoi/", {"reason": "x"}).status_code == 403
    assert not IssuedDocument.objects.get(pk=doc.pk).revoked
