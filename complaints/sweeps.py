"""The deadline sweep: what the clock does to reports. Idempotent and safe to run on two
workers at once: each step selects the reports that still need it, then acts through the status
machine under a row lock, where the step checks again (a report already marked is refused), so
each report is marked, escalated, closed or rejected once, with one event and one notice."""

import logging

from django.utils import timezone

from .deadlines import past_limit_q
from .errors import DomainError
from .models import Report, Status
from .services import report_transition, staged_uploads_expire
from .staging import TTL as STAGED_TTL

log = logging.getLogger(__name__)

BATCH = 1000


def _each(qs, action: str, **params) -> int:
    done = 0
    for report_id in list(qs.order_by("pk").values_list("pk", flat=True)[:BATCH]):
        try:
            report_transition(report_id=report_id, action=action, system=True, **params)
            done += 1
        except DomainError:
            # Another sweep or a person got there first: nothing left to do for this one.
            continue
    return done


def run_deadline_sweep(now=None) -> dict:
    now = now or timezone.now()
    working = [Status.DISPATCHED, Status.IN_PROGRESS]
    return {
        # Either clock marks a report overdue (one definition: complaints.deadlines).
        "overdue": sum(
            _each(Report.objects.filter(past_limit_q(now, stage)), "mark_overdue", stage=stage)
            for stage in ("first_response", "resolution")
        ),
        "escalated": _each(
            Report.objects.filter(
                status__in=working, resolution_due__lt=now, escalated_at__isnull=True
            ),
            "escalate",
        ),
        "auto_closed": _each(
            Report.objects.filter(status=Status.RESOLVED, dispute_due__lt=now), "auto_close"
        ),
        "expired_info": _each(
            Report.objects.filter(status=Status.NEEDS_INFO, info_due__lt=now), "expire_info"
        ),
        # Files chosen on a form never sent: kept a day for the citizen to come back.
        "staged_expired": staged_uploads_expire(older_than=STAGED_TTL),
    }
