"""The deadline sweep: what the clock does to reports. Idempotent: each step selects only
reports that still need it and acts through the status machine under a row lock, so two
sweeps at once (or one run twice) change each report once."""

import logging

from django.utils import timezone

from .errors import DomainError
from .models import Report, Status
from .services import report_transition

log = logging.getLogger(__name__)


def _each(qs, action: str, **params) -> int:
    done = 0
    for report_id in qs.values_list("pk", flat=True)[:1000]:
        try:
            report_transition(report_id=report_id, action=action, system=True, **params)
            done += 1
        except DomainError:
            # Another sweep or a person got there first: the status moved on. Nothing to do.
            continue
    return done


def run_deadline_sweep(now=None) -> dict:
    now = now or timezone.now()
    return {
        "auto_closed": _each(
            Report.objects.filter(status=Status.RESOLVED, dispute_due__lt=now), "auto_close"
        ),
        "expired_info": _each(
            Report.objects.filter(status=Status.NEEDS_INFO, info_due__lt=now), "expire_info"
        ),
        "overdue": _each(
            Report.objects.filter(
                status=Status.DISPATCHED, response_due__lt=now, overdue_at__isnull=True
            ),
            "mark_overdue",
            stage="first_response",
        ),
    }
