"""Categories, their matters and the starting rule set, from routing/data/categories.csv and
routing/data/matters.csv. Idempotent: a second run creates and changes nothing.

Each category gets one national "aturan bawaan" rule (to its default matter's holder where it
has matters, else from the category row), and each matter one national "aturan bawaan urusan"
rule to the level and unit that hold it. Rules an admin adds are never touched. Matter codes
are listed in routing/data/matters.csv (the ``code`` column) and accepted by
``routing.selectors.decide(matter=...)``.
"""

import csv
from pathlib import Path

from django.db import transaction

from agencies.models import Agency

from .models import Category, Matter, RoutingRule, Target

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_NOTE = "aturan bawaan"
MATTER_NOTE = "aturan bawaan urusan"
RULE_FIELDS = ["target", "target_agency_id", "unit_type"]


def _read(name: str, data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _upsert(model, key: dict, values: dict) -> tuple[object, int, int]:
    """get_or_create, then update the fields that differ. Returns (obj, created, updated)."""
    obj, created = model.objects.get_or_create(**key, defaults=values)
    if created:
        return obj, 1, 0
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for k in changed:
        setattr(obj, k, values[k])
    if changed:
        obj.save(update_fields=changed)
    return obj, 0, int(bool(changed))


@transaction.atomic
def load_categories_and_rules(data_dir: Path = DATA_DIR) -> dict[str, int]:
    national = {a.slug: a for a in Agency.objects.filter(parent__isnull=True, level="national")}
    counts = dict.fromkeys(
        ["category", "category_updated", "matter", "matter_updated", "rule", "rule_updated"], 0
    )
    categories = {}
    for row in _read("categories.csv", data_dir):
        values = {
            "name_id": row["name_id"],
            "name_en": row["name_en"],
            "default_level": row["default_level"],
            "default_unit_type": row["default_unit_type"],
            "national_agency": national.get(row["national_agency"])
            if row["national_agency"]
            else None,
            "legal_basis": row["legal_basis"],
        }
        category, c, u = _upsert(Category, {"code": row["code"]}, values)
        categories[row["code"]] = category
        counts["category"] += c
        counts["category_updated"] += u
    defaults = {}
    for order, row in enumerate(_read("matters.csv", data_dir)):
        matter, c, u = _upsert(
            Matter, {"code": row["code"]}, _matter_values(row, categories, order)
        )
        counts["matter"] += c
        counts["matter_updated"] += u
        c, u = _rule(matter.category, matter, matter.target, matter.agency_id, matter.unit_type)
        counts["rule"] += c
        counts["rule_updated"] += u
        if matter.is_default:
            defaults[matter.category_id] = matter
    for category in categories.values():
        c, u = _category_rule(category, defaults.get(category.pk))
        counts["rule"] += c
        counts["rule_updated"] += u
    return counts


def _matter_values(row: dict, categories: dict, order: int) -> dict:
    agency = None
    if row["agency"]:
        agency = Agency.objects.get(slug=row["agency"])  # a typo in the file must stop the load
    return {
        "category": categories[row["category"]],
        "name_id": row["name_id"],
        "name_en": row["name_en"],
        "level": row["level"],
        "target": row["target"],
        "agency": agency,
        "unit_type": row["unit_type"],
        "legal_basis": row["legal_basis"],
        "is_default": row["is_default"] == "1",
        "order": order,
    }


def _category_rule(category: Category, default: Matter | None) -> tuple[int, int]:
    """The category-wide national rule: to the default matter's holder, else from the row."""
    if default is not None:
        return _rule(category, None, default.target, default.agency_id, default.unit_type)
    if category.default_level == "national":
        if category.national_agency is None:
            return 0, 0  # "Lainnya": no rule, so the national triage decides.
        return _rule(category, None, Target.AGENCY, category.national_agency_id, "")
    target = (
        Target.PROVINCE_GOVERNMENT
        if category.default_level == "province"
        else Target.REGENCY_GOVERNMENT
    )
    return _rule(category, None, target, None, category.default_unit_type)


def _rule(category, matter, target, agency_id, unit_type) -> tuple[int, int]:
    note = MATTER_NOTE if matter else DEFAULT_NOTE
    values = {"target": target, "target_agency_id": agency_id, "unit_type": unit_type}
    rule = RoutingRule.objects.filter(
        category=category, matter=matter, note=note, province=None, regency=None
    ).first()
    if rule is None:
        RoutingRule.objects.create(category=category, matter=matter, note=note, **values)
        return 1, 0
    changed = [k for k in RULE_FIELDS if getattr(rule, k) != values[k]]
    for k in changed:
        setattr(rule, k, values[k])
    if changed:
        rule.save(update_fields=changed)
    return 0, int(bool(changed))
