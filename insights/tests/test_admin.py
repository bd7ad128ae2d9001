"""The index's definitions are edited in the administration, each change audited; other users cannot."""

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from directory.models import User
from insights.models import Indicator

pytestmark = pytest.mark.django_db


def _form(ind: Indicator, **changes) -> dict:
    data = {
        "group": ind.group_id,
        "code": ind.code,
        "name": ind.name,
        "points": ind.points,
        "target": ind.target,
        "formula": ind.formula,
        "not_measured_reason": ind.not_measured_reason,
        "source": ind.source,
        "order": ind.order,
    }
    data.update(changes)
    return data


def test_administrator_edits_a_target_and_it_is_audited():
    ind = Indicator.objects.get(code="DVTT1")
    url = reverse("admin:insights_indicator_change", args=[ind.pk])
    citizen = User.objects.create_user(username="dan", password="x-Mat-khau-9", kind="citizen", cccd="044090000999")
    c = Client()
    c.force_login(citizen)
    assert c.post(url, _form(ind, target="80")).status_code == 302  # to the admin's login: nothing changes
    ind.refresh_from_db()
    assert ind.target == 50
    admin = User.objects.create_superuser(username="qt", password="x-Mat-khau-9")
    c.force_login(admin)
    # a "not measured" indicator without its reason is refused
    r = c.post(url, _form(ind, formula="not_measured", not_measured_reason=""))
    assert r.status_code == 200
    ind.refresh_from_db()
    assert ind.formula == "online"
    assert c.post(url, _form(ind, target="80")).status_code == 302
    ind.refresh_from_db()
    assert ind.target == 80
    event = AuditEvent.objects.get(action="insights.indicator_change")
    assert event.object_id == str(ind.pk)
