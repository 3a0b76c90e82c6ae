"""Cross-cutting HTTP concerns: request ids for the logs, security headers, and a clean 503
when the database is unreachable."""

import logging
import re
import secrets
import sys
import uuid
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

from . import inputs
from .logging import request_id_var
from .maps import tile_origin

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
            # Map tiles come from the configured tile host (core.maps), images only.
            tiles = tile_origin()
            img_src = f"'self' data: {tiles}" if tiles else "'self' data:"
            response["Content-Security-Policy"] = (
                "default-src 'self'; "
                f"script-src 'self' 'nonce-{request.csp_nonce}'; "
                # No 'unsafe-inline': templates carry no style attribute or <style> block
                # (tests/test_csp.py); htmx's indicator styles and the API docs' page styles
                # are static files.
                "style-src 'self'; "
                f"img-src {img_src}; "
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


class InputGuardMiddleware:
    """The one check every door goes through before any view: text PostgreSQL cannot store
    (a NUL byte, a lone surrogate) in the path, a query or form parameter, a file name, a header
    or cookie, or a JSON body, and JSON nested deeper than core.inputs.MAX_JSON_DEPTH, answer
    400 in the door's own format and language (after LanguageMiddleware), and the view never
    runs, so nothing is stored. Before this, each of those reached a query and answered 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = _refused_input(request)
        if refused is not None:
            log.info("input refused", extra={"path": request.path, "field": refused[1]})
            return input_refused(request, *refused)
        return self.get_response(request)


def _refused_input(request) -> tuple[str, str] | None:
    """(reason, field) of the first unacceptable part of the request, or None."""
    if inputs.unstorable(request.path_info):
        return ("text", "path")
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and inputs.unstorable(value):
            return ("text", key[5:].lower().replace("_", "-"))
    found = _in_querydict(request.GET)
    if found is not None:
        return ("text", found)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            found = _in_querydict(request.POST)
        except MultiPartParserError:  # no boundary, a broken part: nothing a view can read
            return ("form", "")
        if found is None:
            found = next((k for k, f in request.FILES.items() if inputs.unstorable(f.name)), None)
        return ("text", found) if found is not None else None
    if content_type == "application/json" or content_type.endswith("+json"):
        return inputs.bad_json(request.body)
    return None


def _in_querydict(data) -> str | None:
    for key, values in data.lists():
        if inputs.unstorable(key):
            return "?"
        if any(inputs.unstorable(v) for v in values):
            return key
    return None


def input_refused(request, reason: str, field: str) -> HttpResponse:
    """The 400 for an unacceptable request: the API's error body, Open311's error list (JSON
    or XML, as the resource asked), or a short page."""
    if reason == "depth":
        message = _("Data JSON terlalu dalam bersarang (paling dalam %(n)s tingkat).") % {
            "n": inputs.MAX_JSON_DEPTH
        }
    elif reason == "form":
        message = _("Isi formulir (multipart) rusak atau tanpa batas (boundary).")
    else:
        message = _(
            "Permintaan berisi karakter yang tidak dapat diproses (byte NUL atau karakter "
            "Unicode yang tidak sah) pada %(field)s."
        ) % {"field": field}
    if request.path.startswith("/open311/"):
        return _open311_error(request.path.endswith(".xml"), message)
    if request.path.startswith("/api/"):
        body = {"code": "invalid_input", "message": message}
        if field:
            body["errors"] = {field: [_("Berisi karakter yang tidak dapat diproses.")]}
        return JsonResponse(body, status=400)
    return HttpResponse(render_to_string("400.html", {"message": message}), status=400)


def _open311_error(xml: bool, message: str) -> HttpResponse:
    """GeoReport v2's error list (the format of integrations.open311.error, written here so
    that this module imports no app)."""
    if not xml:
        return JsonResponse(
            [{"code": 400, "description": message}],
            safe=False,
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    root = ET.Element("errors")
    item = ET.SubElement(root, "error")
    ET.SubElement(item, "code").text = "400"
    ET.SubElement(item, "description").text = message
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")
    return HttpResponse(body, content_type="text/xml; charset=utf-8", status=400)
