"""The absolute address of LAPOR for links that leave a page (e-mail, SMS, Open311 notices).

In production it is ``LAPOR_SITE_URL``. In development, when that variable is not set, it is
the address of the request being served (scheme, host and port), so that a link e-mailed by
``runserver 8010`` or a test's live server points to the port that serves LAPOR, not to the
default 8000. Work done with no request (a sweep, a worker) uses the last address this
process served, else ``LAPOR_SITE_URL``."""

from contextvars import ContextVar

from django.conf import settings

_current: ContextVar[str | None] = ContextVar("lapor_site_url", default=None)
_last_seen: list[str] = []


def site_url() -> str:
    """The origin to put before a path, without a trailing slash."""
    if settings.LAPOR_SITE_URL_FROM_REQUEST:
        origin = _current.get() or (_last_seen[0] if _last_seen else None)
        if origin:
            return origin
    return settings.LAPOR_SITE_URL.rstrip("/")


class SiteUrlMiddleware:
    """Remembers the request's own origin while it is served (development only)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.LAPOR_SITE_URL_FROM_REQUEST:
            return self.get_response(request)
        origin = f"{request.scheme}://{request.get_host()}"
        _last_seen[:] = [origin]
        token = _current.set(origin)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
