"""The Celery app. Periodic jobs are defined here, once."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.settings")

app = Celery("lapor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Sends what could not be queued when it was written (broker down, worker lost).
    "outbox-sweep": {"task": "complaints.tasks.outbox_sweep", "schedule": 60.0},
    # The minute sweep reads the recent outbox months only; older rows still to send (workers
    # stopped for over a week: complaints.tasks.RECENT) are queued by this one.
    "outbox-sweep-older": {
        "task": "complaints.tasks.outbox_sweep",
        "schedule": crontab(minute=40),
        "kwargs": {"older": True, "limit": 5000},
    },
    # Time limits: overdue flags, escalations, automatic closing and rejection.
    "deadline-sweep": {
        "task": "complaints.tasks.deadline_sweep",
        "schedule": crontab(minute="*/15"),
    },
    # Webhooks whose back-off is over or whose first enqueue was lost (integrations).
    "webhook-sweep": {"task": "integrations.tasks.webhook_sweep", "schedule": 30.0},
    # LAPOR to LAPOR: calls owed to the national instance (a provincial instance only).
    "federation-sweep": {"task": "integrations.tasks.federation_sweep", "schedule": 30.0},
    # Large exports: expired files deleted, lost builds started again.
    "export-sweep": {"task": "complaints.tasks.export_sweep", "schedule": crontab(minute="*/10")},
    # The words a typo in the public search is widened to (complaints.selectors), nightly.
    "search-words-refresh": {
        "task": "complaints.tasks.search_words_refresh_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # Audit events' and outbox month partitions made three months ahead
    # (complaints.partitions), daily.
    "event-partitions-ahead": {
        "task": "complaints.tasks.partitions_ahead",
        "schedule": crontab(hour=1, minute=15),
    },
    # "Sudah beres?" to reporters some working weeks after a resolution: in the morning.
    "followup-sweep": {
        "task": "complaints.tasks.followup_sweep",
        "schedule": crontab(hour=9, minute=0),
    },
    # Summary deltas of recent filings and changes added into the dashboards' rows
    # (monitoring.fold); readers add what is not folded yet, so this bounds the delta tables.
    "summaries-fold": {"task": "monitoring.tasks.fold_summaries", "schedule": 5.0},
    # Early warning (monitoring.warnings): the week just ended, each Monday at 07:00 WIB.
    "early-warning": {
        "task": "monitoring.tasks.early_warning",
        "schedule": crontab(hour=7, minute=0, day_of_week=1),
    },
    # Officers' daily digest at 06:30 (CELERY_TIMEZONE is Asia/Jakarta: WIB).
    "daily-digest": {
        "task": "complaints.tasks.daily_digest",
        "schedule": crontab(hour=6, minute=30),
    },
}
