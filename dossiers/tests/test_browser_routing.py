"""Browser: a citizen files a commune-level procedure at a commune other than the first in its list (and other
than the one of their address, which the form offers first); the dossier reaches that commune's queue and no
other commune's (Nghị định 118/2025/NĐ-CP: the applicant chooses where to file)."""

import pytest

from conftest import browser_login
from dossiers.models import Dossier

from .communes_world import PASSWORD, build_communes
from .core_world import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def c(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_communes()  # the citizen lives in Xã Lệ Thủy; Phường Đồng Hới is first in the lists


def as_user(page, user):
    page.context.clear_cookies()
    browser_login(page, user.username, PASSWORD)


def test_citizen_chooses_a_commune_and_only_that_commune_gets_the_dossier(page, c):
    as_user(page, c.citizen)
    page.goto(f"/ho-so/nop/{c.version.procedure.code}/")
    select = page.locator("select[name=receiving_agency]")
    assert select.input_value() == str(c.le_thuy.pk)  # the commune of the address, preselected
    assert "Trong ngày làm việc" in page.inner_text("main")
    select.select_option(str(c.dong_ha.pk))
    page.set_input_files(
        f"#id_c{c.component.pk}",
        files=[{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}],
    )
    page.click("#dossier-submit-form button[type=submit]")
    page.wait_for_load_state()
    assert c.dong_ha.name in page.inner_text("main")  # the review says where it goes
    page.click("#confirm-submit button[type=submit]")
    page.wait_for_load_state()
    code = page.inner_text(".dossier-code").strip()
    dossier = Dossier.objects.get(code=code)
    assert (dossier.receiving_agency_id, dossier.competent_agency_id) == (c.dong_ha.pk, c.dong_ha.pk)
    assert code.startswith(c.dong_ha.code)

    as_user(page, c.officer_dong_ha)
    page.goto("/ho-so/can-bo/")
    assert code in page.inner_text("main")
    page.goto(f"/ho-so/can-bo/ho-so/{code}/")
    assert page.is_visible("#appointment-preview")

    for other in (c.officer_dong_hoi, c.officer_le_thuy, c.officer_centre):
        as_user(page, other)
        page.goto("/ho-so/can-bo/")
        assert code not in page.inner_text("main"), other.username
        response = page.goto(f"/ho-so/can-bo/ho-so/{code}/")
        assert response.status in (403, 404), other.username
