"""Keeps the summary rows and the staff activity marks up to date as reports change. Runs
inside the transaction of the change (complaints.signals.event_recorded)."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from agencies.models import User
from complaints import workflow

from . import satisfaction, warnings
from .facts import record_change

ACTIVITY_RESOLUTION = dt.timedelta(hours=1)


def on_report_event(sender, event, report, before=None, **kwargs) -> None:
    record_change(before=before, after=report)
    warnings.record_change(before=before, after=report)
    satisfaction.record(event, report)
    if event.actor_id and workflow.ACTIONS[event.action].staff_activity:
        _mark_active(event.actor_id)


def _mark_active(user_id: int) -> None:
    """Staff activity for the keaktifan indicator: at most one UPDATE per user per hour."""
    now = timezone.now()
    User.objects.filter(
        Q(last_active_at__isnull=True) | Q(last_active_at__lt=now - ACTIVITY_RESOLUTION),
        pk=user_id,
    ).update(last_active_at=now)
