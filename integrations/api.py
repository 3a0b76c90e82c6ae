"""REST API v1: public endpoints (file, track, reference data, indicators) and the agency
scope (reports, actions, event pull) for integration clients holding an API key.

Views are thin: parse, look the report up through ``complaints.permissions`` (unseen is 404),
call ``complaints.services`` (the same status machine and checks as the web pages), serialize.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, Throttled, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from agencies import regions
from agencies.models import Agency, Province, Regency, Role, User
from agencies.scope import scope_for
from complaints import selectors, tracking, workflow
from complaints.models import Channel, Kind, Report, ReportEvent, Status
from complaints.permissions import can, can_see_identity, get_report_for, reports_visible_to
from complaints.services import NewReport, report_submit, report_transition
from lapor import ratelimit
from lapor.inputs import date_in_range
from routing.models import Category

from . import sms
from .auth import HasApiKey, LaporApiView, error_response
from .idempotency import idempotent
from .models import ApiKey
from .parsers import BoundedJSONParser
from .serializers import (
    AgencyRefSerializer,
    AgencyReportDetailSerializer,
    AgencyReportSerializer,
    ErrorSerializer,
    EventSerializer,
    StrictBooleanField,
)


def errors(*codes: int) -> dict:
    """Schema entries for the error answers a view gives (one body for all: ErrorSerializer)."""
    return dict.fromkeys(codes, ErrorSerializer)


IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Makes a retry safe: the same key returns the first answer.",
)


def _key(request) -> ApiKey | None:
    return request.auth if isinstance(request.auth, ApiKey) else None


def _normalize_or_404(number: str) -> str:
    try:
        return tracking.normalize(number)
    except tracking.TrackingError as exc:
        raise NotFound(_("Laporan tidak ditemukan.")) from exc


class RegionCodeField(serializers.CharField):
    """A province or regency code, checked against ``agencies.regions`` (memory, no query).
    The validated value is the code."""

    default_error_messages = {
        "does_not_exist": _('Kode wilayah "{value}" tidak dikenal.'),
    }

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        known = regions.provinces() if self.kind == "province" else regions.regencies()
        if code not in known:
            self.fail("does_not_exist", value=code)
        return code


# --- public: file and track ----------------------------------------------------------------


class ReportCreateApi(LaporApiView):
    """Files a report. Without a key it is a citizen's (channel ``api``); with an agency key
    it comes from that agency's own system (channel ``integration``) and names that agency."""

    parser_classes = [BoundedJSONParser]

    class ReportCreateInputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Kind.choices)
        title = serializers.CharField(min_length=5, max_length=200)
        description = serializers.CharField(min_length=20, max_length=10000)
        category = serializers.SlugRelatedField(
            slug_field="code",
            queryset=Category.objects.filter(is_active=True),
            required=False,
            allow_null=True,
        )
        # Codes checked against the regions in memory: no query per filing.
        province = RegionCodeField(kind="province", max_length=2)
        regency = RegionCodeField(kind="regency", max_length=4, required=False, allow_null=True)
        address = serializers.CharField(max_length=255, required=False, allow_blank=True)
        latitude = serializers.DecimalField(
            max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False
        )
        longitude = serializers.DecimalField(
            max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False
        )
        occurred_on = serializers.DateField(
            required=False, allow_null=True, validators=[date_in_range]
        )
        is_anonymous = StrictBooleanField(default=False)
        is_confidential = StrictBooleanField(default=False)
        reporter_name = serializers.CharField(max_length=150)
        reporter_email = serializers.EmailField(required=False, allow_blank=True)
        reporter_phone = serializers.RegexField(
            r"^\+?[0-9 ()-]{8,20}$", required=False, allow_blank=True
        )

        def validate(self, attrs):
            regency = attrs.get("regency")
            if regency and regions.regencies()[regency][0] != attrs["province"]:
                raise serializers.ValidationError(
                    {"regency": [_("Kabupaten/kota ini tidak berada di provinsi itu.")]}
                )
            if not attrs.get("reporter_email") and not attrs.get("reporter_phone"):
                raise serializers.ValidationError(
                    {"reporter_email": [_("Isi email atau nomor HP pelapor.")]}
                )
            return attrs

    class ReportCreatedSerializer(serializers.Serializer):
        tracking = serializers.CharField()
        status = serializers.CharField()
        url = serializers.CharField()

    @extend_schema(
        request=ReportCreateInputSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: ReportCreatedSerializer, **errors(400, 401, 409, 422, 429)},
    )
    def post(self, request):
        key = _key(request)
        if key is None:
            allowed, retry_after = ratelimit.hit(request, "file")
            if not allowed:
                raise Throttled(wait=retry_after)
        return idempotent(request, lambda: self._file(request, key))

    def _file(self, request, key: ApiKey | None) -> Response:
        serializer = self.ReportCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        report = report_submit(
            data=NewReport(
                kind=d["kind"],
                title=d["title"],
                description=d["description"],
                category_id=d["category"].pk if d.get("category") else None,
                province_id=d["province"],
                regency_id=d.get("regency") or None,
                address=d.get("address", ""),
                latitude=d.get("latitude"),
                longitude=d.get("longitude"),
                occurred_on=d.get("occurred_on"),
                is_anonymous=d["is_anonymous"],
                is_confidential=d["is_confidential"],
                reporter_name=d["reporter_name"],
                reporter_email=d.get("reporter_email", ""),
                reporter_phone=d.get("reporter_phone", ""),
                channel=Channel.INTEGRATION if key else Channel.API,
                requested_agency_id=key.agency.root_id if key else None,
            )
        )
        body = {
            "tracking": report.tracking,
            "status": report.status,
            "url": report.get_absolute_url(),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class PublicEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    action = serializers.CharField()
    status = serializers.CharField(source="to_status")
    by = serializers.CharField(source="actor_label", allow_null=True)
    note = serializers.CharField()
    agency = serializers.CharField(source="to_agency.name", default=None, allow_null=True)


class ReportStatusApi(LaporApiView):
    """A report's public status and timeline, for anyone holding its tracking number (as the
    track page). A confidential report shows its status only, never its content; no report
    ever shows who filed it."""

    class ReportStatusSerializer(serializers.Serializer):
        tracking = serializers.CharField()
        status = serializers.CharField()
        kind = serializers.CharField()
        title = serializers.CharField(allow_null=True)
        category = serializers.CharField(allow_null=True)
        province = serializers.CharField(allow_null=True)
        regency = serializers.CharField(allow_null=True)
        agency = serializers.CharField(allow_null=True)
        created_at = serializers.DateTimeField()
        updated_at = serializers.DateTimeField()
        timeline = PublicEventSerializer(many=True)

    @extend_schema(responses={200: ReportStatusSerializer, **errors(401, 404, 429)})
    def get(self, request, tracking_number: str):
        number = _normalize_or_404(tracking_number)
        report = Report.objects.select_related("agency", "category").filter(tracking=number).first()
        if report is None:
            allowed, retry_after = ratelimit.hit(request, "track")
            if not allowed:
                raise Throttled(wait=retry_after)
            raise NotFound(_("Laporan tidak ditemukan."))
        content = not report.is_confidential
        body = {
            "tracking": report.tracking,
            "status": report.status,
            "kind": report.kind,
            "title": report.title if content else None,
            "category": report.category.code if content and report.category else None,
            "province": report.province_id if content else None,
            "regency": report.regency_id if content else None,
            "agency": report.agency.name if report.agency else None,
            "created_at": report.created_at,
            "updated_at": report.updated_at,
            "timeline": _timeline_for_number_holder(report),
        }
        return Response(self.ReportStatusSerializer(body).data)


def _timeline_for_number_holder(report: Report) -> list:
    """The public timeline; for a confidential report only its dates and statuses (no note, no
    actor, no agency): the API's caller holds the tracking number, not the reporter's key."""
    events = selectors.public_timeline(report)
    if not report.is_confidential:
        return events
    return [
        {
            "created_at": e.created_at,
            "action": e.action,
            "to_status": e.to_status,
            "actor_label": None,
            "note": "",
            "to_agency": None,
        }
        for e in events
    ]


# --- public: reference data and indicators -------------------------------------------------


class ProvinceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class RegencySerializer(serializers.Serializer):
    code = serializers.CharField()
    province = serializers.CharField(source="province_id")
    kind = serializers.CharField()
    name = serializers.CharField()


class ProvinceListApi(LaporApiView):
    @extend_schema(responses={200: ProvinceSerializer(many=True), **errors(401)})
    def get(self, request):
        return Response(ProvinceSerializer(Province.objects.order_by("code"), many=True).data)


class RegencyListApi(LaporApiView):
    @extend_schema(
        parameters=[OpenApiParameter("province", OpenApiTypes.STR, description="province code")],
        responses={200: RegencySerializer(many=True), **errors(401)},
    )
    def get(self, request):
        qs = Regency.objects.order_by("code")
        if request.query_params.get("province"):
            qs = qs.filter(province_id=request.query_params["province"])
        return Response(RegencySerializer(qs, many=True).data)


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name_id = serializers.CharField()
    name_en = serializers.CharField()
    default_level = serializers.CharField()


class CategoryListApi(LaporApiView):
    @extend_schema(responses={200: CategorySerializer(many=True), **errors(401)})
    def get(self, request):
        qs = Category.objects.filter(is_active=True).order_by("code")
        return Response(CategorySerializer(qs, many=True).data)


class AgencySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    acronym = serializers.CharField()
    kind = serializers.CharField()
    level = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    province = serializers.CharField(source="province_id", allow_null=True)
    regency = serializers.CharField(source="regency_id", allow_null=True)


class AgencyPage(CursorPagination):
    ordering = "path"
    page_size = 100


class AgencyListApi(LaporApiView):
    """Active agencies and their work units, filtered by kind, province, regency or a word."""

    class AgencyFilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Agency.Kind.choices, required=False)
        province = serializers.CharField(required=False, max_length=2)
        regency = serializers.CharField(required=False, max_length=4)
        q = serializers.CharField(required=False, max_length=100)
        top_level = serializers.BooleanField(required=False, allow_null=True, default=None)

    class AgencyPageSerializer(serializers.Serializer):
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        results = AgencySerializer(many=True)

    @extend_schema(
        parameters=[
            AgencyFilterSerializer,
            OpenApiParameter("cursor", OpenApiTypes.STR, description="from `next`"),
        ],
        responses={200: AgencyPageSerializer, **errors(400, 401, 404)},
    )
    def get(self, request):
        f = self.AgencyFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        d = f.validated_data
        qs = Agency.objects.active()
        if d.get("kind"):
            qs = qs.filter(kind=d["kind"])
        if d.get("province"):
            qs = qs.filter(province_id=d["province"])
        if d.get("regency"):
            qs = qs.filter(regency_id=d["regency"])
        if d.get("top_level") is not None:
            qs = qs.filter(parent__isnull=d["top_level"])
        for word in (d.get("q") or "").split()[:5]:
            qs = qs.filter(Q(name__icontains=word) | Q(acronym__iexact=word))
        paginator = AgencyPage()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(AgencySerializer(page, many=True).data)


class IndicatorSerializer(serializers.Serializer):
    province = serializers.CharField()
    name = serializers.CharField()
    received = serializers.IntegerField()
    dispatched = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    resolved = serializers.IntegerField()
    closed = serializers.IntegerField()
    rejected = serializers.IntegerField()
    overdue = serializers.IntegerField()
    follow_up_rate = serializers.FloatField(allow_null=True)
    completion_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    median_response_days = serializers.IntegerField(allow_null=True)
    median_resolution_days = serializers.IntegerField(allow_null=True)
    satisfaction = serializers.FloatField(allow_null=True)
    dispute_rate = serializers.FloatField(allow_null=True)


class ProvinceIndicatorsApi(LaporApiView):
    """Public aggregate indicators per province for a period (counts and rates only, never
    report contents). Read from the monitoring summaries, like the transparency page."""

    class IndicatorPeriodSerializer(serializers.Serializer):
        start = serializers.DateField(required=False, validators=[date_in_range])
        end = serializers.DateField(required=False, validators=[date_in_range])

        def validate(self, attrs):
            today = timezone.localdate()
            start = attrs.get("start") or today.replace(month=1, day=1)
            end = attrs.get("end") or today.replace(month=12, day=31)
            if end < start or (end - start).days > 3660:
                raise serializers.ValidationError(
                    {"end": [_("Periode tidak valid (paling lama 10 tahun).")]}
                )
            return {"start": start, "end": end}

    class ProvinceIndicatorsSerializer(serializers.Serializer):
        start = serializers.DateField()
        end = serializers.DateField()
        provinces = IndicatorSerializer(many=True)

    @extend_schema(
        parameters=[IndicatorPeriodSerializer],
        responses={200: ProvinceIndicatorsSerializer, **errors(400, 401)},
    )
    def get(self, request):
        from monitoring.models import Grain
        from monitoring.selectors import Range, indicators_by

        f = self.IndicatorPeriodSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        period = Range(f.validated_data["start"], f.validated_data["end"])
        rows = indicators_by(grain=Grain.PROVINCE, by="province", period=period)
        provinces = []
        for province in Province.objects.order_by("code"):
            ind = rows.get(province.code)
            values = ind.as_row() if ind else {}
            provinces.append(
                {
                    "province": province.code,
                    "name": province.name,
                    "received": values.get("received", 0),
                    "dispatched": values.get("dispatched_total", 0),
                    "in_progress": values.get("in_progress", 0),
                    "resolved": values.get("resolved", 0),
                    "closed": values.get("closed", 0),
                    "rejected": values.get("rejected", 0),
                    "overdue": values.get("overdue", 0),
                    **{
                        k: values.get(k)
                        for k in (
                            "follow_up_rate",
                            "completion_rate",
                            "on_time_rate",
                            "median_response_days",
                            "median_resolution_days",
                            "satisfaction",
                            "dispute_rate",
                        )
                    },
                }
            )
        body = {"start": period.start, "end": period.end, "provinces": provinces}
        return Response(self.ProvinceIndicatorsSerializer(body).data)


# --- agency scope ---------------------------------------------------------------------------


class AgencyApiView(LaporApiView):
    permission_classes = [HasApiKey]

    def identity(self, request):
        user = request.user
        return lambda report: can_see_identity(user, report)

    def report_or_404(self, request, number: str) -> Report:
        qs = reports_visible_to(request.user).select_related(
            "agency", "category", "province", "regency"
        )
        return get_report_for(request.user, _normalize_or_404(number), queryset=qs)


class AgencyMeApi(AgencyApiView):
    """The agency this key acts for, and its work units (targets for ``assign_unit``)."""

    class AgencyMeSerializer(serializers.Serializer):
        key = serializers.CharField()
        agency = AgencyRefSerializer()
        units = AgencyRefSerializer(many=True)

    @extend_schema(responses={200: AgencyMeSerializer, **errors(401, 429)})
    def get(self, request):
        key = request.auth
        units = Agency.objects.active().filter(path__startswith=key.agency.path).order_by("path")
        body = {"key": key.name, "agency": key.agency, "units": list(units[:500])}
        return Response(self.AgencyMeSerializer(body).data)


class ReportPage(CursorPagination):
    ordering = ("updated_at", "id")
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class AgencyReportListApi(AgencyApiView):
    """The agency's reports (and its units'), oldest change first, with a cursor: keep the
    ``next`` link to read on later. Filters: ``status`` (comma-separated), ``updated_since``."""

    class AgencyReportFilterSerializer(serializers.Serializer):
        status = serializers.CharField(required=False, max_length=200)
        updated_since = serializers.DateTimeField(required=False, validators=[date_in_range])
        kind = serializers.ChoiceField(choices=Kind.choices, required=False)

        def validate_status(self, value):
            statuses = [s.strip() for s in value.split(",") if s.strip()]
            unknown = [s for s in statuses if s not in Status.values]
            if unknown:
                raise serializers.ValidationError(
                    _("Status tidak dikenal: %s") % ", ".join(unknown)
                )
            return statuses

    class AgencyReportPageSerializer(serializers.Serializer):
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        results = AgencyReportSerializer(many=True)

    @extend_schema(
        parameters=[
            AgencyReportFilterSerializer,
            OpenApiParameter("cursor", OpenApiTypes.STR, description="from `next`"),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="at most 200"),
        ],
        responses={200: AgencyReportPageSerializer, **errors(400, 401, 404, 429)},
        operation_id="v1_agency_reports_list",
    )
    def get(self, request):
        f = self.AgencyReportFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        d = f.validated_data
        qs = reports_visible_to(request.user).select_related("agency", "category")
        if d.get("status"):
            qs = qs.filter(status__in=d["status"])
        if d.get("updated_since"):
            qs = qs.filter(updated_at__gte=d["updated_since"])
        if d.get("kind"):
            qs = qs.filter(kind=d["kind"])
        paginator = ReportPage()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = AgencyReportSerializer(
            page, many=True, context={"identity": self.identity(request)}
        ).data
        return paginator.get_paginated_response(data)


class AgencyReportDetailApi(AgencyApiView):
    """One report of the agency with all its events (public and internal)."""

    @extend_schema(responses={200: AgencyReportDetailSerializer, **errors(401, 404, 429)})
    def get(self, request, tracking_number: str):
        report = self.report_or_404(request, tracking_number)
        serializer = AgencyReportDetailSerializer(
            report, context={"identity": self.identity(request)}
        )
        return Response(serializer.data)


AGENCY_ACTIONS = sorted(
    name
    for name, spec in workflow.ACTIONS.items()
    if spec.actor in (workflow.AGENCY, workflow.STAFF)
)


def _agency_by_ref(ref) -> Agency | None:
    """An agency by id or slug."""
    ref = str(ref or "").strip()
    if not ref:
        return None
    if ref.isdigit():
        return Agency.objects.filter(pk=int(ref)).first()
    return Agency.objects.filter(slug=ref).first()


class AgencyReportActionApi(AgencyApiView):
    """Takes one action on a report, through the same status machine and permission checks
    as the workspace: ``respond``, ``progress``, ``resolve``, ``extend``, ``transfer``
    (``agency``: id or slug), ``return_to_triage``, ``assign_unit`` (``unit``: id or slug of
    a unit of this agency), ``assign`` (``assignee``: user id of an officer), ``ask_info``,
    ``note``. Send ``version`` (from the report) to be refused on a stale state (409)."""

    parser_classes = [BoundedJSONParser]

    class AgencyReportActionSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=AGENCY_ACTIONS)
        note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
        agency = serializers.CharField(required=False, max_length=80)
        unit = serializers.CharField(required=False, max_length=80)
        assignee = serializers.IntegerField(required=False, min_value=1)
        version = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(
        request=AgencyReportActionSerializer,
        parameters=[IDEMPOTENCY],
        responses={200: AgencyReportDetailSerializer, **errors(400, 401, 403, 404, 409, 422, 429)},
    )
    def post(self, request, tracking_number: str):
        report = self.report_or_404(request, tracking_number)
        return idempotent(request, lambda: self._act(request, report))

    def _act(self, request, report: Report) -> Response:
        serializer = self.AgencyReportActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        action = d["action"]
        if not can(request.user, action, report):
            raise PermissionDenied()
        params = self._params(action, d, report)
        updated = report_transition(
            report_id=report.pk,
            action=action,
            actor=request.user,
            note=d.get("note", ""),
            expected_version=d.get("version"),
            **params,
        )
        updated = Report.objects.select_related("agency", "category").get(pk=updated.pk)
        serializer = AgencyReportDetailSerializer(
            updated, context={"identity": self.identity(request)}
        )
        return Response(serializer.data)

    def _params(self, action: str, d: dict, report: Report) -> dict:
        if action == "transfer":
            agency = _agency_by_ref(d.get("agency"))
            if agency is None:
                raise ValidationError({"agency": [_("Instansi tujuan tidak ditemukan.")]})
            return {"agency": agency}
        if action == "assign_unit":
            unit = _agency_by_ref(d.get("unit"))
            if unit is None:
                raise ValidationError({"unit": [_("Unit kerja tidak ditemukan.")]})
            return {"agency": unit}
        if action == "assign":
            assignee = (
                User.objects.filter(
                    pk=d.get("assignee") or 0,
                    is_active=True,
                    roles__is_active=True,
                    roles__kind__in=[Role.Kind.OFFICER, Role.Kind.AGENCY_ADMIN],
                    roles__agency__path__startswith=f"{report.owner_agency_id}/",
                )
                .distinct()
                .first()
            )
            if assignee is None:
                raise ValidationError({"assignee": [_("Pilih petugas instansi ini.")]})
            return {"assignee": assignee}
        return {}


class AgencyEventListApi(AgencyApiView):
    """Every event of the agency's reports since a cursor, in order, so a system that was down
    catches up without loss: call with ``after`` = the ``next`` of the previous answer until
    ``has_more`` is false. Includes internal events; a report transferred away stops here
    after its ``transfer`` event. Events younger than a couple of seconds wait for the next
    call, so a transaction committing late cannot be skipped."""

    class AgencyEventFilterSerializer(serializers.Serializer):
        after = serializers.IntegerField(required=False, min_value=0, default=0)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)

    class AgencyEventPageSerializer(serializers.Serializer):
        events = EventSerializer(many=True)
        next = serializers.IntegerField()
        has_more = serializers.BooleanField()

    @extend_schema(
        parameters=[AgencyEventFilterSerializer],
        responses={200: AgencyEventPageSerializer, **errors(400, 401, 429)},
    )
    def get(self, request):
        from django.conf import settings

        f = self.AgencyEventFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        after, limit = f.validated_data["after"], f.validated_data["limit"]
        paths = scope_for(request.user).officer_paths
        where = Q(pk__in=[])
        for path in paths:
            where |= (
                Q(report__agency_path__startswith=path)
                | Q(from_agency__path__startswith=path)
                | Q(to_agency__path__startswith=path)
            )
        lag = getattr(settings, "LAPOR_PULL_LAG_SECONDS", 2)
        cutoff = timezone.now() - dt.timedelta(seconds=lag)
        events = list(
            ReportEvent.objects.filter(where, pk__gt=after, created_at__lte=cutoff)
            .select_related("report", "from_agency", "to_agency")
            .order_by("pk")[: limit + 1]
        )
        has_more = len(events) > limit
        events = events[:limit]
        body = {
            "events": EventSerializer(events, many=True).data,
            "next": events[-1].pk if events else after,
            "has_more": has_more,
        }
        return Response(body)


# --- the SMS gateway ------------------------------------------------------------------------


class SmsInboundApi(LaporApiView):
    """The SMS gateway posts each text received on 1708 here (``from``, ``text``, ``id``),
    with the shared token in ``X-Lapor-Sms-Token`` (or ``?token=``). Each gateway id is
    handled once; the answer is also sent back by SMS."""

    authentication_classes: list = []
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]

    class SmsInboundSerializer(serializers.Serializer):
        id = serializers.CharField(max_length=100)
        text = serializers.CharField(max_length=2000, allow_blank=True)

        def get_fields(self):
            fields = super().get_fields()
            fields["from"] = serializers.RegexField(r"^\+?[0-9]{6,20}$")
            return fields

    class SmsInboundResultSerializer(serializers.Serializer):
        id = serializers.CharField(source="gateway_id")
        state = serializers.CharField()
        reply = serializers.CharField()
        tracking = serializers.CharField(source="report.tracking", default=None, allow_null=True)

    @extend_schema(
        request=SmsInboundSerializer,
        parameters=[
            OpenApiParameter("X-Lapor-Sms-Token", OpenApiTypes.STR, OpenApiParameter.HEADER),
        ],
        responses={200: SmsInboundResultSerializer, **errors(400, 403, 429, 503)},
    )
    def post(self, request):
        from django.conf import settings
        from django.utils.crypto import constant_time_compare

        expected = getattr(settings, "LAPOR_SMS_INBOUND_TOKEN", "") or ""
        if not expected:
            return error_response(
                "sms_disabled",
                _("Kanal SMS belum dikonfigurasi."),
                status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        given = request.headers.get("X-Lapor-Sms-Token") or request.query_params.get("token", "")
        if not constant_time_compare(given, expected):
            raise PermissionDenied(_("Token gateway SMS salah."))
        serializer = self.SmsInboundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        allowed, retry_after = ratelimit.hit(request, "sms", key=f"sms:{d['from']}")
        if not allowed:
            raise Throttled(wait=retry_after)
        inbound = sms.handle_inbound(gateway_id=d["id"], sender=d["from"], text=d["text"])
        return Response(self.SmsInboundResultSerializer(inbound).data)
