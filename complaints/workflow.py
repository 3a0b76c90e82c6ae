"""The status machine as data: which action moves a report from which statuses to which, and who
may take it. ``services.report_transition`` is the one function that applies it."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import OPEN_STATUSES, Status

S = Status

# Who takes an action: national triage, the agency holding the report, the reporter, or LAPOR
# itself (a scheduled task). The check of a particular user is complaints.permissions.can.
TRIAGE, AGENCY, REPORTER, SYSTEM, STAFF = "triage", "agency", "reporter", "system", "staff"


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the status stays (an event on the report, no move)
    actor: str
    public: bool
    label: object
    needs_note: bool = False
    undoes: str | None = None  # the action it undoes: back to the status that action left


def _a(name, sources, target, actor, public, label, needs_note=False, undoes=None) -> Action:
    return Action(name, frozenset(sources), target, actor, public, label, needs_note, undoes)


_WORKING = (S.DISPATCHED, S.IN_PROGRESS)
_ALL = tuple(S.values)

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        _a("verify", [S.SUBMITTED], S.VERIFIED, TRIAGE, True, _("Diverifikasi")),
        # SP4N-LAPOR!'s Admin Instansi verifies a report addressed to its own agency
        # (complaints.permissions.addressed_to; services.report_verify_by_agency).
        _a(
            "agency_verify",
            [S.SUBMITTED],
            S.VERIFIED,
            AGENCY,
            True,
            _("Diverifikasi oleh instansi yang dituju"),
        ),
        _a(
            "request_info",
            [S.SUBMITTED],
            S.NEEDS_INFO,
            TRIAGE,
            True,
            _("Pelapor diminta melengkapi"),
            needs_note=True,
        ),
        _a(
            "provide_info",
            [S.NEEDS_INFO],
            S.SUBMITTED,
            REPORTER,
            True,
            _("Pelapor melengkapi laporan"),
            needs_note=True,
        ),
        _a(
            "expire_info",
            [S.NEEDS_INFO],
            S.ARCHIVED,
            SYSTEM,
            True,
            _("Diarsipkan: tidak dilengkapi pelapor dalam batas waktu"),
        ),
        _a(
            "reject",
            [S.SUBMITTED, S.VERIFIED],
            S.REJECTED,
            TRIAGE,
            True,
            _("Ditolak"),
            needs_note=True,
        ),
        _a(
            "merge",
            [S.SUBMITTED, S.VERIFIED],
            S.MERGED,
            TRIAGE,
            True,
            _("Digabungkan ke laporan lain"),
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
            undoes="merge",
        ),
        _a("dispatch", [S.VERIFIED], S.DISPATCHED, TRIAGE, True, _("Didisposisikan")),
        _a(
            "respond",
            [S.DISPATCHED],
            S.IN_PROGRESS,
            AGENCY,
            True,
            _("Tanggapan pertama"),
            needs_note=True,
        ),
        _a(
            "progress",
            [S.IN_PROGRESS],
            None,
            AGENCY,
            True,
            _("Perkembangan tindak lanjut"),
            needs_note=True,
        ),
        _a(
            "resolve",
            [S.IN_PROGRESS],
            S.RESOLVED,
            AGENCY,
            True,
            _("Selesai ditanggapi"),
            needs_note=True,
        ),
        _a("extend", _WORKING, None, AGENCY, True, _("Batas waktu diperpanjang"), needs_note=True),
        _a(
            "transfer",
            _WORKING,
            S.DISPATCHED,
            AGENCY,
            True,
            _("Dialihkan ke instansi lain"),
            needs_note=True,
        ),
        _a(
            "return_to_triage",
            _WORKING,
            S.VERIFIED,
            AGENCY,
            True,
            _("Dikembalikan ke triase: bukan wewenang"),
            needs_note=True,
        ),
        _a("assign_unit", _WORKING, None, AGENCY, True, _("Diteruskan ke unit kerja")),
        _a("assign", _WORKING, None, AGENCY, False, _("Ditugaskan ke petugas")),
        _a(
            "ask_info",
            _WORKING,
            None,
            AGENCY,
            True,
            _("Instansi meminta keterangan"),
            needs_note=True,
        ),
        _a("note", _ALL, None, STAFF, False, _("Catatan internal"), needs_note=True),
        # Files added by the agency's own system (API); internal unless the caller says public.
        _a("attach", _ALL, None, STAFF, False, _("Lampiran ditambahkan")),
        _a("tag", _ALL, None, STAFF, False, _("Tag diubah")),
        _a(
            "recategorize",
            (S.SUBMITTED, S.NEEDS_INFO, S.VERIFIED, *_WORKING),
            None,
            STAFF,
            False,
            _("Kategori atau jenis laporan diubah"),
        ),
        _a(
            "reply",
            (*OPEN_STATUSES, S.RESOLVED),
            None,
            REPORTER,
            True,
            _("Balasan pelapor"),
            needs_note=True,
        ),
        _a("accept", [S.RESOLVED], S.CLOSED, REPORTER, True, _("Diterima pelapor")),
        _a(
            "dispute",
            [S.RESOLVED],
            S.IN_PROGRESS,
            REPORTER,
            True,
            _("Disanggah pelapor: dibuka kembali"),
            needs_note=True,
        ),
        _a("rate", [S.RESOLVED, S.CLOSED], None, REPORTER, True, _("Penilaian pelapor")),
        _a(
            "auto_close",
            [S.RESOLVED],
            S.CLOSED,
            SYSTEM,
            True,
            _("Ditutup otomatis: masa sanggah berakhir"),
        ),
        _a("mark_overdue", _ALL, None, SYSTEM, False, _("Melewati batas waktu")),
        _a("escalate", _WORKING, None, SYSTEM, False, _("Dieskalasi ke tingkat pengawas")),
        _a("claim", _ALL, None, SYSTEM, False, _("Dikaitkan ke akun pelapor")),
        _a(
            "ombudsman_consent",
            _WORKING,
            None,
            REPORTER,
            True,
            _("Pelapor setuju diteruskan ke Ombudsman"),
        ),
    ]
}

# The allowed moves, derived from ACTIONS: status -> statuses it can move to.
ALLOWED: dict[str, set[str]] = {s: set() for s in S.values}
for _action in ACTIONS.values():
    if _action.target:
        for _src in _action.sources:
            ALLOWED[_src].add(_action.target)


def targets(action: Action) -> set[str]:
    """Where an action can move a report: its target, or for an undo the statuses the undone
    action starts from (services._apply reads which one from the audit event)."""
    if action.undoes:
        return set(ACTIONS[action.undoes].sources)
    return {action.target} if action.target else set()


for _action in ACTIONS.values():
    if _action.undoes:
        for _src in _action.sources:
            ALLOWED[_src] |= targets(_action)


def allowed_actions(status: str) -> list[Action]:
    return [a for a in ACTIONS.values() if status in a.sources]


def _extendable(report) -> bool:
    # UU 14/2008 Pasal 22 ayat (8): an information request's answer may be extended once, by
    # at most 7 working days; complaints and aspirations have no extension.
    return report.kind == "information_request" and not report.extended


# Conditions beyond status and actor, read from the report alone (no query), so that a page
# offers only what the status machine would accept. The service checks them again.
PRECONDITIONS = {"extend": _extendable}


def offered(action: Action, report) -> bool:
    check = PRECONDITIONS.get(action.name)
    return check is None or check(report)
