"""Fixtures of the fault tests: one private PostgreSQL cluster per session with a migrated
template database, and per test a fresh database, a private Redis and LAPOR's processes.

Like the service markers of tests/conftest.py: missing server binaries skip these tests with
the reason, except in CI (CI=true), where they fail."""

import dataclasses
import secrets
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import IN_CI

from .stack import (
    Lapor,
    PostgresCluster,
    Receiver,
    RedisServer,
    SmtpReceiver,
    missing_tools,
    production_env,
    wait_for,
)

TEMPLATE = "lapor_faults_template"


def pytest_runtest_setup(item):
    if item.get_closest_marker("faults"):
        reason = missing_tools()
        if reason:
            if IN_CI:
                pytest.fail(f"CI=true but a service is missing: {reason}", pytrace=False)
            pytest.skip(reason)


@dataclasses.dataclass
class Deployment:
    cluster: PostgresCluster
    redis: RedisServer
    lapor: Lapor
    database: str

    def sql(self, query: str) -> str:
        return self.cluster.sql(self.database, query)

    def count(self, query: str) -> int:
        return int(self.sql(query))


@pytest.fixture(scope="session")
def faults_template():
    """The private cluster, with a database migrated and loaded with the reference data, and
    the collected static files (production serves them from a manifest)."""
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    cluster = PostgresCluster()
    static_root = Path(tempfile.mkdtemp(prefix="lapor-faults-static-"))
    try:
        cluster.init()
        cluster.start()
        cluster.sql("postgres", f"CREATE DATABASE {TEMPLATE}")
        env = production_env(
            database_url=cluster.url(TEMPLATE),
            redis_url="",
            workdir=static_root,
            static_root=static_root,
        )
        setup = Lapor(env, static_root)
        setup.manage("migrate", "--noinput", "-v0")
        setup.manage("load_reference", "--no-districts", "-v0")
        setup.manage("collectstatic", "--noinput", "-v0")
        yield cluster, static_root
    finally:
        cluster.destroy()
        shutil.rmtree(static_root, ignore_errors=True)


@pytest.fixture
def deployment(faults_template, tmp_path):
    """A fresh database (from the template), a private Redis, and LAPOR configured for them
    in production mode; the test starts the processes it needs."""
    cluster, static_root = faults_template
    if not cluster.running():  # an earlier test failed with the cluster stopped
        cluster.start()
    database = f"lapor_faults_{secrets.token_hex(4)}"
    cluster.sql("postgres", f"CREATE DATABASE {database} TEMPLATE {TEMPLATE}")
    redis = RedisServer(tmp_path)
    lapor = None
    try:
        redis.start()
        env = production_env(
            database_url=cluster.url(database),
            redis_url=redis.url(0),
            workdir=tmp_path,
            static_root=static_root,
        )
        lapor = Lapor(env, tmp_path)
        yield Deployment(cluster, redis, lapor, database)
    finally:
        if lapor is not None:
            lapor.stop()
            for name in ("gunicorn", "worker", "worker2"):
                tail = lapor.log_tail(name)
                if tail:
                    print(f"--- {name} log (tail) ---\n{tail}")
        redis.stop()
        if not cluster.running():
            cluster.start()
        cluster.sql("postgres", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def register_agency_integration(lapor: Lapor, hook_url: str) -> str:
    """An API key and a webhook endpoint for Pemerintah Kota Bandung; returns the raw key.
    Filings with the key are for that agency, so automatic verification dispatches them
    there at once, and the endpoint hears each dispatch."""
    return lapor.python(
        "import json\n"
        "from agencies.models import Agency\n"
        "from integrations.services import apikey_issue, webhook_endpoint_register\n"
        "agency = Agency.objects.get(slug='pemkot-3273')\n"
        f"webhook_endpoint_register(agency=agency, url={hook_url!r})\n"
        "print(json.dumps(apikey_issue(agency=agency, name='faults').raw))\n"
    )


def sweep_until_delivered(deployment: Deployment, timeout: float = 120) -> dict:
    """Runs the beat's sweeps (outbox and webhooks) by hand until every outbox message is
    sent and every webhook delivery delivered, at most ``timeout`` seconds; returns what was
    still not done at the end."""

    def left() -> dict:
        return {
            "outbox": deployment.count(
                "SELECT count(*) FROM complaints_outboxmessage WHERE state <> 'sent'"
            ),
            "webhooks": deployment.count(
                "SELECT count(*) FROM integrations_webhookdelivery WHERE state <> 'delivered'"
            ),
        }

    deadline = time.monotonic() + timeout
    while True:
        remaining = left()
        if not any(remaining.values()) or time.monotonic() > deadline:
            return remaining
        deployment.lapor.python(
            "import json\n"
            "from complaints.tasks import outbox_sweep\n"
            "from integrations.tasks import webhook_sweep\n"
            "print(json.dumps([outbox_sweep(min_age_seconds=0), webhook_sweep()]))\n"
        )
        wait_for(lambda: not any(left().values()), 5, 0.5)


@pytest.fixture
def smtp():
    server = SmtpReceiver()
    yield server
    server.close()
