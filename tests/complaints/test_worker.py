"""With a real Celery worker process running against Redis: resolving a report leads to exactly
one e-mail to the citizen."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from complaints.models import OutboxMessage, ReportEvent
from complaints.services import report_transition
from complaints.tasks import outbox_sweep
from lapor.celery import app as celery_app
from tests.factories import dispatched_report, make_staff

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """A `celery worker` process on the test database and the test Redis; e-mails go to files
    in ``tmp_path / "mail"``. Tasks published from this test process go to it."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(mail_dir),
        "LAPOR_MEDIA_ROOT": settings.MEDIA_ROOT,  # files a worker writes (exports) land here
        "LAPOR_TESTING": "1",
    }
    celery_app.control.purge()
    # The worker's log goes to a file: a pipe nobody reads fills up (64 KiB, a few hundred
    # tasks at INFO) and the worker then blocks on its next log line, every task waiting.
    log_file = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lapor",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_until_ready()
        celery_app.conf.task_always_eager = False
        yield mail_dir
    finally:
        celery_app.conf.task_always_eager = True
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log_file.close()


def _wait_until_ready(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if celery_app.control.ping(timeout=1):
            return
    raise AssertionError("the Celery worker did not start")


def _mails_to(mail_dir: Path, address: str) -> list[str]:
    texts = [p.read_text() for p in mail_dir.glob("*.log")]
    # The file backend appends every message of one connection to one file.
    messages = [m for t in texts for m in t.split("-" * 79) if f"To: {address}" in m]
    return messages


def _wait_for(predicate, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_resolving_sends_exactly_one_email_to_the_citizen(worker, agency_a):

    national = make_staff("national_admin")
    officer = make_staff("officer", agency=agency_a)
    # Everything before the resolution happens with tasks run in this process.
    celery_app.conf.task_always_eager = True
    report = dispatched_report(agency_a, national, reporter_email="warga.worker@example.id")
    report_transition(report_id=report.pk, action="respond", actor=officer, note="Kami cek")
    celery_app.conf.task_always_eager = False

    report_transition(
        report_id=report.pk, action="resolve", actor=officer, note="Jalan sudah ditambal."
    )
    resolved = ReportEvent.objects.get(report=report, action="resolve")
    # The worker writes its text (complaints.notifications.RENDERERS), kept once sent.
    message = OutboxMessage.objects.get(
        dedupe_key=f"event:{resolved.pk}:citizen", recipient="warga.worker@example.id"
    )
    assert _wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).state == "sent")
    assert "Selesai" in OutboxMessage.objects.get(pk=message.pk).subject
    # A sweep after delivery must not send it again, and nothing else trickles in.
    outbox_sweep.delay(limit=100, min_age_seconds=0)
    time.sleep(3)
    mails = _mails_to(worker, "warga.worker@example.id")
    resolved = [m for m in mails if "Selesai" in m]
    assert len(resolved) == 1
    assert "Jalan sudah ditambal." in resolved[0]
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1
