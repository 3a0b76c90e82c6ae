"""Time limits: configuration in ``TimeLimit`` rows, defaults as SP4N-LAPOR! publishes them."""

import datetime as dt

from core.memo import Memo

from .models import Kind, TimeLimit
from .workdays import Calendar

Stage = TimeLimit.Stage
Unit = TimeLimit.Unit

# Used only when no row of the table matches (the reference command writes these as rows).
DEFAULTS: dict[tuple[str, str], tuple[int, str]] = {
    (Stage.VERIFY, ""): (3, Unit.WORKING_DAYS),
    (Stage.INFO, ""): (10, Unit.WORKING_DAYS),
    (Stage.FIRST_RESPONSE, ""): (5, Unit.WORKING_DAYS),
    (Stage.RESOLUTION, Kind.COMPLAINT): (60, Unit.CALENDAR_DAYS),
    (Stage.RESOLUTION, Kind.ASPIRATION): (60, Unit.CALENDAR_DAYS),
    (Stage.RESOLUTION, Kind.INFORMATION_REQUEST): (10, Unit.WORKING_DAYS),
    (Stage.EXTENSION, Kind.INFORMATION_REQUEST): (7, Unit.WORKING_DAYS),
    (Stage.DISPUTE, ""): (10, Unit.WORKING_DAYS),
}


def _all_limits() -> list[TimeLimit]:
    return list(TimeLimit.objects.all())


LIMITS = Memo(_all_limits).clear_on_change(TimeLimit)


def limit_for(
    *, stage: str, kind: str, agency_id: int | None = None, category_id: int | None = None
) -> tuple[int, str]:
    """The (amount, unit) in force: agency+category, agency, category, kind, any kind.

    Reads the (small) table once a minute per process, not once per report."""
    rows = [
        r
        for r in LIMITS.get()
        if r.stage == stage
        and r.kind in ("", kind)
        and r.agency_id in (None, agency_id)
        and r.category_id in (None, category_id)
    ]
    if rows:
        best = max(
            rows,
            key=lambda r: (r.agency_id is not None, r.category_id is not None, r.kind != ""),
        )
        return best.amount, best.unit
    return DEFAULTS.get((stage, kind)) or DEFAULTS.get((stage, ""), (5, Unit.WORKING_DAYS))


def due(
    *,
    stage: str,
    kind: str,
    start: dt.datetime,
    agency_id: int | None = None,
    category_id: int | None = None,
    calendar: Calendar | None = None,
) -> dt.datetime:
    amount, unit = limit_for(stage=stage, kind=kind, agency_id=agency_id, category_id=category_id)
    calendar = calendar or Calendar()
    if unit == Unit.CALENDAR_DAYS:
        return calendar.add_calendar_days(start, amount)
    return calendar.add_working_days(start, amount)


def seed_defaults() -> int:
    """Writes the defaults as rows an admin can edit; returns how many were added."""
    added = 0
    for (stage, kind), (amount, unit) in DEFAULTS.items():
        _, created = TimeLimit.objects.get_or_create(
            stage=stage,
            kind=kind,
            agency=None,
            category=None,
            defaults={"amount": amount, "unit": unit},
        )
        added += created
    return added
