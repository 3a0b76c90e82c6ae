"""REST API v1, public part: filing and tracking a report, reference data (regions, agencies,
categories) and the public indicators per province. No key needed; with an agency key a filing
comes from that agency's own system.

Views are thin: parse, call ``complaints.services`` (the same status machine and checks as the
web pages), serialize what ``complaints`` lets that audience see."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from agencies import regions
from agencies.models import Agency, Province, Regency
from complaints import audiences
from complaints.audiences import Audience, View, view_for
from complaints.models import Channel, Kind, Report
from complaints.services import NewReport, report_submit
from core import ratelimit
from core.inputs import date_in_range
from routing.models import Category

from .api_common import IDEMPOTENCY, RegionCodeField, caller_key, errors, tracking_or_404
from .auth import LaporApiView
from .idempotency import idempotent
from .models import ApiKey
from .parsers import BoundedJSONParser
from .serializers import (
    FieldsBoundOnce,
    StrictBooleanField,
)

# --- public: file and track ----------------------------------------------------------------


def new_report(d: dict, *, channel: str, requested_agency_id: int | None) -> NewReport:
    """A filing from the API's validated fields (ReportCreateApi's serializer, which the sync
    API's filings extend)."""
    return NewReport(
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
        show_name=d.get("show_name", False),
        reporter_name=d.get("reporter_name", "").strip(),
        reporter_email=d.get("reporter_email", ""),
        reporter_phone=d.get("reporter_phone", ""),
        channel=channel,
        requested_agency_id=requested_agency_id,
    )


class ReportCreateApi(LaporApiView):
    """Files a report. Without a key it is a citizen's (channel ``api``); with an agency key
    it comes from that agency's own system (channel ``integration``) and names that agency."""

    parser_classes = [BoundedJSONParser]

    class ReportCreateInputSerializer(FieldsBoundOnce, serializers.Serializer):
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
        # Blank or null coordinates mean "none given" (schemathesis sent a blank latitude
        # the schema allowed and the API refused).
        latitude = serializers.DecimalField(
            max_digits=9,
            decimal_places=6,
            min_value=-90,
            max_value=90,
            required=False,
            allow_null=True,
        )
        longitude = serializers.DecimalField(
            max_digits=9,
            decimal_places=6,
            min_value=-180,
            max_value=180,
            required=False,
            allow_null=True,
        )
        occurred_on = serializers.DateField(
            required=False, allow_null=True, validators=[date_in_range]
        )
        is_anonymous = StrictBooleanField(default=False)
        is_confidential = StrictBooleanField(default=False)
        # The name on the public page only when the reporter chose it (as the form's box);
        # explicit true or false only, as the anonymity flag.
        show_name = StrictBooleanField(default=False)
        # Optional for an anonymous filing, as on the form (an anonymous guest owes LAPOR no
        # name and no contact); otherwise required, and never blank.
        reporter_name = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=150,
            help_text="Required, not blank, unless is_anonymous is true (then it may be left out).",
        )
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
            if attrs.get("is_anonymous") and attrs.get("show_name"):
                raise serializers.ValidationError(
                    {"show_name": [_("Laporan anonim tidak menampilkan nama; pilih salah satu.")]}
                )
            if attrs.get("is_anonymous"):
                return attrs
            problems = {}
            if not attrs.get("reporter_name", "").strip():
                problems["reporter_name"] = [_("Tulis nama pelapor (kecuali laporan anonim).")]
            if not attrs.get("reporter_email") and not attrs.get("reporter_phone"):
                problems["reporter_email"] = [_("Isi email atau nomor HP pelapor.")]
            if problems:
                raise serializers.ValidationError(problems)
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
        key = caller_key(request)  # a key has its own limit (integrations.auth)
        return idempotent(request, lambda: self._file(request, key))

    def _file(self, request, key: ApiKey | None) -> Response:
        # As the form: accepted filings count per address and contact, refused ones apart, and
        # a caller over the limit of refused ones is refused whatever it sends. The counters
        # are read once the body is checked (the contact is in it), all in one round trip.
        serializer = self.ReportCreateInputSerializer(data=request.data)
        if not serializer.is_valid():
            if key is None:
                blocked, retry_after = ratelimit.filing_blocked(request, None, failed=True)
                if blocked:
                    raise Throttled(wait=retry_after)
                ratelimit.filing_counted(request, None, failed=True)
            raise serializers.ValidationError(serializer.errors)
        d = serializer.validated_data
        contact = ratelimit.contact_key(
            email=d.get("reporter_email", ""), phone=d.get("reporter_phone", "")
        )
        if key is None:
            blocked, retry_after = ratelimit.filing_blocked(request, contact, and_failed=True)
            if blocked:
                raise Throttled(wait=retry_after)
        report = report_submit(
            data=new_report(
                d,
                channel=Channel.INTEGRATION if key else Channel.API,
                requested_agency_id=key.agency.root_id if key else None,
            )
        )
        if key is None:
            ratelimit.filing_counted(request, contact)
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
        number = tracking_or_404(tracking_number)
        report = Report.objects.select_related("agency", "category").filter(tracking=number).first()
        if report is None:
            allowed, retry_after = ratelimit.hit(request, "track")
            if not allowed:
                raise Throttled(wait=retry_after)
            raise NotFound(_("Laporan tidak ditemukan."))
        view = view_for(report, Audience.NUMBER_HOLDER)  # the caller holds the number only
        content = view.content
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
            "timeline": _timeline(report, view),
        }
        return Response(self.ReportStatusSerializer(body).data)


def _timeline(report: Report, view: View) -> list:
    """The events the view shows; where it allows statuses only (a confidential or not yet
    published report), their dates and statuses with no note, actor or agency."""
    text = view.timeline_text
    return [
        {
            "created_at": e.created_at,
            "action": e.action,
            "to_status": e.to_status,
            "actor_label": e.actor_label if text else None,
            "note": view.note(e),
            "to_agency": e.to_agency if text else None,
        }
        for e in audiences.timeline(report, view)
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
    finished = serializers.IntegerField(help_text="Selesai: resolved or closed.")
    in_process = serializers.IntegerField(help_text="Dalam proses: answered, being worked on.")
    follow_up_percent = serializers.FloatField(
        allow_null=True,
        help_text=(
            "SP4N-LAPOR!'s persentase tindak lanjut: (finished + in_process) / received x 100, "
            "cut to one decimal as SP4N publishes it; unverified reports count as received."
        ),
    )
    follow_up_rate = serializers.FloatField(
        allow_null=True, help_text="(finished + in_process) / received, unrounded."
    )
    response_rate = serializers.FloatField(
        allow_null=True, help_text="Dispatched reports with a first response / dispatched."
    )
    completion_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    median_response_days = serializers.IntegerField(allow_null=True)
    median_resolution_days = serializers.IntegerField(allow_null=True)
    satisfaction = serializers.FloatField(allow_null=True)
    dispute_rate = serializers.FloatField(allow_null=True)
    verify_overdue = serializers.IntegerField(
        help_text="Reports waiting for verification past the 3-working-day limit (swept)."
    )
    verify_overdue_triage = serializers.IntegerField(
        help_text="Of those, the ones national triage must verify (no agency named)."
    )
    verify_late = serializers.IntegerField(
        help_text="Reports that missed the verification limit: waiting past it, or verified late."
    )
    verify_rate = serializers.FloatField(
        allow_null=True, help_text="Reports verified within the limit / received."
    )


class ProvinceIndicatorsApi(LaporApiView):
    """Public aggregate indicators per province for a period (counts and rates only, never
    report contents). Read from the monitoring summaries, like the transparency page."""

    class IndicatorPeriodSerializer(serializers.Serializer):
        # An empty ?start= or ?end= is the default period, as the schema says it may be.
        start = serializers.DateField(required=False, allow_null=True, validators=[date_in_range])
        end = serializers.DateField(required=False, allow_null=True, validators=[date_in_range])

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
                    "finished": values.get("finished", 0),
                    "in_process": values.get("in_process", 0),
                    "verify_overdue": values.get("verify_overdue", 0),
                    "verify_overdue_triage": values.get("verify_overdue_triage", 0),
                    "verify_late": values.get("verify_late", 0),
                    **{
                        k: values.get(k)
                        for k in (
                            "follow_up_percent",
                            "follow_up_rate",
                            "response_rate",
                            "completion_rate",
                            "on_time_rate",
                            "median_response_days",
                            "median_resolution_days",
                            "satisfaction",
                            "dispute_rate",
                            "verify_rate",
                        )
                    },
                }
            )
        body = {"start": period.start, "end": period.end, "provinces": provinces}
        return Response(self.ProvinceIndicatorsSerializer(body).data)
