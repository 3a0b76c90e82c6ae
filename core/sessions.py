"""Sessions in PostgreSQL with a copy in the shared cache (Django's cached_db), the engine when
REDIS_URL is set (lapor.settings): a signed-in request reads its session from Redis instead
of a query (issue 20).

Django's cached_db writes the database and then the cache, deletes both at a sign-out
(session.flush) and reads the database when the cache has no copy, so with Redis unreachable
(core.cache: a miss, a dropped write) every session is read from and written to the database
as with the plain database engine. One change: the copy lives CACHE_TTL seconds, not the
session's whole age (two weeks). A sign-out made while the cache could not be reached
deletes the row but not the copy; once the cache answers again that copy would sign the
session in until it expired, so it must not outlive a minute."""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

CACHE_TTL = 60


class _Brief:
    """The session cache, every copy kept at most CACHE_TTL seconds."""

    def __init__(self, cache):
        self._cache = cache

    def get(self, key, default=None):
        return self._cache.get(key, default)

    def set(self, key, value, timeout):
        self._cache.set(key, value, min(timeout, CACHE_TTL))

    def delete(self, key):
        return self._cache.delete(key)

    def __contains__(self, key):
        return self._cache.has_key(key)

    async def aget(self, key, default=None):
        return await self._cache.aget(key, default)

    async def aset(self, key, value, timeout):
        await self._cache.aset(key, value, min(timeout, CACHE_TTL))

    async def adelete(self, key):
        return await self._cache.adelete(key)


class SessionStore(CachedDBStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _Brief(self._cache)
