"""A Celery worker process is killed (SIGKILL, as the OOM killer does) in the middle of a
task. With acks_late and reject_on_worker_lost the task goes back to the queue; its second
run must finish the job, once: a webhook endpoint's lease and an outbox message's claim both
name the task id that holds them, so the redelivered task takes its own back at once instead of
waiting for the claim to go stale (5 and 10 minutes)."""

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
    task_id = _running_task("deliver_webhooks", lapor.log_tail("worker", 200))
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


def _running_task(name: str, log: str) -> str:
    """The id of the last task whose name starts with ``name`` that the worker received."""
    received = re.findall(rf"tasks\.{name}\w*\[([0-9a-f-]+)\] received", log)
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


def test_a_worker_killed_mid_email_sends_it_once_after_redelivery(deployment, smtp):
    """As above for a confirmation e-mail, with an SMTP server that never answers the first
    message's DATA: the worker dies with the message claimed and not sent."""
    lapor = deployment.lapor
    lapor.env.update(
        {
            "DJANGO_EMAIL_HOST": "127.0.0.1",
            "DJANGO_EMAIL_PORT": str(smtp.port),
            "DJANGO_EMAIL_USE_TLS": "0",
        }
    )
    lapor.start_web(workers=1, threads=2)
    worker = lapor.start_worker(concurrency=1)

    smtp.hold = True
    status, _headers, _tracking, _body = lapor.file_api(1)
    if status != 201 or not smtp.holding.wait(60):
        pytest.fail(f"no e-mail in flight: {status}\n{lapor.log_tail('worker')}")
    task_id = _running_task("deliver_outbox", lapor.log_tail("worker", 200))
    (process,) = children(worker.pid)
    os.kill(process, signal.SIGKILL)  # in the middle of the SMTP conversation
    smtp.release.set()

    sent = wait_for(
        lambda: deployment.sql("SELECT state FROM complaints_outboxmessage") == "sent", 20, 0.5
    )
    log = lapor.log_tail("worker", 400)
    if "WorkerLostError" not in log or log.count(f"[{task_id}] received") != 2:
        pytest.fail(f"the task was not redelivered:\n{log}")
    assert sent, "the redelivered task did not send the e-mail"
    assert smtp.accepted == ["pelapor.api.1@example.id"]  # accepted once
