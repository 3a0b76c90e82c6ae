"""The read replica's rules without a standby (tests/faults/test_replica.py runs a real one):
how its lag is bounded, which tables it may serve, and how DATABASE_REPLICA_URL wires it."""

import json
import os
import subprocess
import sys

from django.conf import settings
from django.contrib.sessions.models import Session

from agencies.models import Agency, Province, Role, TwoFactorDevice, User
from complaints.models import Report, ReportEvent
from core import replica
from integrations.models import ApiKey
from monitoring.models import Summary
from routing.models import Category


def test_a_standby_that_replayed_the_primarys_position_has_no_lag():
    assert replica.lag_seconds(now=50.0, primary_lsn=900, replayed_lsn=900, history=[]) == 0.0
    assert replica.lag_seconds(now=50.0, primary_lsn=900, replayed_lsn=950, history=[]) == 0.0


def test_a_standby_behind_lags_at_most_since_the_last_position_it_holds():
    # Probes at t=10, 20, 30 saw the primary at 100, 200, 300; the standby replayed 250: it
    # holds what the primary had at t=20 and not at t=30, so its lag is at most 40 - 20.
    history = [(10.0, 100), (20.0, 200), (30.0, 300)]
    lag = replica.lag_seconds(now=40.0, primary_lsn=400, replayed_lsn=250, history=history)
    assert lag == 20.0


def test_a_quiet_spell_does_not_count_as_lag():
    # Nothing was written for an hour: the standby held the primary's position at the last
    # probe a second ago, whatever the age of its last replayed transaction.
    history = [(0.0, 500), (3599.0, 500)]
    lag = replica.lag_seconds(now=3600.0, primary_lsn=510, replayed_lsn=500, history=history)
    assert lag == 1.0


def test_an_unknown_lag_is_none_and_so_the_standby_is_not_used():
    assert replica.lag_seconds(now=5.0, primary_lsn=900, replayed_lsn=None, history=[]) is None
    history = [(1.0, 800)]  # the standby is behind every position seen
    assert replica.lag_seconds(now=5.0, primary_lsn=900, replayed_lsn=700, history=history) is None


def test_wal_positions_read_as_numbers():
    assert replica.lsn("0/16B3748") == 0x16B3748
    assert replica.lsn("1/0") == 1 << 32
    assert replica.lsn(None) is None


def test_only_report_and_reference_tables_may_come_from_the_standby():
    for model in (Report, ReportEvent, Summary, Agency, Province, Category):
        assert replica.eligible(model), model
    # Who may see what is decided on the primary.
    for model in (User, Role, TwoFactorDevice, Session, ApiKey):
        assert not replica.eligible(model), model


def test_without_a_replica_every_read_is_the_primarys():
    assert "replica" not in settings.DATABASES
    with replica.reading():
        assert replica.ReplicaRouter().db_for_read(Report) is None


def test_database_replica_url_adds_the_standby_and_its_router():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([sorted(s.DATABASES), s.DATABASE_ROUTERS, "
        "s.DATABASES['replica']['PORT'], s.DATABASES['replica']['OPTIONS'], "
        "s.DATABASES['replica']['TEST']]))"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "lapor.settings",
        "PYTHONPATH": str(settings.BASE_DIR),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/lapor",
        "DATABASE_REPLICA_URL": "postgres://postgres@127.0.0.1:5433/lapor",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    aliases, routers, port, options, test = json.loads(done.stdout.splitlines()[-1])
    assert aliases == ["default", "replica"]
    assert routers == ["core.replica.ReplicaRouter"]
    assert port == 5433
    assert options["connect_timeout"] == 2
    assert test["MIRROR"] == "default"  # the test suite reads its own database
