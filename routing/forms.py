from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Province, Regency

from .models import Category, Matter

KINDS = [
    ("complaint", _("Pengaduan")),
    ("aspiration", _("Aspirasi")),
    ("information_request", _("Permintaan informasi")),
]


class SampleForm(forms.Form):
    """A sample report for the rules page: which rule would win, and why."""

    category = forms.ModelChoiceField(
        label=_("Kategori"), queryset=Category.objects.filter(is_active=True), required=False
    )
    matter = forms.ModelChoiceField(
        label=_("Urusan"),
        queryset=Matter.objects.filter(is_active=True).select_related("category"),
        required=False,
    )
    kind = forms.ChoiceField(label=_("Jenis"), choices=KINDS)
    province = forms.ModelChoiceField(label=_("Provinsi"), queryset=Province.objects.all())
    regency = forms.ModelChoiceField(
        label=_("Kabupaten/kota"), queryset=Regency.objects.all(), required=False
    )

    def clean(self):
        data = super().clean()
        regency, province = data.get("regency"), data.get("province")
        if regency and province and regency.province_id != province.code:
            self.add_error("regency", _("Kabupaten/kota ini tidak berada di provinsi itu."))
        matter, category = data.get("matter"), data.get("category")
        if matter and category and matter.category_id != category.pk:
            self.add_error("matter", _("Urusan ini bukan bagian dari kategori itu."))
        return data
