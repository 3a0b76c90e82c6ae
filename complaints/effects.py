"""What each action changes on a report: one small function per action, named in its row of
``workflow.ACTIONS`` (the ``effect`` column). ``services.report_transition`` locks the report,
checks the move and the actor, sets the row's target status, calls the effect, saves and
records the event; nothing else changes a report after it is filed.

An effect takes the locked report, the action's parameters and a ``Step`` (the moment, the
working calendar, and ``redirect`` for the one declared detour of a row), changes fields in
place, and returns extra data for the audit event. It raises ``InvalidAction`` for a bad
parameter and ``TransitionNotAllowed`` for a move that would change nothing."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agencies.models import Agency

from . import deadlines, information, selectors, skm
from .errors import InvalidAction, TransitionNotAllowed
from .models import Kind, Report, ReportEvent, Status, SurveyResponse, Tag, new_reporter_secret
from .workdays import Calendar

MAX_MOVES = 3  # more transfers than this go to national triage for a decision
# UU 37/2008 (Ombudsman RI) art. 24(1)(c): a report reaches the Ombudsman within 2 years of
# the matter; art. 24(1)(b): the reporter first went to the agency (the report was dispatched
# to it and is overdue there, or its answer disputed). No waiting period after dispatch.
OMBUDSMAN_WITHIN = dt.timedelta(days=2 * 365)


@dataclass
class Step:
    now: dt.datetime
    calendar: Calendar
    deciding: bool = False  # the report awaited a triage decision before this action
    redirected_to: str | None = None
    data: dict = field(default_factory=dict)

    def redirect(self, status: str) -> None:
        """Lands the report in ``status`` instead of the row's target; the row must name it
        in ``detours`` (the service checks)."""
        self.redirected_to = status


def ombudsman_eligible(report: Report, now=None) -> bool:
    """May the reporter hand the report to the Ombudsman now?"""
    now = now or timezone.now()
    if report.ombudsman_consent or report.dispatched_at is None:
        return False
    if report.kind == Kind.INFORMATION_REQUEST:
        # Its own path: objection to the PPID's superior, then the Komisi Informasi
        # (UU 14/2008 art. 35-37, complaints.information).
        return False
    if report.status not in deadlines.OVERDUE_STATUSES:
        return False
    if not (deadlines.is_overdue(report) or report.reopen_count > 0):
        return False
    since = report.created_at
    if report.occurred_on:
        since = dt.datetime.combine(report.occurred_on, dt.time(), tzinfo=dt.UTC)
    return now - since <= OMBUDSMAN_WITHIN


def escalation_level(report: Report) -> str:
    """Who supervises the agency holding a report: the province for a regency or city
    government (and its units), the national administrators for everyone else."""
    agency = report.agency
    if agency is not None and agency.level == Agency.Level.REGENCY:
        return "province"
    return "national"


# --- shared steps ---------------------------------------------------------------------------


def set_agency(report: Report, agency: Agency | None) -> None:
    report.agency = agency
    if agency is None:
        report.owner_agency_id, report.agency_path = None, ""
    else:
        report.owner_agency_id, report.agency_path = agency.root_id, agency.path


def _previous_holders(report: Report) -> set[int]:
    """Top-level agencies that held the report before (one query on its events)."""
    paths = Agency.objects.filter(
        pk__in=ReportEvent.objects.of_report(report)
        .filter(action__in=["dispatch", "transfer", "assign_unit"])
        .values("to_agency")
    ).values_list("path", flat=True)
    return {int(p.split("/", 1)[0]) for p in paths}


def start_agency_clock(report: Report, now, calendar: Calendar) -> None:
    """Dispatch or transfer: the new agency's first-response clock starts. The resolution
    clock starts at the first dispatch only (a transfer does not restart it)."""
    report.agency_received_at = now
    report.response_due = deadlines.due(
        stage=deadlines.Stage.FIRST_RESPONSE,
        kind=report.kind,
        start=now,
        agency_id=report.owner_agency_id,
        category_id=report.category_id,
        calendar=calendar,
        province_id=report.province_id,
    )
    report.overdue_at = None
    if report.dispatched_at is None:
        report.dispatched_at = now
        report.resolution_due = deadlines.due(
            stage=deadlines.Stage.RESOLUTION,
            kind=report.kind,
            start=now,
            agency_id=report.owner_agency_id,
            category_id=report.category_id,
            calendar=calendar,
            province_id=report.province_id,
        )


def _due(report: Report, stage, step: "Step", start=None, **scope):
    """The end of a clock for ``report`` that starts at ``start`` (default now), counted in
    working days ending in the report's own region's time zone (complaints.deadlines)."""
    return deadlines.due(
        stage=stage,
        kind=report.kind,
        start=start or step.now,
        calendar=step.calendar,
        province_id=report.province_id,
        **scope,
    )


def _active_agency(params: dict) -> Agency:
    agency = params.get("agency")
    if agency is None or not agency.is_active:
        raise InvalidAction(_("Pilih instansi tujuan yang aktif."))
    return agency


def _colleague(report: Report, assignee):
    """An assignee must be able to open the report: an officer or admin of the unit holding
    it or of an agency above it. None clears the assignment."""
    if assignee is None:
        return None
    if not any(u.pk == assignee.pk for u in selectors.colleagues_for(report)):
        raise InvalidAction(_("Pilih petugas instansi ini."))
    return assignee


# --- one effect per action ------------------------------------------------------------------


def nothing(report: Report, params: dict, step: Step) -> dict:
    """The action is its event (a note, a reply, progress): no field changes."""
    return {}


def verify(report: Report, params: dict, step: Step) -> dict:
    report.verified_at = step.now
    if params.get("category") is not None:
        report.category = params["category"]
        report.category_confirmed = True
    return {}


def request_info(report: Report, params: dict, step: Step) -> dict:
    report.info_due = _due(report, deadlines.Stage.INFO, step)
    return {}


def provide_info(report: Report, params: dict, step: Step) -> dict:
    report.info_due = None
    return {}


def merge(report: Report, params: dict, step: Step) -> dict:
    target = params.get("into")
    if target is None or target.pk == report.pk or target.status in ("merged", "rejected"):
        raise InvalidAction(_("Pilih laporan lain yang masih berlaku untuk digabungkan."))
    report.merged_into = target
    return {"into": target.tracking, "needs_triage_decision": step.deciding}  # for an undo


def unmerge(report: Report, params: dict, step: Step) -> dict:
    """Back to the status, agency and pending triage decision the report had before its
    merge, read from the merge's audit event (a national admin's undo)."""
    merge = report.events.of_report(report).filter(action="merge").order_by("-pk").first()
    if merge is None or report.merged_into_id is None:
        raise InvalidAction(_("Laporan ini tidak digabungkan."))
    data = {"from": report.merged_into.tracking}
    step.redirect(merge.from_status)
    set_agency(report, merge.from_agency)
    report.merged_into = None
    report.needs_triage_decision = bool(merge.data.get("needs_triage_decision"))
    return data


def dispatch(report: Report, params: dict, step: Step) -> dict:
    set_agency(report, _active_agency(params))
    if params.get("rule") is not None:
        report.routing_rule = params["rule"]
    if params.get("explanation"):
        report.routing_explanation = params["explanation"]
    start_agency_clock(report, step.now, step.calendar)
    return {}


def respond(report: Report, params: dict, step: Step) -> dict:
    report.first_response_at = report.first_response_at or step.now
    return {}


def resolve(report: Report, params: dict, step: Step) -> dict:
    report.resolved_at = step.now
    report.dispute_due = _due(report, deadlines.Stage.DISPUTE, step)
    if information.is_request(report) and report.objection_at is None:
        # UU 14/2008 art. 36(1): an objection within 30 working days of the answer.
        report.objection_by = _due(report, deadlines.Stage.OBJECTION_WINDOW, step)
    return {}


def extend(report: Report, params: dict, step: Step) -> dict:
    if report.kind != "information_request" or report.extended:
        raise InvalidAction(_("Perpanjangan hanya sekali, untuk permintaan informasi."))
    report.resolution_due = _due(report, deadlines.Stage.EXTENSION, step, report.resolution_due)
    report.extended = True
    return {}


def transfer(report: Report, params: dict, step: Step) -> dict:
    """To another agency, restarting its first-response clock. A transfer back to an agency
    that already had the report, or one move too many, goes to national triage instead (the
    row's declared detour to ``verified``): no wrong door, but no endless bouncing either."""
    agency = _active_agency(params)
    if agency.root_id == report.owner_agency_id:
        raise InvalidAction(
            _("Instansi tujuan sama dengan instansi saat ini; gunakan penerusan ke unit kerja.")
        )
    report.transfer_count += 1
    data = {"from_agency": report.agency.name if report.agency else "", "to_agency": agency.name}
    report.assigned_to = None
    looped = agency.root_id in _previous_holders(report)
    if looped or report.transfer_count > MAX_MOVES:
        data["loop"] = "returned" if looped else "too_many_moves"
        data["proposed_agency"] = agency.pk
        set_agency(report, None)
        report.needs_triage_decision = True
        step.redirect(Status.VERIFIED)
        return data
    set_agency(report, agency)
    start_agency_clock(report, step.now, step.calendar)
    return data


def return_to_triage(report: Report, params: dict, step: Step) -> dict:
    data = {"from_agency": report.agency.name if report.agency else ""}
    set_agency(report, None)
    report.assigned_to = None
    report.needs_triage_decision = True
    return data


def assign_unit(report: Report, params: dict, step: Step) -> dict:
    unit = params.get("agency")
    if unit is None or not unit.path.startswith(f"{report.owner_agency_id}/"):
        raise InvalidAction(_("Unit kerja harus berada di bawah instansi ini."))
    set_agency(report, unit)
    return {}


def assign(report: Report, params: dict, step: Step) -> dict:
    report.assigned_to = _colleague(report, params.get("assignee"))
    return {"assignee": report.assigned_to.pk if report.assigned_to else None}


def recategorize(report: Report, params: dict, step: Step) -> dict:
    """A new category and/or kind (jenis). The deadlines already running keep their dates:
    the time limits in force when a clock started apply to it."""
    category, kind = params.get("category"), params.get("kind")
    if category is None and not kind:
        raise InvalidAction(_("Pilih kategori atau jenis yang baru."))
    data: dict = {}
    if category is not None:
        if not category.is_active:
            raise InvalidAction(_("Pilih kategori yang aktif."))
        data["category"] = [report.category.code if report.category else "", category.code]
        report.category, report.category_confirmed = category, True
    if kind:
        if kind not in Kind.values:
            raise InvalidAction(_("Jenis laporan tidak dikenal."))
        data["kind"] = [report.kind, kind]
        report.kind = kind
    return data


def tag(report: Report, params: dict, step: Step) -> dict:
    names = params.get("tags") or []
    clean = sorted({slugify(n, allow_unicode=True)[:40] for n in names if n.strip()} - {""})
    if len(clean) > 10:
        raise InvalidAction(_("Paling banyak 10 tag."))
    report.tags.set([Tag.objects.get_or_create(name=n)[0] for n in clean])
    return {"tags": clean}


def close(report: Report, params: dict, step: Step) -> dict:
    """The citizen accepts the answer, or the dispute window ends (auto_close)."""
    report.closed_at = step.now
    return {}


def dispute(report: Report, params: dict, step: Step) -> dict:
    report.reopen_count += 1
    report.resolved_at, report.dispute_due = None, None
    return {}


def _open_question(report: Report, params: dict):
    followup = params.get("followup")
    if followup is None or followup.answer or followup.report_id != report.pk:
        raise InvalidAction(_("Jawaban ini hanya untuk pertanyaan \u201cSudah beres?\u201d."))
    return followup


def followup_fixed(report: Report, params: dict, step: Step) -> dict:
    """The reporter says the problem is fixed: recorded as the event, nothing else changes."""
    _open_question(report, params)
    return {"followup": "fixed"}


def reopen(report: Report, params: dict, step: Step) -> dict:
    """The reporter says a closed report is not fixed: back to the agency, as a dispute."""
    _open_question(report, params)
    report.closed_at = None
    return {**dispute(report, params, step), "followup": "not_fixed"}


def rate(report: Report, params: dict, step: Step) -> dict:
    if not params.get("rating"):
        raise InvalidAction(_("Beri nilai 1 sampai 5."))
    return {}


def survey(report: Report, params: dict, step: Step) -> dict:
    """The reporter's SKM answers, once: nine answers 1-4 (complaints.skm)."""
    if report.surveyed_at is not None:
        raise TransitionNotAllowed()
    answers = skm.valid_answers(params.get("answers") or [])
    if answers is None:
        raise InvalidAction(_("Jawab kesembilan pertanyaan survei, masing-masing 1 sampai 4."))
    SurveyResponse.objects.create(
        report=report,
        owner_agency_id=report.owner_agency_id,
        category_id=report.category_id,
        province_id=report.province_id,
        **dict(zip(skm.FIELDS, answers, strict=True)),
    )
    report.surveyed_at = step.now
    return {"skm": answers}


def info_objection(report: Report, params: dict, step: Step) -> dict:
    """The reporter's objection to the PPID's superior (UU 14/2008 art. 35-36), on a ground of
    art. 35(1). An answered request is opened again for the superior (in progress); its
    superior must answer within 30 working days (art. 36(2))."""
    if not information.may_object(report, step.now):
        raise InvalidAction(
            _(
                "Keberatan dapat diajukan sekali, untuk permintaan informasi yang tidak "
                "ditanggapi dalam batas waktu, atau dalam 30 hari kerja setelah jawabannya."
            )
        )
    ground = params.get("ground")
    if ground not in information.GROUNDS:
        raise InvalidAction(_("Pilih alasan keberatan (UU 14/2008 Pasal 35 ayat 1)."))
    if report.status in information.ANSWERED:
        step.redirect(Status.IN_PROGRESS)
        report.dispute_due, report.closed_at = None, None
    report.objection_at = step.now
    report.objection_due = _due(report, deadlines.Stage.OBJECTION, step)
    return {"ground": ground}


def objection_answer(report: Report, params: dict, step: Step) -> dict:
    """The PPID's superior answers the objection in writing (art. 36(2)-(3)); the reporter may
    take it to the Komisi Informasi within 14 working days (art. 37(2))."""
    if not information.objection_pending(report):
        raise InvalidAction(_("Tidak ada keberatan yang menunggu tanggapan."))
    report.objection_answered_at = step.now
    report.commission_by = _due(report, deadlines.Stage.COMMISSION, step)
    return {}


def info_to_commission(report: Report, params: dict, step: Step) -> dict:
    """The reporter records that they took the dispute to the Komisi Informasi (art. 37)."""
    if not information.may_go_to_commission(report, step.now):
        raise InvalidAction(
            _(
                "Sengketa ke Komisi Informasi diajukan setelah tanggapan atasan PPID, paling "
                "lambat 14 hari kerja sejak tanggapan itu diterima."
            )
        )
    report.commission_at = step.now
    return {"commission": str(information.commission_for(report)["name"])}


def mark_overdue(report: Report, params: dict, step: Step) -> dict:
    if report.overdue_at is not None:
        raise TransitionNotAllowed()  # already marked: a second sweep changes nothing
    report.overdue_at = step.now
    return {"stage": params.get("stage", "")}


def mark_verify_overdue(report: Report, params: dict, step: Step) -> dict:
    if report.verify_overdue_at is not None:
        raise TransitionNotAllowed()  # already marked: a second sweep changes nothing
    report.verify_overdue_at = step.now
    return {"verifier": "agency" if deadlines.verified_by_agency(report) else "triage"}


def escalate(report: Report, params: dict, step: Step) -> dict:
    if report.escalated_at is not None:
        raise TransitionNotAllowed()
    # An information request goes to the PPID's superior and the Komisi Informasi (UU 14/2008,
    # complaints.information), not to the Ombudsman's view.
    report.escalated_at = step.now
    report.ombudsman_visible = report.ombudsman_visible or not information.is_request(report)
    report.overdue_at = report.overdue_at or step.now
    return {"level": escalation_level(report)}


def claim(report: Report, params: dict, step: Step) -> dict:
    report.reporter = params["user"]
    return {}


def ombudsman_consent(report: Report, params: dict, step: Step) -> dict:
    if not ombudsman_eligible(report, step.now):
        raise InvalidAction(
            _(
                "Laporan dapat diteruskan ke Ombudsman bila instansi terlambat atau "
                "tanggapannya Anda sanggah, paling lama 2 tahun sejak kejadian."
            )
        )
    report.ombudsman_consent, report.ombudsman_visible = True, True
    report.ombudsman_share_identity = bool(params.get("share_identity"))
    return {"share_identity": report.ombudsman_share_identity}


def rating(report: Report, params: dict) -> dict:
    """Any action may carry the reporter's rating (accept with a rating, rate)."""
    if params.get("rating") is None:
        return {}
    value = int(params["rating"])
    if not 1 <= value <= 5:
        raise InvalidAction(_("Nilai harus 1 sampai 5."))
    report.rating = value
    return {"rating": value}


def reissue_key(report: Report, params: dict, step: Step) -> dict:
    """A new reporter's key (services.report_key_reissue): the old one stops working. The
    event records the channel the new link goes by (notifications), never the key."""
    report.reporter_secret = new_reporter_secret()
    report.reporter_secret_at = step.now
    return {"key_via": params.get("via", "")}
