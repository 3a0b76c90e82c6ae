"""Audit events in monthly partitions (complaints.partitions): the migration path from a plain
table with rows, partitions made ahead, the default partition that never refuses a row, the
triggers that keep the foreign keys' integrity, and queries of one report that stay on its
partitions."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from complaints import partitions
from complaints.models import Attachment, ReportEvent
from tests.factories import attach_photo, file_report

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

UTC = dt.UTC


def _where(event_id: int) -> str:
    """The partition holding event ``event_id``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM complaints_reportevent WHERE id = %s", [event_id]
        )
        return cursor.fetchone()[0]


def _insert_event(report, when: dt.datetime) -> int:
    """An event written at ``when`` (as an import or a late clock would), not through the ORM's
    auto_now_add."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO complaints_reportevent (report_id, action, from_status, to_status, "
            "actor_label, note, is_public, data, created_at) "
            "VALUES (%s, 'note', '', '', 'Sistem', '', true, '{}', %s) RETURNING id",
            [report.pk, when],
        )
        return cursor.fetchone()[0]


def test_the_events_table_is_partitioned_by_month_with_months_ahead():
    assert partitions.is_partitioned()
    names = [name for name, _bound in partitions.partitions()]
    this = partitions.month_start(dt.datetime.now(UTC))
    for k in range(partitions.AHEAD + 1):
        assert partitions.name_for(partitions.add_months(this, k)) in names
    assert names[-1] == "complaints_reportevent_default"
    event = file_report().events.get()
    assert _where(event.pk) == partitions.name_for(this)


def test_ensure_makes_a_range_of_months_once():
    created = partitions.ensure(dt.date(2019, 11, 5), dt.date(2020, 2, 1))
    assert created == [
        "complaints_reportevent_p2019_11",
        "complaints_reportevent_p2019_12",
        "complaints_reportevent_p2020_01",
        "complaints_reportevent_p2020_02",
    ]
    assert partitions.ensure(dt.date(2019, 11, 1), dt.date(2020, 2, 28)) == []
    bounds = dict(partitions.partitions())
    assert bounds["complaints_reportevent_p2019_12"] == (
        "FOR VALUES FROM ('2019-12-01 00:00:00+00') TO ('2020-01-01 00:00:00+00')"
    )


def test_the_beat_task_keeps_months_ahead_and_is_idempotent():
    from complaints.tasks import partitions_ahead

    later = dt.datetime(2031, 5, 20, tzinfo=UTC)
    made = partitions.ensure_ahead(now=later)
    assert made == [  # the outbox's months too (test_outbox_partitions.py)
        f"{table}_p2031_{m:02d}" for table in partitions.TABLES for m in (5, 6, 7, 8)
    ]
    assert partitions.ensure_ahead(now=later) == []
    assert partitions_ahead.apply().get() == []  # this month and three ahead exist already


def test_a_row_without_its_month_goes_to_the_default_partition_and_moves_when_it_comes():
    report = file_report()
    far = dt.datetime(2099, 3, 4, 5, 6, tzinfo=UTC)
    event_id = _insert_event(report, far)  # no 2099 partition: never an error
    assert _where(event_id) == "complaints_reportevent_default"
    assert partitions.ensure(far, far) == ["complaints_reportevent_p2099_03"]
    assert _where(event_id) == "complaints_reportevent_p2099_03"
    assert ReportEvent.objects.filter(pk=event_id).exists()


def test_a_filing_is_accepted_when_its_month_partition_is_missing():
    """A beat that never ran: the month's partition is not there. The report and its event
    are stored all the same (default partition) and find their partition when it is made."""
    this = partitions.month_start(dt.datetime.now(UTC))
    name = partitions.detach(this)
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{name}" RENAME TO "{name}_aside"')
    report = file_report(title="Diterima tanpa partisi bulan ini")
    event = report.events.get()
    assert _where(event.pk) == "complaints_reportevent_default"
    assert partitions.ensure(this, this) == [name]
    assert _where(event.pk) == name
    assert list(ReportEvent.objects.of_report(report)) == [event]


def test_an_attachment_must_name_an_existing_event():
    report = file_report()
    attachment = attach_photo(report)
    with pytest.raises(IntegrityError, match="does not exist"), transaction.atomic():
        Attachment.objects.filter(pk=attachment.pk).update(event_id=10**12)
    event = report.events.get()
    Attachment.objects.filter(pk=attachment.pk).update(event_id=event.pk)  # the real one: fine


def test_a_referenced_event_cannot_be_deleted():
    report = file_report()
    attachment = attach_photo(report)
    event = ReportEvent.objects.of_report(report).order_by("-pk").first()
    Attachment.objects.filter(pk=attachment.pk).update(event_id=event.pk)
    with pytest.raises(IntegrityError, match="referenced"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM complaints_reportevent WHERE id = %s", [event.pk])
    assert ReportEvent.objects.filter(pk=event.pk).exists()


def test_a_webhook_delivery_must_name_an_existing_event(agency_a):
    from integrations.models import WebhookDelivery, WebhookEndpoint

    report = file_report()
    endpoint = WebhookEndpoint.objects.create(
        agency=agency_a, url="https://example.id/hook", secret="s" * 32
    )
    with pytest.raises(IntegrityError, match="does not exist"), transaction.atomic():
        WebhookDelivery.objects.create(
            endpoint=endpoint, event_id=10**12, report=report, name="x", payload={}
        )
    event = report.events.get()
    WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, report=report, name="x", payload={}
    )


def _scanned(queryset) -> set[str]:
    plan = queryset.explain()
    return {name for name, _bound in partitions.partitions() if name in plan}


def test_the_timeline_of_one_report_reads_only_its_partitions():
    from complaints import audiences
    from complaints.audiences import Audience

    partitions.ensure(dt.date(2021, 1, 1), dt.date(2026, 11, 1))  # six years behind
    report = file_report()
    month = partitions.month_start(report.created_at)
    unbounded = _scanned(ReportEvent.objects.filter(report=report))
    bounded = _scanned(ReportEvent.objects.of_report(report))
    assert "complaints_reportevent_p2021_01" in unbounded  # without the bound: every month
    older = {n for n in unbounded if (m := partitions.month_of(n)) is not None and m < month}
    assert len(older) >= 60
    assert not bounded & older
    assert partitions.name_for(month) in bounded
    # The timeline every door renders is the bounded query.
    view = audiences.view_for(report, Audience.REPORTER)
    assert [e.pk for e in audiences.timeline(report, view)] == [report.events.get().pk]


def _plain_table_with_events_in_several_months():
    """Today's table (before the migration) holding events of a report filed in 2025 across
    five months, one with an attachment."""
    with connection.schema_editor() as editor:
        partitions.revert(editor)
    assert not partitions.is_partitioned()
    report = file_report()
    attachment = attach_photo(report)
    filed = dt.datetime(2025, 1, 15, 3, 0, tzinfo=UTC)
    type(report).objects.filter(pk=report.pk).update(created_at=filed)
    ReportEvent.objects.filter(report=report).update(created_at=filed)
    ids = [e.pk for e in ReportEvent.objects.filter(report=report)]
    for k in range(1, 5):
        ids.append(_insert_event(report, filed + dt.timedelta(days=31 * k)))
    Attachment.objects.filter(pk=attachment.pk).update(event_id=ids[-1])
    return report, ids


def test_the_migration_turns_a_plain_table_with_rows_into_partitions():
    report, ids = _plain_table_with_events_in_several_months()
    before = {e.pk: (e.created_at, e.action) for e in ReportEvent.objects.all()}
    with connection.schema_editor() as editor:
        partitions.convert(editor)
    assert partitions.is_partitioned()
    after = {e.pk: (e.created_at, e.action) for e in ReportEvent.objects.all()}
    assert after == before
    assert [_where(i) for i in ids[-5:]] == [
        "complaints_reportevent_p2025_01",
        "complaints_reportevent_p2025_02",
        "complaints_reportevent_p2025_03",
        "complaints_reportevent_p2025_04",
        "complaints_reportevent_p2025_05",
    ]
    # The id sequence goes on where it was; the triggers replace the foreign keys.
    new = file_report().events.get()
    assert new.pk > max(before)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attachment.objects.filter(report=report).update(event_id=10**12)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
            "AND confrelid = 'complaints_reportevent'::regclass"
        )
        assert cursor.fetchone()[0] == 0


def test_the_migration_can_be_undone():
    report, ids = _plain_table_with_events_in_several_months()
    with connection.schema_editor() as editor:
        partitions.convert(editor)
        partitions.revert(editor)
    assert not partitions.is_partitioned()
    assert set(ReportEvent.objects.values_list("pk", flat=True)) >= set(ids)
    assert file_report().events.get().pk > max(ids)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attachment.objects.filter(report=report).update(event_id=10**12)


@pytest.fixture
def months_2018():
    """Two old months (committed: the archive test dumps them with pg_dump), removed after."""
    partitions.ensure(dt.date(2018, 3, 1), dt.date(2018, 4, 1))
    yield ["complaints_reportevent_p2018_03", "complaints_reportevent_p2018_04"]
    with connection.cursor() as cursor:
        for name in ("complaints_reportevent_p2018_03", "complaints_reportevent_p2018_04"):
            cursor.execute(f'DROP TABLE IF EXISTS "{name}"')


def _old_report(status: str, *when: dt.datetime):
    from complaints.models import Report

    report = file_report()
    Report.objects.filter(pk=report.pk).update(created_at=when[0], status=status)
    ReportEvent.objects.filter(report=report).update(created_at=when[0])
    report.refresh_from_db()
    return report, [report.events.get().pk] + [_insert_event(report, t) for t in when[1:]]


@pytest.mark.django_db(transaction=True)
def test_old_months_are_archived_dropped_and_restored(tmp_path, months_2018):
    from django.core.management import CommandError, call_command

    march, april = (dt.datetime(2018, m, 10, tzinfo=UTC) for m in (3, 4))
    closed, closed_ids = _old_report("closed", march, april)
    still_open, _ = _old_report("needs_info", april)
    with pytest.raises(CommandError, match=r"1 report.*still open"):
        call_command("event_partitions", "archive", "--before", "2018-05", "--to", str(tmp_path))
    assert {n for n, _ in partitions.partitions()} >= set(months_2018)  # nothing detached
    assert list(tmp_path.iterdir()) == []

    type(still_open).objects.filter(pk=still_open.pk).update(status="rejected")
    call_command(
        "event_partitions", "archive", "--before", "2018-05", "--to", str(tmp_path), "--drop"
    )
    names = {n for n, _ in partitions.partitions()}
    assert not names & set(months_2018)
    assert not ReportEvent.objects.filter(pk__in=closed_ids).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('complaints_reportevent_p2018_03')")
        assert cursor.fetchone()[0] is None  # dropped
    dumps = sorted(tmp_path.iterdir())
    assert [d.name for d in dumps] == [f"{n}.dump" for n in months_2018]
    # A new month partition of this year is unaffected; the archive comes back on demand.
    for dump in dumps:
        call_command("event_partitions", "restore", str(dump))
    assert sorted(ReportEvent.objects.of_report(closed).values_list("pk", flat=True)) == sorted(
        closed_ids
    )
    assert [_where(i) for i in closed_ids] == months_2018


def test_archive_refuses_the_current_month(tmp_path):
    from django.core.management import CommandError, call_command

    later = partitions.add_months(partitions.month_start(dt.datetime.now(UTC)), 2)
    with pytest.raises(CommandError, match="before the current one"):
        call_command(
            "event_partitions",
            "archive",
            "--before",
            later.strftime("%Y-%m"),
            "--to",
            str(tmp_path),
        )
