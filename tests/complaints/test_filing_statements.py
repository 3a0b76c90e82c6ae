"""A filing in one statement (issue 20): the report, its audit event, its outbox row and its
summary deltas are one INSERT with data-modifying WITH clauses (core.gathered), after one
that draws their ids; still one transaction, still the status machine's submit action with
its event, and a failure in any part leaves nothing."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from complaints.models import OutboxMessage, Report, ReportEvent
from complaints.services import report_submit
from core import gathered
from monitoring.models import DELTAS, Summary, WeeklyCount
from tests.factories import new_report

pytestmark = pytest.mark.django_db

CONTROL = ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK")


def statements(ctx) -> list[str]:
    sqls = [q["sql"] for q in ctx.captured_queries]
    return [sql for sql in sqls if not sql.lstrip().upper().startswith(CONTROL)]


def counts(email: str) -> tuple:
    return (
        Report.objects.filter(reporter_email=email).count(),
        ReportEvent.objects.filter(report__reporter_email=email).count(),
        OutboxMessage.objects.filter(recipient=email).count(),
        *(DELTAS[m].objects.count() for m in (Summary, WeeklyCount)),
    )


def test_a_filing_is_two_statements_the_ids_then_every_row():
    report_submit(data=new_report(reporter_email="pemanasan@example.id"))  # memos warmed
    with CaptureQueriesContext(connection) as ctx:
        report = report_submit(data=new_report(reporter_email="warga@example.id"))
    ids, rows = statements(ctx)
    assert ids.startswith("SELECT nextval(")
    assert rows.startswith("WITH ")
    for model in (Report, ReportEvent, OutboxMessage, DELTAS[Summary], DELTAS[WeeklyCount]):
        assert f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)}" in rows or (
            f"INSERT INTO {model._meta.db_table}" in rows
        ), model
    # Through the status machine's submit action, with its audit event and its e-mail.
    event = ReportEvent.objects.get(report=report)
    assert (event.action, event.from_status, event.to_status) == ("submit", "", "submitted")
    assert report.created_at is not None and report.events.get() == event
    message = OutboxMessage.objects.get(recipient="warga@example.id")
    assert message.dedupe_key == f"event:{event.pk}:citizen"
    assert message.report_id == report.pk


def test_a_filing_with_no_message_to_send_is_one_statement_too():
    report_submit(data=new_report(reporter_email="pemanasan@example.id"))
    with CaptureQueriesContext(connection) as ctx:
        report = report_submit(
            data=new_report(is_anonymous=True, reporter_name="", reporter_email="")
        )
    assert [sql.split(" ", 1)[0] for sql in statements(ctx)] == ["SELECT", "WITH"]
    assert ReportEvent.objects.filter(report=report).count() == 1
    assert not OutboxMessage.objects.filter(report=report).exists()


@pytest.mark.parametrize("part", ["report", "event", "outbox", "summary delta", "weekly delta"])
def test_a_failure_in_any_part_leaves_nothing(part):
    table = {
        "report": Report,
        "event": ReportEvent,
        "outbox": OutboxMessage,
        "summary delta": DELTAS[Summary],
        "weekly delta": DELTAS[WeeklyCount],
    }[part]._meta.db_table
    report_submit(data=new_report(reporter_email="pemanasan@example.id"))
    before = counts("gagal@example.id")
    with connection.cursor() as cursor:  # the database refuses this part's row
        cursor.execute(
            "CREATE FUNCTION pg_temp.refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = '23514'; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER refuse BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse()"
        )
    with pytest.raises(IntegrityError, match="refused by the test"):
        report_submit(data=new_report(reporter_email="gagal@example.id"))
    assert counts("gagal@example.id") == before


def test_a_write_of_its_own_sends_the_held_writes_first_in_order():
    with transaction.atomic(), gathered.gathered():
        (report_id,) = gathered.next_ids(Report)
        report = Report(pk=report_id, **_minimal("LPR-AAAAA-AAAAA"))
        gathered.insert(report)
        # An ORM write that refers to the held row: the held INSERT goes first.
        ReportEvent.objects.create(report=report, action="submit", to_status="submitted")
    assert ReportEvent.objects.filter(report_id=report_id).count() == 1


def test_held_writes_of_a_savepoint_rolled_back_are_not_written():
    with transaction.atomic(), gathered.gathered():
        (kept,) = gathered.next_ids(Report)
        gathered.insert(Report(pk=kept, **_minimal("LPR-BBBBB-BBBBB")))
        try:
            with transaction.atomic():
                (lost,) = gathered.next_ids(Report)
                gathered.insert(Report(pk=lost, **_minimal("LPR-CCCCC-CCCCC")))
                raise RuntimeError("the inner block fails")
        except RuntimeError:
            pass
    assert Report.objects.filter(pk=kept).exists()
    assert not Report.objects.filter(pk=lost).exists()


def _minimal(tracking: str) -> dict:
    return {
        "tracking": tracking,
        "kind": "complaint",
        "title": "Uji satu pernyataan",
        "description": "x" * 30,
        "province_id": "32",
        "channel": "api",
        "reporter_secret": tracking.lower(),
    }
