"""LAPOR to LAPOR (federation mode): a province that runs its own LAPOR instance is, to the
national one, a regional system like any other (issue 19). This module is the provincial
side; the national side is plain LAPOR (an API key and a webhook endpoint for the province's
agency, made by ``manage.py federation_connect``).

- **Down** (national -> province): the national instance dispatches to the province's agency
  and its webhooks come to ``receive`` (``POST /api/v1/federation/inbound/``, signed with
  ``LAPOR_FEDERATION_SECRET``). A dispatch files the report here as a mirror linked to its
  national number (``FederationLink``, origin upstream) and dispatched to the local agency
  (``LAPOR_FEDERATION_AGENCY``); the citizen's later steps at national follow. Each national
  event is applied once (``FederationReceived``, by its event id).
- **Up** (province -> national): ``on_event_recorded`` writes a ``FederationPush`` in the
  transaction of a local change that national must hear of: an officer's answer, progress,
  resolution or information request on a mirror; a mirror sent away from the province (back to
  national triage); a report filed here that local triage sends to an agency outside the
  province (filed up through ``agency/filings/`` with this instance's tracking number as its
  external id, forever idempotent), and then its citizen's replies, acceptance and disputes.
  ``push_pending`` sends them in order through the national sync API (``Idempotency-Key``
  per local event), one worker at a time, stopping at the first failure (national down) and
  going on after a back-off; a refusal (4xx) is kept with its reason and the queue moves on.
- **No ping-pong**: what this instance applies from national writes no push (a context
  flag), national's echo of a step taken here is not applied again (agency steps are applied
  only while someone outside the province holds the report, the citizen's only for mirrors),
  and a report sent up that national dispatches back to the province is recognised by its
  external id (this instance's tracking number) and stays the same local report.

Reports change only through ``complaints.services``; nothing here is imported below."""

import contextlib
import contextvars
import datetime as dt
import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from complaints.errors import DomainError
from complaints.models import Category, Channel, Report, ReportEvent
from complaints.services import NewReport, report_submit, report_transition
from core import jobs

from .models import FederationLink, FederationPush, FederationReceived

log = logging.getLogger(__name__)

# A local officer's steps that national records on the province's behalf (its agency API).
PUSHED_AGENCY_ACTIONS = ("respond", "progress", "resolve", "ask_info")
# The reporter's steps (integrations.sync.CITIZEN_ACTIONS, and reopen as a dispute).
CITIZEN_ACTIONS = ("reply", "provide_info", "accept", "dispute", "rate")
# National steps mirrored here while someone outside the province holds a report sent up.
MIRRORED_AGENCY_ACTIONS = ("respond", "progress", "resolve", "ask_info", "auto_close")
ARRIVALS = ("dispatched", "transferred_in", "assigned_to_unit")
DEFAULT_NOTE = "(dari LAPOR nasional)"
BATCH = 100
LOCK = 0x1A9F  # pg advisory lock: one pusher at a time

_applying = contextvars.ContextVar("federation_applying", default=False)


def configured() -> bool:
    return bool(
        settings.LAPOR_FEDERATION_UPSTREAM
        and settings.LAPOR_FEDERATION_KEY
        and settings.LAPOR_FEDERATION_AGENCY
    )


def home_agency() -> Agency | None:
    return Agency.objects.filter(slug=settings.LAPOR_FEDERATION_AGENCY).first()


def _ours(report: Report, home: Agency) -> bool:
    """Held by the province's agency or one of its units."""
    return bool(report.agency_path) and report.agency_path.startswith(home.path)


@contextlib.contextmanager
def applying():
    token = _applying.set(True)
    try:
        yield
    finally:
        _applying.reset(token)


# --- down: national events ---------------------------------------------------------------------


def receive(payload: dict) -> str:
    """Applies one national webhook (already checked for its signature) once; returns the
    outcome (``applied``, ``ignored``, ``refused``, ``duplicate``). A step the local status
    machine refuses is kept as refused with its reason (answering 2xx, so that national's
    queue is not stuck behind it)."""
    event_id = int(payload["id"])
    report = payload.get("report") or {}
    with transaction.atomic():
        received, created = FederationReceived.objects.get_or_create(
            upstream_event=event_id,
            defaults={
                "tracking": str(report.get("tracking", ""))[:40],
                "name": str(payload.get("event", ""))[:40],
                "outcome": "applied",
            },
        )
        if not created:
            return "duplicate"
        try:
            with transaction.atomic(), applying():
                outcome, reason = _apply(payload)
        except DomainError as exc:
            outcome, reason = "refused", f"{exc.code}: {exc.message}"
        FederationReceived.objects.filter(pk=received.pk).update(outcome=outcome, reason=reason)
    return outcome


def _apply(payload: dict) -> tuple[str, str]:
    home = home_agency()
    if home is None:
        return "refused", "LAPOR_FEDERATION_AGENCY names no agency"
    name, action = payload.get("event"), payload.get("action")
    upstream = payload["report"]
    link = (
        FederationLink.objects.select_related("report")
        .filter(upstream_tracking=upstream["tracking"])
        .first()
    )
    if link is None and upstream.get("external_id"):
        # A report filed here and sent up: its external id at national is our number.
        link = (
            FederationLink.objects.select_related("report")
            .filter(report__tracking=upstream["external_id"], origin=FederationLink.Origin.LOCAL)
            .first()
        )
        if link is not None and not link.upstream_tracking:
            link.upstream_tracking = upstream["tracking"]
            link.save(update_fields=["upstream_tracking"])
    if name in ARRIVALS:
        if _upstream_unit(upstream, home) is None:
            return "ignored", "held outside the province"
        if link is None:
            if "title" not in upstream:
                return "refused", "no content to mirror"
            _mirror(payload, home)
            return "applied", ""
        local = link.report
        if not _ours(local, home):
            # Sent up, and national law gives it to the province after all: the same report
            # comes home (no second copy, no second trip up).
            report_transition(
                report_id=local.pk,
                action="transfer",
                system=True,
                note=payload.get("note") or DEFAULT_NOTE,
                agency=_local_target(upstream, home),
            )
            return "applied", ""
        return "ignored", "already here"
    if link is None:
        return "ignored", "not a federated report"
    local = Report.objects.get(pk=link.report_id)
    if action in CITIZEN_ACTIONS or action == "reopen":
        if link.origin != FederationLink.Origin.UPSTREAM:
            return "ignored", "the citizen acts here"
        return _mirror_step(local, action, payload)
    if action in MIRRORED_AGENCY_ACTIONS:
        if _ours(local, home):
            return "ignored", "taken here"
        return _mirror_step(local, action, payload)
    return "ignored", ""


def _mirror_step(local: Report, action: str, payload: dict) -> tuple[str, str]:
    params = {}
    rating = payload["report"].get("rating")
    if action in ("accept", "rate") and rating:
        params["rating"] = rating
    report_transition(
        report_id=local.pk,
        action=action,
        system=True,
        note=payload.get("note") or DEFAULT_NOTE,
        **params,
    )
    return "applied", ""


def _upstream_unit(upstream: dict, home: Agency) -> Agency | None:
    """The local agency or unit of the province that holds the report at national, or None
    when national's holder is outside the province (agencies are the same reference data,
    by slug, on both instances)."""
    slug = (upstream.get("agency") or {}).get("slug")
    if not slug:
        return None
    return Agency.objects.filter(slug=slug, path__startswith=home.path).first()


def _local_target(upstream: dict, home: Agency) -> Agency:
    """The unit national named, when it is the province's; else the province's agency."""
    return _upstream_unit(upstream, home) or home


def _mirror(payload: dict, home: Agency) -> Report:
    """Files national's report here, verified and dispatched to the province (LAPOR's own
    steps), linked to its national number, and tells national this instance's number. The
    mirror keeps the reporter's name (the province's officers address them) but not their
    contact: the citizen hears from the national instance, where they filed."""
    upstream = payload["report"]
    reporter = upstream.get("reporter") or {}
    category = (
        Category.objects.filter(code=upstream["category"]).first()
        if upstream.get("category")
        else None
    )
    data = NewReport(
        kind=upstream["kind"],
        title=upstream["title"],
        description=upstream["description"],
        province_id=upstream["province"],
        regency_id=upstream.get("regency"),
        category_id=category.pk if category else None,
        address=upstream.get("address") or "",
        latitude=upstream.get("latitude"),
        longitude=upstream.get("longitude"),
        occurred_on=upstream.get("occurred_on"),
        is_anonymous=upstream["is_anonymous"],
        is_confidential=upstream["is_confidential"],
        reporter_name="" if upstream["is_anonymous"] else reporter.get("name", ""),
        channel=Channel.INTEGRATION,
    )
    report = report_submit(data=data)
    FederationLink.objects.create(
        report=report, upstream_tracking=upstream["tracking"], origin=FederationLink.Origin.UPSTREAM
    )
    report_transition(report_id=report.pk, action="verify", system=True, note=DEFAULT_NOTE)
    report = report_transition(
        report_id=report.pk,
        action="dispatch",
        system=True,
        note=payload.get("note") or DEFAULT_NOTE,
        agency=_local_target(upstream, home),
    )
    _owe(report, None, "link", {"external_id": report.tracking})
    return report


# --- up: what national must hear -----------------------------------------------------------------


def on_event_recorded(sender, event: ReportEvent, report: Report, before=None, **kwargs) -> None:
    """Writes the push a local change owes national, in the change's transaction."""
    if _applying.get() or not configured() or event.data.get("imported"):
        return
    home = home_agency()
    if home is None:
        return
    link = FederationLink.objects.filter(report=report).first()
    if link is None:
        if (
            event.action in ("dispatch", "transfer")
            and report.agency_id
            and not _ours(report, home)
        ):
            # Filed here, and national law gives it to an agency outside the province: up.
            FederationLink.objects.create(report=report, origin=FederationLink.Origin.LOCAL)
            _owe(report, event, "file", filing_body(report))
        return
    if event.action in CITIZEN_ACTIONS and link.origin == FederationLink.Origin.LOCAL:
        body = {"action": event.action, "note": event.note}
        if event.action in ("accept", "rate") and report.rating:
            body["rating"] = report.rating
        _owe(report, event, "citizen", body)
    elif event.action in PUSHED_AGENCY_ACTIONS and _ours(report, home):
        _owe(report, event, "action", {"action": event.action, "note": event.note})
    elif (
        event.action in ("transfer", "return_to_triage")
        and link.origin == FederationLink.Origin.UPSTREAM
        and not _ours(report, home)
    ):
        # Not the province's after all: back to national triage, which routes it again.
        note = event.note or _("Bukan kewenangan provinsi.")
        _owe(report, event, "action", {"action": "return_to_triage", "note": note})


def filing_body(report: Report) -> dict:
    """The report as ``agency/filings/`` takes it, with this instance's number as its
    external id. An anonymous reporter's name and contact are not sent (none are needed)."""
    body = {
        "external_id": report.tracking,
        "kind": report.kind,
        "title": report.title,
        "description": report.description,
        "province": report.province_id,
        "regency": report.regency_id,
        "address": report.address,
        "is_anonymous": report.is_anonymous,
        "is_confidential": report.is_confidential,
    }
    if report.category_id:
        body["category"] = report.category.code
    if report.latitude is not None and report.longitude is not None:
        body["latitude"], body["longitude"] = str(report.latitude), str(report.longitude)
    if not report.is_anonymous:
        body["reporter_name"] = report.reporter_name or "Pelapor"
        body["reporter_email"] = report.reporter_email
        body["reporter_phone"] = report.reporter_phone
        body["show_name"] = report.show_name
    return body


def _owe(report: Report, event: ReportEvent | None, op: str, body: dict) -> None:
    FederationPush.objects.create(
        report=report, event_id=event.pk if event is not None else None, op=op, body=body
    )
    transaction.on_commit(enqueue)


def enqueue(countdown: int | None = None) -> None:
    try:
        jobs.start("federation_push", countdown=countdown)
    except Exception:
        log.warning("federation push not queued; the sweep will", exc_info=True)


def _call(method: str, path: str, body: dict, idempotency_key: str = "") -> tuple[int, dict]:
    """One call to the national API. Returns (status, body); status 0 when no answer came."""
    headers = {
        "Authorization": f"Bearer {settings.LAPOR_FEDERATION_KEY}",
        "Content-Type": "application/json",
    }
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    request = urllib.request.Request(  # noqa: S310  (the operator's configured national URL)
        settings.LAPOR_FEDERATION_UPSTREAM + path,
        data=json.dumps(body).encode(),
        method=method,
        headers=headers,
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.LAPOR_FEDERATION_TIMEOUT
        ) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {}
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return 0, {"message": str(getattr(exc, "reason", exc))[:500]}


def _send(push: FederationPush) -> tuple[int, dict]:
    if push.op == "file":
        return _call("POST", "/agency/filings/", push.body)
    link = FederationLink.objects.filter(report_id=push.report_id).first()
    if link is None or not link.upstream_tracking:
        return 422, {"message": "no national number for this report"}
    base = f"/agency/reports/{link.upstream_tracking}"
    key = f"federation-{push.pk}"
    if push.op == "link":
        return _call("PUT", f"{base}/external-id/", push.body)
    if push.op == "citizen":
        return _call("POST", f"{base}/citizen/", push.body, key)
    return _call("POST", f"{base}/actions/", push.body, key)


def backoff(attempts: int) -> dt.timedelta:
    base = settings.LAPOR_FEDERATION_BACKOFF_BASE
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def push_pending() -> dict:
    """Sends the owed calls in order, one process at a time (an advisory lock). Stops at the
    first call national did not answer (or answered 5xx or 429), which waits its back-off;
    a 4xx is national's refusal, kept with its reason, and the queue moves on. Returns counts
    and ``retry_in`` (seconds) or ``more``."""
    result = {"sent": 0, "refused": 0, "retry_in": None, "more": False, "busy": False}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK])
        if not cursor.fetchone()[0]:
            result["busy"] = True
            return result
    try:
        now = timezone.now()
        for push in FederationPush.objects.filter(state=FederationPush.State.PENDING)[:BATCH]:
            if push.next_attempt_at and push.next_attempt_at > now:
                result["retry_in"] = max(1, int((push.next_attempt_at - now).total_seconds()))
                break
            status, answer = _send(push)
            row = FederationPush.objects.filter(pk=push.pk)
            if 200 <= status < 300:
                if push.op == "file":
                    FederationLink.objects.filter(report_id=push.report_id).update(
                        upstream_tracking=answer["tracking"]
                    )
                row.update(
                    state=FederationPush.State.DONE,
                    attempts=push.attempts + 1,
                    last_status=status,
                    last_error="",
                    done_at=timezone.now(),
                )
                result["sent"] += 1
            elif 400 <= status < 500 and status != 429:
                row.update(
                    state=FederationPush.State.FAILED,
                    attempts=push.attempts + 1,
                    last_status=status,
                    last_error=json.dumps(answer)[:2000],
                )
                log.warning("federation push %s refused: %s %s", push.pk, status, answer)
                result["refused"] += 1
            else:
                wait = backoff(push.attempts + 1)
                row.update(
                    attempts=push.attempts + 1,
                    last_status=status or None,
                    last_error=json.dumps(answer)[:2000],
                    next_attempt_at=timezone.now() + wait,
                )
                result["retry_in"] = int(wait.total_seconds())
                break
        else:
            result["more"] = FederationPush.objects.filter(
                state=FederationPush.State.PENDING
            ).exists()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
    return result


def pending() -> bool:
    return FederationPush.objects.filter(state=FederationPush.State.PENDING).exists()
