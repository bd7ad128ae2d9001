"""Vietnamese formats on the dossier pages: money '200.000 đ', dates dd/mm/yyyy HH:MM, yes/no in words."""

import pytest
from django.utils import timezone

from dossiers import services

from .factories import fresh, make_world, pdf_upload, procedure

pytestmark = pytest.mark.django_db

SCHEMA = {
    "type": "object",
    "properties": {
        "muc_dich": {"type": "string", "title": "Mục đích sử dụng"},
        "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
        "da_ket_hon": {"type": "boolean", "title": "Đã kết hôn"},
    },
    "required": ["muc_dich"],
}


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def _fee_dossier(world):
    version = procedure(
        "1.000077.000.00.00.H44",
        "Chứng thực bản sao",
        receiving=world.centre,
        competent=world.justice,
        unit_name=world.unit.name,
        fees=True,
        schema=SCHEMA,
    )
    dossier = services.dossier_submit_online(
        applicant=fresh(world.citizen),
        procedure_version=version,
        form_data={"muc_dich": "Xin việc", "ngay_sinh": "1990-02-28", "da_ket_hon": False},
        files={version.components.order_by("order").first().pk: [pdf_upload()]},
    )
    return services.dossier_receive(dossier=dossier, officer=fresh(world.officer))


def test_fee_shows_vietnamese_money_on_the_citizens_and_the_officers_page(client, world):
    dossier = _fee_dossier(world)
    assert dossier.status == "payment_requested"
    client.force_login(world.citizen)
    page = client.get(f"/ho-so/cua-toi/{dossier.code}/").content.decode()
    assert "200.000 đ" in page and "200,000" not in page
    client.force_login(world.officer)
    page = client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "200.000 đ" in page and "200,000" not in page


def test_officers_page_shows_dates_as_dd_mm_yyyy_and_answers_in_words(client, world):
    dossier = _fee_dossier(world)
    client.force_login(world.officer)
    page = client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/").content.decode()
    received = timezone.localtime(dossier.received_at)
    assert received.strftime("%d/%m/%Y %H:%M") in page
    assert received.strftime("%H:%M %d/%m/%Y") not in page
    assert "28/02/1990" in page and "1990-02-28" not in page  # a date the applicant typed
    assert "Không" in page.split("Đã kết hôn", 1)[1][:80]  # a yes/no answer in words


def test_citizens_list_and_public_lookup_use_dd_mm_yyyy_hh_mm(client, world):
    dossier = _fee_dossier(world)
    submitted = timezone.localtime(dossier.submitted_at)
    client.force_login(world.citizen)
    page = client.get("/ho-so/cua-toi/").content.decode()
    assert submitted.strftime("%d/%m/%Y %H:%M") in page
    lookup = client.get("/ho-so/tra-cuu/", {"code": dossier.code, "secret": dossier.lookup_secret}).content.decode()
    assert submitted.strftime("%d/%m/%Y %H:%M") in lookup
