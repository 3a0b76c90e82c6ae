"""LAPOR beside its baselines, in one run on this machine: alternating rounds, medians.

Cases (``--cases``, in this order in every round):

  healthz   LAPOR GET /healthz (a database and a broker round trip, no page)
  api       LAPOR filing through the API (POST /api/v1/reports/, its Celery worker sending
            each confirmation e-mail)
  list      LAPOR's public list GET /laporan/
  track     LAPOR's track page GET /lacak/<tracking>/ of a published report
  inbox     LAPOR's officer inbox GET /kerja/ (a logged-in officer's session)
  drf       a bare DRF create of a 10-column model (bench/sites/drfsite)
  helpdesk  django-helpdesk 2.x creating a ticket through its DRF API (bench/sites/hdsite, in
            the bench's own virtualenv bench/.venv-helpdesk, made on first use)
  raw       a raw psycopg INSERT loop (one row per transaction) into LAPOR's reports table

Every web case runs under the same gunicorn layout (``--workers`` x ``--threads`` gthread) on
the same PostgreSQL, with persistent connections, driven by wrk on the same machine at each
``--connections`` (default 8 and 64). Per case: rate, p50/p95/p99, errors (connection errors
and 4xx/5xx), CPU ms per request per process group (web = the server's gunicorn processes,
worker = LAPOR's Celery worker until it has sent every e-mail of the run, PostgreSQL = the
backends of the case's database, client = wrk or the INSERT loop), the share of PostgreSQL
backend samples waiting on a lock (pg_stat_activity, wait_event_type = 'Lock', sampled every
0.2 s), the 201s against rows stored, and the load average. Each filing run stops sending
QUIET seconds before its end so that every request sent is answered and counted.

``--paced`` adds an open-loop run of each case at a fixed rate (``--paced-fraction`` of its
best median rate, 0.5 by default) with bench/paced.py: p95 from each request's due time.

VACUUM ANALYZE of every database before each round. PostgreSQL on these machines runs with
autovacuum off: production must run it on (README, "Performance").

    python bench/sidebyside.py                                  # all cases, c8 and c64
    python bench/sidebyside.py --cases healthz,list,drf --connections 32 --duration 10
    python bench/sidebyside.py --rounds 3 --paced               # about half an hour

Writes bench/results/sidebyside.txt (and --json). Its databases are <prefix>_lapor,
<prefix>_drf and <prefix>_helpdesk (``--prefix``, default bench_side), made afresh; LAPOR uses
Redis db ``--redis-db`` (default 11); ports from ``--port`` (three in a row, default free)."""

import argparse
import json
import os
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load

ROOT = load.ROOT
BENCH = ROOT / "bench"
SITES = BENCH / "sites"
PY = sys.executable
HELPDESK_VENV = BENCH / ".venv-helpdesk"
HELPDESK_PINS = ["django-helpdesk==2.6.1", "gunicorn==27.0.1", "psycopg[binary]==3.2.12"]
QUIET = load.QUIET
LOCK_SAMPLE_S = 0.2

LAPOR_BODY = (
    '{"kind":"complaint","title":"Jalan berlubang nomor {n}","description":"Jalan di depan '
    'sekolah berlubang besar dan membahayakan pengendara motor setiap pagi.","province":"32",'
    '"regency":"3273","reporter_name":"Beban Uji","reporter_email":"uji{n}@example.id"}'
)
DRF_BODY = (
    '{"kind":"complaint","title":"Jalan berlubang nomor {n}","description":"Jalan di depan '
    'sekolah berlubang besar dan membahayakan pengendara motor setiap pagi.","province":"32",'
    '"regency":"3273","reporter_name":"Beban Uji","reporter_email":"uji{n}@example.id"}'
)
HELPDESK_BODY = (
    '{"queue":QUEUE,"title":"Jalan berlubang nomor {n}","description":"Jalan di depan sekolah '
    'berlubang besar dan membahayakan pengendara motor setiap pagi.",'
    '"submitter_email":"uji{n}@example.id","priority":3}'
)

# name: (label, server, GET path or None for a POST, table counted for POSTs)
CASES = {
    "healthz": ("LAPOR /healthz", "lapor", "/healthz", None),
    "api": ("LAPOR filing through the API", "lapor", None, "complaints_report"),
    "list": ("LAPOR public list /laporan/", "lapor", "/laporan/", None),
    "track": ("LAPOR track page /lacak/<n>/", "lapor", "/lacak/{tracking}/", None),
    "inbox": ("LAPOR officer inbox /kerja/", "lapor", "/kerja/", None),
    "drf": ("bare DRF create, 10 columns", "drf", None, "drfsite_thing"),
    "helpdesk": ("django-helpdesk 2.x ticket via its API", "helpdesk", None, "helpdesk_ticket"),
    "raw": ("raw psycopg INSERT into the reports table", "raw", None, "complaints_report"),
}
POST_PATHS = {"api": "/api/v1/reports/", "drf": "/things/", "helpdesk": "/api/tickets/"}


def sh(*args, env=None, cwd=ROOT, check=True) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, check=False, capture_output=True, text=True
    )
    if check and done.returncode:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def fresh_database(name: str) -> None:
    sh("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name)
    sh("createdb", "-h", "127.0.0.1", "-U", "postgres", name)


def helpdesk_python() -> Path:
    """The bench's own virtualenv with django-helpdesk (made once, never committed)."""
    python = HELPDESK_VENV / "bin" / "python"
    if not python.exists():
        sh("python3", "-m", "venv", HELPDESK_VENV)
        sh(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *HELPDESK_PINS)
    return python


class Server:
    def __init__(self, name: str, process, port: int, db: str, worker=None):
        self.name, self.process, self.port, self.db, self.worker = name, process, port, db, worker

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        for p in (self.process, self.worker):
            if p is not None:
                p.send_signal(signal.SIGTERM)
        for p in (self.process, self.worker):
            if p is not None:
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()


def wait_up(process, port: int, path: str = "/") -> None:
    for _ in range(150):
        if process.poll() is not None:
            raise SystemExit(f"the server on port {port} exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers (a 404 or 405 at the root is an answer)
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not start")


def gunicorn(python, module: str, port: int, env: dict, opts, cwd) -> subprocess.Popen:
    layout = ["-w", opts.workers, "-k", "gthread", "--threads", opts.threads]
    return subprocess.Popen(
        [str(a) for a in [python, "-m", "gunicorn", module, "-b", f"127.0.0.1:{port}", *layout]]
        + load.GUNICORN,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_lapor(opts, port: int) -> tuple[Server, dict]:
    db = f"{opts.prefix}_lapor"
    env = load.environment(db, opts.redis_db, tempfile.mkdtemp(prefix="lapor-static-"))
    load.prepare(env, db)
    python = PY
    sh(python, "manage.py", "seed_demo", "--reports", opts.seed_reports, env=env)
    fixture = json.loads(sh(python, BENCH / "sidebyside_fixture.py", env=env).strip())
    layout = argparse.Namespace(
        workers=opts.workers, threads=opts.threads, worker_class="gthread", celery=opts.celery
    )
    web, worker = load.start(env, port, layout)
    server = Server("lapor", web, port, db, worker)
    server.env = env
    return server, fixture


def start_drf(opts, port: int) -> Server:
    db = f"{opts.prefix}_drf"
    fresh_database(db)
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "DJANGO_SETTINGS_MODULE": "drfsite.settings",
    }
    env.pop("PYTHONPATH", None)
    sh(PY, "manage.py", "migrate", "--run-syncdb", "-v0", env=env, cwd=SITES)
    process = gunicorn(PY, "drfsite.wsgi", port, env, opts, SITES)
    wait_up(process, port)
    return Server("drf", process, port, db)


def start_helpdesk(opts, port: int) -> tuple[Server, dict]:
    python = helpdesk_python()
    db = f"{opts.prefix}_helpdesk"
    fresh_database(db)
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "DJANGO_SETTINGS_MODULE": "hdsite.settings",
    }
    env.pop("PYTHONPATH", None)
    sh(python, "manage.py", "migrate", "-v0", env=env, cwd=SITES)
    queue, token = sh(python, "hdsite/setup_bench.py", env=env, cwd=SITES).split()
    process = gunicorn(python, "hdsite.wsgi", port, env, opts, SITES)
    wait_up(process, port)
    return Server("helpdesk", process, port, db), {"queue": queue, "token": token}


class LockSampler(threading.Thread):
    """Samples pg_stat_activity of one database: backends active, and waiting on a lock."""

    def __init__(self, db: str):
        super().__init__(daemon=True)
        self.db, self.stop_at = db, None
        self.active = self.waiting = 0
        self.events: dict[str, int] = {}
        self.halt = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 user=postgres dbname={self.db}", autocommit=True
        ) as c:
            while not self.halt.wait(LOCK_SAMPLE_S):
                rows = c.execute(
                    "SELECT wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE datname = %s AND state = 'active' AND pid <> pg_backend_pid()",
                    [self.db],
                ).fetchall()
                self.active += len(rows)
                for kind, event in rows:
                    if kind == "Lock":
                        self.waiting += 1
                        self.events[event] = self.events.get(event, 0) + 1

    def result(self) -> dict:
        self.halt.set()
        self.join(timeout=5)
        share = self.waiting / self.active if self.active else 0.0
        return {"lock_share": share, "lock_events": self.events, "active_samples": self.active}


class Meter:
    """CPU seconds per process group of one server between two snapshots."""

    def __init__(self, server: Server | None, db: str):
        self.server, self.db, self.raw = server, db, server is None

    def snapshot(self) -> dict:
        backends = load.sql(
            self.db,
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{self.db}' "
            "AND pid <> pg_backend_pid()",
        ).split()
        # The client: wrk (a child of this process), or this process for the INSERT loop.
        own = resource.getrusage(resource.RUSAGE_SELF if self.raw else resource.RUSAGE_CHILDREN)
        groups = {
            "postgres": load.cpu_seconds(map(int, backends)),
            "client": {0: own.ru_utime + own.ru_stime},
        }
        if self.server is not None:
            web = self.server.process.pid
            groups["web"] = load.cpu_seconds([web, *load.children(web)])
            worker = self.server.worker
            groups["worker"] = (
                load.cpu_seconds([worker.pid, *load.children(worker.pid)]) if worker else {}
            )
        else:
            groups["web"], groups["worker"] = {}, {}
        return groups

    @staticmethod
    def spent(before: dict, after: dict) -> dict[str, float]:
        return {g: sum(after[g][p] - before[g].get(p, 0.0) for p in after[g]) for g in after}


def raw_insert_loop(db: str, seconds: float) -> dict:
    """Rows of LAPOR's reports table written by one psycopg connection, one INSERT and
    COMMIT each (a copy of a filed report with a new tracking number), for ``seconds``."""
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={db}", autocommit=True) as c:
        backend = c.execute("SELECT pg_backend_pid()").fetchone()[0]
        backend_before = load.cpu_seconds([backend]).get(backend, 0.0)
        names = [  # every column the filing writes (not the id, not generated ones)
            n
            for (n,) in c.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = "
                "'complaints_report' AND is_generated = 'NEVER' AND column_name <> 'id'"
            )
        ]
        cur = c.execute("SELECT * FROM complaints_report ORDER BY id LIMIT 1")
        template = dict(zip([d.name for d in cur.description], cur.fetchone(), strict=True))
        columns = ", ".join(f'"{n}"' for n in names)
        marks = ", ".join(["%s"] * len(names))
        statement = f"INSERT INTO complaints_report ({columns}) VALUES ({marks})"
        tag = secrets.token_hex(3).upper()
        latencies, n, end = [], 0, time.monotonic() + seconds
        while time.monotonic() < end:
            n += 1
            template["tracking"] = f"RAW-{tag}-{n:08d}"
            values = [
                json.dumps(template[k]) if isinstance(template[k], dict | list) else template[k]
                for k in names
            ]
            t = time.monotonic()
            c.execute(statement, values)
            latencies.append((time.monotonic() - t) * 1000)
        # Its backend's CPU, read before the connection closes (the meter sees it no more).
        backend_cpu = load.cpu_seconds([backend]).get(backend, 0.0) - backend_before
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    return {
        "requests": n,
        "rps": n / seconds,
        "errors": 0,
        "statuses": {"201": n},
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "tag": tag,
        "backend_cpu": backend_cpu,
    }


def wrk_run(case: str, ctx: dict, connections: int, duration: int) -> dict:
    server = ctx["servers"][CASES[case][1]]
    path = CASES[case][2]
    if path is not None:
        url = server.base + path.format(tracking=ctx["fixture"]["tracking"])
        cookie = [ctx["fixture"]["cookie"]] if case == "inbox" else []
        return load.wrk(url, "wrk_get.lua", duration, connections, *cookie)
    body = {"api": LAPOR_BODY, "drf": DRF_BODY, "helpdesk": HELPDESK_BODY}[case]
    header = "-"
    if case == "helpdesk":
        body = body.replace("QUEUE", ctx["helpdesk"]["queue"])
        header = f"Authorization: Token {ctx['helpdesk']['token']}"
    return load.wrk(
        server.base + POST_PATHS[case],
        "wrk_post.lua",
        duration,
        connections,
        body,
        header,
        filing=True,
    )


def paced_run(opts, case: str, ctx: dict, rate: float, connections: int) -> dict:
    server = ctx["servers"][CASES[case][1]]
    path = CASES[case][2]
    args = ["--rate", f"{rate:.2f}", "--duration", opts.duration, "--connections", connections]
    if path is not None:
        args += ["--url", server.base + path.format(tracking=ctx["fixture"]["tracking"])]
        if case == "inbox":
            args += ["--cookie", ctx["fixture"]["cookie"]]
    else:
        body = {"api": LAPOR_BODY, "drf": DRF_BODY, "helpdesk": HELPDESK_BODY}[case]
        body = body.replace("{n}", f"{secrets.randbelow(10**6)}9{{n}}")
        if case == "helpdesk":
            body = body.replace("QUEUE", ctx["helpdesk"]["queue"])
            args += ["--header", f"Authorization: Token {ctx['helpdesk']['token']}"]
        args += ["--url", server.base + POST_PATHS[case], "--body", body]
    out = sh(PY, BENCH / "paced.py", *args)
    line = next(x for x in out.splitlines() if x.startswith("PACED_JSON "))
    return json.loads(line.removeprefix("PACED_JSON "))


def measure(opts, case: str, ctx: dict, connections: int, rate: float | None = None) -> dict:
    kind = CASES[case][1]
    server = ctx["servers"].get(kind)
    db = ctx["servers"]["lapor"].db if kind == "raw" else server.db
    meter = Meter(server, db)
    sampler = LockSampler(db)
    sampler.start()
    before = meter.snapshot()
    if case == "raw":
        result = raw_insert_loop(db, opts.duration)
    elif rate is not None:
        result = paced_run(opts, case, ctx, rate, connections)
    else:
        result = wrk_run(case, ctx, connections, opts.duration)
    if case == "api":
        load.wait_for_outbox(db)  # the worker's share: every e-mail of this run sent
    spent = Meter.spent(before, meter.snapshot())
    spent["postgres"] += result.get("backend_cpu", 0.0)
    n = max(result["requests"], 1)
    result["cpu_ms"] = {g: v * 1000 / n for g, v in spent.items()}
    result["cpu_ms"]["total"] = sum(result["cpu_ms"].values())
    result.update(sampler.result())
    bad = result["errors"] + sum(v for k, v in result["statuses"].items() if k[0] in "45")
    result.update(case=case, connections=connections, failed=bad, load=loadavg())
    return result


def vacuum(ctx: dict) -> None:
    for server in ctx["servers"].values():
        load.sql(server.db, "VACUUM ANALYZE")


def checks(ctx: dict, runs: list[dict]) -> dict:
    """201s against rows stored, per creating case (only the bench's own rows: seed_demo
    files some reports through the API too); LAPOR's confirmation e-mails of those reports."""
    out = {}
    lapor = ctx["servers"]["lapor"].db
    if "api" in opts_cases(runs):
        # No beat runs here: a message whose publish was lost waits for the outbox sweep,
        # which production runs every minute. Run it once and count what it had to send.
        unsent = load.wait_for_outbox(lapor, 60)
        if unsent:
            sweep = (
                "from complaints.tasks import outbox_sweep as s; s(limit=10**6, min_age_seconds=0)"
            )
            sh(PY, "manage.py", "shell", "-c", sweep, env=ctx["servers"]["lapor"].env)
            load.wait_for_outbox(lapor, 120)
        out["swept"] = unsent
    mine_sql = "channel = 'api' AND title LIKE 'Jalan berlubang nomor %'"
    where = {
        "api": (lapor, "complaints_report", mine_sql),
        "drf": ("drf", "drfsite_thing", "true"),
        "helpdesk": ("helpdesk", "helpdesk_ticket", "true"),
        "raw": (lapor, "complaints_report", "tracking LIKE 'RAW-%'"),
    }
    for case, (db, table, condition) in where.items():
        mine = [r for r in runs if r["case"] == case]
        if not mine:
            continue
        db = ctx["servers"][db].db if db in ctx["servers"] else db
        stored = int(load.sql(db, f"SELECT count(*) FROM {table} WHERE {condition}"))
        out[case] = {"created": sum(r["statuses"].get("201", 0) for r in mine), "stored": stored}
    if "api" in out:
        row = load.sql(
            lapor,
            "SELECT count(*), count(*) FILTER (WHERE m.state = 'sent'), "
            "count(*) FILTER (WHERE m.attempts > 1), count(DISTINCT m.report_id), "
            f"(SELECT count(*) FROM complaints_report WHERE {mine_sql}) "
            "FROM complaints_outboxmessage m JOIN complaints_report r ON r.id = m.report_id "
            f"WHERE r.{mine_sql.replace(' AND ', ' AND r.')} AND m.channel = 'email'",
        ).split("|")
        out["emails"] = dict(
            zip(
                ("messages", "sent", "retried", "reports", "api_reports"),
                map(int, row),
                strict=True,
            )
        )
    return out


def opts_cases(runs: list[dict]) -> set[str]:
    return {r["case"] for r in runs}


def run_all(opts, ctx: dict) -> list[dict]:
    runs = []
    cases = opts.cases
    # Warm-up: every code path in every process (imports, templates, connections).
    for case in cases:
        if case != "raw":
            result = wrk_run(case, ctx, 4, 3 if CASES[case][2] else 3 + QUIET)
            runs.append({**result, "case": case, "connections": 4, "warmup": True})
    if "api" in cases:
        load.wait_for_outbox(ctx["servers"]["lapor"].db)
    for round_ in range(1, opts.rounds + 1):
        vacuum(ctx)
        for connections in opts.connections:
            for case in cases:
                result = measure(opts, case, ctx, connections)
                result["round"] = round_
                runs.append(result)
                print(
                    f"round {round_} c{connections} {case}: {result['rps']:.1f}/s "
                    f"p95 {result['p95_ms']:.0f} ms, CPU {result['cpu_ms']['total']:.1f} ms, "
                    f"load {result['load']}",
                    flush=True,
                )
    if opts.paced:
        vacuum(ctx)
        for case in cases:
            if case == "raw":
                continue
            best = max(
                statistics.median(
                    r["rps"]
                    for r in runs
                    if r["case"] == case and r["connections"] == c and not r.get("warmup")
                )
                for c in opts.connections
            )
            rate = best * opts.paced_fraction
            result = measure(opts, case, ctx, max(opts.connections), rate=rate)
            result.update(round="paced", paced_rate=rate)
            runs.append(result)
            print(
                f"paced {case} at {rate:.1f}/s: got {result['rps']:.1f}/s, p95 "
                f"{result['p95_ms']:.0f} ms",
                flush=True,
            )
    return runs


def med(rows: list[dict], key) -> float:
    return statistics.median(key(r) for r in rows)


def summarize(opts, runs: list[dict], check: dict, started: float) -> str:
    measured = [r for r in runs if not r.get("warmup") and r["round"] != "paced"]
    lines = [
        f"LAPOR side by side, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"gunicorn {opts.workers}x{opts.threads} gthread for every server, Celery prefork "
        f"{opts.celery}, wrk -t2 -d{opts.duration}s at -c{',-c'.join(map(str, opts.connections))}, "
        f"{opts.rounds} alternating round(s), medians; VACUUM ANALYZE before each round; "
        f"{(time.monotonic() - started) / 60:.1f} minutes. Load average at the start "
        f"{opts.load_at_start}, at the end {loadavg()}.",
        "CPU ms per request: web (the server's gunicorn) / worker (LAPOR's Celery) / "
        "PostgreSQL (its backends) / client (wrk or the INSERT loop). Lock: share of active "
        "PostgreSQL backend samples waiting on a lock (wait_event_type = 'Lock').",
        "",
    ]
    head = (
        f"{'case':<42}{'c':>3}{'rate/s':>9}{'range':>14}{'x DRF':>7}{'x hz':>6}"
        f"{'p50':>7}{'p95':>7}{'p99':>7}{'err':>5}  {'CPU web/worker/pg/client = total':<32}"
        f"{'lock':>6}  load"
    )
    lines.append(head)
    lines.append("-" * len(head))
    for connections in opts.connections:
        at = [r for r in measured if r["connections"] == connections]
        base = {
            c: med([r for r in at if r["case"] == c], lambda r: r["rps"])
            for c in ("drf", "healthz")
            if any(r["case"] == c for r in at)
        }
        for case in opts.cases:
            mine = [r for r in at if r["case"] == case]
            if not mine:
                continue
            rate = med(mine, lambda r: r["rps"])
            cpu = {k: med(mine, lambda r, k=k: r["cpu_ms"][k]) for k in mine[0]["cpu_ms"]}
            ratio_drf = f"{rate / base['drf']:.2f}" if "drf" in base else "-"
            ratio_hz = f"{rate / base['healthz']:.2f}" if "healthz" in base else "-"
            spread = f"{min(r['rps'] for r in mine):.1f}-{max(r['rps'] for r in mine):.1f}"
            lines.append(
                f"{CASES[case][0]:<42}{connections:>3}{rate:>9.1f}{spread:>14}{ratio_drf:>7}"
                f"{ratio_hz:>6}{med(mine, lambda r: r['p50_ms']):>7.0f}"
                f"{med(mine, lambda r: r['p95_ms']):>7.0f}{med(mine, lambda r: r['p99_ms']):>7.0f}"
                f"{sum(r['failed'] for r in mine):>5}  "
                f"{cpu['web']:5.1f}/{cpu['worker']:4.1f}/{cpu['postgres']:4.1f}/"
                f"{cpu['client']:4.1f} = {cpu['total']:5.1f}".ljust(32)
                + f"{med(mine, lambda r: r['lock_share']) * 100:5.1f}%  {mine[-1]['load']}"
            )
        lines.append("")
    paced = [r for r in runs if r.get("round") == "paced"]
    if paced:
        lines.append(
            f"Open loop (bench/paced.py) at {opts.paced_fraction:g} of each case's best median "
            f"rate, {max(opts.connections)} connections, latency from each request's due time:"
        )
        for r in paced:
            lines.append(
                f"  {CASES[r['case']][0]:<42} target {r['paced_rate']:6.1f}/s got "
                f"{r['rps']:6.1f}/s  p50/p95/p99 {r['p50_ms']:.0f}/{r['p95_ms']:.0f}/"
                f"{r['p99_ms']:.0f} ms  errors {r['failed']}  late {r.get('late', 0)}  "
                f"CPU {r['cpu_ms']['total']:.1f} ms  lock {r['lock_share'] * 100:.1f}%"
            )
        lines.append("")
    for case in ("api", "drf", "helpdesk", "raw"):
        if case in check:
            c = check[case]
            verdict = "EQUAL" if c["created"] == c["stored"] else "DIFFERENT"
            unanswered = sum(r["errors"] for r in runs if r["case"] == case)
            lines.append(
                f"{CASES[case][0]}: {c['created']} answered 201, {c['stored']} rows stored "
                f"-> {verdict} ({unanswered} requests without an answer: client timeouts "
                "or closed connections)"
            )
    if "emails" in check:
        e = check["emails"]
        once = e["messages"] == e["reports"] == e["api_reports"] == e["sent"]
        lines.append(
            f"LAPOR confirmation e-mails: {e['messages']} for {e['api_reports']} API reports, "
            f"{e['sent']} sent, {e['retried']} sent after a retry, "
            f"{check.get('swept', 0)} sent only by the outbox sweep (their publish was lost) -> "
            f"{'each once' if once else 'NOT each once'}"
        )
    events = {}
    for r in measured:
        for k, v in r.get("lock_events", {}).items():
            events[f"{r['case']} c{r['connections']} Lock:{k}"] = v
    if events:
        lines.append(
            "lock wait samples: " + ", ".join(f"{k} {v}" for k, v in sorted(events.items()))
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated, in order")
    parser.add_argument("--connections", default="8,64", help="wrk -c values, comma-separated")
    parser.add_argument("--duration", type=int, default=20, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--paced", action="store_true", help="add the fixed-rate runs")
    parser.add_argument("--paced-fraction", type=float, default=0.5)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--celery", type=int, default=2)
    parser.add_argument("--seed-reports", type=int, default=300, help="LAPOR demo reports")
    parser.add_argument("--prefix", default="bench_side", help="database name prefix")
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument("--port", type=int, default=0, help="first of three ports")
    parser.add_argument("--output", default=str(BENCH / "results" / "sidebyside.txt"))
    parser.add_argument("--json", help="also write every run's figures here")
    opts = parser.parse_args()
    opts.cases = [c.strip() for c in opts.cases.split(",") if c.strip()]
    unknown = [c for c in opts.cases if c not in CASES]
    if unknown:
        parser.error(f"unknown cases: {', '.join(unknown)} (known: {', '.join(CASES)})")
    opts.connections = [int(c) for c in opts.connections.split(",")]
    opts.load_at_start = loadavg()
    started = time.monotonic()
    ports = [opts.port + i for i in range(3)] if opts.port else [load.free_port() for _ in "abc"]
    kinds = {CASES[c][1] for c in opts.cases}
    ctx: dict = {"servers": {}}
    try:
        server, ctx["fixture"] = start_lapor(opts, ports[0])
        ctx["servers"]["lapor"] = server
        if "drf" in kinds:
            ctx["servers"]["drf"] = start_drf(opts, ports[1])
        if "helpdesk" in kinds:
            server, ctx["helpdesk"] = start_helpdesk(opts, ports[2])
            ctx["servers"]["helpdesk"] = server
        runs = run_all(opts, ctx)
        check = checks(ctx, runs)
    finally:
        for server in ctx["servers"].values():
            server.stop()
    text = summarize(opts, runs, check, started)
    print(text)
    Path(opts.output).write_text(text)
    if opts.json:
        Path(opts.json).write_text(json.dumps({"runs": runs, "checks": check}, default=str))


if __name__ == "__main__":
    main()
