"""A report filed while Redis is down is saved and can be tracked; its confirmation e-mail goes
out once Redis is back, exactly once."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from kombu import pools

from complaints.models import OutboxMessage, Report
from complaints.tasks import outbox_sweep
from lapor.celery import app

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens there: as if Redis were down


def _use_broker(url: str, eager: bool) -> None:
    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    # Forget every connection pool (kombu keeps them in a registry keyed by broker URL), so the
    # next publish opens fresh connections to ``url`` and no later test inherits a closed one.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(settings):
    # Published at commit, in the request: a batch published later from a timer thread could
    # reach the live broker once it is back, before this test's sweep looks for pending rows.
    settings.LAPOR_OUTBOX_BATCH_MS = 0
    _use_broker(DEAD_BROKER, eager=False)
    yield
    _use_broker(settings.CELERY_BROKER_URL, eager=True)


def test_filing_survives_a_dead_broker_and_mails_once_it_is_back(client, broker_down):
    response = client.post(
        "/lapor/",
        {
            "kind": "complaint",
            "title": "Banjir di perumahan saat hujan",
            "description": "Setiap hujan deras perumahan kami banjir karena saluran tersumbat.",
            "province": "32",
            "regency": "3273",
            "reporter_name": "Dewi",
            "reporter_email": "dewi@example.id",
        },
    )
    assert response.status_code == 302  # accepted, not a 500
    report = Report.objects.get()
    assert client.get(report.get_absolute_url()).status_code == 200  # tracked
    message = OutboxMessage.objects.get(report=report)
    assert message.state == OutboxMessage.State.PENDING  # could not be queued: kept
    assert mail.outbox == []

    # Redis is back: the sweep queues what waited, a real worker delivers it.
    _use_broker(settings.CELERY_BROKER_URL, eager=False)
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert outbox_sweep(min_age_seconds=0) == 1
        for _ in range(100):
            message.refresh_from_db()
            if message.state == OutboxMessage.State.SENT:
                break
            time.sleep(0.1)
        assert outbox_sweep(min_age_seconds=0) == 0  # nothing left to send twice
    assert message.state == OutboxMessage.State.SENT
    to_dewi = [m for m in mail.outbox if m.to == ["dewi@example.id"]]
    assert len(to_dewi) == 1
    assert report.tracking in to_dewi[0].body
