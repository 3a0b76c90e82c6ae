"""Automatic verification: where routing is certain and the text passes checks, LAPOR verifies
and dispatches a report itself instead of waiting for a national admin.

Off unless LAPOR_AUTO_VERIFY is set. It runs as a task after the report is committed, so filing
stays fast and a broker that is down only means the report waits for a person in triage."""

import logging
import re

from django.conf import settings
from django.db import transaction

from routing.selectors import decide

from .models import Report, Status
from .services import report_route, report_transition

log = logging.getLogger(__name__)

URL = re.compile(r"https?://|www\.", re.IGNORECASE)
MIN_CONFIDENCE = 0.35


def text_passes_checks(title: str, description: str) -> tuple[bool, str]:
    """(ok, reason): long enough to act on, not shouting, not a link dump, no blocked words."""
    words = description.split()
    if len(title.split()) < 3 or len(words) < 8:
        return False, "terlalu singkat"
    letters = [c for c in description if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.7:
        return False, "huruf kapital semua"
    if len(URL.findall(description)) > 2:
        return False, "terlalu banyak tautan"
    blocked = {w.lower() for w in getattr(settings, "LAPOR_BLOCKED_WORDS", [])}
    if blocked & {w.strip(".,!?;:").lower() for w in words + title.split()}:
        return False, "kata terlarang"
    return True, ""


def _classifier_agrees(report: Report) -> bool:
    """The text classifier, where installed, must not disagree with the citizen's category."""
    try:
        from routing.suggest import suggest  # optional component
    except ImportError:
        return True
    scores = dict(suggest(f"{report.title}\n{report.description}"))
    return scores.get(report.category.code, 0.0) >= MIN_CONFIDENCE


def report_auto_triage(*, report_id: int) -> str:
    """Verifies and routes ``report_id`` if it qualifies. Returns what happened, for logs."""
    report = Report.objects.select_related("category").get(pk=report_id)
    if report.status != Status.SUBMITTED:
        return "not submitted"
    if report.category is None and report.requested_agency_id is None:
        return "no category"
    ok, reason = text_passes_checks(report.title, report.description)
    if not ok:
        return f"text: {reason}"
    if report.requested_agency_id is None:
        decision = decide(
            category_id=report.category_id,
            matter_id=report.matter_id,
            kind=report.kind,
            province_code=report.province_id,
            regency_code=report.regency_id,
        )
        if not decision.routed:
            return "no rule"
        if not _classifier_agrees(report):
            return "category uncertain"
    with transaction.atomic():
        report = report_transition(
            report_id=report.pk,
            action="verify",
            system=True,
            note="Verifikasi otomatis: kategori dan tujuan pasti, isi lolos pemeriksaan.",
        )
        report_route(report=report)
    return "dispatched"
