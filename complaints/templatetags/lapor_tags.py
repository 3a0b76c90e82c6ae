from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import forms as lapor_forms
from ..workdays import Calendar

register = template.Library()


@register.simple_tag(takes_context=True)
def due_label(context, due, done=None):
    """ "3 hari kerja lagi" / "terlambat 2 hari kerja" / "" (no clock, or done).

    One working-day calendar per page render: the admin's extra days off are read once."""
    if not due or done:
        return ""
    calendar = context.render_context.get("lapor_calendar")
    if calendar is None:
        calendar = context.render_context["lapor_calendar"] = Calendar()
    days = calendar.working_days_between(timezone.now(), due)
    if due < timezone.now():
        late = max(1, -days)
        return ngettext("terlambat %(n)s hari kerja", "terlambat %(n)s hari kerja", late) % {
            "n": late
        }
    if days == 0:
        return _("jatuh tempo hari ini")
    return ngettext("%(n)s hari kerja lagi", "%(n)s hari kerja lagi", days) % {"n": days}


@register.filter
def is_late(due):
    return bool(due) and due < timezone.now()


@register.filter
def status_label(code: str) -> str:
    """The reader's word for a status code (``in_progress`` -> "Ditindaklanjuti")."""
    from ..models import Status

    try:
        return Status(code).label
    except ValueError:
        return code


@register.simple_tag
def event_note(event, view) -> str:
    """The text of a timeline event that this page's audience may read (complaints.audiences):
    "" where only the date and status show."""
    return view.note(event)


@register.inclusion_tag("complaints/partials/next_answer.html")
def next_answer(report):
    """What the reporter waits for next and by when (complaints.deadlines.next_answer), as a
    sentence with the date in the report's region's time zone; nothing when nothing is due."""
    from .. import deadlines

    step = deadlines.next_answer(report)
    return {"step": step, "sentence": deadlines.sentence(step) if step else ""}


@register.simple_tag
def filed_at(report) -> str:
    """When the report was filed, in its region's time zone: "Rabu, 2 Desember 2026 08.15 WIB"."""
    from ..workdays import zone_for, zone_name

    zone = zone_for(report.province_id)
    local = report.created_at.astimezone(zone)
    return f"{formats.date_format(local, 'l, j F Y H.i')} {zone_name(zone)}"


@register.simple_tag
def field_html(field) -> str:
    """A form field through includes/field.html, a select from a per-process memo
    (complaints.forms.field_html)."""
    return lapor_forms.field_html(field)
