"""REST API v1, LAPOR to LAPOR: the door of a provincial instance where the national one's
webhooks arrive (integrations.federation). No API key: the body is signed with the secret
of the endpoint national registered for this instance (``LAPOR_FEDERATION_SECRET``), as every
LAPOR webhook is (``X-Lapor-Signature``)."""

import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.response import Response

from . import federation
from .api_common import errors
from .auth import LaporApiView, error_response
from .webhooks import verify_signature


class RawJSONParser(BaseParser):
    """Keeps the body as bytes: the signature is over the bytes as sent."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read(settings.LAPOR_API_MAX_BODY + 1)


class FederationInboundApi(LaporApiView):
    """A national LAPOR webhook (``dispatched``, the citizen's replies, ...) for this
    provincial instance. Checked (signature and timestamp within 5 minutes), applied once per
    event id through the status machine, and answered 200 with what became of it, so that
    national's ordered queue moves on; a bad signature is a 403 and changes nothing; an
    instance not connected has no such door (404)."""

    authentication_classes: list = []
    parser_classes = [RawJSONParser]

    class InboundResultSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=["applied", "ignored", "refused", "duplicate"])

    @extend_schema(
        request={"application/json": {"type": "object"}},
        auth=[{"federationSignature": []}],
        responses={200: InboundResultSerializer, **errors(400, 403, 404, 413)},
    )
    def post(self, request):
        secret = settings.LAPOR_FEDERATION_SECRET
        if not (secret and federation.configured()):
            # No such door on an instance that is not connected: a client's 404, not a 5xx.
            return error_response(
                "not_found",
                _("Instans ini tidak tersambung ke LAPOR nasional."),
                status.HTTP_404_NOT_FOUND,
            )
        body = request.data if isinstance(request.data, bytes) else b""
        if len(body) > settings.LAPOR_API_MAX_BODY:
            return error_response("too_large", _("Isi permintaan terlalu besar."), 413)
        signature = request.headers.get("X-Lapor-Signature", "")
        if not verify_signature(secret, body, signature):
            return error_response("forbidden", _("Tanda tangan webhook salah."), 403)
        try:
            payload = json.loads(body)
            int(payload["id"])
            str(payload["report"]["tracking"])
        except (ValueError, KeyError, TypeError):
            return error_response("invalid", _("Isi webhook tidak dikenali."), 400)
        return Response({"outcome": federation.receive(payload)})
