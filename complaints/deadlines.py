"""Time limits: configuration in ``TimeLimit`` rows, defaults as SP4N-LAPOR! publishes them."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.memo import Memo

from .models import Kind, Status, TimeLimit
from .workdays import Calendar, zone_for, zone_name

Stage = TimeLimit.Stage
Unit = TimeLimit.Unit

# Used only when no row of the table matches (the reference command writes these as rows).
DEFAULTS: dict[tuple[str, str], tuple[int, str]] = {
    (Stage.VERIFY, ""): (3, Unit.WORKING_DAYS),
    (Stage.INFO, ""): (10, Unit.WORKING_DAYS),
    (Stage.FIRST_RESPONSE, ""): (5, Unit.WORKING_DAYS),
    (Stage.RESOLUTION, Kind.COMPLAINT): (60, Unit.CALENDAR_DAYS),
    (Stage.RESOLUTION, Kind.ASPIRATION): (60, Unit.CALENDAR_DAYS),
    (Stage.RESOLUTION, Kind.INFORMATION_REQUEST): (10, Unit.WORKING_DAYS),
    (Stage.EXTENSION, Kind.INFORMATION_REQUEST): (7, Unit.WORKING_DAYS),
    (Stage.DISPUTE, ""): (10, Unit.WORKING_DAYS),
    # UU 14/2008 art. 36(1), 36(2) and 37(2): fixed by law, for information requests only.
    (Stage.OBJECTION_WINDOW, Kind.INFORMATION_REQUEST): (30, Unit.WORKING_DAYS),
    (Stage.OBJECTION, Kind.INFORMATION_REQUEST): (30, Unit.WORKING_DAYS),
    (Stage.COMMISSION, Kind.INFORMATION_REQUEST): (14, Unit.WORKING_DAYS),
}


def _all_limits() -> list[TimeLimit]:
    return list(TimeLimit.objects.all())


LIMITS = Memo(_all_limits).clear_on_change(TimeLimit)


def limit_for(
    *, stage: str, kind: str, agency_id: int | None = None, category_id: int | None = None
) -> tuple[int, str]:
    """The (amount, unit) in force: agency+category, agency, category, kind, any kind.

    Reads the (small) table once a minute per process, not once per report."""
    rows = [
        r
        for r in LIMITS.get()
        if r.stage == stage
        and r.kind in ("", kind)
        and r.agency_id in (None, agency_id)
        and r.category_id in (None, category_id)
    ]
    if rows:
        best = max(
            rows,
            key=lambda r: (r.agency_id is not None, r.category_id is not None, r.kind != ""),
        )
        return best.amount, best.unit
    return DEFAULTS.get((stage, kind)) or DEFAULTS.get((stage, ""), (5, Unit.WORKING_DAYS))


def due(
    *,
    stage: str,
    kind: str,
    start: dt.datetime,
    agency_id: int | None = None,
    category_id: int | None = None,
    calendar: Calendar | None = None,
    province_id: str | None = None,
) -> dt.datetime:
    """The end of the last day of the limit, in the time zone of the report's province."""
    amount, unit = limit_for(stage=stage, kind=kind, agency_id=agency_id, category_id=category_id)
    calendar = calendar or Calendar()
    tz = zone_for(province_id)
    if unit == Unit.CALENDAR_DAYS:
        return calendar.add_calendar_days(start, amount, tz)
    return calendar.add_working_days(start, amount, tz)


def seed_defaults() -> int:
    """Writes the defaults as rows an admin can edit; returns how many were added."""
    added = 0
    for (stage, kind), (amount, unit) in DEFAULTS.items():
        _, created = TimeLimit.objects.get_or_create(
            stage=stage,
            kind=kind,
            agency=None,
            category=None,
            defaults={"amount": amount, "unit": unit},
        )
        added += created
    return added


# --- overdue: one definition ---------------------------------------------------------------
# A report is overdue (terlambat) while an agency holds it (dispatched or in progress) and it
# has passed a limit: no first response by ``response_due``, or not resolved by
# ``resolution_due``. The deadline sweep finds those reports (``past_limit_q``) and marks them
# (``overdue_at``, the "mark_overdue" action); the inbox filter, the dashboards' "Terlambat"
# and their on-time rate all read that mark, so they count the same reports. A report that
# was ever marked, or that was answered or resolved after its limit, is late (``is_late``): it
# is never on time, so "Tepat waktu 100 %" cannot stand beside a late report.
OVERDUE_STATUSES = (Status.DISPATCHED, Status.IN_PROGRESS)


def past_limit_q(now: dt.datetime, stage: str = "") -> Q:
    """Reports an agency holds past a limit and not yet marked overdue (the sweep's work):
    ``stage`` "first_response", "resolution", or either when empty."""
    late = {
        "first_response": Q(first_response_at__isnull=True, response_due__lt=now),
        "resolution": Q(resolution_due__lt=now),
    }
    clocks = [late[stage]] if stage else list(late.values())
    either = clocks[0] if len(clocks) == 1 else clocks[0] | clocks[1]
    return Q(status__in=OVERDUE_STATUSES, overdue_at__isnull=True) & either


def overdue_q() -> Q:
    """Reports overdue now: marked by the sweep and still held by an agency."""
    return Q(status__in=OVERDUE_STATUSES, overdue_at__isnull=False)


def is_overdue(report) -> bool:
    return report.overdue_at is not None and report.status in OVERDUE_STATUSES


def _after(moment, limit) -> bool:
    return moment is not None and limit is not None and moment > limit


def is_late(report) -> bool:
    """Missed a limit: marked overdue, or answered or resolved after the limit."""
    return (
        report.overdue_at is not None
        or _after(report.first_response_at, report.response_due)
        or _after(report.resolved_at, report.resolution_due)
    )


def is_on_time(report) -> bool:
    """Answered, and within every limit that has come due so far."""
    return report.first_response_at is not None and not is_late(report)


def late_q() -> Q:
    """``is_late`` as a query (the list behind a dashboard's "late" count)."""
    return (
        Q(overdue_at__isnull=False)
        | Q(first_response_at__gt=F("response_due"))
        | Q(resolved_at__gt=F("resolution_due"))
    )


def on_time_q() -> Q:
    """``is_on_time`` as a query, written without negation (NULL deadlines are not late)."""
    response_met = Q(response_due__isnull=True) | Q(first_response_at__lte=F("response_due"))
    resolution_met = (
        Q(resolved_at__isnull=True)
        | Q(resolution_due__isnull=True)
        | Q(resolved_at__lte=F("resolution_due"))
    )
    answered = Q(first_response_at__isnull=False, overdue_at__isnull=True)
    return answered & response_met & resolution_met


# --- the next step the reporter waits for: one definition -----------------------------------
# Read by the track page, the public page, the proof of filing and every message to the
# reporter (e-mail and SMS), so that each says the same date.
TRIAGE, RESPONSE, RESOLUTION, REPORTER, DISPUTE = (
    "triage",
    "response",
    "resolution",
    "reporter",
    "dispute",
)


@dataclass(frozen=True)
class NextAnswer:
    """Who acts next on a report and by when: ``waiting_for`` is TRIAGE (verification and
    dispatch), RESPONSE (the agency's first answer), RESOLUTION (its final answer),
    REPORTER (the information asked of them) or DISPUTE (the reporter's window to dispute
    the answer, after which the report closes)."""

    waiting_for: str
    due: dt.datetime
    zone: ZoneInfo

    @property
    def local(self) -> dt.datetime:
        """The deadline in the report's region's time zone (the end of its last day)."""
        return self.due.astimezone(self.zone)

    @property
    def day(self) -> dt.date:
        return self.local.date()

    @property
    def zone_name(self) -> str:
        return zone_name(self.zone)

    @property
    def passed(self) -> bool:
        return self.due < timezone.now()


def next_answer(report) -> NextAnswer | None:
    """The next step of ``report`` and its deadline, from the due dates its clocks fixed (no
    query); None when nothing more is expected (closed, rejected, merged, archived)."""
    status = report.status
    if status in (Status.SUBMITTED, Status.VERIFIED):
        pair = (TRIAGE, report.verify_due)
    elif status == Status.NEEDS_INFO:
        pair = (REPORTER, report.info_due)
    elif status == Status.DISPATCHED and report.first_response_at is None:
        pair = (RESPONSE, report.response_due)
    elif status in OVERDUE_STATUSES:
        pair = (RESOLUTION, report.resolution_due)
    elif status == Status.RESOLVED:
        pair = (DISPUTE, report.dispute_due)
    else:
        return None
    if pair[1] is None:
        return None
    return NextAnswer(pair[0], pair[1], zone_for(report.province_id))


def sentence(step: NextAnswer, *, short: bool = False) -> str:
    """The next step in words, in the active language: a full sentence for pages and e-mail,
    or a short one (``short``) for an SMS."""
    if short:
        when = f"{step.day:%d/%m/%Y} {step.zone_name}"
        text = {
            TRIAGE: _("Verifikasi paling lambat %(when)s."),
            RESPONSE: _("Tanggapan instansi paling lambat %(when)s."),
            RESOLUTION: _("Penyelesaian paling lambat %(when)s."),
            REPORTER: _("Lengkapi paling lambat %(when)s."),
            DISPUTE: _("Sanggah paling lambat %(when)s."),
        }[step.waiting_for]
        return text % {"when": when}
    when = f"{formats.date_format(step.day, 'l, j F Y')} ({step.zone_name})"
    text = {
        TRIAGE: _(
            "Laporan diverifikasi dan diteruskan ke instansi yang berwenang paling lambat %(when)s."
        ),
        RESPONSE: _("Tanggapan pertama instansi diharapkan paling lambat %(when)s."),
        RESOLUTION: _("Jawaban penyelesaian dari instansi diharapkan paling lambat %(when)s."),
        REPORTER: _(
            "Lengkapi laporan paling lambat %(when)s; tanpa kelengkapan, laporan diarsipkan."
        ),
        DISPUTE: _(
            "Belum selesai? Anda dapat menyanggah jawaban sampai %(when)s; setelah itu "
            "laporan ditutup."
        ),
    }[step.waiting_for]
    return text % {"when": when}


# --- the verification clock -----------------------------------------------------------------
# Verification by the national administrators (or by the agency a report names, SP4N-LAPOR!'s
# Admin Instansi): 3 working days from submission, the limit SP4N-LAPOR! publishes for the
# procedure set by Perpres 76/2013 (Pengelolaan Pengaduan Pelayanan Publik) and PermenPANRB
# 46/2020 (Peta Jalan SP4N-LAPOR!), see DESIGN.md, Time limits; the article was not checked
# here. It is the ``TimeLimit`` row "verify", which a national admin may change. A report
# still waiting for verification after ``verify_due`` is marked by the sweep
# (``verify_overdue_at``) and told to whoever must act.


def verify_past_limit_q(now: dt.datetime) -> Q:
    """Reports waiting for verification past their limit and not yet marked (the sweep's work)."""
    return Q(status=Status.SUBMITTED, verify_due__lt=now, verify_overdue_at__isnull=True)


def verify_overdue_q() -> Q:
    """Reports waiting for verification now, past their limit (marked by the sweep)."""
    return Q(status=Status.SUBMITTED, verify_overdue_at__isnull=False)


def verify_late_q() -> Q:
    """``is_verify_late`` as a query (the list behind a dashboard's count)."""
    return Q(verify_overdue_at__isnull=False) | Q(verified_at__gt=F("verify_due"))


def verify_on_time_q() -> Q:
    """``is_verified_on_time`` as a query, without negation (a NULL limit is not missed)."""
    met = Q(verify_due__isnull=True) | Q(verified_at__lte=F("verify_due"))
    return Q(verified_at__isnull=False, verify_overdue_at__isnull=True) & met


def is_verify_overdue(report) -> bool:
    return report.status == Status.SUBMITTED and report.verify_overdue_at is not None


def is_verify_late(report) -> bool:
    """Missed the verification limit: marked by the sweep, or verified after the limit."""
    return report.verify_overdue_at is not None or _after(report.verified_at, report.verify_due)


def is_verified_on_time(report) -> bool:
    return report.verified_at is not None and not is_verify_late(report)


def verified_by_agency(report) -> bool:
    """The report names an agency, which verifies it itself (complaints.permissions
    .addressed_to); the others wait for national triage."""
    return bool(report.requested_agency_id)
