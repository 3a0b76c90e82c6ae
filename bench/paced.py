"""An open-loop client at a fixed request rate (wrk2's way, which Debian does not package):
request i is due at start + i / rate whatever the server did before it, and its latency is
counted from that due time, so a server that falls behind shows the queue it built instead of
slowing the client down (no coordinated omission). Threads with keep-alive connections.

    python bench/paced.py --url http://127.0.0.1:8000/api/v1/reports/ --rate 30 --duration 20 \
        --body '{"title": "nomor {n}", ...}' [--header 'Authorization: Token x'] [--cookie ...]

Prints one line ``PACED_JSON {...}`` (requests, statuses, p50/p95/p99 from the due time,
achieved rate, late: requests sent more than 100 ms after their due time)."""

import argparse
import http.client
import json
import threading
import time
from urllib.parse import urlparse

IDLE_S = 4.0  # gunicorn's --keep-alive is 5 s: a connection idle longer is opened anew


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--body", help="POST this JSON ({n}: a number unique in the run)")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--cookie")
    opts = parser.parse_args()
    url = urlparse(opts.url)
    path = url.path + (f"?{url.query}" if url.query else "")
    headers = dict(h.split(":", 1) for h in opts.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    if opts.body:
        headers["Content-Type"] = "application/json"
    if opts.cookie:
        headers["Cookie"] = opts.cookie
    total = int(opts.rate * opts.duration)
    lock = threading.Lock()
    state = {"next": 0}
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = [0]
    late = [0]
    start = time.monotonic() + 0.2

    def connect():
        return http.client.HTTPConnection(url.hostname, url.port or 80, timeout=10)

    def worker() -> None:
        conn, used = connect(), time.monotonic()
        while True:
            with lock:
                i = state["next"]
                state["next"] += 1
            if i >= total:
                break
            due = start + i / opts.rate
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            elif -wait > 0.1:
                with lock:
                    late[0] += 1
            body = opts.body.replace("{n}", str(i)) if opts.body else None
            if time.monotonic() - used > IDLE_S:  # the server's keep-alive closes it
                conn.close()
                conn = connect()
            try:
                conn.request("POST" if body else "GET", path, body=body, headers=headers)
                answer = conn.getresponse()
                answer.read()
                code = str(answer.status)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn, used = connect(), time.monotonic()
                with lock:
                    errors[0] += 1
                continue
            done = used = time.monotonic()
            with lock:
                latencies.append((done - due) * 1000)
                statuses[code] = statuses.get(code, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(opts.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    result = {
        "requests": len(latencies),
        "target_rate": opts.rate,
        "rps": len(latencies) / elapsed if elapsed > 0 else 0.0,
        "errors": errors[0],
        "late": late[0],
        "statuses": statuses,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
    }
    print("PACED_JSON " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
