"""REST API v1, the SMS gateway's inbound webhook (the 1708 short number)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import ratelimit

from . import sms
from .api_common import errors
from .auth import LaporApiView, error_response
from .parsers import BoundedJSONParser

# --- the SMS gateway ------------------------------------------------------------------------


class SmsInboundApi(LaporApiView):
    """The SMS gateway posts each text received on 1708 here (``from``, ``text``, ``id``),
    with the shared token in the ``X-Lapor-Sms-Token`` header (never the query string). Each
    gateway id is handled once; the answer is also sent back by SMS."""

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
        # The gateway's shared token, as a security scheme (lapor/settings.py
        # SPECTACULAR_SETTINGS): the header is required, where a parameter said optional.
        auth=[{"smsGatewayToken": []}],
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
        # The header only: a token in the query string lands in proxies' access logs.
        given = request.headers.get("X-Lapor-Sms-Token", "")
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
