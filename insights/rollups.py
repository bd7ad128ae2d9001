"""The index's rollups: per-dossier and per-report facts, and their daily sums, kept current and rebuilt.

- Live: the dossiers and feedback apps send `dossier_changed` / `report_changed` inside a change's transaction
  (their own signals; they never import insights). insights.apps marks the records pending in the same
  transaction (`mark_pending`: one insert, no extra commit, gone with the change if it rolls back) and queues
  the task `drain` after the commit. `drain()` takes the pending records in batches (FOR UPDATE SKIP LOCKED on
  PostgreSQL, so several workers share them), computes their facts again (facts.py), adds the difference with
  the stored ones to the daily rows (an upsert that adds, so concurrent batches never overwrite each other),
  replaces the facts and removes the pending rows, in one transaction per batch. A record whose facts did not
  change writes no rollup. A change that commits while its record is being drained waits for that batch
  (the unique pending row) and is drained again after it.
- Rebuild: `rebuild()` (`manage.py insights_rebuild`) computes every fact and daily row again from the source
  tables in one transaction, by the same query definitions; readers see the old or the new figures.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from dossiers.models import Dossier
from feedback.models import Report

from .facts import DOSSIER_FACT_COLUMNS, REPORT_FACT_COLUMNS, dossier_facts, report_facts, strip
from .models import ROLLUP_COUNTERS, DailyRollup, DossierFact, FeedbackFact, MonthlyRollup, PendingChange

Key = tuple[dt.date, int, int]
FEEDBACK_FIELD = 0  # the field_id of the daily rows of feedback reports


def dossier_contributions(f: dict) -> dict[Key, Counter]:
    """The counters one dossier's facts add, per (day, agency, field). Each counter is bucketed by its own
    date: reception for the reception ratios, finishing for on time and satisfaction, return for results."""
    out: dict[Key, Counter] = defaultdict(Counter)
    agency, field = f["agency_id"], f["field_id"]
    c = out[(f["received_on"], agency, field)]
    c["received"] += 1
    c["synced"] += f["synced"]
    c["eligible"] += f["eligible"]
    c["online"] += f["online"]
    c["fee_bearing"] += f["fee_bearing"]
    c["paid_online"] += f["fee_bearing"] and f["paid_online"]
    c["digitised"] += f["digitised"]
    c["reused"] += f["reused"]
    if f["finished_on"] is not None:
        c = out[(f["finished_on"], agency, field)]
        c["finished"] += 1
        c["on_time"] += f["on_time"]
        c["multi_supplement"] += f["multi_supplement"]
        c["satisfied"] += f["on_time"] and not f["dissatisfied"]
    if f["returned_on"] is not None:
        c = out[(f["returned_on"], agency, field)]
        c["returned"] += 1
        c["e_result"] += f["e_result"]
    return out


def report_contributions(f: dict) -> dict[Key, Counter]:
    c: Counter = Counter()
    c["fb_handled"] = 1
    c["fb_on_time"] = int(f["on_time"])
    c["fb_satisfied"] = int(not f["dissatisfied"])
    return {(f["handled_on"], f["agency_id"], FEEDBACK_FIELD): c}


def _apply(delta: dict[Key, Counter]) -> None:
    """Add `delta` to the daily rows and to the monthly ones."""
    monthly: dict[Key, Counter] = defaultdict(Counter)
    for (day, agency, field), c in delta.items():
        monthly[(day.replace(day=1), agency, field)].update(c)
    _upsert(DailyRollup, "day", delta)
    _upsert(MonthlyRollup, "month", monthly)


def _upsert(model, date_column: str, delta: dict[Key, Counter]) -> None:
    """One INSERT … ON CONFLICT DO UPDATE that adds (PostgreSQL and SQLite alike)."""
    rows = [(k, c) for k, c in delta.items() if any(c.values())]
    if not rows:
        return
    table = model._meta.db_table
    cols = ", ".join(ROLLUP_COUNTERS)
    placeholders = ", ".join(["%s"] * (3 + len(ROLLUP_COUNTERS)))
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in ROLLUP_COUNTERS)
    params: list = []
    for (day, agency, field), c in sorted(rows):
        params += [day, agency, field, *(int(c[name]) for name in ROLLUP_COUNTERS)]
    values = ", ".join([f"({placeholders})"] * len(rows))
    with connection.cursor() as cur:
        # names from the model, values as parameters
        sql = f"INSERT INTO {table} ({date_column}, agency_id, field_id, {cols}) VALUES {values} "  # noqa: S608
        cur.execute(sql + f"ON CONFLICT ({date_column}, agency_id, field_id) DO UPDATE SET {sets}", params)


def _fact_dict(obj, columns: Iterable[str]) -> dict:
    return {c: getattr(obj, c) for c in columns}


def mark_pending(kind: str, ids: Iterable[int]) -> bool:
    """Note records whose facts must be computed again (inside the caller's transaction); one statement."""
    rows = [PendingChange(kind=kind, object_id=i) for i in set(ids)]
    PendingChange.objects.bulk_create(rows, ignore_conflicts=True)
    return bool(rows)


def drain(batch: int = 1000) -> int:
    """Compute again every pending record, `batch` at a time; returns how many were taken."""
    done = 0
    while True:
        with transaction.atomic():
            qs = PendingChange.objects.order_by("pk")
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            taken = list(qs.values_list("pk", "kind", "object_id")[:batch])
            if not taken:
                return done
            _refresh_dossiers([o for _, k, o in taken if k == "dossier"])
            _refresh_reports([o for _, k, o in taken if k == "report"])
            PendingChange.objects.filter(pk__in=[pk for pk, _, _ in taken]).delete()
        done += len(taken)


def _refresh(ids, *, model, facts, columns, key: str, contributions) -> int:
    ids = sorted(set(ids))
    if not ids:
        return 0
    old = {f.pk: _fact_dict(f, columns) for f in model.objects.filter(pk__in=ids)}
    new = {r[key]: r for r in map(strip, facts)}
    changed = [i for i in ids if old.get(i) != new.get(i)]
    if not changed:
        return 0
    delta: dict[Key, Counter] = defaultdict(Counter)
    for i in changed:
        if i in old:
            for k, c in contributions(old[i]).items():
                delta[k].subtract(c)
        if i in new:
            for k, c in contributions(new[i]).items():
                delta[k].update(c)
    _apply(delta)
    model.objects.filter(pk__in=[i for i in changed if i in old]).delete()
    model.objects.bulk_create([model(**new[i]) for i in changed if i in new])
    return len(changed)


def _refresh_dossiers(ids: list[int]) -> int:
    if not ids:
        return 0
    return _refresh(
        ids,
        model=DossierFact,
        facts=dossier_facts(Dossier.objects.filter(pk__in=ids)),
        columns=DOSSIER_FACT_COLUMNS,
        key="dossier_id",
        contributions=dossier_contributions,
    )


def _refresh_reports(ids: list[int]) -> int:
    if not ids:
        return 0
    return _refresh(
        ids,
        model=FeedbackFact,
        facts=report_facts(Report.objects.filter(pk__in=ids)),
        columns=REPORT_FACT_COLUMNS,
        key="report_id",
        contributions=report_contributions,
    )


def refresh_dossiers(ids: Iterable[int]) -> int:
    """Bring the facts and daily rows of these dossiers up to date now; returns how many facts changed. (The
    live upkeep goes through `drain`; this is for callers that hold no pending rows, such as the benchmark's
    clean-up.)"""
    with transaction.atomic():
        return _refresh_dossiers(list(ids))


def _insert_select(model, columns: tuple[str, ...], qs) -> int:
    sql, params = qs.query.sql_with_params()
    cols = ", ".join(columns)  # the facts' column names are the model's database columns
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {model._meta.db_table} ({cols}) {sql}", params)
        return int(cur.rowcount)


def _as_int(expr: str) -> str:
    return f"CASE WHEN {expr} THEN 1 ELSE 0 END"


def _rollup_sql() -> str:
    """The daily rows as sums of the facts: one SELECT per bucketing date, added up per key."""
    facts, ffacts = DossierFact._meta.db_table, FeedbackFact._meta.db_table
    zero = dict.fromkeys(ROLLUP_COUNTERS, "0")

    def part(source: str, day: str, field: str, where: str, values: dict[str, str]) -> str:
        cols = {**zero, **values}
        select = ", ".join(f"{cols[c]} AS {c}" for c in ROLLUP_COUNTERS)
        sql = f"SELECT {day} AS day, agency_id, {field} AS field_id, {select} FROM {source}"  # noqa: S608
        return sql + (f" WHERE {where}" if where else "")

    parts = [
        part(
            facts,
            "received_on",
            "field_id",
            "",
            {
                "received": "1",
                "synced": _as_int("synced"),
                "eligible": _as_int("eligible"),
                "online": _as_int("online"),
                "fee_bearing": _as_int("fee_bearing"),
                "paid_online": _as_int("fee_bearing AND paid_online"),
                "digitised": _as_int("digitised"),
                "reused": _as_int("reused"),
            },
        ),
        part(
            facts,
            "finished_on",
            "field_id",
            "finished_on IS NOT NULL",
            {
                "finished": "1",
                "on_time": _as_int("on_time"),
                "multi_supplement": _as_int("multi_supplement"),
                "satisfied": _as_int("on_time AND NOT dissatisfied"),
            },
        ),
        part(
            facts,
            "returned_on",
            "field_id",
            "returned_on IS NOT NULL",
            {"returned": "1", "e_result": _as_int("e_result")},
        ),
        part(
            ffacts,
            "handled_on",
            str(FEEDBACK_FIELD),
            "",
            {"fb_handled": "1", "fb_on_time": _as_int("on_time"), "fb_satisfied": _as_int("NOT dissatisfied")},
        ),
    ]
    sums = ", ".join(f"SUM({c})" for c in ROLLUP_COUNTERS)
    insert = f"INSERT INTO {DailyRollup._meta.db_table} (day, agency_id, field_id, {', '.join(ROLLUP_COUNTERS)}) "
    select = f"SELECT day, agency_id, field_id, {sums} FROM ({' UNION ALL '.join(parts)}) AS parts "  # noqa: S608
    return insert + select + "GROUP BY day, agency_id, field_id"


def _rebuild_monthly() -> int:
    """The monthly rows as sums of the daily ones (a few thousand rows: summed here, written in one batch)."""
    sums: dict[Key, Counter] = defaultdict(Counter)
    for row in DailyRollup.objects.values("day", "agency_id", "field_id", *ROLLUP_COUNTERS).iterator(chunk_size=20000):
        c = sums[(row["day"].replace(day=1), row["agency_id"], row["field_id"])]
        for name in ROLLUP_COUNTERS:
            c[name] += row[name]
    MonthlyRollup.objects.bulk_create(
        [
            MonthlyRollup(month=m, agency_id=a, field_id=f, **{n: c[n] for n in ROLLUP_COUNTERS})
            for (m, a, f), c in sums.items()
        ],
        batch_size=2000,
    )
    return len(sums)


def rebuild(*, log=None) -> dict[str, int]:
    """Compute every fact and daily row again from the source tables, in one transaction."""
    import time

    say = log or (lambda text: None)
    counts: dict[str, int] = {}
    with transaction.atomic():
        t0 = time.perf_counter()
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                # room for the hash joins and aggregates over millions of rows, for this transaction only
                cur.execute("SET LOCAL work_mem = '256MB'")
        for model in (DailyRollup, MonthlyRollup, DossierFact, FeedbackFact):
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute(f"TRUNCATE {model._meta.db_table}")
            else:
                model.objects.all().delete()
        # On PostgreSQL the facts' secondary indexes are built once after the insert, not kept up row by row.
        fact_indexes = [(m, i) for m in (DossierFact, FeedbackFact) for i in m._meta.indexes]
        if connection.vendor == "postgresql":
            with connection.schema_editor() as editor:
                for model, index in fact_indexes:
                    editor.remove_index(model, index)
        counts["dossier_facts"] = _insert_select(DossierFact, DOSSIER_FACT_COLUMNS, dossier_facts())
        say(f"dossier facts: {counts['dossier_facts']:,} in {time.perf_counter() - t0:.1f} s")
        t1 = time.perf_counter()
        counts["report_facts"] = _insert_select(FeedbackFact, REPORT_FACT_COLUMNS, report_facts())
        say(f"feedback facts: {counts['report_facts']:,} in {time.perf_counter() - t1:.1f} s")
        if connection.vendor == "postgresql":
            t1 = time.perf_counter()
            with connection.schema_editor() as editor:
                for model, index in fact_indexes:
                    editor.add_index(model, index)
            say(f"facts' indexes built in {time.perf_counter() - t1:.1f} s")
        t2 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(_rollup_sql())
            counts["daily_rows"] = cur.rowcount
        say(f"daily rows: {counts['daily_rows']:,} in {time.perf_counter() - t2:.1f} s")
        counts["monthly_rows"] = _rebuild_monthly()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        t3 = time.perf_counter()
        with connection.cursor() as cur:
            for model in (DailyRollup, MonthlyRollup, DossierFact, FeedbackFact):
                # statistics for the planner, and the visibility map for index-only scans (outside the transaction)
                cur.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
        say(f"vacuum and statistics in {time.perf_counter() - t3:.1f} s")
    return counts
