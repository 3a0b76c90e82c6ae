"""bench/paced.py, the open-loop client of the side-by-side benchmark: at a rate the server
keeps up with, latency is the service time; above it, latency counts from each request's due
time, so the queue the server builds shows (a closed-loop client would slow down instead and
report a flat latency). Against a one-thread server answering in 50 ms (20 requests/s)."""

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICE_S = 0.05


@pytest.fixture
def slow_server():
    bodies = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                bodies.append(self.rfile.read(length).decode())
            time.sleep(SERVICE_S)
            self.send_response(201 if length else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)  # one request at a time
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", bodies
    server.shutdown()
    server.server_close()


def paced(url: str, rate: float, seconds: float, *extra) -> dict:
    command = [sys.executable, str(ROOT / "bench" / "paced.py"), "--url", url]
    command += ["--rate", str(rate), "--duration", str(seconds), "--connections", "1", *extra]
    out = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return json.loads(out.split("PACED_JSON ", 1)[1])


def test_below_capacity_latency_is_the_service_time(slow_server):
    url, _ = slow_server
    result = paced(url, 5, 2)
    assert result["requests"] == 10
    assert result["statuses"] == {"200": 10}
    assert SERVICE_S * 1000 <= result["p50_ms"] < 400


def test_above_capacity_latency_counts_the_queue(slow_server):
    url, bodies = slow_server
    body = '{"title": "nomor {n}"}'
    result = paced(url, 40, 2, "--body", body)  # 80 due in 2 s; served in 4 s or more
    assert result["requests"] == 80
    assert result["statuses"] == {"201": 80}
    # The last requests waited about two seconds behind the others: one connection in a
    # closed loop would have measured 50 ms for every one of them.
    assert result["p95_ms"] > 1500
    assert len(set(bodies)) == 80  # {n} made every body unique
    assert result["late"] > 0
