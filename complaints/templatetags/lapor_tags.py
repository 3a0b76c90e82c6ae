from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
