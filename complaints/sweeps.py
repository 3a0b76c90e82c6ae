"""The deadline sweep: what the clock does to reports. Idempotent and safe to run on two
workers at once: each step selects the reports that still need it, then acts through the status
machine under a row lock, where the step checks again (a report already marked is refused), so
each report is marked, escalated, closed or rejected once, with one event and one notice."""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .deadlines import past_limit_q, verify_past_limit_q
from .errors import DomainError
from .models import Report, Status
from .services import followup_ask, report_transition, staged_uploads_expire
from .staging import TTL as STAGED_TTL
from .workdays import Calendar, zone_for

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
        # The verification clock: national triage, or the agency the report names.
        "verify_overdue": _each(
            Report.objects.filter(verify_past_limit_q(now)), "mark_verify_overdue"
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


# A question more than this late is not asked (the first sweep after an upgrade must not ask
# about every resolution of past years).
FOLLOWUP_AT_MOST_LATE = dt.timedelta(weeks=4)


def ask_followups(now=None) -> int:
    """ "Sudah beres?": asks each reporter with a contact, once per resolution, when
    ``LAPOR_FOLLOWUP_WEEKS`` working weeks have passed since the agency resolved their report
    (counted in the report's region; 0 turns the question off). Returns how many were asked.
    Safe on two workers at once (services.followup_ask asks once under a row lock)."""
    weeks = settings.LAPOR_FOLLOWUP_WEEKS
    if weeks <= 0:
        return 0
    now = now or timezone.now()
    # Working weeks are never shorter than calendar weeks: these are the candidates.
    latest = now - dt.timedelta(weeks=weeks)
    candidates = (
        Report.objects.filter(
            status__in=[Status.RESOLVED, Status.CLOSED],
            resolved_at__lte=latest,
            resolved_at__gte=latest - FOLLOWUP_AT_MOST_LATE,
        )
        .exclude(reporter_email="", reporter_phone="")
        .exclude(followups__resolved_at=F("resolved_at"))
        .order_by("pk")
        .values_list("pk", "resolved_at", "province_id")[:BATCH]
    )
    calendar, asked = Calendar(), 0
    for report_id, resolved_at, province in candidates:
        if calendar.add_working_days(resolved_at, 5 * weeks, zone_for(province)) < now:
            asked += followup_ask(report_id=report_id) is not None
    return asked
