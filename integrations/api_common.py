"""What every API v1 module shares: the error responses of the schema, the caller's key, the
tracking number from a path (normalised, or 404), region codes checked in memory."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from agencies import regions
from complaints import tracking

from .models import ApiKey
from .serializers import (
    ErrorSerializer,
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


def caller_key(request) -> ApiKey | None:
    return request.auth if isinstance(request.auth, ApiKey) else None


def tracking_or_404(number: str) -> str:
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
