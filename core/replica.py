"""Reads from a streaming standby (``DATABASE_REPLICA_URL``), only where a few seconds' lag
harms nobody, and never for what a user just changed.

Where: the pages and tasks that say so, with ``@replica.reads`` (a view, GET and HEAD only) or
``with replica.reading():`` (a block, e.g. building an export): the dashboards, /statistik/,
the public lists and map, Open311's reads, the public indicators API and exports. Everything
else (the reporter's own pages, staff pages, every form, every write) reads the primary, as
it always did.

What: only the report and reference tables (the apps in ``REPLICA_APPS``), never accounts,
roles, second factors, sessions or API keys, so whether someone may see a page is decided on
the primary.

When not: a user whose last request changed something (a successful POST, PUT, PATCH or
DELETE) carries the ``lapor_primary`` cookie for ``LAPOR_REPLICA_STICKY_SECONDS`` and reads the
primary, so the dashboard after an action shows that action. The standby is left alone while
it lags more than ``LAPOR_REPLICA_MAX_LAG`` seconds or does not answer; each process probes it
at most every ``LAPOR_REPLICA_CHECK_SECONDS`` (``LAPOR_REPLICA_RETRY_SECONDS`` after a failure).
A query that fails on the standby marks it down and the page is served again from the primary.

Lag: each probe reads the primary's WAL position (``pg_current_wal_lsn()``) and the
standby's replayed position (``pg_last_wal_replay_lsn()``), and keeps the primary's positions
of the last probes with their times. The standby holds everything the primary held at the
latest of those times whose position it has replayed, so the lag is at most the time since
then (none when it has replayed the primary's current position). This holds after a quiet
spell too, where the age of the last replayed transaction would overstate it, and it never
understates a paused or stalled standby.
"""

import collections
import contextlib
import contextvars
import functools
import logging
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger("lapor.replica")

ALIAS = "replica"
COOKIE = "lapor_primary"
REPLICA_APPS = frozenset({"complaints", "routing", "monitoring", "agencies"})
# Who may see what is decided on the primary: accounts, roles and second factors.
PRIMARY_MODELS = frozenset(
    {"agencies.user", "agencies.role", "agencies.twofactordevice", "agencies.recoverycodes"}
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_reading = contextvars.ContextVar("lapor_replica_reading", default=False)
_used = contextvars.ContextVar("lapor_replica_used", default=False)


def configured() -> bool:
    return ALIAS in settings.DATABASES


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


# --- is the standby usable? --------------------------------------------------------------------


def lsn(text: str | None) -> int | None:
    """PostgreSQL's 'X/Y' log sequence number as one integer."""
    if not text:
        return None
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def lag_seconds(*, now: float, primary_lsn: int, replayed_lsn: int | None, history) -> float | None:
    """The standby's lag by the rule above (``history``: the (time, primary position) of
    earlier probes); None when no bound is known yet (it is behind every position seen)."""
    if replayed_lsn is None:
        return None  # not replaying
    if replayed_lsn >= primary_lsn:
        return 0.0
    held = [at for at, position in history if position <= replayed_lsn]
    return now - max(held) if held else None


@dataclass
class _State:
    usable: bool = False
    checked_at: float = float("-inf")
    next_check: float = float("-inf")
    lag: float | None = None
    history: collections.deque = field(default_factory=lambda: collections.deque(maxlen=512))


_state = _State()
_lock = threading.Lock()


def _probe(now: float) -> float | None:
    """The standby's lag now, or None if it is not a usable standby. Uses the connections of
    both aliases directly (no router)."""
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")
        in_recovery, replayed = cursor.fetchone()
    if not in_recovery:
        return None  # a promoted or misconfigured "standby": its data may have forked
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (current,) = cursor.fetchone()
    current = lsn(current)
    lag = lag_seconds(
        now=now, primary_lsn=current, replayed_lsn=lsn(replayed), history=_state.history
    )
    _state.history.append((now, current))
    return lag


def usable() -> bool:
    """Whether reads may go to the standby now (probed at most every few seconds)."""
    now = time.monotonic()
    if now < _state.next_check:
        return _state.usable
    with _lock:
        if now < _state.next_check:
            return _state.usable
        try:
            lag = _probe(now)
        except DatabaseError as exc:
            _mark_down(exc)
            return False
        ok = lag is not None and lag <= _setting("LAPOR_REPLICA_MAX_LAG", 5)
        if ok != _state.usable:
            log.warning("replica %s (lag %s s)", "in use" if ok else "left alone", lag)
        _state.usable, _state.lag, _state.checked_at = ok, lag, now
        _state.next_check = now + _setting("LAPOR_REPLICA_CHECK_SECONDS", 2)
        return ok


def _mark_down(exc: Exception) -> None:
    now = time.monotonic()
    if _state.usable or _state.checked_at == float("-inf"):
        log.warning("replica down: %s", str(exc).splitlines()[0] if str(exc) else exc)
    _state.usable, _state.lag, _state.checked_at = False, None, now
    _state.next_check = now + _setting("LAPOR_REPLICA_RETRY_SECONDS", 30)
    with contextlib.suppress(Exception):
        connections[ALIAS].close()


def forget() -> None:
    """Probe again at the next read (tests)."""
    _state.usable, _state.next_check = False, float("-inf")


# --- where reads go --------------------------------------------------------------------------


def eligible(model) -> bool:
    meta = model._meta
    return meta.app_label in REPLICA_APPS and meta.label_lower not in PRIMARY_MODELS


class ReplicaRouter:
    """Sends reads of eligible models to the standby inside ``reading()`` while it is usable;
    everything else, and every write and migration, to the primary."""

    def db_for_read(self, model, **hints):
        if _reading.get() and eligible(model) and usable():
            _used.set(True)
            return ALIAS
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both: a standby is a copy of the primary

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


@contextlib.contextmanager
def reading():
    """Reads inside this block may come from the standby (a no-op without one)."""
    token, used = _reading.set(configured()), _used.set(False)
    try:
        yield
    finally:
        _used.reset(used)
        _reading.reset(token)


def used() -> bool:
    """Whether a read inside the current ``reading()`` block went to the standby."""
    return _used.get()


def allowed(request) -> bool:
    """Whether this request's reads may come from the standby: a GET or HEAD from a visitor
    who has not just changed something."""
    return configured() and request.method in ("GET", "HEAD") and not request.COOKIES.get(COOKIE)


def streamed(rows, request):
    """``rows`` (a generator that reads as it goes, e.g. a streamed CSV) read inside
    ``reading()`` while it is consumed, when the request allows it."""
    if not allowed(request):
        yield from rows
        return
    with reading():
        yield from rows


def _failed_on_replica() -> bool:
    """Whether the error just raised came from the standby: it was read from in this block
    and its connection is gone or broken."""
    if not _used.get():
        return False
    connection = connections[ALIAS]
    if connection.connection is None:
        return True
    try:
        return not connection.is_usable()
    except Exception:
        return True


def reads(view):
    """A view (GET/HEAD) whose reads may come from the standby, unless the visitor just
    changed something; if the standby fails under it, served again from the primary."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not allowed(request):
            return view(request, *args, **kwargs)
        with reading():
            try:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()  # a template response reads while it renders
                return response
            except DatabaseError as exc:
                if not _failed_on_replica():
                    raise
                _mark_down(exc)
        return view(request, *args, **kwargs)

    return wrapper


class StickyPrimaryMiddleware:
    """After a request that changed something, the visitor reads the primary for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if configured() and request.method not in SAFE_METHODS and response.status_code < 400:
            response.set_cookie(
                COOKIE,
                "1",
                max_age=int(_setting("LAPOR_REPLICA_STICKY_SECONDS", 15)),
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
