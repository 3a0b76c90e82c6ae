"""The staff queues: national triage and the agency inbox. Each returns a queryset that already
carries its joins, so a page of it costs the same few queries at any size."""

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.scope import scope_for

from .deadlines import overdue_q, verify_overdue_q
from .models import AGENCY_STATUSES, Report, Status, agency_due
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
        # Past the verification limit (the sweep's mark, complaints.deadlines).
        verify_overdue=Count("pk", filter=verify_overdue_q()),
    )


def inbox_for(user) -> QuerySet:
    """The reports a staff member works or reads in the workspace: for officers, those held by
    their agency or unit and the units below it; for supervisors and observers, what they may
    read. Newest first."""
    scope = scope_for(user)
    if scope.officer_paths and not scope.national_admin:
        # A top-level agency's officers see everything it owns: an equality on owner_agency,
        # which the (owner_agency, created_at) index serves in order. Units use the path.
        owners = [int(p[:-1]) for p in scope.officer_paths if p.count("/") == 1]
        units = [p for p in scope.officer_paths if p.count("/") > 1]
        q = Q(owner_agency_id__in=owners) if owners else Q(pk__in=[])
        for path in units:
            q |= Q(agency_path__startswith=path)
        qs = Report.objects.filter(q)
    else:
        qs = reports_visible_to(user).filter(agency__isnull=False)
    return qs.select_related("category", "province", "regency", "agency", "assigned_to").order_by(
        "-created_at", "-pk"
    )


COUNTS_TTL = 60  # seconds: the counts above the inbox may lag a minute, the list never does


def status_counts(qs: QuerySet, cache_key: str | None = None) -> dict[str, int]:
    """Counts per status of the inbox: one grouped query, kept in the cache for a minute under
    ``cache_key`` so that a busy agency's inbox does not count 100,000 rows on every click."""
    if cache_key:
        cached = cache.get(cache_key)
        if cached is not None:
            return cached
    # COUNT(*), not COUNT(id): the id is not in report_inbox (owner_agency, status, ...), so
    # counting it read every row of the agency from the table (53,000 at 1M reports: 430 ms)
    # where the index alone answers (11 ms, EXPLAIN).
    rows = qs.order_by().values("status").annotate(n=Count("*"))
    counts = {s: 0 for s in AGENCY_STATUSES}
    counts.update({r["status"]: r["n"] for r in rows})
    if cache_key:
        cache.set(cache_key, counts, COUNTS_TTL)
    return counts


def counts_key(user) -> str:
    scope = scope_for(user)
    if scope.officer_paths and not scope.national_admin:
        return "inbox-counts:" + ",".join(sorted(scope.officer_paths))
    return f"inbox-counts:user:{user.pk}"


def _open_load(condition: Q | None = None):
    """The open reports (dispatched or in progress) a user is assigned, meeting ``condition``:
    a subquery per user over the partial index report_assigned_open. A join counted every
    report the officer was ever assigned (at 1M reports 15,845 rows for two officers, 137 ms,
    growing with the archive)."""
    held = Report.objects.filter(
        assigned_to=OuterRef("pk"), status__in=[Status.DISPATCHED, Status.IN_PROGRESS]
    )
    if condition is not None:
        held = held.filter(condition)
    # COUNT(*): the id is not in the index (counting it visited each report: at 10M reports
    # 4,214 open reports per officer, 42 ms for an agency of two).
    counted = held.order_by().values("assigned_to").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted), 0)


def officer_loads(user, *, limit: int = 200) -> list:
    """For an agency admin: each officer and admin of the agencies and units they administer,
    with the open reports each holds (``open_load``) and how many of those are late
    (``late_load``: the one overdue definition, complaints.deadlines.overdue_q, as the inbox's
    overdue figure), busiest first. Both counted from report_assigned_open alone."""
    from agencies.models import Role, User

    scope = scope_for(user)
    if not scope.admin_paths:
        return []
    within = Q(pk__in=[])
    for path in scope.admin_paths:
        within |= Q(roles__agency__path__startswith=path)
    return list(
        User.objects.filter(
            within,
            roles__is_active=True,
            roles__kind__in=[Role.Kind.OFFICER, Role.Kind.AGENCY_ADMIN],
            is_service=False,
        )
        .distinct()
        .annotate(open_load=_open_load(), late_load=_open_load(overdue_q()))
        .order_by("-open_load", "full_name", "pk")[:limit]
    )


def with_return_reason(qs: QuerySet) -> QuerySet:
    """Adds who returned a report to triage and why (the latest return or looped transfer):
    ``returned_from`` (agency), ``returned_by`` (officer) and ``returned_why`` (their note)."""
    from django.db.models import OuterRef, Subquery

    from .models import ReportEvent

    last = ReportEvent.objects.filter(
        report=OuterRef("pk"),
        created_at__gte=OuterRef("created_at"),  # its partitions only (complaints.partitions)
        action__in=["return_to_triage", "transfer"],
        to_status=Status.VERIFIED,
    ).order_by("-created_at", "-pk")
    return qs.annotate(
        returned_from=Subquery(last.values("from_agency__name")[:1]),
        returned_by=Subquery(last.values("actor__full_name")[:1]),
        returned_why=Subquery(last.values("note")[:1]),
    )


def colleagues_of(user, *, limit: int = 200) -> list:
    """Officers and admins of the agencies and units ``user`` works for (and those below),
    with their open load: the choices of a bulk assignment (each report checks its own)."""
    from agencies.models import Role, User

    scope = scope_for(user)
    if not scope.officer_paths:
        return []
    within = Q(pk__in=[])
    for path in scope.officer_paths:
        within |= Q(roles__agency__path__startswith=path)
    return list(
        User.objects.filter(
            within,
            roles__is_active=True,
            roles__kind__in=[Role.Kind.OFFICER, Role.Kind.AGENCY_ADMIN],
            is_service=False,
        )
        .exclude(pk=user.pk)
        .distinct()
        .annotate(open_load=_open_load())
        .order_by("full_name", "pk")[:limit]
    )


def by_deadline(qs: QuerySet) -> QuerySet:
    """Worked from the top: the nearest deadline the agency must meet first (the first
    response while dispatched, the resolution while in progress; the most late first), then
    reports with no clock of the agency's running, newest first."""
    from django.db.models import F

    # The index report_inbox_due holds this order for an agency (complaints.models.agency_due).
    return qs.annotate(due_at=agency_due()).order_by(
        F("due_at").asc(nulls_last=True), "-created_at", "-pk"
    )


def late_q(now=None) -> Q:
    """Overdue reports: the one definition (complaints.deadlines.overdue_q), the sweep's mark
    that the dashboards count too."""
    return overdue_q()


def overdue_count(qs: QuerySet, cache_key: str | None = None) -> int:
    """Open reports of the inbox past a deadline, cached like the status counts."""
    key = f"{cache_key}:late" if cache_key else None
    if key:
        cached = cache.get(key)
        if cached is not None:
            return cached
    n = qs.order_by().filter(late_q()).count()
    if key:
        cache.set(key, n, COUNTS_TTL)
    return n
