"""The public list's rendered content behind one version stamp (issue 20).

Rendering the list's rows, counts and filters cost 9-11 ms of CPU per visit beside 2 ms for
/healthz, while what the public may see changes far less often than it is read. So the
content block of /laporan/ (filters, count, rows, pages) is cached in the shared cache under
the **stamp**, a random token that every change the public could see replaces:

- a change to a report that is published before or after it (services._record: a report
  verified, resolved, moved, rejected, merged, made confidential...);
- a support counted (services.report_support);
- a category, province, regency or agency saved or deleted (their names are on the rows;
  load_reference's bulk writes send no signal, so a name it changes shows within
  FRAGMENT_TTL).

``changed()`` replaces the stamp at once and again when the transaction commits: a visitor
between the two renders from the database and stores under a stamp that the commit then
retires, so no fragment read before a commit outlives it. Tokens are random, so a stamp lost
from the cache (evicted, flushed) can never bring back fragments of an earlier one. A fragment
lives at most FRAGMENT_TTL seconds, and at most LAPOR_REPLICA_MAX_LAG seconds when its rows
came from a standby (which may be that far behind the stamp, core.replica).

Nothing in a fragment depends on who asks: it is rendered without the request (no user, no
CSRF token, no session), from public reports only (ReportQuerySet.public); the page around it,
with who is signed in, is rendered for each request. Only the list and its choice filters'
first pages are cached, and only when the filters are valid (an error is rendered afresh
beside its field); text searches are not. With the cache down the stamp is new on every read,
so nothing is served from it.
"""

import hashlib
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

STAMP_KEY = "public-stamp"
FRAGMENT_TTL = 60
LIST_PARAMS = frozenset({"q", "kind", "category", "province", "status", "page"})
CACHED_PAGES = 10  # the first pages: most visits, and a bounded number of fragments
MAX_QUERY = 200  # characters of query string: longer ones are rendered, never cached


def stamp() -> str:
    """The current stamp (a new one if the cache has none). One cache round trip."""
    value = cache.get(STAMP_KEY)
    if value is None:
        cache.add(STAMP_KEY, uuid.uuid4().hex, timeout=None)
        value = cache.get(STAMP_KEY) or uuid.uuid4().hex  # the cache is down: never a hit
    return value


def _replace() -> None:
    cache.set(STAMP_KEY, uuid.uuid4().hex, timeout=None)


def changed() -> None:
    """Retires every cached fragment, now and when the current transaction commits."""
    _replace()
    transaction.on_commit(_replace)


def changed_on_save(*models) -> None:
    """``changed()`` whenever a row of ``models`` is saved or deleted."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        post_save.connect(_on_signal, sender=model, weak=False)
        post_delete.connect(_on_signal, sender=model, weak=False)


def _on_signal(sender, **kwargs) -> None:
    changed()


def list_key(params) -> str | None:
    """The cache key of the public list for the query ``params`` (a QueryDict) under the
    current stamp, language and time zone; None when the query is not one to cache: a text
    search (endless variety, so a cache of them would only fill memory), a page beyond
    CACHED_PAGES, an unknown or repeated parameter."""
    if not set(params) <= LIST_PARAMS or any(len(params.getlist(k)) > 1 for k in params):
        return None
    page = params.get("page", "1")
    if params.get("q") or not page.isdigit() or not 1 <= int(page) <= CACHED_PAGES:
        return None
    query = urlencode(sorted(params.items()))
    if len(query) > MAX_QUERY:
        return None
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    zone = timezone.get_current_timezone_name()
    return f"public-list:{stamp()}:{get_language()}:{zone}:{digest}"


def get(key: str | None) -> str | None:
    return cache.get(key) if key else None


def put(key: str | None, html: str, *, from_replica: bool = False) -> None:
    """Keeps ``html`` under ``key``, for less time when it was read from a standby."""
    if key:
        lag = max(1, int(getattr(settings, "LAPOR_REPLICA_MAX_LAG", 5)))
        cache.set(key, html, timeout=min(FRAGMENT_TTL, lag) if from_replica else FRAGMENT_TTL)
