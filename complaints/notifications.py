"""Who is told what when a report changes. Messages are outbox rows written in the transaction
of the change; ``tasks.deliver_outbox_task`` sends them after commit, and ``outbox_sweep``
sends any that could not be queued (broker down). One row per (event, recipient): never twice."""

import json
import logging
import threading

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from agencies.models import Role
from core import gathered, jobs
from core.siteurl import site_url

from . import deadlines, workflow
from .audiences import Audience, view_for
from .models import OutboxKey, OutboxMessage, Report, ReportEvent

log = logging.getLogger(__name__)


def on_event(event: ReportEvent, report: Report) -> None:
    """Writes the outbox rows an event calls for. Runs inside the change's transaction.

    Messages to staff carry the tracking number, title and place, never the reporter's
    identity, so an anonymous reporter cannot leak through an e-mail to an agency."""
    spec = workflow.ACTIONS[event.action]
    if spec.citizen and view_for(report, Audience.REPORTER).shows(event):
        if report.reporter_email:
            _citizen_email(event, report)
        # A text filed by SMS is answered with its number by the SMS channel itself.
        if (
            spec.sms
            and report.reporter_phone
            and not (spec.name == "submit" and report.channel == "sms")
        ):
            _citizen_sms(event, report)
    if event.data.get("key_via"):  # a new key: to the one contact that asked for it
        _key_link(event, report, event.data["key_via"])
    # Staff hear as the agency holding the report sees it (supervisors see no more of it).
    if spec.staff == workflow.QUEUE and report.agency_id and event.to_agency_id:
        _staff_email(event, report, _queue_recipients(report), "new_report", optional=True)
    elif spec.staff == workflow.ADMINS:
        _staff_email(event, report, _agency_admins(report), "overdue")
    elif spec.staff == workflow.SUPERIOR:
        _staff_email(event, report, _ppid_superiors(report), "objection")
    elif spec.staff == workflow.VERIFIERS:
        _staff_email(event, report, _verifiers(report), "verify_overdue")
    elif spec.staff == workflow.SUPERVISORS:
        recipients = _agency_admins(report) | _supervisors(report, event.data.get("level"))
        _staff_email(event, report, recipients, "escalated")


def _roles():
    return Role.objects.active().select_related("user").filter(user__is_active=True)


def _queue_recipients(report: Report) -> set:
    """Officers of the agency or unit now holding the report, and its agency's admins."""
    roles = _roles().filter(agency_id=report.agency_id)
    return {r.user for r in roles} | _agency_admins(report)


def _agency_admins(report: Report) -> set:
    if not report.owner_agency_id:
        return set()
    return {r.user for r in _roles().filter(agency_id=report.owner_agency_id, kind="agency_admin")}


def _ppid_superiors(report: Report) -> set:
    """The atasan PPID the agency recorded (UU 14/2008 Pasal 35-36); its admins when it has
    recorded none (the page says so: complaints.information.superiors_of)."""
    recorded = {
        r.user for r in _roles().filter(kind="ppid_superior", agency=report.owner_agency_id)
    }
    return recorded or _agency_admins(report)


def _verifiers(report: Report) -> set:
    """National admins (triage), and the admins of the agency the report names, which may
    verify it itself (complaints.permissions.addressed_to)."""
    users = {r.user for r in _roles().filter(kind="national_admin")}
    if report.requested_agency_id:
        root = report.requested_agency.path.split("/", 1)[0]
        users |= {r.user for r in _roles().filter(agency_id=int(root), kind="agency_admin")}
    return users


def _supervisors(report: Report, level: str | None) -> set:
    if level == "province" and report.agency_id:
        province = report.agency.province_id
        return {r.user for r in _roles().filter(kind="province_supervisor", province_id=province)}
    return {r.user for r in _roles().filter(kind="national_admin")}


def _staff_email(event, report, users, template: str, optional: bool = False) -> None:
    view = view_for(report, Audience.HOLDER)
    with translation.override("id"):
        context = {
            "report": report,
            "view": view,
            "event": event,
            "note": view.note(event),
            "url": f"{site_url()}/kerja/laporan/{report.tracking}/",
        }
        subject = render_to_string(f"complaints/email/staff_{template}_subject.txt", context)
        body = render_to_string(f"complaints/email/staff_{template}_body.txt", context)
    for user in users:
        if not user.email or (optional and not user.notify_optional):
            continue
        outbox_add(
            dedupe_key=f"event:{event.pk}:user:{user.pk}",
            recipient=user.email,
            subject=subject.strip(),
            body=body,
            report=report,
        )


def _citizen_email(event: ReportEvent, report: Report) -> None:
    """The citizen's e-mail of an event, rendered by the worker when it sends it (RENDERERS):
    the row holds the report and the event as they are now, and the origin of the links, so
    the text is the one this change calls for whatever happens to the report meanwhile."""
    outbox_add(
        dedupe_key=f"event:{event.pk}:citizen",
        recipient=report.reporter_email,  # the address the report was filed with, no other
        subject="",
        body="",
        report=report,
        template="citizen",
        context={"site": site_url(), "report": _snapshot(report), "event": _snapshot(event)},
    )


def _citizen_text(event: ReportEvent, report: Report, site: str) -> tuple[str, str]:
    """The subject and body of the citizen's e-mail of ``event``, in Indonesian."""
    view = view_for(report, Audience.REPORTER)
    with translation.override("id"):
        context = {
            "report": report,
            "view": view,
            "event": event,
            "note": view.note(event),
            "site": site,
            "manage_url": f"{site}{report.get_absolute_url()}?k={report.reporter_secret}",
        }
        step = deadlines.next_answer(report)
        context["next_answer"] = deadlines.sentence(step) if step else ""
        template = "submitted" if event.action == "submit" else "changed"
        subject = render_to_string(f"complaints/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"complaints/email/{template}_body.txt", context)
    return subject, body


def _render_citizen(context: dict) -> tuple[str, str]:
    report = _restore(Report, context["report"])
    return _citizen_text(_restore(ReportEvent, context["event"]), report, context["site"])


# What the worker renders at send time (OutboxMessage.template): name -> the function from the
# row's context to (subject, body). A row whose rendering raises is a failed send (tasks).
RENDERERS = {"citizen": _render_citizen}


def render(message: OutboxMessage) -> None:
    """Writes the subject and body of a message the worker renders (nothing for the others)."""
    if message.template:
        message.subject, message.body = RENDERERS[message.template](message.context)
        message.subject = message.subject[:255]


def _snapshot(instance) -> dict:
    """The columns of a saved row as JSON values (``_restore`` reads them back)."""
    values = {}
    for f in type(instance)._meta.concrete_fields:
        value = f.value_from_object(instance)
        values[f.attname] = None if value is None else f.value_to_string(instance)
    return values


def _restore(model, values: dict):
    """The row ``_snapshot`` wrote, as it was then, unsaved. A column the snapshot lacks (added
    since) is read from the database when it is first used."""
    fields = [f for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(
        None,
        [f.attname for f in fields],
        [None if values[f.attname] is None else f.to_python(values[f.attname]) for f in fields],
    )


def _key_link(event: ReportEvent, report: Report, via: str) -> None:
    """The link with the reporter's new key (services.report_key_reissue), by e-mail or SMS
    to the contact the report was filed with."""
    url = f"{site_url()}{report.get_absolute_url()}?k={report.reporter_secret}"
    with translation.override("id"):
        context = {"report": report, "manage_url": url}
        subject = render_to_string("complaints/email/new_key_subject.txt", context).strip()
        body = render_to_string("complaints/email/new_key_body.txt", context)
        text = translation.gettext("LAPOR %(n)s: tautan baru untuk laporan Anda: %(url)s") % {
            "n": report.tracking,
            "url": url,
        }
    if via == "sms":
        outbox_add(
            dedupe_key=f"event:{event.pk}:key-sms",
            channel="sms",
            recipient=report.reporter_phone,
            subject="SMS",
            body=text[:SMS_LIMIT],
            report=report,
        )
    else:
        outbox_add(
            dedupe_key=f"event:{event.pk}:key",
            recipient=report.reporter_email,
            subject=subject,
            body=body,
            report=report,
        )


def followup_question(followup, report: Report) -> None:
    """ "Sudah beres?" to the reporter: an e-mail with a link to answer, and an SMS they can
    answer from any phone (BERES / BELUM <nomor>, integrations.sms). One of each per question."""
    path = reverse("complaints:followup", args=[report.tracking, followup.pk])
    with translation.override("id"):
        context = {"report": report, "url": f"{site_url()}{path}?k={report.reporter_secret}"}
        subject = render_to_string("complaints/email/followup_subject.txt", context).strip()
        body = render_to_string("complaints/email/followup_body.txt", context)
        text = translation.gettext(
            "LAPOR %(t)s: Sudah beres? Balas BERES %(t)s, atau BELUM %(t)s <alasan> ke 1708."
        ) % {"t": report.tracking}
    if report.reporter_email:
        outbox_add(
            dedupe_key=f"followup:{followup.pk}:email",
            recipient=report.reporter_email,
            subject=subject,
            body=body,
            report=report,
        )
    if report.reporter_phone:
        outbox_add(
            dedupe_key=f"followup:{followup.pk}:sms",
            channel="sms",
            recipient=report.reporter_phone,
            subject="SMS",
            body=text[:SMS_LIMIT],
            report=report,
        )


# One GSM-7 segment: a basic phone shows it whole and the gateway bills one message.
SMS_LIMIT = 160


def sms_text(event: ReportEvent, report: Report) -> str:
    """The Indonesian text of an event for the reporter's phone: the tracking number, the new
    status, the date of the next answer (complaints.deadlines), then the agency or the note,
    cut to SMS_LIMIT."""
    spec = workflow.ACTIONS[event.action]
    with translation.override("id"):
        head = f"LAPOR {report.tracking}: {report.get_status_display()}."
        step = deadlines.next_answer(report)
        if step is not None:
            head = f"{head} {deadlines.sentence(step, short=True)}"
        if event.action == "submit":
            detail = translation.gettext("Laporan diterima. Simpan nomor ini untuk melacaknya.")
        elif spec.staff == workflow.QUEUE and report.agency_id:
            detail = report.agency.name
        elif spec.sms == workflow.NOTE:
            detail = " ".join(view_for(report, Audience.REPORTER).note(event).split())
        else:
            detail = ""
    text = f"{head} {detail}".strip()
    if len(text) > SMS_LIMIT:
        text = text[: SMS_LIMIT - 3].rstrip() + "..."
    return text


def _citizen_sms(event: ReportEvent, report: Report) -> None:
    outbox_add(
        dedupe_key=f"event:{event.pk}:sms",  # the key the SMS channel used: never both
        channel="sms",
        recipient=report.reporter_phone,
        subject="SMS",
        body=sms_text(event, report),
        report=report,
    )


def outbox_add(
    *,
    dedupe_key: str,
    recipient: str,
    subject: str,
    body: str,
    report=None,
    channel="email",
    template: str = "",
    context: dict | None = None,
) -> int | None:
    """Writes a message row and asks for its delivery once the transaction commits. A second
    call with the same key does nothing. Returns the new row's id, or None if the key was
    written before (and inside ``core.gathered.gathered()``, where the row is written with the
    statement at the block's end).

    ``template`` and ``context``: a message the worker renders when it sends it (RENDERERS);
    ``subject`` and ``body`` are then blank.

    The outbox is partitioned by month (complaints.partitions), so the key is unique in the
    unpartitioned key table (OutboxKey), over every month. On PostgreSQL the key and the message
    are one statement: the key's INSERT ... ON CONFLICT DO NOTHING RETURNING feeds the
    message's INSERT, so a key already there writes nothing at all (no savepoint, no second
    message), and of two transactions offering the same key the second waits for the first
    and writes nothing if it committed."""
    # As the ORM writes it (SQLite: UTC text without an offset, so an exact match finds it).
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [
        channel,
        recipient,
        subject[:255],
        body,
        getattr(report, "pk", None),
        OutboxMessage.State.PENDING,
        template,
        None if context is None else json.dumps(context),
    ]
    columns = (
        "dedupe_key, created_at, channel, recipient, subject, body, report_id, state, "
        "template, context, attempts, last_error"
    )
    values = "%s, %s, %s, %s, %s, %s, %s, %s, 0, ''"
    written: list[int] = []

    def then(row) -> None:
        if row is not None:
            written.append(row[0])
            transaction.on_commit(lambda: enqueue_delivery(row[0]))

    if connection.vendor == "postgresql":
        # With a filing's other rows when gathered (core.gathered): one statement in all.
        gathered.write(
            f"INSERT INTO {OutboxMessage._meta.db_table} ({columns}) "  # noqa: S608
            f"SELECT key.dedupe_key, key.created_at, {values} FROM {{lead}} AS key RETURNING id",
            params,
            then=then,
            lead=(
                "key",
                f"INSERT INTO {OutboxKey._meta.db_table} (dedupe_key, created_at) "  # noqa: S608
                "VALUES (%s, %s) ON CONFLICT (dedupe_key) DO NOTHING "
                "RETURNING dedupe_key, created_at",
                [dedupe_key, now],
            ),
        )
        return written[0] if written else None
    with connection.cursor() as cursor:  # SQLite: no INSERT in a WITH; one writer at a time
        cursor.execute(
            f"INSERT INTO {OutboxKey._meta.db_table} (dedupe_key, created_at) "  # noqa: S608
            "VALUES (%s, %s) ON CONFLICT (dedupe_key) DO NOTHING",
            [dedupe_key, now],
        )
        row = None
        if cursor.rowcount == 1:
            cursor.execute(
                f"INSERT INTO {OutboxMessage._meta.db_table} ({columns}) "  # noqa: S608
                f"VALUES (%s, %s, {values}) RETURNING id",
                [dedupe_key, now, *params],
            )
            row = cursor.fetchone()
    then(row)
    return written[0] if written else None


def enqueue_delivery(message_id: int) -> None:
    """Queues the delivery of a committed message. A broker that is down must not fail the
    request that already committed the report: the row stays pending and the sweep sends it
    later.

    With a worker (tasks not run eagerly) and ``LAPOR_OUTBOX_BATCH_MS`` above 0, the message
    joins this process's batch: the ids committed within that many milliseconds go as one
    task (tasks.deliver_outbox_batch_task), published from a timer thread after the response,
    instead of one broker round trip and one task per message."""
    if settings.LAPOR_OUTBOX_BATCH_MS > 0 and not current_app.conf.task_always_eager:
        _batch.add(message_id, settings.LAPOR_OUTBOX_BATCH_MS / 1000)
        return
    try:
        jobs.start("deliver_outbox", message_id)
    except Exception:  # kombu.OperationalError, redis ConnectionError, an eager failure, ...
        log.warning("outbox %s not queued now; the sweep will send it", message_id, exc_info=True)


class _Batch:
    """Message ids waiting to be published as one task. The first id starts a timer; when it
    fires, every id added meanwhile goes in one publish. The timer thread is not a daemon, so
    a process that exits publishes what it holds first; a process killed outright loses only
    the ids, never the rows (the sweep sends pending rows)."""

    def __init__(self):
        self._ids: list[int] = []
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def add(self, message_id: int, delay: float) -> None:
        with self._lock:
            self._ids.append(message_id)
            if self._timer is None:
                self._timer = threading.Timer(delay, self.flush)
                self._timer.daemon = False
                self._timer.start()

    def flush(self) -> None:
        with self._lock:
            ids, self._ids, self._timer = self._ids, [], None
        if not ids:
            return
        try:
            jobs.start("deliver_outbox_batch", ids)
        except Exception:  # broker down: the rows stay pending, the sweep sends them
            log.warning("outbox %s not queued now; the sweep will send them", ids, exc_info=True)


_batch = _Batch()
