"""Version stamps in the shared cache: what is stored under a stamp is served while the stamp
stays, and a change replaces the stamp (issue 20).

A stamp is a random token under a key of its own. Whatever is built from the database is kept
with the stamps it was built under (in its key, or beside it) and is good only while they are
current. A change **retires** its stamps at once and again when its transaction commits: a
reader between the two sees the new stamp but the old rows, so what it stores carries a stamp
the commit then replaces. Stamps are never reused (random), so nothing stored under one that
was replaced, expired or never written (the cache down) can be served again.

Users: complaints.page_cache (the track page's and the inbox's parts) and agencies.backends
(a signed-in user's row, roles and second-factor devices). With the cache unreachable every
read gives new stamps (nothing is a hit) and every retirement is dropped, so what a change
retired while the cache could not be reached may be served again once it answers, for as long
as it was stored (each user's own TTL: 60 s)."""

import uuid

from django.core.cache import cache
from django.db import transaction

# Stamps expire too (a key that nothing reads must not hold memory for ever): a stamp gone
# from the cache is replaced by a new random one, under which nothing was stored.
STAMP_TTL = 600


def read(keys: list[str], *others: str) -> tuple[list[str], dict]:
    """The current stamps under ``keys`` (a new one where the cache has none) and the values
    found under ``others`` (the things stored beside them): one round trip when every stamp
    exists."""
    found = cache.get_many([*keys, *others])
    missing = [k for k in keys if k not in found]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, timeout=STAMP_TTL)
        found.update(cache.get_many(missing))
    # The cache is down: a stamp nothing was stored under, so never a hit.
    current = [found.get(k) or uuid.uuid4().hex for k in keys]
    return current, {k: found[k] for k in others if k in found}


def replace(keys: list[str]) -> None:
    """New stamps under ``keys``, now."""
    if keys:
        cache.set_many({k: uuid.uuid4().hex for k in keys}, timeout=STAMP_TTL)


def retire(keys: list[str]) -> None:
    """Replaces the stamps under ``keys`` now and when the current transaction commits."""
    if keys:
        replace(keys)
        transaction.on_commit(lambda: replace(keys))
