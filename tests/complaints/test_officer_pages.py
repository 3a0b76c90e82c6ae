"""The officers' report page as staff use it all day: one message per action, a panel that
says what happened when the report leaves the queue, only the actions that can succeed."""

import pytest
from django.urls import reverse

from complaints.models import AnswerTemplate, Kind
from tests.factories import PASSWORD, dispatched_report

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_full_page_action_shows_its_message_once(client, cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    login(client, cast.officer_a)
    url = reverse("workspace:act", args=[report.tracking])
    response = client.post(url, {"action": "note", "note": "Dicek ke lapangan besok."}, follow=True)
    assert response.status_code == 200
    assert response.content.decode().count("Tersimpan: Catatan internal.") == 1


def test_return_to_triage_by_htmx_shows_its_confirmation_in_the_panel(client, cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    login(client, cast.officer_a)
    url = reverse("workspace:act", args=[report.tracking])
    response = client.post(
        url,
        {"action": "return_to_triage", "note": "Bukan wewenang kota.", "version": report.version},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="report-panel",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="report-panel"' in body
    assert "Dikembalikan ke triase" in body
    assert report.tracking in body
    assert reverse("workspace:inbox") in body
    report.refresh_from_db()
    assert report.agency is None and report.needs_triage_decision


def test_extension_is_offered_only_to_an_information_request_not_yet_extended(
    client, cast, agency_a
):
    complaint = dispatched_report(agency_a, cast.national)
    request = dispatched_report(agency_a, cast.national, kind=Kind.INFORMATION_REQUEST)
    login(client, cast.officer_a)
    page = client.get(reverse("workspace:detail", args=[complaint.tracking])).content.decode()
    assert 'data-testid="act-extend"' not in page
    page = client.get(reverse("workspace:detail", args=[request.tracking])).content.decode()
    assert 'data-testid="act-extend"' in page
    url = reverse("workspace:act", args=[request.tracking])
    client.post(url, {"action": "extend", "note": "Dokumen di arsip daerah."})
    page = client.get(reverse("workspace:detail", args=[request.tracking])).content.decode()
    assert 'data-testid="act-extend"' not in page  # once only


def test_answer_templates_need_no_inline_script(client, cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    AnswerTemplate.objects.create(agency=agency_a, title="Terima kasih", body="Terima kasih.")
    login(client, cast.officer_a)
    page = client.get(reverse("workspace:detail", args=[report.tracking])).content.decode()
    assert 'data-template="Terima kasih."' in page
    assert "<script nonce" not in page  # a swapped-in panel's nonce would be refused
    assert "js/staff.js" in page


def test_the_inbox_is_worked_from_the_nearest_deadline_with_an_overdue_count(
    client, cast, agency_a
):
    import datetime as dt

    from django.utils import timezone

    from complaints.models import Report
    from complaints.services import report_transition

    now = timezone.now()
    fresh = dispatched_report(agency_a, cast.national, title="Baru masuk")
    late = dispatched_report(agency_a, cast.national, title="Sudah terlambat")
    later = dispatched_report(agency_a, cast.national, title="Dikerjakan")
    report_transition(report_id=later.pk, action="respond", actor=cast.officer_a, note="Ok.")
    Report.objects.filter(pk=late.pk).update(response_due=now - dt.timedelta(days=2))
    Report.objects.filter(pk=fresh.pk).update(response_due=now + dt.timedelta(days=3))
    Report.objects.filter(pk=later.pk).update(resolution_due=now + dt.timedelta(days=30))
    # The sweep marks the late report (every 15 minutes in production): the count reads that
    # mark, as the dashboards do (complaints.deadlines.overdue_q).
    from complaints.sweeps import run_deadline_sweep

    assert run_deadline_sweep()["overdue"] == 1
    login(client, cast.officer_a)
    response = client.get(reverse("workspace:inbox"))
    assert [r.pk for r in response.context["page"]] == [late.pk, fresh.pk, later.pk]
    assert "1 laporan melewati batas waktu" in response.content.decode()
    newest = client.get(reverse("workspace:inbox"), {"sort": "-created"}).context["page"]
    assert [r.pk for r in newest] == [later.pk, late.pk, fresh.pk]
