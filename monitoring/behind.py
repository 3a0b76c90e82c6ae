"""The reports behind a dashboard figure: the same definitions as the summary rows
(monitoring.facts.contribution), as conditions on the reports table, and who may follow a
figure to them.

A figure is counted in a summary row by the report's receipt day (Jakarta), its place (province,
top-level agency, the agency or unit holding it) and a measure. ``reports_behind`` selects
exactly those reports, so a link from "Terlambat 10" lists those ten reports, and a test holds
every figure to it (tests/monitoring/test_behind.py).

Only staff who may open every one of those reports get a link (national admins; an agency's own
officers and admins for its figures and its units'; a province supervisor for the regional
governments of the province); others, and the public page, see the count alone."""

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agencies.scope import scope_for
from complaints.deadlines import (
    late_q,
    on_time_q,
    overdue_q,
    verify_late_q,
    verify_on_time_q,
    verify_overdue_q,
)
from complaints.models import Report

from .facts import JAKARTA
from .selectors import STATUSES

FINISHED = ["resolved", "closed"]

# figure -> (label, condition). The conditions are the measures of monitoring.facts.
FIGURES = {
    "received": (_("Diterima"), Q()),
    "followed_up_total": (
        _("Ditindaklanjuti (selesai dan dalam proses)"),
        Q(status__in=[*FINISHED, "in_progress"]),
    ),
    "finished": (_("Selesai"), Q(status__in=FINISHED)),
    "in_process": (_("Dalam proses"), Q(status="in_progress")),
    "dispatched": (_("Didisposisikan"), Q(dispatched_at__isnull=False)),
    "responded": (_("Sudah ditanggapi"), Q(first_response_at__isnull=False)),
    "on_time": (_("Tepat waktu"), on_time_q()),
    "late": (_("Pernah terlambat"), late_q()),
    "overdue": (_("Terlambat"), overdue_q()),
    "reopened": (_("Disanggah"), Q(reopen_count__gt=0)),
    "rated": (_("Dinilai pelapor"), Q(rating__isnull=False)),
    "verify_on_time": (_("Diverifikasi tepat waktu"), verify_on_time_q()),
    "verify_late": (_("Terlambat diverifikasi"), verify_late_q()),
    "verify_overdue": (_("Terlambat verifikasi"), verify_overdue_q()),
    "verify_waiting": (_("Menunggu verifikasi"), Q(status="submitted")),
    **{f"status_{s}": (s, Q(status=s)) for s in STATUSES},
}

# Table column (Indicators.as_row key) -> the figure its number counts (a rate: its numerator).
COLUMN_FIGURES = {
    "received": "received",
    "follow_up_percent": "followed_up_total",
    "finished": "finished",
    "in_process": "in_process",
    "completion_rate": "finished",
    "response_rate": "responded",
    "on_time_rate": "on_time",
    "overdue": "overdue",
    "satisfaction": "rated",
    "dispute_rate": "reopened",
    "verify_rate": "verify_on_time",
    "verify_overdue": "verify_overdue",
}


def period_q(start: dt.date, end: dt.date) -> Q:
    """Received from ``start`` to ``end`` inclusive, by the Jakarta day (as the summary rows)."""
    first = dt.datetime.combine(start, dt.time.min, tzinfo=JAKARTA)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=JAKARTA)
    return Q(created_at__gte=first, created_at__lt=after)


def place_q(place: dict) -> Q:
    """``place``: ``provinsi`` (a code, or "-" for none), ``instansi`` (the top-level agency, 0
    for none) and ``unit`` (the agency or unit holding the report), each optional."""
    q = Q()
    if "provinsi" in place:
        code = place["provinsi"]
        q &= Q(province__isnull=True) if code in ("", "-") else Q(province_id=code)
    if "instansi" in place:
        owner = int(place["instansi"])
        q &= Q(owner_agency__isnull=True) if owner == 0 else Q(owner_agency_id=owner)
    if "unit" in place:
        holder = int(place["unit"])
        q &= Q(agency__isnull=True) if holder == 0 else Q(agency_id=holder)
    if "dituju" in place:  # the agency the reporter addressed, which verifies it (or a unit)
        q &= Q(requested_agency__path__startswith=f"{int(place['dituju'])}/")
    if "petugas" in place:  # the officer the report is assigned to, 0 for nobody
        officer = int(place["petugas"])
        q &= Q(assigned_to__isnull=True) if officer == 0 else Q(assigned_to_id=officer)
    return q


# --- reports by age (FixMyStreet's dashboard): open reports by working days held --------------
# Age: the working days after the day the holding agency received the report, up to today
# (complaints.workdays.Calendar.working_days_between, Jakarta days). Open: held by an agency
# (dispatched or in progress), the reports whose clocks run (complaints.deadlines).
AGE_BUCKETS = [(0, 5), (6, 10), (11, 20), (21, 40), (41, None)]


def _nth_working_day_back(n: int, today: dt.date, calendar) -> dt.date:
    day, counted = today, 0
    while True:
        if calendar.is_working_day(day):
            counted += 1
            if counted == n:
                return day
        day -= dt.timedelta(days=1)


def age_q(low: int, high: int | None, today: dt.date | None = None, calendar=None) -> Q:
    """Open reports held ``low`` to ``high`` working days (no upper bound for None)."""
    from complaints.deadlines import OVERDUE_STATUSES
    from complaints.workdays import Calendar

    today = today or timezone.localdate()
    calendar = calendar or Calendar()

    def start_of(n):  # age >= n  <=>  held since before the start of this day
        day = _nth_working_day_back(n, today, calendar)
        return dt.datetime.combine(day, dt.time.min, tzinfo=JAKARTA)

    q = Q(status__in=OVERDUE_STATUSES, held_since__isnull=False)
    if low > 0:
        q &= Q(held_since__lt=start_of(low))
    if high is not None:
        q &= Q(held_since__gte=start_of(high + 1))
    return q


AGE_FIGURES = {f"umur_{low}": (low, high) for low, high in AGE_BUCKETS}


def age_label(low: int, high: int | None) -> str:
    if high is None:
        return _("lebih dari %(n)s hari kerja") % {"n": low - 1}
    return _("%(a)s-%(b)s hari kerja") % {"a": low, "b": high}


def with_held_since(qs):
    return qs.alias(held_since=Coalesce("agency_received_at", "dispatched_at"))


def condition(figure: str) -> Q:
    if figure in AGE_FIGURES:
        return age_q(*AGE_FIGURES[figure])
    return FIGURES[figure][1]


def label_of(figure: str) -> str:
    if figure in AGE_FIGURES:
        return _("Terbuka, %(age)s") % {"age": age_label(*AGE_FIGURES[figure])}
    return FIGURES[figure][0]


def reports_behind(figure: str, start: dt.date, end: dt.date, place: dict):
    """The reports ``figure`` counts. Age figures count open reports whatever their receipt
    date: their links carry the widest period."""
    qs = with_held_since(Report.objects.all())
    where = place_q(place) & condition(figure)
    if figure not in AGE_FIGURES:
        where &= period_q(start, end)
    return qs.filter(where)


class Links:
    """Hrefs from a page's figures to their reports, for one viewer and one period. Knows the
    agencies of the page (``agencies``: Agency objects with path, kind and province) so that it
    decides without a query per cell."""

    def __init__(self, user, period, agencies=()):
        self.scope = scope_for(user)
        self.period = period
        self.agencies = {a.pk: a for a in agencies}

    def allowed(self, place: dict) -> bool:
        return may_list(self.scope, place, self.agencies)

    def href(self, figure: str, place: dict | None) -> str:
        known = figure in FIGURES or figure in AGE_FIGURES
        if place is None or not known or not self.allowed(place):
            return ""
        query = {"angka": figure, "dari": self.period.start, "sampai": self.period.end, **place}
        return reverse("monitoring:reports") + "?" + urlencode(query)


def may_list(scope, place: dict, agencies: dict) -> bool:
    """Whether the viewer may open every report of ``place`` (see the module's note)."""
    if scope.national_admin:
        return True
    if "dituju" in place:  # the verifying agency's own staff (the list hides what they left)
        addressed = agencies.get(int(place["dituju"]))
        return addressed is not None and scope.covers_agency_path(addressed.path)
    owner = agencies.get(int(place.get("instansi") or 0))
    if owner is None:
        return False
    if scope.covers_agency_path(owner.path):
        return True
    unit = agencies.get(int(place.get("unit") or 0))
    if unit is not None and scope.covers_agency_path(unit.path):
        return True
    from complaints.permissions import REGIONAL_GOVERNMENTS

    return owner.kind in REGIONAL_GOVERNMENTS and owner.province_id in scope.province_codes


def agencies_of(places) -> dict:
    """The agencies named by ``places`` (one query)."""
    ids = {int(p[k]) for p in places for k in ("instansi", "unit", "dituju") if p.get(k)}
    if not ids:
        return {}
    rows = Agency.objects.filter(pk__in=ids).only("pk", "path", "kind", "province_id")
    return {a.pk: a for a in rows}


# --- an agency's officers and its reports by age (one grouped query each) ---------------------
# These read the reports table (the summaries have no officer and no "open now" grain), with
# the conditions above, so each number is the count of its link's list. One statement each,
# over one agency's reports (the owner_agency index).

OFFICER_FIGURES = ["received", "on_time", "finished", "reopened"]


def _by(owner: int, start: dt.date, end: dt.date, fields: list[str]) -> list[dict]:
    """Reports of ``owner`` received in the period grouped by ``fields``: the OFFICER_FIGURES
    counts (the links' own conditions) and the mean (average) days from dispatch to resolution
    of those resolved, in days with their fraction (one statement)."""
    from django.db.models import Avg, Count, F

    rows = (
        Report.objects.filter(period_q(start, end), owner_agency_id=owner)
        .values(*fields)
        .annotate(
            **{f: Count("pk", filter=FIGURES[f][1]) for f in OFFICER_FIGURES},
            mean=Avg(F("resolved_at") - F("dispatched_at"), filter=Q(resolved_at__isnull=False)),
        )
        .order_by("-received", *fields)
    )
    return [
        {
            **r,
            "counts": {f: r[f] for f in OFFICER_FIGURES},
            "mean_days": r["mean"].total_seconds() / 86400 if r["mean"] is not None else None,
        }
        for r in rows
    ]


def by_officer(owner: int, start: dt.date, end: dt.date) -> list[dict]:
    """Per officer the reports were assigned to (received in the period): received, answered
    on time, finished, disputed, and the mean days from dispatch to resolution."""
    fields = ["assigned_to", "assigned_to__full_name", "assigned_to__username"]
    return [
        {
            "officer": r["assigned_to"] or 0,
            "name": r["assigned_to__full_name"] or r["assigned_to__username"] or "",
            "counts": r["counts"],
            "mean_days": r["mean_days"],
        }
        for r in _by(owner, start, end, fields)
    ]


def by_unit(owner: int, start: dt.date, end: dt.date) -> dict[int, dict]:
    """{unit (or the agency itself) holding the report: counts and mean days}, as by_officer:
    the issue's unit figures (received, answered on time, resolved, average days, disputed)."""
    return {
        r["agency_id"]: {"counts": r["counts"], "mean_days": r["mean_days"]}
        for r in _by(owner, start, end, ["agency_id"])
    }


VERIFY_FIGURES = ["received", "verify_on_time", "verify_late", "verify_waiting", "verify_overdue"]


def by_verification(agency: int, start: dt.date, end: dt.date) -> dict[str, int]:
    """An agency that verifies the reports addressed to it (complaints.permissions
    .reports_addressed_to), as national triage does the others: of the reports received in the
    period that name it or one of its units, how many it verified within the limit (3 working
    days, complaints.deadlines), late (verified after the limit, or still waiting past it), and
    how many wait now (of which past the limit). The summaries have no addressed agency, so
    this reads the reports table: one statement over the requested_agency index."""
    from django.db.models import Count

    place = {"dituju": agency}
    return Report.objects.filter(period_q(start, end) & place_q(place)).aggregate(
        **{f: Count("pk", filter=FIGURES[f][1]) for f in VERIFY_FIGURES}
    )


def opaque_to(place: dict):
    """For a verifying agency's list (place ``dituju``): the condition of the reports it no
    longer reads in full, so their titles are not shown. It reads a report while the report
    waits for its verification, and while it holds it; one verified and sent elsewhere, or
    refused, is another agency's or nobody's (complaints.audiences)."""
    if "dituju" not in place:
        return None
    own = f"{int(place['dituju'])}/"
    waiting = Q(status="submitted", agency__isnull=True)
    return ~(waiting | Q(agency__path__startswith=own))


def by_age(owner: int, today: dt.date | None = None) -> dict[int, dict[str, int]]:
    """{holding agency or unit: {age figure: open reports}} for one agency, now."""
    from django.db.models import Count

    from complaints.workdays import Calendar

    calendar = Calendar()
    sums = {
        key: Count("pk", filter=age_q(low, high, today, calendar))
        for key, (low, high) in AGE_FIGURES.items()
    }
    rows = (
        with_held_since(Report.objects.filter(owner_agency_id=owner))
        .filter(age_q(0, None, today, calendar))
        .values("agency_id")
        .annotate(**sums)
        .order_by()
    )
    return {r["agency_id"]: {k: r[k] for k in AGE_FIGURES} for r in rows}
