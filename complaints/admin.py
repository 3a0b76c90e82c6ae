"""The Django admin shows reports read-only: a report changes only through the status machine
(the triage and workspace pages, the API), never by editing fields here."""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import workdays
from .models import (
    Attachment,
    NonWorkingDay,
    OutboxMessage,
    Report,
    ReportEvent,
    TimeLimit,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = (
        "created_at",
        "action",
        "from_status",
        "to_status",
        "to_agency",
        "actor_label",
        "note",
        "is_public",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("tracking", "title", "kind", "status", "agency", "province", "created_at")
    list_filter = ("status", "kind", "channel", "is_anonymous", "is_confidential")
    search_fields = ("tracking", "title")
    date_hierarchy = "created_at"
    list_select_related = ("agency", "province")
    inlines = [EventInline]
    show_full_result_count = False


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    list_display = ("report", "action", "from_status", "to_status", "actor_label", "created_at")
    list_filter = ("action",)
    raw_id_fields = ("report",)
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "report", "content_type", "size", "created_at")


@admin.register(OutboxMessage)
class OutboxAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "subject", "channel", "state", "attempts", "created_at")
    list_filter = ("state", "channel")


@admin.register(TimeLimit)
class TimeLimitAdmin(admin.ModelAdmin):
    list_display = ("stage", "kind", "agency", "category", "amount", "unit")
    list_filter = ("stage", "kind", "unit")
    raw_id_fields = ("agency",)


class NonWorkingDayForm(forms.ModelForm):
    class Meta:
        model = NonWorkingDay
        fields = ("date", "kind", "name", "basis")

    def clean(self):
        data = super().clean()
        day, kind = data.get("date"), data.get("kind")
        if (
            day
            and kind == NonWorkingDay.Kind.CANCELLED
            and day not in workdays._package_days(day.year)
        ):
            self.add_error("date", _("Tanggal ini bukan hari libur nasional atau cuti bersama."))
        return data


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(admin.ModelAdmin):
    """The working calendar: above the admin's own changes, every day off of the year that the
    holidays package lists (national holidays and joint leave, from the yearly SKB 3 Menteri;
    complaints.models.NonWorkingDay), each with a button to cancel it when the government
    moves it. The deadline calendar (complaints.workdays.Calendar) reads both."""

    form = NonWorkingDayForm
    list_display = ("date", "kind", "name", "basis")
    list_filter = ("kind",)
    change_list_template = "admin/complaints/nonworkingday/change_list.html"

    def get_urls(self):
        cancel = self.admin_site.admin_view(self.cancel_view)
        return [
            path("batalkan/", cancel, name="complaints_nonworkingday_cancel"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        query = request.GET.copy()  # "tahun" is not a filter of the list below
        year = _year(query.pop("tahun", [""])[0])
        request.GET = query
        context = {
            "calendar_year": year,
            "calendar_days": workdays.year_days_off(year),
            "calendar_years": range(year - 1, year + 3),
            "can_cancel": self.has_add_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def cancel_view(self, request):
        """POST: cancels the package's day off on ``date`` (a moved holiday), recording the
        decree. Refuses a date the package does not list."""
        if request.method != "POST" or not self.has_add_permission(request):
            return redirect("admin:complaints_nonworkingday_changelist")
        form = NonWorkingDayForm(
            {
                "date": request.POST.get("date", ""),
                "kind": NonWorkingDay.Kind.CANCELLED,
                "name": request.POST.get("name", "")[:120] or gettext("Libur dibatalkan"),
                "basis": request.POST.get("basis", "")[:200],
            }
        )
        if form.is_valid():
            day = form.save()
            self.log_addition(request, day, [{"added": {}}])
            messages.success(
                request,
                gettext("Libur %(date)s dibatalkan: hari kerja.") % {"date": day.date.isoformat()},
            )
            year = day.date.year
        else:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            year = _year(request.POST.get("date", "")[:4])
        url = reverse("admin:complaints_nonworkingday_changelist")
        return redirect(f"{url}?tahun={year}")


def _year(value: str) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if dt.MINYEAR + 1 < year < 2200 else timezone.localdate().year
