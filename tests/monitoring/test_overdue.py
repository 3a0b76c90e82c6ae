"""One definition of overdue (complaints.deadlines): the sweep marks, the inbox filters, and
every dashboard counts the same reports, and its on-time rate never reads 100 % beside a late
report (Kota Bandung read "Tepat waktu 100 %" beside 10 reports 8 to 55 working days late)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Report
from complaints.services import report_transition
from complaints.sweeps import run_deadline_sweep
from monitoring.rebuild import differences, rebuild
from tests.factories import PASSWORD, dispatched_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def bandung(cast, agency_a):
    """Kota Bandung: one answer in time, one answer late, one never answered past its limit,
    one answered but unresolved past its resolution limit, one still within its limits."""
    past = timezone.now() - dt.timedelta(days=3)

    def report(**late):
        r = dispatched_report(agency_a, cast.national)
        if late:
            Report.objects.filter(pk=r.pk).update(**late)
        return r

    def respond(r):
        report_transition(report_id=r.pk, action="respond", actor=cast.officer_a, note="ok")

    in_time = report()
    respond(in_time)
    answered_late = report(response_due=past)
    unanswered = report(response_due=past)
    unresolved = report(resolution_due=past)
    waiting = report()
    rebuild()  # the summaries follow the limits moved above
    respond(answered_late)
    respond(unresolved)
    swept = run_deadline_sweep()
    assert differences() == []
    return {
        "swept": swept,
        "late": {answered_late.pk, unanswered.pk, unresolved.pk},
        "overdue": {unanswered.pk, unresolved.pk},
        "on_time": {in_time.pk},
        "waiting": waiting.pk,
    }


def _figures(values: dict) -> tuple:
    return values["overdue"], values["on_time_rate"]


def test_sweep_inbox_and_every_dashboard_count_the_same_overdue_reports(
    client, cast, agency_a, bandung
):
    assert bandung["swept"]["overdue"] == 2  # one per clock: first response and resolution
    # on time 1, late 3 (answered late, unanswered, unresolved): 25 %; overdue now: 2.
    want = (2, 0.25)

    assert client.login(username=cast.officer_a.username, password=PASSWORD)
    inbox = client.get(reverse("workspace:inbox"), {"overdue": "true"})
    assert {r.pk for r in inbox.context["page"].object_list} == bandung["overdue"]
    client.logout()

    assert client.login(username=cast.national.username, password=PASSWORD)
    national = client.get(reverse("monitoring:national"))
    assert _figures(national.context["whole"]["values"]) == want
    rows = {r["key"]: r["values"] for r in national.context["table"]["rows"]}
    assert _figures(rows["32"]) == want
    province = client.get(reverse("monitoring:province", args=["32"]))
    assert _figures(province.context["whole"]["values"]) == want
    rows = {r["key"]: r["values"] for r in province.context["table"]["rows"]}
    assert _figures(rows[agency_a.pk]) == want
    agency = client.get(reverse("monitoring:agency", args=[agency_a.pk]))
    assert _figures(agency.context["whole"]["values"]) == want
    assert agency.context["whole"]["show"]["on_time_rate"] == "25,0%"


def test_on_time_is_never_full_beside_an_overdue_report(cast, agency_a):
    from monitoring.selectors import Range, indicators_by

    r = dispatched_report(agency_a, cast.national)
    report_transition(report_id=r.pk, action="respond", actor=cast.officer_a, note="ok")
    Report.objects.filter(pk=r.pk).update(resolution_due=timezone.now() - dt.timedelta(days=1))
    rebuild()
    run_deadline_sweep()
    ind = indicators_by(grain="O", by="owner", period=Range.this_year())[agency_a.pk]
    assert ind.m("overdue") == 1
    assert ind.on_time_rate == 0  # answered in time, but past its resolution limit


def test_the_public_page_and_the_api_agree_with_the_dashboards(client, bandung):
    """/statistik/ shows on time (counts only, no overdue column) and the API both figures:
    the same 25 % beside the same 2 overdue reports as the staff dashboards above."""
    public = client.get(reverse("statistik"))
    rows = {r["key"]: r["values"] for r in public.context["table"]["rows"]}
    assert rows["32"]["on_time_rate"] == 0.25
    api = client.get(reverse("api-province-indicators")).json()
    west_java = {p["province"]: p for p in api["provinces"]}["32"]
    assert (west_java["overdue"], west_java["on_time_rate"]) == (2, 0.25)


def test_the_rankings_agree_with_the_dashboards(client, cast, agency_a, bandung):
    """The rankings read the same on-time and overdue figures as the other dashboards: Kota
    Bandung, ranked once it has ten dispatched reports (RANK_MINIMUM), is 25 % on time beside
    its 2 overdue reports in the table and on the on-time board."""
    for _ in range(5):  # within their limits: neither on time nor late yet
        dispatched_report(agency_a, cast.national)
    assert client.login(username=cast.national.username, password=PASSWORD)
    page = client.get(reverse("monitoring:rankings"), {"tingkat": "kabkota"})
    assert page.status_code == 200
    rows = {r["key"]: r["values"] for r in page.context["table"]["rows"]}
    assert _figures(rows[agency_a.pk]) == (2, 0.25)
    board = {b["key"]: b for b in page.context["boards"]}["on_time_rate"]
    ranked = {r["key"]: r["score"] for r in board["best"] + board["worst"]}
    assert ranked[agency_a.pk] == "25,0%"
