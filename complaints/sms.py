"""Outbound SMS through a pluggable gateway backend.

``settings.LAPOR_SMS_BACKEND`` names the backend class by dotted path; the default prints the
message (development). A real gateway backend is a class with ``send(to, body)`` that raises on
failure, so the outbox retries it (complaints.tasks.deliver_outbox_task)."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

DEFAULT_BACKEND = "complaints.sms.ConsoleBackend"

# Messages "sent" by LocmemBackend, for tests: (to, body) tuples.
outbox: list[tuple[str, str]] = []


class ConsoleBackend:
    def send(self, to: str, body: str) -> None:
        log.info("SMS to %s: %s", to, body)
        print(f"SMS to {to}: {body}")  # the development gateway is the console


class LocmemBackend:
    def send(self, to: str, body: str) -> None:
        outbox.append((to, body))


def get_backend():
    return import_string(getattr(settings, "LAPOR_SMS_BACKEND", "") or DEFAULT_BACKEND)()


def send_sms(to: str, body: str) -> None:
    """Sends one text now; raises if the gateway refuses it."""
    get_backend().send(to, body)
