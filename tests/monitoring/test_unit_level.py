"""Unit and officer level: an agency's page shows its officers' figures (received, answered on
time, finished, disputed, mean days to resolution) and its open reports by age in working days
(FixMyStreet's dashboard), per unit; every number links to exactly its reports; the ministry
ranks agencies by level (central, province, regency/city: test_dashboards' rankings tests)."""

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Report
from complaints.services import report_transition as act
from complaints.workdays import Calendar
from monitoring.behind import AGE_BUCKETS, by_age
from monitoring.rebuild import rebuild
from tests.factories import dispatched_report
from tests.monitoring.test_behind import expected_ids

pytestmark = pytest.mark.django_db
LINK = re.compile(r'<a href="(/pantau/laporan/\?[^"]+)">([^<]*)</a>')


@pytest.fixture
def worked(cast, agency_a):
    """Reports of agency_a: some assigned to officer_a (answered, finished, one disputed), some
    to admin_a, some to nobody; open ones held for different numbers of working days."""
    national, officer, admin = cast.national, cast.officer_a, cast.admin_a
    reports = [dispatched_report(agency_a, national) for _ in range(9)]
    for r in reports[:5]:
        act(report_id=r.pk, action="assign", actor=admin, assignee=officer)
    for r in reports[5:7]:
        act(report_id=r.pk, action="assign", actor=admin, assignee=admin)
    for r in reports[:4]:
        act(report_id=r.pk, action="respond", actor=officer, note="ok")
    for r in reports[:3]:
        act(report_id=r.pk, action="resolve", actor=officer, note="selesai")
    act(report_id=reports[0].pk, action="dispute", token=reports[0].reporter_secret, note="belum")
    act(report_id=reports[1].pk, action="accept", token=reports[1].reporter_secret, rating=4)
    # Resolution took 2 and 4 days (dispatch moved back), one answer came after its limit.
    now = timezone.now()
    for r, days in ((reports[1], 2), (reports[2], 4)):
        Report.objects.filter(pk=r.pk).update(dispatched_at=now - dt.timedelta(days=days))
        Report.objects.filter(pk=r.pk).update(resolved_at=now)
    Report.objects.filter(pk=reports[3].pk).update(response_due=now - dt.timedelta(days=3))
    # Held for 0, 3, 8, 15, 30 and 60 calendar days.
    for r, days in zip(reports[3:], (0, 3, 8, 15, 30, 60), strict=True):
        Report.objects.filter(pk=r.pk).update(agency_received_at=now - dt.timedelta(days=days))
    rebuild()
    return reports


def _links(html):
    return [(unescape(h), t) for h, t in LINK.findall(html)]


def test_the_agency_admin_sees_each_officers_figures(client, cast, agency_a, worked):
    client.force_login(cast.admin_a)
    response = client.get(reverse("monitoring:agency-work", args=[agency_a.pk]))
    rows = {row["officer"]: row for row in response.context["officers"]}
    officer = rows[cast.officer_a.pk]
    assert officer["counts"] == {"received": 5, "on_time": 3, "finished": 2, "reopened": 1}
    assert officer["mean_days"] == pytest.approx(3.0, abs=0.01)  # (2 + 4) / 2
    assert rows[cast.admin_a.pk]["counts"]["received"] == 2
    assert rows[0]["counts"]["received"] == 2  # not assigned yet
    html = response.content.decode()
    assert "Petugas A" in html and "Belum ditugaskan" in html
    officer_links = [(h, t) for h, t in _links(html) if "petugas=" in h]
    assert len(officer_links) >= 6
    for href, text in officer_links:
        query = dict(parse_qsl(urlsplit(href).query))
        page = client.get(href).context["page"]
        ids = {r.pk for r in page.object_list}
        assert ids == _officer_ids(query), query
        assert int(text) == len(ids)


def _officer_ids(query):
    """expected_ids, narrowed to the officer (test_behind's reading of the summaries' rules)."""
    officer = int(query.pop("petugas"))
    ids = expected_ids(query)
    return {
        pk
        for pk, assigned in Report.objects.filter(pk__in=ids).values_list("pk", "assigned_to_id")
        if (assigned or 0) == officer
    }


def _age(report, today):
    since = report.agency_received_at or report.dispatched_at
    end = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    return Calendar().working_days_between(since, end)


def test_open_reports_by_age_in_working_days(client, cast, agency_a, worked):
    today = timezone.localdate()
    counts = by_age(agency_a.pk, today)[agency_a.pk]
    held = Report.objects.filter(owner_agency=agency_a, status__in=["dispatched", "in_progress"])
    want = {f"umur_{low}": 0 for low, _high in AGE_BUCKETS}
    for r in held:
        age = _age(r, today)
        low = next(lo for lo, hi in AGE_BUCKETS if hi is None or age <= hi)
        want[f"umur_{low}"] += 1
    assert counts == want
    assert sum(counts.values()) == held.count() == 7
    assert sum(1 for v in counts.values() if v) >= 4  # the ages spread over the buckets

    client.force_login(cast.admin_a)
    html = client.get(reverse("monitoring:agency-work", args=[agency_a.pk])).content.decode()
    age_links = [(h, t) for h, t in _links(html) if "angka=umur_" in h]
    assert age_links
    for href, text in age_links:
        query = dict(parse_qsl(urlsplit(href).query))
        ids = {r.pk for r in client.get(href).context["page"].object_list}
        bucket = next((lo, hi) for lo, hi in AGE_BUCKETS if query["angka"] == f"umur_{lo}")
        assert ids == {
            r.pk
            for r in held
            if bucket[0] <= _age(r, today)
            and (bucket[1] is None or _age(r, today) <= bucket[1])
            and ("unit" not in query or r.agency_id == int(query["unit"]))
        }
        assert int(text) == len(ids)


def test_the_agency_page_costs_the_same_queries_for_more_reports(
    client, cast, agency_a, worked, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.admin_a)
    url = reverse("monitoring:agency-work", args=[agency_a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    from agencies.models import Role
    from tests.factories import make_staff

    newcomer = make_staff(Role.Kind.OFFICER, agency=agency_a, full_name="Petugas Baru")
    for _ in range(5):
        r = dispatched_report(agency_a, cast.national)
        act(report_id=r.pk, action="assign", actor=cast.admin_a, assignee=newcomer)
    with django_assert_max_num_queries(len(before)):
        client.get(url)


def test_each_unit_shows_its_figures_and_mean_days_computed_by_hand(client, cast, agency_a):
    """Five reports of agency_a: three passed to its unit, two resolved in 1 and 6 days (mean
    3.5) and one resolved and disputed (open again: no resolution to count); two kept by the
    agency itself, one resolved in 10 days, one open."""
    unit = agency_a.__class__.objects.filter(parent=agency_a).first()
    officer, national = cast.officer_a, cast.national
    reports = [dispatched_report(agency_a, national) for _ in range(5)]
    for r in reports[:3]:
        act(report_id=r.pk, action="assign_unit", actor=officer, agency=unit)
    for r in reports[:4]:
        act(report_id=r.pk, action="respond", actor=officer, note="ok")
        act(report_id=r.pk, action="resolve", actor=officer, note="selesai")
    act(report_id=reports[0].pk, action="dispute", token=reports[0].reporter_secret, note="belum")
    now = timezone.now()
    for r, days in zip(reports[1:4], (1, 6, 10), strict=True):
        Report.objects.filter(pk=r.pk).update(
            dispatched_at=now - dt.timedelta(days=days), resolved_at=now
        )
    rebuild()
    client.force_login(cast.admin_a)
    response = client.get(reverse("monitoring:agency-work", args=[agency_a.pk]))
    rows = {row["unit"]: row for row in response.context["unit_rows"]}
    assert set(rows) == {unit.pk, agency_a.pk}
    assert rows[unit.pk]["counts"] == {"received": 3, "on_time": 3, "finished": 2, "reopened": 1}
    assert rows[unit.pk]["mean_days"] == pytest.approx((1 + 6) / 2, abs=0.01)
    assert rows[agency_a.pk]["counts"]["received"] == 2
    assert rows[agency_a.pk]["mean_days"] == pytest.approx(10.0, abs=0.01)
    html = response.content.decode()
    table = html.split('data-testid="unit-work-table"')[1].split("</table>")[0]
    assert "3,50" in table and "10,00" in table and "(langsung)" in table
    for href, text in _links(table):
        query = dict(parse_qsl(urlsplit(href).query))
        ids = {r.pk for r in client.get(href).context["page"].object_list}
        assert int(text) == len(ids), query
        assert ids <= {r.pk for r in reports}
        if query.get("unit") == str(unit.pk):
            assert ids <= {r.pk for r in reports[:3]}
