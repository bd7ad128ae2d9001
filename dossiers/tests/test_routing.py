"""Where a dossier goes (Nghị định 118/2025/NĐ-CP, catalog.routing): the receiving agency is chosen when the
procedure has several, the competent agency follows the procedure's rule, and a choice the procedure does not
allow is refused with a Vietnamese field error and writes nothing. Services, API (online and counter), pages.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from catalog.models import ProcedureVersion
from dossiers import services
from dossiers.models import Dossier, DossierCounter, SyncOutbox

from .communes_world import build_communes
from .core_world import pdf_upload

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 2, 9, tzinfo=VN)  # Monday


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    settings.SIGNING_PKI_DIR = tmp_path / "pki"


@pytest.fixture
def c():
    return build_communes()


def api(user):
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def submit_api(c, **extra):
    body = {
        "procedure_version": c.version.pk,
        "files": [pdf_upload("to-khai.pdf")],
        "file_components": [c.component.pk],
        **extra,
    }
    with time_machine.travel(T0, tick=False):
        return api(c.citizen).post("/api/dossiers/mine/", body, format="multipart")


def assert_nothing_written():
    assert Dossier.objects.count() == 0
    assert SyncOutbox.objects.count() == 0
    assert DossierCounter.objects.count() == 0


def set_rule(c, rule, *, competent=None, receiving=None):
    version = ProcedureVersion.objects.get(pk=c.version.pk)
    version.competent_agency_rule = rule
    version.save()
    if competent is not None:
        version.competent_agencies.set(competent)
    if receiving is not None:
        version.receiving_agencies.set(receiving)
    c.version = version


# ------------------------------------------------------------------------------------------ services


def test_service_goes_to_the_commune_chosen_not_the_first(c):
    with time_machine.travel(T0, tick=False):
        d = services.dossier_submit_online(
            applicant=c.citizen,
            procedure_version=c.version,
            form_data={},
            files={c.component.pk: [pdf_upload()]},
            receiving_agency=c.le_thuy,
        )
    assert (d.receiving_agency, d.competent_agency) == (c.le_thuy, c.le_thuy)
    assert d.code.startswith("000.08.30.H44-261102-")


def test_service_refuses_a_procedure_with_several_receivers_and_no_choice(c):
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit_online(
            applicant=c.citizen, procedure_version=c.version, form_data={}, files={c.component.pk: [pdf_upload()]}
        )
    assert "receiving_agency" in exc.value.message_dict
    assert "chọn nơi nộp hồ sơ" in exc.value.message_dict["receiving_agency"][0]
    assert_nothing_written()


def test_service_receives_at_one_commune_and_another_decides_when_the_applicant_chooses(c):
    d = services.dossier_submit_online(
        applicant=c.citizen,
        procedure_version=c.version,
        form_data={},
        files={c.component.pk: [pdf_upload()]},
        receiving_agency=c.dong_ha,
        competent_agency=c.le_thuy,
    )
    assert (d.receiving_agency, d.competent_agency) == (c.dong_ha, c.le_thuy)


def test_rule_receiving_refuses_another_competent_agency(c):
    set_rule(c, "receiving")
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit_online(
            applicant=c.citizen,
            procedure_version=c.version,
            form_data={},
            files={c.component.pk: [pdf_upload()]},
            receiving_agency=c.dong_ha,
            competent_agency=c.le_thuy,
        )
    assert "chính cơ quan tiếp nhận" in exc.value.message_dict["competent_agency"][0]
    assert_nothing_written()


def test_rule_fixed_decides_at_the_one_agency_and_refuses_another(c):
    set_rule(c, "fixed", competent=[c.justice], receiving=[c.centre, c.dong_hoi])
    d = services.dossier_submit_online(
        applicant=c.citizen,
        procedure_version=c.version,
        form_data={},
        files={c.component.pk: [pdf_upload()]},
        receiving_agency=c.dong_hoi,
    )
    assert (d.receiving_agency, d.competent_agency) == (c.dong_hoi, c.justice)
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit_online(
            applicant=c.citizen,
            procedure_version=c.version,
            form_data={},
            files={c.component.pk: [pdf_upload()]},
            receiving_agency=c.centre,
            competent_agency=c.dong_hoi,
        )
    assert "không có thẩm quyền" in exc.value.message_dict["competent_agency"][0]


def test_a_centre_receiving_a_commune_procedure_needs_the_deciding_commune(c):
    set_rule(c, "chosen", receiving=[c.centre, c.dong_hoi, c.dong_ha, c.le_thuy])
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit_online(
            applicant=c.citizen,
            procedure_version=c.version,
            form_data={},
            files={c.component.pk: [pdf_upload()]},
            receiving_agency=c.centre,
        )
    assert "Hãy chọn cơ quan giải quyết" in exc.value.message_dict["competent_agency"][0]
    assert_nothing_written()
    d = services.dossier_submit_online(
        applicant=c.citizen,
        procedure_version=c.version,
        form_data={},
        files={c.component.pk: [pdf_upload()]},
        receiving_agency=c.centre,
        competent_agency=c.dong_ha,
    )
    assert (d.receiving_agency, d.competent_agency) == (c.centre, c.dong_ha)


# ------------------------------------------------------------------------------------------ API


def test_api_requires_the_receiving_agency_with_a_vietnamese_field_error(c):
    r = submit_api(c)
    assert r.status_code == 400, r.content
    error = r.json()["error"]
    assert "receiving_agency" in error["fields"]
    assert "nơi nộp hồ sơ" in " ".join(error["fields"]["receiving_agency"])
    assert_nothing_written()


@pytest.mark.parametrize("how", ["id", "code"])
def test_api_takes_the_receiving_agency_by_id_or_code(c, how):
    value = c.dong_ha.pk if how == "id" else c.dong_ha.code.lower()
    r = submit_api(c, receiving_agency=value)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["receiving_agency"], body["competent_agency"]) == (c.dong_ha.code, c.dong_ha.code)
    assert body["code"].startswith(c.dong_ha.code)


def test_api_takes_receiving_and_competent_agency_separately(c):
    r = submit_api(c, receiving_agency=c.dong_hoi.code, competent_agency=c.le_thuy.pk)
    assert r.status_code == 201, r.content
    assert (r.json()["receiving_agency"], r.json()["competent_agency"]) == (c.dong_hoi.code, c.le_thuy.code)


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"receiving_agency": "000.00.11.H44"}, "receiving_agency"),  # an agency that does not receive it
        ({"receiving_agency": "999999"}, "receiving_agency"),  # no such agency
        ({"receiving_agency": "000.01.30.H44", "competent_agency": "000.00.01.H44"}, "competent_agency"),
    ],
)
def test_api_refuses_a_choice_the_procedure_does_not_allow(c, extra, field):
    r = submit_api(c, **extra)
    assert r.status_code == 400, r.content
    messages = r.json()["error"]["fields"][field]
    assert messages and all(re.search(r"[ơư]", m) for m in messages)  # Vietnamese
    assert_nothing_written()


def test_api_rule_receiving_refuses_a_separate_competent_agency(c):
    set_rule(c, "receiving")
    r = submit_api(c, receiving_agency=c.dong_ha.pk, competent_agency=c.le_thuy.pk)
    assert r.status_code == 400, r.content
    assert "competent_agency" in r.json()["error"]["fields"]
    assert_nothing_written()


def test_counter_api_registers_at_the_officers_commune_with_a_competent_commune(c):
    body = {
        "procedure_version": c.version.pk,
        "applicant_name": "Hoàng Văn Sơn",
        "competent_agency": c.le_thuy.code,
    }
    with time_machine.travel(T0, tick=False):
        r = api(c.officer_dong_ha).post("/api/dossiers/counter/", body, format="multipart")
    assert r.status_code == 201, r.content
    assert (r.json()["receiving_agency"], r.json()["competent_agency"]) == (c.dong_ha.code, c.le_thuy.code)


def test_counter_api_refuses_another_communes_desk_and_a_disallowed_competent_agency(c, settings):
    body = {"procedure_version": c.version.pk, "applicant_name": "Hoàng Văn Sơn"}
    r = api(c.officer_dong_ha).post("/api/dossiers/counter/", {**body, "receiving_agency": c.le_thuy.pk})
    assert r.status_code == 403, r.content
    set_rule(c, "receiving")
    r = api(c.officer_dong_ha).post("/api/dossiers/counter/", {**body, "competent_agency": c.le_thuy.pk})
    assert r.status_code == 400, r.content
    assert "competent_agency" in r.json()["error"]["fields"]
    assert_nothing_written()


# ------------------------------------------------------------------------------------------ pages


def submit_url(c):
    return f"/ho-so/nop/{c.version.procedure.code}/"


def test_page_offers_the_commune_of_the_applicants_address_first_and_preselected(client, c):
    client.force_login(c.citizen)  # address: "Thôn 3, Xã Lệ Thủy, tỉnh Quảng Trị"
    page = client.get(submit_url(c)).content.decode()
    select = re.search(r'<select name="receiving_agency".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option value="(\d*)"( selected)?>', select)
    assert options[0] == ("", "")
    assert options[1] == (str(c.le_thuy.pk), " selected")  # first after the placeholder, and chosen
    assert [int(v) for v, _s in options[1:]] == [c.le_thuy.pk, c.dong_hoi.pk, c.dong_ha.pk]
    assert "Trong ngày làm việc; nhận sau 15:00 thì trả trong ngày làm việc tiếp theo" in page


def test_page_without_an_address_requires_a_choice_in_vietnamese(client, c):
    c.citizen.address = ""
    c.citizen.save()
    client.force_login(c.citizen)
    page = client.get(submit_url(c)).content.decode()
    select = re.search(r'<select name="receiving_agency".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="(\d*)" selected>', select) == [""]  # only the placeholder
    r = client.post(submit_url(c), {"step": "review", f"c{c.component.pk}": pdf_upload()})
    assert r.status_code == 400
    assert "Vui lòng chọn nơi nộp hồ sơ (cơ quan tiếp nhận)." in r.content.decode()
    assert_nothing_written()


def test_page_submits_to_the_commune_chosen(client, c, django_capture_on_commit_callbacks):
    client.force_login(c.citizen)
    r = client.post(
        submit_url(c),
        {"step": "review", "receiving_agency": str(c.dong_ha.pk), f"c{c.component.pk}": pdf_upload()},
    )
    assert r.status_code == 200, r.content.decode()[:2000]
    assert c.dong_ha.name in r.content.decode()  # the review names where it goes
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(submit_url(c), {"step": "submit"})
    assert r.status_code == 302
    d = Dossier.objects.get()
    assert (d.receiving_agency, d.competent_agency) == (c.dong_ha, c.dong_ha)


def test_page_refuses_an_agency_the_procedure_does_not_list(client, c):
    client.force_login(c.citizen)
    r = client.post(
        submit_url(c), {"step": "review", "receiving_agency": str(c.justice.pk), f"c{c.component.pk}": pdf_upload()}
    )
    assert r.status_code == 400
    assert "Cơ quan đã chọn không tiếp nhận hồ sơ của thủ tục này." in r.content.decode()
    assert_nothing_written()


def test_counter_page_chooses_the_competent_commune(client, c):
    client.force_login(c.officer_dong_hoi)
    url = f"/ho-so/can-bo/tiep-nhan/{c.version.procedure.code}/"
    page = client.get(url).content.decode()
    assert 'name="competent_agency"' in page and 'name="receiving_agency"' not in page  # one desk: no choice
    with time_machine.travel(T0, tick=False):
        r = client.post(
            url,
            {
                "name": "Hoàng Văn Sơn",
                "channel": "counter",
                "result_method": "counter",
                "competent_agency": str(c.dong_ha.pk),
            },
        )
    assert r.status_code == 302, r.content.decode()[:3000]
    d = Dossier.objects.get()
    assert (d.receiving_agency, d.competent_agency) == (c.dong_hoi, c.dong_ha)
    # a same-day procedure received at 09:00 is due at the end of that working day
    assert d.due_at == dt.datetime(2026, 11, 2, 17, tzinfo=VN)


def test_the_choice_adds_no_query_to_the_submission(c):
    """The agencies are checked against the version's lists that the submission loaded already (the
    catalogue memo): a second submission reads nothing of the catalogue or the agencies but the memo's token."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert submit_api(c, receiving_agency=c.le_thuy.code, competent_agency=c.dong_ha.pk).status_code == 201
    with CaptureQueriesContext(connection) as ctx:
        r = submit_api(c, receiving_agency=c.le_thuy.code, competent_agency=c.dong_ha.pk)
    assert r.status_code == 201, r.content
    reads = [q["sql"] for q in ctx.captured_queries if '"catalog_' in q["sql"] or "directory_agency" in q["sql"]]
    assert len(reads) == 1 and "catalog_searchgeneration" in reads[0], reads
