"""Hooks for apps above ``complaints`` (integrations, monitoring): they connect here, so
``complaints`` never imports them.

``event_recorded`` is sent inside the transaction that wrote the event: a receiver that writes
rows (a webhook delivery, a summary) commits or rolls back with the change itself."""

from django.dispatch import Signal

# sender=ReportEvent, event=ReportEvent, report=Report (as it is now), before=Report (a copy of
# the report as it was before this change; None when the report was just filed)
event_recorded = Signal()
