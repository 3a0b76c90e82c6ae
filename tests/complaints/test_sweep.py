"""The deadline sweep: run twice or on two workers at once, each report is marked, escalated and
announced once."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from agencies.models import Agency, Role
from complaints.models import OutboxMessage, Report, ReportEvent, Status
from complaints.services import report_transition
from complaints.sweeps import run_deadline_sweep
from tests.factories import dispatched_report, make_staff


def _late(report, **fields):
    Report.objects.filter(pk=report.pk).update(**fields)


@pytest.mark.django_db
def test_overdue_first_response_is_marked_once_and_admin_told_once(
    cast, agency_a, django_capture_on_commit_callbacks
):
    report = dispatched_report(agency_a, cast.national)
    _late(report, response_due=timezone.now() - dt.timedelta(days=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = run_deadline_sweep()
    with django_capture_on_commit_callbacks(execute=True):
        second = run_deadline_sweep()
    assert first["overdue"] == 1
    assert second["overdue"] == 0
    assert ReportEvent.objects.filter(report=report, action="mark_overdue").count() == 1
    to_admin = [m for m in mail.outbox if cast.admin_a.email in m.to]
    assert len(to_admin) == 1
    assert "Terlambat" in to_admin[0].subject


@pytest.mark.django_db
def test_escalation_goes_to_the_province_for_a_regency_government(
    cast, agency_a, django_capture_on_commit_callbacks
):
    report = dispatched_report(agency_a, cast.national)
    _late(report, resolution_due=timezone.now() - dt.timedelta(days=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deadline_sweep()["escalated"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deadline_sweep()["escalated"] == 0
    report.refresh_from_db()
    assert report.escalated_at is not None
    assert report.ombudsman_visible
    event = ReportEvent.objects.get(report=report, action="escalate")
    assert event.data["level"] == "province"
    recipients = [m.to[0] for m in mail.outbox]
    assert recipients.count(cast.supervisor.email) == 1
    assert cast.national.email not in recipients


@pytest.mark.django_db
def test_escalation_of_a_ministry_report_goes_to_national_admins(cast):
    kemenkes = Agency.objects.get(slug="kemenkes")
    report = dispatched_report(kemenkes, cast.national)
    _late(report, resolution_due=timezone.now() - dt.timedelta(days=1))
    run_deadline_sweep()
    run_deadline_sweep()
    notices = OutboxMessage.objects.filter(report=report, subject__contains="Eskalasi")
    assert list(notices.values_list("recipient", flat=True)) == [cast.national.email]


@pytest.mark.django_db
def test_resolved_report_closes_itself_after_the_dispute_window(cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    for action in ("respond", "resolve"):
        report_transition(report_id=report.pk, action=action, actor=cast.officer_a, note="ok")
    _late(report, dispute_due=timezone.now() - dt.timedelta(minutes=1))
    assert run_deadline_sweep()["auto_closed"] == 1
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    assert run_deadline_sweep()["auto_closed"] == 0


@pytest.mark.django_db
def test_unanswered_request_for_information_is_archived_never_rejected(cast):
    """SP4N-LAPOR!'s "Arsipkan": a report its reporter did not complete is archived as not
    completed; it is not a rejection (DESIGN, status machine), and never public."""
    from tests.factories import file_report

    report = file_report()
    report_transition(
        report_id=report.pk, action="request_info", actor=cast.national, note="Lokasi?"
    )
    _late(report, info_due=timezone.now() - dt.timedelta(minutes=1))
    assert run_deadline_sweep()["expired_info"] == 1
    report.refresh_from_db()
    assert report.status == Status.ARCHIVED
    event = ReportEvent.objects.get(report=report, action="expire_info")
    assert event.to_status == "archived" and "Ditolak" not in event.actor_label
    assert not Report.objects.public().filter(pk=report.pk).exists()


@pytest.mark.django_db
def test_the_time_to_complete_a_report_is_configurable(cast):
    from complaints.deadlines import Stage
    from complaints.models import TimeLimit
    from complaints.workdays import Calendar
    from tests.factories import file_report

    limit = TimeLimit.objects.get(stage=Stage.INFO, kind="", agency=None, category=None)
    limit.amount = 3
    limit.save()  # as a national admin does, in the admin
    report = file_report()
    report = report_transition(
        report_id=report.pk, action="request_info", actor=cast.national, note="Lokasi?"
    )
    assert Calendar().working_days_between(timezone.now(), report.info_due) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_mark_and_notify_once(agency_a):
    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    admin = make_staff(Role.Kind.AGENCY_ADMIN, agency=agency_a)
    reports = [dispatched_report(agency_a, national) for _ in range(6)]
    for r in reports:
        _late(
            r,
            response_due=timezone.now() - dt.timedelta(days=1),
            resolution_due=timezone.now() - dt.timedelta(days=1),
        )
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(run_deadline_sweep())
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r["overdue"] for r in results) == 6
    assert sum(r["escalated"] for r in results) == 6
    ids = [r.pk for r in reports]
    assert ReportEvent.objects.filter(report_id__in=ids, action="mark_overdue").count() == 6
    assert ReportEvent.objects.filter(report_id__in=ids, action="escalate").count() == 6
    to_admin = OutboxMessage.objects.filter(recipient=admin.email, report_id__in=ids)
    # one overdue notice and one escalation notice per report, never more
    assert to_admin.filter(subject__startswith="[LAPOR!] Terlambat").count() == 6
    assert to_admin.filter(subject__startswith="[LAPOR!] Eskalasi").count() == 6
    assert connection.vendor == "postgresql"
