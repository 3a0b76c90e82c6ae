"""Jakarta is one autonomous province: "otonomi Provinsi DKI Jakarta diletakkan pada tingkat
provinsi" (UU 29/2007 Pasal 9 ayat (1); UU 2/2024 Pasal 3 ayat (1)). Its five administrative
cities and one administrative regency (UU 29/2007 Pasal 19) are units of the provincial
government, not governments; the province holds what regencies hold elsewhere."""

import importlib

import pytest
from django.apps import apps

from agencies.models import Agency
from tests.factories import dispatched_report, make_staff

pytestmark = pytest.mark.django_db

JAKARTA = ["3101", "3171", "3172", "3173", "3174", "3175"]


def test_no_government_for_the_administrative_cities_and_regency():
    assert not Agency.objects.filter(regency_id__in=JAKARTA, kind__in=["pemkab", "pemkot"]).exists()
    province = Agency.objects.get(slug="pemprov-31")
    regions = Agency.objects.filter(parent=province, unit_type="wilayah-administrasi")
    assert sorted(regions.values_list("regency_id", flat=True)) == JAKARTA
    assert regions.get(regency_id="3171").name == "Kota Administrasi Jakarta Pusat"
    assert all(r.kind == "unit" and r.path.startswith(province.path) for r in regions)


def test_the_province_holds_civil_registration_and_water_only_in_jakarta():
    assert Agency.objects.get(slug="pemprov-31-dinas-dukcapil").parent.slug == "pemprov-31"
    assert Agency.objects.get(slug="pemprov-31-pdam").name == (
        "Perusahaan Umum Daerah Air Minum Jaya (PAM Jaya)"
    )
    # Elsewhere KTP-el and drinking water belong to the regency or city (UU 24/2013 Pasal 7;
    # UU 23/2014 Lampiran I huruf C, SPAM).
    assert not Agency.objects.filter(slug__in=["pemprov-32-dinas-dukcapil", "pemprov-32-pdam"])
    assert Agency.objects.filter(slug="pemkot-3273-dinas-dukcapil").exists()


def test_the_data_migration_turns_an_old_city_government_into_a_unit_and_keeps_its_reports():
    """A database loaded before this change has pemkot-3171 with its own offices: the migration
    makes it the province's unit, its offices the province's city offices, and the reports
    they hold keep their holder with the province as owner."""
    province = Agency.objects.get(slug="pemprov-31")
    Agency.objects.filter(slug="pemprov-31-adm-3171").delete()  # what the new loader made
    old = Agency.objects.create(
        slug="pemkot-3171",
        name="Pemerintah Kota Administrasi Jakarta Pusat",
        kind="pemkot",
        level="regency",
        province_id="31",
        regency_id="3171",
    )
    old.path = f"{old.pk}/"
    old.save()
    units = {}
    for unit_type, name in [("dinas-kesehatan", "Dinas Kesehatan"), ("pdam", "Perumda Air Minum")]:
        unit = Agency.objects.create(
            slug=f"pemkot-3171-{unit_type}",
            name=f"{name} Kota Administrasi Jakarta Pusat",
            kind="unit",
            level="regency",
            parent=old,
            province_id="31",
            regency_id="3171",
            unit_type=unit_type,
            path="x",
        )
        unit.path = f"{old.path}{unit.pk}/"
        unit.save()
        units[unit_type] = unit
    admin = make_staff("national_admin")
    report = dispatched_report(units["dinas-kesehatan"], admin, province_id="31", regency_id="3171")
    assert report.owner_agency_id == old.pk

    migration = importlib.import_module("complaints.migrations.0009_jakarta_one_government")
    migration.forwards(apps, None)

    old.refresh_from_db()
    assert (old.kind, old.level, old.parent_id, old.slug) == (
        "unit",
        "province",
        province.pk,
        "pemprov-31-adm-3171",
    )
    assert old.path == f"{province.path}{old.pk}/" and old.depth == 1
    health = Agency.objects.get(pk=units["dinas-kesehatan"].pk)
    assert health.name == "Suku Dinas Kesehatan Kota Administrasi Jakarta Pusat"
    assert health.path == f"{old.path}{health.pk}/" and health.is_active
    assert not Agency.objects.get(pk=units["pdam"].pk).is_active  # Jakarta has PAM Jaya only
    report.refresh_from_db()
    assert report.agency_id == health.pk
    assert report.owner_agency_id == province.pk
    assert report.agency_path == health.path
    assert health in Agency.objects.within(province)
