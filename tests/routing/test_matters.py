"""Matters within categories: each cites its legal basis and names who answers; a rule for the
matter beats one for the category; an office target finds the office serving the place; the
loader keeps the shipped rules in step with the files and changes nothing on a second run."""

import csv
import shutil

import pytest

from agencies.models import Agency
from routing.models import Category, Matter, RoutingRule
from routing.reference import DATA_DIR, MATTER_NOTE, load_categories_and_rules
from routing.selectors import decide

pytestmark = pytest.mark.django_db

LEBAK = {"province_code": "36", "regency_code": "3602"}


def slug(decision) -> str | None:
    return Agency.objects.get(pk=decision.agency_id).slug if decision.agency_id else None


def test_every_matter_cites_its_legal_basis_and_every_category_has_one_default():
    matters = list(Matter.objects.select_related("category", "agency"))
    assert len(matters) >= 70
    for m in matters:
        assert "UU " in m.legal_basis or "PP " in m.legal_basis or "Perpres" in m.legal_basis, m
        assert (m.agency is not None) == (m.target in ("agency", "office")), m
    defaults = {}
    for m in matters:
        if m.is_default:
            assert m.category.code not in defaults, m.category
            defaults[m.category.code] = m
    assert set(defaults) == set(
        Category.objects.exclude(code="lainnya").values_list("code", flat=True)
    )


def test_the_explanation_names_the_legal_basis():
    d = decide(matter="sma-smk-slb", kind="complaint", province_code="32", regency_code="3205")
    assert slug(d) == "pemprov-32-dinas-pendidikan"
    assert "Dasar hukum: UU 23/2014 Lampiran I huruf A" in d.explanation
    assert d.legal_basis.startswith("UU 23/2014") and d.matter_id is not None


def test_a_matter_of_another_category_is_ignored():
    roads = Category.objects.get(code="infrastruktur")
    d = decide(category_id=roads.pk, matter="sma-smk-slb", kind="complaint", **LEBAK)
    assert slug(d) == "pemkab-3602-dinas-pupr" and d.matter_id is None


def test_a_matter_rule_beats_a_regency_rule_for_the_whole_category():
    roads = Category.objects.get(code="infrastruktur")
    RoutingRule.objects.create(
        category=roads,
        regency_id="3602",
        province_id="36",
        target="regency_government",
        unit_type="bpbd",
    )
    assert slug(decide(category_id=roads.pk, kind="complaint", **LEBAK)) == "pemkab-3602-bpbd"
    d = decide(category_id=roads.pk, matter="jalan-nasional", kind="complaint", **LEBAK)
    assert slug(d) == "kemenpu-bina-marga-bpjn-36"


def test_an_office_target_falls_back_from_regency_to_province_to_the_agency():
    def police(**region):
        return slug(decide(matter="laporan-polisi", kind="complaint", **region))

    assert police(**LEBAK) == "polri-polres-3602"
    Agency.objects.filter(slug="polri-polres-3602").update(is_active=False)
    assert police(**LEBAK) == "polri-polda-36"
    assert police(province_code="36", regency_code=None) == "polri-polda-36"
    Agency.objects.filter(slug="polri-polda-36").update(is_active=False)
    assert police(**LEBAK) == "polri"
    # Depok is in Jawa Barat but its Polres belongs to Polda Metro Jaya.
    assert Agency.objects.get(slug="polri-polres-3276").parent.slug == "polri-polda-31"


def test_loading_twice_changes_nothing_and_a_changed_row_updates_its_rule(tmp_path):
    assert not any(load_categories_and_rules().values())
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "matters.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["code"] == "jalan-tol":
            row["target"], row["agency"] = "agency", "jasamarga"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    counts = load_categories_and_rules(data)
    assert (counts["matter_updated"], counts["rule_updated"], counts["rule"]) == (1, 1, 0)
    rule = RoutingRule.objects.get(matter__code="jalan-tol", note=MATTER_NOTE)
    assert rule.target_agency.slug == "jasamarga"
    assert not any(load_categories_and_rules(data).values())


def test_the_rules_page_tries_a_sample_with_a_matter(client, cast):
    client.force_login(cast.national)
    lebak = Agency.objects.get(slug="pemkab-3602")
    matter = Matter.objects.get(code="sertifikat-pendaftaran-tanah")
    page = client.get(
        "/triase/aturan/",
        {"matter": matter.pk, "kind": "complaint", "province": "36", "regency": lebak.regency_id},
    )
    assert page.status_code == 200
    assert "Kantor Pertanahan Kabupaten Lebak" in page.content.decode()
    wrong = client.get(
        "/triase/aturan/",
        {
            "category": Category.objects.get(code="kesehatan").pk,
            "matter": matter.pk,
            "kind": "complaint",
            "province": "36",
        },
    )
    assert wrong.status_code == 200
    assert "Urusan ini bukan bagian dari kategori itu." in wrong.content.decode()
