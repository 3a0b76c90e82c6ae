from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import (
    Agency,
    District,
    Province,
    RecoveryCodes,
    Regency,
    Role,
    TwoFactorDevice,
    User,
)


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


# Second factors: django_otp's admin is English only (labels not marked for translation), so
# the admin shows the devices through proxies with Indonesian labels instead. A device is only
# looked at or deleted here (a staff member who lost their phone enrols again at
# /akun/dua-langkah/); never added or edited, so no secret is shown.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class DeviceAdmin(admin.ModelAdmin):
    list_display = ("owner", "device_name", "is_confirmed", "created", "last_used")
    fields = list_display
    readonly_fields = list_display
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("pengguna"), ordering="user__username")
    def owner(self, obj):
        return obj.user

    @admin.display(description=_("nama"))
    def device_name(self, obj):
        return obj.name

    @admin.display(description=_("aktif"), boolean=True)
    def is_confirmed(self, obj):
        return obj.confirmed

    @admin.display(description=_("dibuat"), ordering="created_at")
    def created(self, obj):
        return obj.created_at

    @admin.display(description=_("terakhir dipakai"))
    def last_used(self, obj):
        return obj.last_used_at


admin.site.register(TwoFactorDevice, DeviceAdmin)
admin.site.register(RecoveryCodes, DeviceAdmin)
