"""PostgreSQL restarts under a load of filings and reads, with gunicorn and Celery left running.

During the outage LAPOR answers a clean 503 with Retry-After (never a 500); no report is
half-written (each has its audit event and its outbox row); afterwards every persistent
connection (CONN_MAX_AGE) is replaced without restarting anything, and every confirmation
e-mail is sent once."""

import collections
import threading

import pytest

from .conftest import sweep_until_delivered
from .load import Load
from .stack import children, wait_for

pytestmark = pytest.mark.faults

THREADS = 8  # = gunicorn's 2 workers x 4 threads: every thread's connection is exercised


def test_a_postgres_restart_is_a_clean_503_and_the_service_recovers_alone(deployment):
    lapor, cluster = deployment.lapor, deployment.cluster
    lapor.start_web(workers=2, threads=4)
    lapor.start_worker()
    web_pids = (lapor.web.pid, *sorted(children(lapor.web.pid)))

    with Load(lapor, ["api", "form", "read", "api", "read"]) as load:
        load.wait_for("up", 15, timeout=30)
        cluster.stop()
        load.phase = "down"
        load.wait_for("down", 15, timeout=30)
        cluster.start()
        load.phase = "back"
        load.wait_for("back", 25, timeout=60)

    answers = load.answers
    assert {a.status for a in answers} <= {200, 201, 302, 503}, load.statuses()
    unavailable = [a for a in answers if a.status == 503]
    assert unavailable, f"the outage was not seen: {load.statuses()}"
    assert all(a.retry_after for a in unavailable)
    assert not any(b"Traceback" in a.body for a in unavailable)

    # Recovered without a restart: the same gunicorn processes answer a burst on every
    # thread, each of which held a connection from before the restart.
    assert (lapor.web.pid, *sorted(children(lapor.web.pid))) == web_pids
    burst = _burst(lapor, rounds=3)
    assert collections.Counter(burst) == {201: 3 * THREADS, 200: 3 * THREADS}, burst

    # Nothing half-written: every report has its audit event and its outbox row.
    in_db = set(deployment.sql("SELECT tracking FROM complaints_report").split())
    assert load.accepted() <= in_db
    assert (
        deployment.count(
            "SELECT count(*) FROM complaints_report r WHERE NOT EXISTS (SELECT 1 FROM "
            "complaints_reportevent e WHERE e.report_id = r.id AND e.action = 'submit')"
        )
        == 0
    )
    assert (
        deployment.count(
            "SELECT count(*) FROM complaints_report r WHERE NOT EXISTS (SELECT 1 FROM "
            "complaints_outboxmessage o WHERE o.report_id = r.id)"
        )
        == 0
    )

    # The worker carried on too: every confirmation e-mail is sent, once.
    assert sweep_until_delivered(deployment) == {"outbox": 0, "webhooks": 0}
    rows = collections.Counter(
        deployment.sql("SELECT recipient FROM complaints_outboxmessage").split()
    )
    sent = collections.Counter(
        line.removeprefix("To: ")
        for m in lapor.mails()
        for line in m.splitlines()
        if line.startswith("To: ")
    )
    assert sent == rows
    assert wait_for(lambda: lapor.get("/healthz")[0] == 200, 10)


def _burst(lapor, rounds: int) -> list[int]:
    """``rounds`` times, THREADS filings and THREADS reads at once; returns the statuses."""
    statuses: list[int] = []
    lock = threading.Lock()

    def one(n: int) -> None:
        status, _headers, tracking, _body = lapor.file_api(100_000 + n)
        read = lapor.get(f"/api/v1/reports/{tracking}/")[0] if tracking else 0
        with lock:
            statuses.extend([status, read])

    for r in range(rounds):
        threads = [threading.Thread(target=one, args=(r * THREADS + i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    return statuses
