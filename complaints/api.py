"""The public part of the REST API: file a report, read its public status."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Province, Regency
from lapor import ratelimit
from routing.models import Category

from . import selectors, tracking
from .models import Channel, Kind, Report
from .services import NewReport, report_submit


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    action = serializers.CharField()
    status = serializers.CharField(source="to_status")
    by = serializers.CharField(source="actor_label")
    note = serializers.CharField()
    agency = serializers.CharField(source="to_agency.name", default=None)


class ReportCreateApi(APIView):
    authentication_classes: list = []
    parser_classes = [JSONParser]

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
        province = serializers.PrimaryKeyRelatedField(queryset=Province.objects.all())
        regency = serializers.PrimaryKeyRelatedField(
            queryset=Regency.objects.all(), required=False, allow_null=True
        )
        address = serializers.CharField(max_length=255, required=False, allow_blank=True)
        occurred_on = serializers.DateField(required=False, allow_null=True)
        is_anonymous = serializers.BooleanField(default=False)
        is_confidential = serializers.BooleanField(default=False)
        reporter_name = serializers.CharField(max_length=150)
        reporter_email = serializers.EmailField(required=False, allow_blank=True)
        reporter_phone = serializers.RegexField(
            r"^\+?[0-9 ()-]{8,20}$", required=False, allow_blank=True
        )

        def validate(self, attrs):
            regency = attrs.get("regency")
            if regency and regency.province_id != attrs["province"].code:
                raise serializers.ValidationError(
                    {"regency": "Kabupaten/kota ini tidak berada di provinsi itu."}
                )
            if not attrs.get("reporter_email") and not attrs.get("reporter_phone"):
                raise serializers.ValidationError(
                    {"reporter_email": "Isi email atau nomor HP pelapor."}
                )
            return attrs

    class ReportCreatedSerializer(serializers.Serializer):
        tracking = serializers.CharField()
        status = serializers.CharField()
        url = serializers.CharField(source="get_absolute_url")

    @extend_schema(request=ReportCreateInputSerializer, responses={201: ReportCreatedSerializer})
    def post(self, request):
        allowed, retry_after = ratelimit.hit(request, "file")
        if not allowed:
            return Response(
                {"code": "rate_limited", "message": "Terlalu banyak laporan dari alamat ini."},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(retry_after)},
            )
        serializer = self.ReportCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        report = report_submit(
            data=NewReport(
                kind=d["kind"],
                title=d["title"],
                description=d["description"],
                category_id=d["category"].pk if d.get("category") else None,
                province_id=d["province"].code,
                regency_id=d["regency"].code if d.get("regency") else None,
                address=d.get("address", ""),
                occurred_on=d.get("occurred_on"),
                is_anonymous=d["is_anonymous"],
                is_confidential=d["is_confidential"],
                reporter_name=d["reporter_name"],
                reporter_email=d.get("reporter_email", ""),
                reporter_phone=d.get("reporter_phone", ""),
                channel=Channel.API,
            )
        )
        return Response(self.ReportCreatedSerializer(report).data, status=status.HTTP_201_CREATED)


class ReportStatusApi(APIView):
    authentication_classes: list = []

    class ReportStatusSerializer(serializers.Serializer):
        tracking = serializers.CharField()
        status = serializers.CharField()
        kind = serializers.CharField()
        agency = serializers.CharField(source="agency.name", default=None)
        created_at = serializers.DateTimeField()
        timeline = EventSerializer(many=True)

    @extend_schema(responses={200: ReportStatusSerializer})
    def get(self, request, tracking_number=None, **kwargs):
        number = kwargs.get("tracking") or tracking_number
        try:
            number = tracking.normalize(number)
        except tracking.TrackingError as exc:
            raise Http404 from exc
        report = Report.objects.select_related("agency").filter(tracking=number).first()
        if report is None:
            raise Http404
        report.timeline = selectors.public_timeline(report)
        return Response(self.ReportStatusSerializer(report).data)
