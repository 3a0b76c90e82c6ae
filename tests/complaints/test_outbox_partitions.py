"""Outbox rows in monthly partitions (complaints.partitions, issue 20): the table is
partitioned like the audit events, its dedupe keys stay unique over every month through the
unpartitioned key table, the claims and the minute sweep read only recent months, old months
are archived and restored with the same command, and migration complaints 0029 turns a plain
table with rows in several months into partitions with every row and key kept."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import partitions
from complaints.models import OutboxKey, OutboxMessage
from complaints.notifications import outbox_add
from tests.factories import file_report

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

UTC = dt.UTC
OUTBOX = partitions.OUTBOX
MIGRATION = ("complaints", "0029_outbox_partitions")


def _where(message_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM complaints_outboxmessage WHERE id = %s",
            [message_id],
        )
        return cursor.fetchone()[0]


def _add(key: str, recipient: str = "warga@example.id") -> int | None:
    return outbox_add(dedupe_key=key, recipient=recipient, subject="Uji", body="Isi")


def _move(message_id: int, when: dt.datetime) -> None:
    """A message (and its key) written at ``when``, as an older month's row would be."""
    key = OutboxMessage.objects.get(pk=message_id).dedupe_key
    OutboxMessage.objects.filter(pk=message_id).update(created_at=when)
    OutboxKey.objects.filter(dedupe_key=key).update(created_at=when)


def test_the_outbox_is_partitioned_by_month_with_months_ahead():
    assert partitions.is_partitioned(OUTBOX)
    names = [name for name, _bound in partitions.partitions(OUTBOX)]
    this = partitions.month_start(dt.datetime.now(UTC))
    for k in range(partitions.AHEAD + 1):
        assert partitions.name_for(partitions.add_months(this, k), OUTBOX) in names
    assert names[-1] == "complaints_outboxmessage_default"
    file_report(reporter_email="dewi@example.id")
    message = OutboxMessage.objects.get(recipient="dewi@example.id")
    assert _where(message.pk) == partitions.name_for(this, OUTBOX)
    # The primary key is (id, created_at) in the database; nothing references the table.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'complaints_outboxmessage'::regclass AND contype = 'p'"
        )
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, created_at)"
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
            "AND confrelid = 'complaints_outboxmessage'::regclass"
        )
        assert cursor.fetchone()[0] == 0


def test_a_message_and_its_key_are_one_statement_and_a_second_call_does_nothing():
    with CaptureQueriesContext(connection) as queries:
        first = _add("uji:1")
    assert len(queries.captured_queries) == 1
    message = OutboxMessage.objects.get(pk=first)
    key = OutboxKey.objects.get(dedupe_key="uji:1")
    assert key.created_at == message.created_at
    with CaptureQueriesContext(connection) as queries:
        assert _add("uji:1", recipient="lain@example.id") is None
    assert len(queries.captured_queries) == 1
    assert OutboxMessage.objects.filter(dedupe_key="uji:1").count() == 1
    assert OutboxKey.objects.filter(dedupe_key="uji:1").count() == 1


def test_a_key_is_unique_over_every_month():
    """A partitioned table can only hold a unique index with the month in it; the key table
    keeps the key unique over all months."""
    partitions.ensure(dt.date(2019, 3, 1), dt.date(2019, 3, 1), table=OUTBOX)
    first = _add("uji:lama")
    _move(first, dt.datetime(2019, 3, 10, tzinfo=UTC))
    assert _where(first) == "complaints_outboxmessage_p2019_03"
    assert _add("uji:lama") is None  # this month's partition would have taken it
    assert OutboxMessage.objects.filter(dedupe_key="uji:lama").count() == 1


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE 'WITH key AS%%'"
        )
        return cursor.fetchone()[0] == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_ends", ["commit", "rollback"])
def test_of_two_transactions_offering_one_key_the_second_waits_for_the_first(first_ends):
    """The second waits on the first's uncommitted key; it writes nothing if the first
    committed, and its own message if the first rolled back."""
    import threading
    import time

    from django.db import transaction

    written, release, result = threading.Event(), threading.Event(), {}

    class Undo(Exception):
        pass

    def first():
        try:
            with transaction.atomic():
                result["first"] = _add("uji:serentak", recipient="pertama@example.id")
                written.set()
                release.wait(30)
                if first_ends == "rollback":
                    raise Undo
        except Undo:
            pass
        finally:
            connection.close()

    def second():
        try:
            result["second"] = _add("uji:serentak", recipient="kedua@example.id")
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert written.wait(10)
    threads[1].start()
    deadline = time.monotonic() + 10
    while not _waiting_on_a_lock():  # the second statement is blocked on the first's key
        assert time.monotonic() < deadline and threads[1].is_alive()
        time.sleep(0.02)
    release.set()
    for thread in threads:
        thread.join(30)
    assert result["first"] is not None
    recipients = list(
        OutboxMessage.objects.filter(dedupe_key="uji:serentak").values_list("recipient", flat=True)
    )
    if first_ends == "commit":
        assert result["second"] is None and recipients == ["pertama@example.id"]
    else:
        assert result["second"] is not None and recipients == ["kedua@example.id"]
    assert OutboxKey.objects.filter(dedupe_key="uji:serentak").count() == 1


def _partitions_read(run) -> set[str]:
    """The outbox partitions named in the plans of the statements ``run`` sends."""
    with CaptureQueriesContext(connection) as queries:
        run()
    names = {name for name, _bound in partitions.partitions(OUTBOX)}
    read = set()
    for query in queries.captured_queries:
        sql = query["sql"]
        if OUTBOX not in sql or not sql.startswith(("SELECT", "UPDATE", "WITH")):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        read |= {name for name in names if name in plan}
    return read


def _older_than_recent(names: set[str]) -> set[str]:
    from complaints.tasks import RECENT

    first = partitions.month_start(dt.datetime.now(UTC) - RECENT)
    return {n for n in names if (m := partitions.month_of(n)) is not None and m < first}


def test_claims_and_the_minute_sweep_read_only_recent_months():
    from complaints.tasks import deliver_outbox_batch_task, deliver_outbox_task, outbox_sweep

    partitions.ensure(dt.date(2021, 1, 1), dt.date(2026, 11, 1), table=OUTBOX)  # years behind
    ids = [_add(f"uji:{k}") for k in range(3)]
    unbounded = _partitions_read(lambda: list(OutboxMessage.objects.filter(pk=ids[0])))
    assert len(_older_than_recent(unbounded)) >= 60  # by id alone: every month
    for run in (
        lambda: deliver_outbox_task.apply(args=[ids[0]]),
        lambda: deliver_outbox_batch_task.apply(args=[ids[1:]]),
        lambda: outbox_sweep(min_age_seconds=0),
    ):
        read = _partitions_read(run)
        assert partitions.name_for(partitions.month_start(dt.datetime.now(UTC)), OUTBOX) in read
        assert not _older_than_recent(read)
    assert set(OutboxMessage.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"sent"}


def test_a_claim_given_the_rows_time_reads_its_one_month():
    from complaints.tasks import deliver_outbox_task

    partitions.ensure(dt.date(2021, 1, 1), dt.date(2021, 3, 1), table=OUTBOX)
    message_id = _add("uji:waktu")
    when = dt.datetime(2021, 2, 3, 4, 5, 6, 789, tzinfo=UTC)
    _move(message_id, when)
    read = _partitions_read(lambda: deliver_outbox_task.apply(args=[message_id, when.isoformat()]))
    assert read == {"complaints_outboxmessage_p2021_02"}
    assert OutboxMessage.objects.get(pk=message_id).state == "sent"


def test_a_message_pending_longer_than_recent_is_sent_by_the_sweep_of_older_rows():
    """Workers stopped for weeks: the minute sweep no longer sees the row, the hourly sweep of
    older rows queues it with its time, and it is sent."""
    from complaints.tasks import RECENT, deliver_outbox_task, outbox_sweep

    message_id = _add("uji:tertinggal")
    old = dt.datetime.now(UTC) - RECENT - dt.timedelta(days=3)
    partitions.ensure(old, old, table=OUTBOX)
    _move(message_id, old)
    assert deliver_outbox_task.apply(args=[message_id]).result == "skipped"  # id alone: recent
    assert outbox_sweep(min_age_seconds=0) == 0
    assert OutboxMessage.objects.get(pk=message_id).state == "pending"
    assert outbox_sweep(older=True) == 1
    assert OutboxMessage.objects.get(pk=message_id).state == "sent"


def test_the_hourly_sweep_of_older_rows_is_scheduled():
    from lapor.celery import app

    entry = app.conf.beat_schedule["outbox-sweep-older"]
    assert entry["task"] == "complaints.tasks.outbox_sweep"
    assert entry["kwargs"] == {"older": True, "limit": 5000}


def test_the_beat_task_keeps_outbox_months_ahead_too():
    later = dt.datetime(2032, 7, 20, tzinfo=UTC)
    made = partitions.ensure_ahead(now=later)
    assert [n for n in made if n.startswith(OUTBOX)] == [
        f"complaints_outboxmessage_p2032_{m:02d}" for m in (7, 8, 9, 10)
    ]
    assert partitions.ensure_ahead(now=later) == []


# --- the migration ------------------------------------------------------------------------


def _run_migration(*, backwards: bool = False) -> None:
    """Migration 0029 itself, forwards or backwards (each takes the state before it)."""
    from django.db.migrations.executor import MigrationExecutor

    loader = MigrationExecutor(connection).loader
    migration = loader.get_migration(*MIGRATION)
    before = loader.project_state(MIGRATION, at_end=False)
    with connection.schema_editor() as editor:
        (migration.unapply if backwards else migration.apply)(before, editor)


def _insert_plain(key: str, when: dt.datetime, state: str = "sent") -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO complaints_outboxmessage (dedupe_key, channel, recipient, subject, "
            "body, state, attempts, last_error, created_at) "
            "VALUES (%s, 'email', 'warga@example.id', 'Uji', 'Isi', %s, 1, '', %s) RETURNING id",
            [key, state, when],
        )
        return cursor.fetchone()[0]


def test_the_migration_turns_a_plain_outbox_with_rows_into_partitions_keeping_rows_and_keys():
    _run_migration(backwards=True)  # today's table: plain, dedupe_key unique, no key table
    assert not partitions.is_partitioned(OUTBOX)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('complaints_outboxkey')")
        assert cursor.fetchone()[0] is None
    filed = dt.datetime(2025, 1, 15, 3, 0, tzinfo=UTC)
    ids = [
        _insert_plain(f"event:{k}:citizen", filed + dt.timedelta(days=31 * k), "sent")
        for k in range(5)
    ]
    ids.append(_insert_plain("event:9:citizen", dt.datetime.now(UTC), "pending"))
    rows = {m.pk: (m.dedupe_key, m.created_at, m.state) for m in OutboxMessage.objects.all()}
    _run_migration()
    assert partitions.is_partitioned(OUTBOX)
    assert {
        m.pk: (m.dedupe_key, m.created_at, m.state) for m in OutboxMessage.objects.all()
    } == rows
    assert [_where(i) for i in ids[:5]] == [
        f"complaints_outboxmessage_p2025_{m:02d}" for m in (1, 2, 3, 4, 5)
    ]
    keys = dict(OutboxKey.objects.values_list("dedupe_key", "created_at"))
    assert keys == {key: when for key, when, _state in rows.values()}
    # The id sequence goes on where it was; an old key is still refused.
    assert _add("uji:baru") > max(rows)
    assert _add("event:2:citizen") is None
    assert OutboxMessage.objects.filter(dedupe_key="event:2:citizen").count() == 1


def test_the_outbox_migration_can_be_undone():
    first = _add("uji:kembali")
    _run_migration(backwards=True)
    assert not partitions.is_partitioned(OUTBOX)
    assert OutboxMessage.objects.get(pk=first).dedupe_key == "uji:kembali"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = "
            "'complaints_outboxmessage'::regclass AND contype = 'u'"
        )
        assert cursor.fetchone()[0] == 1  # dedupe_key unique again, as before 0029
    _run_migration()
    assert partitions.is_partitioned(OUTBOX)
    assert _add("uji:kembali") is None


# --- archive ------------------------------------------------------------------------------


@pytest.fixture
def outbox_2018():
    """Two old outbox months (committed: the archive dumps them with pg_dump), removed after."""
    names = ["complaints_outboxmessage_p2018_03", "complaints_outboxmessage_p2018_04"]
    partitions.ensure(dt.date(2018, 3, 1), dt.date(2018, 4, 1), table=OUTBOX)
    yield names
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
        cursor.execute("DELETE FROM complaints_outboxkey WHERE created_at < '2018-05-01'")


@pytest.mark.django_db(transaction=True)
def test_old_outbox_months_are_archived_with_their_keys_and_restored(tmp_path, outbox_2018):
    from django.core.management import CommandError, call_command

    march, april = (dt.datetime(2018, m, 10, tzinfo=UTC) for m in (3, 4))
    sent = _add("uji:2018-03")
    waiting = _add("uji:2018-04")
    _move(sent, march)
    _move(waiting, april)
    OutboxMessage.objects.filter(pk=sent).update(state="sent")
    OutboxMessage.objects.filter(pk=waiting).update(state="pending")  # its worker is away
    archive = ["event_partitions", "archive", "--table", "outbox", "--before", "2018-05"]
    with pytest.raises(CommandError, match=r"1 message.*not sent"):
        call_command(*archive, "--to", str(tmp_path))
    assert {n for n, _ in partitions.partitions(OUTBOX)} >= set(outbox_2018)
    assert list(tmp_path.iterdir()) == []

    OutboxMessage.objects.filter(pk=waiting).update(state="failed")
    call_command(*archive, "--to", str(tmp_path), "--drop")
    assert not {n for n, _ in partitions.partitions(OUTBOX)} & set(outbox_2018)
    assert not OutboxMessage.objects.filter(pk__in=[sent, waiting]).exists()
    assert not OutboxKey.objects.filter(dedupe_key__startswith="uji:2018").exists()
    # The events' months are untouched by an outbox archive.
    assert partitions.is_partitioned(partitions.EVENTS)
    dumps = sorted(tmp_path.iterdir())
    assert [d.name for d in dumps] == [f"{n}.dump" for n in outbox_2018]
    for dump in dumps:
        call_command("event_partitions", "restore", str(dump))
    assert [_where(i) for i in (sent, waiting)] == outbox_2018
    assert set(
        OutboxKey.objects.filter(dedupe_key__startswith="uji:2018").values_list(
            "dedupe_key", flat=True
        )
    ) == {"uji:2018-03", "uji:2018-04"}
    assert _add("uji:2018-03") is None


def test_the_command_lists_both_tables(capsys):
    from django.core.management import call_command

    call_command("event_partitions", "list")
    out = capsys.readouterr().out
    assert "complaints_reportevent_default" in out
    assert "complaints_outboxmessage_default" in out
    call_command("event_partitions", "list", "--table", "outbox")
    out = capsys.readouterr().out
    assert "complaints_reportevent" not in out and "complaints_outboxmessage_default" in out
