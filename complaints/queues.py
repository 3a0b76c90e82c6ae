"""The staff queues: national triage and the agency inbox. Each returns a queryset that already
carries its joins, so a page of it costs the same few queries at any size."""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from agencies.scope import scope_for

from .models import AGENCY_STATUSES, Report, Status
from .permissions import reports_visible_to

TRIAGE_Q = Q(status=Status.SUBMITTED) | Q(status=Status.VERIFIED, agency__isnull=True)


def triage_queue(*, now=None) -> QuerySet:
    """Reports waiting for a national decision: new ones to verify, verified ones no rule could
    route, ones an agency returned, transfer loops. Overdue first, then oldest first."""
    now = now or timezone.now()
    return (
        Report.objects.filter(TRIAGE_Q)
        .select_related("category", "province", "regency")
        .annotate(
            late=Case(
                When(verify_due__lt=now, status=Status.SUBMITTED, then=Value(0)),
                When(needs_triage_decision=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("late", "created_at", "pk")
    )


def triage_counts() -> dict:
    return Report.objects.filter(TRIAGE_Q | Q(status=Status.NEEDS_INFO)).aggregate(
        submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
        unrouted=Count("pk", filter=Q(status=Status.VERIFIED, agency__isnull=True)),
        needs_info=Count("pk", filter=Q(status=Status.NEEDS_INFO)),
    )


def inbox_for(user) -> QuerySet:
    """The reports a staff member works or reads in the workspace: for officers, those held by
    their agency or unit and the units below it; for supervisors and observers, what they may
    read. Newest first."""
    scope = scope_for(user)
    if scope.officer_paths and not scope.national_admin:
        qs = Report.objects.within_agency_paths(scope.officer_paths)
    else:
        qs = reports_visible_to(user).filter(agency__isnull=False)
    return qs.select_related("category", "province", "regency", "agency", "assigned_to").order_by(
        "-created_at", "-pk"
    )


def status_counts(qs: QuerySet) -> dict[str, int]:
    """Counts per status of the inbox (one grouped query)."""
    rows = qs.order_by().values("status").annotate(n=Count("pk"))
    counts = {s: 0 for s in AGENCY_STATUSES}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts
