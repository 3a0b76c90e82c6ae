"""Indicators for any period, read from the summary rows (never from the reports).

A period [start, end] is read as whole years, whole months and the days left over, so the cost
depends on the length of the period and the number of rows shown, not on how many reports there
are. Every function here costs a fixed number of queries."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections
from django.db.models import OuterRef, Q, Subquery, Sum
from django.utils import timezone

from agencies.models import Agency, Role, User

from . import fold
from .models import DELTAS, Duration, RatingBand, Summary

STATUSES = [
    "submitted",
    "needs_info",
    "verified",
    "dispatched",
    "in_progress",
    "resolved",
    "closed",
    "rejected",
    "merged",
    "archived",
]
MEASURES = [
    "dispatched",
    "followed_up",
    "on_time",
    "late",
    "overdue",
    "resolved_ever",
    "reopened",
    "transferred",
    "rating_sum",
    "rating_n",
    "verify_on_time",
    "verify_late",
    "verify_overdue",
    "verify_overdue_triage",
]
SUMS = {
    "received": Sum("n"),
    **{f"m_{m}": Sum(m) for m in MEASURES},
    **{f"s_{s}": Sum("n", filter=Q(status=s)) for s in STATUSES},
}
ACTIVE_WINDOW = dt.timedelta(days=30)
DEFAULT_BANDS = {"good": (0.8, 0.9, 0.7), "fair": (0.5, 0.7, 0.4)}


# --- periods --------------------------------------------------------------------------------


def _month_end(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def period_parts(start: dt.date, end: dt.date) -> tuple[list, list, list]:
    """[start, end] as (whole years, whole months, (first, last) day spans), each day once."""
    years, months, days = [], [], []
    cursor = start
    while cursor <= end:
        year_end = cursor.replace(month=12, day=31)
        month_end = _month_end(cursor)
        if cursor.month == 1 and cursor.day == 1 and year_end <= end:
            years.append(cursor)
            cursor = year_end + dt.timedelta(days=1)
        elif cursor.day == 1 and month_end <= end:
            months.append(cursor)
            cursor = month_end + dt.timedelta(days=1)
        else:
            last = min(month_end, end)
            days.append((cursor, last))
            cursor = last + dt.timedelta(days=1)
    return years, months, days


@dataclass(frozen=True)
class Range:
    start: dt.date
    end: dt.date
    label: str = ""

    @classmethod
    def this_year(cls, today: dt.date | None = None) -> "Range":
        today = today or timezone.localdate()
        return cls(today.replace(month=1, day=1), today.replace(month=12, day=31), "year")

    @classmethod
    def this_month(cls, today: dt.date | None = None) -> "Range":
        today = today or timezone.localdate()
        return cls(today.replace(day=1), _month_end(today), "month")


# --- indicators -----------------------------------------------------------------------------


def _median(buckets: Counter) -> int | None:
    total = sum(buckets.values())
    if not total:
        return None
    seen = 0
    for value in sorted(buckets):
        seen += buckets[value]
        if seen * 2 >= total:
            return value
    return None


def _rate(a: int, b: int) -> float | None:
    return a / b if b else None


@dataclass
class Indicators:
    received: int = 0
    status: dict = field(default_factory=dict)
    measures: dict = field(default_factory=dict)
    response_days: Counter = field(default_factory=Counter)
    resolution_days: Counter = field(default_factory=Counter)
    connected: int | None = None
    agencies: int | None = None
    active: int | None = None

    def add(self, other: "Indicators") -> None:
        self.received += other.received
        for k, v in other.status.items():
            self.status[k] = self.status.get(k, 0) + v
        for k, v in other.measures.items():
            self.measures[k] = self.measures.get(k, 0) + v
        self.response_days.update(other.response_days)
        self.resolution_days.update(other.resolution_days)
        for attr in ("connected", "agencies", "active"):
            if getattr(other, attr) is not None:
                setattr(self, attr, (getattr(self, attr) or 0) + getattr(other, attr))

    def m(self, name: str) -> int:
        return self.measures.get(name, 0)

    @property
    def completed(self) -> int:
        return self.status.get("resolved", 0) + self.status.get("closed", 0)

    # SP4N-LAPOR!'s own figure, as its regional reviews publish it (Sumatera Selatan: "935
    # laporan ... persentase penyelesaiannya sebesar 53,7 persen (503 laporan), sebanyak 437
    # laporan berstatus selesai dan 66 laporan sedang dalam proses"): finished (selesai:
    # resolved or closed) plus in process (dalam proses: answered and being worked on) over
    # every report received, in whatever state, unverified included. A report left waiting
    # in triage or for verification counts as received and not followed up, so leaving
    # reports unverified never makes a government look better.
    @property
    def finished(self) -> int:
        return self.completed

    @property
    def in_process(self) -> int:
        return self.status.get("in_progress", 0)

    @property
    def followed_up_total(self) -> int:
        return self.finished + self.in_process

    @property
    def follow_up_rate(self) -> float | None:
        return _rate(self.followed_up_total, self.received)

    @property
    def follow_up_percent(self) -> Decimal | None:
        """The follow-up percentage to one decimal, cut (not rounded) as SP4N publishes it:
        503 / 935 = 53.797 % reads "53,7". Integer arithmetic: no float edge."""
        if not self.received:
            return None
        return Decimal(self.followed_up_total * 1000 // self.received) / 10

    @property
    def response_rate(self) -> float | None:
        """Dispatched reports that had a first response."""
        return _rate(self.m("followed_up"), self.m("dispatched"))

    @property
    def completion_rate(self) -> float | None:
        return _rate(self.completed, self.m("dispatched"))

    @property
    def on_time_rate(self) -> float | None:
        """Reports answered within every limit due so far / reports with a limit met or
        missed (answered, or late). A late report, answered or not, is never on time, so
        the rate is below 100 % whenever "Terlambat" is above zero (complaints.deadlines)."""
        return _rate(self.m("on_time"), self.m("on_time") + self.m("late"))

    @property
    def verify_rate(self) -> float | None:
        """Reports verified within the verification limit (3 working days) / reports
        received (DESIGN.md, Indicators): one waiting, or verified late, is not on time."""
        return _rate(self.m("verify_on_time"), self.received)

    @property
    def satisfaction(self) -> float | None:
        return _rate(self.m("rating_sum"), self.m("rating_n"))

    @property
    def dispute_rate(self) -> float | None:
        return _rate(self.m("reopened"), self.m("resolved_ever"))

    @property
    def median_response_days(self) -> int | None:
        return _median(self.response_days)

    @property
    def median_resolution_days(self) -> int | None:
        return _median(self.resolution_days)

    @property
    def connectedness(self) -> float | None:
        return _rate(self.connected or 0, self.agencies or 0) if self.agencies else None

    @property
    def activity(self) -> float | None:
        return _rate(self.active or 0, self.connected or 0) if self.connected else None

    def as_row(self) -> dict:
        return {
            "received": self.received,
            **{s: self.status.get(s, 0) for s in STATUSES},
            "overdue": self.m("overdue"),
            "late": self.m("late"),
            "verify_rate": self.verify_rate,
            "verify_late": self.m("verify_late"),
            "verify_overdue": self.m("verify_overdue"),
            "verify_overdue_triage": self.m("verify_overdue_triage"),
            "dispatched_total": self.m("dispatched"),
            "finished": self.finished,
            "in_process": self.in_process,
            "followed_up_total": self.followed_up_total,
            "follow_up_rate": self.follow_up_rate,
            "follow_up_percent": self.follow_up_percent,
            "response_rate": self.response_rate,
            "completion_rate": self.completion_rate,
            "on_time_rate": self.on_time_rate,
            "median_response_days": self.median_response_days,
            "median_resolution_days": self.median_resolution_days,
            "satisfaction": self.satisfaction,
            "dispute_rate": self.dispute_rate,
            "connectedness": self.connectedness,
            "activity": self.activity,
        }


def period_parts_q(start: dt.date, end: dt.date) -> list[Q]:
    """Conditions on summary rows that cover [start, end] exactly once, together: whole years,
    whole months, then each span of days (queried as separate branches, see _grouped)."""
    years, months, days = period_parts(start, end)
    parts = []
    if years:
        parts.append(Q(period="y", start__in=years))
    if months:
        parts.append(Q(period="m", start__in=months))
    parts += [Q(period="d", start__range=span) for span in days]
    return parts or [Q(pk__in=[])]


# How many summary rows one part of a period reads, as days' worth: on the generated database
# of 1M reports (bench/generate_reports.py) an agency-grain month holds 15.6k duration rows and
# a year 42k against 1.35k for a day (at 10k reports, 19 and 80 days' worth). Parts after today
# hold no rows yet and cost nothing.
PART_COST = {"d": 1, "m": 11, "y": 31}


@dataclass(frozen=True)
class Part:
    """Summary rows of one period to add (``sign`` 1) or to take away (-1): a year or a month
    starting on ``first``, or the days ``first`` to ``last``."""

    period: str
    first: dt.date
    last: dt.date
    sign: int = 1

    def q(self) -> Q:
        if self.period == "d":
            return Q(period="d", start__range=(self.first, self.last))
        return Q(period=self.period, start=self.first)

    def cost(self, today: dt.date) -> int:
        if self.first > today:
            return 0
        if self.period == "d":
            return (min(self.last, today) - self.first).days + 1
        return PART_COST[self.period]

    def negated(self) -> "Part":
        return Part(self.period, self.first, self.last, -self.sign)


def _cost(parts: list[Part], today: dt.date) -> int:
    return sum(p.cost(today) for p in parts)


def _month_parts(first: dt.date, last: dt.date, today: dt.date) -> list[Part]:
    """Days ``first`` to ``last`` of one month: those days, or the whole month less the other
    days when that reads fewer rows (25 days of a 30-day month: the month less 5 days)."""
    start, end = first.replace(day=1), _month_end(first)
    if (first, last) == (start, end):
        return [Part("m", start, start)]
    plain = [Part("d", first, last)]
    outside = [Part("d", start, first - dt.timedelta(days=1), -1)] if first > start else []
    if last < end:
        outside.append(Part("d", last + dt.timedelta(days=1), end, -1))
    whole = [Part("m", start, start), *outside]
    return whole if _cost(whole, today) < _cost(plain, today) else plain


def _year_parts(first: dt.date, last: dt.date, today: dt.date) -> list[Part]:
    """Days ``first`` to ``last`` of one year: as whole months and days, or as the whole year
    less the months and days outside, whichever reads fewer rows (January to mid-November:
    the year less half of November and December)."""
    start, end = first.replace(month=1, day=1), first.replace(month=12, day=31)

    def plain(a: dt.date, b: dt.date) -> list[Part]:
        parts, cursor = [], a
        while cursor <= b:
            month_last = min(_month_end(cursor), b)
            parts += _month_parts(cursor, month_last, today)
            cursor = month_last + dt.timedelta(days=1)
        return parts

    if (first, last) == (start, end):
        return [Part("y", start, start)]
    direct = plain(first, last)
    outside = plain(start, first - dt.timedelta(days=1)) if first > start else []
    if last < end:
        outside += plain(last + dt.timedelta(days=1), end)
    whole = [Part("y", start, start), *(p.negated() for p in outside)]
    return whole if _cost(whole, today) < _cost(direct, today) else direct


def signed_parts(start: dt.date, end: dt.date, today: dt.date | None = None) -> list[Part]:
    """[start, end] as summary rows to add and to take away, each day counted once in all.
    Every row of a year is the sum of its months' rows, and a month's of its days'
    (monitoring.facts writes a report into all three), so "the year less the months outside"
    is exact, and at a million reports it reads a third of the rows of ten months. The cost
    of a dashboard then follows the number of parts and the rows each holds, not the
    reports."""
    today = today or timezone.localdate()
    parts, cursor = [], start
    while cursor <= end:
        year_last = min(cursor.replace(month=12, day=31), end)
        parts += _year_parts(cursor, year_last, today)
        cursor = year_last + dt.timedelta(days=1)
    return parts


def _grouped(model, parts: list[Part], where: Q, fields: list[str], sums: dict) -> list[dict]:
    """One statement: the sums grouped by ``fields`` over every part of the period. Each part
    is a branch of a UNION ALL (a part taken away has its sums negated) and is a plain range
    of the covering index (migration monitoring 0002), read by an index-only scan; an OR of
    the parts would be a bitmap scan of the table's scattered rows instead. The same parts of
    the deltas not yet folded (monitoring.fold) are branches too, so the sums are exact. The
    branches are added up by PostgreSQL (an outer GROUP BY), so the rows that reach Python
    are one per group whatever the number of parts (at 1M reports the province durations of
    a mid-month year were 13,000 rows, and 2,700 this way)."""
    negated = {name: expression * -1 for name, expression in sums.items()}
    queries = [
        manager.filter(part.q() & where)
        .values(*fields)
        .annotate(**(sums if part.sign > 0 else negated))
        .order_by()
        for manager in (model.objects, DELTAS[model].objects)  # the rows and unfolded deltas
        for part in parts
    ]
    if not queries:
        return []
    union = queries[0].union(*queries[1:], all=True)
    sql, params = union.query.sql_with_params()
    connection = connections[union.db]
    quote = connection.ops.quote_name
    keys = ", ".join(quote(f) for f in fields)
    totals = ", ".join(f"SUM({quote(name)}) AS {quote(name)}" for name in sums)
    names = [*fields, *sums]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {keys}, {totals} FROM ({sql}) parts GROUP BY {keys}", params)  # noqa: S608  (our own column names)
        width = len(fields)  # PostgreSQL's SUM of sums is numeric: back to whole numbers
        return [
            dict(zip(names, (*row[:width], *(_whole(v) for v in row[width:])), strict=True))
            for row in cursor.fetchall()
        ]


def _whole(value) -> int | None:
    return None if value is None else int(value)


def indicators_by(
    *, grain: str, by: str, period: Range, where: Q | None = None
) -> dict[object, Indicators]:
    """Indicators grouped by ``by`` ("province", "owner", "holder" or "start") for the rows of
    ``grain`` in ``period``. Two queries."""
    parts = signed_parts(period.start, period.end)
    where = Q(grain=grain) & (where or Q())
    result: dict[object, Indicators] = defaultdict(Indicators)
    for row in _grouped(Summary, parts, where, [by], SUMS):
        ind = result[row[by]]
        ind.received += row["received"] or 0
        for s in STATUSES:
            ind.status[s] = ind.status.get(s, 0) + (row[f"s_{s}"] or 0)
        for m in MEASURES:
            ind.measures[m] = ind.measures.get(m, 0) + (row[f"m_{m}"] or 0)
    durations = _grouped(Duration, parts, where, [by, "measure", "bucket"], {"n": Sum("n")})
    for row in durations:
        target = result[row[by]]
        days = target.response_days if row["measure"] == "response" else target.resolution_days
        days[row["bucket"]] += row["n"]
    # A group whose parts cancel out (its reports all fall outside the period) is no group.
    return {key: ind for key, ind in result.items() if ind.received or _any(ind)}


def _any(ind: Indicators) -> bool:
    return any(ind.status.values()) or any(ind.measures.values())


def total(rows: dict[object, Indicators]) -> Indicators:
    whole = Indicators()
    for ind in rows.values():
        whole.add(ind)
    return whole


def monthly_trend(*, grain: str, months: int = 12, where: Q | None = None, today=None) -> list:
    """[(month start, received, completed)] for the last ``months`` months (rows and unfolded
    deltas). One query."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    rows = fold.with_deltas(
        Summary,
        lambda objects: (
            objects.filter(Q(grain=grain, period="m", start__gte=first) & (where or Q()))
            .values("start")
            .annotate(
                received=Sum("n"),
                completed=Sum("n", filter=Q(status__in=["resolved", "closed"])),
            )
            .order_by()
        ),
    )
    by_month: dict = defaultdict(lambda: {"received": 0, "completed": 0})
    for r in rows:
        by_month[r["start"]]["received"] += r["received"] or 0
        by_month[r["start"]]["completed"] += r["completed"] or 0
    trend, cursor = [], first
    while cursor <= today:
        r = by_month.get(cursor, {})
        trend.append((cursor, r.get("received") or 0, r.get("completed") or 0))
        cursor = _month_end(cursor) + dt.timedelta(days=1)
    return trend


# --- agencies: connectedness and activity ---------------------------------------------------


def connectivity(agencies: list[Agency], now=None) -> dict[int, tuple[bool, bool]]:
    """{agency id: (connected, active)} for top-level agencies. Connected (keterhubungan, as
    SP4N-LAPOR! counts it): the agency's SK pengelola is in force today (agencies.Appointment:
    signed, not expired, not revoked) and an agency admin it appointed works in the system (an
    active account with the role). Active (keaktifan): a connected agency one of whose staff
    (or its units' staff) signed in or acted on a report in the last 30 days. Two queries on
    the roles and decrees, whatever the number of reports."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = {a.pk for a in agencies}
    connected = set(
        Role.objects.active()
        .filter(
            kind=Role.Kind.AGENCY_ADMIN,
            agency_id__in=ids,
            user__is_active=True,
            agency__appointments__signed_on__lte=today,
            agency__appointments__valid_until__gte=today,
            agency__appointments__revoked_at__isnull=True,
        )
        .values_list("agency_id", flat=True)
        .distinct()
    )
    recent = now - ACTIVE_WINDOW
    # From the staff roles to each one's user by key (a scalar subquery, which PostgreSQL
    # cannot turn into a join): a join on the users' sign-in times scanned every account,
    # citizens' included (6.7 ms at 50k accounts against 1.5 ms), and citizens' accounts grow
    # with the reports while staff roles do not.
    signed_in = User.objects.filter(
        Q(last_login__gte=recent) | Q(last_active_at__gte=recent),
        pk=OuterRef("user_id"),
        is_active=True,
    ).values("pk")[:1]
    active_paths = (
        Role.objects.active()
        .filter(kind__in=[Role.Kind.OFFICER, Role.Kind.AGENCY_ADMIN])
        .annotate(signed_in=Subquery(signed_in))
        .filter(signed_in__isnull=False)
        .values_list("agency__path", flat=True)
        .distinct()
    )
    active = {int(path.split("/", 1)[0]) for path in active_paths}
    return {a.pk: (a.pk in connected, a.pk in connected and a.pk in active) for a in agencies}


def regional_agencies(province: str | None = None):
    qs = Agency.objects.filter(parent__isnull=True, is_active=True, province__isnull=False)
    if province:
        qs = qs.filter(province_id=province)
    return qs


def attach_connectivity(rows: dict, agencies: list[Agency], key, flags: dict | None = None) -> None:
    """Adds connected/agencies/active counts to ``rows`` grouped by ``key(agency)``. Two
    queries, none if ``flags`` (from ``connectivity(agencies)``) are given."""
    flags = flags if flags is not None else connectivity(agencies)
    for agency in agencies:
        ind = rows.setdefault(key(agency), Indicators())
        is_connected, is_active = flags[agency.pk]
        ind.agencies = (ind.agencies or 0) + 1
        ind.connected = (ind.connected or 0) + int(is_connected)
        ind.active = (ind.active or 0) + int(is_active)


def bands() -> dict[str, tuple[float, float, float]]:
    values = dict(DEFAULT_BANDS)
    for b in RatingBand.objects.all():
        values[b.band] = (b.min_completion, b.min_follow_up, b.min_on_time)
    return values


def band_for(ind: Indicators, thresholds: dict) -> str:
    """ "good", "fair" or "poor" (Kemendagri's grading), or "" without reports. Graded on
    received reports, not dispatched ones: reports left unverified lower the grade."""
    if not ind.received:
        return ""
    for name in ("good", "fair"):
        completion, follow_up, on_time = thresholds[name]
        # Finished over received (not over dispatched): reports left unverified count
        # against the grade, as they do in SP4N's follow-up percentage.
        if (
            (_rate(ind.finished, ind.received) or 0) >= completion
            and (ind.follow_up_rate or 0) >= follow_up
            and (ind.on_time_rate or 0) >= on_time
        ):
            return name
    return "poor"
