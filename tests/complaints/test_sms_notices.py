"""SMS both ways for any reporter who gave a phone number (issue 16; ../shared/DESIGN.md,
Channels): each public change of their report through the same outbox as e-mail, by the HTTP
gateway backend (a local fake gateway here), Indonesian, at most 160 characters, with the
tracking number."""

import pytest
from celery.exceptions import Retry
from django.test import Client

from complaints.models import OutboxMessage, Report
from complaints.notifications import SMS_LIMIT
from complaints.services import report_transition
from complaints.tasks import deliver_outbox_task, outbox_flush
from tests.factories import file_report
from tests.sms_gateway import sms_gateway  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

PHONE = "0812 3456 7890"


def phone_only_filing() -> Report:
    response = Client().post(
        "/lapor/",
        {
            "kind": "complaint",
            "title": "Jalan rusak di depan pasar",
            "description": "Jalan di depan pasar berlubang besar dan membahayakan pengendara.",
            "province": "32",
            "regency": "3273",
            "reporter_name": "Ujang",
            "reporter_phone": PHONE,
        },
    )
    assert response.status_code == 302
    return Report.objects.get()


def test_a_phone_only_reporter_hears_each_public_change(sms_gateway, cast, agency_a):  # noqa: F811
    report = phone_only_filing()
    outbox_flush()
    report_transition(report_id=report.pk, action="verify", actor=cast.national)
    report_transition(report_id=report.pk, action="dispatch", actor=cast.national, agency=agency_a)
    report_transition(
        report_id=report.pk, action="respond", actor=cast.officer_a, note="Kami ukur besok."
    )
    report_transition(
        report_id=report.pk, action="resolve", actor=cast.officer_a, note="Sudah ditambal."
    )
    outbox_flush()
    texts = sms_gateway.to(PHONE)
    assert len(texts) == 4  # filed, dispatched, answered, resolved
    assert all(report.tracking in t and len(t) <= SMS_LIMIT for t in texts)
    assert "Laporan diterima" in texts[0]
    assert agency_a.name in texts[1]
    assert "Kami ukur besok." in texts[2] and "Sudah ditambal." in texts[3]
    assert set(sms_gateway.auth) == {"Bearer rahasia-gateway"}
    assert not OutboxMessage.objects.exclude(state=OutboxMessage.State.SENT).exists()


def test_a_long_answer_is_cut_to_one_sms(sms_gateway, cast, agency_a):  # noqa: F811
    report = file_report(reporter_email="", reporter_phone=PHONE)
    report_transition(report_id=report.pk, action="verify", actor=cast.national)
    report_transition(report_id=report.pk, action="dispatch", actor=cast.national, agency=agency_a)
    report_transition(
        report_id=report.pk, action="respond", actor=cast.officer_a, note="Panjang sekali. " * 30
    )
    outbox_flush()
    last = sms_gateway.to(PHONE)[-1]
    assert len(last) == SMS_LIMIT and last.endswith("...") and report.tracking in last


def test_a_gateway_that_refuses_once_gets_the_text_again_once(sms_gateway):  # noqa: F811
    sms_gateway.fail_next = 1
    report = file_report(reporter_email="", reporter_phone=PHONE)
    message = OutboxMessage.objects.get(channel="sms", report=report)
    with pytest.raises(Retry):  # the outbox keeps it and tries again later
        deliver_outbox_task.apply(args=[message.pk])
    assert sms_gateway.to(PHONE) == []
    deliver_outbox_task.apply(args=[message.pk])
    assert len(sms_gateway.to(PHONE)) == 1
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT and message.attempts == 2


def test_email_and_sms_both_when_both_are_given(sms_gateway):  # noqa: F811
    file_report(reporter_email="dua@example.id", reporter_phone=PHONE)
    assert sorted(OutboxMessage.objects.values_list("channel", flat=True)) == ["email", "sms"]
