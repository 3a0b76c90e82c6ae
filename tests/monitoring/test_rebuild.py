"""manage.py rebuild_summaries: the comparison names every row that differs (wrong, missing,
extra) and nothing else; the rebuild (COPY on PostgreSQL) leaves no difference behind."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from complaints.services import report_transition
from monitoring import fold
from monitoring.models import Duration, Summary
from monitoring.rebuild import differences, rebuild
from tests.factories import dispatched_report, file_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def some_reports(cast, agency_a, agency_b):
    done = dispatched_report(agency_a, cast.national)
    for action in ("respond", "resolve"):
        report_transition(report_id=done.pk, action=action, actor=cast.officer_a, note="ok")
    dispatched_report(agency_b, cast.national)
    file_report()
    return done


def test_upkept_rows_agree_and_a_zero_row_equals_a_missing_one(some_reports):
    assert differences() == []
    # A row taken back to zero by a change stays in the table; it agrees with no row at all.
    Summary.objects.create(grain="P", period="y", start="2001-01-01", province="32", status="x")
    assert differences() == []


def test_wrong_missing_and_extra_rows_are_each_named(some_reports):
    fold.fold()  # the filings' deltas into the rows, to spoil some of them
    wrong = Summary.objects.filter(grain="P", period="d").first()
    Summary.objects.filter(pk=wrong.pk).update(n=wrong.n + 1)
    Duration.objects.filter(pk=Duration.objects.first().pk).delete()
    Summary.objects.create(
        grain="O", period="m", start="2001-01-01", province="32", owner=1, status="closed", n=1
    )
    problems = differences()
    assert len(problems) == 3
    assert sum(p.startswith("summary") for p in problems) == 2
    assert any("2001" in p and "table has {'n': 1}" in p for p in problems)
    assert any(p.startswith("duration") and "table has 0" in p for p in problems)
    with pytest.raises(CommandError, match="3 summary rows disagree"):
        call_command("rebuild_summaries", "--check")


def test_rebuild_replaces_every_row(some_reports):
    Summary.objects.all().update(n=99)
    Duration.objects.all().delete()
    Summary.objects.create(grain="P", period="y", start="2001-01-01", province="11", n=5)
    rows, durations = rebuild()
    assert differences() == []
    assert not Summary.objects.filter(start="2001-01-01").exists()
    assert Summary.objects.count() == rows
    assert Duration.objects.count() == durations > 0
    call_command("rebuild_summaries", "--check")
