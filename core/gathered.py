"""Writes gathered into one statement: a filing's report, its audit event, its outbox row and
its summary deltas go to PostgreSQL as one INSERT with data-modifying WITH clauses instead of
one round trip each (issue 20; bench/bench_filing_path.py has the figures).

Inside ``gathered()``, a write made with ``write()`` is held; when the block ends the held
writes are sent as one statement (``WITH w0 AS (INSERT ...), w1 AS (INSERT ...) SELECT ...``),
and each write's ``then`` callback gets the first row of its RETURNING clause (or None). One
statement is atomic on its own, and inside the caller's transaction it is part of it. Any other
statement on the connection while writes are held (a receiver that saves through the ORM or
reads a row, a savepoint or its rollback) first sends what is held, then runs as usual: the
order of statements never changes, so no row is written before the rows it refers to and no
read misses a held write.

Outside ``gathered()`` (and on other databases) ``write()`` runs the statement at once.

Rows written this way name their id themselves (``next_ids``, ``insert``): a statement whose
parts refer to each other's ids needs them before it is sent."""

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import JSONField
from django.db.models.expressions import DatabaseDefault


@dataclass
class _Held:
    parts: list[tuple[str, list, Callable | None]] = field(default_factory=list)
    sending: bool = False


_held: ContextVar[_Held | None] = ContextVar("gathered_writes", default=None)


@contextmanager
def gathered():
    """Holds the writes made with ``write()`` in the block and sends them as one statement at
    its end (nothing is sent if the block raises)."""
    if connection.vendor != "postgresql" or _held.get() is not None:
        yield
        return
    held = _Held()
    token = _held.set(held)
    try:
        with connection.execute_wrapper(_send_first(held)):
            yield
            _send(held)
    finally:
        _held.reset(token)


def write(
    sql: str,
    params: list,
    then: Callable | None = None,
    lead: tuple[str, str, list] | None = None,
) -> None:
    """Runs ``sql`` (one INSERT, UPDATE or DELETE; with a RETURNING clause of one column when
    ``then`` is given), now or as part of the gathered statement. ``then(row)`` gets the first
    row it returned, or None.

    ``lead``: (name, sql, params) of a data-modifying statement whose RETURNING rows ``sql``
    reads as ``{lead}``: a WITH clause of that name when run at once, a clause of the gathered
    statement otherwise (WITH clauses do not nest)."""
    held = _held.get()
    if held is not None:
        if lead is not None:
            name = f"w{len(held.parts)}"
            held.parts.append((lead[1], list(lead[2]), None))
            sql = sql.format(lead=name)
        held.parts.append((sql, list(params), then))
        return
    if lead is not None:
        name, lead_sql, lead_params = lead
        sql, params = (
            f"WITH {name} AS ({lead_sql}) {sql.format(lead=name)}",
            [*lead_params, *params],
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone() if then is not None else None
    if then is not None:
        then(row)


def _send(held: _Held) -> None:
    parts, held.parts = held.parts, []
    if not parts:
        return
    if len(parts) == 1:
        sql, params, then = parts[0]
        returning = [then] if then is not None else []
    else:
        clauses = [f"w{i} AS ({sql})" for i, (sql, _params, _then) in enumerate(parts)]
        picks = [f"(SELECT * FROM w{i} LIMIT 1)" for i, p in enumerate(parts) if p[2]]  # noqa: S608
        sql = f"WITH {', '.join(clauses)} SELECT {', '.join(picks) or '1'}"
        params = [value for _sql, part_params, _then in parts for value in part_params]
        returning = [then for _sql, _params, then in parts if then is not None]
    held.sending = True
    try:
        with _bound_cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone() if returning else None
    finally:
        held.sending = False
    if not returning:
        return
    if len(parts) == 1:
        returning[0](row)
        return
    for then, value in zip(returning, row, strict=True):
        then(None if value is None else (value,))


def _bound_cursor():
    """A cursor that sends the values apart from the statement (server-side binding), where
    Django's cursors quote them into its text in Python: for a statement of a hundred values
    and over 4 kB (psycopg caches the parsing of shorter ones only) that is most of its cost,
    and the same text every time lets psycopg prepare it once per connection."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = ServerBindingCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def _send_first(held: _Held):
    def wrapper(execute, sql, params, many, context):
        if held.parts and not held.sending:
            # Any other statement (a write, a read that must see the held rows, a savepoint
            # or its rollback): what was held goes first, in order.
            _send(held)
        return execute(sql, params, many, context)

    return wrapper


# --- rows that name their own id ------------------------------------------------------------

_sequences: dict[str, str] = {}


def next_ids(*models) -> list[int | None]:
    """The next id of each model's table, drawn from its sequence in one statement (None on
    other databases: ``insert`` then saves as the ORM does)."""
    if connection.vendor != "postgresql":
        return [None] * len(models)
    names = [_sequence(model) for model in models]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["nextval(%s)"] * len(names)), names)
        return list(cursor.fetchone())


def _sequence(model) -> str:
    table = model._meta.db_table
    if table not in _sequences:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
            _sequences[table] = cursor.fetchone()[0]
    return _sequences[table]


def insert(instance) -> None:
    """Writes a new row whose id is already set (``next_ids``), as ``save(force_insert=True)``
    would (each field's pre_save: auto_now_add times; database defaults), without reading
    anything back; gathered like any ``write()``. The row goes as one JSON value
    (json_populate_record): one parameter instead of one per column keeps the gathered
    statement within what psycopg caches the parsing of (50 parameters)."""
    if instance.pk is None:  # no id drawn (not PostgreSQL)
        instance.save(force_insert=True)
        return
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of django.db.connection is a lookup
    row = {}
    for f in _fields(type(instance)):
        value = f.pre_save(instance, add=True)
        if isinstance(value, DatabaseDefault):
            continue  # left out of the columns: the column's default
        row[f.column] = value if isinstance(f, JSONField) else f.get_db_prep_save(value, db)
    write(_insert_sql(type(instance), tuple(row)), [json.dumps(row, default=_json_value)])
    instance._state.adding = False
    instance._state.db = db.alias


@cache
def _fields(model) -> list:
    return [f for f in model._meta.local_concrete_fields if not f.generated]


@cache
def _insert_sql(model, columns: tuple[str, ...]) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(map(quote, columns))
    return (
        f"INSERT INTO {table} ({names}) "  # noqa: S608  (names are the model's own)
        f"SELECT {names} FROM json_populate_record(NULL::{table}, %s::json)"
    )


def _json_value(value):
    """Column values JSON has no type for, as PostgreSQL reads them back (times in full, to
    the microsecond: DjangoJSONEncoder would cut them to milliseconds)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a column value insert() knows")
