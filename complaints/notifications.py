"""Who is told what when a report changes. Messages are outbox rows written in the transaction
of the change; ``tasks.deliver_outbox_task`` sends them after commit, and ``outbox_sweep``
sends any that could not be queued (broker down). One row per (event, recipient): never twice."""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import OutboxMessage, Report, ReportEvent

log = logging.getLogger(__name__)

# Events the citizen hears about (public ones that matter to them).
CITIZEN_ACTIONS = {
    "submit",
    "request_info",
    "reject",
    "merge",
    "dispatch",
    "respond",
    "progress",
    "resolve",
    "transfer",
    "ask_info",
    "auto_close",
    "expire_info",
    "extend",
}


def on_event(event: ReportEvent, report: Report) -> None:
    """Writes the outbox rows an event calls for. Runs inside the change's transaction."""
    if event.action in CITIZEN_ACTIONS and event.is_public and report.reporter_email:
        _citizen_email(event, report)


def _citizen_email(event: ReportEvent, report: Report) -> None:
    with translation.override("id"):
        context = {
            "report": report,
            "event": event,
            "site": settings.LAPOR_SITE_URL,
            "manage_url": f"{settings.LAPOR_SITE_URL}{report.get_absolute_url()}"
            f"?k={report.reporter_secret}",
        }
        template = "submitted" if event.action == "submit" else "changed"
        subject = render_to_string(f"complaints/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"complaints/email/{template}_body.txt", context)
    outbox_add(
        dedupe_key=f"event:{event.pk}:citizen",
        recipient=report.reporter_email,
        subject=subject,
        body=body,
        report=report,
    )


def outbox_add(
    *, dedupe_key: str, recipient: str, subject: str, body: str, report=None, channel="email"
) -> OutboxMessage | None:
    """Writes a message row (a second call with the same key does nothing) and asks for its
    delivery once the transaction commits."""
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                dedupe_key=dedupe_key,
                recipient=recipient,
                subject=subject[:255],
                body=body,
                report=report,
                channel=channel,
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: enqueue_delivery(message.pk))
    return message


def enqueue_delivery(message_id: int) -> None:
    """Queues the delivery task. A broker that is down must not fail the request that already
    committed the report: the row stays pending and the sweep sends it later."""
    from .tasks import deliver_outbox_task

    try:
        deliver_outbox_task.delay(message_id)
    except Exception:  # kombu.OperationalError, redis ConnectionError, an eager failure, ...
        log.warning("outbox %s not queued now; the sweep will send it", message_id, exc_info=True)
