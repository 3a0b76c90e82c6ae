"""The suite runs in several processes (pytest-xdist, `make test`): each has its own Redis
database for the cache, the rate limits and the Celery queues (tests/conftest.py)."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache

from lapor.celery import app as celery_app
from tests.conftest import redis_url_for_worker, worker_number


def test_a_worker_moves_up_by_its_number_and_no_further_than_redis_has():
    assert redis_url_for_worker("redis://127.0.0.1:6379/0", 0) == "redis://127.0.0.1:6379/0"
    assert redis_url_for_worker("redis://127.0.0.1:6379/9", 3) == "redis://127.0.0.1:6379/12"
    assert redis_url_for_worker("redis://127.0.0.1:6379", 2) == "redis://127.0.0.1:6379/2"
    assert redis_url_for_worker("redis://:pw@redis:6380/1", 1) == "redis://:pw@redis:6380/2"
    with pytest.raises(pytest.UsageError):
        redis_url_for_worker("redis://127.0.0.1:6379/14", 2)
    assert worker_number("gw7") == 7
    assert worker_number(None) == 0


@pytest.mark.redis
def test_this_process_uses_its_own_redis_database_everywhere():
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        base = os.environ["LAPOR_TEST_REDIS_BASE"]
        assert settings.REDIS_URL == redis_url_for_worker(base, worker_number(worker))
    # Subprocesses (real workers, fault stacks) inherit the environment: the same database.
    assert os.environ["REDIS_URL"] == settings.REDIS_URL
    database = int(settings.REDIS_URL.rsplit("/", 1)[1] or 0)
    client = cache._cache.get_client(write=True)
    assert client.connection_pool.connection_kwargs["db"] == database
    assert celery_app.connection_for_write().as_uri(include_password=False).endswith(f"/{database}")
