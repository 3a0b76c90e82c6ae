"""Loads the reference data shipped in agencies/data/ (regions and central agencies) and makes a
government, with its standard work units, for every province, regency and city.

Idempotent: a second run on the same files creates and changes nothing; a run on a newer file
adds what is new and renames what was renamed. Nothing is deleted (a region that disappears
keeps its reports); retire agencies in the admin instead.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .models import Agency, District, Province, Regency

DATA_DIR = Path(__file__).resolve().parent / "data"

# Standard regional work units (OPD): unit type -> name prefix. "pdam" exists only in regencies
# and cities. The routing categories name these types.
UNIT_TYPES: dict[str, str] = {
    "dinas-pupr": "Dinas Pekerjaan Umum dan Penataan Ruang",
    "dinas-perhubungan": "Dinas Perhubungan",
    "dinas-kesehatan": "Dinas Kesehatan",
    "dinas-pendidikan": "Dinas Pendidikan",
    "dinas-dukcapil": "Dinas Kependudukan dan Pencatatan Sipil",
    "dinas-sosial": "Dinas Sosial",
    "dinas-tenaga-kerja": "Dinas Tenaga Kerja",
    "dinas-lingkungan-hidup": "Dinas Lingkungan Hidup",
    "pdam": "Perumda Air Minum",
    "dinas-perkim": "Dinas Perumahan dan Kawasan Permukiman",
    "dpmptsp": "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "dinas-pertanian": "Dinas Pertanian",
    "dinas-kelautan-perikanan": "Dinas Kelautan dan Perikanan",
    "dinas-pmd": "Dinas Pemberdayaan Masyarakat dan Desa",
    "satpol-pp": "Satuan Polisi Pamong Praja",
    "dinas-perdagangan": "Dinas Perdagangan",
    "bpbd": "Badan Penanggulangan Bencana Daerah",
    "dinas-pppa": "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
    "inspektorat": "Inspektorat",
    "bapenda": "Badan Pendapatan Daerah",
    "rsud": "Rumah Sakit Umum Daerah",
    "dinas-kehutanan": "Dinas Kehutanan",
}
# Drinking water (SPAM) and civil registration (KTP-el, KK) are held by regencies and cities,
# not provinces (UU 23/2014 Lampiran I huruf C, SPAM; huruf L; UU 24/2013 Pasal 7). Forest
# management is held by provinces, not regencies (UU 23/2014 Lampiran I huruf BB).
REGENCY_ONLY_UNITS = {"pdam", "dinas-dukcapil"}
PROVINCE_ONLY_UNITS = {"dinas-kehutanan"}
# Jakarta is one autonomous province: "otonomi Provinsi DKI Jakarta diletakkan pada tingkat
# provinsi" (UU 29/2007 Pasal 9 ayat (1); UU 2/2024 Pasal 3 ayat (1)). Its five administrative
# cities and one administrative regency (UU 29/2007 Pasal 19) are units of the provincial
# government, which therefore also holds what regencies hold elsewhere (Dukcapil; PAM Jaya).
UNDIVIDED_PROVINCES = {"31"}
UNIT_NAMES_UNDIVIDED = {
    "pdam": "Perusahaan Umum Daerah Air Minum Jaya (PAM Jaya)",
}
ADMINISTRATIVE_REGION = "wilayah-administrasi"


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, created: int, updated: int) -> None:
        self.created[name] = self.created.get(name, 0) + created
        self.updated[name] = self.updated.get(name, 0) + updated

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


def read_csv(name: str, data_dir: Path = DATA_DIR) -> list[dict[str, str]]:
    with (data_dir / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _sync(model, key: str, rows: Iterable[dict], fields: list[str]) -> tuple[int, int]:
    """Create missing rows and update changed ones, keyed by ``key``. Returns (created, updated)."""
    rows = list(rows)
    existing = {
        getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": [r[key] for r in rows]})
    }
    to_create, to_update = [], []
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            to_create.append(model(**row))
            continue
        if any(getattr(obj, f) != row[f] for f in fields):
            for f in fields:
                setattr(obj, f, row[f])
            to_update.append(obj)
    model.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=2000)
    return len(to_create), len(to_update)


def _sync_agencies(rows: list[dict], parents: dict[str, Agency] | None = None) -> tuple[int, int]:
    """Like ``_sync`` for agencies, then fills ``path`` and ``depth`` of the new ones."""
    fields = ["name", "acronym", "kind", "level", "province_id", "regency_id", "unit_type"]
    for row in rows:
        row.setdefault("acronym", "")
        row.setdefault("unit_type", "")
        row.setdefault("province_id", None)
        row.setdefault("regency_id", None)
    created, updated = _sync(Agency, "slug", rows, fields)
    if created:
        fresh = Agency.objects.filter(path="")
        for agency in fresh:
            if agency.parent_id:
                parent = (
                    parents[agency.parent_id]
                    if parents
                    else Agency.objects.get(pk=agency.parent_id)
                )
                agency.path, agency.depth = f"{parent.path}{agency.pk}/", parent.depth + 1
            else:
                agency.path, agency.depth = f"{agency.pk}/", 0
        Agency.objects.bulk_update(fresh, ["path", "depth"], batch_size=2000)
    return created, updated


def government_name(regency: Regency) -> str:
    # Regency names carry their prefix ("Kabupaten Bogor", "Kota Administrasi Jakarta Pusat").
    return f"Pemerintah {regency.name}"


@transaction.atomic
def load_reference_data(data_dir: Path = DATA_DIR, with_districts: bool = True) -> LoadResult:
    result = LoadResult()
    result.add("province", *_sync(Province, "code", read_csv("provinces.csv", data_dir), ["name"]))
    regencies = [
        {"code": r["code"], "province_id": r["province_code"], "kind": r["kind"], "name": r["name"]}
        for r in read_csv("regencies.csv", data_dir)
    ]
    result.add("regency", *_sync(Regency, "code", regencies, ["province_id", "kind", "name"]))
    if with_districts:
        districts = [
            {"code": r["code"], "regency_id": r["regency_code"], "name": r["name"]}
            for r in read_csv("districts.csv", data_dir)
        ]
        result.add("district", *_sync(District, "code", districts, ["regency_id", "name"]))

    central = [
        {
            "slug": r["slug"],
            "kind": r["kind"],
            "acronym": r["acronym"],
            "name": r["name"],
            "level": Agency.Level.NATIONAL,
        }
        for r in read_csv("agencies_central.csv", data_dir)
    ]
    result.add("agency", *_sync_agencies(central))

    governments = [
        {
            "slug": f"pemprov-{p.code}",
            "kind": Agency.Kind.PEMPROV,
            "name": f"Pemerintah Provinsi {p.name}",
            "level": Agency.Level.PROVINCE,
            "province_id": p.code,
        }
        for p in Province.objects.all()
    ]
    for r in Regency.objects.exclude(province_id__in=UNDIVIDED_PROVINCES):
        kind = Agency.Kind.PEMKOT if r.kind == Regency.Kind.KOTA else Agency.Kind.PEMKAB
        governments.append(
            {
                "slug": f"{kind}-{r.code}",
                "kind": kind,
                "name": government_name(r),
                "level": Agency.Level.REGENCY,
                "province_id": r.province_id,
                "regency_id": r.code,
            }
        )
    result.add("government", *_sync_agencies(governments))
    result.add("unit", *_load_units())
    result.add("unit", *_load_administrative_regions())
    from .offices import load_offices  # the central agencies' units and regional offices

    result.add("office", *load_offices(data_dir, sync=_sync_agencies))
    return result


def administrative_region_slug(regency_code: str) -> str:
    return f"pemprov-{regency_code[:2]}-adm-{regency_code}"


def _load_administrative_regions() -> tuple[int, int]:
    """Jakarta's administrative cities and regency, as units of the provincial government."""
    provinces = {
        a.province_id: a
        for a in Agency.objects.filter(kind="pemprov", province_id__in=UNDIVIDED_PROVINCES)
    }
    rows = [
        {
            "slug": administrative_region_slug(r.code),
            "kind": Agency.Kind.UNIT,
            "name": r.name,
            "level": Agency.Level.PROVINCE,
            "parent_id": provinces[r.province_id].pk,
            "province_id": r.province_id,
            "regency_id": r.code,
            "unit_type": ADMINISTRATIVE_REGION,
        }
        for r in Regency.objects.filter(province_id__in=provinces)
    ]
    return _sync_agencies(rows, {a.pk: a for a in provinces.values()})


def _load_units() -> tuple[int, int]:
    parents = {
        a.pk: a
        for a in Agency.objects.filter(kind__in=["pemprov", "pemkab", "pemkot"]).select_related(
            "province", "regency"
        )
    }
    rows = []
    for gov in parents.values():
        region = gov.regency.name if gov.regency_id else f"Provinsi {gov.province.name}"
        undivided = gov.province_id in UNDIVIDED_PROVINCES
        for unit_type, prefix in UNIT_TYPES.items():
            if unit_type in REGENCY_ONLY_UNITS and not gov.regency_id and not undivided:
                continue
            if unit_type in PROVINCE_ONLY_UNITS and gov.regency_id:
                continue
            name = f"{prefix} {region}"
            if undivided and unit_type in UNIT_NAMES_UNDIVIDED:
                name = UNIT_NAMES_UNDIVIDED[unit_type]
            rows.append(
                {
                    "slug": f"{gov.slug}-{unit_type}",
                    "kind": Agency.Kind.UNIT,
                    "name": name,
                    "level": gov.level,
                    "parent_id": gov.pk,
                    "province_id": gov.province_id,
                    "regency_id": gov.regency_id,
                    "unit_type": unit_type,
                }
            )
    return _sync_agencies(rows, parents)
