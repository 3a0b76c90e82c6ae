"""How reports and events look to an agency's system: in the agency API, the event pull and
the webhook bodies alike. The reporter's identity is present only when the caller may see it
(never for an anonymous report: the caller's ``complaints.audiences`` view decides)."""

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints import audiences
from complaints.models import Attachment, Report
from core.siteurl import site_url


class StrictBooleanField(serializers.BooleanField):
    """A yes/no that must be said plainly: JSON true/false (or the strings "true"/"false").
    DRF's own BooleanField also takes 1, "yes", "on" and more; for anonymity and
    confidentiality a value the caller did not mean is refused instead of guessed."""

    default_error_messages = {"invalid": _("Harus true atau false.")}

    def to_internal_value(self, data):
        if data is True or data == "true":
            return True
        if data is False or data == "false":
            return False
        self.fail("invalid")


class FieldsBoundOnce:
    """An input serializer whose declared fields are copied and bound once per class instead
    of once per instance (DRF deep-copies every declared field, validators and all, for each
    serializer it makes: the largest part of validating a filing's body). For serializers that
    only validate a request's data, made with ``data=`` alone: their fields keep nothing
    between calls, and what a field reads of its serializer (``root.partial``, ``context``) is
    then the same for every instance. Shared by the threads of a process: nothing is written
    to a field after it is bound but its own memos (DRF's validators list)."""

    @cached_property
    def fields(self):
        if self.partial or self._context:  # what a field reads of its serializer differs
            return super().fields
        cls = type(self)
        bound = cls.__dict__.get("_fields_bound_once")
        if bound is None:  # two threads may both build it: either copy serves
            bound = super(FieldsBoundOnce, cls()).fields
            cls._fields_bound_once = bound
        return bound


class AgencyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class ReporterSerializer(serializers.Serializer):
    name = serializers.CharField(source="reporter_name")
    email = serializers.CharField(source="reporter_email")
    phone = serializers.CharField(source="reporter_phone")


class AgencyReportSerializer(serializers.Serializer):
    """A report as its agency's system sees it. Context: ``view`` (callable report ->
    complaints.audiences.View, the caller's view of it) decides whether ``reporter`` is filled
    and, in the detail, which events and files; ``external_ids`` (report id -> the client's
    own id) and ``status_words`` (LAPOR status -> the client's word, its status map) fill
    ``external_id`` and ``external_status``."""

    tracking = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField(source="category.code", default=None, allow_null=True)
    province = serializers.CharField(source="province_id")
    regency = serializers.CharField(source="regency_id", allow_null=True)
    address = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    occurred_on = serializers.DateField(allow_null=True)
    channel = serializers.CharField()
    is_anonymous = serializers.BooleanField()
    is_confidential = serializers.BooleanField()
    agency = AgencyRefSerializer(allow_null=True)
    assigned_to = serializers.IntegerField(source="assigned_to_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    dispatched_at = serializers.DateTimeField(allow_null=True)
    agency_received_at = serializers.DateTimeField(allow_null=True)
    first_response_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    response_due = serializers.DateTimeField(allow_null=True)
    resolution_due = serializers.DateTimeField(allow_null=True)
    overdue_at = serializers.DateTimeField(allow_null=True)
    transfer_count = serializers.IntegerField()
    reopen_count = serializers.IntegerField()
    rating = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField()
    reporter = serializers.SerializerMethodField()
    external_id = serializers.SerializerMethodField()
    external_status = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_external_id(self, report: Report):
        return (self.context.get("external_ids") or {}).get(report.pk)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_external_status(self, report: Report):
        return (self.context.get("status_words") or {}).get(report.status)

    @extend_schema_field(ReporterSerializer(allow_null=True))
    def get_reporter(self, report: Report):
        view = self.context.get("view")
        if view is None or not view(report).identity:
            return None
        return ReporterSerializer(report).data


class EventSerializer(serializers.Serializer):
    """An audit event of a report (public or internal), without who acted beyond the public
    label: no user ids, names or contacts."""

    id = serializers.IntegerField()
    report = serializers.CharField(source="report.tracking")
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    from_agency = AgencyRefSerializer(allow_null=True)
    to_agency = AgencyRefSerializer(allow_null=True)
    by = serializers.CharField(source="actor_label")
    note = serializers.CharField()
    is_public = serializers.BooleanField()
    data = serializers.DictField()
    at = serializers.DateTimeField(source="created_at")


class FileSerializer(serializers.Serializer):
    """An attachment as a link: webhook bodies and lists carry links, never the file."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment: Attachment) -> str:
        path = reverse("api-agency-report-file", args=[attachment.report.tracking, attachment.pk])
        return site_url().rstrip("/") + path


class AgencyReportDetailSerializer(AgencyReportSerializer):
    events = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    @extend_schema_field(FileSerializer(many=True))
    def get_files(self, report: Report):
        return FileSerializer(audiences.files(report, self.context["view"](report)), many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, report: Report):
        view = self.context["view"](report)
        return events_as(view, audiences.timeline(report, view))


def events_as(view, events) -> list[dict]:
    """Events as ``view`` reads them: the notes it may not read blanked."""
    data = EventSerializer(events, many=True).data
    for row, event in zip(data, events, strict=True):
        row["note"] = view.note(event)
    return data


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(required=False)
