"""The routing decision: plain values in, an agency and an explanation out.

``decide`` never sees a report; ``complaints`` passes it the category, kind and region. It reads
only the rules that could match (by category and region, through indexes), never all rules.
"""

from dataclasses import dataclass

from django.db.models import Q

from agencies.models import Agency

from .models import Category, RoutingRule


@dataclass(frozen=True)
class Decision:
    agency_id: int | None
    rule_id: int | None
    explanation: str

    @property
    def routed(self) -> bool:
        return self.agency_id is not None


def candidate_rules(
    *, category_id: int | None, kind: str, province_code: str | None, regency_code: str | None
) -> list[RoutingRule]:
    """Active rules that match, most specific first: regency > province > national, then
    higher priority, then rules naming a category and a kind before wildcards, then oldest."""
    regions = [Q(province__isnull=True, regency__isnull=True)]
    if province_code:
        regions.append(Q(province_id=province_code, regency__isnull=True))
    if regency_code:
        regions.append(Q(regency_id=regency_code))
    categories = [Q(category__isnull=True)]
    if category_id:
        categories.append(Q(category_id=category_id))
    # Spelled out as (category AND region) branches, so that each branch is one range of the
    # (category, regency) or (category, province) index and PostgreSQL reads only the rules
    # that can match (a BitmapOr), not every rule of the category.
    match = Q()
    for c in categories:
        for r in regions:
            match |= c & r
    rules = list(
        RoutingRule.objects.filter(match, Q(kind="") | Q(kind=kind), is_active=True).select_related(
            "category", "target_agency", "province", "regency"
        )
    )
    rules.sort(
        key=lambda r: (
            -r.specificity,
            -r.priority,
            r.category_id is None,
            r.kind == "",
            r.pk,
        )
    )
    return rules


def _government(kind: str, province_code: str | None, regency_code: str | None) -> Agency | None:
    if kind == RoutingRule.Target.REGENCY_GOVERNMENT and regency_code:
        return Agency.objects.filter(
            regency_id=regency_code, kind__in=["pemkab", "pemkot"], is_active=True
        ).first()
    if province_code:
        return Agency.objects.filter(
            province_id=province_code, kind="pemprov", is_active=True
        ).first()
    return None


def _unit(agency: Agency, unit_type: str) -> Agency | None:
    if not unit_type:
        return None
    return Agency.objects.filter(parent=agency, unit_type=unit_type, is_active=True).first()


def resolve_target(
    rule: RoutingRule, *, province_code: str | None, regency_code: str | None
) -> tuple[Agency | None, str]:
    """The agency a rule sends a report to, and how it got there."""
    if rule.target == RoutingRule.Target.AGENCY:
        base = rule.target_agency
        how = base.name if base else ""
    else:
        base = _government(rule.target, province_code, regency_code)
        how = base.name if base else ""
        if rule.target == RoutingRule.Target.REGENCY_GOVERNMENT and not regency_code and base:
            how += " (kabupaten/kota tidak diisi: diteruskan ke pemerintah provinsi)"
    if base is None or not base.is_active:
        return None, ""
    unit = _unit(base, rule.unit_type)
    if unit is not None:
        return unit, f"{unit.name}, unit {rule.unit_type} dari {how}"
    return base, how


def decide(
    *, category_id: int | None, kind: str, province_code: str | None, regency_code: str | None
) -> Decision:
    """Which agency a report goes to, with the rule and an explanation an admin can read.

    Returns a Decision with ``agency_id=None`` when nothing matches (national triage)."""
    rules = candidate_rules(
        category_id=category_id,
        kind=kind,
        province_code=province_code,
        regency_code=regency_code,
    )
    for rule in rules:
        agency, how = resolve_target(rule, province_code=province_code, regency_code=regency_code)
        if agency is None:
            continue
        skipped = rules.index(rule)
        explanation = (
            f"Aturan #{rule.pk} ({rule.category.code if rule.category_id else 'semua kategori'}"
            f" / {rule.kind or 'semua jenis'} / cakupan {rule.scope_label}, prioritas "
            f"{rule.priority}) menang dari {len(rules)} aturan yang cocok"
            f"{f', {skipped} dilewati karena tujuannya tidak ada' if skipped else ''}: {how}."
        )
        return Decision(agency.pk, rule.pk, explanation)
    return Decision(None, None, "Tidak ada aturan yang cocok: masuk antrean triase nasional.")


def category_choices() -> list[Category]:
    return list(Category.objects.filter(is_active=True).order_by("name_id"))
