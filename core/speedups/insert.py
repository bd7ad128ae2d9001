"""Speed-up "insert": new rows written together, a parent row and the rows that go with it, in one statement
on PostgreSQL.

A submission writes six new rows (the dossier, its files, its timeline entry, its national-sync outbox
row, the applicant's notifications). Through the ORM that is five INSERT statements, and each costs
the web process far more in Django's generic insert machinery than in the database: leaving out three
of them saved 2.0 ms of Python and 0.75 ms of PostgreSQL CPU per submission (`bench/dossiers_bench.py
--only cpu`). `insert_together()` sends them as one statement of data-modifying CTEs:

    WITH p AS (INSERT INTO parent (…) VALUES (…) RETURNING id),
         c0 AS (INSERT INTO child (parent_id, …) VALUES ((SELECT id FROM p), …), … RETURNING id),
         …
    SELECT (SELECT id FROM p), ARRAY(SELECT id FROM c0), …

The values are prepared by each field as the ORM prepares them (`pre_save(add=True)`, then
`get_db_prep_save`), so defaults, `auto_now` and JSON come out the same. They are the statement's
parameters, and the statement is a prepared statement of the connection (`prepared_cursor()` of
core.speedups.db_backend, when that speed-up is on): its text depends only on the shape (which models, how
many rows of each), so the server parses and plans a submission's statement once per connection. Parsing
and planning had cost it twice as much as running the statement (1.1 against 0.5 ms on the bench machine).
The statement is atomic: a failing row (a constraint, a foreign key) leaves none of them. On other databases (SQLite in
development), and with the speed-up off (`CQS_SPEEDUPS`, core/speedups), the same rows are written with
`save()` and one `bulk_create()` per model, inside the caller's transaction (`one_statement()` says which).

What the ORM would also do and this does not: `Model.save()` is not called, and no signal is sent. A
model whose class overrides `save()` must therefore say what its save does for a new row in a
`prepare_for_insert()` method; models that override `save()` without one are refused.

Two more things can go into the same statement, so that a whole state change is one round trip:

- a `Computed` text, worked out by the database before the rows (a dossier's code, from the number its
  agency's counter row gives): the rows hold a random placeholder where the text goes, and the statement
  puts the text in (`replace(%s, %s, ...)`, the value and the placeholder both parameters); afterwards
  the instances hold it too. On other databases `compute()`
  runs first, through the ORM, and the placeholders are filled in Python before the rows are saved.
- the parent's event of a hash-chained trail (`core.audit.pending()`), appended to its chain by the
  statement itself, or after the rows on the portable path. This module does not know the trail: the
  trail gives its two ways of appending with `set_event_trail()` when it is imported (core.audit).

One statement is one transaction: where `one_statement()` is true a caller that writes nothing else need not
open one. Otherwise call it inside the change's transaction.
"""

import dataclasses
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import CharField, Field, Model, TextField

from core import speedups

_SQL_CACHE: dict[tuple, tuple[list[str], str]] = {}


def _new_token() -> str:
    # Upper-case letters and digits: a token survives the case-folding of a search column as token.lower(),
    # and fits where a dossier code goes (URLs, subjects). Random, so no user's text holds it.
    return "QZ" + secrets.token_hex(12).upper()


@dataclass
class Computed:
    """A text the insert statement works out before its rows (a number taken from a counter row, say).

    On PostgreSQL `sql` (with `params`, `%s` placeholders) is the statement's first part: one statement
    giving one row whose column "value" is the text. On other databases `compute()` gives the same text
    through the ORM, inside the caller's transaction. In the rows (and the audit event) `token` stands
    for the text, and `token.lower()` for its lower-case form; after the insert, `value` holds the text and
    so do the instances.
    """

    sql: str
    params: list
    compute: Callable[[], str]
    token: str = dataclasses.field(default_factory=_new_token)
    value: str | None = None


@dataclass(frozen=True)
class EventTrail:
    """How a pending event is appended to its trail (set by core.audit): `append(event, object_id)` after the
    rows, in the caller's transaction; `in_statement_sql(event, new_id=, value_sql=, text_sql=)` the SQL that
    appends it inside the insert statement (an object with `ctes`, `returning` and `finish(answer, id)`)."""

    append: Callable
    in_statement_sql: Callable


_TRAIL: EventTrail | None = None


def set_event_trail(trail: EventTrail) -> None:
    global _TRAIL
    _TRAIL = trail


def _trail() -> EventTrail:
    if _TRAIL is None:
        raise RuntimeError("insert_together: an event was given but no trail is set (core.audit sets it)")
    return _TRAIL


def one_statement(using: str = "default") -> bool:
    """Whether `insert_together()` writes in one statement (atomic by itself) on this database."""
    return speedups.on("insert") and connections[using].vendor == "postgresql"


def _check(obj: Model) -> None:
    cls = type(obj)
    if cls._meta.parents:
        raise TypeError(f"insert_together: {cls.__name__} uses multi-table inheritance")
    if cls.save is not Model.save and not hasattr(cls, "prepare_for_insert"):
        raise TypeError(f"insert_together: {cls.__name__} overrides save() but has no prepare_for_insert()")
    if not obj._state.adding or obj.pk is not None:
        raise ValueError(f"insert_together: {cls.__name__} {obj.pk!r} is not a new row")
    if hasattr(obj, "prepare_for_insert"):
        obj.prepare_for_insert()


_COLUMNS: dict[type, list] = {}
_RELATIONS: dict[type, list] = {}


def _columns(model) -> list:
    """The columns an INSERT of a new row names (the ORM's choice: no auto primary key, no generated field)."""
    cols = _COLUMNS.get(model)
    if cols is None:
        opts = model._meta
        cols = _COLUMNS[model] = [
            f for f in opts.local_concrete_fields if f is not opts.auto_field and not getattr(f, "generated", False)
        ]
    return cols


def _relations(model) -> list:
    rels = _RELATIONS.get(model)
    if rels is None:
        rels = _RELATIONS[model] = [f for f in model._meta.concrete_fields if f.is_relation and f.many_to_one]
    return rels


def _parent_field(obj: Model, parent: Model):
    """The foreign key of `obj` that holds `parent` (assigned before the parent had its id), if any."""
    for field in _relations(type(obj)):
        if field.is_cached(obj) and field.get_cached_value(obj) is parent:
            return field
    return None


def _take_related_ids(obj: Model, link) -> None:
    """What save() checks first: a foreign key set to an unsaved instance is refused (the parent's link aside),
    and one set to an instance saved since then takes its id."""
    for field in _relations(type(obj)):
        if field is link or not field.is_cached(obj):
            continue
        related = field.get_cached_value(obj)
        if related is None:
            continue
        if related.pk is None:
            raise ValueError(
                f"insert_together() prohibited to prevent data loss due to unsaved related object '{field.name}'."
            )
        if getattr(obj, field.attname) in field.empty_values:
            setattr(obj, field.name, related)


def insert_together(
    parent: Model, rows: Sequence[Model] = (), *, using: str | None = None, computed: Computed | None = None, audit=None
) -> None:
    """Insert `parent` and `rows` (all new, unsaved instances), in one statement where the database allows.

    A row may refer to `parent` through a foreign key assigned the parent instance before it was saved;
    that column gets the parent's new id. Afterwards every instance has its primary key and is marked
    saved, as after `save()`. `computed` is a text the statement works out first (see `Computed`);
    `audit` the parent's pending event (`core.audit.pending()`), appended in the same statement.
    """
    using = using or router.db_for_write(type(parent), instance=parent)
    connection = connections[using]
    objs = [parent, *rows]
    for obj in objs:
        _check(obj)
    links = [_parent_field(obj, parent) for obj in rows]
    _take_related_ids(parent, None)
    for obj, link in zip(rows, links, strict=True):
        _take_related_ids(obj, link)
    if not one_statement(using):
        if computed is not None:
            computed.value = computed.compute()
            _fill([*objs, *([audit] if audit is not None else [])], computed)
        _insert_each(parent, rows, links, using)
        if audit is not None:
            _trail().append(audit, str(parent.pk))
        return
    groups: list[tuple[type, list[int]]] = []  # per model, in first-seen order: indexes into rows
    for i, obj in enumerate(rows):
        for model, members in groups:
            if model is type(obj) and links[members[0]] is links[i]:
                members.append(i)
                break
        else:
            groups.append((type(obj), [i]))
    key = (
        type(parent),
        computed and computed.sql,
        *((model, links[m[0]] and links[m[0]].attname, len(m)) for model, m in groups),
    )
    cached = _SQL_CACHE.get(key)
    if cached is None:
        ctes, picks = _statement(
            connection,
            type(parent),
            [(model, links[m[0]], len(m)) for model, m in groups],
            computed.sql if computed is not None else None,
        )
        cached = _SQL_CACHE[key] = (ctes.split("%s"), picks)
    pieces, picks = cached
    params = list(computed.params) if computed is not None else []
    owners: list | None = [None] * len(params) if computed is not None else None  # (instance, attname) per value
    params += _values(connection, parent, None, owners)
    for _model, members in groups:
        for i in members:
            params.extend(_values(connection, rows[i], links[i], owners))
    subs = (
        []
        if computed is None
        else [(computed.token, "(SELECT value FROM v)"), (computed.token.lower(), "lower((SELECT value FROM v))")]
    )
    bound: list = []
    sql, holders = _with_placeholders(pieces, params, subs, bound)
    appended = None
    if audit is not None:

        def value_sql(value) -> str:
            bound.append(value)
            return "%s"

        appended = _trail().in_statement_sql(
            audit,
            new_id=_PARENT_ID.format(pk=connection.ops.quote_name(type(parent)._meta.pk.column)),
            value_sql=value_sql,
            text_sql=lambda text: _text_sql(text, subs, bound),
        )
        sql += ", " + ", ".join(appended.ctes)
        picks = picks + ", " + ", ".join(appended.returning)
    with speedups.repeated_cursor(connection) as cursor:
        cursor.execute(f"{sql} SELECT {picks}", bound)
        answer = list(cursor.fetchone())
    if computed is not None:
        computed.value = answer.pop(0)
    _mark_saved(parent, answer[0], using)
    for (_model, members), ids in zip(groups, answer[1 : 1 + len(groups)], strict=True):
        if len(ids) != len(members):
            raise RuntimeError("insert_together: the database returned a different number of ids")
        for i, pk in zip(members, ids, strict=True):
            if links[i] is not None:
                setattr(rows[i], links[i].attname, parent.pk)
            _mark_saved(rows[i], pk, using)
    if appended is not None:
        appended.finish(answer[1 + len(groups) :], str(parent.pk))
    if computed is not None:  # the instances hold the text where the statement put it
        for i in holders:
            obj, attname = owners[i]
            obj.__dict__[attname] = _swap(obj.__dict__[attname], computed)
        if audit is not None:
            audit.object_repr = _swap(audit.object_repr, computed)


def _swap(x, computed: Computed):
    """`x` (a text or a JSON value) with the computed text where it holds the placeholder."""
    if isinstance(x, str):
        token, low = computed.token, computed.token.lower()
        return x.replace(token, computed.value).replace(low, computed.value.lower()) if token in x or low in x else x
    if isinstance(x, dict):
        return {k: _swap(v, computed) for k, v in x.items()}
    if isinstance(x, list):
        return [_swap(v, computed) for v in x]
    return x


def _fill(objs: Sequence[Model], computed: Computed) -> None:
    """Put the computed text where the instances hold its placeholder (texts and JSON values)."""
    for obj in objs:
        for f in type(obj)._meta.concrete_fields:
            current = obj.__dict__.get(f.attname)
            if isinstance(current, str | dict | list):
                obj.__dict__[f.attname] = _swap(current, computed)


def _with_placeholders(pieces: list[str], params: list, subs, bound: list) -> tuple[str, list[int]]:
    """The statement's text from its template (`pieces`: split at its placeholders) and the values that go
    with it, appended to `bound`; and the positions of the values that held a placeholder of `subs`.

    A value stays a parameter of its own. One that holds a placeholder of `subs` becomes `replace(%s, %s,
    ...)` with the value and the placeholder as parameters, so the text depends only on which values hold
    one, which is the same for every row of the same kind: the statement is prepared once per connection
    (core.speedups.db_backend) and then only bound and run. The template holds no "%" but its placeholders (table and
    column names are checked in `_statement`).
    """
    holders: list[int] = []
    if not subs:
        bound.extend(params)
        return "%s".join(pieces), holders
    from psycopg.types.json import Json, Jsonb

    token, low = subs[0][0], subs[1][0]
    out = [pieces[0]]
    for i, p in enumerate(params):
        kind = type(p)
        if kind is str and (token in p or low in p):
            holders.append(i)
            out.append(_text_sql(p, subs, bound))
        elif kind is Jsonb or kind is Json:
            text = (p.dumps or json.dumps)(p.obj)
            if token in text or low in text:
                holders.append(i)
                out.append("(" + _text_sql(text, subs, bound) + (")::jsonb" if kind is Jsonb else ")::json"))
            else:
                bound.append(p)
                out.append("%s")
        else:
            bound.append(p)
            out.append("%s")
        out.append(pieces[i + 1])
    return "".join(out), holders


def _text_sql(text: str, subs, bound: list) -> str:
    """The SQL of a text value, its parameters appended to `bound`: a placeholder, wrapped in replace() for each
    placeholder of `subs` the text holds."""
    bound.append(text)
    sql = "%s"
    for token, replacement in subs:
        if token in text:
            bound.append(token)
            sql = f"replace({sql}, %s, {replacement})"
    return sql


_PARENT_ID = "(SELECT {pk} FROM p)"


def _statement(connection, parent_model, groups, computed_sql: str | None) -> tuple[str, str]:
    """(the WITH part, the answer's columns): the parent's and rows' inserts as common table expressions."""
    # Only quoted table and column names from the models' metadata go into the text; values are parameters.
    qn = connection.ops.quote_name
    for model in [parent_model, *(g[0] for g in groups)]:
        if "%" in model._meta.db_table + "".join(f.column for f in model._meta.concrete_fields):
            raise ValueError(f"insert_together: a table or column name of {model.__name__} holds '%'")
    pk = qn(parent_model._meta.pk.column)
    parent_id = _PARENT_ID.format(pk=pk)

    def insert(model, link, count: int) -> str:
        cols = _columns(model)
        one = "(" + ", ".join(parent_id if f is link else "%s" for f in cols) + ")"
        names = ", ".join(qn(f.column) for f in cols)
        table, returning = qn(model._meta.db_table), qn(model._meta.pk.column)
        return f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * count)} RETURNING {returning}"  # noqa: S608

    parts = [f"v AS ({computed_sql})"] if computed_sql is not None else []
    parts += [f"p AS ({insert(parent_model, None, 1)})"]
    parts += [f"c{n} AS ({insert(model, link, count)})" for n, (model, link, count) in enumerate(groups)]
    picks = ["(SELECT value FROM v)"] if computed_sql is not None else []
    picks += [parent_id]
    picks += [
        f"ARRAY(SELECT {qn(model._meta.pk.column)} FROM c{n})"  # noqa: S608
        for n, (model, _link, _count) in enumerate(groups)
    ]
    return f"WITH {', '.join(parts)}", ", ".join(picks)


_PLANS: dict[tuple, list] = {}


def _plan(model, connection) -> list:
    """Per column of `_columns(model)`: (field, attname, own_pre_save, text_as_is, none_as_is).

    Shortcuts for the commonest values, each the same as the field's own preparation: `pre_save()` of
    Django's base Field is the attribute itself; a text field that keeps Django's text preparation stores a
    str as it is; a nullable field whose preparation turns None into None (asked once, here) stores None.
    A submission's rows have about ninety values and most are texts or None.
    """
    key = (model, connection.alias)
    plan = _PLANS.get(key)
    if plan is None:
        plan = []
        for f in _columns(model):
            cls = type(f)
            text_as_is = (
                isinstance(f, CharField | TextField)
                and cls.get_db_prep_save is Field.get_db_prep_save
                and cls.get_db_prep_value is Field.get_db_prep_value
                and cls.get_prep_value in (CharField.get_prep_value, TextField.get_prep_value)
                and cls.to_python in (CharField.to_python, TextField.to_python)
            )
            none_as_is = f.null and f.get_db_prep_save(None, connection=connection) is None
            plan.append((f, f.attname, cls.pre_save is not Field.pre_save, text_as_is, none_as_is))
        _PLANS[key] = plan
    return plan


def _values(connection, obj: Model, link, owners: list | None = None) -> list:
    """The prepared values of `obj`'s columns (less `link`); `owners` gets (obj, attname) for each."""
    values = []
    for field, attname, own_pre_save, text_as_is, none_as_is in _plan(type(obj), connection):
        if field is link:
            continue
        value = field.pre_save(obj, True) if own_pre_save else getattr(obj, attname)
        if value is None and none_as_is:
            values.append(None)
        elif text_as_is and type(value) is str:
            values.append(value)
        else:
            if hasattr(value, "resolve_expression"):
                raise TypeError(f"insert_together: {type(obj).__name__}.{field.name} holds an expression")
            values.append(field.get_db_prep_save(value, connection=connection))
        if owners is not None:
            owners.append((obj, attname))
    return values


def _mark_saved(obj: Model, pk, using: str) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using


def _insert_each(parent: Model, rows: Sequence[Model], links, using: str) -> None:
    """The portable path: the ORM's own inserts, the parent first, then one bulk insert per model."""
    Model.save_base(parent, using=using, force_insert=True)
    by_model: dict[type, list[Model]] = {}
    for obj, link in zip(rows, links, strict=True):
        if link is not None:
            setattr(obj, link.attname, parent.pk)
        by_model.setdefault(type(obj), []).append(obj)
    for model, objs in by_model.items():
        model._base_manager.using(using).bulk_create(objs)
