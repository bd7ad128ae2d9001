"""New rows written together: a parent row and the rows that go with it, in one statement on PostgreSQL.

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
`get_db_prep_save`), so defaults, `auto_now` and JSON come out the same. The statement is atomic: a
failing row (a constraint, a foreign key) leaves none of them. On other databases (SQLite in
development) the same rows are written with `save()` and one `bulk_create()` per model.

What the ORM would also do and this does not: `Model.save()` is not called, and no signal is sent. A
model whose class overrides `save()` must therefore say what its save does for a new row in a
`prepare_for_insert()` method; models that override `save()` without one are refused.
"""

from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model

_SQL_CACHE: dict[tuple, str] = {}


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
        cols = _COLUMNS[model] = [f for f in opts.local_concrete_fields
                                  if f is not opts.auto_field and not getattr(f, "generated", False)]
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
            raise ValueError(f"insert_together() prohibited to prevent data loss due to unsaved related object "
                             f"'{field.name}'.")
        if getattr(obj, field.attname) in field.empty_values:
            setattr(obj, field.name, related)


def insert_together(parent: Model, rows: Sequence[Model] = (), *, using: str | None = None) -> None:
    """Insert `parent` and `rows` (all new, unsaved instances), in one statement where the database allows.

    A row may refer to `parent` through a foreign key assigned the parent instance before it was saved;
    that column gets the parent's new id. Afterwards every instance has its primary key and is marked
    saved, as after `save()`. Call it inside the change's transaction.
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
    if connection.vendor != "postgresql":
        _insert_each(parent, rows, links, using)
        return
    groups: list[tuple[type, list[int]]] = []  # per model, in first-seen order: indexes into rows
    for i, obj in enumerate(rows):
        for model, members in groups:
            if model is type(obj) and links[members[0]] is links[i]:
                members.append(i)
                break
        else:
            groups.append((type(obj), [i]))
    key = (type(parent), *((model, links[m[0]] and links[m[0]].attname, len(m)) for model, m in groups))
    sql = _SQL_CACHE.get(key)
    if sql is None:
        sql = _SQL_CACHE[key] = _statement(connection, type(parent), [(model, links[m[0]], len(m))
                                                                      for model, m in groups])
    params = _values(connection, parent, None)
    for _model, members in groups:
        for i in members:
            params.extend(_values(connection, rows[i], links[i]))
    with connection.cursor() as cursor:
        cursor.execute(_with_literals(connection, sql, params))
        answer = cursor.fetchone()
    _mark_saved(parent, answer[0], using)
    for (_model, members), ids in zip(groups, answer[1:], strict=True):
        if len(ids) != len(members):
            raise RuntimeError("insert_together: the database returned a different number of ids")
        for i, pk in zip(members, ids, strict=True):
            if links[i] is not None:
                setattr(rows[i], links[i].attname, parent.pk)
            _mark_saved(rows[i], pk, using)


def _with_literals(connection, template: str, params: list) -> str:
    """The statement with its values quoted in, as psycopg's client-side binding (Django's default) does.

    psycopg caches how it splits a statement at its placeholders only up to 50 parameters and 4 KB of text;
    this one is longer, and splitting it anew took a quarter of the call. The template is split once here
    (it holds no "%" but its placeholders: table and column names are checked in `_statement`), and each
    value is quoted by the connection's own adapters.
    """
    from psycopg.adapt import Transformer

    raw = connection.connection
    tx = Transformer(raw)
    literals = tuple(b"NULL" if p is None else tx.as_literal(p) for p in params)
    encoding = raw.info.encoding
    return (template.encode(encoding) % literals).decode(encoding)


def _statement(connection, parent_model, groups) -> str:
    # Only quoted table and column names from the models' metadata go into the text; values are parameters.
    qn = connection.ops.quote_name
    for model in [parent_model, *(g[0] for g in groups)]:
        if "%" in model._meta.db_table + "".join(f.column for f in model._meta.concrete_fields):
            raise ValueError(f"insert_together: a table or column name of {model.__name__} holds '%'")
    pk = qn(parent_model._meta.pk.column)
    parent_id = f"(SELECT {pk} FROM p)"  # noqa: S608

    def insert(model, link, count: int) -> str:
        cols = _columns(model)
        one = "(" + ", ".join(parent_id if f is link else "%s" for f in cols) + ")"
        names = ", ".join(qn(f.column) for f in cols)
        table, returning = qn(model._meta.db_table), qn(model._meta.pk.column)
        return f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * count)} RETURNING {returning}"  # noqa: S608

    parts = [f"p AS ({insert(parent_model, None, 1)})"]
    parts += [f"c{n} AS ({insert(model, link, count)})" for n, (model, link, count) in enumerate(groups)]
    picks = [parent_id]
    picks += [f"ARRAY(SELECT {qn(model._meta.pk.column)} FROM c{n})"  # noqa: S608
              for n, (model, _link, _count) in enumerate(groups)]
    return f"WITH {', '.join(parts)} SELECT {', '.join(picks)}"


def _values(connection, obj: Model, link) -> list:
    values = []
    for field in _columns(type(obj)):
        if field is link:
            continue
        value = field.pre_save(obj, True)
        if hasattr(value, "resolve_expression"):
            raise TypeError(f"insert_together: {type(obj).__name__}.{field.name} holds an expression")
        values.append(field.get_db_prep_save(value, connection=connection))
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
