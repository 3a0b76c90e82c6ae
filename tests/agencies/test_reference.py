"""The reference data: every region, a government for each, central agencies, standard units,
and a loader that can run again on the same or a newer file without harm."""

import csv
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from agencies.models import Agency, District, Province, Regency
from agencies.reference import (
    ADMINISTRATIVE_REGION,
    DATA_DIR,
    PROVINCE_ONLY_UNITS,
    REGENCY_ONLY_UNITS,
    UNDIVIDED_PROVINCES,
    UNIT_TYPES,
    load_reference_data,
)

pytestmark = pytest.mark.django_db

GOVERNMENTS = ["pemprov", "pemkab", "pemkot"]


def test_every_province_and_regency_is_loaded():
    assert Province.objects.count() == 38
    assert Regency.objects.count() == 514
    assert Regency.objects.filter(kind="kabupaten").count() == 416
    assert Regency.objects.filter(kind="kota").count() == 98
    assert Province.objects.get(code="32").name == "Jawa Barat"
    bandung = Regency.objects.get(code="3273")
    assert (bandung.name, bandung.kind, bandung.province_id) == ("Kota Bandung", "kota", "32")


def test_regency_codes_start_with_their_province_code():
    for code, province in Regency.objects.values_list("code", "province_id"):
        assert code[:2] == province


def test_one_government_per_province_and_regency_of_the_right_kind():
    # Jakarta's 5 administrative cities and 1 administrative regency are not governments
    # (UU 29/2007 Pasal 9 ayat (1)): 38 provinces + 508 regencies and cities.
    assert Agency.objects.filter(kind__in=GOVERNMENTS).count() == 546
    pemprov = Agency.objects.filter(kind="pemprov")
    assert pemprov.count() == 38
    assert set(pemprov.values_list("province_id", flat=True)) == set(
        Province.objects.values_list("code", flat=True)
    )
    assert not pemprov.exclude(level="province").exists()
    assert not pemprov.filter(parent__isnull=False).exists()
    regency_govs = {a.regency_id: a for a in Agency.objects.filter(kind__in=["pemkab", "pemkot"])}
    assert len(regency_govs) == 508
    assert not Agency.objects.filter(kind__in=GOVERNMENTS, regency__province_id="31").exists()
    for regency in Regency.objects.exclude(province_id__in=UNDIVIDED_PROVINCES):
        gov = regency_govs[regency.code]
        expected = "pemkot" if regency.kind == "kota" else "pemkab"
        assert gov.kind == expected, regency
        assert gov.slug == f"{expected}-{regency.code}"
        assert gov.name == f"Pemerintah {regency.name}"
        assert gov.province_id == regency.province_id
        assert gov.level == "regency"
    assert Agency.objects.get(slug="pemkot-3273").name == "Pemerintah Kota Bandung"
    assert Agency.objects.get(slug="pemkab-3201").name == "Pemerintah Kabupaten Bogor"


def test_central_agencies():
    central = Agency.objects.filter(level="national", parent__isnull=True)
    assert central.count() == 99
    kinds = dict(central.values_list("kind").annotate(n=Count("pk")))
    assert kinds == {"kementerian": 48, "lembaga": 32, "bumn": 19}
    assert central.get(slug="kemenkes").name == "Kementerian Kesehatan"
    assert central.get(slug="bpjs-kesehatan").kind == "lembaga"
    assert not central.filter(province__isnull=False).exists()


def test_top_level_paths_are_their_own_id():
    for agency in Agency.objects.filter(parent__isnull=True):
        assert (agency.path, agency.depth) == (f"{agency.pk}/", 0)


def test_units_nest_under_their_government_with_the_parent_path_as_prefix():
    units = (
        Agency.objects.filter(kind="unit", parent__kind__in=GOVERNMENTS)
        .exclude(unit_type=ADMINISTRATIVE_REGION)
        .select_related("parent")
    )
    per_regency = len(UNIT_TYPES) - len(PROVINCE_ONLY_UNITS)
    per_province = len(UNIT_TYPES) - len(REGENCY_ONLY_UNITS)
    # Jakarta's province holds the regency units too (Dukcapil, PAM Jaya).
    assert units.count() == 37 * per_province + len(UNIT_TYPES) + 508 * per_regency
    for unit in units:
        parent = unit.parent
        assert parent.kind in GOVERNMENTS
        assert unit.path == f"{parent.path}{unit.pk}/"
        assert unit.depth == parent.depth + 1 == 1
        assert unit.root_id == parent.pk
        assert (unit.province_id, unit.regency_id, unit.level) == (
            parent.province_id,
            parent.regency_id,
            parent.level,
        )
        assert unit.slug == f"{parent.slug}-{unit.unit_type}"
    bandung = Agency.objects.get(slug="pemkot-3273")
    dinkes = Agency.objects.get(slug="pemkot-3273-dinas-kesehatan")
    assert dinkes.name == "Dinas Kesehatan Kota Bandung"
    assert dinkes in Agency.objects.within(bandung)
    assert Agency.objects.within(bandung).count() == 1 + per_regency
    assert not Agency.objects.filter(slug="pemprov-32-pdam").exists()


def test_second_run_creates_and_updates_nothing():
    before = _counts()
    out = StringIO()
    call_command("load_reference", "--no-districts", stdout=out)
    output = out.getvalue()
    assert _counts() == before
    assert "nothing to change" in output
    for line in output.splitlines():
        if " created" in line:
            assert line.split(": ", 1)[1].startswith("0 created"), line
        if " updated" in line:
            assert ", 0 updated" in line, line
    result = load_reference_data(with_districts=False)
    assert not result.changed
    assert set(result.created.values()) == {0}
    assert set(result.updated.values()) == {0}


def _counts():
    return (
        Province.objects.count(),
        Regency.objects.count(),
        District.objects.count(),
        Agency.objects.count(),
        list(Agency.objects.order_by("pk").values_list("pk", "name", "path")),
    )


def _copy_data(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    return data


def _rewrite(path, change):
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    rows = change(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_a_renamed_row_updates_the_name_on_rerun(tmp_path):
    data = _copy_data(tmp_path)

    def rename(rows):
        for row in rows:
            if row["code"] == "3273":
                row["name"] = "Kota Bandung Raya"
        return rows

    _rewrite(data / "regencies.csv", rename)
    pk_before = Agency.objects.get(slug="pemkot-3273").pk
    result = load_reference_data(data_dir=data, with_districts=False)
    assert result.updated["regency"] == 1
    assert result.updated["government"] == 1
    assert result.updated["unit"] == len(UNIT_TYPES) - len(PROVINCE_ONLY_UNITS)
    # Its Polres, land office and religious-affairs office carry the name too.
    assert result.updated["office"] == 3
    assert Agency.objects.get(slug="atr-bpn-kantor-pertanahan-3273").name == (
        "Kantor Pertanahan Kota Bandung Raya"
    )
    assert result.created == dict.fromkeys(result.created, 0)
    assert Regency.objects.get(code="3273").name == "Kota Bandung Raya"
    gov = Agency.objects.get(slug="pemkot-3273")
    assert (gov.pk, gov.name) == (pk_before, "Pemerintah Kota Bandung Raya")
    unit = Agency.objects.get(slug="pemkot-3273-dinas-kesehatan")
    assert unit.name == "Dinas Kesehatan Kota Bandung Raya"
    assert Regency.objects.get(code="3201").name == "Kabupaten Bogor"
    # And a third run on the same file changes nothing more.
    assert not load_reference_data(data_dir=data, with_districts=False).changed


def test_a_new_province_gets_a_government_and_units(tmp_path):
    data = _copy_data(tmp_path)
    _rewrite(data / "provinces.csv", lambda rows: [*rows, {"code": "99", "name": "Uji Coba"}])
    result = load_reference_data(data_dir=data, with_districts=False)
    assert result.created["province"] == 1
    assert result.created["government"] == 1
    gov = Agency.objects.get(slug="pemprov-99")
    assert gov.name == "Pemerintah Provinsi Uji Coba"
    units = Agency.objects.filter(parent=gov)
    assert units.count() == len(UNIT_TYPES) - len(REGENCY_ONLY_UNITS)
    assert all(u.path.startswith(gov.path) and u.path != gov.path for u in units)


def test_districts_load_from_a_small_file_idempotently(tmp_path):
    data = _copy_data(tmp_path)
    (data / "districts.csv").write_text(
        "code,regency_code,name\n327301,3273,Sukasari\n327302,3273,Coblong\n320101,3201,Cibinong\n",
        encoding="utf-8",
    )
    assert load_reference_data(data_dir=data).created["district"] == 3
    assert District.objects.get(code="327302").regency_id == "3273"
    again = load_reference_data(data_dir=data)
    assert (again.created["district"], again.updated["district"]) == (0, 0)
    assert not again.changed

    _rewrite(data / "districts.csv", lambda rows: [{**r, "name": r["name"].upper()} for r in rows])
    renamed = load_reference_data(data_dir=data)
    assert (renamed.created["district"], renamed.updated["district"]) == (0, 3)
    assert District.objects.get(code="320101").name == "CIBINONG"


def test_the_real_district_file_loads_every_district_under_its_regency():
    result = load_reference_data()
    assert result.created["district"] == 7285
    assert District.objects.count() == 7285
    for code, regency in District.objects.values_list("code", "regency_id"):
        assert code[:4] == regency
    assert District.objects.get(code="327301").regency.name == "Kota Bandung"
