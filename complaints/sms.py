"""Outbound SMS through a pluggable gateway backend.

``settings.LAPOR_SMS_BACKEND`` names the backend class by dotted path; the default prints the
message (development); ``HttpGatewayBackend`` posts it to the SMS gateway in production. A
backend is a class with ``send(to, body)`` that raises on failure, so the outbox retries it
(complaints.tasks.deliver_outbox_task)."""

import json
import logging
import urllib.request

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


class GatewayError(Exception):
    pass


class HttpGatewayBackend:
    """POSTs ``{"to": ..., "text": ...}`` as JSON to LAPOR_SMS_GATEWAY_URL with the bearer token
    LAPOR_SMS_GATEWAY_TOKEN; any answer but 2xx, or no answer in 10 s, raises (and the outbox
    tries again later)."""

    TIMEOUT = 10

    def send(self, to: str, body: str) -> None:
        url = settings.LAPOR_SMS_GATEWAY_URL
        if not url:
            raise GatewayError("LAPOR_SMS_GATEWAY_URL is not set")
        request = urllib.request.Request(  # noqa: S310  (the operator's own https URL)
            url,
            data=json.dumps({"to": to, "text": body}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.LAPOR_SMS_GATEWAY_TOKEN}",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.TIMEOUT) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise GatewayError(f"gateway answered {response.status}")


def get_backend():
    return import_string(getattr(settings, "LAPOR_SMS_BACKEND", "") or DEFAULT_BACKEND)()


def send_sms(to: str, body: str) -> None:
    """Sends one text now; raises if the gateway refuses it."""
    get_backend().send(to, body)
