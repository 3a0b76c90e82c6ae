"""The confirmation e-mail of a filing is rendered by the worker at send time (issue 20): the
request writes an outbox row naming what to render and what from, the worker writes the text.
The citizen receives exactly what the request rendered before this change, whatever the
language of the request, anonymous or not, and whatever happened to the report meanwhile; a
row whose rendering fails is retried and marked failed like a failed send."""

import json

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.test import Client
from django.utils import translation

from complaints import deadlines
from complaints.models import OutboxMessage, Report
from complaints.services import report_transition
from complaints.tasks import deliver_outbox_batch_task, deliver_outbox_task

pytestmark = pytest.mark.django_db

TITLE = "Jalan berlubang di depan sekolah"

# What a filing's confirmation said before it was rendered by the worker (captured from
# complaints/email/submitted_*.txt rendered in the request, 2026-12-03), byte for byte.
SUBJECT = "[LAPOR!] Laporan {t} diterima"
BODY = (
    "Terima kasih, laporan Anda sudah kami terima.\n\n"
    "Nomor pelacakan: {t}\n"
    "Judul: Jalan berlubang di depan sekolah\n\n"
    "Langkah berikutnya: {next}\n\n"
    "Pantau laporan Anda di http://testserver/lacak/{t}/\n"
    "Untuk membalas, menilai, atau menyanggah tanggapan tanpa akun, gunakan tautan pribadi ini\n"
    "(jangan dibagikan): http://testserver/lacak/{t}/?k={k}\n\n"
    "Your report has been received. Tracking number: {t}.\n\n"
)


def file(*, anonymous=False, lang="id", email="warga@example.id"):
    body = {
        "kind": "complaint",
        "title": TITLE,
        "description": "Jalan di depan sekolah berlubang besar dan membahayakan.",
        "province": "32",
        "regency": "3273",
        "reporter_email": email,
        "is_anonymous": anonymous,
    }
    if not anonymous:
        body["reporter_name"] = "Siti Warga"
    response = Client().post(
        "/api/v1/reports/",
        json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 201, response.content
    return Report.objects.get(tracking=response.json()["tracking"])


def expected(report):
    with translation.override("id"):
        step = deadlines.sentence(deadlines.next_answer(report))
    subject = SUBJECT.format(t=report.tracking)
    return subject, BODY.format(t=report.tracking, k=report.reporter_secret, next=step)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("anonymous", [False, True])
def test_the_citizen_receives_the_text_rendered_before_byte_for_byte(
    lang, anonymous, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = file(anonymous=anonymous, lang=lang)
    (message,) = mail.outbox
    assert message.to == ["warga@example.id"]  # the citizen's own address, no one else's
    assert (message.subject, message.body) == expected(report)
    row = OutboxMessage.objects.get(report=report)
    assert row.state == OutboxMessage.State.SENT
    assert (row.subject, row.body) == expected(report)  # what was sent, kept on the row


def test_the_request_writes_what_to_render_not_the_text():
    report = file()
    row = OutboxMessage.objects.get(report=report)
    assert row.state == OutboxMessage.State.PENDING
    assert row.template == "citizen"
    assert (row.subject, row.body) == ("", "")
    assert row.recipient == "warga@example.id"


def test_the_text_is_the_filing_s_even_when_the_report_moved_on_before_the_send(cast):
    mail.outbox.clear()
    report = file()
    filed = expected(report)
    report_transition(report_id=report.pk, action="verify", actor=cast.national)
    Report.objects.filter(pk=report.pk).update(title="Judul yang diubah triase")
    row = OutboxMessage.objects.get(report=report, template="citizen")
    assert deliver_outbox_task.apply(args=[row.pk]).result == "sent"
    (message,) = [m for m in mail.outbox if m.subject == filed[0]]
    assert message.body == filed[1]


def test_the_batch_renders_too():
    mail.outbox.clear()
    reports = [file(email=f"warga{i}@example.id") for i in range(3)]
    ids = list(OutboxMessage.objects.filter(template="citizen").values_list("pk", flat=True))
    assert deliver_outbox_batch_task.apply(args=[ids]).result == 3
    assert sorted((m.subject, m.body) for m in mail.outbox) == sorted(map(expected, reports))


def test_a_row_that_cannot_be_rendered_is_retried_then_failed():
    report = file()
    row = OutboxMessage.objects.get(report=report)
    OutboxMessage.objects.filter(pk=row.pk).update(context={"broken": True})
    mail.outbox.clear()
    with pytest.raises(Retry):  # retried with back-off, like a send that failed
        deliver_outbox_task.apply(args=[row.pk])
    row.refresh_from_db()
    assert row.state == OutboxMessage.State.PENDING and row.attempts >= 1
    assert "report" in row.last_error
    OutboxMessage.objects.filter(pk=row.pk).update(attempts=deliver_outbox_task.max_retries)
    assert deliver_outbox_task.apply(args=[row.pk]).result == "failed"
    row.refresh_from_db()
    assert row.state == OutboxMessage.State.FAILED
    assert not mail.outbox


def test_a_batch_row_that_cannot_be_rendered_goes_back_alone():
    good, bad = file(email="a@example.id"), file(email="b@example.id")
    OutboxMessage.objects.filter(report=bad).update(template="no-such-renderer")
    ids = list(OutboxMessage.objects.filter(report__in=[good, bad]).values_list("pk", flat=True))
    mail.outbox.clear()
    assert deliver_outbox_batch_task.apply(args=[ids]).result == 1
    assert [m.to for m in mail.outbox] == [["a@example.id"]]
    row = OutboxMessage.objects.get(report=bad)
    # Retried alone (at once here: tasks run eagerly in tests), never sent.
    assert row.state == OutboxMessage.State.PENDING and row.attempts >= 1
    assert "no-such-renderer" in row.last_error
