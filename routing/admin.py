from django.contrib import admin

from .models import Category, Matter, RoutingRule


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_id", "name_en", "default_level", "national_agency", "is_active")
    list_filter = ("default_level", "is_active")
    search_fields = ("code", "name_id", "name_en")
    raw_id_fields = ("national_agency",)


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    list_display = ("code", "name_id", "category", "level", "target", "agency", "unit_type")
    list_filter = ("level", "target", "is_default", "category")
    search_fields = ("code", "name_id", "name_en", "legal_basis")
    raw_id_fields = ("agency",)
    list_select_related = ("category", "agency")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "category",
        "matter",
        "kind",
        "province",
        "regency",
        "target",
        "target_agency",
        "unit_type",
        "priority",
        "is_active",
    )
    list_filter = ("target", "is_active", "kind", "category")
    raw_id_fields = ("target_agency", "matter", "province", "regency")
    search_fields = ("note", "target_agency__name", "category__name_id")
    list_select_related = ("category", "matter", "province", "regency", "target_agency")
