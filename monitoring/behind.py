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
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agencies.scope import scope_for
from complaints.deadlines import late_q, on_time_q, overdue_q
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
    return q


def reports_behind(figure: str, start: dt.date, end: dt.date, place: dict):
    return Report.objects.filter(period_q(start, end) & place_q(place) & FIGURES[figure][1])


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
        if place is None or figure not in FIGURES or not self.allowed(place):
            return ""
        query = {"angka": figure, "dari": self.period.start, "sampai": self.period.end, **place}
        return reverse("monitoring:reports") + "?" + urlencode(query)


def may_list(scope, place: dict, agencies: dict) -> bool:
    """Whether the viewer may open every report of ``place`` (see the module's note)."""
    if scope.national_admin:
        return True
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
    ids = {int(p[k]) for p in places for k in ("instansi", "unit") if p.get(k)}
    if not ids:
        return {}
    rows = Agency.objects.filter(pk__in=ids).only("pk", "path", "kind", "province_id")
    return {a.pk: a for a in rows}
