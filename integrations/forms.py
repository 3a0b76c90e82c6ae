"""Forms of the agency admin's integration pages (/kerja/integrasi/)."""

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from . import urlsafety
from .webhooks import EVENTS


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Nama klien"),
        max_length=120,
        help_text=_("Misalnya: Sistem pengaduan Kota Bandung (produksi)."),
    )
    agency = forms.TypedChoiceField(label=_("Instansi"), coerce=int)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("URL penerima"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        assume_scheme="https",
        help_text=_("LAPOR mengirim POST JSON bertanda tangan HMAC-SHA256 ke alamat ini."),
    )
    agency = forms.TypedChoiceField(label=_("Instansi"), coerce=int)
    events = forms.MultipleChoiceField(
        label=_("Peristiwa"),
        required=False,
        choices=[(e, e) for e in EVENTS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosongkan untuk menerima semua peristiwa."),
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            urlsafety.check(url)
        except urlsafety.UnsafeUrl as exc:
            raise forms.ValidationError(str(exc)) from exc
        return url
