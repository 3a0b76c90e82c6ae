"""A Celery worker process is killed (SIGKILL, as the OOM killer does) in the middle of a
webhook delivery. With acks_late and reject_on_worker_lost the task goes back to the queue;
its second run must finish the job, and the agency must get the delivery answered once."""

import os
import re
import signal

import pytest

from .conftest import register_agency_integration, sweep_until_delivered
from .stack import children, wait_for

pytestmark = pytest.mark.faults


def test_a_worker_killed_mid_webhook_redelivers_and_the_agency_gets_it_once(deployment, receiver):
    lapor = deployment.lapor
    lapor.env["LAPOR_AUTO_VERIFY"] = "1"  # the key's filing is dispatched to the agency
    key = register_agency_integration(lapor, receiver.url)
    lapor.start_web(workers=1, threads=2)
    worker = lapor.start_worker(concurrency=1)

    receiver.hold = True  # the first POST gets no answer until the worker is gone
    status, _headers, _tracking, _body = lapor.file_api(1, key)
    assert status == 201
    assert receiver.holding.wait(60), lapor.log_tail("worker")
    pool = children(worker.pid)
    assert len(pool) == 1
    task_id = _running_webhook_task(lapor.log_tail("worker", 200))
    os.kill(pool[0], signal.SIGKILL)  # the process in the middle of the POST
    receiver.release.set()

    delivered = wait_for(
        lambda: deployment.sql("SELECT state FROM integrations_webhookdelivery") == "delivered",
        45,
        0.5,
    )
    log = lapor.log_tail("worker", 400)
    assert "WorkerLostError" in log
    # The same task (same id) came back and was run again by the replacement process.
    assert log.count(f"deliver_webhooks_task[{task_id}] received") == 2, log
    assert delivered, log
    delivery = deployment.sql("SELECT id FROM integrations_webhookdelivery")
    assert receiver.seen == [delivery, delivery]  # the killed attempt, then the retry
    assert receiver.answered == [delivery]  # acknowledged once
    assert worker.poll() is None  # the worker itself carried on

    # The worker's other work (the confirmation e-mails) is done once too.
    assert sweep_until_delivered(deployment) == {"outbox": 0, "webhooks": 0}
    rows = deployment.count("SELECT count(*) FROM complaints_outboxmessage")
    assert rows >= 1
    assert lapor.mails_to("pelapor.key.1@example.id") == rows


def _running_webhook_task(log: str) -> str:
    received = re.findall(r"deliver_webhooks_task\[([0-9a-f-]+)\] received", log)
    assert received, log
    return received[-1]


@pytest.mark.django_db
def test_only_the_task_holding_a_lease_takes_it_back(settings, agency_a, receiver):
    """The rule the redelivery relies on, without processes: a lease left by a dead task is
    its own to take back at once; any other task waits for it to expire."""
    from django.utils import timezone

    from integrations import webhooks
    from integrations.models import WebhookDelivery
    from integrations.services import webhook_endpoint_register
    from tests.factories import dispatched_report, make_staff

    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = True
    endpoint = webhook_endpoint_register(agency=agency_a, url=receiver.url)
    dispatched_report(agency_a, make_staff("national_admin"))
    assert webhooks._take_lease(endpoint.pk, timezone.now(), "task-1")  # then it is killed
    assert webhooks.deliver_endpoint(endpoint.pk, owner="task-2")["busy"]
    assert webhooks.deliver_endpoint(endpoint.pk)["busy"]
    assert webhooks.deliver_endpoint(endpoint.pk, owner="task-1")["delivered"] == 1
    assert receiver.answered == [str(WebhookDelivery.objects.get().pk)]
    assert webhooks.deliver_endpoint(endpoint.pk, owner="task-2")["busy"] is False
