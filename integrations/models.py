"""Integration clients of an agency: API keys and their call log, idempotency records,
webhook endpoints and the delivery log, and the SMS gateway's inbound messages.

An API key acts for one agency through a dedicated service user holding an officer role on
that agency, so every permission check of ``complaints.permissions`` applies unchanged."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency


class ApiKey(models.Model):
    """A secret shown once; only its SHA-256 is kept (the secret is 40+ random characters, so a
    fast hash is enough). ``prefix`` finds the row without revealing the secret."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_keys")
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_key"
    )
    name = models.CharField(_("nama"), max_length=120)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("kunci API")
        verbose_name_plural = _("kunci API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiCallLog(models.Model):
    """One row per call made with a key (one INSERT, nothing else)."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="calls")
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    status = models.PositiveSmallIntegerField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["key", "-at"], name="apicall_key_recent")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an ``Idempotency-Key``. ``scope`` is the key's id
    (``key:12``) or the caller's address (``ip:10.0.0.1``) for public calls, so two callers
    never share answers."""

    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=80)
    path = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_once_per_scope")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class WebhookEndpoint(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    # Needed to sign every delivery, so kept as it is; shown to the admin once.
    secret = models.CharField(max_length=80)
    is_active = models.BooleanField(_("aktif"), default=True)
    # Event names (integrations.webhooks.EVENTS) to send; empty means all.
    events = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # One worker at a time delivers an endpoint's queue (in order): a lease taken by a
    # conditional UPDATE, expiring by itself if the worker dies.
    lease_until = models.DateTimeField(null=True, blank=True)
    # The Celery task id holding the lease: the same task, redelivered after its worker was
    # killed (acks_late, reject_on_worker_lost), takes its own lease back at once.
    lease_owner = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhook")

    def __str__(self) -> str:
        return self.url

    def wants(self, event_name: str) -> bool:
        return not self.events or event_name in self.events


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("menunggu")
        DELIVERED = "delivered", _("terkirim")
        FAILED = "failed", _("gagal")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # No database foreign key to the partitioned events table: its triggers keep the integrity
    # (complaints.partitions).
    event = models.ForeignKey(
        "complaints.ReportEvent", on_delete=models.PROTECT, db_constraint=False, related_name="+"
    )
    report = models.ForeignKey("complaints.Report", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=40)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event_id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_once_per_event")
        ]
        indexes = [
            models.Index(
                fields=["endpoint", "event"],
                condition=Q(state="pending"),
                name="webhook_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.event_id} -> {self.endpoint_id} ({self.state})"


class SmsInbound(models.Model):
    """A text received from the SMS gateway, once per gateway message id."""

    class State(models.TextChoices):
        FILED = "filed", _("menjadi laporan")
        STATUS = "status", _("pertanyaan status")
        AWAITING_REGION = "awaiting_region", _("menunggu wilayah")
        USED = "used", _("digabung ke laporan")
        REJECTED = "rejected", _("tidak diproses")

    gateway_id = models.CharField(max_length=100, unique=True)
    sender = models.CharField(max_length=20, db_index=True)
    text = models.TextField()
    state = models.CharField(max_length=16, choices=State.choices)
    report = models.ForeignKey(
        "complaints.Report", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reply = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.sender}: {self.text[:40]}"


class ExternalRef(models.Model):
    """A regional system's own id for a LAPOR report: unique per client (the agency the key
    acts for, so a new key of the same agency keeps its ids) and kept forever, so a retry a
    week later answers the same report instead of filing a second one. ``origin``: the report
    came in through this client, which is then its citizen's front door (reply, accept,
    dispute over the API) and keeps hearing its public events after a transfer away."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="external_refs")
    external_id = models.CharField(max_length=100)
    report = models.ForeignKey(
        "complaints.Report", on_delete=models.PROTECT, related_name="external_refs"
    )
    origin = models.BooleanField(default=True)
    key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "external_id"], name="external_id_once_per_client"
            ),
            models.UniqueConstraint(fields=["agency", "report"], name="one_external_id_per_report"),
        ]
        indexes = [models.Index(fields=["report"], name="external_ref_report")]

    def __str__(self) -> str:
        return f"{self.agency_id}:{self.external_id} -> {self.report_id}"


class StatusMap(models.Model):
    """A client's status words: ``inbound`` maps its status names to LAPOR actions (what it
    sends), ``outbound`` maps LAPOR statuses to its names (what it receives in payloads).
    Checked by ``integrations.sync.statusmap_set``."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="status_map")
    inbound = models.JSONField(default=dict, blank=True)
    outbound = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"status map of {self.agency_id}"


class ImportRun(models.Model):
    """One backfill of a client's archive (API or ``import_reports``). Resumable: each record
    is keyed by its external id, so running the same archive again skips what is in and files
    what is not. ``refused`` lists what was not taken and why."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    received = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    refused = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"import {self.pk} of {self.agency_id}"


class FederationLink(models.Model):
    """LAPOR to LAPOR (integrations.federation): a report of this (provincial) instance and
    its number at the national instance. ``origin`` says where the citizen filed it: upstream
    (national dispatched it here: this report is its mirror) or local (filed here, sent up
    because national law gives it to an agency outside the province). ``upstream_tracking``
    is empty until the national instance has answered the filing sent up."""

    class Origin(models.TextChoices):
        UPSTREAM = "upstream", _("dari instans nasional")
        LOCAL = "local", _("diajukan di sini")

    report = models.OneToOneField(
        "complaints.Report", on_delete=models.PROTECT, related_name="federation"
    )
    upstream_tracking = models.CharField(max_length=40, unique=True, null=True, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.report_id} <-> {self.upstream_tracking or '?'} ({self.origin})"


class FederationReceived(models.Model):
    """A national event received by this instance's federation door, once per upstream event
    id (a replay answers 200 and changes nothing), with what became of it."""

    upstream_event = models.BigIntegerField(unique=True)
    tracking = models.CharField(max_length=40)
    name = models.CharField(max_length=40)
    outcome = models.CharField(max_length=10)  # applied, ignored, refused
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.upstream_event} {self.name} {self.outcome}"


class FederationPush(models.Model):
    """A call this instance owes the national one (file a report sent up, record an
    officer's step, the citizen's step, link the mirror's number), written in the transaction
    of the local change and sent in id order by ``integrations.federation.push_pending``."""

    class State(models.TextChoices):
        PENDING = "pending", _("menunggu")
        DONE = "done", _("terkirim")
        FAILED = "failed", _("ditolak")

    report = models.ForeignKey("complaints.Report", on_delete=models.PROTECT, related_name="+")
    # The local event that owes the call (none for a mirror's number sent back): its id
    # only, as events are partitioned by month and archived (complaints.partitions), while
    # a push is a record of what was sent.
    event_id = models.BigIntegerField(null=True, blank=True, unique=True)
    op = models.CharField(max_length=10)  # file, action, citizen, link
    body = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["id"], condition=Q(state="pending"), name="federation_pending")
        ]

    def __str__(self) -> str:
        return f"{self.op} {self.report_id} ({self.state})"
