"""The routing decision ("no wrong door"): the most specific rule wins, priority breaks ties,
wildcards match, inactive rules and rules whose target is missing are passed over, no match goes
to national triage; the shipped rules route every category with a rule for every regency."""

import pytest

from agencies.models import Agency, Regency
from agencies.reference import UNDIVIDED_PROVINCES
from routing.models import Category, RoutingRule
from routing.selectors import candidate_rules, decide

pytestmark = pytest.mark.django_db

T = RoutingRule.Target
BANDUNG = {"province_code": "32", "regency_code": "3273"}  # Kota Bandung, Jawa Barat


def cat(code: str) -> Category:
    return Category.objects.get(code=code)


def agency(slug: str) -> Agency:
    return Agency.objects.get(slug=slug)


def rule(*, to: str, category=None, kind="", province=None, regency=None, **kwargs):
    return RoutingRule.objects.create(
        category=category,
        kind=kind,
        province_id=province,
        regency_id=regency,
        target=T.AGENCY,
        target_agency=agency(to),
        **kwargs,
    )


def routed_to(category: Category | None, kind: str = "complaint", **region) -> str | None:
    region = region or BANDUNG
    decision = decide(category_id=category.pk if category else None, kind=kind, **region)
    if decision.agency_id is None:
        return None
    return Agency.objects.get(pk=decision.agency_id).slug


# --- specificity and priority --------------------------------------------------------------


def test_regency_rule_beats_province_beats_national():
    health = cat("kesehatan")
    national = rule(to="kemenkes", category=health, priority=50)
    province = rule(to="pemprov-32", category=health, province="32", priority=20)
    regency = rule(to="bpjs-kesehatan", category=health, regency="3273", province="32")

    assert routed_to(health) == "bpjs-kesehatan"
    regency.is_active = False
    regency.save()
    assert routed_to(health) == "pemprov-32"
    province.is_active = False
    province.save()
    assert routed_to(health) == "kemenkes"
    national.is_active = False
    national.save()
    assert routed_to(health) == "pemkot-3273-dinas-kesehatan"  # the shipped rule


def test_rules_of_other_regions_do_not_match():
    health = cat("kesehatan")
    rule(to="kemenkes", category=health, regency="3201")  # Kabupaten Bogor
    rule(to="bpjs-kesehatan", category=health, province="31")  # DKI Jakarta
    assert routed_to(health) == "pemkot-3273-dinas-kesehatan"
    assert routed_to(health, province_code="32", regency_code="3201") == "kemenkes"


def test_province_rule_applies_when_regency_not_given():
    health = cat("kesehatan")
    rule(to="kemenkes", category=health, regency="3273")
    rule(to="bpjs-kesehatan", category=health, province="32")
    assert routed_to(health, province_code="32", regency_code=None) == "bpjs-kesehatan"


def test_priority_breaks_ties_within_a_scope():
    health = cat("kesehatan")
    rule(to="kemenkes", category=health, province="32", priority=5)
    rule(to="bpjs-kesehatan", category=health, province="32", priority=10)
    rule(to="pemprov-32", category=health, province="32", priority=1)
    assert routed_to(health) == "bpjs-kesehatan"


def test_equal_priority_prefers_named_category_then_named_kind_then_oldest():
    health = cat("kesehatan")
    rule(to="pemprov-32", province="32")  # any category, any kind
    assert routed_to(health) == "pemprov-32"
    rule(to="kemenkes", category=health, province="32")
    assert routed_to(health) == "kemenkes"
    rule(to="bpjs-kesehatan", category=health, kind="complaint", province="32")
    assert routed_to(health) == "bpjs-kesehatan"
    assert routed_to(health, kind="aspiration") == "kemenkes"
    rule(to="kemensos", category=health, kind="complaint", province="32")  # newer, same rank
    assert routed_to(health) == "bpjs-kesehatan"


def test_specificity_beats_priority():
    health = cat("kesehatan")
    rule(to="kemenkes", category=None, regency="3273", priority=0)  # wildcard category
    rule(to="bpjs-kesehatan", category=health, province="32", priority=99)
    assert routed_to(health) == "kemenkes"


# --- wildcards, inactive rules, missing targets, no match ----------------------------------


def test_category_and_kind_wildcards():
    other = cat("lainnya")  # shipped without a rule
    assert routed_to(other) is None
    wildcard = rule(to="kemenpanrb")  # any category, any kind, whole country
    assert routed_to(other) == "kemenpanrb"
    assert routed_to(None) == "kemenpanrb"  # no category at all
    wildcard.delete()
    rule(to="kemenpanrb", category=other, kind="information_request")
    assert routed_to(other, kind="information_request") == "kemenpanrb"
    assert routed_to(other, kind="complaint") is None


def test_inactive_rules_are_ignored():
    other = cat("lainnya")
    rule(to="kemenpanrb", category=other, is_active=False)
    assert routed_to(other) is None
    assert candidate_rules(category_id=other.pk, kind="complaint", **BANDUNG) == []


def test_rule_with_missing_target_falls_through_to_the_next():
    health = cat("kesehatan")
    gone = rule(to="kemenkes", category=health, regency="3273")
    Agency.objects.filter(pk=gone.target_agency_id).update(is_active=False)
    decision = decide(category_id=health.pk, kind="complaint", **BANDUNG)
    assert Agency.objects.get(pk=decision.agency_id).slug == "pemkot-3273-dinas-kesehatan"
    assert decision.rule_id != gone.pk
    assert "1 dilewati" in decision.explanation


def test_regency_government_target_without_government_falls_through():
    health = cat("kesehatan")
    Agency.objects.filter(slug="pemkot-3273").update(is_active=False)
    rule(to="kemenkes", category=health, priority=-1)  # a national fallback, lower priority
    assert routed_to(health) == "kemenkes"


def test_missing_unit_goes_to_the_government_itself():
    health = cat("kesehatan")
    Agency.objects.filter(slug="pemkot-3273-dinas-kesehatan").update(is_active=False)
    assert routed_to(health) == "pemkot-3273"


def test_no_match_goes_to_national_triage():
    decision = decide(category_id=cat("lainnya").pk, kind="complaint", **BANDUNG)
    assert decision.agency_id is None and decision.rule_id is None
    assert decision.routed is False
    assert "triase nasional" in decision.explanation


# --- the shipped starting rules -------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "slug"),
    [
        ("kesehatan", "pemkot-3273-dinas-kesehatan"),
        ("jaminan-kesehatan", "bpjs-kesehatan"),
        ("kependudukan", "pemkot-3273-dinas-dukcapil"),
        ("kelautan-perikanan", "pemprov-32-dinas-kelautan-perikanan"),
        ("listrik", "pln"),
    ],
)
def test_shipped_rules_route_bandung(code, slug):
    category = cat(code)
    decision = decide(category_id=category.pk, kind="complaint", **BANDUNG)
    target = Agency.objects.get(pk=decision.agency_id)
    assert target.slug == slug
    shipped = RoutingRule.objects.get(category=category, note="aturan bawaan")
    assert decision.rule_id == shipped.pk
    assert f"#{shipped.pk}" in decision.explanation
    assert target.name in decision.explanation


def test_health_in_kota_bandung_goes_to_its_health_office():
    decision = decide(category_id=cat("kesehatan").pk, kind="aspiration", **BANDUNG)
    assert Agency.objects.get(pk=decision.agency_id).name == "Dinas Kesehatan Kota Bandung"


def test_every_category_with_a_rule_routes_for_every_regency():
    """The whole grid, 514 regencies x every category with a shipped rule. Every cell is
    checked against the data decide reads (one query for all of it); decide itself runs on
    every regency for a rotating set of categories, so each category is decided in dozens of
    regencies across the country (the full grid through decide takes about a minute)."""
    rules = {r.category_id: r for r in RoutingRule.objects.filter(note="aturan bawaan")}
    categories = sorted(Category.objects.filter(pk__in=rules), key=lambda c: c.code)
    regencies = list(Regency.objects.order_by("code").values_list("code", "province_id"))
    assert len(regencies) == 514 and len(categories) >= 30
    agencies = {a.pk: a for a in Agency.objects.filter(is_active=True).select_related("parent")}
    gov_of_regency = {a.regency_id: a for a in agencies.values() if a.kind in ("pemkab", "pemkot")}
    gov_of_province = {a.province_id: a for a in agencies.values() if a.kind == "pemprov"}
    unit_of = {
        (a.parent_id, a.unit_type): a
        for a in agencies.values()
        if a.parent_id and a.parent.kind in ("pemprov", "pemkab", "pemkot")
    }

    def office(base: Agency, unit_type: str, regency: str, province: str) -> Agency:
        below = [a for a in agencies.values() if a.path.startswith(base.path) and a.pk != base.pk]
        local = [a for a in below if a.regency_id == regency]
        local = [a for a in local if not unit_type or a.unit_type == unit_type]
        wide = [a for a in below if a.province_id == province and a.regency_id is None]
        wide.sort(key=lambda a: (bool(unit_type) and a.unit_type != unit_type, a.depth, a.pk))
        return (sorted(local, key=lambda a: (-a.depth, a.pk)) or wide or [base])[0]

    def expected(rule: RoutingRule, regency: str, province: str) -> Agency | None:
        if rule.target in (T.AGENCY, T.OFFICE):
            base = agencies.get(rule.target_agency_id)
        elif rule.target == T.REGENCY_GOVERNMENT:
            # Jakarta's administrative cities have no government of their own: the province.
            base = gov_of_regency.get(regency) or (
                gov_of_province.get(province) if province in UNDIVIDED_PROVINCES else None
            )
        else:
            base = gov_of_province.get(province)
        if base is None:
            return None
        if rule.target == T.OFFICE:
            return office(base, rule.unit_type, regency, province)
        return unit_of.get((base.pk, rule.unit_type), base)

    missing, wrong, decided = [], [], set()
    per_regency = 3
    for i, (regency, province) in enumerate(regencies):
        for category in categories:
            if expected(rules[category.pk], regency, province) is None:
                missing.append((category.code, regency))
        for j in range(per_regency):
            category = categories[(i * per_regency + j) % len(categories)]
            decision = decide(
                category_id=category.pk,
                kind="complaint",
                province_code=province,
                regency_code=regency,
            )
            want = expected(rules[category.pk], regency, province)
            if decision.agency_id is None or decision.agency_id != want.pk:
                wrong.append((category.code, regency, decision.explanation))
            decided.add(category.code)
    assert missing == []
    assert wrong == []
    assert decided == {c.code for c in categories}
