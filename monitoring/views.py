"""Dashboards (``/pantau/``) and the public transparency page (``/statistik/``).

Every figure comes from the summary rows through ``monitoring.selectors``; no view reads the
reports table, so a page costs the same few queries at ten thousand or ten million reports.
Each table can be sorted by any column through links (no JavaScript needed) and downloaded as
CSV with the same numbers; charts are drawn by Chart.js from static/ with their numbers in a
table beside them."""

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agencies.models import Agency, Province, Regency
from agencies.scope import scope_for
from complaints.paging import CappedPaginator
from core import replica
from core.inputs import date_in_range
from routing.models import Category

from . import behind, provincemap, satisfaction, selectors, warnings
from .behind import AGE_FIGURES, FIGURES, Links, agencies_of, label_of, reports_behind
from .selectors import Indicators

# (key, heading, format). Keys are Indicators.as_row() keys; the order is the page's.
from .tables import (
    COLUMNS,
    PUBLIC_CACHE_SECONDS,
    PUBLIC_COLUMNS,
    RANK_LEVELS,
    RANK_MINIMUM,
    RANK_SIZE,
    build_table,
    common_context,
    csv_response,
    display,
    period_of,
    refused_status,
    status_chart,
    status_table,
    table_row,
    trend_points,
    whole_row,
)

# --- access ---------------------------------------------------------------------------------


def fold_quiet(table: dict) -> tuple[dict, list]:
    """The table without the rows that received no report in the period, and those rows
    (listed apart, folded away: 38 provinces of which a few have reports read at a glance).
    The CSV keeps every row."""
    quiet = [r for r in table["rows"] if not r["values"]["received"]]
    return {**table, "rows": [r for r in table["rows"] if r["values"]["received"]]}, quiet


def _provinces_readable(user) -> frozenset | None:
    """None for national readers (everything), else the provinces a supervisor watches."""
    scope = scope_for(user)
    if scope.national_admin or scope.ombudsman:
        return None
    if scope.province_codes:
        return scope.province_codes
    raise PermissionDenied


def skm_context(period, where: Q | None = None) -> dict:
    """The public service survey's index (complaints.skm) for ``period``: the whole, each of
    the nine elements, and per category (service). One query on the SKM summary rows, and
    one for the categories' names when there are surveys."""
    from complaints import skm

    sums = satisfaction.sums_by(by="category", period=period, where=where)
    whole = satisfaction.whole(sums)
    by_category = {pk: skm.index(n, s) for pk, (n, s) in sums.items()}
    names = dict(Category.objects.filter(pk__in=list(by_category)).values_list("pk", "name_id"))
    return {
        "whole": whole,
        "elements": [
            {"name": element, "mean": mean}
            for (_f, element, _q, _a), mean in zip(skm.ELEMENTS, whole.means, strict=False)
        ],
        "categories": sorted(
            (
                {"name": names.get(pk, _("Tanpa kategori")), "index": ind}
                for pk, ind in by_category.items()
            ),
            key=lambda r: (-r["index"].n, str(r["name"])),
        ),
        "grades": skm.GRADES,
    }


# --- pages ----------------------------------------------------------------------------------


@login_required
@require_GET
@replica.reads
def national(request):
    provinces_allowed = _provinces_readable(request.user)
    if provinces_allowed is not None:
        return redirect("monitoring:province", code=sorted(provinces_allowed)[0])
    period, form = period_of(request)
    by_province = selectors.indicators_by(grain="P", by="province", period=period)
    governments = list(selectors.regional_agencies().only("pk", "province_id"))
    central = list(Agency.objects.top_level().filter(province__isnull=True).only("pk", "name"))
    flags = selectors.connectivity(governments + central)  # once for both tables
    selectors.attach_connectivity(
        by_province, governments, key=lambda a: a.province_id, flags=flags
    )
    whole = selectors.total(by_province)
    links = Links(request.user, period, central)
    provinces = list(Province.objects.order_by("name"))
    rows = [
        table_row(
            p.code,
            p.name,
            by_province.get(p.code, Indicators()),
            url=reverse("monitoring:province", args=[p.code]),
            place={"provinsi": p.code},
        )
        for p in provinces
    ]
    unlocated = by_province.get("")
    if unlocated and unlocated.received:
        rows.append(table_row("", _("Tanpa provinsi"), unlocated, place={"provinsi": "-"}))

    by_owner = selectors.indicators_by(
        grain="O", by="owner", period=period, where=Q(owner__in=[a.pk for a in central])
    )
    selectors.attach_connectivity(by_owner, central, key=lambda a: a.pk, flags=flags)
    decrees, today = latest_appointments(a.pk for a in central), timezone.localdate()
    central_rows = [
        table_row(
            a.pk,
            a.name,
            by_owner[a.pk],
            url=reverse("monitoring:agency", args=[a.pk]),
            place={"instansi": a.pk},
        )
        for a in central
        if by_owner.get(a.pk) and (by_owner[a.pk].received or by_owner[a.pk].connected)
    ]
    for row in central_rows:
        row["sk"] = appointment_status(decrees.get(row["key"]), today)
    table = build_table(request, rows, COLUMNS, first=_("Provinsi"), links=links)
    central_table = build_table(request, central_rows, COLUMNS, first=_("Instansi"), links=links)
    if request.GET.get("format") == "csv":
        return csv_response(
            f"lapor-nasional-{period.start}-{period.end}.csv",
            [(_("Provinsi"), table), (_("Kementerian dan lembaga"), central_table)],
            period,
        )
    table, quiet = fold_quiet(table)
    chart_rows = sorted(
        (r for r in rows if r["values"]["completion_rate"] is not None),
        key=lambda r: -r["values"]["completion_rate"],
    )
    context = common_context(
        request,
        period,
        form,
        title=_("Pemantauan nasional"),
        quiet=quiet,
        map=provincemap.province_map(rows),
        whole=whole_row("all", _("Nasional"), whole, place={}, links=links),
        table=table,
        central_table=central_table,
        status_chart=status_chart(whole),
        status_table=status_table(whole, links, {}),
        completion_chart=[
            [r["name"], round(r["values"]["completion_rate"] * 100, 1)] for r in chart_rows
        ],
        trend_chart=trend_points(selectors.monthly_trend(grain="P", months=12)),
    )
    return render(request, "monitoring/national.html", context, status=refused_status(form))


@login_required
@require_GET
@replica.reads
def province(request, code):
    provinces_allowed = _provinces_readable(request.user)
    if provinces_allowed is not None and code not in provinces_allowed:
        raise PermissionDenied
    place = get_object_or_404(Province, code=code)
    period, form = period_of(request)
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
    decrees, today = latest_appointments(gov_ids), timezone.localdate()
    rows = []
    for a in governments:
        ind = by_owner[a.pk]
        band = selectors.band_for(ind, thresholds) if a.kind != Agency.Kind.BUMD else ""
        url = reverse("monitoring:agency", args=[a.pk])
        rows.append(table_row(a.pk, a.name, ind, url, band, place={"instansi": a.pk}))
        rows[-1]["sk"] = appointment_status(decrees.get(a.pk), today)

    # Central agencies and others that handle reports from this province.
    others = selectors.indicators_by(
        grain="O",
        by="owner",
        period=period,
        where=Q(province=code) & ~Q(owner__in=gov_ids) & ~Q(owner=0),
    )
    other_agencies = {
        a.pk: a
        for a in Agency.objects.filter(pk__in=list(others)).only(
            "pk", "name", "path", "kind", "province_id"
        )
    }
    links = Links(request.user, period, [*governments, *other_agencies.values()])
    other_rows = [
        table_row(
            pk,
            other_agencies[pk].name if pk in other_agencies else str(pk),
            ind,
            reverse("monitoring:agency", args=[pk]),
            place={"instansi": pk, "provinsi": code},
        )
        for pk, ind in others.items()
        if ind.received
    ]
    here = selectors.indicators_by(
        grain="P", by="province", period=period, where=Q(province=code)
    ).get(code, Indicators())
    selectors.attach_connectivity(
        {code: here}, governments, key=lambda a: a.province_id, flags=flags
    )

    table = build_table(request, rows, COLUMNS, first=_("Pemerintah daerah"), links=links)
    other_table = build_table(request, other_rows, COLUMNS, first=_("Instansi"), links=links)
    if request.GET.get("format") == "csv":
        return csv_response(
            f"lapor-provinsi-{code}-{period.start}-{period.end}.csv",
            [(place.name, table), (_("Instansi lain"), other_table)],
            period,
        )
    context = common_context(
        request,
        period,
        form,
        title=place.name,
        place=place,
        back=None if provinces_allowed else reverse("monitoring:national"),
        whole=whole_row(
            code,
            place.name,
            here,
            band=selectors.band_for(here, thresholds),
            place={"provinsi": code},
            links=links,
        ),
        table=table,
        other_table=other_table,
        status_chart=status_chart(here),
        status_table=status_table(here, links, {"provinsi": code}),
        completion_chart=[
            [r["name"].removeprefix("Pemerintah "), round(r["values"]["completion_rate"] * 100, 1)]
            for r in rows
            if r["values"]["completion_rate"] is not None
        ],
        trend_chart=trend_points(
            selectors.monthly_trend(grain="P", months=12, where=Q(province=code))
        ),
    )
    return render(request, "monitoring/province.html", context, status=refused_status(form))


def _may_read_agency(scope, subject) -> bool:
    return bool(
        scope.national_admin
        or scope.ombudsman
        or (subject.province_id and subject.province_id in scope.province_codes)
        or subject.pk in scope.admin_agency_ids
    )


@login_required
@require_GET
@replica.reads
def agency(request, pk):
    scope = scope_for(request.user)
    subject = get_object_or_404(Agency.objects.select_related("province"), pk=pk)
    if subject.parent_id:
        root = int(subject.path.split("/", 1)[0])
        return redirect(reverse("monitoring:agency", args=[root]) + f"#unit-{subject.pk}")
    if not _may_read_agency(scope, subject):
        raise PermissionDenied
    period, form = period_of(request)
    whole = selectors.total(
        selectors.indicators_by(grain="O", by="owner", period=period, where=Q(owner=pk))
    )
    selectors.attach_connectivity({pk: whole}, [subject], key=lambda a: a.pk)
    by_holder = selectors.indicators_by(grain="H", by="holder", period=period, where=Q(owner=pk))
    units = {
        a.pk: a
        for a in Agency.objects.filter(Q(pk__in=list(by_holder)) | Q(parent=subject))
        .only("pk", "name", "path", "kind", "province_id")
        .order_by()
    }
    links = Links(request.user, period, [subject, *units.values()])
    rows = []
    for unit_pk, unit in units.items():
        ind = by_holder.get(unit_pk, Indicators())
        label = _("%(name)s (langsung)") % {"name": unit.name} if unit_pk == pk else unit.name
        rows.append(table_row(unit_pk, label, ind, place={"instansi": pk, "unit": unit_pk}))
    by_province = selectors.indicators_by(
        grain="O", by="province", period=period, where=Q(owner=pk)
    )
    province_names = dict(Province.objects.values_list("code", "name"))
    province_rows = [
        table_row(
            code,
            province_names.get(code, _("Tanpa provinsi")),
            ind,
            place={"instansi": pk, "provinsi": code or "-"},
        )
        for code, ind in by_province.items()
        if ind.received
    ]
    table = build_table(request, rows, COLUMNS, first=_("Unit kerja"), links=links)
    province_table = build_table(request, province_rows, COLUMNS, first=_("Provinsi"), links=links)
    if request.GET.get("format") == "csv":
        return csv_response(
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
    context = common_context(
        request,
        period,
        form,
        title=subject.name,
        subject=subject,
        back=back,
        whole=whole_row(
            pk,
            subject.name,
            whole,
            band=selectors.band_for(whole, selectors.bands()),
            place={"instansi": pk},
            links=links,
        ),
        table=table,
        province_table=province_table if len(province_rows) > 1 else None,
        skm=skm_context(period, Q(owner=pk)),
        status_chart=status_chart(whole),
        status_table=status_table(whole, links, {"instansi": pk}),
        trend_chart=trend_points(selectors.monthly_trend(grain="O", months=12, where=Q(owner=pk))),
        **_appointments_context(request, subject),
    )
    return render(request, "monitoring/agency.html", context, status=refused_status(form))


def _verification_context(subject, period, links) -> dict | None:
    """The verification figure of an agency that verifies the reports addressed to it (None
    when no report of the period names it), each count a link to its reports."""
    counts = behind.by_verification(subject.pk, period.start, period.end)
    if not counts["received"]:
        return None
    place = {"dituju": subject.pk}
    labels = {
        "received": _("Ditujukan ke instansi ini"),
        "verify_on_time": _("Diverifikasi tepat waktu"),
        "verify_late": _("Terlambat diverifikasi"),
        "verify_waiting": _("Menunggu verifikasi"),
        "verify_overdue": _("Menunggu, melewati batas"),
    }
    return {
        "rate": display(counts["verify_on_time"] / counts["received"], "rate"),
        "figures": [
            {
                "key": key,
                "label": labels[key],
                "n": display(counts[key], "int"),
                "href": links.href(key, place) if counts[key] else "",
            }
            for key in behind.VERIFY_FIGURES
        ],
    }


@login_required
@require_GET
@replica.reads
def agency_work(request, pk):
    """Units and officers of one agency: each officer's figures and the open reports by age.
    Read from the reports table (the summaries have no officer and no "open now"), in a fixed
    number of grouped queries over that agency's reports; the dashboards stay on summaries."""
    subject = get_object_or_404(Agency, pk=pk, parent__isnull=True)
    if not _may_read_agency(scope_for(request.user), subject):
        raise PermissionDenied
    period, form = period_of(request)
    units = {
        a.pk: a
        for a in Agency.objects.filter(path__startswith=subject.path).only(
            "pk", "name", "path", "kind", "province_id"
        )
    }
    links = Links(request.user, period, list(units.values()))
    context = {
        "title": _("Unit dan petugas"),
        "subject": subject,
        "period": period,
        "period_form": form,
        "back": reverse("monitoring:agency", args=[pk]),
        "verification": _verification_context(subject, period, links),
        **_unit_level_context(subject, period, links, units),
    }
    return render(request, "monitoring/agency_work.html", context)


def _unit_level_context(subject, period, links, units: dict) -> dict:
    """The agency's officers' figures and its open reports by age, per unit, each number
    linked to its reports. Two grouped queries on the agency's reports, one for names."""
    pk = subject.pk
    officers = behind.by_officer(pk, period.start, period.end)
    for row in officers:
        place = {"instansi": pk, "petugas": row["officer"]}
        row["cells"] = [
            {"text": display(row["counts"][f], "int"), "href": links.href(f, place)}
            if row["counts"][f]
            else {"text": "0", "href": ""}
            for f in behind.OFFICER_FIGURES
        ]
        row["mean"] = "-" if row["mean_days"] is None else display(row["mean_days"], "score")
    unit_rows = []
    for unit_pk, row in behind.by_unit(pk, period.start, period.end).items():
        place = {"instansi": pk, "unit": unit_pk}
        unit = units.get(unit_pk)
        name = unit.name if unit else str(unit_pk)
        unit_rows.append(
            {
                "unit": unit_pk,
                "name": _("%(name)s (langsung)") % {"name": name} if unit_pk == pk else name,
                "counts": row["counts"],
                "mean_days": row["mean_days"],
                "mean": "-" if row["mean_days"] is None else display(row["mean_days"], "score"),
                "cells": [
                    {"text": display(row["counts"][f], "int"), "href": links.href(f, place)}
                    if row["counts"][f]
                    else {"text": "0", "href": ""}
                    for f in behind.OFFICER_FIGURES
                ],
            }
        )
    unit_rows.sort(key=lambda r: (r["unit"] != pk, str(r["name"])))
    ages = behind.by_age(pk)
    missing = [u for u in ages if u not in units]
    names = {u: a.name for u, a in units.items()}
    names.update(Agency.objects.filter(pk__in=missing).values_list("pk", "name") if missing else [])
    age_rows, totals = [], dict.fromkeys(behind.AGE_FIGURES, 0)
    for unit_pk, counts in sorted(ages.items(), key=lambda kv: names.get(kv[0], "")):
        place = {"instansi": pk, "unit": unit_pk}
        cells = []
        for key, n in counts.items():
            totals[key] += n
            cells.append({"text": display(n, "int"), "href": links.href(key, place) if n else ""})
        age_rows.append({"name": names.get(unit_pk, str(unit_pk)), "cells": cells})
    whole = [
        {"text": display(n, "int"), "href": links.href(key, {"instansi": pk}) if n else ""}
        for key, n in totals.items()
    ]
    return {
        "officers": officers,
        "unit_rows": unit_rows,
        "age_heads": [behind.age_label(*bounds) for bounds in behind.AGE_FIGURES.values()],
        "age_rows": age_rows,
        "age_total": whole,
    }


@login_required
@require_GET
@replica.reads
def rankings(request):
    provinces_allowed = _provinces_readable(request.user)
    level = request.GET.get("tingkat", "kabkota")
    if level not in RANK_LEVELS:
        raise Http404
    if provinces_allowed is not None and level == "pusat":
        level = "kabkota"
    period, form = period_of(request)
    label, q = RANK_LEVELS[level]
    agencies = (
        Agency.objects.top_level()
        .active()
        .filter(q)
        .only("pk", "name", "province_id", "path", "kind")
    )
    if provinces_allowed is not None:
        agencies = agencies.filter(province_id__in=provinces_allowed)
    agencies = list(agencies)
    by_owner = selectors.indicators_by(
        grain="O", by="owner", period=period, where=Q(owner__in=[a.pk for a in agencies])
    )
    links = Links(request.user, period, agencies)
    ranked = [
        table_row(
            a.pk,
            a.name,
            by_owner[a.pk],
            reverse("monitoring:agency", args=[a.pk]),
            place={"instansi": a.pk},
        )
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
            r["score"] = display(r["values"][key], "rate")
        boards.append({"key": key, "heading": heading, "best": best, "worst": worst})
    table = build_table(
        request, ranked, COLUMNS, default="completion_rate", first=_("Instansi"), links=links
    )
    if request.GET.get("format") == "csv":
        name = f"lapor-peringkat-{level}-{period.start}-{period.end}.csv"
        return csv_response(name, [(label, table)], period)
    context = common_context(
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
    return render(request, "monitoring/rankings.html", context, status=refused_status(form))


@require_GET
@replica.reads
def public(request):
    """National and per-province aggregates for anyone: counts and rates only, never a report's
    content. The figures are cached for five minutes (the page itself is not: it carries the
    visitor's CSRF token for the language switch)."""
    period, form = period_of(request)
    lang = (get_language() or "id")[:2]
    key = f"statistik:{lang}:{period.start}:{period.end}"
    data = cache.get(key)
    if data is None:
        by_province = selectors.indicators_by(grain="P", by="province", period=period)
        whole = selectors.total(by_province)
        provinces = list(Province.objects.order_by("name").values_list("code", "name"))
        rows = [
            table_row(code, name, by_province.get(code, Indicators())) for code, name in provinces
        ]
        data = {
            "rows": rows,
            "whole": whole_row("all", _("Nasional"), whole),
            "status_chart": status_chart(whole),
            "trend_chart": trend_points(selectors.monthly_trend(grain="P", months=12)),
            "skm": skm_context(period),
        }
        cache.set(key, data, PUBLIC_CACHE_SECONDS)
    table = build_table(
        request, [dict(r) for r in data["rows"]], PUBLIC_COLUMNS, first=_("Provinsi")
    )
    if request.GET.get("format") == "csv":
        name = f"lapor-statistik-{period.start}-{period.end}.csv"
        return csv_response(name, [(_("Provinsi"), table)], period)
    table, quiet = fold_quiet(table)
    listed = {r["key"] for r in table["rows"]}
    context = common_context(
        request,
        period,
        form,
        title=_("Statistik LAPOR!"),
        quiet=quiet,
        # A province is a link to its row of the table (the dashboards are for staff).
        map=provincemap.province_map(
            data["rows"], link=lambda r: f"#prov-{r['key']}" if r["key"] in listed else None
        ),
        whole=data["whole"],
        table=table,
        status_chart=data["status_chart"],
        status_table=[(label, n, "") for label, n in data["status_chart"]],  # counts only
        trend_chart=data["trend_chart"],
        completion_chart=[
            [r["name"], round(r["values"]["completion_rate"] * 100, 1)]
            for r in sorted(
                (r for r in data["rows"] if r["values"]["completion_rate"] is not None),
                key=lambda r: -r["values"]["completion_rate"],
            )
        ],
        public=True,
        skm=data["skm"],
    )
    return render(request, "monitoring/public.html", context, status=refused_status(form))


class BehindForm(forms.Form):
    """The query of a figure's link (monitoring.behind.Links.href)."""

    angka = forms.ChoiceField(choices=[(k, k) for k in [*FIGURES, *AGE_FIGURES]])
    dari = forms.DateField(validators=[date_in_range])
    sampai = forms.DateField(validators=[date_in_range])
    provinsi = forms.RegexField(regex=r"^(\d{2}|-)$", required=False)
    instansi = forms.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    unit = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    petugas = forms.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    dituju = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False)

    def clean(self):
        data = super().clean()
        if data.get("dari") and data.get("sampai") and data["dari"] > data["sampai"]:
            raise forms.ValidationError(_("Tanggal mulai harus sebelum tanggal akhir."))
        if (data.get("unit") or data.get("petugas") is not None) and data.get("instansi") is None:
            raise forms.ValidationError(_("Unit kerja hanya bersama instansinya."))
        return data

    def place(self) -> dict:
        data = self.cleaned_data
        keys = ("instansi", "unit", "petugas", "dituju")
        place = {k: data[k] for k in keys if data.get(k) is not None}
        if data.get("provinsi"):
            place["provinsi"] = data["provinsi"]
        return place


def _officer_name(pk) -> str | None:
    if pk is None:
        return None
    if pk == 0:
        return _("Belum ditugaskan")
    from agencies.models import User

    user = User.objects.filter(pk=pk).only("full_name", "username").first()
    return (user.full_name or user.username) if user else str(pk)


@login_required
@require_GET
@replica.reads
def reports(request):
    """The reports behind one figure of a dashboard, for staff who may open all of them."""
    if not scope_for(request.user).is_staff_scope:
        raise PermissionDenied
    form = BehindForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "title": _("Laporan di balik angka")}
        return render(request, "monitoring/reports.html", context, status=400)
    place, data = form.place(), form.cleaned_data
    if not Links(request.user, None, agencies_of([place]).values()).allowed(place):
        raise PermissionDenied
    qs = (
        reports_behind(data["angka"], data["dari"], data["sampai"], place)
        .select_related("agency", "province")
        .order_by("-created_at", "-pk")
    )
    hidden = behind.opaque_to(place)
    if hidden is not None:
        qs = qs.annotate(opaque=ExpressionWrapper(hidden, output_field=BooleanField()))
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    names = dict(
        Agency.objects.filter(pk__in=[v for k, v in place.items() if k != "provinsi"]).values_list(
            "pk", "name"
        )
    )
    province = place.get("provinsi")
    context = {
        "title": _("Laporan di balik angka"),
        "form": form,
        "figure": label_of(data["angka"]),
        "start": data["dari"],
        "end": data["sampai"],
        "province": Province.objects.filter(code=province).first()
        if province and province != "-"
        else None,
        "no_province": province == "-",
        "owner": names.get(place.get("instansi")),
        "unit": names.get(place.get("unit")),
        "addressed": names.get(place.get("dituju")),
        "officer": _officer_name(place.get("petugas")),
        "page": page,
        "query": query.urlencode(),
        "triage": scope_for(request.user).national_admin,
    }
    return render(request, "monitoring/reports.html", context)


# --- SK pengelola ---------------------------------------------------------------------------

EXPIRING_DAYS = 60  # a decree ending within this many days is flagged on the pages


class AppointmentForm(forms.Form):
    number = forms.CharField(label=_("Nomor SK"), max_length=120)
    signed_on = forms.DateField(label=_("Tanggal SK"), validators=[date_in_range])
    valid_until = forms.DateField(label=_("Berlaku sampai"), validators=[date_in_range])
    appointees = forms.CharField(
        label=_("Yang ditunjuk"),
        help_text=_("Satu orang per baris: nama, jabatan, peran (admin instansi, pengelola)."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    file = forms.FileField(label=_("Berkas SK (PDF, paling besar 5 MB)"))


def appointment_status(appointment, today) -> dict:
    """What a page says about a decree: in force (and for how long), expiring, expired."""
    if appointment is None:
        return {"state": "none", "label": _("Belum ada SK")}
    if not appointment.is_valid(today):
        state = "future" if appointment.signed_on > today else "expired"
        label = _("Belum berlaku") if state == "future" else _("Kedaluwarsa")
        return {"state": state, "label": label, "sk": appointment}
    left = (appointment.valid_until - today).days
    if left <= EXPIRING_DAYS:
        label = _("Berakhir dalam %(n)s hari") % {"n": left}
        return {"state": "expiring", "label": label, "sk": appointment, "days_left": left}
    return {"state": "valid", "label": _("Berlaku"), "sk": appointment}


def latest_appointments(agency_ids) -> dict:
    """{agency id: its decree that counts (in force, else the newest)}. One query."""
    from agencies.models import Appointment

    today = timezone.localdate()
    best: dict = {}
    rows = Appointment.objects.filter(agency_id__in=list(agency_ids), revoked_at__isnull=True)
    for a in rows.order_by("agency_id", "-valid_until", "-pk"):
        have = best.get(a.agency_id)
        if have is None or (a.is_valid(today) and not have.is_valid(today)):
            best[a.agency_id] = a
    return best


def _appointments_context(request, subject) -> dict:
    from agencies.models import Appointment
    from agencies.services import may_record_appointment

    today = timezone.localdate()
    decrees = list(Appointment.objects.filter(agency=subject).select_related("entered_by"))
    current = next((a for a in decrees if a.is_valid(today)), decrees[0] if decrees else None)
    return {
        "appointments": [(a, appointment_status(a, today)) for a in decrees],
        "appointment_now": appointment_status(current, today),
        "appointment_form": AppointmentForm()
        if may_record_appointment(request.user, subject)
        else None,
    }


@login_required
@require_POST
def appointment_add(request, pk):
    from agencies.services import appointment_record, may_record_appointment

    subject = get_object_or_404(Agency, pk=pk, parent__isnull=True)
    if not may_record_appointment(request.user, subject):
        raise PermissionDenied
    form = AppointmentForm(request.POST, request.FILES)
    problem = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            appointment_record(agency=subject, actor=request.user, **data)
        except ValueError as error:
            problem = {
                "valid_until before signed_on": _("Tanggal berlaku harus sesudah tanggal SK."),
                "nobody appointed": _("Tuliskan sedikitnya satu orang yang ditunjuk."),
                "file too large": _("Berkas paling besar 5 MB."),
                "not a PDF": _("Berkas SK harus PDF."),
            }.get(str(error), _("SK tidak dapat dicatat."))
        else:
            messages.success(request, _("SK pengelola pengaduan dicatat."))
            return redirect(reverse("monitoring:agency", args=[pk]) + "#sk")
    context = {
        "title": _("SK pengelola pengaduan"),
        "subject": subject,
        "form": form,
        "problem": problem,
    }
    return render(request, "monitoring/appointment_form.html", context, status=400)


@login_required
@require_GET
def appointment_file(request, pk):
    """The decree's file, for those who may read its agency's dashboard."""
    from agencies.models import Appointment

    appointment = get_object_or_404(Appointment.objects.select_related("agency"), pk=pk)
    if not _may_read_agency(scope_for(request.user), appointment.agency):
        raise Http404
    response = FileResponse(
        appointment.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"SK-{appointment.agency.slug}-{appointment.signed_on}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
@replica.reads
def early_warnings(request):
    """The early warnings of the last weeks (monitoring.warnings) in the provinces the user
    watches (all for the ministry and the Ombudsman), each with a link to the reports behind
    it in the workspace."""
    provinces_allowed = _provinces_readable(request.user)
    found = warnings.warnings_for(provinces_allowed)
    regencies = dict(
        Regency.objects.filter(code__in={w.regency for w in found}).values_list("code", "name")
    )
    categories = dict(
        Category.objects.filter(pk__in={w.category for w in found}).values_list("pk", "name_id")
    )
    provinces = dict(Province.objects.values_list("code", "name"))
    rows = []
    for w in found:
        query = {
            "regency_code": w.regency,
            "created_from": w.week.isoformat(),
            "created_to": (w.week + dt.timedelta(days=6)).isoformat(),
        }
        if w.category:
            query["category"] = w.category
        rows.append(
            {
                "warning": w,
                "province": provinces.get(w.province, w.province),
                "regency": regencies.get(w.regency, _("Tanpa kabupaten/kota")),
                "category": categories.get(w.category, _("Tanpa kategori")),
                "until": w.week + dt.timedelta(days=6),
                "url": reverse("workspace:inbox") + "?" + urlencode(query),
            }
        )
    context = {"title": _("Peringatan dini"), "rows": rows, "rule": warnings.rule()}
    return render(request, "monitoring/warnings.html", context)
