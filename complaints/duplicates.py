"""The duplicate finder: open reports from the same region whose text is close to a new one's,
so triage can merge them and a citizen can support an existing report instead of filing again.

On PostgreSQL, candidates come from two indexes (trigram similarity of the title, pg_trgm's
``%`` operator on ``report_title_trgm``; and the full-text index holding every word of the
title), then are scored by trigram similarity of the titles and of the start of the
descriptions. On SQLite (the try-it mode), by the share of words in common."""

import re
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from .models import Report
from .selectors import SEARCH_CONFIG

WINDOW = timedelta(days=180)  # an older report is history, not a duplicate
MINIMUM = 0.25
SAME_REGENCY_BONUS = 0.1
_WORD = re.compile(r"\w{3,}", re.UNICODE)


def similar_open_reports(
    *,
    title: str,
    description: str = "",
    province_id: str | None,
    regency_id: str | None = None,
    exclude_id: int | None = None,
    limit: int = 5,
    public_only: bool = False,
) -> list[tuple[Report, float]]:
    """Open reports of the province received in the last 180 days that look like this text,
    most similar first, with a score in 0..1. ``public_only`` keeps to reports anyone may
    see (never confidential): the one to use on citizens' pages."""
    title, description = (title or "").strip(), (description or "").strip()
    if not province_id or len(title) < 4:
        return []
    qs = Report.objects.open().filter(
        province_id=province_id, created_at__gte=timezone.now() - WINDOW
    )
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    if public_only:
        qs = qs.public()
    qs = qs.select_related("category", "regency")
    if connection.vendor == "postgresql":
        scored = _postgres(qs, title, description, limit * 3)
    else:
        scored = _words(qs, title, description)
    results = []
    for report, score in scored:
        if regency_id and report.regency_id == regency_id:
            score += SAME_REGENCY_BONUS
        score = min(score, 1.0)
        if score >= MINIMUM:
            results.append((report, round(score, 2)))
    results.sort(key=lambda pair: (-pair[1], -pair[0].pk))
    return results[:limit]


def _postgres(qs, title: str, description: str, limit: int) -> list[tuple[Report, float]]:
    qs = qs.extra(
        select={
            "score": "0.6 * similarity(complaints_report.title, %s)"
            " + 0.4 * similarity(left(complaints_report.description, 400), %s)"
        },
        select_params=[title, description[:400]],
        where=[
            "(complaints_report.title %% %s"
            " OR complaints_report.search_tsv @@ plainto_tsquery(%s::regconfig, %s))"
        ],
        params=[title, SEARCH_CONFIG, title],
    ).order_by("-score", "-pk")[:limit]
    return [(report, float(report.score)) for report in qs]


def _words_of(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _words(qs, title: str, description: str) -> list[tuple[Report, float]]:
    want_title, want_text = _words_of(title), _words_of(f"{title} {description[:400]}")
    scored = []
    for report in qs.order_by("-created_at")[:500]:
        have_title = _words_of(report.title)
        have_text = have_title | _words_of(report.description[:400])
        score = 0.6 * _jaccard(want_title, have_title) + 0.4 * _jaccard(want_text, have_text)
        scored.append((report, score))
    return scored


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
