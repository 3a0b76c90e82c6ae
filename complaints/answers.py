"""Answer templates for a report: the agency's shared ones and the officer's own, narrowed
to the report's category and status, with their placeholders filled from the report."""

from django.db.models import Q
from django.utils.translation import gettext as _

from .models import AnswerTemplate, Report, Status
from .permissions import can_see_identity

PLACEHOLDERS = ("{salam}", "{nomor}", "{batas}", "{instansi}")


def templates_for(report: Report, user) -> list[AnswerTemplate]:
    """Each template comes back with ``filled``: its body with the placeholders replaced."""
    if not report.owner_agency_id:
        return []
    rows = list(
        AnswerTemplate.objects.filter(agency_id=report.owner_agency_id, is_active=True)
        .filter(Q(owner__isnull=True) | Q(owner=user))
        .filter(Q(category__isnull=True) | Q(category_id=report.category_id))
        .filter(Q(status="") | Q(status=report.status))
        .order_by("title", "pk")
    )
    values = _values(report, user)
    for t in rows:
        t.filled = fill(t.body, values)
    return rows


def _values(report: Report, user) -> dict[str, str]:
    # An anonymous reporter is greeted without a name, whoever writes: the answer is public.
    name = report.reporter_name if can_see_identity(user, report) else ""
    if report.is_anonymous or not name:
        greeting = _("Yth. Pelapor")
    else:
        greeting = _("Yth. Bapak/Ibu %(name)s") % {"name": name}
    due = report.response_due if report.status == Status.DISPATCHED else report.resolution_due
    return {
        "{salam}": greeting,
        "{nomor}": report.tracking,
        "{batas}": due.strftime("%d-%m-%Y") if due else "",
        "{instansi}": report.agency.name if report.agency else "",
    }


def fill(body: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        body = body.replace(key, value)
    return body
