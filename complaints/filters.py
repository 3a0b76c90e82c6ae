"""Inbox filters (django-filter): status, category, region, overdue, assignment, dates, text."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Province, Regency
from agencies.scope import scope_for
from routing.models import Category

from . import tracking
from .deadlines import overdue_q, verify_overdue_q
from .models import Channel, Kind, Report, Status
from .selectors import search_reports


class InboxFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Cari"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Jenis"), choices=Kind.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("Kategori"), queryset=Category.objects.filter(is_active=True)
    )
    province = django_filters.ModelChoiceFilter(label=_("Provinsi"), queryset=Province.objects)
    regency = django_filters.ModelChoiceFilter(label=_("Kabupaten/kota"), queryset=Regency.objects)
    # A regency by its code, whatever the user's scope (the early-warning page links here).
    regency_code = django_filters.CharFilter(
        field_name="regency_id", label=_("Kode kabupaten/kota"), widget=forms.HiddenInput
    )
    overdue = django_filters.BooleanFilter(
        label=_("Terlambat"),
        method="filter_overdue",
        widget=forms.Select(choices=[("", _("Semua")), ("true", _("Ya")), ("false", _("Tidak"))]),
    )
    assigned = django_filters.ChoiceFilter(
        label=_("Penugasan"),
        choices=[("me", _("Ditugaskan ke saya")), ("none", _("Belum ditugaskan"))],
        method="filter_assigned",
    )
    created_from = django_filters.DateFilter(
        label=_("Dari tanggal"), field_name="created_at", lookup_expr="date__gte"
    )
    created_to = django_filters.DateFilter(
        label=_("Sampai tanggal"), field_name="created_at", lookup_expr="date__lte"
    )
    sort = django_filters.OrderingFilter(
        label=_("Urutkan"),
        empty_label=_("Batas waktu (terdekat dan terlambat dulu)"),
        fields=(
            ("created_at", "created"),
            ("response_due", "response_due"),
            ("resolution_due", "resolution_due"),
            ("updated_at", "updated"),
        ),
    )

    class Meta:
        model = Report
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        provinces = _provinces_in_scope(request.user) if request else None
        if provinces is not None:
            # A regional agency or a supervisor: only their province(s) and its regencies,
            # not 38 provinces and 514 regencies rendered on every page.
            self.filters["province"].queryset = Province.objects.filter(code__in=provinces)
            self.filters["regency"].queryset = Regency.objects.filter(province_id__in=provinces)
        else:
            # Nationwide scope: a short text search instead of a 514-option list.
            by_name = django_filters.CharFilter(
                field_name="regency", label=_("Kabupaten/kota (nama)"), method="filter_regency_name"
            )
            by_name.parent, by_name.model = self, Report
            self.filters["regency"] = by_name

    def filter_regency_name(self, queryset, name, value):
        return (
            queryset.filter(regency__name__icontains=value.strip()) if value.strip() else queryset
        )

    def search(self, queryset, name, value):
        """A tracking number finds that report; words search title and text (PostgreSQL's
        full-text index in production)."""
        value = value.strip()
        if not value:
            return queryset
        try:
            return queryset.filter(tracking=tracking.normalize(value))
        except tracking.TrackingError:
            return search_reports(queryset, value)

    def filter_overdue(self, queryset, name, value):
        # The sweep's mark, as the dashboards count it (complaints.deadlines.overdue_q).
        late = overdue_q()
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_assigned(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assigned_to=self.request.user)
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


def _provinces_in_scope(user) -> list[str] | None:
    """Provinces a user's inbox is confined to, or None for a nationwide scope."""
    scope = scope_for(user)
    if scope.national_admin or scope.ombudsman:
        return None
    roots = {int(p.split("/", 1)[0]) for p in scope.officer_paths}
    levels = list(Agency.objects.filter(pk__in=roots).values_list("level", "province_id"))
    if any(level == Agency.Level.NATIONAL for level, _p in levels):
        return None
    return sorted({p for _l, p in levels if p} | set(scope.province_codes))


class TriageFilter(django_filters.FilterSet):
    """The national triage workspace. Without ``state`` it lists the queue (new reports and
    verified ones without a holder); sorted by verification deadline unless told otherwise."""

    q = django_filters.CharFilter(label=_("Cari"), method="search")
    state = django_filters.ChoiceFilter(
        label=_("Tahap"),
        empty_label=_("Antrean (baru dan belum ada tujuan)"),
        choices=[
            ("new", _("Menunggu verifikasi")),
            ("verify_overdue", _("Terlambat verifikasi (lewat 3 hari kerja)")),
            ("unrouted", _("Terverifikasi, belum ada tujuan")),
            ("returned", _("Dikembalikan instansi / perlu keputusan")),
            ("needs_info", _("Menunggu kelengkapan pelapor")),
        ],
        method="filter_state",
    )
    province = django_filters.ModelChoiceFilter(label=_("Provinsi"), queryset=Province.objects)
    category = django_filters.ModelChoiceFilter(
        label=_("Kategori"), queryset=Category.objects.filter(is_active=True)
    )
    uncategorized = django_filters.BooleanFilter(
        label=_("Tanpa kategori"),
        field_name="category",
        lookup_expr="isnull",
        widget=forms.Select(choices=[("", _("Semua")), ("true", _("Ya")), ("false", _("Tidak"))]),
    )
    channel = django_filters.ChoiceFilter(label=_("Kanal"), choices=Channel.choices)
    kind = django_filters.ChoiceFilter(label=_("Jenis"), choices=Kind.choices)
    age = django_filters.NumberFilter(
        label=_("Masuk lebih dari (hari)"), method="filter_age", min_value=0, max_value=3650
    )
    duplicates = django_filters.BooleanFilter(
        label=_("Mungkin ganda"),
        method="filter_duplicates",
        widget=forms.Select(choices=[("", _("Semua")), ("true", _("Ya"))]),
    )
    tag = django_filters.CharFilter(label=_("Tag"), method="filter_tag")
    sort = django_filters.OrderingFilter(
        label=_("Urutkan"),
        empty_label=_("Batas verifikasi (terdekat dulu)"),
        fields=(("created_at", "created"), ("verify_due", "verify_due")),
        field_labels={"created_at": _("Tanggal masuk"), "verify_due": _("Batas verifikasi")},
    )

    class Meta:
        model = Report
        fields: list[str] = []

    def search(self, queryset, name, value):
        return InboxFilter.search(self, queryset, name, value)

    def filter_state(self, queryset, name, value):
        return queryset.filter(TRIAGE_STATES[value]) if value in TRIAGE_STATES else queryset

    def filter_age(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(created_at__lt=timezone.now() - timedelta(days=int(value)))

    def filter_duplicates(self, queryset, name, value):
        if not value:
            return queryset
        # Cheap and explainable: another open report of the same category and regency filed
        # within a week of this one. The report page shows the text-similarity candidates.
        twin = (
            Report.objects.open()
            .filter(
                category=OuterRef("category"),
                regency=OuterRef("regency"),
                created_at__gte=OuterRef("created_at") - timedelta(days=7),
                created_at__lte=OuterRef("created_at") + timedelta(days=7),
            )
            .exclude(pk=OuterRef("pk"))
        )
        return queryset.filter(Exists(twin), category__isnull=False, regency__isnull=False)

    def filter_tag(self, queryset, name, value):
        value = value.strip().lower()
        return queryset.filter(tags__name=value) if value else queryset


TRIAGE_STATES = {
    "new": Q(status=Status.SUBMITTED),
    # The sweep's mark, as the dashboards count it (complaints.deadlines.verify_overdue_q).
    "verify_overdue": verify_overdue_q(),
    "unrouted": Q(status=Status.VERIFIED, agency__isnull=True, needs_triage_decision=False),
    "returned": Q(status=Status.VERIFIED, agency__isnull=True, needs_triage_decision=True),
    "needs_info": Q(status=Status.NEEDS_INFO),
}
