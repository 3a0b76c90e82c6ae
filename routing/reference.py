"""Categories and the starting rule set, from routing/data/categories.csv. Idempotent."""

import csv
from pathlib import Path

from django.db import transaction

from agencies.models import Agency

from .models import Category, RoutingRule

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_NOTE = "aturan bawaan"


@transaction.atomic
def load_categories_and_rules(data_dir: Path = DATA_DIR) -> dict[str, int]:
    with (data_dir / "categories.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    agencies = {a.slug: a for a in Agency.objects.filter(parent__isnull=True, level="national")}
    counts = {"category": 0, "category_updated": 0, "rule": 0}
    for row in rows:
        national = agencies.get(row["national_agency"]) if row["national_agency"] else None
        values = {
            "name_id": row["name_id"],
            "name_en": row["name_en"],
            "default_level": row["default_level"],
            "default_unit_type": row["default_unit_type"],
            "national_agency": national,
        }
        category, created = Category.objects.get_or_create(code=row["code"], defaults=values)
        if created:
            counts["category"] += 1
        elif any(getattr(category, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(category, k, v)
            category.save()
            counts["category_updated"] += 1
        counts["rule"] += _default_rule(category)
    return counts


def _default_rule(category: Category) -> int:
    """One national rule per category from its default level; 0 if it exists or has no target."""
    if RoutingRule.objects.filter(category=category, note=DEFAULT_NOTE).exists():
        return 0
    if category.default_level == "national":
        if category.national_agency is None:
            return 0  # "Lainnya": no rule, so the national triage decides.
        rule = RoutingRule(target=RoutingRule.Target.AGENCY, target_agency=category.national_agency)
    elif category.default_level == "province":
        rule = RoutingRule(target=RoutingRule.Target.PROVINCE_GOVERNMENT)
    else:
        rule = RoutingRule(target=RoutingRule.Target.REGENCY_GOVERNMENT)
    rule.category = category
    rule.unit_type = category.default_unit_type
    rule.note = DEFAULT_NOTE
    rule.save()
    return 1
