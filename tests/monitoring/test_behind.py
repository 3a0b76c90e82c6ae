"""Every number of a dashboard links to the reports behind it (monitoring.behind): the link
lands on exactly the reports the number counts (same count, same ids), for staff who may open
them all; the public page and readers who may not open them get the count alone."""

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from complaints.models import Report
from monitoring.behind import FIGURES
from monitoring.facts import JAKARTA, contribution
from monitoring.rebuild import rebuild

pytestmark = pytest.mark.django_db
EVERYTHING = {"period": "custom", "start": "2025-11-01", "end": "2027-03-31"}
LINK = re.compile(r'<a href="(/pantau/laporan/\?[^"]+)">([^<]*)</a>')
FINISHED = ("resolved", "closed")

# The figure as the summaries count it, from a report and its contribution's measures.
COUNTS = {
    "received": lambda r, m: True,
    "followed_up_total": lambda r, m: r.status in (*FINISHED, "in_progress"),
    "finished": lambda r, m: r.status in FINISHED,
    "in_process": lambda r, m: r.status == "in_progress",
    "dispatched": lambda r, m: m["dispatched"],
    "responded": lambda r, m: m["followed_up"],
    "on_time": lambda r, m: m["on_time"],
    "late": lambda r, m: m["late"],
    "overdue": lambda r, m: m["overdue"],
    "reopened": lambda r, m: m["reopened"],
    "rated": lambda r, m: m["rating_n"],
    "verify_on_time": lambda r, m: m["verify_on_time"],
    "verify_late": lambda r, m: m["verify_late"],
    "verify_overdue": lambda r, m: m["verify_overdue"],
    "verify_waiting": lambda r, m: r.status == "submitted",
}


def counted(figure: str, r, m) -> bool:
    if figure.startswith("status_"):
        return r.status == figure.removeprefix("status_")
    return bool(COUNTS[figure](r, m))


def held_for(report) -> int:
    """Working days the holding agency has held ``report``, up to today."""
    from complaints.workdays import Calendar

    since = report.agency_received_at or report.dispatched_at
    return Calendar().working_days_between(since, timezone.now())


def in_age_bucket(figure: str, report) -> bool:
    from monitoring.behind import AGE_FIGURES

    low, high = AGE_FIGURES[figure]
    if report.status not in ("dispatched", "in_progress"):
        return False
    if (report.agency_received_at or report.dispatched_at) is None:
        return False
    age = held_for(report)
    return low <= age and (high is None or age <= high)


def expected_ids(query: dict) -> set[int]:
    """The reports a figure counts, straight from the reports and monitoring.facts (an age
    figure: the open reports of that age, whenever received)."""
    start = dt.date.fromisoformat(query["dari"])
    end = dt.date.fromisoformat(query["sampai"])
    ages = query["angka"].startswith("umur_")
    ids = set()
    for r in Report.objects.all():
        if not ages and not start <= r.created_at.astimezone(JAKARTA).date() <= end:
            continue
        if "petugas" in query and (r.assigned_to_id or 0) != int(query["petugas"]):
            continue
        if "provinsi" in query and (r.province_id or "-") != query["provinsi"]:
            continue
        if "instansi" in query and (r.owner_agency_id or 0) != int(query["instansi"]):
            continue
        if "unit" in query and (r.agency_id or 0) != int(query["unit"]):
            continue
        if "dituju" in query and not (
            r.requested_agency and r.requested_agency.path.startswith(f"{query['dituju']}/")
        ):
            continue  # addressed to that agency or one of its units
        if ages:
            if in_age_bucket(query["angka"], r):
                ids.add(r.pk)
            continue
        rows, _spans = contribution(r)
        if counted(query["angka"], r, next(iter(rows.values()))):
            ids.add(r.pk)
    return ids


@pytest.fixture
def late_too(mixed, cast, agency_a, agency_b):
    """The mixed set, with reports overdue now and reports answered after their limit."""
    now = dt.datetime(2026, 6, 1, tzinfo=JAKARTA)
    held = list(Report.objects.filter(status__in=["dispatched", "in_progress"]).order_by("pk"))
    for r in held[::2]:
        Report.objects.filter(pk=r.pk).update(
            response_due=r.created_at, overdue_at=now, first_response_at=None
        )
    answered = Report.objects.filter(first_response_at__isnull=False).order_by("pk")
    for r in list(answered)[::3]:
        Report.objects.filter(pk=r.pk).update(
            response_due=r.first_response_at - dt.timedelta(days=2)
        )
    # The verification clock: reports waiting past it (the sweep's mark), verified after it.
    waiting = Report.objects.filter(status="submitted").order_by("pk")
    Report.objects.filter(pk__in=[r.pk for r in list(waiting)[::2]]).update(verify_overdue_at=now)
    # Agency A verifies what is addressed to it: one report waits for it (its work page's
    # "Menunggu verifikasi"), whatever else the mixed set addressed.
    Report.objects.filter(pk=waiting[1].pk).update(requested_agency=agency_a)
    for r in list(Report.objects.filter(verified_at__isnull=False).order_by("pk"))[::4]:
        Report.objects.filter(pk=r.pk).update(verify_due=r.verified_at - dt.timedelta(days=1))
    rebuild()
    return mixed


def links_on(client, url) -> list[tuple[str, str]]:
    html = client.get(url, EVERYTHING).content.decode()
    return [(unescape(href), text) for href, text in LINK.findall(html)]


def follow(client, href) -> tuple[dict, set[int], int]:
    query = dict(parse_qsl(urlsplit(href).query))
    response = client.get(href)
    assert response.status_code == 200, href
    page = response.context["page"]
    assert not page.has_other_pages()
    return query, {r.pk for r in page.object_list}, page.paginator.count


def pages(agency_a):
    kemenkes = Agency.objects.get(slug="kemenkes")
    return [
        reverse("monitoring:national"),
        reverse("monitoring:province", args=["32"]),
        reverse("monitoring:province", args=["35"]),
        reverse("monitoring:agency", args=[agency_a.pk]),
        reverse("monitoring:agency-work", args=[agency_a.pk]),
        reverse("monitoring:agency", args=[kemenkes.pk]),
        reverse("monitoring:rankings") + "?tingkat=kabkota",
    ]


def test_every_link_on_every_dashboard_lands_on_exactly_the_reports_it_counts(
    client, cast, agency_a, late_too
):
    client.force_login(cast.national)
    seen_figures, checked, followed = set(), 0, {}
    for url in pages(agency_a):
        links = links_on(client, url)
        assert links, url
        for href, text in links:
            if href not in followed:
                followed[href] = follow(client, href)
            query, ids, count = followed[href]
            want = expected_ids(query)
            assert ids == want, (url, query)
            assert count == len(want)
            # A count is the number on the page; a percentage or rate links its numerator.
            if text.replace(".", "").isdigit():
                assert int(text.replace(".", "")) == count, (url, query, text)
            seen_figures.add(query["angka"])
            checked += 1
    # Every figure kind was linked somewhere and led to some reports (not only empty lists).
    assert seen_figures >= set(COUNTS) - {"dispatched", "late", "verify_late"}
    assert checked > 100 and len(followed) > 50


@pytest.fixture
def few(cast, agency_a, agency_b):
    """A report in each state and on each clock, for agency_a, agency_b, Kemenkes and triage."""
    from complaints.services import report_transition as act
    from tests.factories import dispatched_report, file_report

    national, officer = cast.national, cast.officer_a
    kemenkes = Agency.objects.get(slug="kemenkes")
    waiting = file_report()  # waiting for verification, past its limit (the sweep's mark)
    Report.objects.filter(pk=waiting.pk).update(verify_overdue_at=waiting.created_at)
    file_report(province_id="35", regency_id=None)
    act(report_id=file_report().pk, action="reject", actor=national, note="bukan laporan")
    dispatched_report(agency_b, national, regency_id="3201")
    dispatched_report(kemenkes, national, province_id="31", regency_id=None)
    late = dispatched_report(agency_a, national)
    answered = dispatched_report(agency_a, national)
    act(report_id=answered.pk, action="respond", actor=officer, note="ok")
    for rating in (5, None, 0):  # accepted and rated, disputed, resolved and waiting
        done = dispatched_report(agency_a, national)
        act(report_id=done.pk, action="respond", actor=officer, note="ok")
        act(report_id=done.pk, action="resolve", actor=officer, note="selesai")
        if rating:
            act(report_id=done.pk, action="accept", token=done.reporter_secret, rating=rating)
        elif rating is None:
            act(report_id=done.pk, action="dispute", token=done.reporter_secret, note="belum")
    Report.objects.filter(pk=late.pk).update(
        response_due=late.created_at,
        overdue_at=late.created_at,
        verify_due=late.created_at,  # and verified after its verification limit
    )
    Report.objects.filter(pk=answered.pk).update(
        response_due=Report.objects.get(pk=answered.pk).first_response_at - dt.timedelta(days=1)
    )
    rebuild()


@pytest.mark.parametrize("figure", sorted(FIGURES))
def test_each_figure_kind_lists_the_reports_it_counts(client, cast, agency_a, few, figure):
    """Per figure kind, at each kind of place: national, a province, reports with no province,
    an agency, an agency within a province, a unit of an agency."""
    client.force_login(cast.national)
    kemenkes = Agency.objects.get(slug="kemenkes")
    places = [
        {},
        {"provinsi": "32"},
        {"provinsi": "-"},
        {"instansi": agency_a.pk},
        {"instansi": kemenkes.pk, "provinsi": "31"},
        {"instansi": agency_a.pk, "unit": agency_a.pk},
        {"instansi": 0},
    ]
    nonempty = 0
    for place in places:
        today = timezone.localdate()
        query = {"angka": figure, "dari": today.replace(month=1, day=1), "sampai": today, **place}
        response = client.get(reverse("monitoring:reports"), query)
        assert response.status_code == 200
        ids = {r.pk for r in response.context["page"].object_list}
        assert ids == expected_ids({k: str(v) for k, v in query.items()}), place
        nonempty += bool(ids)
    if figure not in (
        "status_merged",
        "status_archived",
        "status_needs_info",
        "status_verified",
        "status_closed",
    ):
        assert nonempty, figure  # the data set has such reports: the test can fail


def test_a_period_is_read_by_the_jakarta_day_as_the_summaries(client, cast, agency_a, late_too):
    client.force_login(cast.national)
    first = Report.objects.order_by("created_at").first()
    day = first.created_at.astimezone(JAKARTA).date()
    query = {"angka": "received", "dari": day, "sampai": day}
    ids = {r.pk for r in client.get(reverse("monitoring:reports"), query).context["page"]}
    assert first.pk in ids
    assert ids == expected_ids({k: str(v) for k, v in query.items()})
    before = {
        "angka": "received",
        "dari": day - dt.timedelta(days=1),
        "sampai": day - dt.timedelta(days=1),
    }
    assert first.pk not in {
        r.pk for r in client.get(reverse("monitoring:reports"), before).context["page"]
    }


def test_a_supervisor_follows_only_the_figures_of_governments_they_may_open(
    client, cast, agency_a, agency_b, late_too
):
    client.force_login(cast.supervisor)  # Jawa Barat
    links = links_on(client, reverse("monitoring:province", args=["32"]))
    owners = {dict(parse_qsl(urlsplit(h).query)).get("instansi") for h, _t in links}
    assert str(agency_a.pk) in owners and str(agency_b.pk) in owners
    assert None not in owners  # the province's own total includes central agencies' reports
    kemenkes = Agency.objects.get(slug="kemenkes")
    assert str(kemenkes.pk) not in owners
    for href, _text in links[:10]:
        query, ids, _count = follow(client, href)
        assert ids == expected_ids(query)
    url = reverse("monitoring:reports")
    period = {"angka": "received", "dari": "2025-11-01", "sampai": "2027-03-31"}
    assert client.get(url, {**period, "instansi": kemenkes.pk}).status_code == 403
    assert client.get(url, {**period, "provinsi": "32"}).status_code == 403
    surabaya = Agency.objects.get(slug="pemkot-3578")
    assert client.get(url, {**period, "instansi": surabaya.pk}).status_code == 403


def test_an_agency_admin_follows_its_own_figures_and_no_one_elses(
    client, cast, agency_a, agency_b, late_too
):
    client.force_login(cast.admin_a)
    links = links_on(client, reverse("monitoring:agency", args=[agency_a.pk]))
    links += links_on(client, reverse("monitoring:agency-work", args=[agency_a.pk]))
    assert links
    for href, _text in links:
        query, ids, _count = follow(client, href)
        # its own reports, or those addressed to it (the verification figure)
        assert query.get("instansi", query.get("dituju")) == str(agency_a.pk)
        assert ids == expected_ids(query)
    url = reverse("monitoring:reports")
    period = {"angka": "received", "dari": "2025-11-01", "sampai": "2027-03-31"}
    assert client.get(url, {**period, "instansi": agency_b.pk}).status_code == 403
    client.force_login(cast.citizen)
    assert client.get(url, {**period, "instansi": agency_a.pk}).status_code == 403


def test_the_public_and_the_ombudsman_see_counts_without_links(client, cast, late_too):
    assert links_on(client, reverse("statistik")) == []
    client.force_login(cast.ombudsman)
    assert links_on(client, reverse("monitoring:national")) == []


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"angka": "nothing", "dari": "2026-01-01", "sampai": "2026-02-01"},
        {"angka": "received", "dari": "2026-02-01", "sampai": "2026-01-01"},
        {"angka": "received", "dari": "2026-13-01", "sampai": "2026-01-01"},
        {"angka": "received", "dari": "2026-01-01", "sampai": "2026-02-01", "provinsi": "abc"},
        {"angka": "received", "dari": "2026-01-01", "sampai": "2026-02-01", "unit": "5"},
        {"angka": "received", "dari": "2026-01-01", "sampai": "2026-02-01", "instansi": "-1"},
    ],
)
def test_a_broken_link_is_a_clear_400(client, cast, query):
    client.force_login(cast.national)
    response = client.get(reverse("monitoring:reports"), query)
    assert response.status_code == 400
    assert "tidak sah" in response.content.decode()
