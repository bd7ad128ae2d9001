"""The published OpenAPI document (docs/openapi.yaml) agrees with what the API answers.

Schemathesis reads the committed document and, for every operation in it, generates requests (valid and
invalid ones, from the document alone), sends them to the Django application in-process (WSGI), and checks
each answer against the document: no 5xx, a status code the operation documents, the documented content
type, a body that matches the documented schema, the documented headers.

The requests go to the demo province (the same loaders as `manage.py seed_demo`), so that path parameters
can name objects that exist: a generated value is replaced, for most cases, by the id of a real object of
that kind (a dossier's code, a notification's id…), and the operation then answers with its real body
instead of 404. Each operation is tried as three callers: an official's system with an API credential
(`Authorization: Bearer cqs_…`), a citizen with a DRF token, and no one.

Bounded and deterministic, to run in the normal suite: a few examples per operation, the same ones every
run (derandomized Hypothesis, no example database), no deadline.
"""

import importlib
import zlib
from io import StringIO
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import negated_parameters

DOCUMENT = Path(django_settings.BASE_DIR) / "docs" / "openapi.yaml"
DEMO_APPS = ["directory", "portal", "catalog", "signing", "dossiers", "payments", "feedback"]
EXAMPLES = 12  # per operation and caller

CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
        "checks": {
            # Every check schemathesis has is on. One is told a status more: a request the document allows may
            # still be refused with 400 by a rule no schema can say (a CCCD's checksum, a procedure version
            # that does not exist, a dossier whose status does not allow the action), and the API documents
            # that 400 (docs/api.md). The check still fails on any other refusal of valid data (405, 415…).
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
            },
        },
    }
)
schema = schemathesis.openapi.from_path(DOCUMENT, config=CONFIG)
# The application, in-process: the document's requests and the checks' own probes go to it.
schema.app = get_wsgi_application()


@schema.hook
def filter_failure(context, failure, case, response) -> bool:
    """The failures this test lets pass, each for the reason given; any other failure fails it."""
    return not _lenient_query(failure, case)


def _lenient_query(failure, case) -> bool:
    # The query parameters of the lists are read leniently, by design, rather than refused with a 400: a
    # `limit` or `offset` that is not a positive integer as if not given (DRF's paging, which core.pagination
    # keeps), a filter value that is not one of the documented ones matches nothing (`kind=AAA`: an empty
    # list), a yes/no filter is yes only for 1/true/yes. So a GET whose only invalid part is in its query
    # string is answered; invalid bodies, paths and headers must still be refused.
    return (
        isinstance(failure, AcceptedNegativeData)
        and case.method.upper() == "GET"
        and {location for _, location in negated_parameters(case.meta)} == {ParameterLocation.QUERY}
    )


# The caller of the running test: its Authorization header, None for no one.
CALLER = {"authorization": None}


@schema.auth(refresh_interval=None, retry_on=[])
class CallerCredential:
    """Gives each generated request the credential of the test's caller, as schemathesis's own authentication:
    it then also checks that the same request without it, or with an invalid one, is refused (401/403).
    For no caller it gives nothing, and the request keeps the credentials generated from the document's
    security schemes (random tokens and session cookies, which must be refused too)."""

    def get(self, case, context):
        return CALLER["authorization"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": data}


@pytest.fixture(scope="module")
def _module_media(tmp_path_factory):
    return tmp_path_factory.mktemp("conformance")


@pytest.fixture(autouse=True)
def _media_root(_module_media, settings):
    # The root conftest gives each test its own MEDIA_ROOT; here the files of the module's demo province
    # (uploaded dossier files, signed results) must stay readable by every test of the module.
    settings.MEDIA_ROOT = _module_media / "media"
    settings.NATIONAL_SYNC_DIR = _module_media / "national_sync"
    settings.AXES_ENABLED = False
    settings.DEMO_PAYMENTS = True


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker, _module_media):
    """The demo province, loaded once for the module inside a transaction rolled back at its end.

    Each test runs in a savepoint of that transaction (pytest-django's `db`), so what one operation's
    requests change is gone for the next one.
    """
    from django.test import override_settings
    from rest_framework.authtoken.models import Token

    from directory.models import User

    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=_module_media / "media",
            NATIONAL_SYNC_DIR=_module_media / "national_sync",
            SIGNING_PKI_DIR=_module_media / "pki",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            DEMO_PAYMENTS=True,
        ),
        transaction.atomic(),
    ):
        for app in DEMO_APPS:
            with transaction.atomic():
                importlib.import_module(f"{app}.demo").load(StringIO())
        from directory import credentials
        from directory.models import StaffPosition

        desk = StaffPosition.objects.get(user__username="motcua.donghoi", role="one_stop_officer").agency
        _, official = credentials.api_credential_issue(
            actor=None, name="Phần mềm một cửa", agency=desk, role="one_stop_officer", read_only=False
        )
        citizen = Token.objects.create(user=User.objects.get(username="congdan1"))
        callers = {"official": f"Bearer {official}", "citizen": f"Token {citizen.key}", "anonymous": None}
        yield {"callers": callers, "ids": _real_ids()}
        transaction.set_rollback(True)


def _real_ids() -> dict[tuple[str, str], list[str]]:
    """(path template, parameter) -> ids of real objects, in a fixed order."""
    from catalog.models import Procedure
    from directory.models import AdministrativeUnit, Agency
    from dossiers.models import Consultation, Dossier, DossierFile
    from feedback import api as feedback_api
    from feedback.models import Report
    from notifications.models import Notification
    from payments.models import FeeObligation, PaymentAttempt
    from signing.models import IssuedDocument

    def values(qs, field):
        return [str(v) for v in qs.order_by("pk").values_list(field, flat=True)]

    dossier_codes = values(Dossier.objects.all(), "code")
    return {
        ("/api/catalog/procedures/{code}/", "code"): values(Procedure.objects.all(), "code"),
        ("/api/directory/agencies/{code}/", "code"): values(Agency.objects.all(), "code"),
        ("/api/directory/units/{code}/", "code"): values(AdministrativeUnit.objects.all(), "code"),
        ("/api/dossiers/consultations/{id}/answer/", "id"): values(Consultation.objects.all(), "pk"),
        ("/api/dossiers/d/", "code"): dossier_codes,
        ("/api/dossiers/d/", "file_id"): values(DossierFile.objects.all(), "pk"),
        ("/api/feedback/reports/", "token"): values(Report.objects.all(), "token"),
        ("/api/feedback/reports/", "action"): sorted(feedback_api.ACTIONS),
        ("/api/notifications/", "id"): values(Notification.objects.all(), "pk"),
        ("/api/payments/attempts/", "reference"): values(PaymentAttempt.objects.all(), "provider_reference"),
        ("/api/payments/dossiers/", "code"): dossier_codes,
        ("/api/payments/obligations/", "id"): values(FeeObligation.objects.all(), "pk"),
        ("/api/signing/documents/", "public_id"): values(IssuedDocument.objects.all(), "public_id"),
    }


@pytest.fixture
def app(province, db, caller):
    """The WSGI application, called in the test's own thread and transaction.

    Django closes the database connection at the end of each request (`close_old_connections`), which would
    end the test's transaction; Django's test client turns that off for its requests, and so does this.
    """
    cache.clear()  # throttles count per test, from zero
    CALLER["authorization"] = province["callers"][caller]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schema.app
    finally:
        CALLER["authorization"] = None
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _use_real_ids(case, ids) -> None:
    """Replace most generated path parameters by ids of real objects (one case in four keeps its own); not
    those generated invalid on purpose (negative testing), which must stay so."""
    if not case.path_parameters or (case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)):
        return
    for name, value in list(case.path_parameters.items()):
        candidates = next(
            (found for (prefix, param), found in ids.items() if param == name and case.path.startswith(prefix)), []
        )
        if not candidates:
            continue
        pick = zlib.crc32(str(value).encode()) % (len(candidates) + len(candidates) // 3 + 1)
        if pick < len(candidates):
            case.path_parameters[name] = candidates[pick]


@pytest.mark.parametrize("caller", ["official", "citizen", "anonymous"])
@schema.parametrize()
# The examples of one operation share the test's savepoint (`app`): what one request changes, the next one
# sees, as with a real client; the next operation starts from the province as loaded.
@hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_answers_as_its_document_says(case, caller, province, app):
    _use_real_ids(case, province["ids"])
    case.call_and_validate()
