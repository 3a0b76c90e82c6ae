"""Per-address rate limits, counted in the cache (Redis in production, shared by all workers)."""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render

log = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The caller's address. Behind LAPOR_TRUSTED_PROXIES proxies, read X-Forwarded-For from
    the right; otherwise REMOTE_ADDR (a header from the client itself is never trusted)."""
    hops = settings.LAPOR_TRUSTED_PROXIES
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def hit(request, bucket: str, key: str | None = None) -> tuple[bool, int]:
    """Counts one attempt in ``bucket`` for this address (or ``key``).

    Returns (allowed, retry_after_seconds). Fixed windows: cheap, one cache round trip.
    When the cache (Redis) is unreachable the attempt is allowed: filing and signing in must
    not depend on Redis (tests/faults/test_redis_down.py)."""
    limit, window, cache_key, retry_after = _window(bucket, key or client_ip(request))
    try:
        count = _count(cache_key, window)
    except Exception:  # redis ConnectionError, TimeoutError, ...: not counted, not refused
        log.warning("rate limit %s not counted: cache unavailable", bucket, exc_info=True)
        return True, 0
    return count <= limit, retry_after


def _window(bucket: str, key: str) -> tuple[int, int, str, int]:
    """(limit, window seconds, the counter's cache key, seconds until the window ends) for
    ``key`` in ``bucket`` now: fixed windows, one counter per key and window."""
    limit, window = settings.LAPOR_RATE_LIMITS[bucket]
    now = int(time.time())
    slot = now // window
    return limit, window, f"rl:{bucket}:{key}:{slot}", (slot + 1) * window - now


def _count(cache_key: str, window: int) -> int:
    if hasattr(cache, "incr_window"):  # core.cache.RedisCache: one round trip
        return cache.incr_window(cache_key, window + 5)
    if cache.add(cache_key, 1, timeout=window + 5):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window + 5)
        return 1


def exceeded(request, bucket: str, key: str) -> tuple[bool, int]:
    """Whether ``key`` has used up ``bucket`` in this window, without counting an attempt.
    For limits on failures only (hit() is then called on each failure)."""
    limit, _window_seconds, cache_key, retry_after = _window(bucket, key)
    return (cache.get(cache_key) or 0) >= limit, retry_after


def too_many(request, retry_after: int) -> HttpResponse:
    """The 429 page: a clear message and a Retry-After header."""
    response = render(
        request,
        "too_many.html",
        {"retry_after": retry_after, "minutes": max(1, round(retry_after / 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response
