"""The status machine as data: which action moves a report from which statuses to which, who
may take it, what it changes, who reads its event and who hears of it.
``services.report_transition`` is the one function that applies it.

Adding an action is one row here and one effect function in ``effects.py``; the columns are
read by every door and every listener (e-mail and SMS in ``notifications``, the agency's
webhooks, the summaries and activity marks of ``monitoring``, the reporter's page), so no list
of action names is kept anywhere else. ``tests/complaints/test_action_table.py`` fails when a
row lacks a column or a listener keeps its own list."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import effects as fx
from .models import OPEN_STATUSES, Status

S = Status

# Who takes an action: national triage, the agency holding the report, the reporter, or LAPOR
# itself (a scheduled task). The check of a particular user is complaints.permissions.can.
TRIAGE, AGENCY, REPORTER, SYSTEM, STAFF = "triage", "agency", "reporter", "system", "staff"

# Staff told of an event (``Action.staff``): the officers and admins of the agency that now
# holds the report (a new item in their queue), the agency's admins, or the admins and the
# supervising level (province or national).
QUEUE, ADMINS, SUPERVISORS = "queue", "admins", "supervisors"
# ... or those who must verify a report: the national administrators, and the admins of the
# agency the report names (it may verify the report itself).
VERIFIERS = "verifiers"
# ... or the PPID's superior (atasan PPID): the admins of the agency holding an information
# request, told of an objection (UU 14/2008 art. 35).
SUPERIOR = "superior"

# What an SMS to the reporter says (``Action.sms``): the report's new status, or that and the
# event's note (the agency's answer or question, which is what the citizen needs to read).
STATUS, NOTE = "status", "note"


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the status stays (an event on the report, no move)
    actor: str
    public: bool  # the event is on the public timeline (else internal: staff only)
    label: object
    needs_note: bool = False
    effect: Callable = fx.nothing  # what it changes on the report (complaints.effects)
    detours: frozenset[str] = frozenset()  # other statuses the effect may land the report in
    citizen: bool = False  # the reporter is told by e-mail (a public event only)
    sms: str = (
        ""  # ... and by SMS where they gave a phone: STATUS (the new status) or NOTE (and the note)
    )
    staff: str = ""  # QUEUE, ADMINS or SUPERVISORS: staff told of it
    webhook: str | None = None  # event name for the holding agency's system; None: not sent

    @property
    def staff_activity(self) -> bool:
        """Counts as a staff member acting (the keaktifan indicator)."""
        return self.actor in (TRIAGE, AGENCY, STAFF)


def _a(name, sources, target, actor, public, label, needs_note=False, **columns) -> Action:
    detours = frozenset(columns.pop("detours", ()))
    if columns.get("citizen") and not columns.get("sms"):
        columns["sms"] = STATUS  # whoever is told by e-mail is told by SMS too

    return Action(
        name,
        frozenset(sources),
        target,
        actor,
        public,
        label,
        needs_note,
        detours=detours,
        **columns,
    )


_WORKING = (S.DISPATCHED, S.IN_PROGRESS)
_ALL = tuple(S.values)
_TOLD = {"citizen": True, "sms": STATUS}  # e-mail and an SMS with the new status
_ANSWER = {"citizen": True, "sms": NOTE}  # e-mail and an SMS with the answer or question

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        # Filing itself (report_submit): no source status, the first event of every report.
        _a("submit", [], S.SUBMITTED, REPORTER, True, _("Laporan diterima"), citizen=True),
        _a("verify", [S.SUBMITTED], S.VERIFIED, TRIAGE, True, _("Diverifikasi"), effect=fx.verify),
        # SP4N-LAPOR!'s Admin Instansi verifies a report addressed to its own agency
        # (complaints.permissions.addressed_to; services.report_verify_by_agency).
        _a(
            "agency_verify",
            [S.SUBMITTED],
            S.VERIFIED,
            AGENCY,
            True,
            _("Diverifikasi oleh instansi yang dituju"),
            effect=fx.verify,
        ),
        _a(
            "request_info",
            [S.SUBMITTED],
            S.NEEDS_INFO,
            TRIAGE,
            True,
            _("Pelapor diminta melengkapi"),
            needs_note=True,
            effect=fx.request_info,
            **_ANSWER,
        ),
        _a(
            "provide_info",
            [S.NEEDS_INFO],
            S.SUBMITTED,
            REPORTER,
            True,
            _("Pelapor melengkapi laporan"),
            needs_note=True,
            effect=fx.provide_info,
            webhook="citizen_reply",
        ),
        _a(
            "expire_info",
            [S.NEEDS_INFO],
            S.ARCHIVED,
            SYSTEM,
            True,
            _("Diarsipkan: tidak dilengkapi pelapor dalam batas waktu"),
            citizen=True,
        ),
        _a(
            "reject",
            [S.SUBMITTED, S.VERIFIED],
            S.REJECTED,
            TRIAGE,
            True,
            _("Ditolak"),
            needs_note=True,
            **_ANSWER,
        ),
        _a(
            "merge",
            [S.SUBMITTED, S.VERIFIED],
            S.MERGED,
            TRIAGE,
            True,
            _("Digabungkan ke laporan lain"),
            effect=fx.merge,
            citizen=True,
        ),
        _a(
            "dispatch",
            [S.VERIFIED],
            S.DISPATCHED,
            TRIAGE,
            True,
            _("Didisposisikan"),
            effect=fx.dispatch,
            staff=QUEUE,
            webhook="dispatched",
            **_TOLD,
        ),
        # Undoing a merge (a national admin): the report goes back to the status and agency it
        # had before the merge, read from the merge's audit event.
        _a(
            "unmerge",
            [S.MERGED],
            None,
            TRIAGE,
            True,
            _("Penggabungan dibatalkan"),
            needs_note=True,
            effect=fx.unmerge,
            detours=[S.SUBMITTED, S.VERIFIED],  # the statuses a merge starts from
            citizen=True,
        ),
        _a(
            "respond",
            [S.DISPATCHED],
            S.IN_PROGRESS,
            AGENCY,
            True,
            _("Tanggapan pertama"),
            needs_note=True,
            effect=fx.respond,
            webhook="responded",
            **_ANSWER,
        ),
        _a(
            "progress",
            [S.IN_PROGRESS],
            None,
            AGENCY,
            True,
            _("Perkembangan tindak lanjut"),
            needs_note=True,
            webhook="progress",
            **_ANSWER,
        ),
        _a(
            "resolve",
            [S.IN_PROGRESS],
            S.RESOLVED,
            AGENCY,
            True,
            _("Selesai ditanggapi"),
            needs_note=True,
            effect=fx.resolve,
            webhook="resolved",
            **_ANSWER,
        ),
        _a(
            "extend",
            _WORKING,
            None,
            AGENCY,
            True,
            _("Batas waktu diperpanjang"),
            needs_note=True,
            effect=fx.extend,
            citizen=True,
            webhook="extend",
        ),
        _a(
            "transfer",
            _WORKING,
            S.DISPATCHED,
            AGENCY,
            True,
            _("Dialihkan ke instansi lain"),
            needs_note=True,
            effect=fx.transfer,
            # A transfer that loops back, or one move too many, lands in national triage.
            detours=[S.VERIFIED],
            staff=QUEUE,
            webhook="transferred_in",
            **_TOLD,
        ),
        _a(
            "return_to_triage",
            _WORKING,
            S.VERIFIED,
            AGENCY,
            True,
            _("Dikembalikan ke triase: bukan wewenang"),
            needs_note=True,
            effect=fx.return_to_triage,
            webhook="returned_to_triage",
        ),
        _a(
            "assign_unit",
            _WORKING,
            None,
            AGENCY,
            True,
            _("Diteruskan ke unit kerja"),
            effect=fx.assign_unit,
            staff=QUEUE,
            webhook="assigned_to_unit",
        ),
        _a(
            "assign",
            _WORKING,
            None,
            AGENCY,
            False,
            _("Ditugaskan ke petugas"),
            effect=fx.assign,
            webhook="assign",
        ),
        _a(
            "ask_info",
            _WORKING,
            None,
            AGENCY,
            True,
            _("Instansi meminta keterangan"),
            needs_note=True,
            webhook="ask_info",
            **_ANSWER,
        ),
        _a(
            "note",
            _ALL,
            None,
            STAFF,
            False,
            _("Catatan internal"),
            needs_note=True,
            webhook="note",
        ),
        # Files added by the agency's own system (API); internal unless the caller says public.
        _a("attach", _ALL, None, STAFF, False, _("Lampiran ditambahkan")),
        _a("tag", _ALL, None, STAFF, False, _("Tag diubah"), effect=fx.tag),
        _a(
            "recategorize",
            (S.SUBMITTED, S.NEEDS_INFO, S.VERIFIED, *_WORKING),
            None,
            STAFF,
            False,
            _("Kategori atau jenis laporan diubah"),
            effect=fx.recategorize,
        ),
        _a(
            "reply",
            (*OPEN_STATUSES, S.RESOLVED),
            None,
            REPORTER,
            True,
            _("Balasan pelapor"),
            needs_note=True,
            webhook="citizen_reply",
        ),
        _a(
            "accept",
            [S.RESOLVED],
            S.CLOSED,
            REPORTER,
            True,
            _("Diterima pelapor"),
            effect=fx.close,
            webhook="accepted",
        ),
        _a(
            "dispute",
            [S.RESOLVED],
            S.IN_PROGRESS,
            REPORTER,
            True,
            _("Disanggah pelapor: dibuka kembali"),
            needs_note=True,
            effect=fx.dispute,
            webhook="disputed",
        ),
        # "Sudah beres?" (complaints.sweeps.ask_followups; FixMyStreet's questionnaire): the
        # reporter's answer to the one question asked some working weeks after a resolution.
        # "Yes" is recorded; "no" reopens the report: "dispute" while it is resolved,
        # "reopen" (the same effect, counted as a reopening) once it closed. Only with the
        # open question (services.followup_answer), never from a page alone.
        _a(
            "followup_fixed",
            [S.RESOLVED, S.CLOSED],
            None,
            REPORTER,
            True,
            _("Pelapor: sudah beres"),
            effect=fx.followup_fixed,
            webhook="followup_fixed",
        ),
        _a(
            "reopen",
            [S.CLOSED],
            S.IN_PROGRESS,
            REPORTER,
            True,
            _("Belum beres menurut pelapor: dibuka kembali"),
            needs_note=True,
            effect=fx.reopen,
            webhook="disputed",
        ),
        _a(
            "rate",
            [S.RESOLVED, S.CLOSED],
            None,
            REPORTER,
            True,
            _("Penilaian pelapor"),
            effect=fx.rate,
            webhook="rate",
        ),
        # The public service survey (SKM, PermenPANRB 14/2017; complaints.skm), once, after
        # the report closed; the star rating ("rate", "accept") stays beside it.
        _a(
            "survey",
            [S.CLOSED],
            None,
            REPORTER,
            True,
            _("Pelapor mengisi survei kepuasan masyarakat"),
            effect=fx.survey,
            webhook="survey",
        ),
        _a(
            "auto_close",
            [S.RESOLVED],
            S.CLOSED,
            SYSTEM,
            True,
            _("Ditutup otomatis: masa sanggah berakhir"),
            effect=fx.close,
            citizen=True,
            webhook="closed",
        ),
        # An information request's own path (UU 14/2008; complaints.information): objection
        # to the PPID's superior, its written answer, then the dispute to the Komisi
        # Informasi, which the reporter records (LAPOR points to it; it cannot file there).
        _a(
            "info_objection",
            (*_WORKING, S.RESOLVED, S.CLOSED),
            None,
            REPORTER,
            True,
            _("Keberatan kepada atasan PPID"),
            needs_note=True,
            effect=fx.info_objection,
            detours=[S.IN_PROGRESS],  # an answered request is opened again for the superior
            staff=SUPERIOR,
            webhook="info_objection",
        ),
        _a(
            "objection_answer",
            _WORKING,
            None,
            AGENCY,
            True,
            _("Tanggapan atasan PPID atas keberatan"),
            needs_note=True,
            effect=fx.objection_answer,
            webhook="objection_answer",
            **_ANSWER,
        ),
        _a(
            "info_to_commission",
            (*_WORKING, S.RESOLVED, S.CLOSED),
            None,
            REPORTER,
            True,
            _("Pelapor mengajukan sengketa ke Komisi Informasi"),
            effect=fx.info_to_commission,
            staff=SUPERIOR,
            webhook="info_to_commission",
        ),
        _a(
            "mark_overdue",
            _ALL,
            None,
            SYSTEM,
            False,
            _("Melewati batas waktu"),
            effect=fx.mark_overdue,
            staff=ADMINS,
            webhook="overdue",
        ),
        # The verification clock (complaints.deadlines.verify_past_limit_q): still unverified
        # at the end of its limit; national triage and the named agency's admins are told.
        _a(
            "mark_verify_overdue",
            [S.SUBMITTED],
            None,
            SYSTEM,
            False,
            _("Melewati batas verifikasi"),
            effect=fx.mark_verify_overdue,
            staff=VERIFIERS,
        ),
        _a(
            "escalate",
            _WORKING,
            None,
            SYSTEM,
            False,
            _("Dieskalasi ke tingkat pengawas"),
            effect=fx.escalate,
            staff=SUPERVISORS,
            webhook="escalated",
        ),
        _a(
            "claim",
            _ALL,
            None,
            SYSTEM,
            False,
            _("Dikaitkan ke akun pelapor"),
            effect=fx.claim,
        ),
        # A new key for a guest reporter, sent to the contact they filed with (the old one
        # stops working): services.report_key_reissue; notifications sends the link.
        _a(
            "reissue_key",
            _ALL,
            None,
            SYSTEM,
            False,
            _("Tautan pelapor diterbitkan ulang"),
            effect=fx.reissue_key,
        ),
        _a(
            "ombudsman_consent",
            _WORKING,
            None,
            REPORTER,
            True,
            _("Pelapor setuju diteruskan ke Ombudsman"),
            effect=fx.ombudsman_consent,
            webhook="ombudsman_consent",
        ),
    ]
}

# The allowed moves, derived from ACTIONS: status -> statuses it can move to.
ALLOWED: dict[str, set[str]] = {s: set() for s in S.values}
for _action in ACTIONS.values():
    for _to in (_action.target, *_action.detours):
        for _src in _action.sources if _to else ():
            ALLOWED[_src].add(_to)


def targets(action: Action) -> set[str]:
    """Where an action can move a report: its target and its declared detours (an undo's
    detours are the statuses the undone action starts from)."""
    return {t for t in (action.target, *action.detours) if t}


def allowed_actions(status: str) -> list[Action]:
    return [a for a in ACTIONS.values() if status in a.sources]


def taken_by(actor: str) -> frozenset[str]:
    """The names of the actions ``actor`` takes (e.g. what a reporter may post on their page)."""
    return frozenset(a.name for a in ACTIONS.values() if a.actor == actor and a.sources)


# Webhook event names an agency's system can subscribe to: each row's own, the one an agency
# that lost the report hears, and the one a client that filed it hears when it moves on
# (integrations.webhooks).
WEBHOOK_EVENTS = sorted(
    {a.webhook for a in ACTIONS.values() if a.webhook} | {"transferred_out", "transferred"}
)


def _extendable(report) -> bool:
    # UU 14/2008 Pasal 22 ayat (8): an information request's answer may be extended once, by
    # at most 7 working days; complaints and aspirations have no extension.
    return report.kind == "information_request" and not report.extended


# Conditions beyond status and actor, read from the report alone (no query), so that a page
# offers only what the status machine would accept. The service checks them again.
def _not_surveyed(report) -> bool:
    return report.surveyed_at is None


def _objection(report) -> bool:
    from .information import may_object

    return may_object(report)


def _commission(report) -> bool:
    from .information import may_go_to_commission

    return may_go_to_commission(report)


def _objection_pending(report) -> bool:
    from .information import objection_pending

    return objection_pending(report)


PRECONDITIONS = {
    "extend": _extendable,
    "survey": _not_surveyed,
    "info_objection": _objection,
    "info_to_commission": _commission,
    "objection_answer": _objection_pending,
}


def offered(action: Action, report) -> bool:
    check = PRECONDITIONS.get(action.name)
    return check is None or check(report)
