"""Exports of the inbox analysts can open: CSV and XLSX, times in the local time of the
report's province, labels in the reader's language, the holding unit and the officer. Never
the reporter: an export leaves LAPOR, and an anonymous reporter must not leave with it (no
name, e-mail, phone or account column exists here at all)."""

import io
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core import csvsafe

from .models import Channel, Kind, Status
from .workdays import zone_for

NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def zone_of(province_code: str | None) -> tuple[ZoneInfo, str]:
    """The province's zone (complaints.workdays.zone_for, Keppres 41/1987) and its name."""
    zone = zone_for(province_code)
    return zone, NAMES.get(zone.key, zone.key)


XLSX_MAX = 20_000  # rows built in the request; a larger XLSX asks for a narrower filter

TIMES = [
    ("created_at", _("Diterima")),
    ("dispatched_at", _("Didisposisikan")),
    ("response_due", _("Batas tanggapan")),
    ("first_response_at", _("Tanggapan pertama")),
    ("resolution_due", _("Batas penyelesaian")),
    ("resolved_at", _("Diselesaikan")),
    ("overdue_at", _("Terlambat sejak")),
]


def headers() -> list[str]:
    """Column titles in the active language."""
    return [
        str(h)
        for h in [
            _("Nomor"),
            _("Jenis"),
            _("Kanal"),
            _("Status"),
            _("Judul"),
            _("Kategori"),
            _("Provinsi"),
            _("Kabupaten/kota"),
            _("Instansi"),
            _("Unit yang menangani"),
            _("Petugas"),
            *[h for _f, h in TIMES],
            _("Zona waktu"),
            _("Dibuka kembali"),
            _("Nilai"),
        ]
    ]


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def rows(qs: QuerySet):
    """One list of cell values per report, in ``headers()`` order, read in chunks."""
    qs = qs.select_related(
        "category", "province", "regency", "agency", "owner_agency", "assigned_to"
    ).only(
        "tracking", "kind", "channel", "status", "title", "category__name_id",
        "category__name_en", "province__name", "regency__name", "agency__name",
        "owner_agency__name", "assigned_to__full_name", "assigned_to__username",
        *[f for f, _h in TIMES], "reopen_count", "rating", "province_id",
    )  # fmt: skip
    for r in qs.iterator(chunk_size=2000):
        zone, zone_name = zone_of(r.province_id)
        times = [getattr(r, f) for f, _h in TIMES]
        yield [
            r.tracking,
            _label(Kind, r.kind),
            _label(Channel, r.channel),
            _label(Status, r.status),
            r.title,
            str(r.category) if r.category else "",
            r.province.name if r.province else "",
            r.regency.name if r.regency else "",
            r.owner_agency.name if r.owner_agency else "",
            r.agency.name if r.agency else "",
            r.assigned_to.display_name if r.assigned_to else "",
            *[t.astimezone(zone).strftime("%Y-%m-%d %H:%M") if t else "" for t in times],
            zone_name,
            r.reopen_count,
            r.rating if r.rating is not None else "",
        ]


def csv_lines(qs: QuerySet):
    import csv

    class _Echo:
        def write(self, value):
            return value

    writer = csv.writer(_Echo())
    yield "\ufeff"  # spreadsheet programs read the file as UTF-8 with this mark
    yield writer.writerow(headers())
    for row in rows(qs):
        yield writer.writerow(csvsafe.row(row))


def xlsx_bytes(qs: QuerySet) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(_("Laporan")))
    sheet.append(headers())
    for row in rows(qs):
        sheet.append(csvsafe.row(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
