"""Writes for reports. Every door (web form, API, SMS, admin, tasks) calls these.

``report_submit`` files a report; ``report_transition`` is the status machine: the one function
that changes a report after it is filed.
"""

import copy
import datetime as dt
import errno
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agencies.models import Agency
from core import gathered, jobs
from routing.models import RoutingRule
from routing.selectors import decide

from . import (
    deadlines,
    effects,
    notifications,
    page_cache,
    public_cache,
    selectors,
    tracking,
    workflow,
)
from .errors import (
    ActionForbidden,
    InvalidAction,
    StaleReport,
    StorageFull,
    TransitionNotAllowed,
)
from .models import (
    FINISHED_STATUSES,
    Attachment,
    FollowUp,
    Report,
    ReportEvent,
    StagedUpload,
    Status,
    Support,
)
from .permissions import can, contact_matches
from .signals import event_recorded
from .workdays import Calendar

log = logging.getLogger(__name__)

# Kept here for the pages and tasks that read them with the services.
ombudsman_eligible = effects.ombudsman_eligible
escalation_level = effects.escalation_level


@dataclass
class NewReport:
    """What a citizen gives, already checked for shape by a form or serializer."""

    kind: str
    title: str
    description: str
    province_id: str
    channel: str
    category_id: int | None = None
    matter_id: int | None = None
    regency_id: str | None = None
    district_id: str | None = None
    address: str = ""
    latitude: Any = None
    longitude: Any = None
    occurred_on: Any = None
    is_anonymous: bool = False
    is_confidential: bool = False
    show_name: bool = False
    reporter_name: str = ""
    reporter_email: str = ""
    reporter_phone: str = ""
    requested_agency_id: int | None = None
    attachments: list = field(default_factory=list)  # complaints.uploads.CheckedUpload


# Stored in Indonesian whatever the language of the request, and translated where shown
# (templates/complaints/partials/timeline.html): an event is read in every language.
REPORTER_LABEL = gettext_noop("Pelapor")
TRIAGE_LABEL = gettext_noop("Admin nasional (KemenPANRB)")
OFFICER_LABEL = gettext_noop("Petugas")


def _actor_label(actor, report: Report, spec: workflow.Action) -> str:
    if spec.actor == workflow.SYSTEM or (actor is None and spec.actor != workflow.REPORTER):
        return "LAPOR"
    if spec.actor == workflow.REPORTER:
        return REPORTER_LABEL
    if spec.actor == workflow.TRIAGE:
        return TRIAGE_LABEL
    if report.agency_id:
        return report.agency.name
    return OFFICER_LABEL


def _record(
    report: Report,
    *,
    action: str,
    actor,
    from_status: str,
    note: str = "",
    public: bool = True,
    from_agency_id: int | None = None,
    label: str = "",
    data: dict | None = None,
    before: Report | None = None,
    event_id: int | None = None,
) -> ReportEvent:
    event = ReportEvent(
        report=report,
        action=action,
        from_status=from_status,
        to_status=report.status,
        from_agency_id=from_agency_id,
        to_agency_id=report.agency_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=label,
        note=note,
        is_public=public,
        data=data or {},
    )
    if event_id is None:
        event.save(force_insert=True)
    else:  # a filing: written with its report in one statement (report_submit)
        event.pk = event_id
        gathered.insert(event)
    if not event.data.get("imported"):
        # An archive brought in from a regional system: its citizens heard of it back then.
        notifications.on_event(event, report)
    event_recorded.send(sender=ReportEvent, event=event, report=report, before=before)
    if report.is_published or (before is not None and before.is_published):
        public_cache.changed()  # the public list's cached content is out of date
    if event_id is None:
        page_cache.report_changed(report, before)  # its track page, the inboxes that see it
    else:
        page_cache.report_filed(report)  # the inboxes that see it, once committed
    return event


def _new_report(data: NewReport, reporter, now: dt.datetime) -> Report:
    """The unsaved report for a filing, its verification clock started at ``now``."""
    report = Report(
        tracking=tracking.generate(),
        kind=data.kind,
        title=data.title,
        description=data.description,
        category_id=data.category_id,
        matter_id=data.matter_id,
        province_id=data.province_id,
        regency_id=data.regency_id or None,
        district_id=data.district_id or None,
        address=data.address,
        latitude=data.latitude,
        longitude=data.longitude,
        occurred_on=data.occurred_on,
        is_anonymous=data.is_anonymous,
        is_confidential=data.is_confidential,
        show_name=data.show_name and not data.is_anonymous,
        reporter=reporter if getattr(reporter, "is_authenticated", False) else None,
        reporter_name=data.reporter_name,
        reporter_email=data.reporter_email,
        reporter_phone=data.reporter_phone,
        requested_agency_id=data.requested_agency_id,
        channel=data.channel,
        status=Status.SUBMITTED,
        verify_due=deadlines.due(
            stage=deadlines.Stage.VERIFY,
            kind=data.kind,
            start=now,
            province_id=data.province_id,
        ),
    )
    if report.reporter is not None:
        report.reporter_name = report.reporter_name or report.reporter.display_name
        report.reporter_email = report.reporter_email or report.reporter.email
    return report


def report_submit(*, data: NewReport, reporter=None, filed_at: dt.datetime | None = None) -> Report:
    """Files a report: the report, its attachments and its first audit event in one
    transaction, and the confirmation e-mail as an outbox row sent after commit.

    ``filed_at``: a report brought in from a regional system's archive (backfill) keeps its
    original filing time; its event is marked imported and sends no e-mail.

    Returns the saved report. Nothing slow happens before the commit (no e-mail, no network).

    On PostgreSQL the report, its event, its outbox rows and its summary deltas are one
    statement (core.gathered), after one that draws their ids."""
    report = _new_report(data, reporter, filed_at or timezone.now())
    for attempt in range(3):
        try:
            with transaction.atomic(), gathered.gathered():
                report.pk, event_id = gathered.next_ids(Report, ReportEvent)
                gathered.insert(report)
                if filed_at is not None:
                    # created_at is auto_now_add: the original time is written after the INSERT.
                    Report.objects.filter(pk=report.pk).update(created_at=filed_at)
                    report.created_at = filed_at
                event = _record(
                    report,
                    action="submit",
                    actor=reporter,
                    from_status="",
                    label=REPORTER_LABEL,
                    data=_import_mark({"channel": data.channel}, filed_at),
                    event_id=event_id,
                )
                for upload in data.attachments:
                    attachment_save(report=report, upload=upload, event=event)
                staged = [u.pk for u in data.attachments if isinstance(u, StagedUpload)]
                if staged:  # an empty delete reads nothing but costs its collector
                    StagedUpload.objects.filter(pk__in=staged).delete()  # rows only: files stay
                if settings.LAPOR_AUTO_VERIFY and filed_at is None:
                    transaction.on_commit(lambda: _enqueue_auto_triage(report.pk))
            return report
        except IntegrityError as exc:
            # Two filings drew the same number at the same moment (one in 10^13): the
            # transaction rolled back whole, so draw again. No savepoint on the common path.
            if "tracking" not in str(exc) or attempt == 2:
                raise
            report.pk, report.tracking = None, tracking.generate()
            for upload in data.attachments:
                if not isinstance(upload, StagedUpload):
                    upload.file.seek(0)
    raise RuntimeError("unreachable")


def _import_mark(data: dict, imported_at: dt.datetime | None) -> dict:
    """Events of a backfill say so, with the original time (``created_at`` is when LAPOR
    recorded them: audit events are never back-dated)."""
    if imported_at is not None:
        data = {**data, "imported": True, "occurred_at": imported_at.isoformat()}
    return data


def _enqueue_auto_triage(report_id: int) -> None:
    try:
        jobs.start("auto_triage", report_id)
    except Exception:  # broker down: the report simply waits for a person in triage
        log.warning("auto-triage of report %s not queued", report_id, exc_info=True)


def attachment_save(*, report: Report, upload, event: ReportEvent | None = None) -> Attachment:
    """Stores a checked upload (complaints.uploads.CheckedUpload) for ``report``, or takes over
    the stored file of a StagedUpload (no second copy)."""
    attachment = Attachment(
        report=report,
        name=upload.name,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        event=event,
    )
    if isinstance(upload, StagedUpload):
        attachment.file.name = upload.file.name
    else:
        _store(attachment.file, upload)
    attachment.save()
    return attachment


def _store(field_file, upload) -> None:
    try:
        field_file.save(upload.name, upload.file, save=False)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            # Nothing is kept: no report or draft that lacks the files the citizen sent.
            log.error("attachment storage full: %s", exc)
            raise StorageFull() from exc
        raise


def upload_stage(*, draft: str, upload) -> StagedUpload:
    """Stores a checked upload for a form draft at once (complaints.staging). The same file
    sent again for the same draft is stored once: the first copy is returned."""
    existing = StagedUpload.objects.filter(draft=draft, sha256=upload.sha256).first()
    if existing is not None:
        return existing
    staged = StagedUpload(
        draft=draft,
        name=upload.name,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
    )
    _store(staged.file, upload)
    try:
        with transaction.atomic():
            staged.save()
    except IntegrityError:  # the same file from a second tab at the same moment
        staged.file.delete(save=False)
        return StagedUpload.objects.get(draft=draft, sha256=upload.sha256)
    return staged


def upload_unstage(*, draft: str, ids: list[int]) -> int:
    """Removes files the citizen took off the form (only their own draft's)."""
    return _delete_staged(StagedUpload.objects.filter(draft=draft, pk__in=ids))


def staged_uploads_expire(*, older_than: dt.timedelta) -> int:
    """Deletes drafts' files never filed (the sweep). Filed ones are no longer staged rows."""
    cutoff = timezone.now() - older_than
    return _delete_staged(StagedUpload.objects.filter(created_at__lt=cutoff))


def _delete_staged(qs) -> int:
    done = 0
    for staged in list(qs):
        name = staged.file.name
        staged.delete()
        # Kept if a report took it over in the meantime (it is then an Attachment's file).
        if not Attachment.objects.filter(file=name).exists():
            staged.file.storage.delete(name)
        done += 1
    return done


# --- the status machine -------------------------------------------------------------------


def _lock(report_id: int) -> Report:
    return Report.objects.select_for_update(of=("self",)).select_related("agency").get(pk=report_id)


def _round_robin(report: Report) -> dict:
    """A unit that shares its new reports out (Agency.round_robin) gets each one assigned to
    its officer holding the fewest open reports, in the same transaction."""
    agency = report.agency
    if agency is None or not agency.round_robin or report.assigned_to_id is not None:
        return {}
    picked = selectors.round_robin_pick(agency)
    if picked is None:
        return {}
    report.assigned_to_id = picked
    return {"assignee": picked, "round_robin": True}


def _apply(report: Report, spec: workflow.Action, params: dict, at=None) -> dict:
    """Moves the report to the row's target and runs the row's effect (complaints.effects).
    Returns the effect's data for the audit event."""
    was = report.status
    if spec.target:
        report.status = spec.target
    deciding = report.needs_triage_decision  # before triage decides: a merge records it
    if spec.actor == workflow.TRIAGE:
        report.needs_triage_decision = False  # reject, merge or dispatch: triage has decided
    step = effects.Step(now=at or timezone.now(), calendar=Calendar(), deciding=deciding)
    data = spec.effect(report, params, step)
    if step.redirected_to is not None:
        if step.redirected_to not in spec.detours:
            raise TransitionNotAllowed()  # a detour the table does not declare
        report.status = step.redirected_to
    _mark_finished(report, was, step.now)
    return {**data, **effects.rating(report, params)}


def _mark_finished(report: Report, was: str, now: dt.datetime) -> None:
    """When the report reached a finished status (the reporter's key expires from then on,
    complaints.permissions.guest_key_expires_at); cleared if it moves on (an undone merge)."""
    if report.status not in FINISHED_STATUSES:
        report.finished_at = None
    elif was not in FINISHED_STATUSES:
        report.finished_at = now


def _check(
    report: Report, spec, actor, token, system: bool, expected_version, for_reporter=False
) -> None:
    """The move is allowed from this status, by this actor, on the version they saw."""
    if expected_version is not None and report.version != expected_version:
        raise StaleReport()
    if report.status not in spec.sources:
        raise TransitionNotAllowed()
    if spec.actor == workflow.SYSTEM or system:
        if not system:
            raise ActionForbidden()
    elif not can(actor, spec.name, report, token=token, for_reporter=for_reporter):
        raise ActionForbidden()


def report_transition(
    *,
    report_id: int,
    action: str,
    actor=None,
    note: str = "",
    expected_version: int | None = None,
    token: str | None = None,
    system: bool = False,
    imported_at: dt.datetime | None = None,
    for_reporter: bool = False,
    **params,
) -> Report:
    """Takes ``action`` on a report, under a row lock, and writes its audit event in the same
    transaction.

    - ``expected_version``: the version the actor saw; if the report changed since, raises
      StaleReport (two officers cannot both win on a stale state).
    - ``token``: the reporter's secret, for a guest acting from their e-mail link.
    - ``for_reporter``: ``actor`` is the client the report came in through, acting for its
      reporter with its own key (complaints.permissions.can).
    - ``system``: LAPOR itself (scheduled tasks); required for SYSTEM actions.
    - ``imported_at``: a step of a regional system's archive (backfill, with ``system``): the
      clocks and dates use that time and the event is marked imported (no e-mail, no webhook).

    Raises TransitionNotAllowed (wrong status), ActionForbidden (not this actor's action),
    InvalidAction (missing note or target). Returns the updated report."""
    spec = workflow.ACTIONS.get(action)
    if spec is None:
        raise InvalidAction(_("Tindakan tidak dikenal."))
    note = (note or "").strip()
    if spec.needs_note and not note:
        raise InvalidAction(_("Tuliskan keterangan untuk tindakan ini."))
    with transaction.atomic():
        report = _lock(report_id)
        _check(report, spec, actor, token, system, expected_version, for_reporter)
        from_status, from_agency_id = report.status, report.agency_id
        before = copy.copy(report)  # the state the change started from, for summaries
        label = _actor_label(actor, report, spec)
        data = _import_mark(_apply(report, spec, params, imported_at), imported_at)
        if spec.staff == workflow.QUEUE:  # a new item in a unit's queue: round robin
            data.update(_round_robin(report))
        report.version += 1
        report.save()
        public = spec.public if params.get("public") is None else bool(params["public"])
        _record(
            report,
            action=action,
            actor=actor,
            from_status=from_status,
            note=note,
            public=public,
            from_agency_id=from_agency_id,
            label=label,
            data=data,
            before=before,
        )
    return report


def report_transition_with_files(*, report_id: int, files: list, **kwargs) -> Report:
    """``report_transition`` and the reporter's files (checked CheckedUploads) tied to the
    event it writes, in one transaction: a reply or an answer to "please send a photo" is
    recorded with its evidence or not at all."""
    with transaction.atomic():
        report = report_transition(report_id=report_id, **kwargs)
        event = ReportEvent.objects.of_report(report).latest("pk")
        for upload in files:
            attachment_save(report=report, upload=upload, event=event)
    return report


def report_verify_and_route(*, report_id: int, actor, note: str = "", category=None) -> Report:
    """Triage's "verify": verifies, then dispatches where the rules (or the citizen's named
    agency) give a target. Without a target the report waits in triage, verified."""
    with transaction.atomic():
        report = report_transition(
            report_id=report_id, action="verify", actor=actor, note=note, category=category
        )
        return report_route(report=report, actor=actor)


def report_verify_by_agency(*, report_id: int, actor, note: str = "") -> Report:
    """The agency a report names verifies it (``agency_verify``: refused with ActionForbidden
    unless ``complaints.permissions.addressed_to``) and receives it at once: the dispatch to
    the named agency or unit is LAPOR's own step, with the reason in its explanation."""
    with transaction.atomic():
        report = report_transition(
            report_id=report_id, action="agency_verify", actor=actor, note=note
        )
        agency = Agency.objects.get(pk=report.requested_agency_id)
        return report_transition(
            report_id=report.pk,
            action="dispatch",
            system=True,
            agency=agency,
            explanation=_("Diverifikasi oleh instansi yang dituju pelapor."),
        )


def report_route(*, report: Report, actor=None) -> Report:
    """Dispatches a verified report to the agency the rules choose, storing the decision."""
    decision = decide(
        category_id=report.category_id,
        matter_id=report.matter_id,
        kind=report.kind,
        province_code=report.province_id,
        regency_code=report.regency_id,
    )
    target_id, explanation = decision.agency_id, decision.explanation
    requested = report.requested_agency_id
    # A named agency deactivated since filing cannot receive it: the rules decide instead.
    named = bool(requested) and Agency.objects.filter(pk=requested, is_active=True).exists()
    if named:
        target_id = report.requested_agency_id
        explanation = _("Pelapor memilih instansi ini.") + (
            " " + _("Saran aturan: ") + decision.explanation
            if decision.agency_id != report.requested_agency_id
            else ""
        )
    if target_id is None:
        Report.objects.filter(pk=report.pk).update(routing_explanation=explanation)
        report.routing_explanation = explanation
        return report
    return report_transition(
        report_id=report.pk,
        action="dispatch",
        actor=actor,
        system=actor is None,
        agency=Agency.objects.get(pk=target_id),
        rule=None if named else _rule(decision.rule_id),
        explanation=explanation,
    )


def _rule(rule_id):
    return RoutingRule.objects.filter(pk=rule_id).first() if rule_id else None


def report_support(*, report: Report, user) -> bool:
    """Adds ``user``'s support ("dukung") to a public report once. Returns False if already."""
    with transaction.atomic():
        _, created = Support.objects.get_or_create(report=report, user=user)
        if created:
            Report.objects.filter(pk=report.pk).update(support_count=F("support_count") + 1)
            public_cache.changed()  # the list shows the count
    return created


def reports_claim(*, user) -> int:
    """Attaches to ``user`` the reports their (now verified) e-mail filed as a guest."""
    ids = Report.objects.filter(
        reporter__isnull=True, reporter_email__iexact=user.email
    ).values_list("pk", flat=True)
    for report_id in list(ids):
        report_transition(report_id=report_id, action="claim", system=True, user=user)
    return len(ids)


def report_key_reissue(*, report_id: int, contact: str) -> bool:
    """A new reporter's key for the report, sent to ``contact`` (by e-mail or SMS) when it is
    the e-mail address or phone number the report was filed with; the old key stops working
    at once and the new one lasts LAPOR_GUEST_KEY_DAYS from now. The audit event is internal
    and holds neither key.

    Returns whether the contact matched; a door must answer the same either way, so that
    nobody learns a reporter's contact from it."""
    with transaction.atomic():
        report = _lock(report_id)
        via = contact_matches(report, contact)
        if via is None:
            return False
        report_transition(report_id=report_id, action="reissue_key", system=True, via=via)
    return True


# --- "Sudah beres?" ------------------------------------------------------------------------


def followup_ask(*, report_id: int) -> FollowUp | None:
    """Asks the reporter "Sudah beres?" about the report's current resolution, by e-mail and
    SMS through the outbox, in one transaction with the question's row. Once per resolution:
    a second call (another sweep, a retry) finds the row and sends nothing.

    Returns the new question, or None when there is nothing to ask (not resolved or closed,
    no contact, already asked)."""
    with transaction.atomic():
        report = _lock(report_id)
        if report.status not in (Status.RESOLVED, Status.CLOSED) or report.resolved_at is None:
            return None
        if not (report.reporter_email or report.reporter_phone):
            return None
        followup, created = FollowUp.objects.get_or_create(
            report=report, resolved_at=report.resolved_at
        )
        if not created:
            return None
        notifications.followup_question(followup, report)
    return followup


def followup_answer(
    *, followup_id: int, fixed: bool, note: str = "", actor=None, token: str | None = None
) -> FollowUp:
    """The reporter's answer to "Sudah beres?", through the status machine: "yes" records
    ``followup_fixed``; "no" (with what is not fixed in ``note``) reopens the report, by
    ``dispute`` while it is resolved and ``reopen`` once it closed. The answer and its event
    are one transaction; a question is answered once.

    Raises InvalidAction (answered already, or "no" without a note), ActionForbidden (not
    the reporter), TransitionNotAllowed (the report moved on since)."""
    with transaction.atomic():
        followup = FollowUp.objects.select_for_update().get(pk=followup_id)
        if followup.answer:
            raise InvalidAction(_("Pertanyaan ini sudah dijawab. Terima kasih."))
        report = Report.objects.only("status").get(pk=followup.report_id)
        if fixed:
            action = "followup_fixed"
        else:
            action = "dispute" if report.status == Status.RESOLVED else "reopen"
        params = {"followup": followup} if action != "dispute" else {}
        report_transition(
            report_id=followup.report_id,
            action=action,
            actor=actor,
            token=token,
            note=note,
            **params,
        )
        followup.answer = FollowUp.Answer.FIXED if fixed else FollowUp.Answer.NOT_FIXED
        followup.answered_at = timezone.now()
        followup.save(update_fields=["answer", "answered_at"])
    return followup
