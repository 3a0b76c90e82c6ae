"""Celery tasks: interfaces that load by id and call a service."""

import datetime as dt
import logging
import time

from celery import shared_task
from django.core.mail import get_connection, send_mail
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import jobs

from .autotriage import report_auto_triage
from .models import OutboxMessage
from .notifications import render
from .sweeps import run_deadline_sweep

log = logging.getLogger(__name__)

# A message claimed this long ago but not marked sent belongs to a worker that died.
STALE_CLAIM = dt.timedelta(minutes=10)
# How long a worker keeps trying to record messages it has sent while the database is away
# (a restart): without the record the sweep would send them again after STALE_CLAIM.
RECORD_WAIT = 60.0
# Messages still to send are recent: a message is queued when its transaction commits and
# swept after 30 s if that was lost, its retries back off for under 4 hours in all (8 attempts,
# _record_failure) and a stale claim is 10 minutes old. So a claim by id and the minute sweep
# look only at rows written in the last RECENT, which on PostgreSQL reads this month's outbox
# partition (and last month's in the first week), not every month since the start
# (complaints.partitions). A row older than that (workers stopped for over a week) is found by
# the hourly sweep of older rows (``outbox_sweep(older=True)``), which queues it with its
# created_at: a claim given the time reads that one month.
RECENT = dt.timedelta(days=7)


@shared_task(bind=True, max_retries=8, acks_late=True)
def deliver_outbox_task(self, message_id: int, created_at: str | None = None) -> str:
    """Sends one outbox message, at most once per successful claim.

    The claim is a conditional UPDATE: of two workers given the same id, one gets it, the
    other returns. A send that fails is retried with back-off. ``created_at`` (ISO 8601), when
    the caller knows it (the sweeps, a retry), makes the claim read the row's one partition;
    without it the claim reads the rows of the last RECENT."""
    now = timezone.now()
    owner = self.request.id or ""
    when = _written(now, created_at)
    claimed = OutboxMessage.objects.filter(_claimable(now, owner), when, pk=message_id).update(
        state=OutboxMessage.State.SENDING, claimed_at=now, claimed_by=owner
    )
    if not claimed:
        return "skipped"
    message = OutboxMessage.objects.get(when, pk=message_id)
    try:
        _send(message)
    except Exception as exc:
        countdown = _record_failure(message, exc)
        if countdown is not None:
            raise self.retry(exc=exc, countdown=countdown) from exc
        return "failed"
    text = {"subject": message.subject, "body": message.body} if message.template else {}
    _record_sent(
        lambda: _one(message).update(
            state=OutboxMessage.State.SENT,
            sent_at=timezone.now(),
            attempts=message.attempts + 1,
            **text,  # what the worker rendered, kept as what was sent
        )
    )
    return "sent"


def _written(now, created_at: str | None) -> Q:
    """Where a message given by id is looked for: at its exact time if known, else among the
    rows of the last RECENT (see RECENT)."""
    if created_at:
        return Q(created_at=dt.datetime.fromisoformat(created_at))
    return Q(created_at__gte=now - RECENT)


def _one(message: OutboxMessage):
    """``message``'s row by its primary key in the database, (id, created_at): one partition."""
    return OutboxMessage.objects.filter(pk=message.pk, created_at=message.created_at)


def _record_sent(update) -> None:
    """Runs ``update``, the UPDATE that marks messages sent, until the database takes it (at
    most RECORD_WAIT seconds). The messages are already out: a lost record would have the
    sweep send them a second time (tests/faults/test_postgres_restart.py)."""
    deadline = time.monotonic() + RECORD_WAIT
    while True:
        try:
            update()
            return
        except (OperationalError, InterfaceError):
            if time.monotonic() > deadline:
                raise
            log.warning("outbox: sent but not recorded yet, database away", exc_info=True)
            if not connection.in_atomic_block:  # a worker: reconnect on the next try
                connection.close()
            time.sleep(1)


def _send(message: OutboxMessage, mail_connection=None) -> None:
    """Renders the message if the worker writes it (notifications.render: a failure there is a
    failed send, retried and marked failed the same way), then sends it."""
    render(message)
    if message.channel == OutboxMessage.Channel.EMAIL:
        send_mail(
            message.subject, message.body, None, [message.recipient], connection=mail_connection
        )
    else:
        from .sms import send_sms

        send_sms(message.recipient, message.body)


def _claimable(now, owner: str = "") -> Q:
    """Pending, or claimed by a worker that died: long ago (STALE_CLAIM), or by this very task
    (``owner``, its id), delivered again because its worker was killed mid-send
    (acks_late + reject_on_worker_lost; tests/faults/test_worker_killed.py)."""
    claimable = Q(state=OutboxMessage.State.PENDING) | Q(
        state=OutboxMessage.State.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    if owner:
        claimable |= Q(state=OutboxMessage.State.SENDING, claimed_by=owner)
    return claimable


@shared_task(bind=True, acks_late=True)
def deliver_outbox_batch_task(self, message_ids: list[int]) -> int:
    """Sends several outbox messages (those a web process committed within a few
    milliseconds, see notifications.enqueue_delivery) with one claim, one mail connection and
    one final UPDATE, instead of a task and three statements per message. Returns how many
    were sent.

    The claim locks the rows (SKIP LOCKED: a row another worker holds is that worker's). A
    message that fails goes back to pending with one attempt counted and is retried alone by
    ``deliver_outbox_task`` with back-off. A worker that dies mid-batch leaves its rows
    claimed; the same task, delivered again, takes them back at once, and the sweep after
    STALE_CLAIM otherwise."""
    now = timezone.now()
    owner = self.request.id or ""
    recent = _written(now, None)  # the ids of a batch were committed a moment ago
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now, owner), recent, pk__in=message_ids)
            .order_by("pk")
        )
        if not messages:
            return 0
        first = min(m.created_at for m in messages)
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages], created_at__gte=first).update(
            state=OutboxMessage.State.SENDING, claimed_at=now, claimed_by=owner
        )
    sent = []
    with get_connection() as mail_connection:
        for message in messages:
            try:
                _send(message, mail_connection)
            except Exception as exc:
                _retry_alone(message, exc)
            else:
                sent.append(message.pk)
    _record_sent(lambda: _mark_sent([m for m in messages if m.pk in set(sent)], first))
    return len(sent)


def _mark_sent(messages: list[OutboxMessage], first) -> None:
    """One UPDATE: sent, one more attempt, and the text of those the worker rendered (rows
    from ``first`` on: the partitions of the batch's months only)."""
    if not messages:
        return
    rows = OutboxMessage.objects.filter(created_at__gte=first)
    rendered = [m for m in messages if m.template]
    if connection.vendor != "postgresql" or not rendered:
        rows.filter(pk__in=[m.pk for m in messages if not m.template]).update(
            state=OutboxMessage.State.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1
        )
        for m in rendered:  # SQLite, and rows rendered alone
            rows.filter(pk=m.pk).update(
                state=OutboxMessage.State.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                subject=m.subject,
                body=m.body,
            )
        return
    table = OutboxMessage._meta.db_table
    flags = [bool(m.template) for m in messages]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS o SET state = %s, sent_at = %s, attempts = o.attempts + 1, "  # noqa: S608
            "subject = CASE WHEN v.rendered THEN v.subject ELSE o.subject END, "
            "body = CASE WHEN v.rendered THEN v.body ELSE o.body END "
            "FROM unnest(%s::bigint[], %s::boolean[], %s::text[], %s::text[]) "
            "AS v(id, rendered, subject, body) WHERE o.id = v.id AND o.created_at >= %s",
            [
                OutboxMessage.State.SENT,
                timezone.now(),
                [m.pk for m in messages],
                flags,
                [m.subject if r else "" for m, r in zip(messages, flags, strict=True)],
                [m.body if r else "" for m, r in zip(messages, flags, strict=True)],
                first,
            ],
        )


def _record_failure(message: OutboxMessage, exc: Exception) -> int | None:
    """Counts a failed attempt on the row: back to pending, or failed for good after
    ``deliver_outbox_task.max_retries``. Returns the back-off in seconds before the next
    attempt, or None when there is none."""
    attempts = message.attempts + 1
    failed = attempts > deliver_outbox_task.max_retries
    _one(message).update(
        state=OutboxMessage.State.FAILED if failed else OutboxMessage.State.PENDING,
        attempts=attempts,
        last_error=str(exc)[:2000],
    )
    return None if failed else min(30 * 2**attempts, 3600)


def _retry_alone(message: OutboxMessage, exc: Exception) -> None:
    log.warning("outbox %s not sent: %s; retried alone", message.pk, exc)
    countdown = _record_failure(message, exc)
    if countdown is None:
        return
    try:
        deliver_outbox_task.apply_async(
            (message.pk, message.created_at.isoformat()), countdown=countdown
        )
    except Exception:  # broker gone: the row is pending, the sweep sends it
        log.warning("outbox %s retry not queued", message.pk, exc_info=True)


@shared_task
def outbox_sweep(limit: int = 500, min_age_seconds: int = 30, older: bool = False) -> int:
    """Queues messages still pending (their first enqueue failed or was lost) and those whose
    worker died mid-send, each with its created_at (its claim reads one partition). Safe to
    run twice: delivery claims each row.

    Every minute it looks at the rows of the last RECENT only (the recent partitions);
    ``older=True`` (hourly) looks at the older rows, left by workers stopped for longer."""
    now = timezone.now()
    written = Q(created_at__lt=now - RECENT) if older else Q(created_at__gte=now - RECENT)
    rows = list(
        OutboxMessage.objects.filter(
            Q(
                state=OutboxMessage.State.PENDING,
                created_at__lt=now - dt.timedelta(seconds=min_age_seconds),
            )
            | Q(state=OutboxMessage.State.SENDING, claimed_at__lt=now - STALE_CLAIM),
            written,
        )
        .order_by("created_at")
        .values_list("pk", "created_at")[:limit]
    )
    for message_id, created_at in rows:
        deliver_outbox_task.delay(message_id, created_at.isoformat())
    return len(rows)


def outbox_flush() -> int:
    """Sends every pending message now, in this process (used by the sweep's tests and by
    ``manage.py outbox_flush`` when no worker runs), in the order they were written: two SMS
    to one phone arrive as they were meant to be read."""
    sent = 0
    pending = OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING)
    for message_id, created_at in pending.order_by("created_at", "pk").values_list(
        "pk", "created_at"
    ):
        sent += (
            deliver_outbox_task.apply(args=[message_id, created_at.isoformat()]).result == "sent"
        )
    return sent


@shared_task
def deadline_sweep() -> dict:
    """Marks overdue reports, escalates, closes and rejects by the clock (see deadlines_sweep
    in services); idempotent."""

    return run_deadline_sweep()


@shared_task(acks_late=True)
def auto_triage_task(report_id: int) -> str:
    """Verifies and routes a new report when that is certain (see complaints.autotriage)."""

    return report_auto_triage(report_id=report_id)


@shared_task
def search_words_refresh_task() -> None:
    """The public search's word list for typos (complaints.selectors.search_words_refresh)."""
    from .selectors import search_words_refresh

    search_words_refresh()


@shared_task
def partitions_ahead() -> list[str]:
    """The month partitions of the events and the outbox for this month and the next ones
    (complaints.partitions.AHEAD), made before any row needs them. Idempotent; rows that still
    arrive out of range land in the default partition, never an error."""
    from . import partitions

    return partitions.ensure_ahead()


@shared_task
def followup_sweep() -> int:
    """ "Sudah beres?" to reporters whose report was resolved some working weeks ago
    (complaints.sweeps.ask_followups); idempotent."""
    from .sweeps import ask_followups

    return ask_followups()


@shared_task
def daily_digest() -> int:
    """The officers' morning digest (complaints.digest); safe to run twice."""
    from .digest import send_daily_digests

    return send_daily_digests()


@shared_task(acks_late=True, soft_time_limit=3300, time_limit=3600)
def export_build_task(job_id: int) -> str:
    """Builds a large export (complaints.exports.export_build); a second run skips."""
    from .exports import export_build

    return export_build(job_id=job_id)


@shared_task
def export_sweep() -> int:
    """Deletes expired exports and restarts lost builds (complaints.exports.export_sweep)."""
    from .exports import export_sweep as sweep

    return sweep()


# What services and notifications start without importing this module (core.jobs).
jobs.register("export_build", lambda job_id: export_build_task.delay(job_id))
jobs.register("auto_triage", lambda report_id: auto_triage_task.delay(report_id))
jobs.register("deliver_outbox", lambda message_id: deliver_outbox_task.delay(message_id))
jobs.register("deliver_outbox_batch", lambda ids: deliver_outbox_batch_task.delay(ids))
