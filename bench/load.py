"""Load test of LAPOR in production mode on this machine's loopback.

Starts gunicorn and a Celery worker against PostgreSQL and Redis (DEBUG off, JSON logs,
persistent database connections), then drives them with wrk:

  1. baseline: GET /healthz (a database and broker round trip, no page) under the same load;
  2. filing through the API (POST /api/v1/reports/);
  3. filing through the web form (POST /lapor/ with a CSRF token);

and checks that the reports in the database equal the 201 (API) and 302 (form) answers, that
every confirmation e-mail was sent once, and reads the memory of the web and Celery workers.

The machine is shared and its speed drifts, so each filing run is compared with the baseline
run just before it (``--rounds`` repeats the pair and reports medians), and the CPU each
request cost is measured per process group: gunicorn, the Celery worker (until it has sent
every e-mail of the run), the PostgreSQL backends of this database, and wrk. CPU time spent
is not inflated by other jobs the way throughput is deflated, and ``2 cores / CPU per request``
is the rate this machine could reach with nothing else running.

Prints a table and writes it to bench/results/load.txt (``--json`` also writes the figures
for bench/run.py).

    python bench/load.py                                   # 20 s per run, 32 connections
    python bench/load.py --duration 30 --rounds 3          # three baseline/filing pairs
    python bench/load.py --workers 2 --threads 8            # gunicorn layout
    python bench/load.py --scenarios api --no-batch         # API only, one publish per e-mail

Needs: wrk (apt-get install wrk), PostgreSQL and Redis on 127.0.0.1. Uses its own database
(lapor_load) and Redis database 11, created afresh each run."""

import argparse
import json
import os
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TICK = os.sysconf("SC_CLK_TCK")
QUIET = 3  # seconds at the end of a filing run with no new requests: none is left in flight


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


GUNICORN = ["--keep-alive", "5", "--log-level", "warning"]
CELERY = ["--pool=prefork", "--without-gossip", "--without-mingle", "--loglevel=WARNING"]


def start(env: dict, port: int, opts) -> tuple:
    layout = ["-w", str(opts.workers), "-k", opts.worker_class]
    if opts.worker_class == "gthread":
        layout += ["--threads", str(opts.threads)]
    web = subprocess.Popen(
        [PY, "-m", "gunicorn", "lapor.wsgi", "-b", f"127.0.0.1:{port}", *layout, *GUNICORN],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [PY, "-m", "celery", "-A", "lapor", "worker", f"--concurrency={opts.celery}", *CELERY],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if web.poll() is not None:  # the port was taken, say
            worker.kill()
            raise SystemExit(f"gunicorn exited with {web.returncode}")
        try:
            answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
        except OSError:
            time.sleep(0.3)
            continue
        if answer.headers.get("Server", "").startswith("gunicorn"):
            return web, worker
        raise SystemExit(f"another server answers on port {port}")
    raise SystemExit("gunicorn did not start")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wrk(url: str, script: str, duration: int, connections: int, *args, filing=False) -> dict:
    extra = [str(duration - QUIET)] if filing else []
    out = sh(
        "wrk",
        f"-t{min(2, connections)}",
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


def children(pid: int) -> list[int]:
    return [*map(int, sh("pgrep", "-P", str(pid), check=False, capture=True).stdout.split())]


def cpu_seconds(pids) -> dict[int, float]:
    """{pid: user + system CPU seconds so far} (processes that are gone are left out)."""
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / TICK
    return seconds


class CpuMeter:
    """CPU seconds used by each process group between two snapshots."""

    def __init__(self, web: int, worker: int, db: str):
        self.web, self.worker, self.db = web, worker, db

    def snapshot(self) -> dict:
        backends = sql(
            self.db,
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{self.db}' "
            "AND pid <> pg_backend_pid()",
        ).split()
        own = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "web": cpu_seconds([self.web, *children(self.web)]),
            "celery": cpu_seconds([self.worker, *children(self.worker)]),
            "postgres": cpu_seconds(map(int, backends)),
            "wrk": {0: own.ru_utime + own.ru_stime},  # wrk, psql and pgrep: this script's children
        }

    @staticmethod
    def spent(before: dict, after: dict) -> dict[str, float]:
        return {
            group: sum(after[group][p] - before[group].get(p, 0.0) for p in after[group])
            for group in after
        }


def rss_mb(pid: int) -> float:
    """Resident memory of the largest child (a gunicorn or Celery worker process)."""
    worst = 0.0
    for p in children(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except FileNotFoundError:
            continue
        worst = max(worst, int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return worst


class LockWaits:
    """Samples pg_stat_activity every 0.2 s while a run goes on (from its own connection to
    another database, so it is not counted in this database's backends): the share of this
    database's open transactions (active or idle in transaction) waiting on a lock."""

    def __init__(self, db: str):
        import threading

        self.db, self.samples, self.stop = db, [], threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
            while not self.stop.wait(0.2):
                self.samples.append(
                    c.execute(
                        "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), count(*) "
                        "FROM pg_stat_activity WHERE datname = %s "
                        "AND state IN ('active', 'idle in transaction')",
                        [self.db],
                    ).fetchone()
                )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def percent(self) -> float:
        waiting, open_ = (sum(column) for column in zip(*self.samples, strict=True))
        return 100 * waiting / open_ if open_ else 0.0


def wait_for_outbox(db: str, seconds: int = 120) -> int:
    """Waits until the worker has sent every e-mail; returns how many are left unsent."""
    unsent = 0
    for _ in range(seconds * 2):
        unsent = int(sql(db, "SELECT count(*) FROM complaints_outboxmessage WHERE state <> 'sent'"))
        if unsent == 0:
            break
        time.sleep(0.5)
    return unsent


SCENARIOS = {
    # name: (label, path, wrk script, channel in the database, success status)
    "api": ("file via API", "/api/v1/reports/", "wrk_file_api.lua", "api", "201"),
    "form": ("file via web form", "/lapor/", "wrk_file_form.lua", "web", "302"),
}


def run(opts, meter: CpuMeter, base: str) -> list[dict]:
    """Baseline, then each filing scenario, ``opts.rounds`` times. One dict per wrk run."""
    runs = []
    # Warm up every code path in every process first (imports, templates, connections): a
    # few hundred requests would otherwise carry seconds of first-use CPU.
    wrk(f"{base}/healthz", "wrk_get.lua", 3, opts.connections)
    for name in opts.scenarios:
        label, path, script, _channel, _ok = SCENARIOS[name]
        args = csrf(opts.port) if name == "form" else ()
        result = wrk(f"{base}{path}", script, 3 + QUIET, opts.connections, *args, filing=True)
        runs.append({**result, "scenario": f"warm-up {label}", "round": 0, "pair": name})
    wait_for_outbox(opts.database)
    for round_ in range(1, opts.rounds + 1):
        for name in opts.scenarios:
            label, path, script, _channel, _ok = SCENARIOS[name]
            before = meter.snapshot()
            result = wrk(f"{base}/healthz", "wrk_get.lua", opts.duration, opts.connections)
            runs.append(
                {**result, "scenario": "baseline GET /healthz", "round": round_, "pair": name}
            )
            runs[-1]["cpu"] = meter.spent(before, meter.snapshot())
            args = csrf(opts.port) if name == "form" else ()
            before = meter.snapshot()
            with LockWaits(opts.database) as locks:
                result = wrk(
                    f"{base}{path}", script, opts.duration, opts.connections, *args, filing=True
                )
            wait_for_outbox(opts.database)  # the worker's share: every e-mail of this run
            runs.append({**result, "scenario": label, "round": round_, "pair": name})
            runs[-1]["lock_wait_pct"] = locks.percent()
            runs[-1]["cpu"] = meter.spent(before, meter.snapshot())
    return runs


def summarize(opts, runs: list[dict], checks: dict) -> tuple[str, dict]:
    head = (
        f"LAPOR load test, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"gunicorn {opts.workers}x"
        f"{opts.threads if opts.worker_class == 'gthread' else 1} {opts.worker_class}, "
        f"Celery prefork {opts.celery}, outbox batch "
        f"{'off' if opts.no_batch else os.environ.get('LAPOR_OUTBOX_BATCH_MS', '50') + ' ms'}, "
        f"wrk -t2 -c{opts.connections} -d{opts.duration}s x {opts.rounds} round(s) "
        "(load generator on the same machine; the machine is shared)"
    )
    lines = [
        head,
        "",
        f"{'scenario':<24}{'round':>6}{'req/s':>8}{'ratio':>7}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'errors':>7}   CPU ms per request: web celery postgres wrk = total",
    ]
    baseline = None
    for r in [r for r in runs if r["round"] > 0]:
        if r["scenario"].startswith("baseline"):
            baseline = r["rps"]
        r["ratio"] = r["rps"] / baseline if baseline else 0.0
        n = max(r["requests"], 1)
        cpu = {k: v * 1000 / n for k, v in r["cpu"].items()}
        r["cpu_ms"] = {**cpu, "total": sum(cpu.values())}
        bad = r["errors"] + sum(v for k, v in r["statuses"].items() if k[0] in "45")
        r["failed"] = bad
        lines.append(
            f"{r['scenario']:<24}{r['round']:>6}{r['rps']:>8.1f}{r['ratio']:>7.2f}"
            f"{r['p50_ms']:>8.1f}{r['p95_ms']:>8.1f}{r['p99_ms']:>8.1f}{bad:>7}   "
            f"{cpu['web']:5.2f} {cpu['celery']:5.2f} {cpu['postgres']:5.2f} {cpu['wrk']:4.2f}"
            f" = {r['cpu_ms']['total']:5.2f}"
            + (f"   lock waits {r['lock_wait_pct']:.1f} %" if "lock_wait_pct" in r else "")
        )
    figures = {"options": vars(opts), "runs": runs, "checks": checks, "scenarios": {}}
    lines.append("")
    for name in opts.scenarios:
        label = SCENARIOS[name][0]
        mine = [r for r in runs if r["scenario"] == label]
        bases = [r for r in runs if r["pair"] == name and r["scenario"].startswith("baseline")]
        total = statistics.median(r["cpu_ms"]["total"] for r in mine)
        summary = {
            "rps": statistics.median(r["rps"] for r in mine),
            "baseline_rps": statistics.median(r["rps"] for r in bases),
            "ratio": statistics.median(r["ratio"] for r in mine),
            "p50_ms": statistics.median(r["p50_ms"] for r in mine),
            "p95_ms": statistics.median(r["p95_ms"] for r in mine),
            "p99_ms": statistics.median(r["p99_ms"] for r in mine),
            "failed": sum(r["failed"] for r in mine),
            "cpu_ms": {
                k: statistics.median(r["cpu_ms"][k] for r in mine) for k in mine[0]["cpu_ms"]
            },
            "capacity_rps": (os.cpu_count() or 1) * 1000 / total if total else 0.0,
            **checks[name],
        }
        figures["scenarios"][name] = summary
        lines.append(
            f"{label}: {summary['rps']:.1f}/s, {summary['ratio']:.2f} of /healthz "
            f"({summary['baseline_rps']:.1f}/s) in the same round (median of {len(mine)}); "
            f"{summary['cpu_ms']['total']:.1f} ms of CPU per filing, so at most "
            f"{summary['capacity_rps']:.0f}/s on {os.cpu_count()} idle cores"
        )
        lines.append(
            f"  {summary['ok_answers']} answers {SCENARIOS[name][4]}, reports in the database "
            f"{summary['in_database']} -> "
            f"{'EQUAL' if summary['ok_answers'] == summary['in_database'] else 'DIFFERENT'}"
        )
    health = [r for r in runs if r["scenario"].startswith("baseline")]
    lines += [
        f"/healthz: {statistics.median(r['cpu_ms']['total'] for r in health):.1f} ms of CPU "
        "per request (web + postgres + wrk)",
        f"confirmation e-mails: {checks['messages']} written, {checks['unsent']} not sent "
        "after the run",
        f"memory after the load: web worker {checks['web_mb']:.0f} MB, Celery worker "
        f"{checks['worker_mb']:.0f} MB",
    ]
    return "\n".join(lines) + "\n", figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=1, help="baseline/filing pairs")
    parser.add_argument("--scenarios", default="api,form", help="api, form or both")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--celery", type=int, default=2, help="Celery worker processes")
    parser.add_argument(
        "--no-batch", action="store_true", help="one broker publish per e-mail (no batching)"
    )
    parser.add_argument("--database", default="lapor_load")
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "load.txt"))
    parser.add_argument("--json", help="also write the figures to this file")
    opts = parser.parse_args()
    opts.scenarios = [s.strip() for s in opts.scenarios.split(",") if s.strip()]
    opts.port = opts.port or free_port()
    static_root = tempfile.mkdtemp(prefix="lapor-static-")
    env = environment(opts.database, opts.redis_db, static_root)
    if opts.no_batch:
        env["LAPOR_OUTBOX_BATCH_MS"] = "0"
    prepare(env, opts.database)
    web, worker = start(env, opts.port, opts)
    try:
        runs = run(
            opts, CpuMeter(web.pid, worker.pid, opts.database), f"http://127.0.0.1:{opts.port}"
        )
        checks = {
            "unsent": wait_for_outbox(opts.database),
            "messages": int(sql(opts.database, "SELECT count(*) FROM complaints_outboxmessage")),
            "web_mb": rss_mb(web.pid),
            "worker_mb": rss_mb(worker.pid),
        }
        for name in opts.scenarios:
            label, _path, _script, channel, ok = SCENARIOS[name]
            checks[name] = {
                "ok_answers": sum(
                    r["statuses"].get(ok, 0) for r in runs if r["scenario"].endswith(label)
                ),
                "in_database": int(
                    sql(
                        opts.database,
                        f"SELECT count(*) FROM complaints_report WHERE channel = '{channel}'",
                    )
                ),
            }
    finally:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    text, figures = summarize(opts, runs, checks)
    print(text)
    Path(opts.output).write_text(text)
    if opts.json:
        Path(opts.json).write_text(json.dumps(figures, indent=1, default=str))


if __name__ == "__main__":
    main()
