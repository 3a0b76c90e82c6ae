"""Always a next step (issue 16): the expected date of the next answer, from the clocks the
status machine fixed (complaints.deadlines.next_answer, one place), in the report region's time
zone, on the track page, the public page, the proof of filing and in each message to the
reporter (e-mail and SMS)."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from complaints import deadlines
from complaints.models import OutboxMessage
from complaints.services import report_transition
from complaints.tasks import outbox_flush
from tests.factories import dispatched_report, file_report

pytestmark = pytest.mark.django_db


def local_day(moment, province):
    return moment.astimezone(deadlines.zone_for(province)).date()


def test_each_status_waits_for_its_own_clock(cast, agency_a):
    report = file_report()
    step = deadlines.next_answer(report)
    assert (step.waiting_for, step.due) == (deadlines.TRIAGE, report.verify_due)
    report = dispatched_report(agency_a, cast.national)
    assert deadlines.next_answer(report).waiting_for == deadlines.RESPONSE
    assert deadlines.next_answer(report).due == report.response_due
    report = report_transition(
        report_id=report.pk, action="respond", actor=cast.officer_a, note="Ok"
    )
    assert deadlines.next_answer(report).due == report.resolution_due
    report = report_transition(
        report_id=report.pk, action="resolve", actor=cast.officer_a, note="Ok"
    )
    assert deadlines.next_answer(report).waiting_for == deadlines.DISPUTE
    assert deadlines.next_answer(report).due == report.dispute_due
    report = report_transition(
        report_id=report.pk, action="accept", actor=None, token=report.reporter_secret
    )
    assert deadlines.next_answer(report) is None


def test_asked_for_information_the_reporter_is_next(cast):
    report = file_report()
    report = report_transition(
        report_id=report.pk, action="request_info", actor=cast.national, note="Foto lokasi?"
    )
    step = deadlines.next_answer(report)
    assert (step.waiting_for, step.due) == (deadlines.REPORTER, report.info_due)


def test_the_date_is_the_last_day_in_the_region_s_own_zone():
    # Jayapura (WIT, UTC+9): the clock's last day ends at 23:59:59 there, which is already the
    # next day in UTC; the page must say the WIT day.
    report = file_report(province_id="94", regency_id="9403")
    step = deadlines.next_answer(report)
    assert step.zone_name == "WIT"
    assert step.day == local_day(report.verify_due, "94")
    assert step.local.time() == dt.time(23, 59, 59)
    assert "(WIT)" in deadlines.sentence(step)
    assert f"{step.day:%d/%m/%Y} WIT" in deadlines.sentence(step, short=True)


def test_track_page_public_page_and_proof_show_the_date(cast, agency_a):
    report = dispatched_report(agency_a, cast.national, province_id="73", regency_id="7371")
    step = deadlines.next_answer(report)
    page = Client().get(report.get_absolute_url()).content.decode()
    assert 'data-testid="next-answer"' in page and "(WITA)" in page
    assert step.day.strftime("%Y-%m-%d") in page  # <time datetime=...>
    public = Client().get(f"/laporan/{report.tracking}/").content.decode()
    assert 'data-testid="next-answer"' in public and "Tanggapan pertama instansi" in public


def test_english_readers_read_the_step_in_english(cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(report.get_absolute_url()).content.decode()
    assert "The agency&#x27;s first response is expected by" in page or (
        "The agency's first response is expected by" in page
    )


def test_each_message_to_the_reporter_carries_the_date(cast, agency_a, settings):
    settings.LAPOR_SMS_BACKEND = "complaints.sms.LocmemBackend"
    report = file_report(reporter_phone="081234567890")
    verify_day = deadlines.next_answer(report).day
    report_transition(report_id=report.pk, action="verify", actor=cast.national)
    report = report_transition(
        report_id=report.pk, action="dispatch", actor=cast.national, agency=agency_a
    )
    response_day = deadlines.next_answer(report).day
    outbox_flush()
    emails = [m for m in mail.outbox if m.to == [report.reporter_email]]
    assert len(emails) == 2  # filed, dispatched
    assert "Langkah berikutnya" in emails[0].body
    assert f"{verify_day.day} " in emails[0].body and "(WIB)" in emails[0].body
    assert "Tanggapan pertama instansi" in emails[1].body
    texts = list(
        OutboxMessage.objects.filter(channel="sms", report=report)
        .order_by("pk")
        .values_list("body", flat=True)
    )
    assert f"Verifikasi paling lambat {verify_day:%d/%m/%Y} WIB." in texts[0]
    assert f"Tanggapan instansi paling lambat {response_day:%d/%m/%Y} WIB." in texts[1]
    assert all(len(t) <= 160 for t in texts)


def test_a_closed_report_says_no_next_step(cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    report_transition(report_id=report.pk, action="respond", actor=cast.officer_a, note="Ok")
    report_transition(report_id=report.pk, action="resolve", actor=cast.officer_a, note="Ok")
    report = report_transition(
        report_id=report.pk, action="accept", actor=None, token=report.reporter_secret
    )
    assert (
        'data-testid="next-answer"' not in Client().get(report.get_absolute_url()).content.decode()
    )


def test_the_confirmation_is_a_printable_proof_of_filing(client):
    response = client.post(
        "/lapor/",
        {
            "kind": "complaint",
            "title": "Jalan rusak di depan pasar",
            "description": "Jalan di depan pasar berlubang besar dan membahayakan pengendara.",
            "province": "32",
            "regency": "3273",
            "reporter_name": "Budi",
            "reporter_email": "budi@example.id",
        },
        follow=True,
    )
    page = response.content.decode()
    report = response.context["report"]
    assert 'data-testid="proof"' in page and report.tracking in page
    assert "Tanggal laporan" in page and " WIB" in page
    assert "Menunggu verifikasi admin nasional" in page  # the agency, before dispatch
    assert 'data-testid="next-answer"' in page
    assert "js/print.js" in page  # the print button (hidden without JavaScript)
