"""Webhooks against a real HTTP server on 127.0.0.1: signed bodies, every event of the
agency's reports, in order per report, retried with back-off while the receiver is down,
given up loudly, replayed from the log."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from complaints import workflow
from complaints.models import OutboxMessage, ReportEvent
from complaints.services import report_transition
from integrations import webhooks
from integrations.models import WebhookDelivery
from integrations.services import webhook_endpoint_register
from integrations.tasks import webhook_sweep
from tests.factories import PASSWORD, dispatched_report, file_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint_a(agency_a, receiver):
    return webhook_endpoint_register(agency=agency_a, url=receiver.url)


def _send_due(minutes_later: int = 0):
    now = timezone.now() + dt.timedelta(minutes=minutes_later)
    for endpoint_id in webhooks.due_endpoints(now):
        webhooks.deliver_endpoint(endpoint_id, now=now)


def test_dispatch_is_posted_signed_with_the_report(cast, agency_a, endpoint_a, receiver):
    report = dispatched_report(agency_a, cast.national, reporter_name="Budi Terbuka")
    _send_due()
    assert len(receiver.received) == 1
    sent = receiver.received[0]
    headers, body = sent["headers"], sent["body"]
    assert headers["X-Lapor-Event"] == "dispatched"
    assert webhooks.verify_signature(endpoint_a.secret, body, headers["X-Lapor-Signature"])
    assert headers["X-Lapor-Signature"].startswith(f"t={headers['X-Lapor-Timestamp']},v1=")
    assert not webhooks.verify_signature("whsec_wrong", body, headers["X-Lapor-Signature"])
    assert not webhooks.verify_signature(
        endpoint_a.secret, body + b" ", headers["X-Lapor-Signature"]
    )
    old = int(headers["X-Lapor-Timestamp"]) + 3600
    assert not webhooks.verify_signature(
        endpoint_a.secret, body, headers["X-Lapor-Signature"], now=old
    )
    payload = json.loads(body)
    event = ReportEvent.objects.get(report=report, action="dispatch")
    assert payload["id"] == event.pk
    assert headers["X-Lapor-Delivery"] == str(WebhookDelivery.objects.get(event=event).pk)
    assert payload["event"] == "dispatched"
    assert payload["report"]["tracking"] == report.tracking
    assert payload["report"]["status"] == "dispatched"
    assert payload["report"]["reporter"]["name"] == "Budi Terbuka"
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.state == "delivered" and delivery.attempts == 1 and delivery.last_status == 200


def test_an_anonymous_reporter_never_reaches_the_webhook(cast, agency_a, endpoint_a, receiver):
    report = dispatched_report(
        agency_a,
        cast.national,
        is_anonymous=True,
        reporter_name="Nama Rahasia",
        reporter_email="rahasia@example.id",
        reporter_phone="081299990000",
    )
    report_transition(report_id=report.pk, action="respond", actor=cast.officer_a, note="ok")
    _send_due()
    assert len(receiver.received) == 2
    for sent in receiver.received:
        text = sent["body"].decode()
        assert "Nama Rahasia" not in text and "rahasia@example.id" not in text
        assert "081299990000" not in text
        assert sent["json"]["report"]["reporter"] is None


def test_delivery_rows_commit_with_the_change(cast, agency_a, endpoint_a):
    report = dispatched_report(agency_a, cast.national)
    with pytest.raises(Exception):  # noqa: B017,PT011  (the change fails: no row stays)
        report_transition(report_id=report.pk, action="respond", actor=cast.officer_a, note="")
    assert WebhookDelivery.objects.filter(report=report).count() == 1  # the dispatch only


def test_another_agency_hears_nothing_and_a_transfer_is_heard_on_both_sides(
    cast, agency_a, agency_b, receiver
):
    endpoint_a = webhook_endpoint_register(agency=agency_a, url=receiver.url)
    endpoint_b = webhook_endpoint_register(agency=agency_b, url=receiver.url + "/b")
    report = dispatched_report(agency_a, cast.national)
    report_transition(
        report_id=report.pk, action="transfer", actor=cast.officer_a, note="x", agency=agency_b
    )
    report_transition(report_id=report.pk, action="respond", actor=cast.officer_b, note="B")
    to_a = list(WebhookDelivery.objects.filter(endpoint=endpoint_a).values_list("name", flat=True))
    to_b = list(WebhookDelivery.objects.filter(endpoint=endpoint_b).values_list("name", flat=True))
    assert to_a == ["dispatched", "transferred_out"]
    assert to_b == ["transferred_in", "responded"]
    out = WebhookDelivery.objects.get(endpoint=endpoint_a, name="transferred_out")
    assert "reporter" not in out.payload["report"] and "description" not in out.payload["report"]
    other = file_report()  # never with A or B: no delivery, no query beyond the event
    assert not WebhookDelivery.objects.filter(report=other).exists()


def test_citizen_reply_dispute_and_overdue_are_posted(cast, agency_a, endpoint_a, receiver):
    citizen_report = dispatched_report(agency_a, cast.national, reporter=cast.citizen)
    rid = citizen_report.pk
    report_transition(report_id=rid, action="respond", actor=cast.officer_a, note="ok")
    report_transition(report_id=rid, action="reply", actor=cast.citizen, note="Terima kasih")
    report_transition(report_id=rid, action="resolve", actor=cast.officer_a, note="Selesai")
    report_transition(report_id=rid, action="dispute", actor=cast.citizen, note="Belum beres")
    report_transition(report_id=rid, action="mark_overdue", system=True)
    _send_due()
    assert [name for _t, name in receiver.events()] == [
        "dispatched",
        "responded",
        "citizen_reply",
        "resolved",
        "disputed",
        "overdue",
    ]


def test_a_receiver_down_for_a_while_gets_every_event_in_order(cast, agency_a, receiver):
    endpoint = webhook_endpoint_register(agency=agency_a, url=receiver.url)
    first = dispatched_report(agency_a, cast.national)
    _send_due()
    assert len(receiver.received) == 1
    receiver.stop()  # down: connection refused
    second = dispatched_report(agency_a, cast.national)
    for report in (first, second):
        report_transition(report_id=report.pk, action="respond", actor=cast.officer_a, note="a")
    report_transition(report_id=first.pk, action="resolve", actor=cast.officer_a, note="b")
    _send_due()
    head = WebhookDelivery.objects.filter(endpoint=endpoint, state="pending").order_by("event")
    assert head.count() == 4
    assert head[0].attempts == 1 and head[0].last_error
    assert all(d.attempts == 0 for d in head[1:])  # nothing sent past the failure
    _send_due(minutes_later=0)  # still backing off: no new attempt
    assert WebhookDelivery.objects.get(pk=head[0].pk).attempts == 1
    receiver.status = 503  # up, but failing
    receiver.start()
    _send_due(minutes_later=1)
    assert WebhookDelivery.objects.get(pk=head[0].pk).attempts == 2
    receiver.status = 200  # back for good
    _send_due(minutes_later=10)
    assert WebhookDelivery.objects.filter(endpoint=endpoint, state="pending").count() == 0
    sent = receiver.events()
    expected = [
        (e.report.tracking, workflow.ACTIONS[e.action].webhook)
        for e in ReportEvent.objects.filter(
            report__in=[first, second], action__in=["dispatch", "respond", "resolve"]
        ).order_by("pk")
    ]
    assert sent == expected  # every event, once, in order
    ids = [r["json"]["id"] for r in receiver.received]
    assert ids == sorted(ids) and len(ids) == len(set(ids))


def test_back_off_doubles(settings):
    settings.LAPOR_WEBHOOK_BACKOFF_BASE = 30
    waits = [webhooks.backoff(n).total_seconds() for n in (1, 2, 3, 4, 10, 20)]
    assert waits == [30, 60, 120, 240, 3600, 3600]


def test_giving_up_tells_the_admins_and_the_queue_moves_on(
    cast, agency_a, endpoint_a, receiver, settings
):
    settings.LAPOR_WEBHOOK_MAX_ATTEMPTS = 2
    receiver.status = 500
    report = dispatched_report(agency_a, cast.national)
    report_transition(report_id=report.pk, action="respond", actor=cast.officer_a, note="ok")
    for minutes in (0, 5, 10, 15):
        _send_due(minutes_later=minutes)
    states = list(
        WebhookDelivery.objects.filter(endpoint=endpoint_a)
        .order_by("event")
        .values_list("state", flat=True)
    )
    assert states == ["failed", "failed"]
    told = OutboxMessage.objects.filter(recipient=cast.admin_a.email, subject__contains="webhook")
    assert told.count() == 2  # one message per delivery given up


def test_admin_replays_a_delivery_from_the_log(cast, agency_a, endpoint_a, receiver, client):
    receiver.status = 500
    dispatched_report(agency_a, cast.national)
    _send_due()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint_a)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state="failed")
    receiver.status = 200
    client.login(username=cast.admin_a.username, password=PASSWORD)
    log = client.get(f"/kerja/integrasi/webhook/{endpoint_a.pk}/")
    assert log.status_code == 200 and 'data-state="failed"' in log.content.decode()
    response = client.post(f"/kerja/integrasi/pengiriman/{delivery.pk}/ulang/")
    assert response.status_code == 302
    _send_due()
    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    assert len(receiver.received) == 1
    # Another agency's officer, or an officer who is not an admin, cannot replay it.
    client.login(username=cast.officer_a.username, password=PASSWORD)
    assert client.post(f"/kerja/integrasi/pengiriman/{delivery.pk}/ulang/").status_code == 403


def test_sweep_queues_due_endpoints(cast, agency_a, endpoint_a, receiver):
    dispatched_report(agency_a, cast.national)  # on_commit never runs in this test
    assert receiver.received == []
    assert webhook_sweep() == 1  # eager: sent now
    assert len(receiver.received) == 1
    assert webhook_sweep() == 0


def test_event_filter_of_an_endpoint(cast, agency_a, receiver):
    endpoint = webhook_endpoint_register(agency=agency_a, url=receiver.url, events=["resolved"])
    report = dispatched_report(agency_a, cast.national)
    report_transition(report_id=report.pk, action="respond", actor=cast.officer_a, note="ok")
    report_transition(report_id=report.pk, action="resolve", actor=cast.officer_a, note="ok")
    names = WebhookDelivery.objects.filter(endpoint=endpoint).values_list("name", flat=True)
    assert list(names) == ["resolved"]


# --- many deliveries under a real worker: none waits for the sweep, none is queued twice ----


@pytest.fixture
def queued(monkeypatch, settings):
    """What the delivery task queues next, as a real worker would (tasks are eager here)."""
    from integrations import tasks

    calls = []
    monkeypatch.setattr(tasks.deliver_webhooks_task.app.conf, "task_always_eager", False)
    monkeypatch.setattr(
        webhooks, "enqueue_endpoint", lambda eid, countdown=None: calls.append((eid, countdown))
    )
    return calls


def test_a_delivery_written_while_the_lease_is_held_is_queued_when_it_is_released(
    cast, agency_a, endpoint_a, receiver, monkeypatch, queued
):
    """The stall of the live sync test: run 1 finds nothing more and is about to release the
    lease; a dispatch commits and its own run finds the endpoint busy and stops. Run 1 must
    queue the next run, or the dispatch waits for the sweep (and without beat, for ever)."""
    from integrations import tasks

    first = dispatched_report(agency_a, cast.national)
    release = webhooks._release_lease
    late = {}

    def release_after_a_late_commit(endpoint_id):
        if not late:
            late["report"] = dispatched_report(agency_a, cast.national)  # commits now
            busy = webhooks.deliver_endpoint(endpoint_id, owner="task-2")
            assert busy["busy"]  # its own run is turned away
        release(endpoint_id)

    monkeypatch.setattr(webhooks, "_release_lease", release_after_a_late_commit)
    queued.clear()  # the enqueues of the two dispatches themselves
    result = tasks.deliver_webhooks_task.apply(args=(endpoint_a.pk,)).get()
    assert result["delivered"] == 1 and result["more"] is True
    assert queued == [(endpoint_a.pk, None)]  # the next run, at once
    tasks.deliver_webhooks_task.apply(args=(endpoint_a.pk,)).get()
    assert [e["json"]["report"]["tracking"] for e in receiver.received] == [
        first.tracking,
        late["report"].tracking,
    ]


def test_runs_meeting_a_head_in_back_off_queue_one_run_for_its_end(
    cast, agency_a, endpoint_a, receiver, queued
):
    """While a receiver is down every new event's run meets the waiting head; each used to
    queue its own delayed run (thousands, all held by the worker and woken together)."""
    from integrations import tasks

    receiver.status = 503
    dispatched_report(agency_a, cast.national)
    tasks.deliver_webhooks_task.apply(args=(endpoint_a.pk,)).get()  # fails: back-off
    for _ in range(5):
        dispatched_report(agency_a, cast.national)
        result = tasks.deliver_webhooks_task.apply(args=(endpoint_a.pk,)).get()
        assert result["retry_in"] and not result["more"]
    delayed = [countdown for _eid, countdown in queued if countdown]
    assert len(delayed) == 1, queued
    assert WebhookDelivery.objects.filter(endpoint=endpoint_a, attempts=0).count() == 5
