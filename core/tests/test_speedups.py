"""The speed-ups' switch (CQS_SPEEDUPS) and their guard tests: each fails loudly when a library internal a
speed-up relies on is gone or changed shape. They run with the switch on and off (the speed-ups' modules are
imported here whatever the switch says). docs/speedups.md lists what each one relies on; behaviour is
compared with the plain library in the speed-up's own tests (named there)."""

import gc
import inspect

import pytest
from django.conf import settings
from django.db import connection

from core import speedups


def test_the_switch_reads_all_none_and_lists():
    assert speedups.parse(None) == speedups.parse("1") == speedups.parse("on") == frozenset(speedups.NAMES)
    assert speedups.parse("0") == speedups.parse("off") == frozenset()
    assert speedups.parse("insert, token_sql") == {"insert", "token_sql"}
    assert speedups.parse("-insert") == frozenset(speedups.NAMES) - {"insert"}
    with pytest.raises(ValueError, match="unknown"):
        speedups.parse("insert,fast")
    with pytest.raises(ValueError, match="not both"):
        speedups.parse("insert,-token_sql")
    with pytest.raises(KeyError):
        speedups.on("fast")


def test_the_settings_follow_the_switch():
    assert settings.SPEEDUPS == speedups.ACTIVE
    if connection.vendor == "postgresql":
        assert (connection.settings_dict["ENGINE"] == "core.speedups.db_backend") is speedups.on("db_backend")
        assert hasattr(connection, "prepared_cursor") is speedups.on("db_backend")


def _params(fn) -> list[str]:
    return list(inspect.signature(fn).parameters)


def test_guard_db_backend():
    """Django's PostgreSQL backend (server-binding cursor), psycopg's query conversion (core/speedups/db_backend)."""
    from django.db.backends.postgresql import base
    from psycopg import _queries

    assert hasattr(base, "ServerBindingCursor") and hasattr(base.DatabaseWrapper, "_prepare_cursor")
    query = _queries.PostgresQuery.__new__(_queries.PostgresQuery)
    assert callable(query._ensure_bytes) and callable(query.dump)
    converted = _queries._query2pg_nocache(b"SELECT %s, %s", "utf-8")
    assert len(converted) == 4 and converted[0] == b"SELECT $1, $2"
    from core.speedups.db_backend.base import _converted

    assert _converted(b"SELECT %s, %s", "utf-8") == converted


def test_guard_insert():
    """Django's field preparation and model state (core/speedups/insert.py; the values are compared with the
    ORM's in dossiers/tests/test_insert_together.py)."""
    from django.db.models import Field, Model

    assert _params(Field.pre_save) == ["self", "model_instance", "add"]
    assert _params(Field.get_db_prep_save) == ["self", "value", "connection"]
    assert _params(Model.save_base)[:2] == ["self", "raw"] and "force_insert" in _params(Model.save_base)


def test_guard_token_sql():
    """DRF's TokenAuthentication (core/authentication.py's statement replaces its query on PostgreSQL)."""
    from rest_framework.authentication import TokenAuthentication

    assert _params(TokenAuthentication.authenticate_credentials) == ["self", "key"]
    assert callable(TokenAuthentication().get_model)


def test_guard_pyhanko():
    """pyHanko's SimpleSigner methods CachingSigner overrides (core/speedups/pyhanko.py; results compared in
    signing/tests/test_speedup_pyhanko.py)."""
    from pyhanko.sign import attributes, signers

    assert _params(signers.SimpleSigner.signer_info) == ["self", "digest_algorithm", "signed_attrs", "signature"]
    assert "_signed_attr_providers" in vars(signers.Signer)
    assert callable(attributes.as_signing_certificate_v2) and attributes.SigningCertificateV2Provider


def test_guard_wsgi():
    """The standard library's gc.freeze() and Django's URL resolver (core/speedups/wsgi.py)."""
    from django.urls import get_resolver

    assert callable(gc.freeze) and callable(gc.unfreeze)
    assert get_resolver().url_patterns
