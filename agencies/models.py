"""Regions, agencies and their work units, people and the roles that scope them.

This app depends on no other app of LAPOR.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


class Province(models.Model):
    code = models.CharField(_("kode"), max_length=2, primary_key=True)
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("provinsi")
        verbose_name_plural = _("provinsi")

    def __str__(self) -> str:
        return self.name


class Regency(models.Model):
    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("Kabupaten")
        KOTA = "kota", _("Kota")

    code = models.CharField(_("kode"), max_length=4, primary_key=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="regencies", verbose_name=_("provinsi")
    )
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kabupaten/kota")
        verbose_name_plural = _("kabupaten/kota")

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    code = models.CharField(_("kode"), max_length=6, primary_key=True)
    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        related_name="districts",
        verbose_name=_("kabupaten/kota"),
    )
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self) -> str:
        return self.name


class AgencyQuerySet(models.QuerySet):
    def active(self) -> "AgencyQuerySet":
        return self.filter(is_active=True)

    def top_level(self) -> "AgencyQuerySet":
        return self.filter(parent__isnull=True)

    def within(self, agency: "Agency") -> "AgencyQuerySet":
        """The agency and every unit below it, at any depth (one indexed prefix match)."""
        return self.filter(path__startswith=agency.path)


class Agency(models.Model):
    """An instansi (ministry, national agency, regional government, enterprise) or one of its
    work units. Units point at their parent; ``path`` holds the chain of ids from the top, so
    "this agency and all below it" is one prefix match."""

    class Kind(models.TextChoices):
        KEMENTERIAN = "kementerian", _("Kementerian")
        LEMBAGA = "lembaga", _("Lembaga")
        PEMPROV = "pemprov", _("Pemerintah provinsi")
        PEMKAB = "pemkab", _("Pemerintah kabupaten")
        PEMKOT = "pemkot", _("Pemerintah kota")
        BUMN = "bumn", _("BUMN")
        BUMD = "bumd", _("BUMD")
        UNIT = "unit", _("Unit kerja")

    class Level(models.TextChoices):
        NATIONAL = "national", _("Nasional")
        PROVINCE = "province", _("Provinsi")
        REGENCY = "regency", _("Kabupaten/kota")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("nama"), max_length=255)
    acronym = models.CharField(_("singkatan"), max_length=60, blank=True)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("induk"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, verbose_name=_("jalur"))
    depth = models.PositiveSmallIntegerField(default=0, editable=False, verbose_name=_("kedalaman"))
    # A work unit's standard type ("dinas-kesehatan"), so rules can name "the health office".
    unit_type = models.SlugField(_("jenis unit"), max_length=60, blank=True)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("provinsi"),
    )
    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("kabupaten/kota"),
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    round_robin = models.BooleanField(
        _("bagi rata laporan baru"),
        default=False,
        help_text=_(
            "Laporan yang masuk ke unit ini ditugaskan ke petugasnya yang paling sedikit "
            "memegang laporan terbuka."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat"))

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")
        constraints = [
            # One government per region: the routing target "the regency's government".
            models.UniqueConstraint(
                fields=["regency"],
                condition=Q(kind__in=["pemkab", "pemkot"]),
                name="one_government_per_regency",
            ),
            models.UniqueConstraint(
                fields=["province"],
                condition=Q(kind="pemprov"),
                name="one_government_per_province",
            ),
            # One unit of a type per parent, and for regional governments per place too (a
            # government has one health office). A central agency's offices (level national)
            # may share a type in one place: two Kemenkes hospitals in one city.
            models.UniqueConstraint(
                fields=["parent", "unit_type"],
                condition=~Q(unit_type="") & Q(province__isnull=True, regency__isnull=True),
                name="one_unit_of_a_type_per_parent",
            ),
            models.UniqueConstraint(
                fields=["parent", "unit_type", "province"],
                condition=~Q(unit_type="")
                & ~Q(level="national")
                & Q(province__isnull=False, regency__isnull=True),
                name="one_unit_of_a_type_per_parent_province",
            ),
            models.UniqueConstraint(
                fields=["parent", "unit_type", "regency"],
                condition=~Q(unit_type="") & ~Q(level="national") & Q(regency__isnull=False),
                name="one_unit_of_a_type_per_parent_regency",
            ),
        ]
        indexes = [models.Index(fields=["kind", "level"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_unit(self) -> bool:
        return self.parent_id is not None

    @property
    def root_id(self) -> int:
        """Id of the top-level agency this one belongs to (read from ``path``, no query)."""
        return int(self.path.split("/", 1)[0])


class ServiceArea(models.Model):
    """A regency an office serves beyond its own seat (a Kantor Imigrasi serves several), so
    routing finds "the office serving the report's place"."""

    office = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="service_areas")
    regency = models.ForeignKey(Regency, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("wilayah layanan")
        verbose_name_plural = _("wilayah layanan")
        constraints = [
            models.UniqueConstraint(fields=["office", "regency"], name="one_service_area_row")
        ]
        indexes = [models.Index(fields=["regency"], name="service_area_regency")]

    def __str__(self) -> str:
        return f"{self.office} · {self.regency}"


class User(AbstractUser):
    """Anyone who signs in: citizens and staff alike. Staff powers come from ``Role`` rows."""

    email = models.EmailField(_("email"), blank=True, db_index=True)
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    full_name = models.CharField(_("nama lengkap"), max_length=150, blank=True)
    email_verified = models.BooleanField(_("email terverifikasi"), default=False)
    last_active_at = models.DateTimeField(null=True, blank=True, verbose_name=_("terakhir aktif"))
    notify_optional = models.BooleanField(
        _("kirim pemberitahuan tambahan"),
        default=True,
        help_text=_("Ringkasan dan pemberitahuan yang tidak wajib."),
    )
    # The account an integration's API key acts as (integrations.services.apikey_issue): it
    # holds an officer role for the key's scope, but is no person to pick or to manage.
    is_service = models.BooleanField(
        default=False, editable=False, verbose_name=_("akun layanan (API)")
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    def __str__(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class RoleQuerySet(models.QuerySet):
    def active(self) -> "RoleQuerySet":
        return self.filter(is_active=True)

    def ppid_superiors(self, agency_id: int | None) -> "RoleQuerySet":
        """The recorded atasan PPID of a top-level agency (active people only)."""
        return self.active().filter(kind="ppid_superior", agency_id=agency_id, user__is_active=True)


class Role(models.Model):
    """A person's power over a scope: an agency (with its units), a province, or the nation."""

    class Kind(models.TextChoices):
        OFFICER = "officer", _("Penghubung (petugas)")
        AGENCY_ADMIN = "agency_admin", _("Admin instansi")
        PROVINCE_SUPERVISOR = "province_supervisor", _("Pengawas provinsi")
        NATIONAL_ADMIN = "national_admin", _("Admin nasional")
        OMBUDSMAN = "ombudsman", _("Pengamat Ombudsman")
        # The superior of the agency's PPID (UU 14/2008 Pasal 35-36): answers objections to
        # information requests. Recorded on the top-level agency, for one of its staff; the
        # role opens nothing by itself (the person reads reports through their staff role).
        PPID_SUPERIOR = "ppid_superior", _("Atasan PPID")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("pengguna")
    )
    kind = models.CharField(_("peran"), max_length=24, choices=Kind.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("instansi"),
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("provinsi"),
    )
    decree = models.CharField(_("nomor SK"), max_length=120, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    appointed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("diangkat"))

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("peran")
        verbose_name_plural = _("peran")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind__in=["officer", "agency_admin", "ppid_superior"],
                        agency__isnull=False,
                        province=None,
                    )
                    | Q(kind="province_supervisor", province__isnull=False, agency=None)
                    | Q(kind__in=["national_admin", "ombudsman"], agency=None, province=None)
                ),
                name="role_scope_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "agency"],
                condition=Q(agency__isnull=False),
                name="one_agency_role_per_kind",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "province"],
                condition=Q(province__isnull=False),
                name="one_province_role_per_kind",
            ),
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(agency=None, province=None),
                name="one_national_role_per_kind",
            ),
        ]
        indexes = [models.Index(fields=["agency", "kind", "is_active"])]

    def __str__(self) -> str:
        scope = self.agency or self.province or _("nasional")
        return f"{self.get_kind_display()} · {scope}"


class AppointmentQuerySet(models.QuerySet):
    def valid_on(self, day):
        """Appointments in force on ``day``: signed by then and not yet expired, not revoked."""
        return self.filter(signed_on__lte=day, valid_until__gte=day, revoked_at__isnull=True)


class Appointment(models.Model):
    """An agency's decree appointing its complaint managers (SK pengelola pengaduan): the
    number, the date, the signed file, the people appointed and how long it holds.

    Every provider of public services must assign its complaint managers (Perpres 76/2013 on
    Pengelolaan Pengaduan Pelayanan Publik, Pasal 20 huruf a; UU 25/2009 Pasal 36-37), which
    agencies do by decree. An agency counts as connected (terhubung) when such a decree is in
    force and its admin is active (../shared/DESIGN.md, Indicators: SP4N-LAPOR!'s keterhubungan
    counts a recorded appointment, not an account). A decree that has expired no longer counts
    (``valid_until``)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("instansi")
    )
    number = models.CharField(_("nomor SK"), max_length=120)
    signed_on = models.DateField(_("tanggal SK"))
    valid_until = models.DateField(_("berlaku sampai"))
    appointees = models.TextField(
        _("yang ditunjuk"), help_text=_("Satu orang per baris: nama, jabatan, peran.")
    )
    file = models.FileField(_("berkas SK (PDF)"), upload_to="sk/%Y/", max_length=200)
    entered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("dicatat oleh")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("SK pengelola pengaduan")
        verbose_name_plural = _("SK pengelola pengaduan")
        ordering = ["-signed_on", "-pk"]
        indexes = [models.Index(fields=["agency", "valid_until"], name="appointment_valid")]

    def __str__(self) -> str:
        return f"{self.number} ({self.agency_id})"

    def people(self) -> list[str]:
        return [line.strip() for line in self.appointees.splitlines() if line.strip()]

    def is_valid(self, day) -> bool:
        return self.revoked_at is None and self.signed_on <= day <= self.valid_until


class TwoFactorDevice(TOTPDevice):
    """django_otp's TOTP device as the admin shows it (Indonesian labels; django_otp's own
    admin is English only and is replaced in agencies.admin). No table of its own."""

    class Meta:
        proxy = True
        verbose_name = _("perangkat dua langkah")
        verbose_name_plural = _("perangkat dua langkah")


class RecoveryCodes(StaticDevice):
    """django_otp's static device (the recovery codes), as the admin shows it."""

    class Meta:
        proxy = True
        verbose_name = _("kode pemulihan")
        verbose_name_plural = _("kode pemulihan")
