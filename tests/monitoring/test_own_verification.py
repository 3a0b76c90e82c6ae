"""An agency that verifies the reports addressed to it (SP4N-LAPOR!'s Admin Instansi) sees its
own verification figure on its dashboard's work page (/pantau/instansi/<id>/kerja/, which reads
the reports table; the dashboard itself reads summaries only, which have no addressed agency):
on time, late, waiting (and past the limit), each
count a link to exactly its reports; a report it verified that another agency now holds is
listed without its content."""

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Report
from complaints.services import report_transition, report_verify_by_agency
from complaints.sweeps import run_deadline_sweep
from tests.factories import file_report

pytestmark = pytest.mark.django_db
LINK = re.compile(r'<a href="(/pantau/laporan/\?[^"]+)">([^<]*)</a>')


@pytest.fixture
def addressed(cast, agency_a, agency_b):
    """Five reports addressed to agency_a, and one to nobody (triage's, not counted)."""
    r = [
        file_report(requested_agency_id=agency_a.pk, title=f"Alamat A nomor {n}") for n in range(5)
    ]
    file_report(title="Untuk triase")
    # r[1] and r[2] are given a limit already past; the sweep marks both overdue.
    past = timezone.now() - dt.timedelta(days=1)
    Report.objects.filter(pk__in=[r[1].pk, r[2].pk]).update(verify_due=past)
    assert run_deadline_sweep(now=timezone.now())["verify_overdue"] == 2
    report_verify_by_agency(report_id=r[0].pk, actor=cast.admin_a)  # on time
    report_verify_by_agency(report_id=r[1].pk, actor=cast.admin_a)  # late
    # r[2] waits past its limit, r[3] waits within it; r[4] is verified by national triage
    # and sent to agency_b: on time, but no longer agency_a's to read.
    report_transition(report_id=r[4].pk, action="verify", actor=cast.national)
    report_transition(report_id=r[4].pk, action="dispatch", actor=cast.national, agency=agency_b)
    return r


def _section(html):
    return html.split('data-testid="own-verification"')[1].split("</section>")[0]


def test_the_agency_sees_its_verification_figure_and_each_link_lands(
    client, cast, agency_a, addressed
):
    r = addressed
    client.force_login(cast.admin_a)
    response = client.get(reverse("monitoring:agency-work", args=[agency_a.pk]))
    figures = {f["key"]: f["n"] for f in response.context["verification"]["figures"]}
    assert figures == {
        "received": "5",
        "verify_on_time": "2",  # r0, r4
        "verify_late": "2",  # r1 verified late, r2 still waiting past the limit
        "verify_waiting": "2",  # r2, r3
        "verify_overdue": "1",  # r2
    }
    section = _section(response.content.decode())
    assert "40,0%" in section  # 2 of 5 verified on time
    want = {
        "received": {x.pk for x in r},
        "verify_on_time": {r[0].pk, r[4].pk},
        "verify_late": {r[1].pk, r[2].pk},
        "verify_waiting": {r[2].pk, r[3].pk},
        "verify_overdue": {r[2].pk},
    }
    links = [(unescape(h), t) for h, t in LINK.findall(section)]
    assert len(links) == 5
    for href, text in links:
        figure = dict(parse_qsl(urlsplit(href).query))["angka"]
        listed = client.get(href)
        assert listed.status_code == 200
        ids = {x.pk for x in listed.context["page"].object_list}
        assert ids == want[figure], figure
        assert int(text) == len(ids)
        html = listed.content.decode()
        if r[4].pk in ids:  # held by agency_b now: number only, no title
            assert r[4].title not in html and r[4].tracking in html
        if r[0].pk in ids:
            assert r[0].title in html


def test_others_cannot_open_the_list_and_an_agency_without_such_reports_has_no_section(
    client, cast, agency_a, agency_b, addressed
):
    client.force_login(cast.admin_a)
    section = _section(
        client.get(reverse("monitoring:agency-work", args=[agency_a.pk])).content.decode()
    )
    href = unescape(LINK.findall(section)[0][0])
    client.force_login(cast.officer_b)
    assert client.get(href).status_code == 403
    client.force_login(cast.national)
    assert client.get(href).status_code == 200
    page = client.get(reverse("monitoring:agency-work", args=[agency_b.pk]))
    assert page.context["verification"] is None
    assert 'data-testid="own-verification"' not in page.content.decode()
