"""The Django admin shows reports read-only: a report changes only through the status machine
(the triage and workspace pages, the API), never by editing fields here."""

from django.contrib import admin

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


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(admin.ModelAdmin):
    list_display = ("date", "name")
