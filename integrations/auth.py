"""API keys at the door: a DRF authentication class, the permission that requires a key, the
error body every API view answers with, and the call log.

A key is sent as ``Authorization: Bearer <key>`` (or ``X-Api-Key: <key>``). It authenticates
as its service user, whose only role is officer of the key's agency: the permission checks of
``complaints.permissions`` then give the key exactly that agency's scope."""

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.errors import DomainError
from core import ratelimit

from .models import ApiCallLog, ApiKey
from .services import apikey_lookup

log = logging.getLogger(__name__)

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class InvalidKey(exceptions.AuthenticationFailed):
    default_detail = _("Kunci API tidak dikenal atau sudah dicabut.")
    default_code = "invalid_key"


class KeyRequired(exceptions.NotAuthenticated):
    default_detail = _("Kunci API diperlukan (Authorization: Bearer <kunci>).")
    default_code = "key_required"


def raw_key_from(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.META.get("HTTP_X_API_KEY", "").strip()


class ApiKeyAuthentication(BaseAuthentication):
    """No key: anonymous (the view decides). A key that is unknown or revoked: 401."""

    def authenticate(self, request):
        raw = raw_key_from(request)
        if not raw:
            return None
        key = apikey_lookup(raw)
        if key is None:
            raise InvalidKey()
        if key.revoked_at is not None:
            request._request.lapor_refused_key = key  # logged: a revoked key still knocking
            raise InvalidKey()
        return key.service_user, key

    def authenticate_header(self, request):
        return 'Bearer realm="lapor"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "API key of an agency client"}


class HasApiKey(BasePermission):
    def has_permission(self, request, view):
        if not isinstance(request.auth, ApiKey):
            raise KeyRequired()
        return True


def _error_code(exc: exceptions.APIException) -> str:
    codes = {
        exceptions.ValidationError: "invalid",
        exceptions.ParseError: "parse_error",
        exceptions.NotFound: "not_found",
        exceptions.PermissionDenied: "forbidden",
        exceptions.MethodNotAllowed: "method_not_allowed",
        exceptions.NotAcceptable: "not_acceptable",
        exceptions.UnsupportedMediaType: "unsupported_media_type",
        exceptions.Throttled: "rate_limited",
    }
    if isinstance(exc, InvalidKey | KeyRequired):
        return exc.default_code
    for cls, code in codes.items():
        if isinstance(exc, cls):
            return code
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return "not_authenticated"
    return getattr(exc, "default_code", "error")


def error_response(code: str, message, http_status: int, errors=None, headers=None) -> Response:
    body = {"code": code, "message": str(message)}
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=http_status, headers=headers)


def exception_handler(exc, context):
    """One error body for the whole API: ``{"code", "message"[, "errors"]}``, in the caller's
    language (Accept-Language id or en)."""
    if isinstance(exc, DomainError):
        return error_response(exc.code, exc.message, exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Tidak ditemukan."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 (logged)
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    code = _error_code(exc)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return error_response(
            code, _("Data yang dikirim tidak valid."), exc.status_code, errors, headers
        )
    detail = exc.detail
    message = detail if isinstance(detail, str) else exc.default_detail
    return error_response(code, message, exc.status_code, headers=headers)


class LaporApiView(APIView):
    """Base of every API view: key authentication (optional unless the permission asks for
    it), the common error body, a rate limit per key, and one log row per call made with a
    key."""

    authentication_classes = [ApiKeyAuthentication]
    # Anyone may call (a view that needs a key says so with HasApiKey). AllowAny rather than
    # no class at all, so that the schema marks these operations as needing no key.
    permission_classes: list = [AllowAny]

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if isinstance(request.auth, ApiKey):
            allowed, retry_after = ratelimit.hit(request, "api", key=f"key:{request.auth.pk}")
            if not allowed:
                raise exceptions.Throttled(wait=retry_after)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = request.auth if isinstance(getattr(request, "auth", None), ApiKey) else None
        key = key or getattr(request._request, "lapor_refused_key", None)
        if key is not None:
            log_call(key, request.method, request.path, response.status_code)
        return response


def log_call(key: ApiKey, method: str, path: str, http_status: int) -> None:
    """One INSERT per call; last_used_at at most once a minute."""
    now = timezone.now()
    ApiCallLog.objects.create(key=key, method=method[:8], path=path[:255], status=http_status)
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
