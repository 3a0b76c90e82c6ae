"""Categories and routing rules. Depends on ``agencies`` only."""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Province, Regency


class Category(models.Model):
    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name_id = models.CharField(_("nama (Indonesia)"), max_length=120)
    name_en = models.CharField(_("nama (Inggris)"), max_length=120)
    default_level = models.CharField(
        _("tingkat bawaan"), max_length=10, choices=Agency.Level.choices
    )
    default_unit_type = models.SlugField(_("jenis unit bawaan"), max_length=60, blank=True)
    national_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("instansi pusat"),
    )
    # Where the division of government affairs puts the category as a whole (its matters cite
    # their own article or annex row).
    legal_basis = models.TextField(_("dasar hukum"), blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["name_id"]
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


class Target(models.TextChoices):
    """Where a rule (or a matter's default) sends a report."""

    AGENCY = "agency", _("Instansi tertentu")
    REGENCY_GOVERNMENT = "regency_government", _("Pemerintah kabupaten/kota pelapor")
    PROVINCE_GOVERNMENT = "province_government", _("Pemerintah provinsi pelapor")
    # A central agency's (or enterprise's) office serving the report's place: its unit in the
    # regency, else in the province, else the agency itself (agencies.ServiceArea widens
    # "in the regency" to the regencies an office serves).
    OFFICE = "office", _("Kantor instansi yang melayani wilayah pelapor")


class Matter(models.Model):
    """A matter (sub-urusan) within a category, with the level of government that holds it and
    who answers it, citing the law that says so (routing/data/matters.csv)."""

    code = models.SlugField(_("kode"), max_length=60, unique=True)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="matters", verbose_name=_("kategori")
    )
    name_id = models.CharField(_("nama (Indonesia)"), max_length=160)
    name_en = models.CharField(_("nama (Inggris)"), max_length=160)
    level = models.CharField(
        _("tingkat pemegang urusan"), max_length=10, choices=Agency.Level.choices
    )
    target = models.CharField(_("tujuan"), max_length=24, choices=Target.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("instansi"),
    )
    unit_type = models.SlugField(_("jenis unit"), max_length=60, blank=True)
    legal_basis = models.TextField(_("dasar hukum"))
    # The most likely holder when the citizen does not know ("tidak tahu"): one per category.
    is_default = models.BooleanField(_("bawaan kategori"), default=False)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["category__code", "order", "code"]
        verbose_name = _("urusan")
        verbose_name_plural = _("urusan")
        constraints = [
            models.CheckConstraint(
                condition=~Q(target__in=["agency", "office"]) | Q(agency__isnull=False),
                name="matter_agency_target_names_agency",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


class RoutingRule(models.Model):
    """(category, matter, kind, region scope) -> target. Blank category, matter or kind match
    anything; the region scope is a regency, a province, or (neither) the whole country."""

    Target = Target

    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        verbose_name=_("kategori"),
    )
    matter = models.ForeignKey(
        Matter,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        verbose_name=_("urusan"),
    )
    kind = models.CharField(_("jenis laporan"), max_length=24, blank=True)
    province = models.ForeignKey(
        Province,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provinsi"),
    )
    regency = models.ForeignKey(
        Regency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kabupaten/kota"),
    )
    target = models.CharField(_("tujuan"), max_length=24, choices=Target.choices)
    target_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("instansi tujuan"),
    )
    unit_type = models.SlugField(_("jenis unit"), max_length=60, blank=True)
    priority = models.IntegerField(_("prioritas"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)
    note = models.CharField(_("catatan"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("aturan disposisi")
        verbose_name_plural = _("aturan disposisi")
        constraints = [
            models.CheckConstraint(
                condition=~Q(target__in=["agency", "office"]) | Q(target_agency__isnull=False),
                name="agency_rule_names_agency",
            ),
        ]
        # routing.selectors.candidate_rules looks rules up by (category, region) only.
        indexes = [
            models.Index(fields=["category", "regency"], name="rule_cat_regency"),
            models.Index(fields=["category", "province"], name="rule_cat_province"),
        ]

    def __str__(self) -> str:
        what = self.matter.code if self.matter_id else self.category or "*"
        return f"#{self.pk} {what} / {self.kind or '*'} / {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.regency_id:
            return str(self.regency)
        if self.province_id:
            return str(self.province)
        return str(_("nasional"))

    @property
    def specificity(self) -> int:
        """regency (2) > province (1) > national (0)."""
        return 2 if self.regency_id else 1 if self.province_id else 0


class Classifier(models.Model):
    """A trained category classifier (routing.suggest), kept in the database so every web
    machine uses the same one. Written only by ``manage.py train_classifier``; the newest row
    is the one in use."""

    trained_at = models.DateTimeField(auto_now_add=True)
    examples = models.PositiveIntegerField(_("contoh"))
    confirmed_reports = models.PositiveIntegerField(_("laporan terkonfirmasi"), default=0)
    accuracy = models.FloatField(_("akurasi uji"), null=True, blank=True)
    top3 = models.FloatField(_("akurasi 3 teratas"), null=True, blank=True)
    model = models.BinaryField()

    class Meta:
        ordering = ["-trained_at", "-pk"]
        get_latest_by = ["trained_at", "pk"]
        verbose_name = _("pengklasifikasi kategori")
        verbose_name_plural = _("pengklasifikasi kategori")

    def __str__(self) -> str:
        return f"{self.trained_at:%Y-%m-%d %H:%M} ({self.examples})"
