"""Reads for reports: each selector carries its own select_related, so a page costs the same
number of queries whatever the number of reports."""

from django.db import connection
from django.db.models import Count, Q, QuerySet

from .models import Report, Status

WORKING_STATUSES = (Status.DISPATCHED, Status.IN_PROGRESS)

# complaints/migrations/0002_search.py adds this generated tsvector column and its GIN index
# on PostgreSQL. The 'indonesian' configuration stems Indonesian words (PostgreSQL 13+).
SEARCH_CONFIG = "indonesian"


# Typo tolerance (the public list): each query word of four letters or more also matches the
# closest words of published reports (trigram similarity at least FUZZY_SIMILARITY in the
# lapor_search_words view, complaints/migrations/0021_search_words.py), inside the one
# full-text condition: "berlobang" searches "berlobang or berlubang". The close words are
# looked up first (one statement for every word, about 1 ms) and given to the search as
# constants: inside the search as a sub-select the planner could not know them and took any
# search for 0.5 % of the rows, so a word in a quarter of 1M reports sorted every match for a
# page of 25 instead of reading the newest reports until it had them (issue 20, bench_reads).
FUZZY_SIMILARITY = 0.4
FUZZY_MIN_LENGTH = 4
FUZZY_WORDS = 5
FUZZY_CLOSEST = 5
_TSV = "complaints_report.search_tsv @@ websearch_to_tsquery(%s::regconfig, %s)"
_CLOSE = (
    "SELECT q.word, ARRAY(SELECT w.word FROM lapor_search_words AS w "
    "WHERE lapor_fold(w.word) %% lapor_fold(q.word) "
    "AND similarity(lapor_fold(w.word), lapor_fold(q.word)) >= %s "
    "ORDER BY lapor_fold(w.word) <-> lapor_fold(q.word) LIMIT %s) "
    "FROM unnest(%s::text[]) AS q(word)"
)


def close_words(words: list[str]) -> dict[str, list[str]]:
    """Each word with the closest words of published reports (PostgreSQL), in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(_CLOSE, [FUZZY_SIMILARITY, FUZZY_CLOSEST, words])
        return dict(cursor.fetchall())


def search_words_refresh() -> None:
    """Rebuilds the words the public search widens a typo to, from published reports' text
    (PostgreSQL; a no-op on SQLite). Concurrent: searches go on meanwhile."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY lapor_search_words")


def _fuzzy_words(text: str) -> list[str]:
    words = ["".join(c for c in w if c.isalnum()) for w in text.split()]
    return [w for w in words if len(w) >= FUZZY_MIN_LENGTH][:FUZZY_WORDS]


def search_reports(qs: QuerySet, text: str, *, fuzzy: bool = False) -> QuerySet:
    """Reports whose title or story match ``text``: full-text (Indonesian stemming) on
    PostgreSQL, words on SQLite. ``fuzzy``: each longer word may also be one of its closest
    words in published reports (PostgreSQL), or have its vowels free (SQLite), so "berlobang"
    still finds "berlubang". One query either way."""
    words = _fuzzy_words(text) if fuzzy else []
    if connection.vendor == "postgresql":
        if not words:
            return qs.extra(where=[_TSV], params=[SEARCH_CONFIG, text])  # noqa: S610
        # The SQL text is ours; the words are bound parameters: the query as typed, or every
        # longer word as one of itself and its close words.
        close = close_words(words)
        either = " && ".join("websearch_to_tsquery(%s::regconfig, %s)" for _ in words)
        where = (
            "complaints_report.search_tsv @@ (websearch_to_tsquery(%s::regconfig, %s) || "
            f"({either}))"
        )
        params: list = [SEARCH_CONFIG, text]
        for word in words:
            params += [SEARCH_CONFIG, " or ".join([word, *close.get(word, [])])]
        return qs.extra(where=[where], params=params)  # noqa: S610
    q = Q()
    for word in text.split()[:8]:
        match = Q(title__icontains=word) | Q(description__icontains=word)
        if fuzzy and len(word) >= FUZZY_MIN_LENGTH + 1:
            pattern = _vowels_free(word)
            match |= Q(title__iregex=pattern) | Q(description__iregex=pattern)
        q &= match
    return qs.filter(q)


def _vowels_free(word: str) -> str:
    """A regular expression for ``word`` with each vowel any vowel (SQLite's approximation)."""
    import re

    return "".join("[aiueo]" if c in "aiueo" else re.escape(c) for c in word.lower())


def public_reports(*, filters: dict | None = None) -> QuerySet:
    """Non-confidential, non-rejected reports for the public list, newest first."""
    filters = filters or {}
    qs = Report.objects.public().select_related("category", "province", "regency", "agency")
    if filters.get("q"):
        qs = search_reports(qs, filters["q"], fuzzy=True)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("province"):
        qs = qs.filter(province=filters["province"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.order_by("-created_at", "-pk")


# What a line of the public list (and of the map's list) shows: building the 57-column rows
# and their four joined tables cost more CPU than rendering them (issue 20).
LIST_FIELDS = (
    "tracking",
    "title",
    "status",
    "kind",
    "created_at",
    "support_count",
    "category__name_id",
    "category__name_en",
    "province__name",
    "regency__name",
    "agency__name",
)


def public_list(*, filters: dict | None = None, located: bool = False) -> QuerySet:
    """The public list's rows (public_reports), with only the columns a line shows."""
    qs = located_public_reports(filters=filters) if located else public_reports(filters=filters)
    return qs.only(*LIST_FIELDS)


def located_public_reports(*, filters: dict | None = None) -> QuerySet:
    """Public reports whose reporter gave a point on the map (the map view's list)."""
    return public_reports(filters=filters).filter(latitude__isnull=False, longitude__isnull=False)


def map_points(*, filters: dict | None = None, bbox=None, limit: int = 300) -> list[Report]:
    """The map's markers: located public reports inside ``bbox`` (west, south, east, north),
    newest first, at most ``limit``, with only the fields a marker shows."""
    qs = located_public_reports(filters=filters)
    if bbox is not None:
        west, south, east, north = bbox
        qs = qs.filter(
            longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north
        )
    fields = ("tracking", "title", "status", "latitude", "longitude", "created_at")
    return list(qs.select_related(None).only(*fields)[:limit])


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
