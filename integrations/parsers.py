"""Request parsers of the API. Kept apart from ``integrations.auth`` so that DRF's settings can
name them without importing DRF's views while DRF is still loading (a circular import)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("Isi permintaan terlalu besar.")
    default_code = "too_large"


class BoundedJSONParser(JSONParser):
    """JSON with a size limit (``LAPOR_API_MAX_BODY`` bytes, read from Content-Length before
    any of the body is read) and a clean 400, not a crash, for nesting deep enough to exhaust
    Python's recursion limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        meta = getattr(request, "META", {}) if request is not None else {}
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.LAPOR_API_MAX_BODY:
            raise PayloadTooLarge
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(_("JSON terlalu dalam bersarang.")) from exc
