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


@pytest.fixture
def signin_engines(settings):
    """The sessions' and the sign-in's engines of production (lapor.settings with REDIS_URL),
    whatever the test run's own settings."""
    settings.SESSION_ENGINE = "core.sessions"
    settings.LAPOR_SIGNIN_CACHE = True


def test_signed_in_pages_work_from_the_database_with_the_cache_down(
    cache_down, signin_engines, client, cast, agency_a
):
    """The session (cached_db) and the sign-in bundle (agencies.backends) come from the
    database on every request, and what ends or narrows a sign-in takes effect at once."""
    from django.conf import settings

    from agencies.models import Role
    from agencies.services import role_revoke

    dispatched_report(agency_a, cast.national, title="Lampu jalan padam di Antapani")
    signed_in = client.post(
        "/akun/masuk/", {"username": cast.officer_a.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    for _ in range(2):
        response = client.get("/kerja/")
        assert response.status_code == 200
        assert "Lampu jalan padam di Antapani" in response.content.decode()
    copy = Client(raise_request_exception=False)
    copy.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME]
    assert copy.get("/kerja/").status_code == 200
    role_revoke(role=Role.objects.get(user=cast.officer_a, agency=agency_a))
    assert client.get("/kerja/").status_code == 403
    assert client.post("/akun/keluar/").status_code == 302
    response = copy.get("/kerja/")
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_a_second_factor_works_with_the_cache_down(cache_down, signin_engines, client, cast):
    """An agency admin's verified session stays verified while the device stands, and is
    asked again once it is deleted."""
    from agencies import twofactor

    client.force_login(cast.admin_a)  # verified with a TOTP device (tests.conftest)
    assert client.get("/kerja/").status_code == 200
    twofactor.disable(user=cast.admin_a)
    response = client.get("/kerja/")
    assert response.status_code == 302 and "/dua-langkah/aktifkan/" in response["Location"]
