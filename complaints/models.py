"""Reports, their audit events, attachments, the outbox, and time-limit configuration.

A report changes only through ``complaints.services.report_transition`` (the status machine);
every change writes a ``ReportEvent`` in the same transaction.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, District, Province, Regency
from routing.models import Category, Matter, RoutingRule


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Pengaduan")
    ASPIRATION = "aspiration", _("Aspirasi")
    INFORMATION_REQUEST = "information_request", _("Permintaan informasi")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Diterima")
    NEEDS_INFO = "needs_info", _("Menunggu kelengkapan")
    VERIFIED = "verified", _("Terverifikasi")
    DISPATCHED = "dispatched", _("Didisposisikan")
    IN_PROGRESS = "in_progress", _("Ditindaklanjuti")
    RESOLVED = "resolved", _("Selesai ditanggapi")
    CLOSED = "closed", _("Ditutup")
    REJECTED = "rejected", _("Ditolak")
    MERGED = "merged", _("Digabungkan")
    # Not completed by its reporter within the limit: archived, never labelled a rejection
    # (SP4N-LAPOR!'s "Arsipkan"; the limit is the "info" TimeLimit, complaints.deadlines).
    ARCHIVED = "archived", _("Diarsipkan: tidak dilengkapi")


OPEN_STATUSES = (
    Status.SUBMITTED,
    Status.NEEDS_INFO,
    Status.VERIFIED,
    Status.DISPATCHED,
    Status.IN_PROGRESS,
)
AGENCY_STATUSES = (Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED)
# Never public, whatever the reporter chose (ReportQuerySet.public).
UNPUBLISHED = (
    Status.SUBMITTED,
    Status.NEEDS_INFO,
    Status.REJECTED,
    Status.MERGED,
    Status.ARCHIVED,
)
# The publication rule as a condition: ReportQuerySet.public filters by it, and the partial
# indexes of the public list's filters (Report.Meta) are defined by it, so they always match.
PUBLISHED = Q(is_confidential=False) & ~Q(status__in=UNPUBLISHED)
# Finished for good: nothing more happens to the report (a resolved one may still be disputed).
# The reporter's key expires LAPOR_GUEST_KEY_DAYS after this (complaints.permissions).
FINISHED_STATUSES = (Status.CLOSED, Status.REJECTED, Status.MERGED, Status.ARCHIVED)


class Channel(models.TextChoices):
    WEB = "web", _("Situs web")
    API = "api", _("API")
    SMS = "sms", _("SMS 1708")
    INTEGRATION = "integration", _("Sistem daerah")
    OPEN311 = "open311", _("Open311")


def agency_due():
    """The deadline the holding agency works to: the first response while dispatched, the
    resolution while in progress, none otherwise. The inbox is ordered by it
    (complaints.queues.by_deadline) and the index ``report_inbox_due`` holds it, so that the
    first page of an agency holding 500,000 reports reads 25 index entries, not a sort of all
    of them: the two must be the same expression for PostgreSQL to use the index."""
    return models.Case(
        models.When(status=Status.DISPATCHED, then=models.F("response_due")),
        models.When(status=Status.IN_PROGRESS, then=models.F("resolution_due")),
        default=models.Value(None),
        output_field=models.DateTimeField(),
    )


def new_reporter_secret() -> str:
    return secrets.token_urlsafe(24)


class ReportQuerySet(models.QuerySet):
    def public(self) -> "ReportQuerySet":
        """Reports anyone may see in lists, pages and search: the one publication rule.

        Published once verified (SP4N-LAPOR! publishes a report when it has been passed on;
        ../shared/DESIGN.md, Reports): never while submitted or waiting for the reporter's
        information, never confidential, never rejected, never merged (the earlier report
        stands for it), never archived (never completed by its reporter, so never verified)."""
        return self.filter(PUBLISHED)

    def open(self) -> "ReportQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def within_agency_paths(self, paths) -> "ReportQuerySet":
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(agency_path__startswith=path)
        return self.filter(q)


class Report(models.Model):
    tracking = models.CharField(_("nomor pelacakan"), max_length=20, unique=True)
    kind = models.CharField(_("jenis"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("judul"), max_length=200)
    description = models.TextField(_("isi laporan"))
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("kategori"),
    )
    # The matter within the category (which road, which school), when the text, the citizen's
    # answer or triage settles it: routing sends it to the level that holds that matter.
    matter = models.ForeignKey(
        Matter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("urusan"),
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="reports", verbose_name=_("provinsi")
    )
    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("kabupaten/kota"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("kecamatan"),
    )
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("lintang")
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("bujur")
    )
    occurred_on = models.DateField(_("tanggal kejadian"), null=True, blank=True)

    # Privacy. Anonymous: identity hidden from the agency, the public, the API and exports.
    # Confidential: never in a public list, page, API, Open311 or search.
    is_anonymous = models.BooleanField(_("anonim"), default=False)
    is_confidential = models.BooleanField(_("rahasia"), default=False)
    # The reporter's name on the public page only when they ticked "tampilkan nama saya"
    # (UU 27/2022 Pasal 20 ayat (2) huruf a: consent before personal data is processed).
    show_name = models.BooleanField(_("tampilkan nama"), default=False)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("akun pelapor"),
    )
    reporter_name = models.CharField(_("nama pelapor"), max_length=150, blank=True)
    reporter_email = models.EmailField(_("email pelapor"), blank=True)
    reporter_phone = models.CharField(_("telepon pelapor"), max_length=20, blank=True)
    # Lets a guest act on their own report from the link in their e-mail (see permissions).
    reporter_secret = models.CharField(
        max_length=40, default=new_reporter_secret, editable=False, verbose_name=_("kunci pelapor")
    )
    # When the key was last issued again (services.report_key_reissue); empty: at filing.
    reporter_secret_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("kunci pelapor diterbitkan")
    )
    channel = models.CharField(_("kanal"), max_length=12, choices=Channel.choices)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    # The agency or unit that holds the report now, and the top-level agency it belongs to.
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("unit yang menangani"),
    )
    owner_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_reports",
        verbose_name=_("instansi"),
    )
    agency_path = models.CharField(
        max_length=255, blank=True, editable=False, verbose_name=_("jalur instansi")
    )
    # The agency the citizen named, if any (SP4N-LAPOR! allows it since 2025).
    requested_agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("instansi yang dituju pelapor"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_reports",
        verbose_name=_("petugas"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_reports",
        verbose_name=_("digabungkan ke"),
    )
    routing_rule = models.ForeignKey(
        RoutingRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aturan disposisi"),
    )
    routing_explanation = models.TextField(blank=True, verbose_name=_("penjelasan disposisi"))
    suggested_category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kategori yang disarankan"),
    )
    category_confirmed = models.BooleanField(default=False, verbose_name=_("kategori dikonfirmasi"))
    needs_triage_decision = models.BooleanField(
        default=False, verbose_name=_("perlu keputusan triase")
    )

    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("diterima"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diperbarui"))
    verified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("diverifikasi"))
    dispatched_at = models.DateTimeField(null=True, blank=True, verbose_name=_("didisposisikan"))
    agency_received_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("diterima instansi")
    )
    first_response_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("tanggapan pertama")
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("diselesaikan"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ditutup"))
    # When it reached a FINISHED status (closed, rejected, merged, archived); empty while it can
    # still move. Set by the status machine (services._apply).
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("berakhir"))
    # Due dates, fixed when the clock starts, so a change of the limits applies from then on.
    verify_due = models.DateTimeField(null=True, blank=True, verbose_name=_("batas verifikasi"))
    info_due = models.DateTimeField(null=True, blank=True, verbose_name=_("batas kelengkapan"))
    response_due = models.DateTimeField(null=True, blank=True, verbose_name=_("batas tanggapan"))
    resolution_due = models.DateTimeField(
        null=True, blank=True, verbose_name=_("batas penyelesaian")
    )
    dispute_due = models.DateTimeField(null=True, blank=True, verbose_name=_("batas sanggahan"))
    extended = models.BooleanField(default=False, verbose_name=_("diperpanjang"))
    overdue_at = models.DateTimeField(null=True, blank=True, verbose_name=_("terlambat sejak"))
    # Still unverified at the end of its verification limit (``verify_due``): marked by the
    # deadline sweep ("mark_verify_overdue"), kept after verification so the report stays
    # counted as verified late (complaints.deadlines.is_verify_late).
    verify_overdue_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("terlambat verifikasi sejak")
    )
    escalated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("dieskalasi"))
    ombudsman_visible = models.BooleanField(
        default=False, verbose_name=_("terlihat oleh Ombudsman")
    )
    ombudsman_consent = models.BooleanField(
        default=False, verbose_name=_("persetujuan ke Ombudsman")
    )
    # The reporter's explicit consent to show their identity to the Ombudsman; without it the
    # Ombudsman reads the report but not who filed it (complaints.permissions.can_see_identity).
    ombudsman_share_identity = models.BooleanField(
        default=False, verbose_name=_("identitas boleh dibagikan ke Ombudsman")
    )

    transfer_count = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("jumlah pengalihan")
    )
    reopen_count = models.PositiveSmallIntegerField(default=0, verbose_name=_("dibuka kembali"))
    rating = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("nilai"))
    # An information request's own path (UU 14/2008 on Keterbukaan Informasi Publik,
    # complaints.effects.info_objection): the last day to object to the PPID's superior
    # (art. 36(1): 30 working days), the objection, the superior's deadline (art. 36(2): 30
    # working days), its answer, the last day to take the dispute to the Komisi Informasi
    # (art. 37(2): 14 working days after that answer), and the reporter saying they did.
    objection_by = models.DateTimeField(_("batas pengajuan keberatan"), null=True, blank=True)
    objection_at = models.DateTimeField(_("keberatan diajukan"), null=True, blank=True)
    objection_due = models.DateTimeField(_("batas jawaban keberatan"), null=True, blank=True)
    objection_answered_at = models.DateTimeField(_("keberatan dijawab"), null=True, blank=True)
    commission_by = models.DateTimeField(
        _("batas pengajuan ke Komisi Informasi"), null=True, blank=True
    )
    commission_at = models.DateTimeField(_("diajukan ke Komisi Informasi"), null=True, blank=True)
    # When the reporter filled the public service survey (SKM) after closing, once.
    surveyed_at = models.DateTimeField(_("survei SKM diisi"), null=True, blank=True)
    support_count = models.PositiveIntegerField(default=0, verbose_name=_("dukungan"))
    # Bumped by every change; a form that carries an old version is refused (stale state).
    version = models.PositiveIntegerField(default=1, verbose_name=_("versi"))
    tags = models.ManyToManyField("Tag", blank=True, related_name="reports", verbose_name=_("tag"))

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("laporan")
        verbose_name_plural = _("laporan")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["dispatched", "in_progress", "resolved"])
                | Q(agency__isnull=False),
                name="agency_holds_dispatched_report",
            ),
        ]
        indexes = [
            # The public list: newest non-confidential first.
            models.Index(
                fields=["-created_at"],
                condition=Q(is_confidential=False),
                name="report_public_recent",
            ),
            # The officers' inbox: an agency's reports newest first, all or by status.
            models.Index(fields=["owner_agency", "status", "-created_at"], name="report_inbox"),
            models.Index(fields=["owner_agency", "-created_at", "-id"], name="report_owner_recent"),
            # Each officer's open reports (queues.officer_loads), without their archive.
            models.Index(
                fields=["assigned_to"],
                condition=Q(status__in=["dispatched", "in_progress"]),
                include=["overdue_at"],  # the late ones too, index-only (deadlines.overdue_q)
                name="report_assigned_open",
            ),
            # The inbox's overdue count (queues.overdue_count; the condition is
            # complaints.deadlines.overdue_q, the one definition), index-only: at 10M reports
            # the busiest agency's 19,649 overdue reports were counted by visiting 27,846 rows
            # of report_inbox (373 ms, bench_reads --explain).
            models.Index(
                fields=["owner_agency"],
                condition=Q(status__in=["dispatched", "in_progress"], overdue_at__isnull=False),
                name="report_overdue_open",
            ),
            # The inbox worked from the top (queues.by_deadline), in index order.
            models.Index(
                models.F("owner_agency"),
                agency_due().asc(nulls_last=True),
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="report_inbox_due",
            ),
            # The same for one status (?status=in_progress): through report_inbox_due a page
            # stepped over every report of other statuses due earlier (17,953 rows of the
            # busiest agency at 10M reports, 85 ms).
            models.Index(
                models.F("owner_agency"),
                models.F("status"),
                agency_due().asc(nulls_last=True),
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="report_inbox_status_due",
            ),
            models.Index(
                fields=["agency_path"], name="report_agency_path", opclasses=["varchar_pattern_ops"]
            ),
            # The triage queue and the deadline sweep.
            models.Index(fields=["status", "created_at"], name="report_status_created"),
            models.Index(fields=["province", "regency", "status"], name="report_region"),
            models.Index(fields=["reporter", "-created_at"], name="report_reporter"),
            # The public list's filters, counted index-only (CappedPaginator's COUNT over a
            # LIMIT): at 1M reports a province's count read 62,000 heap rows to find 10,001
            # (49 ms, bench_reads --explain). Only published reports are in them, so a filing
            # (submitted) adds no entry.
            models.Index(
                fields=["province", "category", "status"],
                condition=PUBLISHED,
                name="report_public_region",
            ),
            models.Index(
                fields=["category", "status"], condition=PUBLISHED, name="report_public_category"
            ),
            # A province's public list in order: a later page (OFFSET) read every public report
            # of the country newer than it through report_public_recent (page 200 of Jawa
            # Barat at 1M: 32 ms, 2.3x its time at 10k).
            models.Index(
                fields=["province", "-created_at", "-id"],
                condition=PUBLISHED,
                name="report_public_province",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("complaints:track-detail", args=[self.tracking])

    @property
    def is_published(self) -> bool:
        """The row-level form of ReportQuerySet.public (keep the two the same)."""
        return not self.is_confidential and self.status not in UNPUBLISHED

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventQuerySet(models.QuerySet):
    def public(self) -> "EventQuerySet":
        return self.filter(is_public=True)

    def of_report(self, report: "Report") -> "EventQuerySet":
        """The events of ``report``, bounded by its filing time: events of a report never
        precede its filing, so on PostgreSQL the query reads only the monthly partitions from
        that month on (complaints.partitions)."""
        return self.filter(report=report, created_at__gte=report.created_at)


class ReportEvent(models.Model):
    """An audit event. Written in the same transaction as the change it records; never edited
    or deleted."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="events", verbose_name=_("laporan")
    )
    action = models.CharField(max_length=24, verbose_name=_("tindakan"))
    from_status = models.CharField(
        max_length=12, blank=True, choices=Status.choices, verbose_name=_("dari status")
    )
    to_status = models.CharField(
        max_length=12, blank=True, choices=Status.choices, verbose_name=_("ke status")
    )
    from_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dari instansi"),
    )
    to_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ke instansi"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pelaku"),
    )
    # Who acted, as the public may read it ("Pelapor", "Dinas Kesehatan Kota Bandung", "Sistem").
    actor_label = models.CharField(max_length=255, blank=True, verbose_name=_("nama pelaku"))
    note = models.TextField(blank=True, verbose_name=_("catatan"))
    is_public = models.BooleanField(default=True, verbose_name=_("publik"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("data"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("waktu"))

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["report", "created_at"], name="event_report")]
        verbose_name = _("peristiwa laporan")
        verbose_name_plural = _("peristiwa laporan")

    def __str__(self) -> str:
        return f"{self.report_id} {self.action} {self.from_status}->{self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Audit events are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are never deleted.")


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is random: the citizen's file name is kept (cleaned) in ``name`` only.
    return f"attachments/{instance.sha256[:2]}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("laporan")
    )
    file = models.FileField(upload_to=attachment_path, max_length=200, verbose_name=_("berkas"))
    name = models.CharField(max_length=120, verbose_name=_("nama"))
    content_type = models.CharField(max_length=60, verbose_name=_("jenis berkas"))
    size = models.PositiveIntegerField(verbose_name=_("ukuran (bita)"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    # No database foreign key: events are partitioned by month (complaints.partitions), whose
    # triggers keep the same integrity (the event exists; a referenced event is not deleted).
    event = models.ForeignKey(
        ReportEvent,
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("peristiwa"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("diunggah"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("lampiran")
        verbose_name_plural = _("lampiran")

    def __str__(self) -> str:
        return self.name


class StagedUpload(models.Model):
    """A file chosen on the report form, stored as soon as it arrives so that no error on the
    form loses it. It belongs to one form draft (a random key in the form and in the browser's
    session); filing the report turns it into an Attachment without copying the file; a draft
    never filed is deleted by the sweep after ``complaints.staging.TTL``."""

    draft = models.CharField(max_length=48)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # The same file chosen twice (or sent again after an error) is stored once.
            models.UniqueConstraint(fields=["draft", "sha256"], name="staged_once_per_draft")
        ]
        indexes = [models.Index(fields=["draft"], name="staged_draft")]

    def __str__(self) -> str:
        return self.name


class OutboxMessage(models.Model):
    """What must not be lost is a row first: a message to send, written in the transaction of
    the change that caused it, delivered by a task, swept again if the broker was down.

    On PostgreSQL the table is partitioned by month of ``created_at`` like the audit events
    (complaints.partitions; primary key (id, created_at) in the database, ``id`` here), so its
    dedupe key cannot be unique in it: ``OutboxKey`` holds every key, and
    ``notifications.outbox_add`` (the one writer) writes both in one statement."""

    class Channel(models.TextChoices):
        EMAIL = "email", "email"
        SMS = "sms", "SMS"

    class State(models.TextChoices):
        PENDING = "pending", _("menunggu")
        SENDING = "sending", _("dikirim")
        SENT = "sent", _("terkirim")
        FAILED = "failed", _("gagal")

    # One message per (event, recipient, purpose): a second write is a no-op, never a duplicate
    # (unique through OutboxKey, over every month).
    dedupe_key = models.CharField(max_length=200, verbose_name=_("kunci unik"))
    channel = models.CharField(
        max_length=8, choices=Channel.choices, default=Channel.EMAIL, verbose_name=_("saluran")
    )
    recipient = models.CharField(max_length=254, verbose_name=_("penerima"))
    subject = models.CharField(max_length=255, verbose_name=_("subjek"))
    body = models.TextField(verbose_name=_("isi"))
    # A message the worker writes at send time (complaints.notifications.RENDERERS): the name
    # of its renderer and what it renders from, as it was at the change; subject and body are
    # then blank until it is sent. Blank: subject and body are the message.
    template = models.CharField(
        max_length=32, blank=True, db_default="", verbose_name=_("templat")
    )  # raw INSERTs
    context = models.JSONField(null=True, blank=True, verbose_name=_("konteks"))
    report = models.ForeignKey(
        Report,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("laporan"),
    )
    state = models.CharField(
        max_length=8, choices=State.choices, default=State.PENDING, verbose_name=_("keadaan")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("percobaan"))
    last_error = models.TextField(blank=True, verbose_name=_("galat terakhir"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat"))
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("diambil"))
    # The Celery task id that claimed it: if that task's worker dies, the task is delivered
    # again with the same id and takes its own claim back at once (not after STALE_CLAIM).
    claimed_by = models.CharField(
        max_length=64, blank=True, db_default="", verbose_name=_("diambil oleh")
    )  # raw INSERTs
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("terkirim"))

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"], name="outbox_state")]
        verbose_name = _("pesan keluar")
        verbose_name_plural = _("pesan keluar")

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient}: {self.subject}"


class OutboxKey(models.Model):
    """The dedupe key of every outbox message, unpartitioned: its primary key keeps a key
    unique over all months of the partitioned outbox. Written with its message in one
    statement (notifications.outbox_add); ``created_at`` is the message's, so the keys of an
    archived month leave with it (complaints.partitions.archive says why that is safe)."""

    dedupe_key = models.CharField(max_length=200, primary_key=True, verbose_name=_("kunci unik"))
    created_at = models.DateTimeField(verbose_name=_("dibuat"))

    class Meta:
        verbose_name = _("kunci pesan keluar")
        verbose_name_plural = _("kunci pesan keluar")

    def __str__(self) -> str:
        return self.dedupe_key


class TimeLimit(models.Model):
    """A configurable time limit. The most specific row wins: agency and category, then
    agency, then category, then the kind's default. Changing a row affects reports whose clock
    starts after the change."""

    class Stage(models.TextChoices):
        VERIFY = "verify", _("Verifikasi")
        INFO = "info", _("Kelengkapan dari pelapor")
        FIRST_RESPONSE = "first_response", _("Tanggapan pertama")
        RESOLUTION = "resolution", _("Penyelesaian")
        EXTENSION = "extension", _("Perpanjangan")
        DISPUTE = "dispute", _("Masa sanggah pelapor")
        # UU 14/2008: objection to the PPID's superior within 30 working days of the ground
        # (art. 36(1)), answered within 30 working days (art. 36(2)); the dispute to the
        # Komisi Informasi within 14 working days of that answer (art. 37(2)).
        OBJECTION_WINDOW = "objection_by", _("Masa keberatan pemohon informasi")
        OBJECTION = "objection", _("Tanggapan atasan PPID atas keberatan")
        COMMISSION = "commission", _("Masa pengajuan sengketa ke Komisi Informasi")

    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", _("hari kerja")
        CALENDAR_DAYS = "calendar_days", _("hari kalender")

    stage = models.CharField(max_length=16, choices=Stage.choices, verbose_name=_("tahap"))
    kind = models.CharField(
        max_length=24, choices=Kind.choices, blank=True, verbose_name=_("jenis laporan")
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("instansi"),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kategori"),
    )
    amount = models.PositiveSmallIntegerField(verbose_name=_("jumlah"))
    unit = models.CharField(
        max_length=14, choices=Unit.choices, default=Unit.WORKING_DAYS, verbose_name=_("satuan")
    )

    class Meta:
        verbose_name = _("batas waktu")
        verbose_name_plural = _("batas waktu")

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.amount} {self.get_unit_display()}"


class NonWorkingDay(models.Model):
    """A change to the working calendar that the holidays package does not know yet: a day off
    (a new joint leave day, a holiday added by decree) or the cancellation of a day off the
    package lists (a national holiday the government moved). Every year's national holidays
    and joint leave days are set by a joint decree of the Minister of Religious Affairs, the
    Minister of Manpower and the Minister of State Apparatus Empowerment and Bureaucratic
    Reform (SKB 3 Menteri tentang Hari Libur Nasional dan Cuti Bersama; for 2026: Nomor 1497
    Tahun 2025, Nomor 2 Tahun 2025 and Nomor 5 Tahun 2025, 17 holidays and 8 joint leave days,
    as published by Kemenko PMK and e.g. disdiksmg.semarangkota.go.id), and amended by a further
    SKB when a day moves. ``basis`` records which decree an entry follows."""

    class Kind(models.TextChoices):
        OFF = "off", _("Hari libur")
        CANCELLED = "cancelled", _("Libur dibatalkan (hari kerja)")

    date = models.DateField(_("tanggal"), unique=True)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.OFF)
    name = models.CharField(_("keterangan"), max_length=120)
    basis = models.CharField(
        _("dasar hukum"),
        max_length=200,
        blank=True,
        help_text=_("Misalnya: SKB Menteri Agama, Menaker dan MenPANRB Nomor ... Tahun ..."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("perubahan hari kerja")
        verbose_name_plural = _("kalender hari kerja")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Support(models.Model):
    """A citizen's "dukung" on a public report, once each."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="support_once")]

    def __str__(self) -> str:
        return f"{self.user_id} supports {self.report_id}"


class AnswerTemplate(models.Model):
    """A reusable answer an agency's officers start from (edited before sending). Shared by the
    agency (``owner`` empty, made by its admin) or one officer's own. It may be limited to a
    category, a status and the action whose box it fills; placeholders such as {salam},
    {nomor} and {batas} are filled from the report (complaints.answers)."""

    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        related_name="answer_templates",
        verbose_name=_("instansi"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("milik"),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kategori"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, blank=True)
    for_action = models.CharField(_("untuk tindakan"), max_length=24, blank=True)
    title = models.CharField(_("judul"), max_length=120)
    body = models.TextField(_("isi"))
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat"))

    class Meta:
        ordering = ["title"]
        verbose_name = _("templat jawaban")
        verbose_name_plural = _("templat jawaban")

    def __str__(self) -> str:
        return self.title


class Tag(models.Model):
    """A free label triage and officers put on reports ("banjir-2026", "viral")."""

    name = models.SlugField(_("nama"), max_length=40, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tag")

    def __str__(self) -> str:
        return self.name


class SavedView(models.Model):
    """A staff member's named filter of the triage workspace or the inbox."""

    class Page(models.TextChoices):
        TRIAGE = "triage", _("Triase")
        INBOX = "inbox", _("Laporan masuk")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    page = models.CharField(max_length=8, choices=Page.choices)
    name = models.CharField(_("nama"), max_length=60)
    query = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "page", "name"], name="saved_view_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class ExportJob(models.Model):
    """An export too large to build within a request: built by a worker
    (complaints.exports.export_build), downloaded only by the staff member who asked for it,
    and deleted when it expires (complaints.exports.export_sweep). ``query`` holds the inbox
    filters it was asked with; the worker applies them in the requester's scope again."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class State(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", _("Sedang dibuat")
        DONE = "done", _("Siap diunduh")
        FAILED = "failed", _("Gagal")

    key = models.UUIDField(_("kunci"), unique=True, default=uuid.uuid4, editable=False)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("peminta"),
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    query = models.CharField(_("saringan"), max_length=2000, blank=True)
    language = models.CharField(_("bahasa"), max_length=8)
    state = models.CharField(
        _("keadaan"), max_length=8, choices=State.choices, default=State.QUEUED
    )
    total = models.PositiveIntegerField(_("jumlah laporan"), default=0)
    written = models.PositiveIntegerField(_("baris tertulis"), default=0)
    file = models.CharField(_("berkas"), max_length=200, blank=True)
    error = models.CharField(_("galat"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("diminta"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kedaluwarsa"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ekspor")
        verbose_name_plural = _("ekspor")

    def __str__(self) -> str:
        return f"{self.format} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(99, self.written * 100 // self.total) if self.total else 0


class FollowUp(models.Model):
    """ "Sudah beres?": the one question a reporter is asked some working weeks after an
    agency resolved their report (FixMyStreet's questionnaire; complaints.followups). One per
    resolution, named by its moment (a dispute clears ``Report.resolved_at`` and a new
    resolution sets it again, so it is asked again). Answering "no" reopens the report
    through the status machine; "yes" is recorded as its event."""

    class Answer(models.TextChoices):
        FIXED = "fixed", _("Sudah beres")
        NOT_FIXED = "not_fixed", _("Belum beres")

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="followups")
    resolved_at = models.DateTimeField()
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "resolved_at"], name="followup_once_per_resolution"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.answer or 'asked'}"


class SurveyResponse(models.Model):
    """A reporter's answers to the public service survey (Survei Kepuasan Masyarakat) after
    their report closed: the nine elements (unsur) of PermenPANRB 14/2017, Lampiran, each
    answered on its 1-4 scale (1 tidak baik ... 4 sangat baik). The agency, category and
    province are kept as they were when it was filled (the summaries read them)."""

    report = models.OneToOneField(Report, on_delete=models.PROTECT, related_name="survey")
    owner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    u1 = models.PositiveSmallIntegerField()
    u2 = models.PositiveSmallIntegerField()
    u3 = models.PositiveSmallIntegerField()
    u4 = models.PositiveSmallIntegerField()
    u5 = models.PositiveSmallIntegerField()
    u6 = models.PositiveSmallIntegerField()
    u7 = models.PositiveSmallIntegerField()
    u8 = models.PositiveSmallIntegerField()
    u9 = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    **{f"u{i}__gte": 1 for i in range(1, 10)},
                    **{f"u{i}__lte": 4 for i in range(1, 10)},
                ),
                name="skm_answers_1_to_4",
            )
        ]
        verbose_name = _("survei kepuasan")
        verbose_name_plural = _("survei kepuasan")

    def __str__(self) -> str:
        return f"SKM {self.report_id}"

    @property
    def answers(self) -> list[int]:
        return [getattr(self, f"u{i}") for i in range(1, 10)]
