"""A local fake of the HTTP SMS gateway (complaints.sms.HttpGatewayBackend posts to it): it
records each text it accepts, and can be told to refuse the next few with a 500."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class FakeGateway:
    def __init__(self):
        self.texts: list[dict] = []
        self.auth: list[str] = []
        self.fail_next = 0
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with gateway._lock:
                    refuse = gateway.fail_next > 0
                    gateway.fail_next -= 1 if refuse else 0
                    if not refuse:
                        gateway.texts.append(body)
                        gateway.auth.append(self.headers.get("Authorization", ""))
                self.send_response(500 if refuse else 200)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # a free port
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def to(self, phone: str) -> list[str]:
        with self._lock:
            return [t["text"] for t in self.texts if t["to"] == phone]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sms_gateway(settings):
    gateway = FakeGateway()
    settings.LAPOR_SMS_BACKEND = "complaints.sms.HttpGatewayBackend"
    settings.LAPOR_SMS_GATEWAY_URL = gateway.url
    settings.LAPOR_SMS_GATEWAY_TOKEN = "rahasia-gateway"
    yield gateway
    gateway.close()
