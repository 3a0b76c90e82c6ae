"""Recompute the summary rows from the reports: to check the incremental upkeep, to repair it,
and to fill the tables after a bulk load. Reads every report once (a command, not a page)."""

from collections import Counter, defaultdict
from types import SimpleNamespace

from django.db import transaction

from complaints.models import Report

from .facts import MEASURES, contribution
from .models import DURATION_KEY, KEY, Duration, Summary

FIELDS = [
    "created_at",
    "province_id",
    "regency_id",
    "owner_agency_id",
    "agency_id",
    "kind",
    "status",
    "dispatched_at",
    "first_response_at",
    "response_due",
    "overdue_at",
    "resolved_at",
    "reopen_count",
    "transfer_count",
    "rating",
]


def expected() -> tuple[dict, Counter]:
    """The rows the reports call for: ({key: Counter}, {duration key: n})."""
    summary: dict = defaultdict(Counter)
    durations: Counter = Counter()
    for values in Report.objects.values_list(*FIELDS).order_by().iterator(chunk_size=5000):
        report = SimpleNamespace(**dict(zip(FIELDS, values, strict=True)))
        rows, spans = contribution(report)
        for key, measures in rows.items():
            summary[key].update(measures)
        durations.update(spans)
    return summary, durations


def stored() -> tuple[dict, Counter]:
    summary = {
        tuple(row[: len(KEY)]): Counter(dict(zip(MEASURES, row[len(KEY) :], strict=True)))
        for row in Summary.objects.values_list(*KEY, *MEASURES).iterator(chunk_size=5000)
    }
    durations = Counter(
        {
            tuple(row[: len(DURATION_KEY)]): row[-1]
            for row in Duration.objects.values_list(*DURATION_KEY, "n").iterator(chunk_size=5000)
        }
    )
    return summary, durations


def differences() -> list[str]:
    """Rows where the stored summaries disagree with the reports (empty when all agree)."""
    want_s, want_d = expected()
    have_s, have_d = stored()
    problems = []
    for key in sorted(set(want_s) | set(have_s), key=str):
        want = +want_s.get(key, Counter())
        have = +have_s.get(key, Counter())
        if want != have:
            problems.append(f"summary {key}: reports say {dict(want)}, table has {dict(have)}")
    for key in sorted(set(want_d) | set(have_d), key=str):
        if want_d.get(key, 0) != have_d.get(key, 0):
            problems.append(
                f"duration {key}: reports say {want_d.get(key, 0)}, table has {have_d.get(key, 0)}"
            )
    return problems


@transaction.atomic
def rebuild() -> tuple[int, int]:
    """Replaces the summary tables with rows computed from the reports."""
    want_s, want_d = expected()
    Summary.objects.all().delete()
    Duration.objects.all().delete()
    Summary.objects.bulk_create(
        (
            Summary(**dict(zip(KEY, key, strict=True)), **dict(measures))
            for key, measures in want_s.items()
            if measures["n"]
        ),
        batch_size=5000,
    )
    Duration.objects.bulk_create(
        (
            Duration(**dict(zip(DURATION_KEY, key, strict=True)), n=n)
            for key, n in want_d.items()
            if n
        ),
        batch_size=5000,
    )
    return len(want_s), len(want_d)
