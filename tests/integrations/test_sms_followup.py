"""'Sudah beres?' answered by SMS (issue 16): BERES <nomor> records it, BELUM <nomor> <alasan>
reopens the report; only from the phone the report gave, and only while a question is open."""

import pytest

from complaints.models import FollowUp, Status
from complaints.sweeps import ask_followups
from integrations.models import SmsInbound
from tests.complaints.test_followup import LATER, resolved
from tests.integrations.test_sms import replies, send

pytestmark = pytest.mark.django_db

PHONE = "+6281234567890"


@pytest.fixture
def asked(cast, agency_a):
    report = resolved(cast, agency_a, reporter_phone="0812-3456-7890")
    ask_followups(now=report.resolved_at + LATER)
    return report


def test_beres_from_the_reporter_s_phone_is_recorded(client, asked):
    send(client, f"beres {asked.tracking.lower()}", "f-1", sender=PHONE)
    question = FollowUp.objects.get(report=asked)
    assert question.answer == FollowUp.Answer.FIXED
    assert any("tercatat" in r for r in replies())


def test_belum_with_a_reason_reopens(client, asked):
    send(client, f"BELUM {asked.tracking} lubangnya muncul lagi", "f-2", sender=PHONE)
    asked.refresh_from_db()
    assert asked.status == Status.IN_PROGRESS
    assert asked.events.get(action="reopen").note == "lubangnya muncul lagi"


def test_belum_without_a_reason_asks_for_it(client, asked):
    send(client, f"BELUM {asked.tracking}", "f-3", sender=PHONE)
    asked.refresh_from_db()
    assert asked.status == Status.CLOSED
    assert any("Tulis apa yang belum beres" in r for r in replies())


def test_another_phone_cannot_answer(client, asked):
    send(client, f"BELUM {asked.tracking} bohong", "f-4", sender="+628999999999")
    asked.refresh_from_db()
    assert asked.status == Status.CLOSED
    assert FollowUp.objects.get(report=asked).answer == ""
    assert SmsInbound.objects.get(gateway_id="f-4").state == SmsInbound.State.STATUS
