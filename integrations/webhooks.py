"""Outgoing webhooks to agencies' own systems.

- When a report event is recorded, ``on_event_recorded`` writes one ``WebhookDelivery`` row per
  interested endpoint, in the transaction of the change: the delivery commits (or rolls back)
  with the change itself, so none is lost.
- ``deliver_endpoint`` sends an endpoint's pending deliveries in event order, one worker at a
  time (a lease on the endpoint), and stops at the first failure, which is retried later with
  exponential back-off. So events of a report always arrive in order.
- A delivery that still fails after ``LAPOR_WEBHOOK_MAX_ATTEMPTS`` is marked failed, the
  agency's admins are e-mailed, and it stays in the log to be replayed; the pull endpoint
  (``/api/v1/agency/events/``) has every event too. Nothing is silently dropped.

Each request is a POST of JSON with headers ``X-Lapor-Event``, ``X-Lapor-Delivery``,
``X-Lapor-Timestamp`` and ``X-Lapor-Signature: t=<ts>,v1=<hex>``, where the hex is
HMAC-SHA256(secret, f"{ts}.{body}"). ``verify_signature`` is the receiver's check.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import Role
from complaints import audiences, workflow
from complaints.audiences import ALL, Audience, View, view_for
from complaints.models import Channel, Report, ReportEvent
from core import jobs
from core.siteurl import site_url

from . import urlsafety
from .models import ExternalRef, StatusMap, WebhookDelivery, WebhookEndpoint
from .serializers import AgencyReportSerializer, FileSerializer

log = logging.getLogger(__name__)

USER_AGENT = "LAPOR-Webhook/1"
LEASE = dt.timedelta(minutes=5)
BATCH = 200  # deliveries sent per task run before it hands over to the next run

# Webhook event names: each action's own (the ``webhook`` column of complaints.workflow.ACTIONS),
# and "transferred_out" for the agency that just lost a report.
EVENTS = workflow.WEBHOOK_EVENTS


def _setting(name: str, default):
    return getattr(settings, name, default)


def _agency_ids(path: str | None) -> list[int]:
    return [int(p) for p in (path or "").split("/") if p]


def _path_of(agency_id: int | None) -> str:
    from agencies.models import Agency

    if not agency_id:
        return ""
    return Agency.objects.filter(pk=agency_id).values_list("path", flat=True).first() or ""


def on_event_recorded(sender, event: ReportEvent, report: Report, before=None, **kwargs) -> None:
    """Writes the deliveries an event calls for (inside the change's transaction).

    The agency holding the report (and every agency above that unit) hears every event of it
    after dispatch; an agency that just lost the report to a transfer or a return to triage
    hears that one event (``transferred_out``, ``returned_to_triage``), and after it only the
    public events of a report it filed itself (sync: its system is the citizen's front door),
    never the new holder's internal notes. Events of an imported archive send nothing."""
    if event.data.get("imported"):
        return
    holder_ids = _agency_ids(report.agency_path)
    losing_ids: list[int] = []
    # The report moved away from the agency that held it (a transfer, a return to triage).
    if event.from_agency_id and event.from_agency_id != report.agency_id:
        from_path = (
            before.agency_path
            if before is not None and before.agency_id == event.from_agency_id
            else _path_of(event.from_agency_id)
        )
        losing_ids = [i for i in _agency_ids(from_path) if i not in holder_ids]
    refs = _refs(report) if report.channel == Channel.INTEGRATION else None
    follower_ids = [
        agency_id
        for agency_id, (_ext, origin) in (refs or {}).items()
        if origin and event.is_public and agency_id not in holder_ids + losing_ids
    ]
    if not holder_ids and not losing_ids and not follower_ids:
        return  # not yet with an agency (filed, verified): no query at all
    endpoints = list(
        WebhookEndpoint.objects.filter(
            agency_id__in=holder_ids + losing_ids + follower_ids, is_active=True
        )
    )
    if not endpoints:
        return
    refs = _refs(report) if refs is None else refs
    words = _status_words([e.agency_id for e in endpoints])
    spec = workflow.ACTIONS[event.action]
    rows = []
    for endpoint in endpoints:
        # Who this endpoint's agency is to the report decides what its payload carries
        # (complaints.audiences): the holder everything it may see, an agency that just lost
        # it where it went, the client that filed it the public events.
        if endpoint.agency_id in losing_ids:
            audience = Audience.FORMER_HOLDER
            name = "transferred_out" if event.action == "transfer" else spec.webhook
        elif endpoint.agency_id in follower_ids:
            audience = Audience.CLIENT
            name = "transferred" if event.action == "transfer" else spec.webhook
        else:
            audience, name = Audience.HOLDER, spec.webhook
        if name is None or not endpoint.wants(name):
            continue
        payload = build_payload(event, report, name, view_for(report, audience))
        payload["report"]["external_id"] = refs.get(endpoint.agency_id, (None, False))[0]
        payload["report"]["external_status"] = words.get(endpoint.agency_id, {}).get(report.status)
        rows.append(
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                report=report,
                name=name,
                payload=payload,
                next_attempt_at=event.created_at,
            )
        )
    if not rows:
        return
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    for endpoint_id in {r.endpoint_id for r in rows}:
        transaction.on_commit(lambda eid=endpoint_id: enqueue_endpoint(eid))


def _refs(report: Report) -> dict[int, tuple[str, bool]]:
    """Clients' own ids for the report: agency id -> (external id, filed through it)."""
    rows = ExternalRef.objects.filter(report=report).values_list(
        "agency_id", "external_id", "origin"
    )
    return {agency_id: (ext, origin) for agency_id, ext, origin in rows}


def _status_words(agency_ids: list[int]) -> dict[int, dict]:
    return dict(
        StatusMap.objects.filter(agency_id__in=agency_ids).values_list("agency_id", "outbound")
    )


# What a payload says of a report whose content its receiver may not see: where it is.
WHEREABOUTS = ("tracking", "status", "kind", "agency", "version", "resolved_at", "closed_at")


def build_payload(event: ReportEvent, report: Report, name: str, view: View) -> dict:
    """The body of a delivery, fixed when the event happens (the report as it was then), as
    ``view`` (complaints.audiences.view_for the receiving agency) allows: the report's fields
    with the reporter only where the view shows identity, or only its whereabouts; the event's
    note as the view reads it; file links where the view opens the files."""
    report_data = AgencyReportSerializer(report, context={"view": lambda r: view}).data
    if not view.content:
        report_data = {k: report_data[k] for k in WHEREABOUTS}
    if view.files == ALL:
        report_data["files"] = FileSerializer(audiences.files(report, view), many=True).data
    body = {
        "id": event.pk,
        "event": name,
        "action": event.action,
        "occurred_at": event.created_at,
        "note": view.note(event),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "report": report_data,
    }
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(secret: str, body: bytes, header: str, *, tolerance: int = 300, now=None):
    """The receiver's check: True when ``header`` (X-Lapor-Signature) signs ``body`` with
    ``secret`` and its timestamp is within ``tolerance`` seconds of now (no replays)."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (ValueError, KeyError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


def enqueue_endpoint(endpoint_id: int, countdown: int | None = None) -> None:
    """Queues delivery for an endpoint. A broker that is down fails nothing: the rows are
    pending and ``webhook_sweep`` queues them again."""
    try:
        jobs.start("deliver_webhooks", endpoint_id, countdown=countdown)
    except Exception:
        log.warning("webhook endpoint %s not queued; the sweep will", endpoint_id, exc_info=True)


def enqueue_endpoint_once(endpoint_id: int, countdown: int, retry_at: float) -> None:
    """Queues one run for the end of the head's back-off (``retry_at``, its next attempt).
    Every run that meets the waiting head (one per new event: thousands while a receiver is
    down) would otherwise queue its own, all held by the worker and woken together."""
    if cache.add(f"webhooks:scheduled:{endpoint_id}:{retry_at:.6f}", 1, timeout=countdown + 60):
        enqueue_endpoint(endpoint_id, countdown=countdown)


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, ... doubling, at most an hour."""
    base = _setting("LAPOR_WEBHOOK_BACKOFF_BASE", 30)
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One HTTP attempt. Returns (status or None, error text ('' on success)). The address is
    checked again first: a name registered as public may point inside since."""
    try:
        urlsafety.check(endpoint.url)
    except urlsafety.UnsafeUrl as exc:
        return None, str(exc)
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310  (checked by urlsafety just above)
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Lapor-Event": delivery.name,
            "X-Lapor-Delivery": str(delivery.pk),
            "X-Lapor-Timestamp": str(timestamp),
            "X-Lapor-Signature": sign(endpoint.secret, timestamp, body),
        },
    )
    timeout = _setting("LAPOR_WEBHOOK_TIMEOUT", 10)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:2000]


def _take_lease(endpoint_id: int, now, owner: str = "") -> bool:
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    if owner:
        # A task id runs once at a time: a lease held under this id is left by this very
        # task, redelivered because the process running it died (tests/faults).
        free |= Q(lease_owner=owner)
    return bool(
        WebhookEndpoint.objects.filter(free, pk=endpoint_id, is_active=True).update(
            lease_until=now + LEASE, lease_owner=owner
        )
    )


def _release_lease(endpoint_id: int) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(lease_until=None, lease_owner="")


def deliver_endpoint(endpoint_id: int, now=None, owner: str = "") -> dict:
    """Sends the endpoint's due deliveries in event order; stops at the first failure.
    ``owner`` is the calling task's id (see ``_take_lease``).

    Returns counts and what the caller must queue next: ``retry_in`` seconds (the head waits
    out its back-off) or ``more`` (due deliveries are left: a full batch, or rows written
    while this run held the lease, whose own runs found the endpoint busy and stopped)."""
    now = now or timezone.now()
    result = {"delivered": 0, "failed": 0, "busy": False, "more": False}
    result.update(retry_in=None, retry_at=None)
    if not _take_lease(endpoint_id, now, owner):
        result["busy"] = True
        return result
    try:
        endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
        sent = 0
        while sent < BATCH:
            queue = list(_pending(endpoint_id).order_by("event_id")[: BATCH - sent])
            if not queue:
                break
            for delivery in queue:
                sent += 1
                if not _attempt(endpoint, delivery, now, result):
                    break
            if result["retry_in"] is not None:
                break
    finally:
        _release_lease(endpoint_id)
    if result["retry_in"] is None:
        # After the release: a row that committed while the lease was held, and whose run was
        # turned away as busy, is queued by this run (or it would wait for the sweep).
        result["more"] = _pending(endpoint_id).filter(_due(timezone.now())).exists()
    return result


def _pending(endpoint_id: int):
    return WebhookDelivery.objects.filter(
        endpoint_id=endpoint_id, state=WebhookDelivery.State.PENDING
    )


def _due(now) -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def _attempt(endpoint: WebhookEndpoint, delivery: WebhookDelivery, now, result: dict) -> bool:
    """One delivery of the queue's head; False when the queue must stop here (the head waits
    out its back-off, or failed now and waits from now on)."""
    if delivery.next_attempt_at and delivery.next_attempt_at > now:
        # The head of the queue is waiting out its back-off: everything behind it waits.
        result["retry_in"] = max(1, int((delivery.next_attempt_at - now).total_seconds()))
        result["retry_at"] = delivery.next_attempt_at.timestamp()
        return False
    status, error = post(endpoint, delivery)
    attempts = delivery.attempts + 1
    row = WebhookDelivery.objects.filter(pk=delivery.pk)
    if error == "" and status is not None and 200 <= status < 300:
        row.update(
            state=WebhookDelivery.State.DELIVERED,
            attempts=attempts,
            last_status=status,
            last_error="",
            delivered_at=timezone.now(),
        )
        result["delivered"] += 1
        return True
    if attempts >= _setting("LAPOR_WEBHOOK_MAX_ATTEMPTS", 20):
        row.update(
            state=WebhookDelivery.State.FAILED,
            attempts=attempts,
            last_status=status,
            last_error=error,
        )
        _tell_admins(endpoint, delivery, error)
        result["failed"] += 1
        return True  # given up loudly: the queue moves on
    wait = backoff(attempts)
    row.update(attempts=attempts, last_status=status, last_error=error, next_attempt_at=now + wait)
    result["retry_in"] = int(wait.total_seconds())
    result["retry_at"] = (now + wait).timestamp()
    return False


def _tell_admins(endpoint: WebhookEndpoint, delivery: WebhookDelivery, error: str) -> None:
    from complaints.notifications import outbox_add

    admins = (
        Role.objects.active()
        .filter(agency_id=endpoint.agency_id, kind=Role.Kind.AGENCY_ADMIN, user__is_active=True)
        .select_related("user")
    )
    for role in admins:
        if not role.user.email:
            continue
        outbox_add(
            dedupe_key=f"webhook:{delivery.pk}:failed:{delivery.attempts}:{role.user_id}",
            recipient=role.user.email,
            subject=f"LAPOR: webhook gagal dikirim ({delivery.name} #{delivery.event_id})",
            body=(
                f"Pengiriman webhook ke {endpoint.url} untuk laporan "
                f"{delivery.payload.get('report', {}).get('tracking', '')} gagal setelah "
                f"beberapa kali dicoba ({error}).\n\nBuka log pengiriman di "
                f"{site_url()}/kerja/integrasi/ untuk mengirim ulang."
            ),
        )


def due_endpoints(now=None) -> list[int]:
    """Active endpoints with a pending delivery due now (for the sweep)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            _due(now),
            state=WebhookDelivery.State.PENDING,
            endpoint__is_active=True,
        )
        .values_list("endpoint_id", flat=True)
        .distinct()
        .order_by()
    )
