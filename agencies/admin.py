from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Agency, District, Province, Regency, Role, User


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "province")
    list_filter = ("kind", "province")
    search_fields = ("code", "name")


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "regency")
    search_fields = ("code", "name")
    raw_id_fields = ("regency",)


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    raw_id_fields = ("agency",)
    fields = ("kind", "agency", "province", "decree", "is_active")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "acronym", "kind", "level", "province", "regency", "is_active")
    list_filter = ("kind", "level", "is_active", "province")
    search_fields = ("name", "acronym", "slug")
    raw_id_fields = ("parent",)
    readonly_fields = ("path", "depth")
    list_select_related = ("province", "regency")

    def save_model(self, request, obj, form, change):
        # Nesting is kept in ``path``: set it for a new agency (or a moved one) from its parent.
        super().save_model(request, obj, form, change)
        expected = f"{obj.parent.path if obj.parent else ''}{obj.pk}/"
        if obj.path != expected:
            obj.path = expected
            obj.depth = obj.parent.depth + 1 if obj.parent else 0
            obj.save(update_fields=["path", "depth"])


@admin.register(User)
class LaporUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("LAPOR", {"fields": ("full_name", "phone", "email_verified", "notify_optional")}),
    )
    list_display = ("username", "email", "full_name", "is_staff", "email_verified")
    search_fields = ("username", "email", "full_name")
    inlines = [RoleInline]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "agency", "province", "is_active", "appointed_at")
    list_filter = ("kind", "is_active")
    raw_id_fields = ("user", "agency")
    search_fields = ("user__username", "user__email", "agency__name")
