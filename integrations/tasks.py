"""Celery tasks for integrations: interfaces that load by id and call ``webhooks``."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from core import jobs

from . import federation, webhooks
from .models import IdempotencyRecord

IDEMPOTENCY_KEEP = dt.timedelta(hours=24)


@shared_task(acks_late=True)
def deliver_webhooks_task(endpoint_id: int) -> dict:
    """Sends an endpoint's due deliveries in order. When some are left it queues the next run:
    at once when they are due (``more``), or once for the end of the head's back-off however
    many runs saw it (``retry_in``); the sweep is the safety net."""
    result = webhooks.deliver_endpoint(endpoint_id, owner=deliver_webhooks_task.request.id or "")
    if deliver_webhooks_task.app.conf.task_always_eager:
        return result
    if result.get("more"):
        webhooks.enqueue_endpoint(endpoint_id)
    elif result.get("retry_in"):
        webhooks.enqueue_endpoint_once(endpoint_id, result["retry_in"], result["retry_at"])
    return result


@shared_task
def webhook_sweep() -> int:
    """Queues every endpoint with a delivery due (first enqueue lost, back-off over, worker
    died), and forgets idempotency answers older than a day. Safe to run twice: one worker
    at a time holds an endpoint's lease."""
    now = timezone.now()
    IdempotencyRecord.objects.filter(created_at__lt=now - IDEMPOTENCY_KEEP).delete()
    ids = webhooks.due_endpoints(now)
    for endpoint_id in ids:
        webhooks.enqueue_endpoint(endpoint_id)
    return len(ids)


def _start_deliveries(endpoint_id: int, countdown: int | None = None):
    if countdown:
        return deliver_webhooks_task.apply_async((endpoint_id,), countdown=countdown)
    return deliver_webhooks_task.delay(endpoint_id)


# What webhooks.enqueue_endpoint starts without importing this module (core.jobs).
jobs.register("deliver_webhooks", _start_deliveries)


@shared_task(acks_late=True)
def federation_push_task() -> dict:
    """Sends what this (provincial) instance owes the national one, in order; queues its next
    run at the end of a back-off, or at once when more is waiting."""
    result = federation.push_pending()
    if federation_push_task.app.conf.task_always_eager:
        return result
    if result.get("more"):
        federation.enqueue()
    elif result.get("retry_in"):
        federation.enqueue(countdown=result["retry_in"])
    return result


@shared_task
def federation_sweep() -> bool:
    """The safety net for a lost enqueue or a worker that died: queues the pusher when a call
    is owed (a provincial instance only)."""
    if federation.configured() and federation.pending():
        federation.enqueue()
        return True
    return False


def _start_push(countdown: int | None = None):
    if countdown:
        return federation_push_task.apply_async(countdown=countdown)
    return federation_push_task.delay()


jobs.register("federation_push", _start_push)
