from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..workdays import Calendar

register = template.Library()


@register.simple_tag
def due_label(due, done=None):
    """ "3 hari kerja lagi" / "terlambat 2 hari kerja" / "" (no clock, or done)."""
    if not due or done:
        return ""
    days = Calendar().working_days_between(timezone.now(), due)
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
