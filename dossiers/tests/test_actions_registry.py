"""The registry of dossier actions (dossiers/actions.py) and the drift it removed between the page and the API:
the page's approval names the next holder like the API's, and whoever names the next holder (page, API or a
direct call of the service) is held to the same rule: an active staff account holding the step's role."""

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from core.actions import Action, Registry, Rule
from directory.models import StaffPosition, User
from dossiers import api, services, views
from dossiers.actions import ACTIONS
from dossiers.choices import DossierAction
from dossiers.models import Dossier, DossierEvent
from dossiers.permissions import can_act, who_may

from .core_world import PASSWORD, build_world, client_for, fresh
from .test_permissions_api import T0, at_unit_leader, processing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _client(user):
    c = Client()
    c.force_login(fresh(user))
    return c


def _second_unit_leader(w, **fields):
    user = User.objects.create_user(
        username="phophong", password=PASSWORD, kind="staff", full_name="Phó Phòng", **fields
    )
    StaffPosition.objects.create(user=user, agency=w.justice, unit=w.unit, role="unit_leader")
    return user


def _state(d):
    d = Dossier.objects.get(pk=d.pk)
    return d.status, d.current_step_id, d.assignee_id, DossierEvent.objects.filter(dossier=d).count()


# ------------------------------------------------------------------------------------------ drift fixed


def test_the_page_approval_names_the_next_holder_like_the_api():
    w = build_world()
    with time_machine.travel(T0, tick=False):
        d = at_unit_leader(w)
        page = _client(w.unit_leader).get(reverse("dossiers:workspace", args=[d.code])).content.decode()
        assert 'id="id_phe-duyet_to_user"' in page and f'value="{w.director.pk}"' in page
        r = _client(w.unit_leader).post(
            f"/ho-so/can-bo/ho-so/{d.code}/phe-duyet/", {"note": "Đồng ý", "to_user": w.director.pk}
        )
    assert r.status_code == 302, r.content.decode()[:2000]
    d = Dossier.objects.get(pk=d.pk)
    assert d.current_role == "agency_leader" and d.assignee_id == w.director.pk


def test_the_page_transfer_refuses_an_official_who_does_not_hold_the_next_step():
    w = build_world()
    with time_machine.travel(T0, tick=False):
        d = processing(w)
        before = _state(d)
        for stranger in (w.other_specialist, w.officer, w.director):  # another agency; the desk; another role
            r = _client(w.specialist).post(f"/ho-so/can-bo/ho-so/{d.code}/chuyen/", {"to_user": stranger.pk})
            assert r.status_code == 400, stranger.username
            assert _state(d) == before
        r = _client(w.specialist).post(f"/ho-so/can-bo/ho-so/{d.code}/chuyen/", {"to_user": w.unit_leader.pk})
    assert r.status_code == 302
    assert Dossier.objects.get(pk=d.pk).assignee_id == w.unit_leader.pk


@pytest.mark.parametrize("channel", ["service", "api"])
def test_an_inactive_account_may_not_be_named_next_holder_on_any_channel(channel):
    """The service checks it, so the page, the API and any other caller cannot name a disabled account
    (its position may still be active: the account is what was switched off)."""
    w = build_world()
    with time_machine.travel(T0, tick=False):
        d = processing(w)
        gone = _second_unit_leader(w, is_active=False)
        before = _state(d)
        if channel == "service":
            with pytest.raises(ValidationError) as err:
                services.dossier_transfer(dossier=d, actor=fresh(w.specialist), to_user=gone)
            assert "to_user" in err.value.message_dict
        else:
            r = client_for(w.specialist).post(
                f"/api/dossiers/d/{d.code}/transfer/", {"to_user": gone.pk}, format="json"
            )
            assert r.status_code == 400 and "to_user" in r.json()["error"]["fields"]
    assert _state(d) == before


def test_the_service_refuses_a_next_holder_who_is_not_a_staff_account():
    w = build_world()
    with time_machine.travel(T0, tick=False):
        d = processing(w)
        StaffPosition.objects.create(user=w.citizen2, agency=w.justice, unit=w.unit, role="unit_leader")
        with pytest.raises(ValidationError):
            services.dossier_transfer(dossier=d, actor=fresh(w.specialist), to_user=fresh(w.citizen2))
        colleague = _second_unit_leader(w)
        services.dossier_transfer(dossier=d, actor=fresh(w.specialist), to_user=fresh(colleague))
    assert Dossier.objects.get(pk=d.pk).assignee_id == colleague.pk


# ------------------------------------------------------------------------------------------ one table


def test_pages_api_and_permissions_are_read_from_the_registry():
    assert views.ACTIONS is ACTIONS
    assert ACTIONS.in_api() == api.ACTIONS
    for slug, action in ACTIONS.on_pages().items():
        assert reverse("dossiers:action", args=["X", slug])
        assert action.page == slug and action.service is not None
    for name, action in ACTIONS.in_api().items():
        assert reverse(f"dossiers-api-{name}", args=["X"])
        assert action.permission in DossierAction.values
        assert who_may(action.name) == str(action.who)
    # every action a person may ask for has a rule; the others are no one's to ask for
    internal = {DossierAction.SUBMIT, DossierAction.REGISTER, DossierAction.PAYMENT_SETTLED, DossierAction.MARK_LATE}
    assert {a.name for a in ACTIONS} == set(DossierAction.values) - internal
    assert all(who_may(a) == "không ai (thao tác nội bộ)" for a in internal)


def test_the_urls_and_operation_ids_stay_as_they_were():
    assert list(ACTIONS.on_pages()) == [
        "tiep-nhan",
        "yeu-cau-hoan-thien",
        "tu-choi",
        "chuyen",
        "tra-lai",
        "phe-duyet",
        "xin-y-kien",
        "tra-loi-y-kien",
        "yeu-cau-bo-sung",
        "bo-sung-thay",
        "yeu-cau-thanh-toan",
        "xin-loi",
        "dung",
        "chap-nhan-rut",
        "khong-chap-nhan-rut",
        "ket-qua",
        "tra-ket-qua",
    ]
    assert set(ACTIONS.in_api()) == {
        "receive",
        "refuse",
        "request-completion",
        "transfer",
        "return",
        "approve",
        "request-supplement",
        "request-payment",
        "apologize",
        "stop",
        "accept-withdrawal",
        "decline-withdrawal",
        "attach-result",
        "return-result",
        "consult",
        "withdraw",
        "cancel-withdrawal",
        "supplement",
        "complete",
    }


def test_a_button_is_shown_only_in_its_statuses_and_to_whoever_may_do_it():
    w = build_world()
    with time_machine.travel(T0, tick=False):
        d = processing(w)
    shown = {a["slug"] for a in views._workspace_context(_request(w.specialist), d)["actions"]}
    assert shown == {
        a.page
        for a in ACTIONS.on_pages().values()
        if d.status in a.statuses and can_act(fresh(w.specialist), d, a.name)
    }
    assert "chuyen" in shown and "tiep-nhan" not in shown and "phe-duyet" not in shown


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = fresh(user)
    return request


# ------------------------------------------------------------------------------------------ core registry


def test_a_registry_refuses_a_name_or_slug_declared_twice():
    with pytest.raises(ValueError):
        Registry([Action("a", page="x"), Action("b", page="x")])
    with pytest.raises(ValueError):
        Registry([Action("a", api="x"), Action("a")])


def test_rules_combine_and_refuse_anonymous_users():
    class Anonymous:
        is_authenticated = False

    class Someone:
        is_authenticated = True

    yes, no = Rule(lambda u, r: True, "ai cũng được"), Rule(lambda u, r: False, "không ai")
    assert (no | yes)(Someone(), None) and not no(Someone(), None)
    assert not yes(Anonymous(), None)
    assert str(no | yes) == "không ai; ai cũng được"
