"""Summary deltas: what a report change adds to the summary rows, appended to a delta table
(monitoring.models.DELTAS) instead of updating a row every filing in the country shares, and
folded into the rows every few seconds (the beat task ``monitoring.tasks.fold_summaries``, and
on demand: ``manage.py fold_summaries``, and before ``rebuild_summaries --check``).

Correct with filings and other folds running beside it: on PostgreSQL one statement per table
deletes the deltas it can see and adds their sums into the rows (``WITH moved AS (DELETE ...
RETURNING ...) INSERT ... ON CONFLICT``, keys sorted), in one transaction. A delta committed
after the statement started is left for the next fold; a second fold waits on the rows the
first is deleting and then skips them, so every delta is added exactly once. Readers add the
remaining deltas to the rows in the same statement (``with_deltas``), so they never see a
delta twice or miss one."""

import datetime as dt
import json

from django.db import connection, transaction

from core import gathered

from .models import DELTAS, DURATION_KEY, KEY, Duration, SkmSummary, Summary, WeeklyCount

WEEKLY_KEY = ["week", "province", "regency", "category"]
SKM_KEY = ["period", "start", "province", "owner", "category"]
# Per summary table: (its key columns, its added-up columns).
COLUMNS = {
    Summary: (KEY, [f.name for f in Summary._meta.concrete_fields if f.name not in (*KEY, "id")]),
    Duration: (DURATION_KEY, ["n"]),
    WeeklyCount: (WEEKLY_KEY, ["n"]),
    SkmSummary: (SKM_KEY, ["n", *(f"s{i}" for i in range(1, 10))]),
}


def _day(value) -> str:
    """The dates of a delta's key (start, week), as JSON text PostgreSQL reads back."""
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a delta value")


def columns(model) -> tuple[list[str], list[str]]:
    return COLUMNS[model]


def append(model, rows: list[tuple]) -> None:
    """Appends ``rows`` (key values then measures, in ``columns(model)`` order) to the model's
    delta table: one plain INSERT, no conflict clause, no shared row touched."""
    if not rows:
        return
    key, measures = columns(model)
    names = [*key, *measures]
    table = DELTAS[model]._meta.db_table
    if connection.vendor == "postgresql":
        # The rows as one JSON value: the statement text never changes, so it is parsed once,
        # and one parameter is dumped in C (an array per column was dumped value by value by
        # psycopg in Python: 0.45 of 6.6 s under cProfile, 300 API filings).
        listed = ", ".join(names)
        sql = (
            f"INSERT INTO {table} ({listed}) SELECT {listed} "  # noqa: S608
            f"FROM json_populate_recordset(NULL::{table}, %s::json)"
        )
        params = [json.dumps([dict(zip(names, row, strict=True)) for row in rows], default=_day)]
    else:
        placeholders = "(" + ", ".join(["%s"] * len(names)) + ")"
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES "  # noqa: S608
        sql += ", ".join([placeholders] * len(rows))
        params = [value for row in rows for value in row]
    gathered.write(sql, params)  # table and column names are ours; with a filing's statement


def fold() -> dict[str, int]:
    """Adds every visible delta into its summary row and deletes exactly those deltas, in one
    transaction. Returns {table: summary rows written}."""
    written = {}
    with transaction.atomic():
        for model in DELTAS:
            written[model._meta.db_table] = _fold(model)
    return written


def _fold(model) -> int:
    key, measures = columns(model)
    table, delta = model._meta.db_table, DELTAS[model]._meta.db_table
    names = ", ".join([*key, *measures])
    keys = ", ".join(key)
    sums = ", ".join(f"sum({m})" for m in measures)
    updates = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in measures)
    upsert = f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH moved AS (DELETE FROM {delta} RETURNING {names}) "  # noqa: S608
                f"INSERT INTO {table} ({names}) SELECT {keys}, {sums} FROM moved "
                f"GROUP BY {keys} ORDER BY {keys} {upsert}"
            )
            return cursor.rowcount
        # SQLite (development): one writer at a time, so read, add and delete by id.
        cursor.execute(f"SELECT max(id) FROM {delta}")  # noqa: S608
        last = cursor.fetchone()[0]
        if last is None:
            return 0
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {keys}, {sums} FROM {delta} "  # noqa: S608
            f"WHERE id <= %s GROUP BY {keys} ORDER BY {keys} {upsert}",
            [last],
        )
        count = cursor.rowcount
        cursor.execute(f"DELETE FROM {delta} WHERE id <= %s", [last])  # noqa: S608
        return count


def with_deltas(model, build):
    """``build(manager)`` for the rows and for their unfolded deltas, as one UNION ALL
    statement (the caller adds the parts up): figures exact whatever fold commits meanwhile.
    ``build`` returns a values() queryset; both parts must select the same columns."""
    rows = build(model.objects)
    return rows.union(build(DELTAS[model].objects), all=True)
