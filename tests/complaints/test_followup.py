"""'Sudah beres?' (issue 16; FixMyStreet's questionnaire): some working weeks after an agency
resolved a report, its reporter is asked once, by e-mail and SMS through the outbox, whether it
is fixed. "No" reopens the report through the status machine (a dispute while resolved, a
reopen once closed); "yes" is recorded. One question per resolution."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from complaints.models import FollowUp, OutboxMessage, ReportEvent, Status
from complaints.services import followup_answer, report_transition
from complaints.sweeps import ask_followups
from complaints.tasks import followup_sweep, outbox_flush
from tests.factories import dispatched_report, file_report

pytestmark = pytest.mark.django_db

LATER = dt.timedelta(weeks=7)  # past 4 working weeks, whatever the holidays


def resolved(cast, agency_a, *, close=True, **overrides):
    report = dispatched_report(agency_a, cast.national, **overrides)
    report_transition(report_id=report.pk, action="respond", actor=cast.officer_a, note="Dicek")
    report = report_transition(
        report_id=report.pk, action="resolve", actor=cast.officer_a, note="Sudah ditambal."
    )
    if close:
        report = report_transition(
            report_id=report.pk, action="accept", token=report.reporter_secret
        )
    return report


def question_url(question, report, key=True):
    url = f"/lacak/{report.tracking}/beres/{question.pk}/"
    return f"{url}?k={report.reporter_secret}" if key else url


def test_asked_once_by_email_and_sms_after_the_working_weeks(cast, agency_a):
    report = resolved(cast, agency_a, reporter_phone="081234567890")
    assert ask_followups(now=report.resolved_at + dt.timedelta(weeks=3)) == 0  # too soon
    assert ask_followups(now=report.resolved_at + LATER) == 1
    assert ask_followups(now=report.resolved_at + LATER) == 0  # once per resolution
    question = FollowUp.objects.get(report=report)
    assert question.resolved_at == report.resolved_at and question.answer == ""
    outbox_flush()
    (email,) = [m for m in mail.outbox if m.subject.startswith("Sudah beres?")]
    assert email.to == [report.reporter_email]
    assert question_url(question, report) in email.body
    sms = OutboxMessage.objects.get(dedupe_key=f"followup:{question.pk}:sms")
    assert f"BERES {report.tracking}" in sms.body and len(sms.body) <= 160


def test_not_asked_without_a_contact_or_when_turned_off(cast, agency_a, settings):
    silent = resolved(cast, agency_a, is_anonymous=True, reporter_name="", reporter_email="")
    assert ask_followups(now=silent.resolved_at + LATER) == 0
    settings.LAPOR_FOLLOWUP_WEEKS = 0
    report = resolved(cast, agency_a)
    assert ask_followups(now=report.resolved_at + LATER) == 0
    assert not FollowUp.objects.exists()


def test_the_sweep_task_asks(cast, agency_a, settings):
    settings.LAPOR_FOLLOWUP_WEEKS = 0
    assert followup_sweep.delay().get() == 0
    settings.LAPOR_FOLLOWUP_WEEKS = 4
    assert followup_sweep.delay().get() == 0  # nothing resolved weeks ago


def test_yes_is_recorded_and_the_report_stays_closed(cast, agency_a):
    report = resolved(cast, agency_a)
    ask_followups(now=report.resolved_at + LATER)
    question = FollowUp.objects.get()
    client = Client()
    page = client.get(question_url(question, report))
    assert page.status_code == 200 and 'data-testid="followup-fixed"' in page.content.decode()
    response = client.post(question_url(question, report), {"answer": "fixed"})
    assert response.status_code == 302
    question.refresh_from_db()
    report.refresh_from_db()
    assert question.answer == FollowUp.Answer.FIXED and question.answered_at is not None
    assert report.status == Status.CLOSED
    assert report.events.filter(action="followup_fixed", is_public=True).count() == 1
    # Answered once: a second answer changes nothing.
    client.post(question_url(question, report), {"answer": "not_fixed", "note": "Rusak lagi"})
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    assert (
        'data-testid="followup-answered"'
        in client.get(question_url(question, report)).content.decode()
    )


def test_no_reopens_a_closed_report_through_the_status_machine(cast, agency_a):
    report = resolved(cast, agency_a)
    ask_followups(now=report.resolved_at + LATER)
    question = FollowUp.objects.get()
    Client().post(
        question_url(question, report), {"answer": "not_fixed", "note": "Lubangnya muncul lagi."}
    )
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    assert report.agency_id == agency_a.pk and report.reopen_count == 1
    assert report.resolved_at is None and report.closed_at is None
    event = report.events.get(action="reopen")
    assert (event.from_status, event.to_status) == (Status.CLOSED, Status.IN_PROGRESS)
    assert event.note == "Lubangnya muncul lagi."
    # A new resolution is a new question.
    report = report_transition(
        report_id=report.pk, action="resolve", actor=cast.officer_a, note="Ditambal ulang."
    )
    report = report_transition(report_id=report.pk, action="accept", token=report.reporter_secret)
    assert ask_followups(now=report.resolved_at + LATER) == 1
    assert FollowUp.objects.filter(report=report).count() == 2


def test_no_while_still_resolved_is_a_dispute(cast, agency_a):
    report = resolved(cast, agency_a, close=False)
    question = FollowUp.objects.create(report=report, resolved_at=report.resolved_at)
    followup_answer(
        followup_id=question.pk, fixed=False, note="Belum", token=report.reporter_secret
    )
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    assert report.events.filter(action="dispute").exists()


def test_no_needs_a_word_on_what_is_not_fixed(cast, agency_a):
    report = resolved(cast, agency_a)
    ask_followups(now=report.resolved_at + LATER)
    question = FollowUp.objects.get()
    Client().post(question_url(question, report), {"answer": "not_fixed", "note": ""})
    report.refresh_from_db()
    question.refresh_from_db()
    assert report.status == Status.CLOSED and question.answer == ""


def test_only_the_reporter_answers(cast, agency_a):
    report = resolved(cast, agency_a)
    ask_followups(now=report.resolved_at + LATER)
    question = FollowUp.objects.get()
    assert Client().get(question_url(question, report, key=False)).status_code == 404
    wrong = f"/lacak/{report.tracking}/beres/{question.pk}/?k=salah"
    assert Client().post(wrong, {"answer": "not_fixed", "note": "x"}).status_code == 404
    other = file_report()
    assert Client().get(f"/lacak/{other.tracking}/beres/{question.pk}/").status_code == 404
    report.refresh_from_db()
    assert report.status == Status.CLOSED


def test_a_reopen_needs_the_open_question(cast, agency_a):
    # The reporter's page cannot reopen a closed report by itself: only the question can.
    report = resolved(cast, agency_a)
    Client().post(
        report.get_absolute_url(),
        {"k": report.reporter_secret, "action": "reopen", "note": "Buka lagi"},
    )
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    assert not ReportEvent.objects.filter(report=report, action="reopen").exists()
