"""Django's Redis cache, with two costs taken off every request.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object for every cache
call, and redis-py 5+ fills a dictionary of some 500 response callbacks in each: about 0.5 ms
of CPU per call, two calls per filing for the rate limit. The client is thread-safe and holds
no connection of its own (the pool does), so one per pool is kept. And a counter in a fixed
window (the rate limits) is one round trip instead of two (``add`` then ``incr``)."""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

# Redis unreachable (down, restarting): reads miss and writes are dropped, as with an empty
# cache, so that no page depends on Redis (tests/faults/test_cache_down.py).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def incr_window(self, key, timeout: int) -> int:
        client = self.get_client(key, write=True)
        pipe = client.pipeline(transaction=False)
        pipe.set(key, 0, ex=timeout, nx=True)
        pipe.incr(key)
        return pipe.execute()[1]

    def incr_windows(self, windows: list[tuple[str, int]]) -> list[int]:
        client = self.get_client(windows[0][0], write=True)
        pipe = client.pipeline(transaction=False)
        for key, timeout in windows:
            pipe.set(key, 0, ex=timeout, nx=True)
            pipe.incr(key)
        return pipe.execute()[1::2]


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE:
            log.warning("cache unreachable: get %s missed", key, exc_info=True)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE:
            log.warning("cache unreachable: set %s dropped", key, exc_info=True)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNREACHABLE:
            log.warning("cache unreachable: get_many of %d keys missed", len(keys), exc_info=True)
            return {}

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE:
            log.warning("cache unreachable: set_many of %d keys dropped", len(data), exc_info=True)
            return list(data)

    def incr_window(self, key: str, timeout: int, version=None) -> int:
        """Adds one to the counter ``key`` (created at 0 with ``timeout`` seconds to live if
        missing) and returns the new value, in one round trip. For fixed-window counters: the
        timeout is set only when the window's key is created."""
        return self._cache.incr_window(self.make_and_validate_key(key, version), timeout)

    def incr_windows(self, windows: list[tuple[str, int]], version=None) -> list[int]:
        """``incr_window`` for several (key, timeout) counters, in one round trip."""
        keys = [(self.make_and_validate_key(key, version), t) for key, t in windows]
        return self._cache.incr_windows(keys)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE:
            log.warning("cache unreachable: add %s dropped", key, exc_info=True)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE:
            log.warning("cache unreachable: incr %s dropped", key, exc_info=True)
            return delta

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNREACHABLE:
            log.warning("cache unreachable: delete %s dropped", key, exc_info=True)
            return False

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNREACHABLE:
            log.warning("cache unreachable: has_key %s missed", key, exc_info=True)
            return False
