from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role
from .reference import UNIT_TYPES


class AppointForm(forms.Form):
    email = forms.EmailField(label=_("Email petugas"))
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    kind = forms.ChoiceField(
        label=_("Peran"),
        choices=[
            (Role.Kind.OFFICER, Role.Kind.OFFICER.label),
            (Role.Kind.AGENCY_ADMIN, Role.Kind.AGENCY_ADMIN.label),
        ],
    )
    agency = forms.TypedChoiceField(label=_("Instansi atau unit"), coerce=int)
    decree = forms.CharField(label=_("Nomor SK (opsional)"), max_length=120, required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, "— " * a.depth + a.name) for a in agencies]


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Nama unit kerja"), max_length=255)
    parent = forms.TypedChoiceField(label=_("Di bawah"), coerce=int)
    unit_type = forms.ChoiceField(
        label=_("Jenis unit (untuk aturan disposisi)"),
        required=False,
        choices=[("", _("— tidak ada —")), *((k, v) for k, v in UNIT_TYPES.items())],
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [(a.pk, "— " * a.depth + a.name) for a in agencies]


class PpidSuperiorForm(forms.Form):
    """Records the atasan PPID (UU 14/2008 Pasal 35-36) among the agency's own staff."""

    person = forms.ChoiceField(label=_("Atasan PPID"))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("— pilih petugas atau admin instansi —")), *people]
