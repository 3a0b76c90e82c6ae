"""Cross-cutting HTTP concerns: request ids for the logs, security headers, and a clean 503
when the database is unreachable."""

import logging
import re
import secrets
import sys
import uuid

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.views import defaults

from .logging import request_id_var

log = logging.getLogger("lapor.request")

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
RETRY_AFTER = "30"


class RequestIdMiddleware:
    """Gives every request an id (the load balancer's X-Request-ID if it is sane), puts it in
    every log line of the request and in the response header, and logs one line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.id
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "user_id": getattr(getattr(request, "user", None), "pk", None),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class SecurityHeadersMiddleware:
    """Content-Security-Policy with a per-request nonce for the few inline scripts, plus the
    headers Django does not set itself. (HSTS, nosniff, referrer policy and frame options come
    from Django's SecurityMiddleware and settings.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = (
                "default-src 'self'; "
                f"script-src 'self' 'nonce-{request.csp_nonce}'; "
                "style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; "
                "connect-src 'self'; "
                "object-src 'none'; "
                "base-uri 'self'; "
                "form-action 'self'; "
                "frame-ancestors 'none'"
            )
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class DatabaseUnavailableMiddleware:
    """When PostgreSQL is down or restarting, answer 503 with a retry hint instead of a 500: a
    request that failed this way wrote nothing (its transaction never committed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not _database_down(exception):
            return None
        log.warning("database unavailable: %s", exception)
        return database_unavailable(request)


def _database_down(exception) -> bool:
    if not isinstance(exception, OperationalError | InterfaceError):
        return False
    return not (isinstance(exception, DatabaseError) and "could not serialize" in str(exception))


def database_unavailable(request) -> HttpResponse:
    """The 503 with a retry hint: JSON for the API and Open311, a short page otherwise."""
    body = {
        "code": "service_unavailable",
        "message": "Layanan sedang sibuk atau dalam pemeliharaan. Silakan coba lagi.",
    }
    if request.path.startswith(("/api/", "/open311/")):
        response = JsonResponse(body, status=503)
    else:
        response = HttpResponse(
            "<!doctype html><html lang='id'><meta charset='utf-8'><title>LAPOR!</title>"
            "<h1>Layanan sedang sibuk</h1><p>Silakan coba lagi dalam beberapa detik. "
            "Laporan yang sudah terkirim tetap tersimpan.</p></html>",
            status=503,
        )
    response["Retry-After"] = RETRY_AFTER
    return response


def server_error(request):
    """handler500. The database can also fail outside a view, where process_exception never
    sees it: the session saved after the response (the report form), another middleware. That
    is the same outage, so the same 503; anything else is Django's 500 page."""
    if _database_down(sys.exc_info()[1]):
        return database_unavailable(request)
    return defaults.server_error(request)


class LanguageMiddleware(LocaleMiddleware):
    """Indonesian by default, English by choice. Pages follow the language the visitor chose
    with the switch (Django's language cookie), never the browser's Accept-Language, so that a
    phone set to English still opens LAPOR in Bahasa Indonesia. The API and Open311 answer in
    the caller's language where it asks (Accept-Language), as API clients expect."""

    def process_request(self, request):
        if request.path.startswith(("/api/", "/open311/")):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None
