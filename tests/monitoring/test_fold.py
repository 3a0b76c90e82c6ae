"""Summary deltas and the fold (issue 20, filing off the hot rows): a filing appends deltas
instead of updating shared summary rows; the readers count the unfolded deltas, so figures are
the same before and after a fold; concurrent filings and two folders at once lose nothing and
count nothing twice (real threads, each with its own PostgreSQL connection)."""

import re
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Report
from complaints.services import report_transition
from monitoring import fold, satisfaction, warnings
from monitoring.models import DELTAS, Summary, SummaryDelta, WeeklyCount
from monitoring.rebuild import differences, snapshot
from monitoring.selectors import Range, indicators_by, monthly_trend, total
from tests.factories import dispatched_report, file_report


def _figures():
    period = Range.this_year()
    by_province = indicators_by(grain="P", by="province", period=period)
    by_owner = indicators_by(grain="O", by="owner", period=period)
    return (
        {k: v.as_row() for k, v in by_province.items()},
        {k: v.as_row() for k, v in by_owner.items()},
        monthly_trend(grain="P"),
        warnings.stored_counts(),
        satisfaction.stored(),
    )


@pytest.mark.django_db
def test_filing_writes_deltas_and_figures_are_the_same_before_and_after_a_fold(cast, agency_a):
    dispatched_report(agency_a, cast.national)
    file_report(province_id="35", regency_id="3578")
    file_report()
    # Nothing shared was written: the rows are empty, every change is a delta.
    assert not Summary.objects.exists() and not WeeklyCount.objects.exists()
    assert SummaryDelta.objects.exists()
    before = _figures()
    assert total(indicators_by(grain="P", by="province", period=Range.this_year())).received == 3
    written = fold.fold()
    assert written[Summary._meta.db_table] > 0
    assert all(not model.objects.exists() for model in DELTAS.values())
    assert _figures() == before
    assert Summary.objects.exists()
    # A change after the fold is again a delta on top of folded rows, still counted exactly.
    file_report()
    after = total(indicators_by(grain="P", by="province", period=Range.this_year()))
    assert after.received == 4
    assert differences() == []  # folds first, then compares in one snapshot
    assert not SummaryDelta.objects.exists()


@pytest.mark.django_db
def test_fold_command_and_a_second_fold_add_nothing(cast):
    file_report()
    call_command("fold_summaries")
    rows = list(Summary.objects.values_list("grain", "period", "status", "n").order_by("pk"))
    assert sum(n for grain, period, _s, n in rows if (grain, period) == ("P", "y")) == 1
    fold.fold()  # nothing left to add
    assert list(Summary.objects.values_list("grain", "period", "status", "n").order_by("pk")) == (
        rows
    )


FILERS, PER_FILER = 4, 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_during_two_folders_lose_and_double_nothing(cast):
    """Four threads file reports while two threads fold in a loop and one reads the figures
    in a snapshot beside the count of reports: at every moment received == reports, and at
    the end the rebuild check agrees and no delta is left."""
    done = threading.Event()
    errors: list = []
    seen: list = []

    def guarded(job):
        def run():
            try:
                job()
            except Exception as exc:  # reported by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        return run

    def filer():
        for _ in range(PER_FILER):
            file_report()

    def folder():
        while not done.is_set():
            fold.fold()

    def reader():
        while not done.is_set():
            with snapshot():
                reports = Report.objects.count()
                received = total(
                    indicators_by(grain="P", by="province", period=Range.this_year())
                ).received
            seen.append((reports, received))

    filers = [threading.Thread(target=guarded(filer)) for _ in range(FILERS)]
    others = [threading.Thread(target=guarded(job)) for job in (folder, folder, reader)]
    for t in others + filers:
        t.start()
    for t in filers:
        t.join(timeout=120)
    done.set()
    for t in others:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in filers + others)
    assert errors == []
    assert len(seen) > 1
    assert all(reports == received for reports, received in seen), seen
    assert Report.objects.count() == FILERS * PER_FILER
    assert differences() == []
    assert all(not model.objects.exists() for model in DELTAS.values())
    national = total(indicators_by(grain="P", by="province", period=Range.this_year()))
    assert national.received == FILERS * PER_FILER


SHARED = re.compile(r"\bmonitoring_(summary|duration|weeklycount|skmsummary)\b")


@pytest.mark.django_db
def test_a_filing_and_a_status_change_write_no_shared_summary_row(cast):
    """The regression that broke the first delta branch: issue 18's per-filing upsert of the
    weekly count. No statement of a filing or a change writes a summary table itself."""
    with CaptureQueriesContext(connection) as filing:
        report = file_report()
    with CaptureQueriesContext(connection) as change:
        report_transition(report_id=report.pk, action="verify", actor=cast.national)
    writes = [
        q["sql"]
        for q in [*filing.captured_queries, *change.captured_queries]
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "WITH"))
    ]
    assert writes and not [sql for sql in writes if SHARED.search(sql)]
    assert any("monitoring_summarydelta" in sql for sql in writes)
    assert any("monitoring_weeklydelta" in sql for sql in writes)
