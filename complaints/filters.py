"""Inbox filters (django-filter): status, category, region, overdue, assignment, dates, text."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Province, Regency
from routing.models import Category

from .models import Kind, Report, Status


class InboxFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Cari"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Jenis"), choices=Kind.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("Kategori"), queryset=Category.objects.filter(is_active=True)
    )
    province = django_filters.ModelChoiceFilter(label=_("Provinsi"), queryset=Province.objects)
    regency = django_filters.ModelChoiceFilter(label=_("Kabupaten/kota"), queryset=Regency.objects)
    overdue = django_filters.BooleanFilter(label=_("Terlambat"), method="filter_overdue")
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

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(tracking__iexact=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        late = Q(status=Status.DISPATCHED, response_due__lt=now) | Q(
            status__in=[Status.DISPATCHED, Status.IN_PROGRESS], resolution_due__lt=now
        )
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_assigned(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assigned_to=self.request.user)
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        return queryset
