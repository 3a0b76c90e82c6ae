"""Two officers of one agency act on the same report at the same moment, from two threads with
their own database connections: the row lock in report_transition lets exactly one win; the
other gets a clear conflict, and exactly one event is written."""

import threading
import time

import pytest
from django.db import connection

from agencies.models import Role
from complaints.errors import StaleReport, TransitionNotAllowed
from complaints.models import Report, ReportEvent, Status
from complaints.services import report_transition
from complaints.signals import event_recorded
from tests.factories import dispatched_report, make_staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 5
HOLD = 0.3  # seconds the winner keeps its transaction (and the row lock) open


def _hold_the_lock(sender, **kwargs):
    # Runs inside the winner's transaction, after its checks and before its commit: the other
    # thread is then certainly waiting on the row, or has read it before the change commits.
    time.sleep(HOLD)


def race(jobs) -> list:
    """Runs each job in its own thread (and so its own connection), released together."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as exc:  # the loser's conflict is the result we check
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread hung: lock never released?"
    return results


@pytest.fixture
def slow_commit():
    event_recorded.connect(_hold_the_lock, dispatch_uid="test-hold-the-lock")
    yield
    event_recorded.disconnect(dispatch_uid="test-hold-the-lock")


@pytest.mark.parametrize("same_version", [False, True], ids=["no-version", "same-version"])
def test_resolve_and_transfer_at_once_exactly_one_wins(
    cast, agency_a, agency_b, slow_commit, same_version
):
    second = make_staff(Role.Kind.OFFICER, agency=agency_a, full_name="Petugas A kedua")
    for _ in range(ROUNDS):
        report = dispatched_report(agency_a, cast.national)
        report = report_transition(
            report_id=report.pk, action="respond", actor=cast.officer_a, note="Kami tangani."
        )
        assert report.status == Status.IN_PROGRESS
        version = report.version
        seen = version if same_version else None
        events_before = ReportEvent.objects.filter(report=report).count()

        resolved, transferred = race(
            [
                lambda r=report, v=seen: report_transition(
                    report_id=r.pk,
                    action="resolve",
                    actor=cast.officer_a,
                    note="Sudah diperbaiki.",
                    expected_version=v,
                ),
                lambda r=report, v=seen: report_transition(
                    report_id=r.pk,
                    action="transfer",
                    actor=second,
                    note="Bukan wilayah kami.",
                    agency=agency_b,
                    expected_version=v,
                ),
            ]
        )

        outcomes = [resolved, transferred]
        winners = [o for o in outcomes if isinstance(o, Report)]
        losers = [o for o in outcomes if not isinstance(o, Report)]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        expected = (StaleReport,) if same_version else (TransitionNotAllowed, StaleReport)
        assert isinstance(losers[0], expected), losers[0]
        report.refresh_from_db()
        assert ReportEvent.objects.filter(report=report).count() == events_before + 1
        assert report.version == winners[0].version == version + 1
        last = ReportEvent.objects.filter(report=report).order_by("pk").last()
        if isinstance(resolved, Report):
            assert report.status == Status.RESOLVED and report.agency_id == agency_a.pk
            assert last.action == "resolve"
        else:
            assert report.status == Status.DISPATCHED and report.agency_id == agency_b.pk
            assert last.action == "transfer"
        assert last.from_status == Status.IN_PROGRESS


def test_same_action_twice_at_once_is_done_once(cast, agency_a, slow_commit):
    second = make_staff(Role.Kind.OFFICER, agency=agency_a, full_name="Petugas A kedua")
    for _ in range(ROUNDS):
        report = dispatched_report(agency_a, cast.national)
        results = race(
            [
                lambda u=u, r=report: report_transition(
                    report_id=r.pk, action="respond", actor=u, note="Tanggapan pertama."
                )
                for u in (cast.officer_a, second)
            ]
        )
        assert sum(isinstance(r, Report) for r in results) == 1, results
        assert sum(isinstance(r, TransitionNotAllowed) for r in results) == 1, results
        assert ReportEvent.objects.filter(report=report, action="respond").count() == 1
