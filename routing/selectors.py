"""The routing decision: plain values in, an agency and an explanation out.

``decide`` never sees a report; ``complaints`` passes it the category, kind and region. It reads
only the rules that could match (by category and region, through indexes), never all rules.
"""

from dataclasses import dataclass

from django.db.models import Q

from agencies.models import Agency, Regency
from agencies.reference import UNDIVIDED_PROVINCES

from .models import Category, Matter, RoutingRule, Target


@dataclass(frozen=True)
class Decision:
    agency_id: int | None
    rule_id: int | None
    explanation: str
    matter_id: int | None = None
    legal_basis: str = ""

    @property
    def routed(self) -> bool:
        return self.agency_id is not None


# Jakarta's administrative cities and regency are not autonomous regions: "otonomi Provinsi DKI
# Jakarta diletakkan pada tingkat provinsi" (UU 29/2007 Pasal 9 ayat (1)); UU 2/2024 Pasal 3
# ayat (1) keeps Jakarta "daerah otonom pada tingkat provinsi" (in force once the capital moves,
# Pasal 73). What a regency or city holds elsewhere the province holds there.
NO_REGENCY_GOVERNMENT = (
    "{province} ({region} bukan daerah otonom; urusannya dipegang provinsi: UU 29/2007 Pasal 9 "
    "ayat (1), UU 2/2024 Pasal 3 ayat (1))"
)


def matter_lookup(*, matter_id: int | None = None, code: str | None = None) -> Matter | None:
    """An active matter by id or code, with its category; None when unknown or inactive."""
    if not matter_id and not code:
        return None
    matters = Matter.objects.filter(is_active=True).select_related("category")
    return matters.filter(pk=matter_id).first() if matter_id else matters.filter(code=code).first()


def candidate_rules(
    *,
    category_id: int | None,
    kind: str,
    province_code: str | None,
    regency_code: str | None,
    matter_id: int | None = None,
) -> list[RoutingRule]:
    """Active rules that match, most specific first: a rule for the matter before one for the
    whole category, then regency > province > national, then higher priority, then rules naming
    a category and a kind before wildcards, then oldest."""
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
    matters = Q(matter__isnull=True)
    if matter_id:
        matters |= Q(matter_id=matter_id)
    rules = list(
        RoutingRule.objects.filter(
            match,
            matters,
            Q(kind="") | Q(kind=kind),
            is_active=True,
            # Not the matter: only the report's own matter can match, and the caller has it.
        ).select_related("category", "target_agency", "province", "regency")
    )
    rules.sort(
        key=lambda r: (
            r.matter_id is None,
            -r.specificity,
            -r.priority,
            r.category_id is None,
            r.kind == "",
            r.pk,
        )
    )
    return rules


def _province_government(province_code: str | None) -> Agency | None:
    if not province_code:
        return None
    return Agency.objects.filter(province_id=province_code, kind="pemprov", is_active=True).first()


def _government(
    target: str, province_code: str | None, regency_code: str | None
) -> tuple[Agency | None, str]:
    province = _province_government(province_code)
    if target != Target.REGENCY_GOVERNMENT:
        return province, province.name if province else ""
    if not regency_code:
        how = " (kabupaten/kota tidak diisi: diteruskan ke pemerintah provinsi)"
        return province, f"{province.name}{how}" if province else ""
    government = Agency.objects.filter(
        regency_id=regency_code, kind__in=["pemkab", "pemkot"], is_active=True
    ).first()
    if government is not None:
        return government, government.name
    if province is None or regency_code[:2] not in UNDIVIDED_PROVINCES:
        return None, ""  # a regency whose government is retired: the next rule decides
    region = Regency.objects.filter(pk=regency_code).values_list("name", flat=True).first()
    return province, NO_REGENCY_GOVERNMENT.format(region=region, province=province.name)


def _unit(agency: Agency, unit_type: str) -> Agency | None:
    if not unit_type:
        return None
    return Agency.objects.filter(parent=agency, unit_type=unit_type, is_active=True).first()


def office_for(
    base: Agency, *, unit_type: str, province_code: str | None, regency_code: str | None
) -> Agency | None:
    """The office of ``base`` serving the place: one of ``unit_type`` (any type when blank) in
    or serving the regency; else one in the province, of that type first (a Polres falls back
    to its Polda, a Kantor Pertanahan to the Kanwil). None when ``base`` has none there."""
    below = Agency.objects.filter(path__startswith=base.path, is_active=True).exclude(pk=base.pk)
    if regency_code:
        typed = below.filter(unit_type=unit_type) if unit_type else below
        local = (
            typed.filter(Q(regency_id=regency_code) | Q(service_areas__regency_id=regency_code))
            .order_by("-depth", "pk")
            .first()
        )
        if local is not None:
            return local
    if not province_code:
        return None
    wide = below.filter(province_id=province_code, regency__isnull=True)
    if unit_type:
        found = wide.filter(unit_type=unit_type).order_by("depth", "pk").first()
        if found is not None:
            return found
    return wide.order_by("depth", "pk").first()


def resolve_target(
    rule: RoutingRule, *, province_code: str | None, regency_code: str | None
) -> tuple[Agency | None, str]:
    """The agency a rule sends a report to, and how it got there."""
    if rule.target in (Target.AGENCY, Target.OFFICE):
        base = rule.target_agency
        how = base.name if base else ""
    else:
        base, how = _government(rule.target, province_code, regency_code)
    if base is None or not base.is_active:
        return None, ""
    if rule.target == Target.OFFICE:
        office = office_for(
            base,
            unit_type=rule.unit_type,
            province_code=province_code,
            regency_code=regency_code,
        )
        if office is not None:
            return office, f"{office.name}, kantor {base.name} yang melayani wilayah pelapor"
        return base, f"{how} (tidak ada kantornya di data untuk wilayah ini)"
    unit = _unit(base, rule.unit_type)
    if unit is not None:
        return unit, f"{unit.name}, unit {rule.unit_type} dari {how}"
    return base, how


def _legal_basis(rule: RoutingRule, matter: Matter | None) -> str:
    if rule.matter_id and matter is not None:
        return matter.legal_basis
    return rule.category.legal_basis if rule.category_id else ""


def decide(
    *,
    category_id: int | None = None,
    kind: str,
    province_code: str | None,
    regency_code: str | None,
    matter_id: int | None = None,
    matter: str | None = None,
) -> Decision:
    """Which agency a report goes to, with the rule and an explanation an admin can read.

    ``matter_id`` or ``matter`` (a code from routing/data/matters.csv, e.g. "jalan-nasional")
    names the matter within the category; a matter implies its category, and a matter of
    another category than ``category_id`` is ignored. Returns a Decision with
    ``agency_id=None`` when nothing matches (national triage). The explanation names the legal
    basis of the matter (or category) of the winning rule."""
    found = matter_lookup(matter_id=matter_id, code=matter)
    if found is not None and category_id and found.category_id != category_id:
        found = None
    if found is not None:
        category_id = found.category_id
    rules = candidate_rules(
        category_id=category_id,
        kind=kind,
        province_code=province_code,
        regency_code=regency_code,
        matter_id=found.pk if found else None,
    )
    for skipped, rule in enumerate(rules):
        agency, how = resolve_target(rule, province_code=province_code, regency_code=regency_code)
        if agency is None:
            continue
        what = f"urusan {found.code}" if rule.matter_id and found else None
        what = what or (rule.category.code if rule.category_id else "semua kategori")
        legal = _legal_basis(rule, found)
        explanation = (
            f"Aturan #{rule.pk} ({what} / {rule.kind or 'semua jenis'} / cakupan "
            f"{rule.scope_label}, prioritas {rule.priority}) menang dari {len(rules)} aturan "
            f"yang cocok{f', {skipped} dilewati karena tujuannya tidak ada' if skipped else ''}"
            f": {how}.{f' Dasar hukum: {legal}' if legal else ''}"
        )
        return Decision(agency.pk, rule.pk, explanation, found.pk if found else None, legal)
    return Decision(
        None,
        None,
        "Tidak ada aturan yang cocok: masuk antrean triase nasional.",
        found.pk if found else None,
    )


def category_choices() -> list[Category]:
    return list(Category.objects.filter(is_active=True).order_by("name_id"))
