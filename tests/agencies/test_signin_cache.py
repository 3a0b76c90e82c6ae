"""Who is signed in, from the shared cache (core.sessions, agencies.backends): a signed-in
request reads no session, user, role or second-factor device from the database while none
changed, and, as an attacker would try it, every change that must end or narrow a sign-in
takes effect on the very next request although everything was cached: a revoked role, a
deactivated user or agency, a changed password (every other session signed out), a deleted
second-factor device, a sign-out. The same with the cache down: tests/faults/test_cache_down.py."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agencies import backends, twofactor
from agencies.models import Role
from agencies.scope import Scope, scope_for
from agencies.services import role_revoke
from core import stamps
from tests.factories import PASSWORD, dispatched_report, otp_verify

pytestmark = pytest.mark.django_db

INBOX = "/kerja/"
SIGN_IN_TABLES = (
    '"django_session"',
    '"agencies_user"',
    '"agencies_role"',
    '"otp_totp_totpdevice"',
    '"otp_static_staticdevice"',
)


@pytest.fixture(autouse=True)
def signin_cache(settings):
    """The production engines (lapor.settings with REDIS_URL), on whatever cache the tests
    have: Redis on PostgreSQL runs, one process's memory on SQLite runs."""
    settings.SESSION_ENGINE = "core.sessions"
    settings.LAPOR_SIGNIN_CACHE = True


def _signed_in(user, verified=True) -> Client:
    client = Client()
    client.force_login(user)
    if verified:
        otp_verify(client, user)
    return client


def _get(client, url=INBOX):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q["sql"] for q in queries.captured_queries]


def _warm(client) -> None:
    """Two visits: the first builds the session's copy, the bundle and the inbox parts, the
    second is served from them."""
    for _ in range(2):
        assert client.get(INBOX).status_code == 200


def _signin_reads(sql: list[str]) -> list[str]:
    return [q for q in sql if any(t in q for t in SIGN_IN_TABLES)]


def test_a_cached_inbox_reads_nothing_to_know_who_asks(cast, agency_a):
    """The inbox's statements with its parts and the sign-in cached: none. Before the cached
    session and sign-in bundle it read four (the session, the user, the verifying device, the
    roles), and before the cached parts (complaints.page_cache) about a dozen more."""
    dispatched_report(agency_a, cast.national, title="Lampu jalan padam di Antapani")
    officer = _signed_in(cast.officer_a)
    _warm(officer)
    response, sql = _get(officer)
    assert response.status_code == 200
    assert "Lampu jalan padam di Antapani" in response.content.decode()
    assert _signin_reads(sql) == []
    assert len(sql) == 0, sql


def test_without_the_shared_cache_every_request_reads_its_sign_in(settings, cast, agency_a):
    """LAPOR_SIGNIN_CACHE off (no REDIS_URL: each process's own memory, which another
    process's change could not retire): the session, the user, the device and the roles are
    read on every request, as before (four statements)."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.LAPOR_SIGNIN_CACHE = False
    dispatched_report(agency_a, cast.national)
    officer = _signed_in(cast.officer_a)
    _warm(officer)
    response, sql = _get(officer)
    assert response.status_code == 200
    assert len(_signin_reads(sql)) == 4, sql
    assert len(sql) == 4, sql


def test_a_revoked_role_closes_the_inbox_at_the_next_request(cast, agency_a):
    dispatched_report(agency_a, cast.national, title="Lampu jalan padam di Antapani")
    officer = _signed_in(cast.officer_a)
    _warm(officer)
    role_revoke(role=Role.objects.get(user=cast.officer_a, agency=agency_a))
    response, _ = _get(officer)
    assert response.status_code == 403
    assert "Lampu jalan padam di Antapani" not in response.content.decode()


def test_a_role_moved_to_another_agency_shows_that_agency_at_the_next_request(
    cast, agency_a, agency_b
):
    dispatched_report(agency_a, cast.national, title="Lampu jalan padam di Antapani")
    dispatched_report(agency_b, cast.national, title="Jalan rusak di Cibinong")
    officer = _signed_in(cast.officer_a)
    _warm(officer)
    role = Role.objects.get(user=cast.officer_a, agency=agency_a)
    role.agency = agency_b
    role.save()
    html = officer.get(INBOX).content.decode()
    assert "Jalan rusak di Cibinong" in html and "Lampu jalan padam di Antapani" not in html


def test_a_deactivated_user_is_signed_out_at_the_next_request(cast, agency_a):
    officer = _signed_in(cast.officer_a)
    _warm(officer)
    cast.officer_a.is_active = False
    cast.officer_a.save(update_fields=["is_active"])
    response, _ = _get(officer)
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_a_deactivated_agency_leaves_the_scope_at_the_next_request(cast, agency_a):
    officer = _signed_in(cast.officer_a)
    _warm(officer)
    agency_a.is_active = False
    agency_a.save(update_fields=["is_active"])
    assert officer.get(INBOX).status_code == 403


def test_a_new_password_signs_every_other_session_out_at_its_next_request(cast, agency_a):
    """Signed in from two places with the password; the password is changed (the row saved
    with update_fields=["password"] only, as a reset does): the session hash each session
    holds no longer matches the user's, so neither is signed in, although the user's row was
    cached with the old password."""
    user = cast.officer_a
    here, there = Client(), Client()
    for client in (here, there):
        assert client.post("/akun/masuk/", {"username": user.username, "password": PASSWORD})
        _warm(client)
    user.set_password("sandi-baru-yang-panjang-456")
    user.save(update_fields=["password"])
    for client in (here, there):
        response = client.get(INBOX)
        assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_a_deleted_second_factor_is_asked_for_again_at_the_next_request(cast, agency_a):
    """An agency admin must have a second factor: with their device deleted (from another
    session, or by an admin) their verified session is verified no more."""
    admin = _signed_in(cast.admin_a)
    _warm(admin)
    twofactor.disable(user=cast.admin_a)
    response, _ = _get(admin)
    assert response.status_code == 302 and "/akun/dua-langkah/aktifkan/" in response["Location"]


def test_an_unconfirmed_device_verifies_nothing_from_the_next_request(cast, agency_a):
    admin = _signed_in(cast.admin_a)
    _warm(admin)
    device = cast.admin_a.totpdevice_set.get()
    device.confirmed = False
    device.save(update_fields=["confirmed"])
    response, _ = _get(admin)
    assert response.status_code == 302 and "/akun/dua-langkah/" in response["Location"]


def test_a_session_naming_another_users_device_is_not_verified(cast, agency_a):
    """The session names a device that is confirmed but someone else's: not verified, as with
    django_otp's own middleware, and the session forgets it."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from tests.factories import enrol_totp

    admin = _signed_in(cast.admin_a, verified=False)
    session = admin.session
    session[DEVICE_ID_SESSION_KEY] = enrol_totp(cast.officer_a).persistent_id
    session.save()
    for _ in range(2):
        response = admin.get(INBOX)
        assert response.status_code == 302 and "/dua-langkah/" in response["Location"]
    assert DEVICE_ID_SESSION_KEY not in admin.session


def test_a_signed_out_session_cookie_signs_nobody_in(cast, agency_a):
    """The attacker kept a copy of the cookie; its owner signed out."""
    from django.conf import settings

    officer = _signed_in(cast.officer_a)
    _warm(officer)
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = officer.cookies[settings.SESSION_COOKIE_NAME]
    assert stolen.get(INBOX).status_code == 200
    assert officer.post("/akun/keluar/").status_code == 302
    response = stolen.get(INBOX)
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_a_bundle_built_before_the_commit_is_retired_by_it(
    cast, agency_a, django_capture_on_commit_callbacks
):
    """A request between a revocation and its commit reads the roles as they were and stores
    them under the stamp of that moment; the commit replaces the stamp, so what it stored is
    never served."""
    officer = _signed_in(cast.officer_a)
    _warm(officer)
    user_id = cast.officer_a.pk
    stale = scope_for(type(cast.officer_a).objects.get(pk=user_id))
    assert stale.officer_paths
    with django_capture_on_commit_callbacks(execute=True):
        role_revoke(role=Role.objects.get(user=cast.officer_a, agency=agency_a))
        during, _ = stamps.read([backends._stamp_key(user_id), backends.AGENCIES_KEY])
        user = type(cast.officer_a).objects.get(pk=user_id)
        cache.set(backends._bundle_key(user_id), (during, user, stale, {}), 60)
    assert officer.get(INBOX).status_code == 403


def test_a_revoked_api_key_retires_its_service_user(cast, agency_a):
    """apikey_revoke deactivates its user and role with UPDATEs (no signal): it retires the
    user's bundle itself."""
    from integrations.services import apikey_issue, apikey_revoke

    issued = apikey_issue(agency=agency_a, name="Sistem kota", created_by=cast.admin_a)
    user_id = issued.key.service_user_id
    before, _ = stamps.read([backends._stamp_key(user_id)])
    apikey_revoke(key=issued.key)
    after, _ = stamps.read([backends._stamp_key(user_id)])
    assert after != before
    assert backends.CachedModelBackend().get_user(user_id) is None


def test_the_bundle_is_what_the_database_says(cast, agency_a):
    """The user served from the bundle: the same row, scope and verification as read afresh."""
    officer = _signed_in(cast.officer_a)
    _warm(officer)
    cached = backends.CachedModelBackend().get_user(cast.officer_a.pk)
    fresh = type(cast.officer_a).objects.get(pk=cast.officer_a.pk)
    assert cached.get_session_auth_hash() == fresh.get_session_auth_hash()
    assert cached.is_active and cached.full_name == "Petugas A"
    assert cached._lapor_scope == scope_for(fresh) != Scope()
    assert set(cached._lapor_devices) == set(backends.confirmed_devices(fresh))


@pytest.mark.redis
def test_the_sessions_copy_in_redis_lives_a_minute(cast):
    """A sign-out made while Redis could not be reached leaves its copy there: it must not
    outlive CACHE_TTL (the session lives two weeks)."""
    from core import sessions

    client = Client()
    assert client.post("/akun/masuk/", {"username": cast.citizen.username, "password": PASSWORD})
    redis = cache._cache.get_client()
    keys = list(redis.scan_iter("*django.contrib.sessions.cached_db*"))
    assert keys
    assert all(0 < redis.ttl(k) <= sessions.CACHE_TTL for k in keys)
