"""The routing scenario suite (tests/routing/scenarios.csv): citizens' reports, each with the
place, the category and matter an expert would choose, and the agency the law makes responsible
with its legal basis, written from the regulations (UU 23/2014 and its annex, UU 1/2022,
UU 29/2007, the sector laws and each central agency's own regulation), not from the code.

This test runs every scenario through the rules with the expert's category and matter, prints
the rate and every failure, and fails below 95 %. (The end-to-end run from the text alone reads
the same file: ``load_scenarios``.)"""

import csv
from collections import Counter
from pathlib import Path

import pytest

from agencies.models import Agency
from routing.models import Category, Matter
from routing.selectors import decide

pytestmark = pytest.mark.django_db

SCENARIOS = Path(__file__).with_name("scenarios.csv")
TARGET = 0.95


def load_scenarios() -> list[dict[str, str]]:
    with SCENARIOS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_suite_covers_every_category_and_level():
    rows = load_scenarios()
    assert len(rows) >= 200, len(rows)
    assert len({r["id"] for r in rows}) == len(rows), "duplicate scenario ids"
    categories = set(Category.objects.exclude(code="lainnya").values_list("code", flat=True))
    assert categories <= {r["category"] for r in rows}, categories - {r["category"] for r in rows}
    agencies = {a.slug: a for a in Agency.objects.filter(slug__in={r["agency"] for r in rows})}
    missing = {r["agency"] for r in rows} - set(agencies)
    assert not missing, f"expected agencies not in the reference data: {missing}"
    levels = Counter(_level(agencies[r["agency"]]) for r in rows)
    for level in ["national", "province", "regency", "office", "enterprise", "jakarta"]:
        assert levels[level] >= 5, levels
    for row in rows:
        assert row["legal_basis"].strip(), row["id"]
        assert row["title"].strip() and len(row["description"]) >= 40, row["id"]


def _level(agency: Agency) -> str:
    if agency.province_id == "31" and agency.path.startswith(_root_path("pemprov-31")):
        return "jakarta"
    root = Agency.objects.get(pk=agency.root_id)
    if root.kind in ("bumn", "bumd"):
        return "enterprise"
    if agency.level == "national":
        return "office" if agency.province_id else "national"
    return agency.level


def _root_path(slug: str) -> str:
    return Agency.objects.get(slug=slug).path


def test_rules_route_the_scenarios_to_the_responsible_agency():
    rows = load_scenarios()
    categories = dict(Category.objects.values_list("code", "pk"))
    matters = dict(Matter.objects.values_list("code", "category__code"))
    slugs = dict(Agency.objects.values_list("pk", "slug"))
    failures = []
    for row in rows:
        if row["matter"] and matters.get(row["matter"]) != row["category"]:
            failures.append((row["id"], f"matter {row['matter']} is not in {row['category']}"))
            continue
        decision = decide(
            category_id=categories[row["category"]],
            matter=row["matter"] or None,
            kind=row["kind"],
            province_code=row["province"],
            regency_code=row["regency"] or None,
        )
        got = slugs.get(decision.agency_id)
        if got != row["agency"]:
            failures.append(
                (row["id"], f"expected {row['agency']}, got {got}: {decision.explanation}")
            )
    rate = 1 - len(failures) / len(rows)
    print(f"\nrouting scenarios by rules: {len(rows) - len(failures)}/{len(rows)} = {rate:.1%}")
    for scenario, why in failures:
        print(f"  {scenario}: {why}")
    assert rate >= TARGET, failures
