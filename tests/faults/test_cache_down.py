"""Redis is also the cache. With it unreachable, the pages that read or count in the cache
(rate limits, the per-account sign-in limit, the inbox counts, public statistics) must work
as if the cache were empty, not answer 500. In process, against a Redis address where nothing
listens: the deterministic companion of test_redis_down."""

import pytest
from django.test import Client

from tests.factories import PASSWORD, dispatched_report

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens there: as if Redis were down


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_filing_works_with_the_cache_down(cache_down, client):
    response = client.post(
        "/lapor/",
        {
            "kind": "complaint",
            "title": "Sampah menumpuk di pasar",
            "description": "Sampah di pasar tidak diangkut selama seminggu dan mulai berbau.",
            "province": "32",
            "regency": "3273",
            "reporter_name": "Rina",
            "reporter_email": "rina@example.id",
        },
    )
    assert response.status_code == 302


def test_signing_in_works_with_the_cache_down(cache_down, client, cast):
    wrong = client.post(
        "/akun/masuk/", {"username": cast.officer_a.username, "password": "salah-sekali"}
    )
    assert wrong.status_code == 200  # the form again, with its error
    right = client.post("/akun/masuk/", {"username": cast.officer_a.username, "password": PASSWORD})
    assert right.status_code == 302


def test_the_inbox_and_the_statistics_work_with_the_cache_down(cache_down, client, cast, agency_a):
    dispatched_report(agency_a, cast.national)
    client.force_login(cast.officer_a)
    assert client.get("/kerja/").status_code == 200
    assert client.get("/statistik/").status_code == 200
