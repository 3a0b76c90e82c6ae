"""Reads for reports: each selector carries its own select_related, so a page costs the same
number of queries whatever the number of reports."""

from django.db import connection
from django.db.models import Count, Q, QuerySet

from .models import Report, Status

WORKING_STATUSES = (Status.DISPATCHED, Status.IN_PROGRESS)

# complaints/migrations/0002_search.py adds this generated tsvector column and its GIN index
# on PostgreSQL. The 'indonesian' configuration stems Indonesian words (PostgreSQL 13+).
SEARCH_CONFIG = "indonesian"


def search_reports(qs: QuerySet, text: str) -> QuerySet:
    if connection.vendor == "postgresql":
        return qs.extra(
            where=["complaints_report.search_tsv @@ websearch_to_tsquery(%s::regconfig, %s)"],
            params=[SEARCH_CONFIG, text],
        )
    q = Q()
    for word in text.split()[:8]:
        q &= Q(title__icontains=word) | Q(description__icontains=word)
    return qs.filter(q)


def public_reports(*, filters: dict | None = None) -> QuerySet:
    """Non-confidential, non-rejected reports for the public list, newest first."""
    filters = filters or {}
    qs = Report.objects.public().select_related("category", "province", "regency", "agency")
    if filters.get("q"):
        qs = search_reports(qs, filters["q"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("province"):
        qs = qs.filter(province=filters["province"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.order_by("-created_at", "-pk")


def reports_of(user) -> QuerySet:
    """The reports a citizen filed (their "my reports")."""
    return (
        Report.objects.filter(reporter=user)
        .select_related("category", "province", "regency", "agency")
        .order_by("-created_at", "-pk")
    )


def _covering_paths(agency_path: str) -> list[str]:
    """The paths of a unit and of every agency above it ("12/34/" -> "12/", "12/34/")."""
    parts = [p for p in agency_path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def colleagues_for(report: Report, *, limit: int = 200) -> list:
    """Officers and agency admins who may work ``report``: those whose agency is the unit
    holding it or an agency above it (so whoever is picked can open it), with
    ``open_load``, the open reports each holds."""
    from agencies.models import Role, User

    if not report.agency_path:
        return []
    return list(
        User.objects.filter(
            roles__is_active=True,
            roles__kind__in=[Role.Kind.OFFICER, Role.Kind.AGENCY_ADMIN],
            roles__agency__path__in=_covering_paths(report.agency_path),
            is_service=False,
            is_active=True,
        )
        .distinct()
        .annotate(
            open_load=Count(
                "assigned_reports",
                filter=Q(assigned_reports__status__in=WORKING_STATUSES),
                distinct=True,
            )
        )
        .order_by("full_name", "pk")[:limit]
    )


def round_robin_pick(agency) -> int | None:
    """The officer of ``agency`` (its own officers, not those above it) who holds the fewest
    open reports; ties go to the one appointed first. None if it has none."""
    from agencies.models import Role, User

    row = (
        User.objects.filter(
            roles__is_active=True,
            roles__kind=Role.Kind.OFFICER,
            roles__agency=agency,
            is_service=False,
            is_active=True,
        )
        .annotate(
            open_load=Count(
                "assigned_reports",
                filter=Q(assigned_reports__status__in=WORKING_STATUSES),
                distinct=True,
            )
        )
        .order_by("open_load", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    return row
