"""Small, rarely changing tables the submission path reads on every report, kept in process memory.

An Open311 POST needs the API key, the category with its attributes and the routing rules. They are
loaded together into one snapshot (four small queries) and reused until one of them changes. Saving
or deleting an `ApiKey`, `Category`, `CategoryAttribute`, `RoutingRule`, an agency, a unit or an
office schedule bumps a version key in Django's cache at once and again when the transaction
commits, and drops this process's snapshot. Other processes compare their snapshot's version with
the shared one at most every `VERSION_CHECK_INTERVAL` seconds (Redis in production: a revoked key
stops working within two seconds); with a per-process cache (LocMem) they reload at the latest
after `SNAPSHOT_MAX_AGE` seconds.

The snapshot's model instances are shared between requests and threads: read them, never change them.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save

from .models import ApiKey, Category, CategoryAttribute, RoutingRule

VERSION_KEY = "feedback:lookups:version"
VERSION_CHECK_INTERVAL = 2.0
SNAPSHOT_MAX_AGE = 60.0


@dataclass(frozen=True)
class Snapshot:
    version: str | None
    loaded_at: float
    api_keys: dict[str, ApiKey]  # active keys by their value
    services: dict[str, Category]  # active leaf categories (Open311 services) by code
    rules: tuple[RoutingRule, ...]  # active routing rules in the order they are tried


_lock = threading.Lock()
_state: dict[str, object] = {"snapshot": None, "checked_at": 0.0}


def _load(version: str | None) -> Snapshot:
    categories = list(
        Category.objects.filter(is_active=True)
        .select_related("parent")
        .prefetch_related(Prefetch("attributes", queryset=CategoryAttribute.objects.order_by("order", "id")))
    )
    has_active_children = {c.parent_id for c in categories if c.parent_id is not None}
    services = {}
    for category in categories:
        if category.pk in has_active_children:
            continue  # a group, not something a report is filed under
        category._is_leaf = True  # report_submit need not ask again
        services[category.code] = category
    rules = tuple(
        RoutingRule.objects.filter(is_active=True)
        .select_related("target_agency__office_schedule", "target_unit__agency")
        .order_by("order", "id")
    )
    keys = {k.key: k for k in ApiKey.objects.filter(is_active=True)}
    return Snapshot(version=version, loaded_at=time.monotonic(), api_keys=keys, services=services, rules=rules)


def current() -> Snapshot:
    """The snapshot, reloaded when another process (or this one) changed the tables."""
    now = time.monotonic()
    snapshot: Snapshot | None = _state["snapshot"]  # type: ignore[assignment]
    if snapshot is not None and now - _state["checked_at"] < VERSION_CHECK_INTERVAL:  # type: ignore[operator]
        return snapshot
    version = cache.get(VERSION_KEY)
    if (
        snapshot is not None
        and version is not None
        and version == snapshot.version
        and now - snapshot.loaded_at < SNAPSHOT_MAX_AGE
    ):
        _state["checked_at"] = now
        return snapshot
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY)
    fresh = _load(version)
    with _lock:
        _state["snapshot"] = fresh
        _state["checked_at"] = now
    return fresh


def api_key(value: str) -> ApiKey | None:
    return current().api_keys.get(value)


def service(code: str) -> Category | None:
    return current().services.get(code)


def routing_rules() -> tuple[RoutingRule, ...]:
    return current().rules


def invalidate() -> None:
    """Forget this process's snapshot and tell the others (called on every change of the tables)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    with _lock:
        _state["snapshot"] = None
        _state["checked_at"] = 0.0


def _changed(sender, **kwargs) -> None:
    invalidate()
    # Again once committed: a process that reloaded meanwhile read the rows as they were before.
    transaction.on_commit(invalidate, using=kwargs.get("using"))


def connect_signals() -> None:
    """Called from the app config's ready()."""
    from core.models import OfficeSchedule
    from directory.models import Agency, OrgUnit

    for model in (ApiKey, Category, CategoryAttribute, RoutingRule, Agency, OrgUnit, OfficeSchedule):
        post_save.connect(_changed, sender=model, dispatch_uid=f"feedback-lookups-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"feedback-lookups-delete-{model.__name__}")
