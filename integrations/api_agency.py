"""REST API v1, agency scope (an API key acting for one agency): its reports, actions on them
through the status machine, and the event pull. Reports are looked up through
``complaints.permissions`` (unseen is 404)."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from agencies.models import Agency, Role, User
from agencies.scope import scope_for
from complaints import workflow
from complaints.models import Kind, Report, ReportEvent, Status
from complaints.permissions import can, get_report_for, reports_visible_to, view_of
from complaints.services import report_transition
from core.inputs import date_in_range

from .api_common import IDEMPOTENCY, errors, tracking_or_404
from .auth import HasApiKey, LaporApiView
from .idempotency import idempotent
from .parsers import BoundedJSONParser
from .serializers import (
    AgencyRefSerializer,
    AgencyReportDetailSerializer,
    AgencyReportSerializer,
    EventSerializer,
)

# --- agency scope ---------------------------------------------------------------------------


class AgencyApiView(LaporApiView):
    permission_classes = [HasApiKey]

    def view(self, request):
        """The caller's view of a report (complaints.audiences), for the serializers."""
        user = request.user
        return lambda report: view_of(user, report)

    def report_or_404(self, request, number: str) -> Report:
        qs = reports_visible_to(request.user).select_related(
            "agency", "category", "province", "regency"
        )
        return get_report_for(request.user, tracking_or_404(number), queryset=qs)


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
            # The statuses it accepts, as the comma-separated list it reads (style form,
            # not exploded: ?status=dispatched,in_progress).
            OpenApiParameter(
                "status",
                {"type": "array", "items": {"type": "string", "enum": list(Status.values)}},
                style="form",
                explode=False,
                description="comma-separated statuses",
            ),
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
        data = AgencyReportSerializer(page, many=True, context={"view": self.view(request)}).data
        return paginator.get_paginated_response(data)


class AgencyReportDetailApi(AgencyApiView):
    """One report of the agency with all its events (public and internal)."""

    @extend_schema(responses={200: AgencyReportDetailSerializer, **errors(401, 404, 429)})
    def get(self, request, tracking_number: str):
        report = self.report_or_404(request, tracking_number)
        serializer = AgencyReportDetailSerializer(report, context={"view": self.view(request)})
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
        serializer = AgencyReportDetailSerializer(updated, context={"view": self.view(request)})
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
