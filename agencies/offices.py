"""The central agencies' units and regional offices that routing sends reports to.

Two sources, both loaded idempotently by ``load_offices`` (called from ``load_reference``):

- ``agency_units.csv``: named units (a directorate general, a Kemenkes hospital), each with the
  regulation or the agency's own page it comes from;
- patterns built from a regulation that says there is one office per province or per regency
  or city (``PATTERNS``). Where no official list of names and areas is shipped here, the office
  is named by the pattern ("Kantor Pertanahan Kabupaten Lebak"): the regulation guarantees the
  office exists, its exact name may differ.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from .models import Agency, Province, Regency

# Polda Metro Jaya's area crosses provinces: DKI Jakarta and the cities and regency around it
# (Polri: polri.go.id, Polda Metro Jaya; Kabupaten Tangerang moved to Polda Banten in 2019).
METRO_JAYA_REGENCIES = {"3275", "3216", "3276", "3671", "3674"}


@dataclass(frozen=True)
class Pattern:
    agency: str  # parent agency's slug
    province_type: str  # unit type of the office per province ("" = none)
    province_name: str  # e.g. "Kepolisian Daerah {province}"
    regency_type: str
    regency_name: str  # e.g. "Kepolisian Resor {regency}"
    source: str


PATTERNS = [
    Pattern(
        "polri",
        "polda",
        "Kepolisian Daerah {province}",
        "polres",
        "Kepolisian Resor {regency}",
        "PP 23/2007 tentang Daerah Hukum Kepolisian Negara Republik Indonesia (Polda di tingkat "
        "provinsi, Polres di tingkat kabupaten/kota); pola, bukan daftar resmi",
    ),
    Pattern(
        "atr-bpn",
        "kanwil-bpn",
        "Kantor Wilayah Badan Pertanahan Nasional Provinsi {province}",
        "kantor-pertanahan",
        "Kantor Pertanahan {regency}",
        "Perpres 48/2020 tentang Badan Pertanahan Nasional dan Permen ATR/BPN 16/2020 (Kantor "
        "Wilayah di provinsi, Kantor Pertanahan di kabupaten/kota); pola, bukan daftar resmi",
    ),
    Pattern(
        "kemenag",
        "kanwil-kemenag",
        "Kantor Wilayah Kementerian Agama Provinsi {province}",
        "kantor-kemenag",
        "Kantor Kementerian Agama {regency}",
        "PMA 19/2019 tentang Organisasi dan Tata Kerja Instansi Vertikal Kementerian Agama "
        "(Kantor Wilayah di provinsi, Kantor Kementerian Agama di kabupaten/kota); pola",
    ),
    Pattern(
        "kemenpu-bina-marga",
        "bpjn",
        "Balai Pelaksanaan Jalan Nasional wilayah Provinsi {province}",
        "",
        "",
        "Permen PUPR tentang Organisasi dan Tata Kerja Balai Besar/Balai Pelaksanaan Jalan "
        "Nasional (unit pelaksana teknis Ditjen Bina Marga per wilayah provinsi); pola: nama dan "
        "pembagian wilayah resmi belum dimuat",
    ),
]


def read_units(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / "agency_units.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _row(slug, name, parent, unit_type, province=None, regency=None, acronym="") -> dict:
    return {
        "slug": slug,
        "kind": Agency.Kind.UNIT,
        "name": name,
        "acronym": acronym,
        "level": Agency.Level.NATIONAL,
        "parent_id": parent.pk,
        "province_id": province,
        "regency_id": regency,
        "unit_type": unit_type,
    }


def _province_name(pattern: Pattern, province: Province) -> str:
    if pattern.agency == "polri" and province.code == "31":
        return "Kepolisian Daerah Metro Jaya"
    name = "DKI Jakarta" if province.code == "31" else province.name
    return pattern.province_name.format(province=name)


def _regency_name(pattern: Pattern, regency: Regency) -> str:
    name = regency.name
    if pattern.agency == "polri" and regency.code[:2] == "31":
        # Polres Metro Jakarta Pusat ... (the administrative regency has Polres Kepulauan Seribu)
        name = name.replace("Kota Administrasi ", "Metro ").replace("Kabupaten Administrasi ", "")
    return pattern.regency_name.format(regency=name)


def load_offices(data_dir: Path, *, sync) -> tuple[int, int]:
    """``sync``: reference._sync_agencies, passed in so this module needs nothing above it."""
    _sync_agencies = sync
    created = updated = 0
    rows = read_units(data_dir)
    by_slug = {a.slug: a for a in Agency.objects.filter(slug__in={r["parent"] for r in rows})}
    units = [
        _row(
            r["slug"],
            r["name"],
            by_slug[r["parent"]],
            r["unit_type"],
            r["province"] or None,
            r["regency"] or None,
            r["acronym"],
        )
        for r in rows
    ]
    c, u = _sync_agencies(units, {a.pk: a for a in by_slug.values()})
    created, updated = created + c, updated + u
    provinces = list(Province.objects.all())
    regencies = list(Regency.objects.all())
    for pattern in PATTERNS:
        c, u = _load_pattern(pattern, provinces, regencies, _sync_agencies)
        created, updated = created + c, updated + u
    return created, updated


def _load_pattern(pattern: Pattern, provinces, regencies, sync) -> tuple[int, int]:
    agency = Agency.objects.get(slug=pattern.agency)
    rows = [
        _row(
            f"{pattern.agency}-{pattern.province_type}-{p.code}",
            _province_name(pattern, p),
            agency,
            pattern.province_type,
            p.code,
        )
        for p in provinces
    ]
    created, updated = sync(rows, {agency.pk: agency})
    if not pattern.regency_type:
        return created, updated
    parents = {
        a.province_id: a
        for a in Agency.objects.filter(parent=agency, unit_type=pattern.province_type)
    }
    rows = []
    for r in regencies:
        province = "31" if pattern.agency == "polri" and r.code in METRO_JAYA_REGENCIES else None
        parent = parents[province or r.province_id]
        rows.append(
            {
                **_row(
                    f"{pattern.agency}-{pattern.regency_type}-{r.code}",
                    _regency_name(pattern, r),
                    parent,
                    pattern.regency_type,
                    r.province_id,
                    r.code,
                ),
            }
        )
    c, u = sync(rows, {a.pk: a for a in parents.values()})
    return created + c, updated + u
