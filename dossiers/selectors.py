"""Permission-aware reads of the one-stop system."""

import functools
import hmac
from datetime import UTC, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog.models import ProcedureVersion
from core import speedups
from core.identifiers import DOSSIER_CODE_RE, is_row_id
from core.text import fold_terms
from directory.choices import Role
from directory.selectors import grants_for, is_administrator

from .choices import CLOCK_RUNNING, DossierStatus, StepStatus
from .models import Consultation, Dossier, DossierStep
from .permissions import DOSSIER_ROLES, can_view

LIST_RELATED = ("procedure_version__procedure", "receiving_agency", "competent_agency", "assignee", "current_step")


def _base() -> QuerySet:
    return Dossier.objects.select_related(*LIST_RELATED)


def dossier_get_for(user, code: str, *, for_update: bool = False) -> Dossier:
    """The dossier with this code if `user` may see it; Http404 otherwise (no existence leak)."""
    if not getattr(user, "is_authenticated", False) or not code:
        raise Http404
    # The catalogue's rows come from the process's memo (with_catalogue) instead of three more joins.
    dossier = _by_code(code.strip().upper())
    if dossier is None or not can_view(user, dossier):
        raise Http404
    return with_catalogue(dossier)


def _in_table_order(model, names: set[str]) -> tuple[str, ...]:
    """`names` (with the primary key) in the order of the model's columns, as Model.from_db() takes them."""
    names = names | {model._meta.pk.attname}
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in names)


# The columns of a dossier's current step and assignee read beside its own: what its pages and answers show of
# them (DossierStep.name; User.display_name reads the four name columns and the username).
_STEP_NAMES = _in_table_order(DossierStep, {"name"})
_ASSIGNEE_NAMES = _in_table_order(
    Dossier.assignee.field.related_model, {"username", "full_name", "organization_name", "first_name", "last_name"}
)


def _by_code(code: str) -> Dossier | None:
    """The dossier with this code, with its current step and its assignee, by one plain statement (Manager.raw,
    two LEFT JOINs on primary keys). The step and the assignee come with the columns shown of them; their other
    columns load when read, as with `only()`. Building the same query with select_related cost three times
    what running it did: most of a request that opens one dossier."""
    sql = _by_code_sql(connection.vendor)
    found = list(Dossier.objects.raw(sql, [code]))
    if not found:
        return None
    dossier = found[0]
    using = dossier._state.db
    if dossier.current_step_id is not None:
        values = [getattr(dossier, f"_step__{n}") for n in _STEP_NAMES]
        dossier.current_step = DossierStep.from_db(using, _STEP_NAMES, values)
    if dossier.assignee_id is not None:
        values = [getattr(dossier, f"_assignee__{n}") for n in _ASSIGNEE_NAMES]
        dossier.assignee = Dossier.assignee.field.related_model.from_db(using, _ASSIGNEE_NAMES, values)
    for n in _STEP_NAMES:
        del dossier.__dict__[f"_step__{n}"]
    for n in _ASSIGNEE_NAMES:
        del dossier.__dict__[f"_assignee__{n}"]
    return dossier


@functools.cache
def _by_code_sql(vendor: str) -> str:
    """The statement of _by_code, from the models' tables and columns (once per process and database kind)."""
    q = connection.ops.quote_name
    step = DossierStep._meta
    user = Dossier.assignee.field.related_model._meta
    dossier = Dossier._meta
    column = {f.name: f.column for f in dossier.concrete_fields}
    picked = [f"d.{q(f.column)}" for f in dossier.concrete_fields]
    picked += [f"s.{q(step.get_field(n).column)} AS {q('_step__' + n)}" for n in _STEP_NAMES]
    picked += [f"u.{q(user.get_field(n).column)} AS {q('_assignee__' + n)}" for n in _ASSIGNEE_NAMES]
    return (
        f"SELECT {', '.join(picked)} FROM {q(dossier.db_table)} d"  # noqa: S608 - names from the models
        f" LEFT JOIN {q(step.db_table)} s ON s.{q(step.pk.column)} = d.{q(column['current_step'])}"
        f" LEFT JOIN {q(user.db_table)} u ON u.{q(user.pk.column)} = d.{q(column['assignee'])}"
        f" WHERE d.{q(column['code'])} = %s"
    )


def with_catalogue(dossier: Dossier) -> Dossier:
    """The dossier with its procedure version (and procedure) and its two agencies set from the catalogue's
    memo (catalog.selectors.catalog_memo): shared instances, to read and never change."""
    from catalog.selectors import catalog_memo

    memo = dossier.__dict__["_catalog_memo"] = catalog_memo()  # for control_sheet (_memo_of)
    version = memo.versions([dossier.procedure_version_id]).get(dossier.procedure_version_id)
    agencies = memo.agencies([dossier.receiving_agency_id, dossier.competent_agency_id])
    if version is not None:
        dossier.procedure_version = version
    if dossier.receiving_agency_id in agencies:
        dossier.receiving_agency = agencies[dossier.receiving_agency_id]
    if dossier.competent_agency_id in agencies:
        dossier.competent_agency = agencies[dossier.competent_agency_id]
    return dossier


def _memo_of(dossier):
    """The catalogue's memo the dossier's rows were set from (with_catalogue), else the current one: one read
    of the catalogue's token per request where the authentication did not bring it (pages, SQLite)."""
    from catalog.selectors import catalog_memo

    return dossier.__dict__.get("_catalog_memo") or catalog_memo()


def dossier_reload(dossier) -> Dossier:
    """Fresh copy of a dossier the caller has just acted on (no permission check: see the caller)."""
    return _base().get(pk=dossier.pk)


def dossiers_for_applicant(user) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    return _base().filter(applicant=user).order_by("-created_at", "-id")


def _agency(agency_id):
    """An agency id as a bigint expression, for the scope's tests on the agency columns.

    The ORM writes an id as a bare literal (`= 2`, an integer), and the GIN index that serves a text
    search within an agency (migration 0006: the agency columns beside the trigrams, through btree_gin)
    only matches a value of the column's own type (bigint); its operator classes have no cross-type
    operators before PostgreSQL 18. The B-tree indexes serve either form.
    """
    return Cast(agency_id, BigIntegerField())


def official_scope(user) -> Q | None:
    """The Q of dossiers an official may see; None when they see none. Administrators see all."""
    if is_administrator(user):
        return Q()
    scope = Q()
    any_grant = False
    consult_agencies = set()
    for g in grants_for(user):
        if g.role not in DOSSIER_ROLES:
            continue
        any_grant = True
        consult_agencies.add(g.agency_id)
        if g.role == Role.ONE_STOP_OFFICER:
            scope |= Q(receiving_agency_id=_agency(g.agency_id))
        elif g.unit_id is None or g.role == Role.AGENCY_LEADER:
            scope |= Q(competent_agency_id=_agency(g.agency_id)) | Q(current_agency_id=_agency(g.agency_id))
        else:
            scope |= Q(current_agency_id=_agency(g.agency_id), current_unit_id=g.unit_id)
            scope |= Q(current_agency_id=_agency(g.agency_id), current_unit__isnull=True, current_role=g.role)
    if not any_grant:
        return None
    if any(
        g.unit_id is not None and g.role not in (Role.ONE_STOP_OFFICER, Role.AGENCY_LEADER)
        for g in grants_for(user)
        if g.role in DOSSIER_ROLES
    ):
        # A unit-scoped official also keeps what is assigned to them personally. (For agency-wide grants
        # the assignment is already inside the agency branch; leaving the OR out lets PostgreSQL walk the
        # (agency, due_at, id) index for the queue's order.)
        scope |= Q(assignee_id=user.pk)
    # Dossiers other agencies consulted us on. Resolved to ids first (a few at most), because an
    # EXISTS inside the OR would stop PostgreSQL from using the indexes of the other branches.
    # (No ordering: the model's would join the dossier table only to sort a handful of ids.)
    consulted = _open_consultations(sorted(consult_agencies))
    if consulted:
        scope |= Q(pk__in=consulted)
    return scope


def _open_consultations(agency_ids: list[int]) -> list[int]:
    """Ids of the dossiers (at most 500) on which one of these agencies was consulted and has not answered, by
    a plain statement: every queue and list of an official asks it, and the ORM took longer to build it than
    the database to answer it."""
    if not agency_ids:
        return []
    q = connection.ops.quote_name
    column = {f.name: q(f.column) for f in Consultation._meta.concrete_fields}
    marks = ", ".join(["%s"] * len(agency_ids))
    sql = (
        f"SELECT {column['dossier']} FROM {q(Consultation._meta.db_table)}"  # noqa: S608 - names from the model
        f" WHERE {column['agency']} IN ({marks}) AND {column['answered_at']} IS NULL LIMIT 500"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, agency_ids)
        return [row[0] for row in cursor.fetchall()]


def work_queue_for(
    user,
    *,
    status=None,
    due: str | None = None,
    unit=None,
    procedure=None,
    assignee=None,
    q: str | None = None,
    agency=None,
    late: bool | None = None,
) -> QuerySet:
    """An official's queue, filtered. Unknown filter values give an empty queue, never an error."""
    if not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    scope = official_scope(user)
    if scope is None:
        return Dossier.objects.none()
    qs = _base().filter(scope)
    if status:
        statuses = [
            s
            for s in (status if isinstance(status, list | tuple) else str(status).split(","))
            if s in DossierStatus.values
        ]
        qs = qs.filter(status__in=statuses) if statuses else qs.none()
    now = timezone.now()
    if due == "overdue":
        qs = qs.filter(status__in=sorted(CLOCK_RUNNING), due_at__lt=now)
    elif due == "soon":
        hours = int(getattr(settings, "DOSSIER_DUE_SOON_HOURS", 48))
        qs = qs.filter(status__in=sorted(CLOCK_RUNNING), due_at__gte=now, due_at__lt=now + timedelta(hours=hours))
    if late is not None:
        qs = qs.filter(is_late=late)
    if unit:
        qs = qs.filter(current_unit_id=_int(unit))
    if agency:
        a = _agency(_int(agency))
        qs = qs.filter(Q(receiving_agency_id=a) | Q(competent_agency_id=a) | Q(current_agency_id=a))
    if procedure:
        # Resolved to version ids first (a handful), so the filter is a plain column test that the
        # (agency, procedure_version, due_at) index serves instead of a join on the catalogue.
        value = str(procedure)
        versions = (
            ProcedureVersion.objects.filter(procedure_id=_int(value))
            if value.isdigit()
            else ProcedureVersion.objects.filter(procedure__code=value)
        )
        qs = qs.filter(procedure_version_id__in=list(versions.values_list("pk", flat=True)))
    if assignee:
        qs = qs.filter(assignee_id=user.pk if assignee == "me" else _int(assignee))
    if q:
        text = q.strip().upper()
        if DOSSIER_CODE_RE.match(text):
            qs = qs.filter(code=text)
        else:
            for term in fold_terms(q)[:6]:
                qs = qs.filter(search_text__contains=term)
    return qs.order_by("due_at", "id")


def next_pending_step(dossier, after_order: int | None = None) -> DossierStep | None:
    """The step a transfer or an approval starts: the first pending step after `after_order` (by default
    after the current step). The services move to it, and the officials offered for it come from here."""
    if after_order is None:
        after_order = dossier.current_step.order if dossier.current_step_id else 0
    return dossier.steps.filter(status=StepStatus.PENDING, order__gt=after_order).order_by("order", "id").first()


def next_holder_candidates(dossier) -> tuple[DossierStep | None, QuerySet]:
    """(the next step, the officials who may be named to hold it): the `to_user` a transfer or an
    approval accepts. The rule is the services' own check (directory.selectors.has_role on the step's role,
    agency and unit, a position without a unit covering the whole agency), read as a list through
    directory.selectors.officials_with_role. For the web's drop-down and the API alike."""
    from directory.models import User
    from directory.selectors import officials_with_role

    step = next_pending_step(dossier)
    if step is None:
        return None, User.objects.none()
    return step, officials_with_role(step.role, agency_id=step.agency_id, unit_id=step.unit_id)


def _int(value) -> int:
    """An id from a filter's text; -1 (matches nothing) when it is not a number a column can hold."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if is_row_id(number) else -1


def applicant_account(id_number: str | None, *, name: str = ""):
    """The citizen or business account a dossier registered at the desk is linked to when the desk asks
    for it (the person then follows it under "My dossiers"), or None when there is none to link.

    Anyone can register an account with another person's CCCD, so only an account whose identity was
    verified (directory: at a desk with the paper ID, or through VNeID) is linked; an unverified one only
    when the name the desk typed from the paper ID is the account's name. A number held by an account that
    fits neither is refused with a field error rather than linked or silently skipped.
    """
    from django.core.exceptions import ValidationError

    from directory.selectors import account_by_identifier, same_person_name

    number = (id_number or "").strip()
    if not number:
        return None
    account = account_by_identifier(number)
    if account is None or account.identity_verified_at is not None:
        return account
    if same_person_name(name, account.full_name or account.organization_name):
        return account
    raise ValidationError(
        {
            "link_account": "Tài khoản mang số định danh này chưa được xác minh và họ tên không khớp với họ tên "
            "đã nhập từ giấy tờ; không gắn hồ sơ vào tài khoản đó."
        }
    )


def hidden_from_applicant(dossier, kind: str) -> bool:
    """Whether a file or slip of this `kind` is kept from the applicant's view of their dossier.

    The result (file or slip) is theirs once it has been returned to them, not when it is attached or
    generated; the processing control sheet is an internal record of who did what. The web pages and
    the API apply the same rule.
    """
    return kind == "control_sheet" or (kind == "result" and dossier.status != DossierStatus.RETURNED)


def control_sheet(dossier) -> list[DossierStep]:
    """The dossier's steps in the order they were reached, each with its agency (from the catalogue's memo)
    and the officials who held and finished it (one query for both)."""
    from directory.models import User

    steps = rows_of(dossier, "steps", order=("received_at", "order", "id"))
    if not steps:
        return steps
    agencies = _memo_of(dossier).agencies({s.agency_id for s in steps})
    user_ids = {s.assignee_id for s in steps} | {s.finished_by_id for s in steps}
    user_ids.discard(None)
    users = User.objects.in_bulk(user_ids) if user_ids else {}
    for s in steps:
        if s.agency_id in agencies:
            s.agency = agencies[s.agency_id]
        if s.assignee_id:
            s.assignee = users[s.assignee_id]
        if s.finished_by_id:
            s.finished_by = users[s.finished_by_id]
    return steps


# The dossier register (sổ theo dõi hồ sơ, Thông tư 01/2018/TT-VPCP, mẫu 06) is kept by the one-stop desk of
# the agency that receives the dossiers; its desk officers and its leaders may print it.
REGISTER_ROLES = (Role.ONE_STOP_OFFICER, Role.AGENCY_LEADER, Role.UNIT_LEADER)
REGISTER_MAX_DAYS = 366


def register_agencies_for(user) -> list:
    """The agencies whose dossier register `user` may print (a desk or leader role there)."""
    from directory.models import Agency

    ids = {g.agency_id for g in grants_for(user) if g.role in REGISTER_ROLES}
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


def register_for(user, *, agency, date_from, date_to) -> list[Dossier]:
    """The dossiers `agency` received from `date_from` to `date_to` (Vietnam dates, both included), in the
    order of receipt, for its register. Raises PermissionDenied unless `user` holds a desk or leader role in
    that agency; never returns another agency's dossiers."""
    from datetime import datetime, time

    from django.core.exceptions import PermissionDenied

    if not any(g.agency_id == agency.pk and g.role in REGISTER_ROLES for g in grants_for(user)):
        raise PermissionDenied("Chỉ cán bộ một cửa và lãnh đạo của cơ quan được in sổ theo dõi hồ sơ.")
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(date_from, time.min), tz)
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), tz)
    rows = (
        Dossier.objects.filter(receiving_agency=agency, received_at__gte=start, received_at__lt=end)
        .select_related("procedure_version", "competent_agency")
        .prefetch_related("steps")
        .order_by("received_at", "id")
    )
    return list(rows)


# The order of a dossier's rows in each related table. The models' orderings begin with "dossier", which the
# ORM expands into the dossier's own ordering: a join on the dossier table in every query that reads the rows
# of one dossier. Within one dossier these give the same order without it.
RELATED_ORDER = {
    "files": ("kind", "id"),
    "slips": ("created_at", "id"),
    "supplement_requests": ("requested_at", "id"),
    "steps": ("order", "id"),
    "events": ("at", "id"),
    "consultations": ("asked_at", "id"),
}


def related(dossier, name: str) -> QuerySet:
    """`dossier.<name>.all()` in the model's order, read without a join on the dossier table."""
    return getattr(dossier, name).order_by(*RELATED_ORDER[name])


def rows_of(dossier, name: str, *, order: tuple[str, ...] | None = None, public_only: bool = False) -> list:
    """The rows of `related(dossier, name)` (in `order` if given), read by one plain statement (Manager.raw).

    The pages and the API of one dossier read five or six such small tables; building each query with the
    ORM cost several times what running it did (most of an official's dossier detail). `public_only`: the
    timeline's public events only.
    """
    model = getattr(Dossier, name).rel.related_model
    q = connection.ops.quote_name
    column = {f.name: f.column for f in model._meta.concrete_fields}
    where = f"{q(column['dossier'])} = %s"
    params = [dossier.pk]
    if public_only:
        where += f" AND {q(column['public'])} = %s"
        params.append(True)
    ordering = ", ".join(q(column[c]) for c in order or RELATED_ORDER[name])
    sql = f"SELECT * FROM {q(model._meta.db_table)} WHERE {where} ORDER BY {ordering}"  # noqa: S608 - names from the models
    return list(model.objects.raw(sql, params))


def related_rows(dossier, name: str, written=None) -> list:
    """`rows_of(dossier, name)`, or the rows a service has just written (`written`: a
    `services.Submitted`, whose rows cannot be anything else yet) when it has them."""
    held = written.rows(name) if written is not None else None
    return rows_of(dossier, name) if held is None else held


def consultations_of(dossier) -> list:
    """The dossier's consultations in the order they were asked (rows_of), each with its agency from the
    catalogue's memo (shared: read it, never change it) and its dossier set: no query beyond the plain one.
    The officials who asked and answered load only when read."""
    found = rows_of(dossier, "consultations")
    if found:
        agencies = _memo_of(dossier).agencies({c.agency_id for c in found})
        for c in found:
            c.dossier = dossier
            if c.agency_id in agencies:
                c.agency = agencies[c.agency_id]
    return found


def rating_of(dossier):
    """The applicant's rating of the dossier, or None. Only a returned dossier can have one (services.dossier_rate),
    and a returned dossier stays returned: for any other, no query."""
    if dossier.status != DossierStatus.RETURNED:
        return None
    model = Dossier.rating.related.related_model
    q = connection.ops.quote_name
    sql = f"SELECT * FROM {q(model._meta.db_table)} WHERE {q('dossier_id')} = %s"  # noqa: S608 - names from the models
    found = list(model.objects.raw(sql, [dossier.pk]))
    return found[0] if found else None


def timeline(dossier, *, public_only: bool) -> QuerySet:
    qs = related(dossier, "events")
    return qs.filter(public=True) if public_only else qs


LOOKUP_COLUMNS = (
    "code",
    "lookup_secret",
    "status",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "procedure_version__name",
    "receiving_agency__name",
    "is_late",
)


@functools.cache
def _lookup_sql() -> str:
    """The lookup's SQL, compiled by the ORM once per process (one indexed query on the unique code).

    The public lookup is the busiest anonymous endpoint; building the query each time cost more CPU
    than running it. The only parameter is the code (the `%s` placeholder the ORM leaves in place).
    """
    sql, params = Dossier.objects.filter(code="").values(*LOOKUP_COLUMNS).order_by()[:1].query.sql_with_params()
    assert params == ("",), params
    return sql


def _lookup_row(code: str):
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_lookup_sql(), [code])
            return cursor.fetchone()
    # PostgreSQL: a server-side prepared statement on this (persistent) connection, so the three-table
    # query is planned once per connection instead of on every lookup (planning took several times
    # longer than running it). Django's own cursor when the speed-up "db_backend" is off (core.speedups).
    with speedups.repeated_cursor(connection) as cursor:
        cursor.execute(_lookup_sql(), [code])
        return cursor.fetchone()


def public_lookup(code: str, secret: str) -> dict | None:
    """Status and dates of a dossier for anyone holding its code and receipt secret; no personal data."""
    code = (code or "").strip().upper()
    secret = (secret or "").strip().upper()
    if not code or not secret or len(code) > 60 or len(secret) > 16:
        return None
    values = _lookup_row(code)
    if values is None:
        return None
    row = dict(zip(LOOKUP_COLUMNS, values, strict=True))
    for name in ("submitted_at", "received_at", "due_at", "finished_at", "returned_at"):
        row[name] = _aware(row[name])
    if not hmac.compare_digest(row["lookup_secret"].encode(), secret.encode()):
        return None
    return {
        "code": row["code"],
        "procedure": row["procedure_version__name"],
        "receiving_agency": row["receiving_agency__name"],
        "status": row["status"],
        "status_label": str(DossierStatus(row["status"]).label),
        "national_status": DossierStatus.national_code(row["status"]),
        "submitted_at": row["submitted_at"],
        "received_at": row["received_at"],
        "due_at": row["due_at"],
        "finished_at": row["finished_at"],
        "returned_at": row["returned_at"],
        "is_late": bool(row["is_late"]),
    }


def _aware(value):
    """Raw cursors give aware datetimes on PostgreSQL, naive UTC ones (or text) on SQLite."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def consultations_for(user) -> QuerySet:
    agencies = {g.agency_id for g in grants_for(user) if g.role in DOSSIER_ROLES}
    return Consultation.objects.filter(agency_id__in=agencies).select_related("dossier", "agency")


def form_prefill_for(user, schema: dict | None) -> dict:
    """The online form's starting values from the signed-in applicant's own account (name, CCCD, address,
    phone… where the procedure's form has such fields, catalog.formschema.prefill_fields); empty ones left out."""
    from catalog.formschema import prefill_fields

    if not getattr(user, "is_authenticated", False):
        return {}
    values = {}
    for name, attribute in prefill_fields(schema).items():
        value = getattr(user, attribute, "") or ""
        if value:
            values[name] = str(value)
    return values
