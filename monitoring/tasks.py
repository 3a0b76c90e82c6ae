"""Scheduled work of the dashboards (the beat schedule is in lapor/celery.py)."""

from celery import shared_task

from .warnings import early_warning_check, last_full_week


@shared_task
def early_warning() -> int:
    """The weekly early-warning check over the week just ended. Idempotent."""
    return len(early_warning_check(week=last_full_week()))


@shared_task(ignore_result=True)
def fold_summaries() -> dict:
    """Adds the summary deltas of recent changes into the summary rows (monitoring.fold)."""
    from .fold import fold

    return fold()
