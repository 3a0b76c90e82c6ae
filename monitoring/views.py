"""Dashboards (``/pantau/``) and the public transparency page (``/statistik/``).

Every figure comes from the summary rows through ``monitoring.selectors``; no view reads the
reports table, so a page costs the same few queries at ten thousand or ten million reports.
Each table can be sorted by any column through links (no JavaScript needed) and downloaded as
CSV with the same numbers; charts are drawn by Chart.js from static/ with their numbers in a
table beside them."""

import csv
import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agencies.models import Agency, Province
from agencies.scope import scope_for
from lapor import csvsafe
from lapor.inputs import date_in_range

from . import selectors
from .selectors import Indicators, Range

# (key, heading, format). Keys are Indicators.as_row() keys; the order is the page's.
COLUMNS = [
    ("received", gettext_lazy("Diterima"), "int"),
    ("follow_up_rate", gettext_lazy("Ditindaklanjuti"), "rate"),
    ("completion_rate", gettext_lazy("Selesai"), "rate"),
    ("on_time_rate", gettext_lazy("Tepat waktu"), "rate"),
    ("median_response_days", gettext_lazy("Median hari ke tanggapan"), "days"),
    ("median_resolution_days", gettext_lazy("Median hari ke selesai"), "days"),
    ("satisfaction", gettext_lazy("Kepuasan (1-5)"), "score"),
    ("dispute_rate", gettext_lazy("Sanggahan"), "rate"),
    ("connectedness", gettext_lazy("Keterhubungan"), "rate"),
    ("activity", gettext_lazy("Keaktifan"), "rate"),
    ("overdue", gettext_lazy("Terlambat"), "int"),
]
PUBLIC_COLUMNS = [
    c
    for c in COLUMNS
    if c[0]
    in {
        "received",
        "follow_up_rate",
        "completion_rate",
        "on_time_rate",
        "median_response_days",
        "median_resolution_days",
        "satisfaction",
    }
]
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


def _period(request) -> tuple[Range, PeriodForm]:
    form = PeriodForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    return form.range() if form.is_bound else Range.this_year(), form


# --- table rows -----------------------------------------------------------------------------


def _display(value, kind: str) -> str:
    if value is None:
        return "-"
    # Rounded here: Django's number_format cuts decimals off (66.67 would show as 66,6 while
    # the CSV, rounding, says 66.7).
    if kind == "rate":
        return f"{formats.number_format(round(value * 100, 1), 1)}%"
    if kind == "score":
        return formats.number_format(round(value, 2), 2)
    return formats.number_format(value, 0, force_grouping=True)


def _csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "rate":
        return f"{value * 100:.1f}"
    if kind == "score":
        return f"{value:.2f}"
    return str(value)


def _row(key, name: str, ind: Indicators, url: str = "", band: str = "") -> dict:
    values = ind.as_row()
    return {
        "key": key,
        "name": name,
        "url": url,
        "band": band,
        "band_label": BAND_LABELS.get(band, ""),
        "values": values,
    }


def _whole(key, name: str, ind: Indicators, band: str = "") -> dict:
    """The row of the headline figures, formatted (table rows are formatted by _table, only
    the columns shown: formatting every figure of every row twice cost a page ~20 ms)."""
    row = _row(key, name, ind, band=band)
    row["show"] = {k: _display(row["values"].get(k), kind) for k, _label, kind in COLUMNS}
    return row


def _sorted(rows: list[dict], request, columns, default: str = "received") -> tuple[list, str, str]:
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


def _table(request, rows, columns, *, default="received", first="") -> dict:
    rows, sort, direction = _sorted(rows, request, columns, default)
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
        row["cells"] = [_display(row["values"].get(k), kind) for k, _label, kind in columns]
    return {"heads": heads, "rows": rows, "columns": columns}


def _csv(filename: str, tables: list[tuple[str, dict]], period: Range) -> HttpResponse:
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
                + [_csv_value(row["values"].get(k), kind) for k, _label, kind in columns]
                + [row["band_label"]]
            )
        writer.writerow([])
    return response


def _status_chart(ind: Indicators) -> list:
    return [[str(STATUS_LABELS[s]), ind.status.get(s, 0)] for s in selectors.STATUSES]


def _trend(trend: list) -> list:
    return [
        [formats.date_format(month, "M Y"), received, completed]
        for month, received, completed in trend
    ]


def _common(request, period, form, **extra) -> dict:
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


# --- access ---------------------------------------------------------------------------------


def _provinces_readable(user) -> frozenset | None:
    """None for national readers (everything), else the provinces a supervisor watches."""
    scope = scope_for(user)
    if scope.national_admin or scope.ombudsman:
        return None
    if scope.province_codes:
        return scope.province_codes
    raise PermissionDenied


# --- pages ----------------------------------------------------------------------------------


@login_required
@require_GET
def national(request):
    provinces_allowed = _provinces_readable(request.user)
    if provinces_allowed is not None:
        return redirect("monitoring:province", code=sorted(provinces_allowed)[0])
    period, form = _period(request)
    by_province = selectors.indicators_by(grain="P", by="province", period=period)
    governments = list(selectors.regional_agencies().only("pk", "province_id"))
    central = list(Agency.objects.top_level().filter(province__isnull=True).only("pk", "name"))
    flags = selectors.connectivity(governments + central)  # once for both tables
    selectors.attach_connectivity(
        by_province, governments, key=lambda a: a.province_id, flags=flags
    )
    whole = selectors.total(by_province)
    provinces = list(Province.objects.order_by("name"))
    rows = [
        _row(
            p.code,
            p.name,
            by_province.get(p.code, Indicators()),
            url=reverse("monitoring:province", args=[p.code]),
        )
        for p in provinces
    ]
    unlocated = by_province.get("")
    if unlocated and unlocated.received:
        rows.append(_row("", _("Tanpa provinsi"), unlocated))

    by_owner = selectors.indicators_by(
        grain="O", by="owner", period=period, where=Q(owner__in=[a.pk for a in central])
    )
    selectors.attach_connectivity(by_owner, central, key=lambda a: a.pk, flags=flags)
    central_rows = [
        _row(a.pk, a.name, by_owner[a.pk], url=reverse("monitoring:agency", args=[a.pk]))
        for a in central
        if by_owner.get(a.pk) and (by_owner[a.pk].received or by_owner[a.pk].connected)
    ]
    table = _table(request, rows, COLUMNS, first=_("Provinsi"))
    central_table = _table(request, central_rows, COLUMNS, first=_("Instansi"))
    if request.GET.get("format") == "csv":
        return _csv(
            f"lapor-nasional-{period.start}-{period.end}.csv",
            [(_("Provinsi"), table), (_("Kementerian dan lembaga"), central_table)],
            period,
        )
    chart_rows = sorted(
        (r for r in rows if r["values"]["completion_rate"] is not None),
        key=lambda r: -r["values"]["completion_rate"],
    )
    context = _common(
        request,
        period,
        form,
        title=_("Pemantauan nasional"),
        whole=_whole("all", _("Nasional"), whole),
        table=table,
        central_table=central_table,
        status_chart=_status_chart(whole),
        completion_chart=[
            [r["name"], round(r["values"]["completion_rate"] * 100, 1)] for r in chart_rows
        ],
        trend_chart=_trend(selectors.monthly_trend(grain="P", months=12)),
    )
    return render(request, "monitoring/national.html", context)


@login_required
@require_GET
def province(request, code):
    provinces_allowed = _provinces_readable(request.user)
    if provinces_allowed is not None and code not in provinces_allowed:
        raise PermissionDenied
    place = get_object_or_404(Province, code=code)
    period, form = _period(request)
    governments = sorted(
        selectors.regional_agencies(code).only("pk", "name", "kind", "province_id"),
        key=lambda a: (a.kind != Agency.Kind.PEMPROV, a.kind == Agency.Kind.BUMD, a.name),
    )
    gov_ids = [a.pk for a in governments]
    by_owner = selectors.indicators_by(
        grain="O", by="owner", period=period, where=Q(owner__in=gov_ids)
    )
    flags = selectors.connectivity(governments)
    selectors.attach_connectivity(by_owner, governments, key=lambda a: a.pk, flags=flags)
    thresholds = selectors.bands()
    rows = []
    for a in governments:
        ind = by_owner[a.pk]
        band = selectors.band_for(ind, thresholds) if a.kind != Agency.Kind.BUMD else ""
        rows.append(_row(a.pk, a.name, ind, reverse("monitoring:agency", args=[a.pk]), band))

    # Central agencies and others that handle reports from this province.
    others = selectors.indicators_by(
        grain="O",
        by="owner",
        period=period,
        where=Q(province=code) & ~Q(owner__in=gov_ids) & ~Q(owner=0),
    )
    names = dict(Agency.objects.filter(pk__in=list(others)).values_list("pk", "name"))
    other_rows = [
        _row(pk, names.get(pk, str(pk)), ind, reverse("monitoring:agency", args=[pk]))
        for pk, ind in others.items()
        if ind.received
    ]
    here = selectors.indicators_by(
        grain="P", by="province", period=period, where=Q(province=code)
    ).get(code, Indicators())
    selectors.attach_connectivity(
        {code: here}, governments, key=lambda a: a.province_id, flags=flags
    )

    table = _table(request, rows, COLUMNS, first=_("Pemerintah daerah"))
    other_table = _table(request, other_rows, COLUMNS, first=_("Instansi"))
    if request.GET.get("format") == "csv":
        return _csv(
            f"lapor-provinsi-{code}-{period.start}-{period.end}.csv",
            [(place.name, table), (_("Instansi lain"), other_table)],
            period,
        )
    context = _common(
        request,
        period,
        form,
        title=place.name,
        place=place,
        back=None if provinces_allowed else reverse("monitoring:national"),
        whole=_whole(code, place.name, here, band=selectors.band_for(here, thresholds)),
        table=table,
        other_table=other_table,
        status_chart=_status_chart(here),
        completion_chart=[
            [r["name"].removeprefix("Pemerintah "), round(r["values"]["completion_rate"] * 100, 1)]
            for r in rows
            if r["values"]["completion_rate"] is not None
        ],
        trend_chart=_trend(selectors.monthly_trend(grain="P", months=12, where=Q(province=code))),
    )
    return render(request, "monitoring/province.html", context)


@login_required
@require_GET
def agency(request, pk):
    scope = scope_for(request.user)
    subject = get_object_or_404(Agency.objects.select_related("province"), pk=pk)
    if subject.parent_id:
        root = int(subject.path.split("/", 1)[0])
        return redirect(reverse("monitoring:agency", args=[root]) + f"#unit-{subject.pk}")
    allowed = (
        scope.national_admin
        or scope.ombudsman
        or (subject.province_id and subject.province_id in scope.province_codes)
        or subject.pk in scope.admin_agency_ids
    )
    if not allowed:
        raise PermissionDenied
    period, form = _period(request)
    whole = selectors.total(
        selectors.indicators_by(grain="O", by="owner", period=period, where=Q(owner=pk))
    )
    selectors.attach_connectivity({pk: whole}, [subject], key=lambda a: a.pk)
    by_holder = selectors.indicators_by(grain="H", by="holder", period=period, where=Q(owner=pk))
    units = dict(
        Agency.objects.filter(Q(pk__in=list(by_holder)) | Q(parent=subject))
        .values_list("pk", "name")
        .order_by()
    )
    rows = []
    for unit_pk, name in units.items():
        ind = by_holder.get(unit_pk, Indicators())
        label = _("%(name)s (langsung)") % {"name": name} if unit_pk == pk else name
        rows.append(_row(unit_pk, label, ind))
    by_province = selectors.indicators_by(
        grain="O", by="province", period=period, where=Q(owner=pk)
    )
    province_names = dict(Province.objects.values_list("code", "name"))
    province_rows = [
        _row(code, province_names.get(code, _("Tanpa provinsi")), ind)
        for code, ind in by_province.items()
        if ind.received
    ]
    table = _table(request, rows, COLUMNS, first=_("Unit kerja"))
    province_table = _table(request, province_rows, COLUMNS, first=_("Provinsi"))
    if request.GET.get("format") == "csv":
        return _csv(
            f"lapor-instansi-{pk}-{period.start}-{period.end}.csv",
            [(subject.name, table), (_("Per provinsi"), province_table)],
            period,
        )
    back = None
    if scope.national_admin or scope.ombudsman or subject.province_id in scope.province_codes:
        back = (
            reverse("monitoring:province", args=[subject.province_id])
            if subject.province_id
            else reverse("monitoring:national")
        )
    context = _common(
        request,
        period,
        form,
        title=subject.name,
        subject=subject,
        back=back,
        whole=_whole(pk, subject.name, whole, band=selectors.band_for(whole, selectors.bands())),
        table=table,
        province_table=province_table if len(province_rows) > 1 else None,
        status_chart=_status_chart(whole),
        trend_chart=_trend(selectors.monthly_trend(grain="O", months=12, where=Q(owner=pk))),
    )
    return render(request, "monitoring/agency.html", context)


@login_required
@require_GET
def rankings(request):
    provinces_allowed = _provinces_readable(request.user)
    level = request.GET.get("tingkat", "kabkota")
    if level not in RANK_LEVELS:
        raise Http404
    if provinces_allowed is not None and level == "pusat":
        level = "kabkota"
    period, form = _period(request)
    label, q = RANK_LEVELS[level]
    agencies = Agency.objects.top_level().active().filter(q).only("pk", "name", "province_id")
    if provinces_allowed is not None:
        agencies = agencies.filter(province_id__in=provinces_allowed)
    agencies = list(agencies)
    by_owner = selectors.indicators_by(
        grain="O", by="owner", period=period, where=Q(owner__in=[a.pk for a in agencies])
    )
    ranked = [
        _row(a.pk, a.name, by_owner[a.pk], reverse("monitoring:agency", args=[a.pk]))
        for a in agencies
        if a.pk in by_owner and by_owner[a.pk].m("dispatched") >= RANK_MINIMUM
    ]
    boards = []
    for key, heading in (
        ("completion_rate", _("Tingkat penyelesaian")),
        ("on_time_rate", _("Ketepatan waktu")),
    ):
        scored = [r for r in ranked if r["values"][key] is not None]
        scored.sort(key=lambda r: (-r["values"][key], -r["values"]["received"], r["name"]))
        best = [{**r, "rank": i + 1} for i, r in enumerate(scored[:RANK_SIZE])]
        worst_start = max(len(scored) - RANK_SIZE, len(best))
        worst = [{**r, "rank": i + 1} for i, r in enumerate(scored)][worst_start:][::-1]
        for r in best + worst:
            r["score"] = _display(r["values"][key], "rate")
        boards.append({"key": key, "heading": heading, "best": best, "worst": worst})
    table = _table(request, ranked, COLUMNS, default="completion_rate", first=_("Instansi"))
    if request.GET.get("format") == "csv":
        name = f"lapor-peringkat-{level}-{period.start}-{period.end}.csv"
        return _csv(name, [(label, table)], period)
    context = _common(
        request,
        period,
        form,
        title=_("Peringkat"),
        level=level,
        levels=[
            (key, value[0])
            for key, value in RANK_LEVELS.items()
            if provinces_allowed is None or key != "pusat"
        ],
        level_label=label,
        boards=boards,
        table=table,
        minimum=RANK_MINIMUM,
        back=reverse("monitoring:national"),
    )
    return render(request, "monitoring/rankings.html", context)


@require_GET
def public(request):
    """National and per-province aggregates for anyone: counts and rates only, never a report's
    content. The figures are cached for five minutes (the page itself is not: it carries the
    visitor's CSRF token for the language switch)."""
    period, form = _period(request)
    lang = (get_language() or "id")[:2]
    key = f"statistik:{lang}:{period.start}:{period.end}"
    data = cache.get(key)
    if data is None:
        by_province = selectors.indicators_by(grain="P", by="province", period=period)
        whole = selectors.total(by_province)
        provinces = list(Province.objects.order_by("name").values_list("code", "name"))
        rows = [_row(code, name, by_province.get(code, Indicators())) for code, name in provinces]
        data = {
            "rows": rows,
            "whole": _whole("all", _("Nasional"), whole),
            "status_chart": _status_chart(whole),
            "trend_chart": _trend(selectors.monthly_trend(grain="P", months=12)),
        }
        cache.set(key, data, PUBLIC_CACHE_SECONDS)
    table = _table(request, [dict(r) for r in data["rows"]], PUBLIC_COLUMNS, first=_("Provinsi"))
    if request.GET.get("format") == "csv":
        name = f"lapor-statistik-{period.start}-{period.end}.csv"
        return _csv(name, [(_("Provinsi"), table)], period)
    context = _common(
        request,
        period,
        form,
        title=_("Statistik LAPOR!"),
        whole=data["whole"],
        table=table,
        status_chart=data["status_chart"],
        trend_chart=data["trend_chart"],
        completion_chart=[
            [r["name"], round(r["values"]["completion_rate"] * 100, 1)]
            for r in sorted(
                (r for r in data["rows"] if r["values"]["completion_rate"] is not None),
                key=lambda r: -r["values"]["completion_rate"],
            )
        ],
        public=True,
    )
    return render(request, "monitoring/public.html", context)
