"""Per-address rate limits, counted in the cache (Redis in production, shared by all workers)."""

import hashlib
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


# --- filing: limits that fit shared addresses ---------------------------------------------
# Many people file from one address (a mobile carrier's NAT, a kelurahan office, a warnet), so
# a filing limit counts accepted filings only, per address ("file") and per contact
# ("file_contact": the same e-mail, phone or account from any address); a form sent back with
# errors counts apart ("file_failed", a higher limit), so that a citizen correcting a form is
# never refused for their own mistakes.


def contact_key(*, email: str = "", phone: str = "", user_id: int | None = None) -> str | None:
    """A cache key for the reporter's contact: the account, else the e-mail, else the phone
    (digits only), hashed so that no address or number is stored in the cache. None when the
    reporter gave none (an anonymous guest): then only the address limit applies."""
    if user_id:
        raw = f"user:{user_id}"
    elif email.strip():
        raw = f"email:{email.strip().lower()}"
    elif phone and any(c.isdigit() for c in phone):
        digits = "".join(c for c in phone if c.isdigit())
        raw = f"phone:{'62' + digits[1:] if digits.startswith('0') else digits}"
    else:
        return None
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def filing_blocked(
    request, contact: str | None, *, failed: bool = False, and_failed: bool = False
) -> tuple[bool, int]:
    """Whether a filing from this address (and this contact) would pass a limit now, without
    counting: (blocked, seconds until the longest blocking window ends). ``failed``: the
    limit on forms sent back with errors instead of the limits on accepted filings;
    ``and_failed``: that limit as well as theirs, read in the same round trip."""
    address = client_ip(request)
    checks = [("file_failed", address)] if failed else [("file", address)]
    if contact and not failed:
        checks.append(("file_contact", contact))
    if and_failed and not failed:
        checks.append(("file_failed", address))
    windows = [_window(bucket, key) for bucket, key in checks]
    try:  # every counter in one round trip
        counts = cache.get_many([cache_key for _limit, _w, cache_key, _retry in windows])
    except Exception:  # the cache is down: not refused (tests/faults)
        log.warning("rate limits %s not read: cache unavailable", checks, exc_info=True)
        return False, 0
    waits = [
        retry_after
        for limit, _window_seconds, cache_key, retry_after in windows
        if (counts.get(cache_key) or 0) >= limit
    ]
    return bool(waits), max(waits, default=0)


def filing_counted(request, contact: str | None, *, failed: bool = False) -> None:
    """Counts one accepted filing for this address and contact (or one failed form)."""
    address = client_ip(request)
    if failed:
        hit(request, "file_failed", address)
        return
    if not contact or not hasattr(cache, "incr_windows"):
        hit(request, "file", address)
        if contact:
            hit(request, "file_contact", contact)
        return
    windows = [_window("file", address), _window("file_contact", contact)]
    try:  # both counters in one round trip (core.cache.RedisCache)
        cache.incr_windows([(key, seconds + 5) for _limit, seconds, key, _retry in windows])
    except Exception:  # redis ConnectionError, TimeoutError, ...: not counted, not refused
        log.warning("rate limits of a filing not counted: cache unavailable", exc_info=True)


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
