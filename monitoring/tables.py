"""What the dashboards show and how: the columns and their labels, the period form, the rows
of a table (sorted, with their links and bands), CSV, and the chart series. The pages in
``views.py`` put these together."""

import csv
import datetime as dt

from django import forms
from django.db.models import Q
from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from core import csvsafe
from core.inputs import date_in_range

from . import selectors
from .behind import COLUMN_FIGURES
from .selectors import Indicators, Range

# (key, heading, format). Keys are Indicators.as_row() keys; the order is the page's. SP4N-LAPOR!'s
# own figure comes first, named as SP4N names it, then the finer figures beside it.
COLUMNS = [
    ("received", gettext_lazy("Diterima"), "int"),
    ("follow_up_percent", gettext_lazy("Tindak lanjut (SP4N)"), "percent"),
    ("finished", gettext_lazy("Selesai"), "int"),
    ("in_process", gettext_lazy("Dalam proses"), "int"),
    ("completion_rate", gettext_lazy("Tingkat penyelesaian"), "rate"),
    ("response_rate", gettext_lazy("Ditanggapi"), "rate"),
    ("on_time_rate", gettext_lazy("Tepat waktu"), "rate"),
    ("overdue", gettext_lazy("Terlambat"), "int"),
    ("verify_rate", gettext_lazy("Verifikasi tepat waktu"), "rate"),
    ("verify_overdue", gettext_lazy("Terlambat verifikasi"), "int"),
    ("median_response_days", gettext_lazy("Median hari ke tanggapan"), "days"),
    ("median_resolution_days", gettext_lazy("Median hari ke selesai"), "days"),
    ("satisfaction", gettext_lazy("Kepuasan (1-5)"), "score"),
    ("dispute_rate", gettext_lazy("Sanggahan"), "rate"),
    ("connectedness", gettext_lazy("Keterhubungan"), "rate"),
    ("activity", gettext_lazy("Keaktifan"), "rate"),
]
PUBLIC_COLUMNS = [
    c
    for c in COLUMNS
    if c[0]
    in {
        "received",
        "follow_up_percent",
        "finished",
        "in_process",
        "completion_rate",
        "response_rate",
        "on_time_rate",
        "median_response_days",
        "median_resolution_days",
        "satisfaction",
    }
]
# SP4N's own figures, shown first and larger; the others are the finer figures beside them.
HEADLINE = {"received", "follow_up_percent", "finished", "in_process"}
FIGURE_IDS = {"follow_up_percent": "follow-up", "completion_rate": "completion"}
# One line per figure, shown on every page that shows it (monitoring/partials/figures.html).
DEFINITIONS = {
    "received": gettext_lazy(
        "Semua laporan yang masuk dalam periode, apa pun statusnya, termasuk yang belum "
        "diverifikasi."
    ),
    "follow_up_percent": gettext_lazy(
        "Persentase tindak lanjut SP4N-LAPOR!: laporan selesai ditambah laporan dalam proses, "
        "dibagi laporan diterima. Laporan yang belum diverifikasi dihitung belum "
        "ditindaklanjuti."
    ),
    "finished": gettext_lazy("Laporan berstatus selesai ditanggapi atau ditutup."),
    "in_process": gettext_lazy("Laporan yang sudah ditanggapi instansi dan masih ditindaklanjuti."),
    "completion_rate": gettext_lazy("Laporan selesai dibagi laporan yang didisposisikan."),
    "response_rate": gettext_lazy(
        "Laporan yang didisposisikan dan sudah mendapat tanggapan pertama."
    ),
    "on_time_rate": gettext_lazy(
        "Laporan yang ditanggapi dalam setiap batas waktu yang sudah jatuh tempo, dibagi "
        "laporan yang sudah ditanggapi atau terlambat; laporan terlambat tidak pernah tepat "
        "waktu."
    ),
    "overdue": gettext_lazy(
        "Laporan di instansi yang melewati batas waktu tanggapan pertama atau penyelesaian, "
        "seperti filter Terlambat di kotak masuk."
    ),
    "verify_rate": gettext_lazy(
        "Laporan yang diverifikasi dalam 3 hari kerja sejak diterima, dibagi laporan diterima."
    ),
    "verify_overdue": gettext_lazy(
        "Laporan yang masih menunggu verifikasi (triase nasional atau instansi yang dituju) "
        "melewati batas 3 hari kerja, seperti filter Terlambat verifikasi di triase."
    ),
    "median_response_days": gettext_lazy("Median hari dari disposisi ke tanggapan pertama."),
    "median_resolution_days": gettext_lazy("Median hari dari disposisi ke selesai."),
    "satisfaction": gettext_lazy("Rata-rata nilai pelapor, 1 sampai 5."),
    "dispute_rate": gettext_lazy("Laporan selesai yang disanggah pelapor dan dibuka kembali."),
    "connectedness": gettext_lazy(
        "Keterhubungan SP4N-LAPOR!: instansi dengan SK pengelola pengaduan yang masih berlaku "
        "dan admin instansi aktif, dibagi semua instansi."
    ),
    # Definition of LAPOR (shared/DESIGN.md, Indicators), not SP4N's: SP4N-LAPOR!'s own
    # definition of keaktifan was searched for (its 2016 manual for administrators, its monthly
    # reports, PermenPANRB 46/2020's road map, "tingkat kepatuhan", "indeks pengelolaan
    # pengaduan", KemenPANRB's SP4N evaluations) and not found, so the page says whose it is.
    "activity": gettext_lazy(
        "Keaktifan (definisi LAPOR; definisi resmi SP4N-LAPOR! tidak kami temukan): instansi "
        "terhubung yang petugas atau adminnya masuk atau menindaklanjuti laporan dalam 30 hari "
        "terakhir, dibagi instansi terhubung."
    ),
}
STATUS_LABELS = {
    "submitted": gettext_lazy("Diterima"),
    "needs_info": gettext_lazy("Menunggu kelengkapan"),
    "verified": gettext_lazy("Terverifikasi"),
    "dispatched": gettext_lazy("Didisposisikan"),
    "in_progress": gettext_lazy("Ditindaklanjuti"),
    "resolved": gettext_lazy("Selesai ditanggapi"),
    "closed": gettext_lazy("Ditutup"),
    "rejected": gettext_lazy("Ditolak"),
    "merged": gettext_lazy("Digabungkan"),
    "archived": gettext_lazy("Diarsipkan"),
}
BAND_LABELS = {
    "good": gettext_lazy("Baik"),
    "fair": gettext_lazy("Cukup"),
    "poor": gettext_lazy("Kurang"),
}
RANK_LEVELS = {
    "pusat": (gettext_lazy("Kementerian dan lembaga"), Q(province__isnull=True)),
    "provinsi": (gettext_lazy("Pemerintah provinsi"), Q(kind=Agency.Kind.PEMPROV)),
    "kabkota": (
        gettext_lazy("Pemerintah kabupaten/kota"),
        Q(kind__in=[Agency.Kind.PEMKAB, Agency.Kind.PEMKOT]),
    ),
}
RANK_MINIMUM = 10  # dispatched reports an agency needs in the period to be ranked
RANK_SIZE = 10
PUBLIC_CACHE_SECONDS = 300


# --- period ---------------------------------------------------------------------------------


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Periode"),
        required=False,
        choices=[
            ("year", gettext_lazy("Tahun ini")),
            ("month", gettext_lazy("Bulan ini")),
            ("12m", gettext_lazy("12 bulan terakhir")),
            ("custom", gettext_lazy("Rentang tanggal")),
        ],
    )
    start = forms.DateField(label=gettext_lazy("Dari"), required=False, validators=[date_in_range])
    end = forms.DateField(label=gettext_lazy("Sampai"), required=False, validators=[date_in_range])

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Isi tanggal mulai dan tanggal akhir."))
            if start > end:
                raise forms.ValidationError(_("Tanggal mulai harus sebelum tanggal akhir."))
            if (end - start).days > 366 * 5:
                raise forms.ValidationError(_("Rentang paling panjang lima tahun."))
        return data

    def range(self) -> Range:
        today = timezone.localdate()
        period = self.cleaned_data.get("period") if self.is_valid() else ""
        if period == "month":
            return Range.this_month(today)
        if period == "12m":
            first = today.replace(day=1)
            for _ in range(11):
                first = (first - dt.timedelta(days=1)).replace(day=1)
            return Range(first, today, "12m")
        if period == "custom":
            return Range(self.cleaned_data["start"], self.cleaned_data["end"], "custom")
        return Range.this_year(today)


def refused_status(form: PeriodForm) -> int:
    """400 for a page asked for a period it refused (year 9999, an end before the start): the
    page still shows, with the default period and the message next to the field."""
    return 400 if form.is_bound and form.errors else 200


def period_of(request) -> tuple[Range, PeriodForm]:
    form = PeriodForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    return form.range() if form.is_bound else Range.this_year(), form


# --- table rows -----------------------------------------------------------------------------


def display(value, kind: str) -> str:
    if value is None:
        return "-"
    # Rounded here: Django's number_format cuts decimals off (66.67 would show as 66,6 while
    # the CSV, rounding, says 66.7).
    if kind == "rate":
        return f"{formats.number_format(round(value * 100, 1), 1)}%"
    if kind == "percent":  # already a percentage, cut to one decimal as SP4N publishes it
        return f"{formats.number_format(value, 1)}%"
    if kind == "score":
        return formats.number_format(round(value, 2), 2)
    return formats.number_format(value, 0, force_grouping=True)


def csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "rate":
        return f"{value * 100:.1f}"
    if kind == "percent":
        return f"{value:.1f}"
    if kind == "score":
        return f"{value:.2f}"
    return str(value)


def table_row(
    key, name: str, ind: Indicators, url: str = "", band: str = "", place: dict | None = None
) -> dict:
    """One row of a table. ``place`` says which reports its figures count (monitoring.behind:
    ``provinsi``, ``instansi``, ``unit``), for the links from each number to those reports."""
    values = ind.as_row()
    return {
        "key": key,
        "name": name,
        "url": url,
        "band": band,
        "band_label": BAND_LABELS.get(band, ""),
        "values": values,
        "place": place,
    }


def _href(links, column: str, place, values: dict | None = None) -> str:
    """The link from a number to its reports; none for the public, a figure that counts no
    reports (a rate of a numerator, median days), or no reports at all (0, "-")."""
    if links is None or column not in COLUMN_FIGURES:
        return ""
    if values is not None and not values.get(column):
        return ""
    return links.href(COLUMN_FIGURES[column], place)


def whole_row(
    key, name: str, ind: Indicators, band: str = "", place: dict | None = None, links=None
) -> dict:
    """The row of the headline figures, formatted (table rows are formatted by build_table, only
    the columns shown: formatting every figure of every row twice cost a page ~20 ms)."""
    row = table_row(key, name, ind, band=band, place=place)
    row["show"] = {k: display(row["values"].get(k), kind) for k, _label, kind in COLUMNS}
    public = {c[0] for c in PUBLIC_COLUMNS}
    row["figures"] = [
        {
            "key": k,
            "testid": FIGURE_IDS.get(k, k.replace("_", "-")),
            "label": label,
            "value": row["show"][k],
            "href": _href(links, k, place, row["values"]),
            "definition": DEFINITIONS[k],
            "public": k in public,
            "headline": k in HEADLINE,
        }
        for k, label, _kind in COLUMNS
    ]
    return row


def sorted_rows(
    rows: list[dict], request, columns, default: str = "received"
) -> tuple[list, str, str]:
    keys = {c[0] for c in columns}
    sort = request.GET.get("urut", default)
    if sort != "name" and sort not in keys:
        sort = default
    direction = "asc" if request.GET.get("arah") == "asc" else "desc"
    if sort == "name":
        rows = sorted(rows, key=lambda r: r["name"].lower(), reverse=direction == "desc")
    else:
        present = [r for r in rows if r["values"].get(sort) is not None]
        missing = [r for r in rows if r["values"].get(sort) is None]
        present.sort(key=lambda r: (r["values"][sort], r["name"]), reverse=direction == "desc")
        rows = present + sorted(missing, key=lambda r: r["name"])  # no figure: always last
    return rows, sort, direction


def build_table(request, rows, columns, *, default="received", first="", links=None) -> dict:
    """The table's heads (sort links) and rows; with ``links`` (monitoring.behind.Links) each
    number links to the reports it counts, where the viewer may open them all."""
    rows, sort, direction = sorted_rows(rows, request, columns, default)
    query = request.GET.copy()
    for key in ("urut", "arah", "format", "tabel"):
        query.pop(key, None)
    base = query.urlencode()
    heads = []
    for key, label, _kind in [("name", first or _("Nama"), ""), *columns]:
        next_dir = "asc" if sort == key and direction == "desc" else "desc"
        heads.append(
            {
                "key": key,
                "label": label,
                "href": f"?{base + '&' if base else ''}urut={key}&arah={next_dir}",
                "aria": (
                    ("descending" if direction == "desc" else "ascending") if sort == key else ""
                ),
            }
        )
    for row in rows:
        row["cells"] = [display(row["values"].get(k), kind) for k, _label, kind in columns]
        row["linked"] = [
            {"text": text, "href": _href(links, k, row.get("place"), row["values"])}
            for text, (k, _label, _kind) in zip(row["cells"], columns, strict=True)
        ]
    return {"heads": heads, "rows": rows, "columns": columns}


def csv_response(filename: str, tables: list[tuple[str, dict]], period: Range) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # spreadsheet programs then read the file as UTF-8
    writer = csv.writer(response)
    for title, table in tables:
        columns = table["columns"]
        writer.writerow([title, f"{period.start.isoformat()}/{period.end.isoformat()}"])
        writer.writerow([head["label"] for head in table["heads"]] + [_("Predikat")])
        for row in table["rows"]:
            writer.writerow(
                [csvsafe.cell(row["name"])]
                + [csv_value(row["values"].get(k), kind) for k, _label, kind in columns]
                + [row["band_label"]]
            )
        writer.writerow([])
    return response


def status_chart(ind: Indicators) -> list:
    return [[str(STATUS_LABELS[s]), ind.status.get(s, 0)] for s in selectors.STATUSES]


def status_table(ind: Indicators, links=None, place: dict | None = None) -> list:
    """(label, count, href to those reports) per status, for the table beside the chart."""
    return [
        (STATUS_LABELS[s], n, links.href(f"status_{s}", place) if links and n else "")
        for s, n in ((s, ind.status.get(s, 0)) for s in selectors.STATUSES)
    ]


def trend_points(trend: list) -> list:
    return [
        [formats.date_format(month, "M Y"), received, completed]
        for month, received, completed in trend
    ]


def common_context(request, period, form, **extra) -> dict:
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("tabel", None)
    base = query.urlencode()
    return {
        "period": period,
        "period_form": form,
        "csv_url": f"?{base + '&' if base else ''}format=csv",
        **extra,
    }
