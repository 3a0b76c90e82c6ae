"""The Ombudsman hand-over (UU 37/2008 art. 24): offered when the agency is overdue or its
answer disputed, within 2 years; the Ombudsman sees the reporter's identity only with the
reporter's explicit consent."""

import datetime as dt

import pytest
from django.utils import timezone

from complaints.errors import InvalidAction
from complaints.models import Report
from complaints.permissions import can_see_identity, reports_visible_to
from complaints.services import report_transition
from complaints.sweeps import run_deadline_sweep
from tests.factories import dispatched_report

pytestmark = pytest.mark.django_db


def _overdue_report(cast, agency_a):
    report = dispatched_report(agency_a, cast.national, reporter_name="Rina Pelapor")
    Report.objects.filter(pk=report.pk).update(response_due=timezone.now() - dt.timedelta(days=1))
    run_deadline_sweep()
    return report


def _hand_over(report, **params):
    return report_transition(
        report_id=report.pk, action="ombudsman_consent", token=report.reporter_secret, **params
    )


def test_not_offered_while_the_agency_is_within_its_limits(cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    with pytest.raises(InvalidAction):
        _hand_over(report)


def test_without_consent_the_ombudsman_reads_the_report_but_not_who_filed_it(
    client, cast, agency_a
):
    report = _overdue_report(cast, agency_a)
    page = client.get(report.get_absolute_url() + f"?k={report.reporter_secret}")
    assert page.context["ombudsman_eligible"]
    assert 'name="share_identity"' in page.content.decode()
    report = _hand_over(report)  # the box left unticked
    assert reports_visible_to(cast.ombudsman).filter(pk=report.pk).exists()
    assert not can_see_identity(cast.ombudsman, report)
    assert can_see_identity(cast.officer_a, report)  # the agency as before


def test_with_consent_the_ombudsman_sees_the_identity(client, cast, agency_a):
    report = _overdue_report(cast, agency_a)
    response = client.post(
        report.get_absolute_url(),
        {"k": report.reporter_secret, "action": "ombudsman_consent", "share_identity": "1"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.ombudsman_consent and report.ombudsman_share_identity
    assert can_see_identity(cast.ombudsman, report)


def test_a_disputed_answer_may_go_to_the_ombudsman(cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    for action, who in (("respond", "officer"), ("resolve", "officer"), ("dispute", "reporter")):
        kwargs = (
            {"actor": cast.officer_a} if who == "officer" else {"token": report.reporter_secret}
        )
        report_transition(report_id=report.pk, action=action, note="catatan", **kwargs)
    assert _hand_over(report).ombudsman_consent


def test_not_after_two_years(cast, agency_a):
    report = _overdue_report(cast, agency_a)
    Report.objects.filter(pk=report.pk).update(
        occurred_on=(timezone.now() - dt.timedelta(days=2 * 365 + 30)).date()
    )
    with pytest.raises(InvalidAction):
        _hand_over(report)
