"""The routing scenarios (tests/routing/scenarios.csv, written from the regulations) end to end
from the citizen's text alone, the way the form and triage do: the classifier and the matter
patterns read the text (routing.understand), then the rules decide. The expert category and
matter of each scenario are not used here (tests/routing/test_scenarios.py uses them).

Prints the rate and every failure with what the text was read as."""

import csv
from pathlib import Path

import pytest

from agencies.models import Agency
from routing.selectors import decide
from routing.understand import read

SCENARIOS = Path(__file__).parent / "scenarios.csv"
TARGET = 0.85


def scenarios() -> list[dict]:
    with SCENARIOS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def route_from_text(row: dict) -> tuple[str | None, str]:
    reading = read(text=f"{row['title']}\n{row['description']}")
    decision = decide(
        category_id=reading.category.pk if reading.category else None,
        matter_id=reading.matter.pk if reading.matter else None,
        kind=row["kind"],
        province_code=row["province"] or None,
        regency_code=row["regency"] or None,
    )
    slug = (
        Agency.objects.filter(pk=decision.agency_id).values_list("slug", flat=True).first()
        if decision.agency_id
        else None
    )
    category = reading.category.code if reading.category else "-"
    matter = reading.matter.code if reading.matter else "-"
    return slug, f"read as {category} / {matter} ({reading.matter_from or 'no matter'})"


@pytest.mark.django_db
def test_scenarios_end_to_end_from_the_text_alone():
    rows = scenarios()
    failures = []
    for row in rows:
        slug, how = route_from_text(row)
        if slug != row["agency"]:
            failures.append(
                f"{row['id']} expected {row['agency']} ({row['category']} / {row['matter']}), "
                f"got {slug}: {how}"
            )
    rate = 1 - len(failures) / len(rows)
    print(f"\nend to end from text: {len(rows) - len(failures)}/{len(rows)} = {rate:.1%}")
    for line in failures:
        print("  " + line)
    assert rate >= TARGET, f"{rate:.1%} < {TARGET:.0%}"
