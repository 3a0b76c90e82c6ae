"""Early warning: a weekly check per regency and category for report counts far above their
usual level, read from the weekly count rows (``WeeklyCount``), never from the reports.

The rule, stated on the page (``rule()``): a week is flagged when its count is at least
``MIN_COUNT`` and above the mean of the previous ``HISTORY_WEEKS`` weeks plus 3 standard
deviations. Weeks with no report count as 0. The standard deviation is taken as at least the
square root of the mean: counts of independent reports vary that much by chance (a Poisson
count's spread), so a series that never moved does not flag a week one report above it."""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import fold
from .models import EarlyWarning, WeeklyCount

JAKARTA = ZoneInfo("Asia/Jakarta")
HISTORY_WEEKS = 12
SIGMAS = 3
MIN_COUNT = 5
RULE_TEXT = _(
    "Peringatan dini muncul bila jumlah laporan satu kategori di satu kabupaten/kota dalam "
    "seminggu paling sedikit %(min)s dan melebihi rata-rata %(weeks)s minggu sebelumnya "
    "ditambah %(sigmas)s kali simpangan baku (minggu tanpa laporan dihitung 0; simpangan baku "
    "paling kecil akar dari rata-rata, sebesar variasi jumlah yang terjadi secara kebetulan)."
)


def rule() -> str:
    """The rule as the page states it, in the reader's language."""
    return RULE_TEXT % {"min": MIN_COUNT, "weeks": HISTORY_WEEKS, "sigmas": SIGMAS}


@dataclass(frozen=True)
class Check:
    flagged: bool
    count: int
    mean: float
    sd: float
    threshold: float


def spike(count: int, history: list[int]) -> Check:
    """Applies the rule to one week's ``count`` and the counts of the weeks before it."""
    weeks = len(history) or 1
    mean = sum(history) / weeks
    sd = math.sqrt(sum((x - mean) ** 2 for x in history) / weeks)
    spread = max(sd, math.sqrt(mean))
    threshold = mean + SIGMAS * spread
    return Check(count >= MIN_COUNT and count > threshold, count, mean, sd, threshold)


def week_of(moment: dt.datetime) -> dt.date:
    """The Monday of the week (Jakarta time) a report was received in."""
    day = moment.astimezone(JAKARTA).date()
    return day - dt.timedelta(days=day.weekday())


# --- upkeep: the weekly count rows ----------------------------------------------------------


def _key(report) -> tuple | None:
    if report is None:
        return None
    return (
        week_of(report.created_at),
        report.province_id or "",
        report.regency_id or "",
        report.category_id or 0,
    )


def record_change(*, before, after) -> None:
    """Moves a report's count when its week, place or category changes (filing, a new
    category): appended to the weekly deltas (monitoring.fold) in the change's transaction;
    no statement when nothing moved."""
    old, new = _key(before), _key(after)
    if old == new:
        return
    rows = [(*key, d) for key, d in ((old, -1), (new, 1)) if key is not None]
    fold.append(WeeklyCount, sorted(rows))


def expected_counts() -> dict[tuple, int]:
    """The weekly counts the reports call for (rebuild_summaries; one GROUP BY on the reports,
    a command, not a page)."""
    from complaints.models import Report

    counts: dict[tuple, int] = defaultdict(int)
    rows = (
        Report.objects.annotate(day=TruncDate("created_at", tzinfo=JAKARTA))
        .values("day", "province_id", "regency_id", "category_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for r in rows:
        week = r["day"] - dt.timedelta(days=r["day"].weekday())
        key = (week, r["province_id"] or "", r["regency_id"] or "", r["category_id"] or 0)
        counts[key] += r["n"]
    return dict(counts)


def stored_counts() -> dict[tuple, int]:
    """The weekly rows as stored, unfolded deltas added."""
    counts: dict[tuple, int] = defaultdict(int)
    columns = ("week", "province", "regency", "category", "n")
    for w, p, r, c, n in fold.with_deltas(WeeklyCount, lambda o: o.values_list(*columns)):
        counts[(w, p, r, c)] += n
    return {key: n for key, n in counts.items() if n}


@transaction.atomic
def rebuild_counts() -> int:
    WeeklyCount.objects.all().delete()
    rows = [
        WeeklyCount(week=w, province=p, regency=r, category=c, n=n)
        for (w, p, r, c), n in expected_counts().items()
    ]
    WeeklyCount.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# --- the weekly check -----------------------------------------------------------------------


def last_full_week(now: dt.datetime | None = None) -> dt.date:
    return week_of(now or timezone.now()) - dt.timedelta(days=7)


def early_warning_check(*, week: dt.date) -> list[EarlyWarning]:
    """Flags the regencies and categories whose count in ``week`` (a Monday) breaks the rule,
    against the ``HISTORY_WEEKS`` weeks before it. One read of the weekly rows and their
    unfolded deltas; a second run for the same week adds nothing. Returns the warnings of
    that week."""
    first = week - dt.timedelta(weeks=HISTORY_WEEKS)
    series: dict[tuple, dict[dt.date, int]] = defaultdict(dict)
    rows = fold.with_deltas(
        WeeklyCount,
        lambda objects: objects.filter(week__gte=first, week__lte=week).values_list(
            "week", "province", "regency", "category", "n"
        ),
    )
    for w, province, regency, category, n in rows:  # rows and unfolded deltas
        by_week = series[(province, regency, category)]
        by_week[w] = by_week.get(w, 0) + n
    history_weeks = [first + dt.timedelta(weeks=i) for i in range(HISTORY_WEEKS)]
    for (province, regency, category), by_week in series.items():
        count = by_week.get(week, 0)
        if count < MIN_COUNT:
            continue
        check = spike(count, [by_week.get(w, 0) for w in history_weeks])
        if check.flagged:
            EarlyWarning.objects.get_or_create(
                week=week,
                province=province,
                regency=regency,
                category=category,
                defaults={
                    "count": count,
                    "mean": check.mean,
                    "sd": check.sd,
                    "threshold": check.threshold,
                },
            )
    return list(EarlyWarning.objects.filter(week=week))


def warnings_for(provinces: frozenset | None, *, weeks: int = 8, today=None) -> list:
    """The warnings of the last ``weeks`` weeks in ``provinces`` (None: all), newest first."""
    since = week_of(today or timezone.now()) - dt.timedelta(weeks=weeks)
    q = Q(week__gte=since)
    if provinces is not None:
        q &= Q(province__in=provinces)
    return list(EarlyWarning.objects.filter(q))
