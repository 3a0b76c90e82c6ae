# ruff: noqa: S608  (the queries name tracking numbers LAPOR made, never input)
"""LAPOR to LAPOR (issue 19's federation test): two live LAPOR instances, national and the
province of Jawa Barat, each with its own database (from the fault tests' private
PostgreSQL cluster), its own Redis database and broker prefix, gunicorn and a Celery worker
(with its beat), connected by ``manage.py federation_connect``. Reports move both ways through
an outage of each side:

- national dispatches reports to the province (Pemprov Jawa Barat) while the provincial
  instance is down for part of them; each becomes one mirror there (national's number its
  link), whose officers answer and resolve it while the national instance is down; national
  ends with the same steps, and the citizens' acceptance at national closes the mirrors;
- reports filed at the province for a ministry go up (filed with the province's number as
  their external id), the ministry answers at national, the province's citizen accepts there;
- one report filed at the province goes up and national triage gives it back to the
  province: it comes home as the same report (no ping-pong), is resolved and accepted.

Both sides end with the same reports and statuses, nothing twice and nothing owed.
``LAPOR_FEDERATION_REPORTS`` sets how many go down (6 here; the ones going up are half)."""

import json
import os
import time

import pytest

from tests.faults.conftest import TEMPLATE, faults_template  # noqa: F401  (the fixture)
from tests.faults.stack import BIN, Lapor, RedisServer, production_env, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

N_DOWN = int(os.environ.get("LAPOR_FEDERATION_REPORTS", "6"))
N_UP = max(2, N_DOWN // 2)
PROVINCE = "pemprov-32"
MINISTRY = "kemenkes"


class Instance:
    """One LAPOR deployment of the test: its processes, and Python run in its Django."""

    def __init__(self, name: str, cluster, database: str, redis: RedisServer, db: int, tmp):
        self.name = name
        workdir = tmp / name
        workdir.mkdir()
        env = production_env(
            database_url=cluster.url(database),
            redis_url=redis.url(db),
            workdir=workdir,
            static_root=tmp / "static",
        )
        env["LAPOR_BROKER_PREFIX"] = name
        env["LAPOR_WEBHOOK_BACKOFF_BASE"] = "1"
        env["LAPOR_FEDERATION_BACKOFF_BASE"] = "1"
        env["LAPOR_WEBHOOK_TIMEOUT"] = "5"
        env["LAPOR_FEDERATION_TIMEOUT"] = "5"
        self.lapor = Lapor(env, workdir)
        self.workdir = workdir
        self.cluster, self.database = cluster, database

    def count(self, query: str) -> int:
        """A count read straight from this instance's database (psql: no Django start-up,
        for the waits)."""
        return int(self.cluster.sql(self.database, query))

    def statuses(self, trackings) -> dict:
        listed = ", ".join(f"'{t}'" for t in trackings)
        rows = self.cluster.sql(
            self.database,
            f"SELECT tracking, status FROM complaints_report WHERE tracking IN ({listed})",
        )
        return dict(line.split("|") for line in rows.splitlines() if line)

    def start(self) -> None:
        self.lapor.start_web(workers=1, threads=4)
        log = self.workdir / "worker.log"
        log.write_bytes(b"")
        self.lapor._spawn(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "lapor",
                "worker",
                "-B",
                "-s",
                str(self.workdir / "beat-schedule"),
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                "-n",
                f"{self.name}@127.0.0.1",
            ],
        )
        if not wait_for(lambda: b"ready." in log.read_bytes(), 60, 0.3):
            raise RuntimeError(f"worker did not start:\n{self.lapor.log_tail('worker')}")

    def stop(self) -> None:
        self.lapor.stop()

    def run(self, code: str):
        """``code`` in this instance's Django; it sets ``out``, returned (JSON)."""
        script = f"import json\nout = None\n{code}\nprint(json.dumps(out, default=str))\n"
        return self.lapor.python(script, timeout=180)


# Python run inside the instances (each call one manage.py shell).
SETUP = """
from agencies.models import Agency, Role, User
from agencies.services import role_grant
from complaints.models import Channel
from complaints.services import NewReport, report_submit, report_transition

def officer(slug):
    user, made = User.objects.get_or_create(username=f"officer-{slug}")
    if made:
        role_grant(user=user, kind=Role.Kind.OFFICER, agency=Agency.objects.get(slug=slug))
    return user

def filed(title, channel=Channel.WEB):
    return report_submit(data=NewReport(
        kind="complaint", title=title, channel=channel, province_id="32", regency_id="3273",
        description="Puskesmas menolak pasien BPJS dan meminta bayaran di muka, warga resah.",
        reporter_name="Warga Bandung", reporter_email="warga@example.id"))

def route(report, slug):
    report_transition(report_id=report.pk, action="verify", system=True, note="Verifikasi")
    return report_transition(report_id=report.pk, action="dispatch", system=True,
                             note="Kewenangan", agency=Agency.objects.get(slug=slug))
"""

STATE = """
from django.db.models import Count
from complaints.models import Report
from integrations.models import ExternalRef, FederationLink, FederationPush, FederationReceived
from integrations.models import WebhookDelivery
out = {
    "reports": dict(Report.objects.values_list("tracking", "status")),
    "links": dict(FederationLink.objects.values_list("report__tracking", "upstream_tracking")),
    "origins": dict(FederationLink.objects.values_list("report__tracking", "origin")),
    "refs": dict(ExternalRef.objects.values_list("report__tracking", "external_id")),
    "owed": list(FederationPush.objects.exclude(state="done").values("op", "state", "last_error")),
    "agencies": dict(Report.objects.values_list("tracking", "agency__slug")),
    "received": dict(FederationReceived.objects.values_list("outcome").annotate(n=Count("id"))),
    "undelivered": WebhookDelivery.objects.exclude(state="delivered").count(),
    "retried": WebhookDelivery.objects.filter(attempts__gt=1).count()
    + FederationPush.objects.filter(attempts__gt=1).count(),
    "tried": FederationPush.objects.filter(state="pending", attempts__gt=0).count(),
}
"""


@pytest.fixture
def federation(faults_template, tmp_path):  # noqa: F811
    cluster, static_root = faults_template
    if not cluster.running():
        cluster.start()
    (tmp_path / "static").symlink_to(static_root)
    databases = {name: f"lapor_federation_{name}" for name in ("nat", "prov")}
    for database in databases.values():
        cluster.sql("postgres", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        cluster.sql("postgres", f"CREATE DATABASE {database} TEMPLATE {TEMPLATE}")
    redis = RedisServer(tmp_path)
    redis.start()
    nat = Instance("nat", cluster, databases["nat"], redis, 0, tmp_path)
    prov = Instance("prov", cluster, databases["prov"], redis, 1, tmp_path)
    try:
        yield nat, prov
    finally:
        for instance in (nat, prov):
            instance.stop()
            for log in ("gunicorn", "worker"):
                print(f"--- {instance.name} {log} ---\n{instance.lapor.log_tail(log, 25)}")
        redis.stop()
        for database in databases.values():
            cluster.sql("postgres", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def test_national_and_provincial_instances_end_with_the_same_reports(federation):
    nat, prov = federation
    started = time.monotonic()

    def mark(what):
        print(f"{what} at {time.monotonic() - started:.0f} s", flush=True)

    settings = json.loads(
        nat.lapor.manage(
            "federation_connect",
            "--agency",
            PROVINCE,
            "--url",
            f"{prov.lapor.base}/api/v1/federation/inbound/",
            "--upstream",
            f"{nat.lapor.base}/api/v1",
            "--json",
        )
    )
    assert settings["LAPOR_FEDERATION_AGENCY"] == PROVINCE
    prov.lapor.env.update(settings)
    nat.start()
    prov.start()
    mark("started")

    def state(instance):
        return instance.run(STATE)

    # (1) Down, with the provincial instance away for the second half.
    first, second = N_DOWN // 2, N_DOWN - N_DOWN // 2
    down = nat.run(
        SETUP
        + f"out = [route(filed(f'Turun {{n}}'), {PROVINCE!r}).tracking for n in range({first})]"
    )
    prov.stop()
    down += nat.run(
        SETUP
        + f"out = [route(filed(f'Turun {{n}}'), {PROVINCE!r}).tracking "
        + f"for n in range({first}, {N_DOWN})]"
    )
    assert len(down) == N_DOWN == first + second
    retried = "SELECT count(*) FROM integrations_webhookdelivery WHERE attempts > 1"
    assert wait_for(lambda: nat.count(retried) > 0, 60, 0.5)  # deliveries met a closed port
    prov.start()
    mark("province back")

    # (2) Up: filed at the province for a ministry, and one that national gives back.
    up = prov.run(
        SETUP + f"out = [route(filed(f'Naik {{n}}'), {MINISTRY!r}).tracking for n in range({N_UP})]"
    )
    (home,) = prov.run(SETUP + f"out = [route(filed('Pulang'), {MINISTRY!r}).tracking]")

    def mirrored():
        links = "SELECT count(*) FROM integrations_federationlink WHERE "
        return (
            prov.count(links + "origin = 'upstream'") == N_DOWN
            and prov.count(links + "origin = 'local' AND upstream_tracking IS NOT NULL") == N_UP + 1
        )

    assert wait_for(mirrored, 240, 1), state(prov)
    mark("mirrored both ways")
    p = state(prov)
    mirror_of = {v: k for k, v in p["links"].items()}  # national number -> provincial
    up_at_nat = {t: p["links"][t] for t in [*up, home]}
    # National triage: the ministry's reports to the ministry, "home" to the province.
    nat.run(
        SETUP
        + "from complaints.models import Report\n"
        + f"for t in {list(up_at_nat.values())!r}:\n"
        + f"    route(Report.objects.get(tracking=t), {MINISTRY!r} if t != {up_at_nat[home]!r} "
        + f"else {PROVINCE!r})\n"
    )
    at_home = (
        "SELECT count(*) FROM complaints_report r JOIN agencies_agency a ON a.id = r.agency_id "
        f"WHERE r.tracking = '{home}' AND a.slug = '{PROVINCE}'"
    )
    assert wait_for(lambda: prov.count(at_home) == 1, 120, 1), state(prov)
    mark("home came home")

    # (3) The province's officers answer and resolve while the national instance is down.
    nat.stop()
    prov.run(
        SETUP
        + "from complaints.models import Report\n"
        + f"for t in {[mirror_of[t] for t in down] + [home]!r}:\n"
        + "    r = Report.objects.get(tracking=t)\n"
        + f"    report_transition(report_id=r.pk, action='respond', actor=officer({PROVINCE!r}),"
        + " note='Kami tindak lanjuti')\n"
        + f"    report_transition(report_id=r.pk, action='resolve', actor=officer({PROVINCE!r}),"
        + " note='Sudah beres')\n"
    )
    tried = (
        "SELECT count(*) FROM integrations_federationpush WHERE state = 'pending' AND attempts > 0"
    )
    assert wait_for(lambda: prov.count(tried) > 0, 60, 0.5)  # tried, national away
    nat.start()
    mark("nation back")
    national = [*down, up_at_nat[home]]
    assert wait_for(lambda: set(nat.statuses(national).values()) == {"resolved"}, 240, 1), state(
        nat
    )
    mark("resolutions at national")

    # (4) National: the ministry answers its reports; citizens at national accept theirs.
    nat.run(
        SETUP
        + "from complaints.models import Report\n"
        + f"for t in {[up_at_nat[t] for t in up]!r}:\n"
        + "    r = Report.objects.get(tracking=t)\n"
        + "    report_transition(report_id=r.pk, action='respond', system=True, note='Dicek')\n"
        + "    report_transition(report_id=r.pk, action='resolve', system=True, note='Selesai')\n"
        + f"for t in {down!r}:\n"
        + "    r = Report.objects.get(tracking=t)\n"
        + "    report_transition(report_id=r.pk, action='accept', token=r.reporter_secret,"
        + " rating=4)\n"
    )
    assert wait_for(lambda: set(prov.statuses(up).values()) == {"resolved"}, 240, 1), state(prov)
    # (5) The province's citizens accept theirs (their front door is the province).
    prov.run(
        SETUP
        + "from complaints.models import Report\n"
        + f"for t in {[*up, home]!r}:\n"
        + "    r = Report.objects.get(tracking=t)\n"
        + "    report_transition(report_id=r.pk, action='accept', token=r.reporter_secret,"
        + " rating=5)\n"
    )

    def settled():
        undelivered = "SELECT count(*) FROM integrations_webhookdelivery WHERE state <> 'delivered'"
        owed = "SELECT count(*) FROM integrations_federationpush WHERE state <> 'done'"
        return (
            nat.count(undelivered) == 0
            and prov.count(owed) == 0
            and set(nat.statuses([*down, *up_at_nat.values()]).values()) == {"closed"}
            and set(prov.statuses([*mirror_of.values(), *up, home]).values()) == {"closed"}
        )

    assert wait_for(settled, 240, 1), (state(nat), state(prov))
    mark("settled")
    n, p = state(nat), state(prov)
    # The same reports on both sides, once each, all closed.
    assert len(n["reports"]) == len(p["reports"]) == N_DOWN + N_UP + 1
    assert len(p["links"]) == N_DOWN + N_UP + 1 == len(set(p["links"].values()))
    assert set(n["reports"].values()) == set(p["reports"].values()) == {"closed"}
    # National knows each provincial number: the mirrors' links and the filings sent up.
    assert {n["refs"][t] for t in p["links"].values()} == set(p["links"])
    assert p["received"].get("refused", 0) == 0, p["received"]
    assert n["retried"] > 0 and p["retried"] > 0  # both outages were met, and outlasted
