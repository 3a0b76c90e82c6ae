"""Open data, as SP4N-LAPOR!'s "API Akses Data": public reports for anyone to reuse, in JSON or
CSV, paged and filterable, and one file per day. Only what the public list shows
(``Report.objects.public()``: verified, never confidential, rejected or merged), and never who
filed it: no name, contact, account or anonymity flag leaves through here.

Licensed CC BY 4.0 (attribution: "LAPOR"), named in every answer (``license`` in JSON, a
``Link: <...>; rel="license"`` header on both)."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from agencies import regions
from complaints.models import Kind, Report, Status
from core.csvsafe import row
from core.inputs import date_in_range

from .api_common import errors
from .auth import LaporApiView

LICENSE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "LAPOR (Layanan Aspirasi dan Pengaduan Online Rakyat)",
}
LINK = f'<{LICENSE["url"]}>; rel="license"'
JAKARTA = ZoneInfo("Asia/Jakarta")  # a "day" of the daily files is a day in WIB
PAGE_SIZE, MAX_PAGE_SIZE = 100, 1000
DAILY_MAX = 50000  # reports in one day's file (the national record is far below)

FIELDS = (
    "tracking",
    "kind",
    "category",
    "province",
    "regency",
    "agency",
    "agency_name",
    "status",
    "title",
    "description",
    "created_at",
    "verified_at",
    "dispatched_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "transfer_count",
    "reopen_count",
    "rating",
    "url",
)


class OpenReportSerializer(serializers.Serializer):
    tracking = serializers.CharField()
    kind = serializers.CharField()
    category = serializers.CharField(source="category.code", default=None, allow_null=True)
    province = serializers.CharField(source="province_id")
    regency = serializers.CharField(source="regency_id", allow_null=True)
    agency = serializers.CharField(source="agency.slug", default=None, allow_null=True)
    agency_name = serializers.CharField(source="agency.name", default=None, allow_null=True)
    status = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    created_at = serializers.DateTimeField()
    verified_at = serializers.DateTimeField(allow_null=True)
    dispatched_at = serializers.DateTimeField(allow_null=True)
    first_response_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    transfer_count = serializers.IntegerField()
    reopen_count = serializers.IntegerField()
    rating = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(source="get_absolute_url")


class CsvRenderer(BaseRenderer):
    """``?format=csv``: the rows of ``results`` with a header line, cells made safe for
    spreadsheets (core.csvsafe); an error body as a one-column CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        out = io.StringIO()
        writer = csv.writer(out)
        if isinstance(data, dict) and "results" in data:
            writer.writerow(FIELDS)
            for item in data["results"]:
                writer.writerow(row(item.get(f) for f in FIELDS))
        else:
            writer.writerow(["code", "message"])
            writer.writerow(row([data.get("code", ""), data.get("message", "")]))
        return out.getvalue().encode("utf-8")


def open_reports():
    return Report.objects.public().select_related("category", "agency").order_by("pk")


class OpenDataApiView(LaporApiView):
    renderer_classes = [JSONRenderer, CsvRenderer]
    authentication_classes: list = []

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Link"] = LINK
        response["Access-Control-Allow-Origin"] = "*"  # public data, no cookies involved
        return response


class OpenReportFilterSerializer(serializers.Serializer):
    since = serializers.DateField(required=False, validators=[date_in_range])
    until = serializers.DateField(required=False, validators=[date_in_range])
    province = serializers.CharField(required=False, max_length=2)
    regency = serializers.CharField(required=False, max_length=4)
    category = serializers.CharField(required=False, max_length=40)
    kind = serializers.ChoiceField(required=False, choices=Kind.choices)
    status = serializers.ChoiceField(required=False, choices=Status.choices)
    after = serializers.IntegerField(required=False, min_value=0, default=0)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=PAGE_SIZE
    )

    def validate(self, attrs):
        for name, known in (("province", regions.provinces()), ("regency", regions.regencies())):
            if attrs.get(name) and attrs[name] not in known:
                raise serializers.ValidationError({name: [_("Kode wilayah tidak dikenal.")]})
        return attrs


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=JAKARTA)


class OpenReportListApi(OpenDataApiView):
    """Public reports, oldest first, in pages: follow ``next`` (``after`` = the last id read)
    until it is null. Filters: ``since``/``until`` (filing date, WIB, inclusive),
    ``province``, ``regency``, ``category`` (code), ``kind``, ``status``. ``?format=csv`` for
    CSV. Licensed CC BY 4.0."""

    class OpenReportPageSerializer(serializers.Serializer):
        license = serializers.DictField()
        next = serializers.CharField(allow_null=True)
        results = OpenReportSerializer(many=True)

    @extend_schema(
        parameters=[
            OpenReportFilterSerializer,
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
        ],
        # 404: a ``format`` other than json or csv (DRF's content negotiation).
        responses={200: OpenReportPageSerializer, **errors(400, 404, 429)},
    )
    def get(self, request, **kwargs):
        f = OpenReportFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        d = f.validated_data
        qs = _filtered(open_reports(), d).filter(pk__gt=d["after"])
        page = list(qs[: d["page_size"] + 1])
        more = len(page) > d["page_size"]
        page = page[: d["page_size"]]
        next_url = None
        if more:
            params = request.query_params.copy()
            params["after"] = str(page[-1].pk)
            next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        body = {
            "license": LICENSE,
            "next": next_url,
            "results": OpenReportSerializer(page, many=True).data,
        }
        return Response(body)


def _filtered(qs, d: dict):
    if d.get("since"):
        qs = qs.filter(created_at__gte=_day_start(d["since"]))
    if d.get("until"):
        qs = qs.filter(created_at__lt=_day_start(d["until"] + dt.timedelta(days=1)))
    for name in ("province", "regency", "kind", "status"):
        if d.get(name):
            qs = qs.filter(**{f"{name}_id" if name in ("province", "regency") else name: d[name]})
    if d.get("category"):
        qs = qs.filter(category__code=d["category"])
    return qs


class OpenDailyApi(OpenDataApiView):
    """Every public report filed on one day (WIB), ``/api/v1/opendata/daily/2026-11-30/``,
    JSON or ``?format=csv``: a file that does not change once the day is over, except for
    the status columns of reports still being worked."""

    class OpenDailySerializer(serializers.Serializer):
        license = serializers.DictField()
        date = serializers.DateField()
        results = OpenReportSerializer(many=True)

    @extend_schema(
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"])],
        responses={200: OpenDailySerializer, **errors(404, 429)},
    )
    def get(self, request, day: str, **kwargs):
        try:
            date = dt.date.fromisoformat(day)
            date_in_range(date)
        except (ValueError, DjangoValidationError) as exc:
            raise NotFound(_("Tanggal tidak dikenal (YYYY-MM-DD).")) from exc
        qs = _filtered(open_reports(), {"since": date, "until": date})[:DAILY_MAX]
        body = {
            "license": LICENSE,
            "date": date,
            "results": OpenReportSerializer(qs, many=True).data,
        }
        response = Response(body)
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = f'attachment; filename="lapor-{date}.csv"'
        return response
