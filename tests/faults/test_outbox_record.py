"""An e-mail sent just as the database goes away must still end up recorded as sent, or the
sweep sends it a second time after STALE_CLAIM. Under load, test_postgres_restart caught this
now and then (the worker's UPDATE after sending met the restart, the row stayed 'sending');
here that moment is made certain."""

import time

import pytest
from django.core import mail
from django.db import OperationalError
from django.db.models import QuerySet

from complaints.models import OutboxMessage
from complaints.tasks import deliver_outbox_task
from tests.factories import file_report

pytestmark = [pytest.mark.faults, pytest.mark.django_db]


def test_an_email_sent_as_the_database_restarts_is_recorded_and_sent_once(monkeypatch):
    report = file_report(reporter_email="dewi@example.id")
    message = OutboxMessage.objects.get(report=report, recipient="dewi@example.id")
    update, failed = QuerySet.update, []

    def restarting(self, **kwargs):
        marking_sent = self.model is OutboxMessage and kwargs.get("state") == "sent"
        if marking_sent and not failed:
            failed.append(True)
            raise OperationalError("terminating connection due to administrator command")
        return update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", restarting)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # no real wait for the retry
    mail.outbox.clear()
    assert deliver_outbox_task.apply(args=[message.pk]).get() == "sent"
    assert failed  # the first try to record it did meet the outage
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("sent", 1)
    assert [m.to for m in mail.outbox] == [["dewi@example.id"]]
