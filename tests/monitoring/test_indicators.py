"""Dashboard figures equal the same figures computed straight from the reports, for a mixed
data set (transfers, reopenings, rejections) spread across month and year boundaries."""

import datetime as dt
import random
import statistics
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q

from agencies.models import Agency
from complaints.models import Report
from complaints.services import report_transition
from monitoring.facts import bucket
from monitoring.rebuild import differences, rebuild
from monitoring.selectors import Part, Range, indicators_by, period_parts, signed_parts, total
from tests.factories import dispatched_report, file_report

JAKARTA = ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(cast, agency_a, agency_b):
    rng = random.Random(7)
    kemenkes = Agency.objects.get(slug="kemenkes")
    surabaya = Agency.objects.get(slug="pemkot-3578")
    officers = {agency_a.pk: cast.officer_a, agency_b.pk: cast.officer_b}
    reports = []
    for _ in range(40):
        target = rng.choice([agency_a, agency_b, kemenkes, surabaya, None])
        if target is None:
            report = file_report(province_id=rng.choice(["32", "35"]), regency_id=None)
            if rng.random() < 0.5:
                report_transition(
                    report_id=report.pk, action="reject", actor=cast.national, note="bukan laporan"
                )
            reports.append(report)
            continue
        report = dispatched_report(
            target,
            cast.national,
            province_id=target.province_id or "31",
            regency_id=target.regency_id,
        )
        officer = officers.get(target.pk)
        if officer and rng.random() < 0.8:
            report_transition(report_id=report.pk, action="respond", actor=officer, note="ok")
            if rng.random() < 0.6:
                report_transition(
                    report_id=report.pk, action="resolve", actor=officer, note="selesai"
                )
                if rng.random() < 0.4:
                    report_transition(
                        report_id=report.pk,
                        action="dispute",
                        token=report.reporter_secret,
                        note="belum",
                    )
                else:
                    report_transition(
                        report_id=report.pk,
                        action="accept",
                        token=report.reporter_secret,
                        rating=rng.randint(1, 5),
                    )
        if officer and rng.random() < 0.2:
            other = agency_b if target == agency_a else agency_a
            try:
                report_transition(
                    report_id=report.pk,
                    action="transfer",
                    actor=officer,
                    agency=other,
                    note="pindah",
                )
            except Exception:  # noqa: S110  (not allowed from this status)
                pass
        reports.append(report)
    # Spread the receipt dates over two years, across month and year ends; the summaries are
    # then rebuilt (the incremental upkeep itself is proven in test_summaries).
    base = dt.datetime(2025, 11, 15, 9, tzinfo=JAKARTA)
    for i, report in enumerate(reports):
        created = base + dt.timedelta(days=i * 11, hours=i % 5 * 4)
        Report.objects.filter(pk=report.pk).update(created_at=created)
    rebuild()
    assert differences() == []
    return reports


def direct(start: dt.date, end: dt.date, where: Q | None = None) -> dict:
    """The indicators straight from the reports (what the summaries must equal)."""
    reports = [
        r
        for r in Report.objects.filter(where or Q())
        if start <= r.created_at.astimezone(JAKARTA).date() <= end
    ]
    dispatched = [r for r in reports if r.dispatched_at]
    followed = [r for r in reports if r.first_response_at]
    completed = [r for r in reports if r.status in ("resolved", "closed")]
    rated = [r.rating for r in reports if r.rating]
    resolved_ever = [
        r for r in reports if r.resolved_at or r.status in ("resolved", "closed") or r.reopen_count
    ]

    def late(r):  # missed a limit: marked overdue, or answered or resolved after it
        return bool(
            r.overdue_at
            or (r.first_response_at and r.response_due and r.first_response_at > r.response_due)
            or (r.resolved_at and r.resolution_due and r.resolved_at > r.resolution_due)
        )

    on_time = [r for r in followed if not late(r)]
    missed = [r for r in reports if late(r)]
    # SP4N's follow-up percentage: finished (resolved, closed) and in process, over received.
    followed_up_sp4n = [r for r in reports if r.status in ("resolved", "closed", "in_progress")]
    response = [bucket(r.dispatched_at, r.first_response_at) for r in followed if r.dispatched_at]

    def rate(a, b):
        return len(a) / len(b) if b else None

    return {
        "received": len(reports),
        "rejected": sum(r.status == "rejected" for r in reports),
        "in_progress": sum(r.status == "in_progress" for r in reports),
        "follow_up_rate": rate(followed_up_sp4n, reports),
        "response_rate": rate(followed, dispatched),
        "completion_rate": rate(completed, dispatched),
        "on_time_rate": rate(on_time, on_time + missed),
        "satisfaction": sum(rated) / len(rated) if rated else None,
        "dispute_rate": len([r for r in reports if r.reopen_count]) / len(resolved_ever)
        if resolved_ever
        else None,
        "median_response_days": statistics.median_low(response) if response else None,
    }


PERIODS = [
    Range(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),  # a whole year
    Range(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    Range(dt.date(2025, 12, 1), dt.date(2026, 1, 31)),  # two months across the year end
    Range(dt.date(2025, 12, 20), dt.date(2026, 2, 10)),  # days, a whole month, days
    Range(dt.date(2025, 11, 1), dt.date(2027, 3, 31)),  # everything
    # Read as the whole year (or month) less the rest (monitoring.selectors.signed_parts):
    Range(dt.date(2026, 1, 1), dt.date(2026, 11, 17)),  # the year less late Nov and Dec
    Range(dt.date(2025, 11, 18), dt.date(2026, 11, 17)),  # a year from mid-month
    Range(dt.date(2026, 3, 3), dt.date(2026, 3, 28)),  # March less five days
]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.start}..{p.end}")
def test_national_and_province_figures_equal_the_reports(mixed, period):
    by_province = indicators_by(grain="P", by="province", period=period)
    whole = total(by_province).as_row()
    want = direct(period.start, period.end)
    for key, value in want.items():
        assert whole[key] == pytest.approx(value), key
    for code in ("32", "35"):
        got = by_province.get(code)
        want = direct(period.start, period.end, Q(province_id=code))
        if got is None:
            assert want["received"] == 0
            continue
        for key, value in want.items():
            assert got.as_row()[key] == pytest.approx(value), (code, key)


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.start}..{p.end}")
def test_agency_figures_equal_the_reports(mixed, agency_a, agency_b, period):
    by_owner = indicators_by(
        grain="O", by="owner", period=period, where=Q(owner__in=[agency_a.pk, agency_b.pk])
    )
    for agency in (agency_a, agency_b):
        want = direct(period.start, period.end, Q(owner_agency=agency))
        got = by_owner.get(agency.pk)
        if got is None:
            assert want["received"] == 0
            continue
        for key, value in want.items():
            assert got.as_row()[key] == pytest.approx(value), (agency.slug, key)


def test_period_rows_cover_each_day_once():
    years, months, days = period_parts(dt.date(2025, 12, 20), dt.date(2027, 2, 10))
    assert years == [dt.date(2026, 1, 1)]
    assert months == [dt.date(2027, 1, 1)]
    assert days == [
        (dt.date(2025, 12, 20), dt.date(2025, 12, 31)),
        (dt.date(2027, 2, 1), dt.date(2027, 2, 10)),
    ]
    covered = 365 + 31 + 12 + 10
    assert covered == (dt.date(2027, 2, 10) - dt.date(2025, 12, 20)).days + 1


def _days_counted(parts: list[Part]) -> dict[dt.date, int]:
    """How many times each day is counted by ``parts`` (added minus taken away)."""
    counted: dict[dt.date, int] = {}
    for part in parts:
        if part.period == "y":
            first, last = part.first, part.first.replace(month=12, day=31)
        elif part.period == "m":
            first = part.first
            last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            last -= dt.timedelta(days=1)
        else:
            first, last = part.first, part.last
        day = first
        while day <= last:
            counted[day] = counted.get(day, 0) + part.sign
            day += dt.timedelta(days=1)
    return counted


def test_signed_parts_count_each_day_of_the_period_once_and_no_other():
    rng = random.Random(3)
    today = dt.date(2026, 12, 2)
    origin = dt.date(2023, 1, 1)
    for _ in range(300):
        start = origin + dt.timedelta(days=rng.randrange(1500))
        end = start + dt.timedelta(days=rng.randrange(800))
        counted = _days_counted(signed_parts(start, end, today))
        inside = {d for d, n in counted.items() if n}
        assert all(counted[d] == 1 for d in inside), (start, end)
        assert min(inside) == start and max(inside) == end, (start, end)
        assert len(inside) == (end - start).days + 1, (start, end)


def test_most_of_a_year_is_read_as_the_year_less_the_rest():
    today = dt.date(2026, 12, 2)
    parts = signed_parts(dt.date(2026, 1, 1), dt.date(2026, 11, 17), today)
    assert parts == [
        Part("y", dt.date(2026, 1, 1), dt.date(2026, 1, 1)),
        Part("d", dt.date(2026, 11, 18), dt.date(2026, 11, 30), -1),
        Part("m", dt.date(2026, 12, 1), dt.date(2026, 12, 1), -1),
    ]
    # Ten months read as months would be ten parts of a month's rows each.
    assert signed_parts(dt.date(2026, 3, 3), dt.date(2026, 3, 28), today) == [
        Part("m", dt.date(2026, 3, 1), dt.date(2026, 3, 1)),
        Part("d", dt.date(2026, 3, 1), dt.date(2026, 3, 2), -1),
        Part("d", dt.date(2026, 3, 29), dt.date(2026, 3, 31), -1),
    ]
    # A few days stay days; a whole year stays one part.
    assert signed_parts(dt.date(2026, 3, 3), dt.date(2026, 3, 9), today) == [
        Part("d", dt.date(2026, 3, 3), dt.date(2026, 3, 9))
    ]
    assert signed_parts(dt.date(2025, 1, 1), dt.date(2025, 12, 31), today) == [
        Part("y", dt.date(2025, 1, 1), dt.date(2025, 1, 1))
    ]
