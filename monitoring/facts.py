"""A report's contribution to the summary rows, and applying the difference when it changes."""

from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from complaints.deadlines import (
    is_late,
    is_on_time,
    is_overdue,
    is_verified_on_time,
    is_verify_late,
    is_verify_overdue,
    verified_by_agency,
)

from . import fold
from .models import Duration, Summary

JAKARTA = ZoneInfo("Asia/Jakarta")
# The report fields ``contribution`` reads: the rebuild selects these, and the benchmark
# generator (bench/generate_reports.py) hands over these, so neither can fall behind it.
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
    "resolution_due",
    "reopen_count",
    "transfer_count",
    "rating",
    "verified_at",
    "verify_due",
    "verify_overdue_at",
    "requested_agency_id",
]
MEASURES = [
    "n",
    "dispatched",
    "followed_up",
    "on_time",
    "late",
    "overdue",
    "resolved_ever",
    "reopened",
    "reopen_total",
    "transferred",
    "rating_sum",
    "rating_n",
    "verify_on_time",
    "verify_late",
    "verify_overdue",
    "verify_overdue_triage",
]


# Upper bounds (inclusive) of the wide buckets after day 30; the bucket's value is its bound.
WIDE = (60, 90, 180, 365, 100000)


def bucket(start, end) -> int:
    """Whole days from ``start`` to ``end``: 0..30 as they are, then 60, 90, 180, 365, 100000
    for "up to 60 days", ..., "more than a year"."""
    days = max(0, (end - start).days)
    if days <= 30:
        return days
    return next(bound for bound in WIDE if days <= bound)


def _places(report) -> list[tuple]:
    """The (grain, province, owner, holder) rows a report counts in."""
    owner, holder = report.owner_agency_id or 0, report.agency_id or 0
    return [
        ("P", report.province_id, 0, 0),
        # By agency and the province the report came from: an agency's figures sum its rows,
        # and a province page shows the central agencies' work in that province.
        ("O", report.province_id or "", owner, 0),
        ("H", "", owner, holder),
    ]


def contribution(report) -> tuple[dict, dict]:
    """({summary key: Counter of measures}, {duration key: count}) for one report.

    Reads only the report's own fields (works on a copy taken before a change)."""
    if report is None:
        return {}, {}
    day = report.created_at.astimezone(JAKARTA).date()
    periods = (("y", day.replace(month=1, day=1)), ("m", day.replace(day=1)), ("d", day))
    followed = report.first_response_at is not None
    verify_overdue = is_verify_overdue(report)
    measures = Counter(
        n=1,
        dispatched=int(report.dispatched_at is not None),
        followed_up=int(followed),
        # One definition of late and overdue, shared with the sweep and the inbox
        # (complaints.deadlines): on_time and late never count the same report.
        on_time=int(is_on_time(report)),
        late=int(is_late(report)),
        overdue=int(is_overdue(report)),
        resolved_ever=int(
            report.resolved_at is not None
            or report.status in ("resolved", "closed")
            or report.reopen_count > 0
        ),
        reopened=int(report.reopen_count > 0),
        reopen_total=report.reopen_count,
        transferred=int(report.transfer_count > 0),
        rating_sum=report.rating or 0,
        rating_n=int(report.rating is not None),
        verify_on_time=int(is_verified_on_time(report)),
        verify_late=int(is_verify_late(report)),
        verify_overdue=int(verify_overdue),
        verify_overdue_triage=int(verify_overdue and not verified_by_agency(report)),
    )
    spans = []
    if followed and report.dispatched_at:
        spans.append(("response", bucket(report.dispatched_at, report.first_response_at)))
    if report.resolved_at and report.dispatched_at:
        spans.append(("resolution", bucket(report.dispatched_at, report.resolved_at)))
    summary, durations = {}, Counter()
    for grain, province, owner, holder in _places(report):
        for period, start in periods:
            place = (grain, period, start, province, owner, holder)
            summary[(*place, report.status)] = measures
            for measure, value in spans:
                durations[(*place, measure, value)] += 1
    return summary, dict(durations)


def delta(before, after) -> tuple[dict, dict]:
    """What to add to each row so that ``before``'s contribution becomes ``after``'s."""
    old_s, old_d = contribution(before)
    new_s, new_d = contribution(after)
    summary: dict = defaultdict(Counter)
    for key, measures in new_s.items():
        summary[key].update(measures)
    for key, measures in old_s.items():
        summary[key].subtract(measures)
    durations: Counter = Counter(new_d)
    durations.subtract(old_d)
    summary = {k: v for k, v in summary.items() if any(v.values())}
    return summary, {k: v for k, v in durations.items() if v}


def apply(summary: dict, durations: dict) -> None:
    """Appends the deltas to the delta tables, one INSERT per table (monitoring.fold adds them
    into the rows). No shared row is locked, so concurrent changes never wait on each other."""
    if summary:
        _, measures = fold.columns(Summary)
        rows = [(*key, *(summary[key].get(m, 0) for m in measures)) for key in sorted(summary)]
        fold.append(Summary, rows)
    if durations:
        fold.append(Duration, [(*key, durations[key]) for key in sorted(durations)])


def record_change(*, before, after) -> None:
    apply(*delta(before, after))
