# ruff: noqa: S608  (every table, partition and sequence name is built here, never from input)
"""Audit events and outbox rows in monthly partitions (PostgreSQL only; SQLite keeps plain
tables).

``complaints_reportevent`` is ``PARTITION BY RANGE (created_at)``: one partition per calendar
month in UTC (``complaints_reportevent_p2026_12`` holds [2026-12-01, 2027-01-01) UTC) and a
default partition (``complaints_reportevent_default``) for any row no month partition takes,
so an insert never fails for want of a partition (a report accepted is never lost). The
primary key is (id, created_at), as PostgreSQL requires the partition key in every unique
index; ids stay unique because one sequence gives them all, and Django still sees ``id`` as the
primary key.

Nothing references the table with a database foreign key (a foreign key to a partitioned
table would have to name (id, created_at)): ``complaints.Attachment.event`` and
``integrations.WebhookDelivery.event`` are ``db_constraint=False`` and the same integrity is
kept by triggers installed here: a referencing row must name an existing event, and an event
that is referenced cannot be deleted (PROTECT, as the ORM also does).

- ``ensure(start, end)``: the month partitions from ``start``'s month to ``end``'s month
  (inclusive), idempotent; rows already in the default partition for such a month are moved
  into it. The beat task ``complaints.tasks.partitions_ahead`` keeps ``AHEAD`` months ready,
  and migrate does too (``complaints.apps``).
- ``convert()`` / ``revert()``: the migration path from a plain table with rows (copy by month,
  names swapped, the id sequence kept) and back.
- ``detach(month)`` / ``attach(name)``: a month leaves the table for archive (``manage.py
  event_partitions archive``) and comes back after a restore.

The outbox (``complaints_outboxmessage``, migration 0029) is partitioned the same way by the
same functions (``table=OUTBOX``): the beat task and migrate make its months ahead, and
``event_partitions --table outbox`` lists and archives them. Its dedupe keys live in the
unpartitioned ``complaints_outboxkey`` (a unique index over every month), written with the
message in one statement (notifications.outbox_add); the keys of a month leave with it when it
is detached and come back when it is attached (``detach`` says why that is safe). Nothing
references the outbox, and ``convert`` refuses a table other than events that something does.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import connections, transaction
from django.utils import timezone

EVENTS = "complaints_reportevent"
OUTBOX = "complaints_outboxmessage"
OUTBOX_KEYS = "complaints_outboxkey"
TABLES = (EVENTS, OUTBOX)  # the tables partitioned by month
KEY = "created_at"
AHEAD = 3  # months created ahead of the current one
# Any number; the advisory lock that serializes ensure/detach/attach of the partitioned tables.
_LOCK = 720_2012

_NAME = re.compile(r"_p(\d{4})_(\d{2})$")


def month_start(value: dt.date | dt.datetime) -> dt.date:
    """The first day of ``value``'s month (a datetime is read in UTC)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        value = value.date()
    return value.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> list[dt.date]:
    """Every month from ``start``'s to ``end``'s, both included."""
    month, last, out = month_start(start), month_start(end), []
    while month <= last:
        out.append(month)
        month = next_month(month)
    return out


def name_for(month: dt.date, table: str = EVENTS) -> str:
    return f"{table}_p{month.year:04d}_{month.month:02d}"


def default_name(table: str = EVENTS) -> str:
    return f"{table}_default"


def month_of(name: str) -> dt.date | None:
    match = _NAME.search(name)
    return dt.date(int(match[1]), int(match[2]), 1) if match else None


def table_of(name: str) -> str | None:
    """The partitioned table a month partition's name belongs to, or None."""
    table = _NAME.sub("", name)
    return table if table in TABLES and table != name else None


def _bound(month: dt.date) -> str:
    return f"{month.isoformat()} 00:00:00+00"


def _for_values(month: dt.date) -> str:
    return f"FOR VALUES FROM ('{_bound(month)}') TO ('{_bound(next_month(month))}')"


def _connection(using: str):
    return connections[using]


def is_partitioned(table: str = EVENTS, using: str = "default") -> bool:
    conn = _connection(using)
    if conn.vendor != "postgresql":
        return False
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [table],
        )
        return cursor.fetchone() is not None


def partitions(table: str = EVENTS, using: str = "default") -> list[tuple[str, str]]:
    """(name, bound expression) of each attached partition, month partitions in order, the
    default partition last. Empty for a plain table."""
    conn = _connection(using)
    if conn.vendor != "postgresql":
        return []
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = %s AND pg_table_is_visible(p.oid) ORDER BY c.relname",
            [table],
        )
        rows = cursor.fetchall()
    return sorted(rows, key=lambda row: (row[1] == "DEFAULT", row[0]))


def _exists(cursor, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return cursor.fetchone()[0]


def ensure(
    start: dt.date | dt.datetime,
    end: dt.date | dt.datetime,
    *,
    table: str = EVENTS,
    using: str = "default",
) -> list[str]:
    """Creates the month partitions of ``table`` from ``start``'s month to ``end``'s month,
    both included, and the default partition; returns the names created. Idempotent and safe
    to run concurrently (one advisory lock). A month whose rows already sit in the default
    partition gets them moved into its new partition in the same transaction. Does nothing
    on SQLite or on a table that is not partitioned."""
    if not is_partitioned(table, using):
        return []
    created = []
    with transaction.atomic(using=using), _connection(using).cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        default = default_name(table)
        if not _exists(cursor, default):
            cursor.execute(f'CREATE TABLE "{default}" PARTITION OF "{table}" DEFAULT')
            created.append(default)
        for month in months(start, end):
            name = name_for(month, table)
            if _exists(cursor, name):
                continue
            _create_month(cursor, table, month, name)
            created.append(name)
    return created


def _create_month(cursor, table: str, month: dt.date, name: str) -> None:
    default = default_name(table)
    low, high = _bound(month), _bound(next_month(month))
    cursor.execute(
        f'SELECT EXISTS (SELECT 1 FROM "{default}" WHERE {KEY} >= %s AND {KEY} < %s)',
        [low, high],
    )
    if not cursor.fetchone()[0]:
        # Attaching scans the default partition once to prove it holds no row of the month.
        cursor.execute(f'CREATE TABLE "{name}" PARTITION OF "{table}" {_for_values(month)}')
        return
    # Rows of this month arrived before its partition: move them, then attach.
    cursor.execute(
        f'CREATE TABLE "{name}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
    )
    cursor.execute(
        f'WITH moved AS (DELETE FROM "{default}" WHERE {KEY} >= %s AND {KEY} < %s '
        f'RETURNING *) INSERT INTO "{name}" SELECT * FROM moved',
        [low, high],
    )
    cursor.execute(f'ALTER TABLE "{table}" ATTACH PARTITION "{name}" {_for_values(month)}')


def ensure_ahead(
    now: dt.datetime | None = None, ahead: int = AHEAD, using: str = "default"
) -> list[str]:
    """This month's partition and ``ahead`` more of every partitioned table (the beat task and
    migrate call this)."""
    month = month_start(now or timezone.now())
    made = []
    for table in TABLES:
        made += ensure(month, add_months(month, ahead), table=table, using=using)
    return made


def detach(month: dt.date, *, table: str = EVENTS, using: str = "default") -> str:
    """Detaches ``month``'s partition: it becomes a plain table of its own (to dump, then
    drop) and ``table`` no longer reads it. Returns its name.

    An outbox month's dedupe keys are deleted with it, in the same transaction, so the key
    table does not grow for ever. That is safe because a key is only ever offered by the
    transaction that makes what it names (an event: ``notifications.on_event`` runs in the
    event's transaction; a follow-up question; an inbound SMS; one failed attempt of a webhook
    delivery; a person's digest of one day, written on that day): none of them is made again
    months later, so no key of an archived month can come back to be refused. And a month is
    only archived when none of its messages is still to be sent (``archive``)."""
    name = name_for(month_start(month), table)
    with transaction.atomic(using=using), _connection(using).cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        cursor.execute(f'ALTER TABLE "{table}" DETACH PARTITION "{name}"')
        if table == OUTBOX:
            cursor.execute(
                f'DELETE FROM "{OUTBOX_KEYS}" k USING "{name}" m WHERE k.dedupe_key = m.dedupe_key'
            )
    return name


def attach(name: str, *, table: str | None = None, using: str = "default") -> None:
    """Attaches a restored month table (``pg_restore`` of an archive) back to its table (from
    its name unless given). The month comes from its name; rows of that month in the default
    partition are moved into it first. An outbox month's keys come back with it."""
    month = month_of(name)
    table = table or table_of(name)
    if month is None or table is None:
        raise ValueError(f"{name} is not a month partition name")
    with transaction.atomic(using=using), _connection(using).cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        default = default_name(table)
        low, high = _bound(month), _bound(next_month(month))
        if _exists(cursor, default):
            cursor.execute(
                f'WITH moved AS (DELETE FROM "{default}" WHERE {KEY} >= %s AND {KEY} < %s '
                f'RETURNING *) INSERT INTO "{name}" SELECT * FROM moved',
                [low, high],
            )
        cursor.execute(f'ALTER TABLE "{table}" ATTACH PARTITION "{name}" {_for_values(month)}')
        if table == OUTBOX:
            cursor.execute(
                f'INSERT INTO "{OUTBOX_KEYS}" (dedupe_key, created_at) '
                f'SELECT dedupe_key, created_at FROM "{name}" ON CONFLICT DO NOTHING'
            )


# --- referential integrity without foreign keys ---------------------------------------------

# A referencing row (Attachment, WebhookDelivery) must name an existing event. The first look
# is bounded by its report's filing time (events of a report never precede its filing), so it
# touches only that report's partitions; an event of another report (a merge moves files)
# falls back to a look by id alone.
_CHECK_FUNCTION = f"""
CREATE OR REPLACE FUNCTION lapor_event_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.event_id IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM {EVENTS} e WHERE e.id = NEW.event_id AND e.report_id = NEW.report_id
        AND e.created_at >= (SELECT r.created_at FROM complaints_report r
                             WHERE r.id = NEW.report_id);
    IF NOT FOUND THEN
        PERFORM 1 FROM {EVENTS} e WHERE e.id = NEW.event_id;
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'event % does not exist (%.event_id)', NEW.event_id, TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
"""

# An event that a row still references is never deleted (on_delete=PROTECT in the database).
# TG_ARGV: pairs of (table, column) that reference events.
_PROTECT_FUNCTION = """
CREATE OR REPLACE FUNCTION lapor_event_protect() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i integer := 0;
    found_ref boolean;
BEGIN
    WHILE i < TG_NARGS LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[i],
                       TG_ARGV[i + 1]) INTO found_ref USING OLD.id;
        IF found_ref THEN
            RAISE EXCEPTION 'event % is referenced from %', OLD.id, TG_ARGV[i]
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        i := i + 2;
    END LOOP;
    RETURN OLD;
END $$;
"""


def _referencing(cursor, table: str) -> list[tuple[str, str, str, str]]:
    """(table, column, constraint name, definition) of foreign keys pointing at ``table``."""
    cursor.execute(
        "SELECT src.relname, a.attname, c.conname, pg_get_constraintdef(c.oid) "
        "FROM pg_constraint c JOIN pg_class src ON src.oid = c.conrelid "
        "JOIN pg_class dst ON dst.oid = c.confrelid "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND dst.relname = %s AND pg_table_is_visible(dst.oid) "
        "ORDER BY src.relname",
        [table],
    )
    return cursor.fetchall()


def _guarded(cursor) -> list[tuple[str, str]]:
    """(table, column) pairs guarded by the event-exists trigger."""
    cursor.execute(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname LIKE 'lapor_event_ref_%%' ORDER BY c.relname"
    )
    return [
        (table, trigger.removeprefix("lapor_event_ref_")) for table, trigger in cursor.fetchall()
    ]


def _install_guards(cursor, refs: list[tuple[str, str]]) -> None:
    cursor.execute(_CHECK_FUNCTION)
    cursor.execute(_PROTECT_FUNCTION)
    for table, column in refs:
        cursor.execute(
            f'CREATE CONSTRAINT TRIGGER "lapor_event_ref_{column}" AFTER INSERT OR UPDATE OF '
            f'"{column}" ON "{table}" FOR EACH ROW EXECUTE FUNCTION lapor_event_exists()'
        )
    args = ", ".join(f"'{part}'" for ref in refs for part in ref)
    cursor.execute(
        f'CREATE TRIGGER lapor_event_protect BEFORE DELETE ON "{EVENTS}" '
        f"FOR EACH ROW EXECUTE FUNCTION lapor_event_protect({args})"
    )


# --- the migration path ----------------------------------------------------------------------


def convert(schema_editor, *, table: str = EVENTS, ahead: int = AHEAD) -> None:
    """Turns the plain ``table`` (with its rows) into the partitioned one: the old table is
    renamed aside, a partitioned table of the same columns takes its name with partitions for
    every month it has rows in (and ``ahead`` months from now) and a default one, rows are
    copied a month at a time, indexes and foreign keys are made again under their names, the
    id sequence goes on where it was, and the old table is dropped. Foreign keys that pointed at
    events become the triggers above; a foreign key to any other table refuses the conversion
    (there is none to the outbox). One transaction (the migration's): an error leaves the
    table as it was. Does nothing on SQLite or on a table already partitioned."""
    conn = schema_editor.connection
    if conn.vendor != "postgresql" or is_partitioned(table, conn.alias):
        return
    old = f"{table}_plain"
    with conn.cursor() as cursor:
        # Deferred foreign key checks of this transaction first: a table with pending trigger
        # events cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        refs = _referencing(cursor, table)
        if refs and table != EVENTS:
            raise ValueError(f"{table} is referenced by {refs[0][0]}: not partitioned")
        for source, _column, constraint, _definition in refs:
            cursor.execute(f'ALTER TABLE "{source}" DROP CONSTRAINT "{constraint}"')
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'c') ORDER BY conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
        last_value, is_called = cursor.fetchone()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')  # made again on the new table, under its name
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
        cursor.execute(f'ALTER TABLE "{old}" RENAME CONSTRAINT "{table}_pkey" TO "{old}_pkey"')
        cursor.execute(f'ALTER SEQUENCE {sequence} RENAME TO "{old}_id_seq"')
        cursor.execute(
            f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS) PARTITION BY RANGE ({KEY})'
        )
        cursor.execute(f'CREATE SEQUENCE "{table}_id_seq" AS bigint OWNED BY "{table}".id')
        cursor.execute("SELECT setval(%s, %s, %s)", [f"{table}_id_seq", last_value, is_called])
        cursor.execute(
            f"ALTER TABLE \"{table}\" ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')"
        )
        cursor.execute(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_pkey" PRIMARY KEY (id, {KEY})'
        )
        cursor.execute(f'SELECT min({KEY}), max({KEY}) FROM "{old}"')
        first, last = cursor.fetchone()
        now = timezone.now()
        ensure(
            first or now,
            max(last or now, now) + dt.timedelta(days=31 * ahead),
            table=table,
            using=conn.alias,
        )
        for month in months(first, last) if first else []:
            cursor.execute(
                f'INSERT INTO "{table}" SELECT * FROM "{old}" WHERE {KEY} >= %s AND {KEY} < %s',
                [_bound(month), _bound(next_month(month))],
            )
        cursor.execute(f'DROP TABLE "{old}"')
        for _name, definition in indexes:
            cursor.execute(definition)  # it names the table by its name, now the new one
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        if table == EVENTS:
            _install_guards(cursor, [(source, column) for source, column, _c, _d in refs])


def revert(schema_editor, *, table: str = EVENTS) -> None:
    """The way back: a plain table with the same rows, ids, indexes and foreign keys (those
    from the referencing tables too)."""
    conn = schema_editor.connection
    if conn.vendor != "postgresql" or not is_partitioned(table, conn.alias):
        return
    old = f"{table}_parted"
    with conn.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        refs = _guarded(cursor) if table == EVENTS else []
        for source, column in refs:
            cursor.execute(f'DROP TRIGGER "lapor_event_ref_{column}" ON "{source}"')
        if table == EVENTS:
            cursor.execute(f'DROP TRIGGER IF EXISTS lapor_event_protect ON "{table}"')
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
            "AND NOT x.indisprimary",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'c') ORDER BY conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(f"SELECT last_value, is_called FROM {table}_id_seq")
        last_value, is_called = cursor.fetchone()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
        cursor.execute(f'ALTER TABLE "{old}" RENAME CONSTRAINT "{table}_pkey" TO "{old}_pkey"')
        cursor.execute(f'ALTER TABLE "{old}" ALTER COLUMN id DROP DEFAULT')
        cursor.execute(f'ALTER SEQUENCE "{table}_id_seq" OWNED BY NONE')
        cursor.execute(f'DROP SEQUENCE "{table}_id_seq"')
        # Defaults too (db_default columns such as claimed_by); the id has none by now.
        cursor.execute(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS)')
        cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')
        cursor.execute(f'DROP TABLE "{old}"')  # its partitions with it
        cursor.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY'
        )
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        cursor.execute("SELECT setval(%s, %s, %s)", [cursor.fetchone()[0], last_value, is_called])
        cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_pkey" PRIMARY KEY (id)')
        for _name, definition in indexes:
            cursor.execute(definition.replace(f" ONLY public.{table} ", f" {table} "))
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for source, column in refs:
            cursor.execute(
                f'ALTER TABLE "{source}" ADD CONSTRAINT "{source}_{column}_fk_event" '
                f'FOREIGN KEY ("{column}") REFERENCES "{table}" (id) DEFERRABLE INITIALLY DEFERRED'
            )


# --- archive ---------------------------------------------------------------------------------


class ArchiveError(Exception):
    pass


def _still_open(cursor, name: str) -> int:
    """How many reports with an event in partition ``name`` may still change (open, or
    resolved and so still disputable): their timeline must stay in the live table."""
    from .models import OPEN_STATUSES, Status

    statuses = [*OPEN_STATUSES, Status.RESOLVED]
    cursor.execute(
        f'SELECT count(DISTINCT r.id) FROM "{name}" e JOIN complaints_report r '
        "ON r.id = e.report_id WHERE r.status = ANY(%s)",
        [[str(s) for s in statuses]],
    )
    return cursor.fetchone()[0]


def _unsent(cursor, name: str) -> int:
    """How many messages in outbox partition ``name`` are still to be sent (pending, or
    claimed by a worker): they must stay where the sweep finds them."""
    from .models import OutboxMessage

    states = [OutboxMessage.State.PENDING, OutboxMessage.State.SENDING]
    cursor.execute(
        f'SELECT count(*) FROM "{name}" WHERE state = ANY(%s)', [[str(s) for s in states]]
    )
    return cursor.fetchone()[0]


def _refusal(cursor, table: str, name: str) -> str | None:
    """Why month partition ``name`` of ``table`` cannot be archived yet, or None."""
    if table == OUTBOX:
        n = _unsent(cursor, name)
        return f"{name} holds {n} message(s) not sent yet: not archived" if n else None
    n = _still_open(cursor, name)
    return (
        f"{name} holds events of {n} report(s) still open or resolved: not archived" if n else None
    )


def archive(
    before: dt.date,
    folder,
    *,
    table: str = EVENTS,
    drop: bool = False,
    using: str = "default",
) -> list[dict]:
    """Every month partition of ``table`` (events or outbox) before ``before``'s month leaves
    the table: refused (nothing done) if any of them holds events of a report still open or
    resolved (outbox: a message not sent yet); otherwise each is detached (an outbox month
    with its keys), dumped with ``pg_dump --format=custom`` to ``folder/<name>.dump`` (checked
    by ``pg_restore --list``), and dropped when ``drop``. Returns one dict per month (name,
    rows, file, sha256). Restore: ``restore(file)``."""
    import hashlib
    import subprocess
    from pathlib import Path

    from .backup import _pg_env

    conn = _connection(using)
    if table not in TABLES:
        raise ArchiveError(f"{table} is not a partitioned table")
    if not is_partitioned(table, using):
        raise ArchiveError(f"{table} is not partitioned (SQLite, or not migrated)")
    before = month_start(before)
    if before > month_start(timezone.now()):
        raise ArchiveError("only months before the current one can be archived")
    old = [
        (name, month)
        for name, _bound in partitions(table, using)
        if (month := month_of(name)) is not None and month < before
    ]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with conn.cursor() as cursor:
        for name, _month in old:
            if refusal := _refusal(cursor, table, name):
                raise ArchiveError(refusal)
    done = []
    for name, month in old:
        detach(month, table=table, using=using)
        with conn.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{name}"')
            rows = cursor.fetchone()[0]
        target = folder / f"{name}.dump"
        env = _pg_env()
        db = conn.settings_dict["NAME"]
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--table={name}", f"--file={target}", db],
            env=env,
            check=True,
            capture_output=True,
        )
        listing = subprocess.run(
            ["pg_restore", "--list", str(target)], env=env, check=True, capture_output=True
        ).stdout.decode()
        if f"TABLE DATA public {name} " not in listing:
            raise ArchiveError(f"{target} does not hold {name}'s rows: kept, not dropped")
        if drop:
            with conn.cursor() as cursor:
                cursor.execute(f'DROP TABLE "{name}"')
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        done.append({"name": name, "rows": rows, "file": str(target), "sha256": digest})
    return done


def restore(file, *, using: str = "default") -> str:
    """Brings an archived month back: ``pg_restore`` of its dump (a table of its own, with its
    indexes), then attached to its table (events or outbox, from its name). Returns the
    partition's name."""
    import subprocess
    from pathlib import Path

    from .backup import _pg_env

    name = Path(file).name.removesuffix(".dump")
    if month_of(name) is None or table_of(name) is None:
        raise ArchiveError(f"{file} is not an archived month (<table>_pYYYY_MM.dump)")
    conn = _connection(using)
    with conn.cursor() as cursor:
        if _exists(cursor, name):
            raise ArchiveError(f"{name} exists already (attach it: event_partitions attach)")
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={conn.settings_dict['NAME']}", str(file)],
        env=_pg_env(),
        check=True,
        capture_output=True,
    )
    attach(name, using=using)
    return name
