"""Shared test set-up: reference data once per test database, service markers, and a cast of
users (citizen, officers of two agencies, agency admin, province supervisor, national admin,
Ombudsman observer, stranger)."""

import os
import shutil
import socket
import tempfile
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.db import connection

from lapor.celery import app as celery_app

IN_CI = os.environ.get("CI", "").lower() == "true"

# Tasks run in the test process unless a test starts a real worker (marker "worker").
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True


# --- services: skip with a reason where absent, but never in CI ----------------------------


def _redis_answers() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 1):
            return True
    except OSError:
        return False


def _missing(marker: str) -> str | None:
    if marker == "postgres" and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker in ("redis", "worker") and not _redis_answers():
        return "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0 with Redis running"
    if marker == "browser":
        if not shutil.which(os.environ.get("LAPOR_CHROMIUM", "/usr/bin/chromium")):
            return "needs Chromium at /usr/bin/chromium (apt-get install chromium)"
        try:
            import playwright  # noqa: F401
        except ImportError:
            return "needs the playwright package"
    return None


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "worker", "browser"):
        if item.get_closest_marker(marker):
            reason = _missing(marker)
            if reason:
                if IN_CI:
                    pytest.fail(f"CI=true but a service is missing: {reason}", pytrace=False)
                pytest.skip(reason)


# --- in parallel (pytest-xdist: `make test` runs -n auto --dist loadgroup) -----------------
# Each xdist worker has its own test database (pytest-django names it test_<name>_gw<n>) and
# its own Redis database: REDIS_URL's database plus the worker's number, set in the worker's
# environment before Django reads its settings, so that the cache (cleared by every test:
# FLUSHDB), the rate limits, the Celery queues and the control broadcasts of a real worker
# (kombu prefixes them with the database) never meet another worker's. Ports are asked of the
# OS (0) or taken from tests.faults.stack.free_port, which hands each xdist worker its own.

REDIS_DATABASES = 16  # redis.conf's default "databases 16"


def redis_url_for_worker(url: str, number: int) -> str:
    """``url`` with its database moved up by ``number`` (xdist worker gw<number>)."""
    parsed = urlparse(url)
    base = int(parsed.path.strip("/") or 0)
    database = base + number
    if database >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"xdist worker gw{number} would use Redis database {database} of {url}: "
            f"run fewer workers (-n) or start from a lower database"
        )
    return parsed._replace(path=f"/{database}").geturl()


def worker_number(worker_id: str | None) -> int:
    """0 for gw0 or when not running under xdist."""
    return int(worker_id[2:]) if worker_id and worker_id.startswith("gw") else 0


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    url = os.environ.get("REDIS_URL")
    if url:
        for index, spec in enumerate(specs):
            spec.env["REDIS_URL"] = redis_url_for_worker(url, worker_number(spec.id) or index)
            spec.env["LAPOR_TEST_REDIS_BASE"] = url  # what tests/test_parallel.py checks against


# Tests that start real processes on their own servers (the fault tests' private PostgreSQL,
# Redis, gunicorn and Celery; the real-worker tests) run one at a time on one xdist worker
# (--dist loadgroup): two would fight for the two cores and stretch each other's timeouts.
PROCESS_MARKERS = ("faults", "worker")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(item.get_closest_marker(m) for m in PROCESS_MARKERS):
            item.add_marker(pytest.mark.xdist_group("processes"))


# --- database -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_reference", "--no-districts", verbosity=0)


@pytest.fixture(autouse=True)
def _reference_after_flush(request):
    """Transactional tests (live server, workers) flush every table when they end; load the
    reference data again for the next one."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if (
        transactional
        or "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
    ):
        from agencies.models import Province

        if not Province.objects.exists():
            call_command("load_reference", "--no-districts", verbosity=0)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from django.core.cache import cache

    from core.memo import Memo

    cache.clear()
    Memo.clear_all()
    yield
    Memo.clear_all()
    # A request that chose English leaves it active in this thread (LocaleMiddleware does not
    # deactivate after the response): the next test starts in the default language again.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _staff_pass_the_second_factor(monkeypatch):
    """Staff whose roles require two factors (agencies.twofactor) reach no staff page until
    their session is verified. Tests sign the cast in with client.force_login or
    client.login: for those users it also verifies the session (tests.factories.otp_verify),
    as if they had given their code. Tests of two factors sign in through the form."""
    from django.test import Client

    from agencies.models import Role
    from tests.factories import otp_verify

    kinds = (Role.Kind.NATIONAL_ADMIN, Role.Kind.OMBUDSMAN, Role.Kind.AGENCY_ADMIN)

    def needs(user) -> bool:
        return user.is_superuser or Role.objects.filter(user=user, kind__in=kinds).exists()

    original_force, original_login = Client.force_login, Client.login

    def force_login(self, user, backend=None):
        original_force(self, user, backend)
        if needs(user):
            otp_verify(self, user)

    def login(self, **credentials):
        from django.contrib.auth import get_user_model

        done = original_login(self, **credentials)
        if done:
            user = get_user_model().objects.get(pk=self.session["_auth_user_id"])
            if needs(user):
                otp_verify(self, user)
        return done

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "login", login)


# --- the cast -------------------------------------------------------------------------------


@pytest.fixture
def agency_a(db):
    from agencies.models import Agency

    return Agency.objects.get(slug="pemkot-3273")  # Pemerintah Kota Bandung


@pytest.fixture
def agency_b(db):
    from agencies.models import Agency

    return Agency.objects.get(slug="pemkab-3201")  # Pemerintah Kabupaten Bogor


@pytest.fixture
def cast(db, agency_a, agency_b):
    from tests.factories import make_cast

    return make_cast(agency_a, agency_b)


@pytest.fixture
def media_dir():
    path = tempfile.mkdtemp(prefix="lapor-media-")
    yield path
    shutil.rmtree(path, ignore_errors=True)
