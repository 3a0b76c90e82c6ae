"""Load test of LAPOR in production mode on this machine's loopback.

Starts gunicorn and a Celery worker against PostgreSQL and Redis (DEBUG off, persistent
database connections), then drives them with wrk:

  1. baseline: GET /healthz (a database and broker round trip, no page) under the same load;
  2. filing through the API (POST /api/v1/reports/);
  3. filing through the web form (POST /lapor/ with a CSRF token);

and checks that the reports in the database equal the 201 (API) and 302 (form) answers, that
every confirmation e-mail was sent once, and reads the memory of the web and Celery workers.
Prints a table and writes it to bench/results/load.txt.

    python bench/load.py --duration 30 --connections 32

Needs: wrk (apt-get install wrk), PostgreSQL and Redis on 127.0.0.1. Uses its own database
(lapor_load) and Redis database 11, created afresh each run."""

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def sh(*args, env=None, check=True, capture=False):
    return subprocess.run(args, cwd=ROOT, env=env, check=check, capture_output=capture, text=True)


def environment(db: str, redis_db: int, static_root: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "LAPOR_STATIC_ROOT": static_root,
        "LAPOR_RATE_FILE": "1000000000",
        "LAPOR_RATE_TRACK": "1000000000",
        "LAPOR_LOG_LEVEL": "WARNING",
        "LAPOR_REQUEST_LOG_LEVEL": "WARNING",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


def prepare(env: dict, db: str) -> None:
    sh("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db)
    sh("createdb", "-h", "127.0.0.1", "-U", "postgres", db)
    sh(PY, "manage.py", "migrate", "-v0", env=env)
    sh(PY, "manage.py", "load_reference", "--no-districts", "-v0", env=env, capture=True)
    sh(PY, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    sh("redis-cli", "-n", env["REDIS_URL"].rsplit("/", 1)[1], "FLUSHDB", capture=True)


def start(env: dict, port: int, workers: int, threads: int) -> tuple:
    web = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "lapor.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "5",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [
            PY,
            "-m",
            "celery",
            "-A",
            "lapor",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return web, worker
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


QUIET = 3  # seconds at the end of a filing run with no new requests: none is left in flight


def wrk(url: str, script: str, duration: int, connections: int, *args, filing=False) -> dict:
    extra = [str(duration - QUIET)] if filing else []
    out = sh(
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        f"bench/{script}",
        url,
        "--",
        *args,
        *extra,
        capture=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
    result = json.loads(line.removeprefix("WRK_JSON "))
    active = (duration - QUIET) if filing else result["duration_us"] / 1e6
    result["rps"] = result["requests"] / active
    return result


def csrf(port: int) -> tuple[str, str]:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"http://127.0.0.1:{port}/lapor/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    return token, cookie


def sql(db: str, query: str) -> str:
    return sh(
        "psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-tAc", query, capture=True
    ).stdout.strip()


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (gunicorn and Celery fork workers)."""
    pids = [pid, *map(int, sh("pgrep", "-P", str(pid), check=False, capture=True).stdout.split())]
    worst = 0.0
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except FileNotFoundError:
            continue
        kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        if p != pid:
            worst = max(worst, kb / 1024)
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database", default="lapor_load")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "load.txt"))
    opts = parser.parse_args()
    static_root = tempfile.mkdtemp(prefix="lapor-static-")
    env = environment(opts.database, 11, static_root)
    prepare(env, opts.database)
    web, worker = start(env, opts.port, opts.workers, opts.threads)
    base = f"http://127.0.0.1:{opts.port}"
    try:
        rows = []
        wrk(f"{base}/healthz", "wrk_get.lua", 3, opts.connections)  # warm up
        rows.append(
            (
                "baseline GET /healthz",
                wrk(f"{base}/healthz", "wrk_get.lua", opts.duration, opts.connections),
            )
        )
        api = wrk(
            f"{base}/api/v1/reports/",
            "wrk_file_api.lua",
            opts.duration,
            opts.connections,
            filing=True,
        )
        rows.append(("file via API", api))
        token, cookie = csrf(opts.port)
        form = wrk(
            f"{base}/lapor/",
            "wrk_file_form.lua",
            opts.duration,
            opts.connections,
            token,
            cookie,
            filing=True,
        )
        rows.append(("file via web form", form))
        # Let the worker send every confirmation e-mail.
        for _ in range(120):
            if (
                sql(
                    opts.database,
                    "SELECT count(*) FROM complaints_outboxmessage WHERE state <> 'sent'",
                )
                == "0"
            ):
                break
            time.sleep(1)
        api_db = int(
            sql(opts.database, "SELECT count(*) FROM complaints_report WHERE channel = 'api'")
        )
        form_db = int(
            sql(opts.database, "SELECT count(*) FROM complaints_report WHERE channel = 'web'")
        )
        unsent = int(
            sql(
                opts.database, "SELECT count(*) FROM complaints_outboxmessage WHERE state <> 'sent'"
            )
        )
        messages = int(sql(opts.database, "SELECT count(*) FROM complaints_outboxmessage"))
        web_mb, worker_mb = rss_mb(web.pid), rss_mb(worker.pid)
    finally:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    lines = [
        f"LAPOR load test, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"gunicorn {opts.workers}x{opts.threads} gthread, Celery prefork 2, wrk -t2 "
        f"-c{opts.connections} -d{opts.duration}s (load generator on the same machine)",
        "",
        f"{'scenario':<24}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"  statuses",
    ]
    for name, r in rows:
        lines.append(
            f"{name:<24}{r['rps']:>9.1f}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['p99_ms']:>9.1f}"
            f"{r['errors']:>8}  {r['statuses']}"
        )
    baseline = rows[0][1]["rps"]
    lines += [
        "",
        f"API filing / baseline: {api['rps'] / baseline:.2f}; "
        f"form filing / baseline: {form['rps'] / baseline:.2f}",
        f"API: 201 answers {api['statuses'].get('201', 0)}, reports in the database {api_db}"
        f" -> {'EQUAL' if api['statuses'].get('201', 0) == api_db else 'DIFFERENT'}",
        f"form: 302 answers {form['statuses'].get('302', 0)}, reports in the database {form_db}"
        f" -> {'EQUAL' if form['statuses'].get('302', 0) == form_db else 'DIFFERENT'}",
        f"confirmation e-mails: {messages} written, {unsent} not sent after the run",
        f"memory after the load: web worker {web_mb:.0f} MB, Celery worker {worker_mb:.0f} MB",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(opts.output).write_text(text)


if __name__ == "__main__":
    main()
