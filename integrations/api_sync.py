"""REST API v1 for two-way sync with a regional system (API key): filing with the client's
own id, looking a report up by that id, files both ways, the citizen's side of reports the
client filed, the client's status words, and the backfill of its archive.

Views are thin: parse, look the report up (``complaints.permissions`` for the agency's scope;
``sync.originated_by`` for the citizen's side), call ``integrations.sync``, serialize."""

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from agencies import regions
from agencies.models import Agency
from complaints import audiences
from complaints.models import Channel, Report
from complaints.permissions import can, reports_addressed_to
from complaints.services import NewReport, report_verify_by_agency
from complaints.uploads import check_upload

from . import sync
from .api_agency import AgencyApiView
from .api_common import IDEMPOTENCY, errors, tracking_or_404
from .api_public import ReportCreateApi, new_report
from .idempotency import idempotent
from .parsers import BoundedJSONParser
from .serializers import AgencyReportDetailSerializer, AgencyReportSerializer, FileSerializer


def unit_of(client: Agency, ref) -> Agency | None:
    """A unit (OPD) of the client's agency, or the agency itself, by id or slug; None when
    ``ref`` names nothing inside the client's agency."""
    ref = str(ref or "").strip()
    if not ref:
        return None
    qs = Agency.objects.active().filter(path__startswith=client.path)
    return (qs.filter(pk=int(ref)) if ref.isdigit() else qs.filter(slug=ref)).first()


class SyncApiView(AgencyApiView):
    """Answers carry the client's own id and its status word for every report."""

    def detail(self, request, report: Report, *, http_status: int = 200) -> Response:
        report = Report.objects.select_related("agency", "category").get(pk=report.pk)
        return Response(self.detail_data(request, report), status=http_status)

    def detail_data(self, request, report: Report) -> dict:
        agency_id = request.auth.agency_id
        smap = sync.statusmap_for(agency_id)
        context = {
            "view": self.view(request),
            "external_ids": sync.external_ids_for(agency_id=agency_id, report_ids=[report.pk]),
            "status_words": smap.outbound if smap else {},
        }
        return AgencyReportDetailSerializer(report, context=context).data


# --- filing with the client's own id ---------------------------------------------------------


class ExternalFilingApi(SyncApiView):
    """Files a report from the client's system with its own id (``external_id``), addressed
    to the client's agency or to one of its units (``unit``: id or slug). The same id files
    once, forever: a retry (next minute or next year, any key of the agency) answers 200 with
    the report filed first, 201 only when it is new."""

    parser_classes = [BoundedJSONParser]

    class ExternalFilingSerializer(ReportCreateApi.ReportCreateInputSerializer):
        external_id = serializers.RegexField(sync.EXTERNAL_ID.pattern, max_length=100)
        unit = serializers.CharField(required=False, allow_blank=True, max_length=80)

    @extend_schema(
        request=ExternalFilingSerializer,
        responses={
            200: AgencyReportDetailSerializer,
            201: AgencyReportDetailSerializer,
            **errors(400, 401, 429),
        },
    )
    def post(self, request):
        key = request.auth
        serializer = self.ExternalFilingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        target = key.agency
        if d.get("unit"):
            target = unit_of(key.agency, d["unit"])
            if target is None:
                raise ValidationError({"unit": [_("Unit kerja ini bukan bagian instansi Anda.")]})
        report, created = sync.report_file_external(
            key=key, external_id=d["external_id"], data=_new_report(d, target)
        )
        return self.detail(request, report, http_status=201 if created else 200)


def _new_report(d: dict, target: Agency) -> NewReport:
    return new_report(d, channel=Channel.INTEGRATION, requested_agency_id=target.pk)


class ExternalReportApi(SyncApiView):
    """A report by the client's own id: one the client filed (wherever it is now: its
    citizen's side stays with the client) or one it mirrored and still holds. Unknown: 404."""

    @extend_schema(responses={200: AgencyReportDetailSerializer, **errors(401, 404, 429)})
    def get(self, request, external_id: str):
        ref = sync.external_ref(agency_id=request.auth.agency_id, external_id=external_id)
        if ref is None or not _may_read(request, ref.report):
            raise NotFound(_("Laporan tidak ditemukan."))
        return self.detail(request, ref.report)


def _may_read(request, report: Report) -> bool:
    from complaints.permissions import reports_visible_to

    if sync.originated_by(request.auth.agency_id).filter(pk=report.pk).exists():
        return True
    return reports_visible_to(request.user).filter(pk=report.pk).exists()


class ExternalIdLinkApi(SyncApiView):
    """Records the client's own id for a report of its agency that it mirrors (it came by
    dispatch, not through the client). 409 when the id names another report."""

    parser_classes = [BoundedJSONParser]

    class ExternalIdSerializer(serializers.Serializer):
        external_id = serializers.RegexField(sync.EXTERNAL_ID.pattern, max_length=100)

    @extend_schema(
        request=ExternalIdSerializer,
        responses={200: AgencyReportDetailSerializer, **errors(400, 401, 404, 409, 429)},
    )
    def put(self, request, tracking_number: str):
        report = self.report_or_404(request, tracking_number)
        serializer = self.ExternalIdSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sync.report_link_external(
            key=request.auth, report=report, external_id=serializer.validated_data["external_id"]
        )
        return self.detail(request, report)


# --- files -----------------------------------------------------------------------------------


class ReportFilesApi(SyncApiView):
    """The report's files as links (GET), or new files from the client (POST multipart:
    ``files`` one or more, ``note``, ``public``), with the web form's checks: type read from
    the content (JPG, PNG, WEBP, GIF, PDF), size and count limits."""

    parser_classes = [MultiPartParser]

    class FileUploadSerializer(serializers.Serializer):
        files = serializers.ListField(child=serializers.FileField(), min_length=1)
        note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
        public = serializers.BooleanField(default=False)

    @extend_schema(responses={200: FileSerializer(many=True), **errors(401, 404, 429)})
    def get(self, request, tracking_number: str):
        report = self.report_or_404(request, tracking_number)
        files = audiences.files(report, self.view(request)(report))
        return Response(FileSerializer(files, many=True).data)

    @extend_schema(
        request={"multipart/form-data": FileUploadSerializer},
        responses={201: FileSerializer(many=True), **errors(400, 401, 403, 404, 413, 429)},
    )
    def post(self, request, tracking_number: str):
        from django.conf import settings
        from django.core.exceptions import ValidationError as DjangoValidationError

        report = self.report_or_404(request, tracking_number)
        if not can(request.user, "attach", report):
            raise PermissionDenied()
        serializer = self.FileUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        room = settings.LAPOR_ATTACHMENT_MAX_COUNT - report.attachments.count()
        if len(d["files"]) > room:
            raise ValidationError(
                {
                    "files": [
                        _("Paling banyak %d lampiran per laporan.")
                        % settings.LAPOR_ATTACHMENT_MAX_COUNT
                    ]
                }
            )
        try:
            uploads = [check_upload(f) for f in d["files"]]
        except DjangoValidationError as exc:
            raise ValidationError({"files": exc.messages}) from exc
        saved = sync.report_attach_files(
            report=report,
            actor=request.user,
            uploads=uploads,
            note=d.get("note", ""),
            public=d["public"],
        )
        for attachment in saved:
            attachment.report = report
        return Response(FileSerializer(saved, many=True).data, status=status.HTTP_201_CREATED)


class ReportFileApi(SyncApiView):
    """One file of a report in the caller's scope (the same 404 for another agency's)."""

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **errors(401, 404, 429)}
    )
    def get(self, request, tracking_number: str, file_id: str):
        report = self.report_or_404(request, tracking_number)
        # A str route, so that a malformed id is this API's JSON 404, not Django's HTML one.
        number = int(file_id) if file_id.isdigit() and len(file_id) < 12 else 0
        attachment = audiences.files(report, self.view(request)(report)).filter(pk=number).first()
        if attachment is None:
            raise NotFound(_("Berkas tidak ditemukan."))
        response = FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            as_attachment=True,
            filename=attachment.name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# --- verification by the agency a report names ----------------------------------------------


class AddressedListApi(SyncApiView):
    """Reports waiting for verification that name the client's agency or one of its units
    (its own filings, and citizens who chose it on the form), oldest first, at most 200. The
    reporter is not shown before dispatch."""

    @extend_schema(responses={200: AgencyReportSerializer(many=True), **errors(401, 429)})
    def get(self, request):
        qs = (
            reports_addressed_to(request.user)
            .select_related("agency", "category")
            .order_by("created_at", "pk")[:200]
        )
        ids = sync.external_ids_for(agency_id=request.auth.agency_id, report_ids=[r.pk for r in qs])
        context = {"view": self.view(request), "external_ids": ids}
        return Response(AgencyReportSerializer(qs, many=True, context=context).data)


class AgencyVerifyApi(SyncApiView):
    """Verifies a report addressed to the client's agency (or a unit of it), which then
    receives it at once (dispatched to the agency or unit named), without waiting for national
    triage. A report not addressed to it is a 404."""

    parser_classes = [BoundedJSONParser]

    class VerifySerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    @extend_schema(
        request=VerifySerializer,
        parameters=[IDEMPOTENCY],
        responses={200: AgencyReportDetailSerializer, **errors(400, 401, 404, 409, 422, 429)},
    )
    def post(self, request, tracking_number: str):
        serializer = self.VerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = addressed_report_or_404(request, tracking_number)
        note = serializer.validated_data.get("note", "")
        return idempotent(request, lambda: self.verify(request, report, note))

    def verify(self, request, report: Report, note: str) -> Response:
        updated = report_verify_by_agency(report_id=report.pk, actor=request.user, note=note)
        return self.detail(request, updated)


def addressed_report_or_404(request, number: str) -> Report:
    report = reports_addressed_to(request.user).filter(tracking=tracking_or_404(number)).first()
    if report is None:
        raise NotFound(_("Laporan tidak ditemukan."))
    return report


# --- the citizen's side ----------------------------------------------------------------------


class CitizenActionApi(SyncApiView):
    """The reporter's own step on a report that came in through this client, whose app is the
    citizen's front door: ``reply`` (note), ``provide_info`` (note), ``accept`` (optional
    ``rating`` 1-5), ``dispute`` (note: why), ``rate`` (rating). Works after a transfer away
    too. A report the client did not file is a 404."""

    parser_classes = [BoundedJSONParser]

    class CitizenActionSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=sync.CITIZEN_ACTIONS)
        note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
        rating = serializers.IntegerField(required=False, min_value=1, max_value=5)
        version = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(
        request=CitizenActionSerializer,
        parameters=[IDEMPOTENCY],
        responses={200: AgencyReportDetailSerializer, **errors(400, 401, 403, 404, 409, 422, 429)},
    )
    def post(self, request, tracking_number: str):
        report = citizen_report_or_404(request, tracking_number)
        return idempotent(request, lambda: self._act(request, report))

    def _act(self, request, report: Report) -> Response:
        serializer = self.CitizenActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        return self._act_as(request, report, d["action"], d)

    def _act_as(self, request, report: Report, action: str, d: dict) -> Response:
        updated = sync.report_citizen_act(
            key=request.auth,
            report=report,
            action=action,
            note=d.get("note", ""),
            rating=d.get("rating"),
            expected_version=d.get("version"),
        )
        return Response(self.citizen_data(request, updated))

    def citizen_data(self, request, report: Report) -> dict:
        """After a transfer away the client no longer covers the report: it reads what the
        reporter may read (public events), not the new holder's internal notes."""
        from complaints.permissions import reports_visible_to

        report = Report.objects.select_related("agency", "category").get(pk=report.pk)
        if reports_visible_to(request.user).filter(pk=report.pk).exists():
            return self.detail_data(request, report)
        return _public_view(request, report)


def citizen_report_or_404(request, number: str) -> Report:
    report = (
        sync.originated_by(request.auth.agency_id).filter(tracking=tracking_or_404(number)).first()
    )
    if report is None:
        raise NotFound(_("Laporan tidak ditemukan."))
    return report


def _public_view(request, report: Report) -> dict:
    from .serializers import events_as

    agency_id = request.auth.agency_id
    smap = sync.statusmap_for(agency_id)
    # The client whose app filed it answers the citizen: its public events (audiences.CLIENT).
    view = audiences.view_for(report, audiences.Audience.CLIENT)
    return {
        "tracking": report.tracking,
        "status": report.status,
        "version": report.version,
        "agency": {"id": report.agency.pk, "slug": report.agency.slug, "name": report.agency.name}
        if report.agency
        else None,
        "external_id": sync.external_ids_for(agency_id=agency_id, report_ids=[report.pk]).get(
            report.pk
        ),
        "external_status": (smap.outbound if smap else {}).get(report.status),
        "events": events_as(view, audiences.timeline(report, view)),
    }


# --- status words ----------------------------------------------------------------------------


class StatusMapSerializer(serializers.Serializer):
    inbound = serializers.DictField(child=serializers.CharField(max_length=40))
    outbound = serializers.DictField(child=serializers.CharField(max_length=40))


class StatusMapApi(SyncApiView):
    """The client's status words. ``inbound``: its status name -> the LAPOR action it means
    (agency actions, the reporter's actions, ``verify``); ``outbound``: a LAPOR status -> its
    name, sent as ``external_status`` in every answer and webhook. PUT replaces both, checked:
    an unknown action or status is a 400 naming it, and nothing is saved."""

    parser_classes = [BoundedJSONParser]

    @extend_schema(responses={200: StatusMapSerializer, **errors(401, 429)})
    def get(self, request):
        smap = sync.statusmap_for(request.auth.agency_id)
        body = (
            {"inbound": smap.inbound, "outbound": smap.outbound}
            if smap
            else {"inbound": {}, "outbound": {}}
        )
        return Response(body)

    @extend_schema(
        request=StatusMapSerializer,
        responses={200: StatusMapSerializer, **errors(400, 401, 429)},
    )
    def put(self, request):
        serializer = StatusMapSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        problems = sync.statusmap_errors(inbound=d["inbound"], outbound=d["outbound"])
        if problems:
            raise ValidationError(problems)
        smap = sync.statusmap_set(
            agency=request.auth.agency, inbound=d["inbound"], outbound=d["outbound"]
        )
        return Response({"inbound": smap.inbound, "outbound": smap.outbound})


class StatusWordApi(SyncApiView):
    """Moves a report by the client's own status word (its status map's ``inbound`` side, or
    a LAPOR action name): an agency action on a report the client holds, the reporter's
    action on one it filed, ``verify`` on one addressed to it."""

    parser_classes = [BoundedJSONParser]

    class StatusWordSerializer(serializers.Serializer):
        status = serializers.CharField(max_length=40)
        note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
        rating = serializers.IntegerField(required=False, min_value=1, max_value=5)
        version = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(
        request=StatusWordSerializer,
        parameters=[IDEMPOTENCY],
        responses={200: AgencyReportDetailSerializer, **errors(400, 401, 403, 404, 409, 422, 429)},
    )
    def post(self, request, tracking_number: str):
        serializer = self.StatusWordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        action = sync.action_for_word(agency_id=request.auth.agency_id, word=d["status"])
        if action == "verify":
            report = addressed_report_or_404(request, tracking_number)
            return idempotent(
                request, lambda: AgencyVerifyApi().verify(request, report, d.get("note", ""))
            )
        if action in sync.CITIZEN_ACTIONS:
            report = citizen_report_or_404(request, tracking_number)
            return idempotent(
                request, lambda: CitizenActionApi()._act_as(request, report, action, d)
            )
        report = self.report_or_404(request, tracking_number)
        return idempotent(request, lambda: self._agency_act(request, report, action, d))

    def _agency_act(self, request, report: Report, action: str, d: dict) -> Response:
        from complaints.services import report_transition

        if action in ("transfer", "assign_unit", "assign"):
            raise ValidationError({"status": [_("Tindakan ini perlu tujuan: gunakan /actions/.")]})
        if not can(request.user, action, report):
            raise PermissionDenied()
        updated = report_transition(
            report_id=report.pk,
            action=action,
            actor=request.user,
            note=d.get("note", ""),
            expected_version=d.get("version"),
        )
        return self.detail(request, updated)


# --- backfill --------------------------------------------------------------------------------

IMPORT_BATCH = 500  # records per call; the management command takes any number


class ImportStepSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sync.IMPORT_ACTIONS)
    at = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    unit = serializers.CharField(required=False, allow_blank=True, max_length=80)
    rating = serializers.IntegerField(required=False, min_value=1, max_value=5)


class ImportRecordSerializer(ExternalFilingApi.ExternalFilingSerializer):
    """One archived report: the filing's fields, ``filed_at`` and its ``history`` (steps in
    time order). The reporter's contact is optional here: nobody is written to about an
    archive."""

    filed_at = serializers.DateTimeField()
    history = ImportStepSerializer(many=True, required=False, default=list)

    def validate(self, attrs):
        regency = attrs.get("regency")
        if regency and regions.regencies()[regency][0] != attrs["province"]:
            raise serializers.ValidationError(
                {"regency": [_("Kabupaten/kota ini tidak berada di provinsi itu.")]}
            )
        if not attrs.get("is_anonymous") and not attrs.get("reporter_name", "").strip():
            raise serializers.ValidationError(
                {"reporter_name": [_("Tulis nama pelapor (kecuali laporan anonim).")]}
            )
        return attrs


def parse_records(items, client: Agency) -> list:
    """ImportRecord for each well-formed item, else {"index", "external_id", "reason"}."""
    out = []
    for index, item in enumerate(items):
        external_id = item.get("external_id") if isinstance(item, dict) else None
        s = ImportRecordSerializer(data=item if isinstance(item, dict) else {})
        if not s.is_valid():
            out.append({"index": index, "external_id": external_id, "reason": s.errors})
            continue
        d = s.validated_data
        units = {ref: unit_of(client, ref) for ref in _unit_refs(d)}
        missing = [ref for ref, unit in units.items() if unit is None]
        if missing:
            reason = {"unit": [_("Unit kerja ini bukan bagian instansi Anda.")]}
            out.append({"index": index, "external_id": external_id, "reason": reason})
            continue
        target = units.get(d.get("unit")) or client
        steps = [
            sync.ImportStep(
                action=h["action"],
                at=h["at"],
                note=h.get("note", ""),
                unit=units.get(h.get("unit")),
                rating=h.get("rating"),
            )
            for h in d["history"]
        ]
        out.append(
            sync.ImportRecord(
                external_id=d["external_id"],
                data=_new_report(d, target),
                filed_at=d["filed_at"],
                history=steps,
            )
        )
    return out


def _unit_refs(d: dict) -> set:
    refs = {d.get("unit")} | {h.get("unit") for h in d["history"]}
    return {r for r in refs if r}


class ImportApi(SyncApiView):
    """Backfill: up to 500 archived reports per call, each with its original dates and
    history, applied through the status machine in import mode (events marked imported; no
    e-mail, no webhook). Each record stands alone: the answer counts what was imported, what
    was already in (skipped: send the same batch again safely) and lists every refusal with
    its reason."""

    parser_classes = [BoundedJSONParser]

    class ImportBatchSerializer(serializers.Serializer):
        reports = serializers.ListField(
            child=serializers.DictField(), min_length=1, max_length=IMPORT_BATCH
        )

    class ImportResultSerializer(serializers.Serializer):
        run = serializers.IntegerField()
        received = serializers.IntegerField()
        imported = serializers.IntegerField()
        skipped = serializers.IntegerField()
        refused = serializers.ListField(child=serializers.DictField())

    @extend_schema(
        request=ImportBatchSerializer,
        responses={200: ImportResultSerializer, **errors(400, 401, 413, 429)},
    )
    def post(self, request):
        from .models import ImportRun

        serializer = self.ImportBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = request.auth
        records = parse_records(serializer.validated_data["reports"], key.agency)
        run = ImportRun.objects.create(agency=key.agency, key=key)
        result = sync.reports_import(agency=key.agency, records=records, key=key, run=run)
        return Response({"run": run.pk, **result.__dict__})
