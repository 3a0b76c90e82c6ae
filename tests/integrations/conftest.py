"""Integration clients for the tests: API keys of agency A and B, a real local HTTP receiver
for webhooks, and the SMS gateway's locmem backend."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from integrations.services import apikey_issue


@pytest.fixture(autouse=True)
def _integration_settings(settings):
    from complaints import sms

    settings.LAPOR_SMS_BACKEND = "complaints.sms.LocmemBackend"
    settings.LAPOR_SMS_INBOUND_TOKEN = "gateway-secret"
    settings.LAPOR_PULL_LAG_SECONDS = 0
    settings.LAPOR_WEBHOOK_TIMEOUT = 3
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = True  # the receiver runs on 127.0.0.1
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def key_a(cast, agency_a):
    return apikey_issue(agency=agency_a, name="Sistem Kota Bandung", created_by=cast.admin_a)


@pytest.fixture
def key_b(cast, agency_b):
    return apikey_issue(agency=agency_b, name="Sistem Kab. Bogor")


def api(raw_key: str | None = None, language: str | None = None) -> APIClient:
    client = APIClient()
    headers = {}
    if raw_key:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw_key}"
    if language:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    client.credentials(**headers)
    return client


class Receiver:
    """A real HTTP server on 127.0.0.1 that records what it is sent. ``status`` is what it
    answers; ``stop()`` closes the port (connection refused) and ``start()`` opens it again
    on the same port."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 200
        self.port = 0
        self._server = None
        self.start()

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.status < 300:
                    receiver.received.append(
                        {"headers": dict(self.headers), "body": body, "json": json.loads(body)}
                    )
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def events(self) -> list[tuple[str, str]]:
        return [(r["json"]["report"]["tracking"], r["json"]["event"]) for r in self.received]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    try:
        server.stop()
    except Exception:  # noqa: S110  (already stopped by the test)
        pass
