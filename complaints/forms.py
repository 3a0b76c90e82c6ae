"""Forms check shape only; services decide."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agencies import regions
from agencies.models import Agency, Province, Regency
from core.inputs import date_in_range
from core.memo import Memo
from routing.models import Category, Matter
from routing.understand import UNKNOWN

from . import tracking
from .models import UNPUBLISHED, Kind, Status
from .services import NewReport


class StrictCheckboxInput(forms.CheckboxInput):
    """Hands the field the raw value a browser sent, so the field can refuse one it never sends
    (Django's own CheckboxInput turns any non-empty value into True)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda v: v in (True, "on", "true"))

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictBooleanField(forms.BooleanField):
    """A checkbox for a choice that must be meant (anonymity, confidentiality): ticked ("on",
    what the browser sends, or "true"), or not sent / "false". Anything else is an error beside
    the field, never a guess."""

    widget = StrictCheckboxInput

    def to_python(self, value):
        if value in (None, "", False, "false"):
            return False
        if value in (True, "on", "true"):
            return True
        raise ValidationError(_("Pilihan tidak dikenal."), code="invalid")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [f for f in files if f]


def agency_choices(province_code: str | None) -> list:
    """Agencies a citizen may name instead of the rules' choice: the governments of the
    province and its regencies and cities, and every central agency and state enterprise
    (grouped for a select). Two queries."""
    national = Agency.objects.active().top_level().filter(level=Agency.Level.NATIONAL)
    groups = []
    if province_code:
        local = Agency.objects.active().top_level().filter(province_id=province_code)
        groups.append(
            (_("Pemerintah daerah"), [(a.slug, a.name) for a in local.order_by("kind", "name")])
        )
    groups.append(
        (_("Kementerian, lembaga dan BUMN"), [(a.slug, a.name) for a in national.order_by("name")])
    )
    return groups


def regency_choices(province_code: str | None = None):
    """The regency list of a province, or all of them grouped by province (for the page
    without JavaScript). From memory: no query."""
    names = regions.provinces()
    items = sorted(regions.regencies().items(), key=lambda kv: (kv[1][0], kv[1][1]))
    empty = ("", _("— pilih kabupaten/kota —"))
    if province_code:
        return [empty, *((code, name) for code, (prov, name) in items if prov == province_code)]
    groups: dict[str, list] = {}
    for code, (prov, name) in items:
        groups.setdefault(names.get(prov, prov), []).append((code, name))
    return [empty, *groups.items()]


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Jenis laporan"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        initial=Kind.COMPLAINT,
    )
    title = forms.CharField(
        label=_("Judul"),
        max_length=200,
        min_length=5,
        help_text=_("Ringkas, misalnya: Jalan berlubang di depan SDN 3"),
    )
    description = forms.CharField(
        label=_("Isi laporan"),
        min_length=20,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("Ceritakan apa yang terjadi, di mana, kapan, dan siapa yang terlibat."),
        error_messages={"required": _("Isi laporan wajib diisi.")},
    )
    category = forms.ModelChoiceField(
        label=_("Kategori"),
        queryset=Category.objects.filter(is_active=True).order_by("name_id"),
        required=False,
        empty_label=_("Saya tidak tahu (akan dipilihkan)"),
    )
    province = forms.ChoiceField(label=_("Provinsi"))
    regency = forms.ChoiceField(
        label=_("Kabupaten/kota"),
        required=False,
        error_messages={"invalid_choice": _("Kabupaten/kota ini tidak berada di provinsi itu.")},
    )
    address = forms.CharField(label=_("Alamat atau patokan"), max_length=255, required=False)
    latitude = forms.DecimalField(
        label=_("Garis lintang"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-11,
        max_value=6,
    )
    longitude = forms.DecimalField(
        label=_("Garis bujur"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=94,
        max_value=142,
    )
    occurred_on = forms.DateField(
        label=_("Tanggal kejadian"),
        required=False,
        validators=[date_in_range],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    # Checked and stored file by file as they arrive (complaints.staging), not here.
    attachments = MultipleFileField(
        label=_("Lampiran (foto atau PDF, paling banyak 5, masing-masing 10 MB)"),
        required=False,
    )
    is_anonymous = StrictBooleanField(
        label=_("Anonim: sembunyikan identitas saya dari instansi"),
        required=False,
        help_text=_(
            "Laporan tetap bisa tampil untuk publik, tetapi nama dan kontak Anda tidak "
            "diperlihatkan kepada instansi maupun publik. Nama tidak perlu diisi; kontak boleh "
            "dikosongkan, tetapi tanpa kontak kami tidak dapat mengabari Anda: simpan nomor "
            "pelacakannya."
        ),
    )
    is_confidential = StrictBooleanField(
        label=_("Rahasia: jangan tampilkan laporan ini kepada publik"),
        required=False,
        help_text=_(
            "Laporan hanya dilihat oleh Anda, admin, dan instansi yang menangani; tidak muncul "
            "di daftar atau pencarian publik."
        ),
    )
    show_name = forms.BooleanField(
        label=_("Tampilkan nama saya di halaman publik laporan ini"),
        required=False,
        help_text=_(
            "Tanpa centang ini, publik hanya melihat “Pelapor: warga” dan nama kabupaten/kota Anda."
        ),
    )
    reporter_name = forms.CharField(
        label=_("Nama Anda"),
        max_length=150,
        required=False,
        help_text=_(
            "Untuk instansi yang menangani. Tidak perlu diisi untuk laporan anonim; tidak "
            "tampil untuk publik kecuali Anda memilih menampilkannya."
        ),
    )
    reporter_email = forms.EmailField(label=_("Email"), required=False)
    reporter_phone = forms.RegexField(
        label=_("Nomor HP"),
        regex=r"^\+?[0-9 ()-]{8,20}$",
        required=False,
        error_messages={"invalid": _("Tulis nomor HP dengan angka, misalnya 0812 3456 7890.")},
    )
    # Left empty by people; bots fill every field they see.
    # Out of the tab order and (with its aria-hidden wrapper) of the accessibility tree, so
    # that no person, sighted or not, lands in it.
    website = forms.CharField(
        required=False,
        label=_("Jangan diisi"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    # Both shown by the routing preview (templates/complaints/partials/report_route.html):
    # the answer to its one question, and the agency the citizen names instead of the rules'.
    matter = forms.CharField(required=False, max_length=60)
    requested_agency = forms.CharField(required=False, max_length=80)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        province = self.data.get("province") if self.is_bound else None
        self.fields["province"].choices = [
            ("", _("— pilih provinsi —")),
            *regions.provinces().items(),
        ]
        self.fields["regency"].choices = regency_choices(province or None)
        if user is not None and user.is_authenticated:
            for name in ("reporter_name", "reporter_email", "reporter_phone"):
                del self.fields[name]

    def clean_occurred_on(self):
        day = self.cleaned_data.get("occurred_on")
        if day and day > timezone.localdate() + dt.timedelta(days=1):
            raise ValidationError(_("Tanggal kejadian tidak boleh di masa depan."))
        return day

    def clean_matter(self):
        code = self.cleaned_data.get("matter") or ""
        if (
            code
            and code != UNKNOWN
            and not Matter.objects.filter(code=code, is_active=True).exists()
        ):
            raise ValidationError(_("Pilih salah satu jawaban yang tersedia."))
        return code

    def clean_requested_agency(self):
        slug = self.cleaned_data.get("requested_agency") or ""
        if not slug:
            return None
        agency = Agency.objects.filter(slug=slug, is_active=True).first()
        if agency is None:
            raise ValidationError(_("Instansi ini tidak dikenal. Pilih dari daftar."))
        return agency

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(_("Formulir tidak dapat dikirim."), code="bot")
        return ""

    def clean(self):
        data = super().clean()
        province, code = data.get("province"), data.get("regency")
        if code:
            regency = regions.regencies().get(code)
            if regency is None or (province and regency[0] != province):
                self.add_error("regency", _("Kabupaten/kota ini tidak berada di provinsi itu."))
            else:
                data["regency_code"] = code
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Isi garis lintang dan bujur bersama-sama."))
        if data.get("is_anonymous") and data.get("show_name"):
            self.add_error(
                "show_name", _("Laporan anonim tidak menampilkan nama; pilih salah satu.")
            )
        guest = self.user is None or not self.user.is_authenticated
        # An anonymous guest owes us nothing: no name, and a contact only if they want news.
        if guest and not data.get("is_anonymous"):
            if not data.get("reporter_name"):
                self.add_error("reporter_name", _("Tulis nama Anda agar instansi dapat menyapa."))
            if not data.get("reporter_email") and not data.get("reporter_phone"):
                self.add_error(
                    "reporter_email",
                    _("Isi email atau nomor HP agar kami dapat mengabari perkembangan laporan."),
                )
        return data

    def to_new_report(self, channel: str, attachments=(), matter_id=None) -> NewReport:
        """``attachments``: the draft's staged files (complaints.staging), checked already.
        ``matter_id``: the matter the routing preview settled (text, answer or "tidak tahu")."""
        d = self.cleaned_data
        agency = d.get("requested_agency")
        return NewReport(
            matter_id=matter_id,
            requested_agency_id=agency.pk if agency else None,
            kind=d["kind"],
            title=d["title"].strip(),
            description=d["description"].strip(),
            category_id=d["category"].pk if d.get("category") else None,
            province_id=d["province"],
            regency_id=d.get("regency_code"),
            address=d.get("address", ""),
            latitude=d.get("latitude"),
            longitude=d.get("longitude"),
            occurred_on=d.get("occurred_on"),
            is_anonymous=d.get("is_anonymous", False),
            is_confidential=d.get("is_confidential", False),
            show_name=d.get("show_name", False),
            reporter_name=d.get("reporter_name", ""),
            reporter_email=d.get("reporter_email", ""),
            reporter_phone=d.get("reporter_phone", ""),
            channel=channel,
            attachments=list(attachments),
        )


class NewKeyForm(forms.Form):
    """Asks for a new reporter's key: the e-mail address or phone number given when filing."""

    kontak = forms.CharField(
        label=_("Email atau nomor HP yang Anda berikan saat melapor"),
        max_length=254,
        error_messages={"required": _("Tulis email atau nomor HP yang Anda berikan saat melapor.")},
        widget=forms.TextInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class TrackForm(forms.Form):
    nomor = forms.CharField(
        label=_("Nomor pelacakan"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "placeholder": "LPR-XXXXX-XXXXX",
                "autocapitalize": "characters",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )

    def clean_nomor(self):
        try:
            return tracking.normalize(self.cleaned_data["nomor"])
        except tracking.TrackingError as exc:
            if exc.reason == "check":
                raise ValidationError(
                    _(
                        "Nomor ini tidak valid: ada karakter yang salah ketik. Periksa kembali "
                        "nomor pada email atau SMS Anda."
                    ),
                    code="check",
                ) from exc
            raise ValidationError(
                _("Format nomor tidak dikenal. Contoh yang benar: LPR-7K3QM-9M2XA."),
                code="format",
            ) from exc


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Pesan"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


# What each mark means, in words: five bare numbers leave the reporter guessing which end is good.
RATING_CHOICES = [
    (1, _("1: Sangat tidak puas")),
    (2, _("2: Tidak puas")),
    (3, _("3: Cukup")),
    (4, _("4: Puas")),
    (5, _("5: Sangat puas")),
]


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Nilai jawaban instansi"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )


class SkmForm(forms.Form):
    """The public service survey (complaints.skm): the nine elements of PermenPANRB 14/2017,
    each a question with its four answers (1-4)."""

    def __init__(self, *args, **kwargs):
        from . import skm

        super().__init__(*args, **kwargs)
        for name, element, question, answers in skm.ELEMENTS:
            self.fields[name] = forms.TypedChoiceField(
                label=question,
                help_text=element,
                choices=[(i + 1, a) for i, a in enumerate(answers)],
                coerce=int,
                widget=forms.RadioSelect,
            )


# Filter forms' select fields as rendered HTML (the public list and map, the inbox): rendering
# their options through Django's widget templates took 6 of the public list's 17 ms of CPU and
# 17 of the inbox's 57 (py-spy, issue 20), and categories and regions change by decree. Per
# process, keyed by language, field, its choices (a model field's query, so a scoped list has
# its own entry) and the value; cleared where a category or region is saved (Memo); at most
# FIELD_HTML_MAX entries.
FIELD_HTML = Memo(dict, ttl=300).clear_on_change(Category, Province, Regency)
FIELD_HTML_MAX = 1024


def field_html(field) -> str:
    """One bound field through includes/field.html, a single select from FIELD_HTML (one with
    an error is rendered afresh, its error beside it)."""
    widget = field.field.widget
    if (
        not isinstance(widget, forms.Select)
        or isinstance(widget, forms.SelectMultiple)
        or field.errors
    ):
        return render_to_string("includes/field.html", {"field": field})
    model_field = field.field
    queryset = getattr(model_field, "queryset", None)
    choices = (
        str(queryset.query)
        if queryset is not None
        else tuple((str(v), str(label)) for v, label in widget.choices)
    )
    key = (
        get_language(),
        type(field.form).__name__,
        field.html_name,
        str(field.label),
        str(field.help_text),
        model_field.required,
        tuple(sorted((k, str(v)) for k, v in widget.attrs.items())),
        choices,
        str(field.value() if field.value() is not None else ""),
    )
    rendered = FIELD_HTML.get()
    html = rendered.get(key)
    if html is None:
        if len(rendered) >= FIELD_HTML_MAX:
            rendered.clear()
        html = rendered[key] = render_to_string("includes/field.html", {"field": field})
    return html


class PublicFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Jenis"), required=False, choices=[("", _("Semua jenis")), *Kind.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Kategori"),
        required=False,
        queryset=Category.objects.filter(is_active=True).order_by("name_id"),
        empty_label=_("Semua kategori"),
    )
    province = forms.ModelChoiceField(
        label=_("Provinsi"),
        required=False,
        queryset=Province.objects.all(),
        empty_label=_("Semua provinsi"),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        public_statuses = [c for c in Status.choices if c[0] not in UNPUBLISHED]
        self.fields["status"].choices = [("", _("Semua status")), *public_statuses]
