"""An information request's own path after its answer, from UU 14/2008 on Keterbukaan
Informasi Publik, instead of the complaint's hand-over to the Ombudsman:

1. objection (keberatan) in writing to the superior of the PPID (atasan PPID), on one of the
   grounds of art. 35(1), within 30 working days of finding that ground (art. 36(1));
2. the superior answers in writing within 30 working days (art. 36(2));
3. if the answer does not satisfy the applicant, a dispute (sengketa informasi) goes to the
   Komisi Informasi within 14 working days of receiving it (art. 37(1)-(2)): the Komisi
   Informasi Pusat for a central public body, the province's Komisi Informasi for a provincial
   or regency/city body (a Komisi Informasi kabupaten/kota exists only where one was formed,
   art. 24). LAPOR cannot file there; it points to it and records that the reporter did.

Read from the report alone (no query) so that a page offers only what the status machine
would accept; complaints.effects checks again."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Role

from . import deadlines
from .models import Kind, Status

# UU 14/2008 art. 35(1) a-g.
GROUNDS = {
    "a": _("Permintaan informasi ditolak dengan alasan pengecualian (Pasal 17)"),
    "b": _("Informasi berkala tidak disediakan (Pasal 9)"),
    "c": _("Permintaan informasi tidak ditanggapi"),
    "d": _("Permintaan informasi ditanggapi tidak sebagaimana yang diminta"),
    "e": _("Permintaan informasi tidak dipenuhi"),
    "f": _("Biaya yang dikenakan tidak wajar"),
    "g": _("Informasi disampaikan melebihi waktu yang diatur"),
}
ANSWERED = (Status.RESOLVED, Status.CLOSED)
KI_PUSAT_URL = "https://komisiinformasi.go.id/"


def is_request(report) -> bool:
    return report.kind == Kind.INFORMATION_REQUEST


def unanswered_past_limit(report, now: dt.datetime) -> bool:
    """Grounds c and g: no answer by the limit (the agency holds it past a clock)."""
    return report.status in deadlines.OVERDUE_STATUSES and (
        deadlines.is_overdue(report)
        or (report.resolution_due is not None and now > report.resolution_due)
    )


def may_object(report, now: dt.datetime | None = None) -> bool:
    """May the reporter object to the PPID's superior now? Once; after the answer within its
    30 working days, or while the request is held unanswered past its limit."""
    now = now or timezone.now()
    if not is_request(report) or report.objection_at is not None:
        return False
    if report.status in ANSWERED:
        return report.objection_by is not None and now <= report.objection_by
    return unanswered_past_limit(report, now)


def objection_pending(report) -> bool:
    return report.objection_at is not None and report.objection_answered_at is None


def may_go_to_commission(report, now: dt.datetime | None = None) -> bool:
    """May the reporter take the dispute to the Komisi Informasi now? After the superior's
    answer, within 14 working days (art. 37(2)); or once the superior's 30 working days passed
    without an answer (no answer is no satisfying answer)."""
    now = now or timezone.now()
    if not is_request(report) or report.objection_at is None or report.commission_at:
        return False
    if report.objection_answered_at is not None:
        return report.commission_by is not None and now <= report.commission_by
    return report.objection_due is not None and now > report.objection_due


def commission_for(report) -> dict:
    """The Komisi Informasi that settles a dispute with the agency holding the report
    (art. 37(1)): {"name", "url"}; the url is the Komisi Informasi Pusat's site, which lists
    the provinces' commissions."""
    agency = report.owner_agency or report.agency
    level = getattr(agency, "level", "national")
    if level == "national" or agency is None or agency.province_id is None:
        return {"name": _("Komisi Informasi Pusat"), "url": KI_PUSAT_URL}
    return {
        "name": _("Komisi Informasi Provinsi %(province)s") % {"province": agency.province.name},
        "url": KI_PUSAT_URL,
    }


def objection_answerer(report) -> dict | None:
    """Who answers the pending objection (UU 14/2008 Pasal 36): the atasan PPID the agency
    recorded (agencies.services.ppid_superior_record), or, while it has recorded none, its
    admins, which the page says. None when no objection waits. One query."""
    if not objection_pending(report):
        return None
    recorded = Role.objects.ppid_superiors(report.owner_agency_id).select_related("user")
    names = [r.user.display_name for r in recorded]
    return {"recorded": bool(names), "names": names}
