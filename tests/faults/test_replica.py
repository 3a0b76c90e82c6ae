"""A real streaming standby behind LAPOR (issue 20): which reads go to it, and what happens
when it lags or dies.

The private cluster of the fault tests is the primary; a hot standby is made from it with
pg_basebackup and streams its WAL. To see where a read went, the standby's replay is paused
(``pg_wal_replay_pause()``): from then on a report filed exists on the primary only, so a
page that counts it was served by the primary and a page that does not was served by the
standby. The public indicators API (/api/v1/indicators/provinces/) reads from the standby;
the public status of a report (the reporter's own page) never does."""

import json
import time

import pytest

from .stack import StandbyCluster, wait_for

pytestmark = pytest.mark.faults

MAX_LAG = 20  # seconds: the steps between a filing and the reads that follow take far less


def received(lapor, cookie: str | None = None) -> int:
    """Kota Bandung's province (32) reports received this year, from the public indicators."""
    headers = {"Cookie": cookie} if cookie else {}
    status, _, body = lapor.get("/api/v1/indicators/provinces/", headers=headers)
    assert status == 200, body[:300]
    (row,) = [p for p in json.loads(body)["provinces"] if p["province"] == "32"]
    return row["received"]


def test_reads_go_to_the_standby_except_after_a_change_and_leave_it_when_it_lags_or_dies(
    deployment,
):
    lapor, db = deployment.lapor, deployment.database
    standby = StandbyCluster(deployment.cluster)
    try:
        standby.init()
        standby.start()

        def on_standby(query: str) -> str:
            return standby.sql(db, query)

        def reports_on_standby() -> int:
            return int(on_standby("SELECT count(*) FROM complaints_report"))

        lapor.env.update(
            {
                "DATABASE_REPLICA_URL": standby.url(db),
                "LAPOR_REPLICA_MAX_LAG": str(MAX_LAG),
                "LAPOR_REPLICA_CHECK_SECONDS": "0.2",
                "LAPOR_REPLICA_RETRY_SECONDS": "1",
                "LAPOR_REPLICA_STICKY_SECONDS": "300",
            }
        )
        lapor.start_web(workers=1, threads=2)

        status, _, _, _ = lapor.file_api(1)
        assert status == 201
        assert wait_for(lambda: reports_on_standby() == 1, 30), "the standby did not replay"
        assert received(lapor) == 1

        # The standby stops replaying: what is filed now is on the primary only.
        on_standby("SELECT pg_wal_replay_pause()")
        status, _, second, _ = lapor.file_api(2)
        assert status == 201
        filed = time.monotonic()

        assert received(lapor) == 1, "the indicators were not read from the standby"
        # The reporter's own view of the report just filed reads the primary.
        status, _, body = lapor.get(f"/api/v1/reports/{second}/")
        assert status == 200, body[:300]

        # A visitor who just changed something reads the primary for a while.
        status, headers, third, _ = lapor.file_form(3)
        assert status == 302 and third
        cookie = headers.get("Set-Cookie", "")
        assert "lapor_primary=1" in cookie, cookie
        sticky = "lapor_primary=1"
        assert received(lapor, sticky) == 3
        assert received(lapor) == 1
        assert time.monotonic() - filed < MAX_LAG, "too slow to tell the standby apart"

        # Lagging more than LAPOR_REPLICA_MAX_LAG: the standby is left alone.
        assert wait_for(lambda: received(lapor) == 3, MAX_LAG + 30, 0.5), "kept the stale standby"
        assert reports_on_standby() == 1  # still paused: the primary answered

        # Caught up again: reads go back to the standby (seen by pausing once more).
        on_standby("SELECT pg_wal_replay_resume()")
        assert wait_for(lambda: reports_on_standby() == 3, 30)
        on_standby("SELECT pg_wal_replay_pause()")
        assert wait_for(lambda: received(lapor) == 3, 10)
        status, _, _, _ = lapor.file_api(4)
        assert status == 201
        assert wait_for(lambda: received(lapor) == 3, 5) and received(lapor) == 3, (
            "reads did not return to the standby after it caught up"
        )

        # The standby dies under a persistent connection: pages answer from the primary.
        standby.crash()
        for path in ("/api/v1/indicators/provinces/", "/laporan/", "/statistik/"):
            status, _, body = lapor.get(path)
            assert status == 200, (path, status, body[:300])
        assert received(lapor) == 4
        assert "replica down" in lapor.log_tail("gunicorn", 200)
        status, _, body = lapor.get("/open311/v2/requests.json")
        assert status == 200, body[:300]
    finally:
        standby.destroy()
