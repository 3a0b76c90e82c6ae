"""Redis (broker and cache) stops in the middle of a load of filings and comes back empty.

Filing must not depend on Redis: the report, its audit event and its outbox row are one
transaction in PostgreSQL, and a message that could not be queued (or was queued and lost
with Redis's memory) is sent by the sweep afterwards, once."""

import collections

import pytest

from .conftest import register_agency_integration, sweep_until_delivered
from .load import Load
from .stack import reporter_email, wait_for

pytestmark = pytest.mark.faults


def test_filings_go_on_while_redis_is_down_and_every_message_is_sent_once(deployment, receiver):
    lapor, redis = deployment.lapor, deployment.redis
    lapor.env["LAPOR_AUTO_VERIFY"] = "1"  # filings with the agency's key are dispatched
    key = register_agency_integration(lapor, receiver.url)
    lapor.start_web()
    lapor.start_worker()

    with Load(lapor, ["api", "key", "form", "key"], key=key) as load:
        load.wait_for("up", 12, timeout=30)
        redis.stop()
        load.phase = "down"
        load.wait_for("down", 16, timeout=30)
        redis.start()
        load.phase = "back"
        load.wait_for("back", 12, timeout=30)

    filings = load.filings()
    unexpected = [a for a in filings if a.status not in (201, 302)]
    assert not unexpected, f"answers other than 201/302: {load.statuses()}"
    assert load.count("down", accepted=True) >= 8, load.statuses("down")

    # Every accepted report is in the database, with its audit event and its outbox row.
    in_db = set(deployment.sql("SELECT tracking FROM complaints_report").split())
    assert load.accepted() <= in_db
    assert len(in_db) == len(load.accepted())
    assert (
        deployment.count(
            "SELECT count(*) FROM complaints_report r WHERE NOT EXISTS (SELECT 1 FROM "
            "complaints_reportevent e WHERE e.report_id = r.id AND e.action = 'submit')"
        )
        == 0
    )

    # Redis is back (empty): the worker reconnects, the sweeps queue what waited or was lost.
    assert wait_for(lambda: lapor.get("/healthz")[0] == 200, 30)
    left = sweep_until_delivered(deployment)
    assert left == {"outbox": 0, "webhooks": 0}

    # Every confirmation e-mail exactly once: as many messages to each reporter as rows.
    rows = collections.Counter(
        deployment.sql("SELECT recipient FROM complaints_outboxmessage").split()
    )
    for answer in filings:
        assert rows[reporter_email(answer.number, answer.action)] >= 1, answer
    sent = collections.Counter(
        line.removeprefix("To: ")
        for m in lapor.mails()
        for line in m.splitlines()
        if line.startswith("To: ")
    )
    assert sent == rows

    # Every webhook delivery reached the agency's endpoint exactly once.
    deliveries = deployment.sql("SELECT id FROM integrations_webhookdelivery").split()
    assert len(deliveries) >= 3  # the key's filings made before and after the outage
    assert sorted(receiver.answered, key=int) == sorted(deliveries, key=int)
