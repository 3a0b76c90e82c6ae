"""The documented benchmarks in production mode, one after the other, and one summary table.

    make bench                                   # or: python bench/run.py
    make bench N=1000000 DURATION=30 ROUNDS=2
    python bench/run.py --skip-reads             # the load test only
    python bench/run.py --generate --n 100000 --database lapor_bench_100k
    python bench/run.py --skip-load --skip-reads --side-cases healthz,list,drf --side-connections 32

0. ``bench/sidebyside.py``: LAPOR (filing through the API, /healthz, the public list, the
   track page, the inbox) beside a bare DRF create, django-helpdesk 2.x's ticket API (in its
   own virtualenv bench/.venv-helpdesk, made on first use) and a raw psycopg INSERT loop, under
   the same gunicorn layout and PostgreSQL, alternating rounds (``--rounds``), medians, at
   ``--side-connections`` (8 and 64), with ``--paced`` runs at a fixed rate (half the peak).
   About 15 minutes at the defaults with 20-second runs; ``--skip-side`` leaves it out.

1. ``bench/load.py``: gunicorn, a Celery worker, PostgreSQL and Redis in production mode
   (DEBUG off), driven by wrk on this machine: filing through the API and through the web
   form, each beside the ``/healthz`` baseline of the same round (reports/s, p50/p95/p99,
   errors, 201/302 answers against the reports in the database, CPU per filing by process,
   memory of the web and Celery workers after the load). Its own database ``lapor_load`` and
   Redis database 11, made afresh.
2. ``bench/bench_reads.py`` (the read pages at 10k, 1M and 10M reports, the sizes whose
   databases exist, ``--read-databases``) and ``bench/bench_dashboards.py`` (the
   dashboards at 10,000 and at N reports), when the scripts are there and their databases
   exist (``--database``, default ``lapor_bench``, holding N reports; ``--small-database``,
   default ``lapor_bench_10k``). A missing script or database is skipped with the command that
   makes it; ``--generate`` makes a missing database with ``bench/generate_reports.py`` (N
   reports: about half an hour for a million on two cores, so not by default).

Duration: about 30 s of setup, then per round four wrk runs of ``--duration`` seconds (20 by
default) with a wait for the worker's e-mails after each filing run: about three minutes for
one round; the read benchmarks add a few minutes when their databases exist.

Prints the summary and writes it to bench/results/summary.txt; each script also writes its own
table under bench/results/. Needs wrk (apt-get install wrk), PostgreSQL and Redis on
127.0.0.1. Exits non-zero when a benchmark that ran failed."""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PY = sys.executable
READ_SIZES = {"lapor_bench_10k": 10_000, "lapor_bench_1m": 1_000_000, "lapor_bench_10m": 10_000_000}
TARGET_RPS, TARGET_P95_MS = 500, 200  # issue 8: filing through the API


def run(args: list, timeout: int) -> tuple[int, str]:
    args = [str(a) for a in args]
    print("$", " ".join(args), flush=True)
    try:
        done = subprocess.run(
            args, cwd=ROOT, text=True, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return 124, f"timed out after {timeout} s"
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr[-4000:] if done.returncode else "")
    return done.returncode, done.stdout + done.stderr


def psql(database: str, query: str) -> subprocess.CompletedProcess:
    command = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", query]
    return subprocess.run(command, text=True, capture_output=True, check=False)


def database_exists(name: str) -> bool:
    found = psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
    return found.stdout.strip() == "1"


def reports_in(database: str) -> int | None:
    counted = psql(database, "SELECT count(*) FROM complaints_report")
    return int(counted.stdout) if counted.returncode == 0 and counted.stdout.strip() else None


def load_rows(opts) -> tuple[list[tuple], bool]:
    """Runs bench/load.py; returns the summary rows and whether it succeeded."""
    figures_file = Path(tempfile.mkstemp(prefix="lapor-load-", suffix=".json")[1])
    length = ["--duration", opts.duration, "--rounds", opts.rounds]
    code, output = run(
        [PY, BENCH / "load.py", "--json", figures_file, *length],
        timeout=600 + opts.rounds * 8 * opts.duration,
    )
    if code != 0:
        return [("load test (bench/load.py)", "FAILED", output.strip()[-300:], "", "")], False
    figures = json.loads(figures_file.read_text())
    figures_file.unlink()
    rows, ok = [], True
    for name, label in (("api", "filing via API"), ("form", "filing via web form")):
        s = figures["scenarios"][name]
        same = s["ok_answers"] == s["in_database"]
        ok = ok and same and s["failed"] == 0
        cpu = s["cpu_ms"]
        target = ""
        if name == "api":
            met = s["rps"] >= TARGET_RPS and s["p95_ms"] < TARGET_P95_MS and s["failed"] == 0
            target = f">= {TARGET_RPS}/s, p95 < {TARGET_P95_MS} ms: {'met' if met else 'NOT met'}"
        rows.append(
            (
                label,
                f"{s['rps']:.0f} reports/s; p50/p95/p99 {s['p50_ms']:.0f}/{s['p95_ms']:.0f}/"
                f"{s['p99_ms']:.0f} ms; {s['failed']} errors",
                f"/healthz {s['baseline_rps']:.0f}/s",
                f"{s['ratio']:.2f}",
                target,
            )
        )
        rows.append(
            (
                f"  {label}: checks",
                f"{s['ok_answers']} answers = {s['in_database']} reports in the database"
                if same
                else f"DIFFERENT: {s['ok_answers']} answers, {s['in_database']} reports",
                "",
                "",
                "",
            )
        )
        rows.append(
            (
                f"  {label}: CPU per filing",
                f"{cpu['total']:.1f} ms (web {cpu['web']:.1f}, Celery {cpu['celery']:.1f}, "
                f"PostgreSQL {cpu['postgres']:.1f}, wrk {cpu['wrk']:.1f})",
                "",
                "",
                f"at most {s['capacity_rps']:.0f}/s on idle cores",
            )
        )
    checks = figures["checks"]
    ok = ok and checks["unsent"] == 0
    rows.append(
        (
            "confirmation e-mails",
            f"{checks['messages']} written, {checks['unsent']} not sent after the run",
            "",
            "",
            "",
        )
    )
    rows.append(
        (
            "memory after the load",
            f"web worker {checks['web_mb']:.0f} MB, Celery worker {checks['worker_mb']:.0f} MB",
            "",
            "",
            "",
        )
    )
    return rows, ok


def side_rows(opts) -> tuple[list[tuple], list[str], bool]:
    """Runs bench/sidebyside.py; its table goes below the summary."""
    if opts.skip_side:
        return [("side by side", "skipped (--skip-side)", "", "", "")], [], True
    result = RESULTS / "sidebyside.txt"
    args = [PY, BENCH / "sidebyside.py", "--duration", opts.duration, "--rounds", opts.rounds]
    args += ["--cases", opts.side_cases, "--connections", opts.side_connections]
    args += ["--paced"] if opts.paced else []
    started = time.monotonic()
    code, output = run(args, timeout=1800 + opts.rounds * 40 * opts.duration)
    elapsed = time.monotonic() - started
    if code != 0:
        return [("side by side", "FAILED", "", "", "")], [output.strip()[-1500:]], False
    text = f"--- bench/results/sidebyside.txt\n{result.read_text().rstrip()}"
    rows = [
        ("side by side (bench/sidebyside.py)", f"ran in {elapsed:.0f} s: see below", "", "", "")
    ]
    return rows, [text], True


def read_benchmarks(opts) -> tuple[list[tuple], list[str], bool]:
    """Runs bench_reads.py and bench_dashboards.py where they and their databases exist."""
    rows, texts, ok = [], [], True
    if opts.skip_reads:
        return [("read benchmarks", "skipped (--skip-reads)", "", "", "")], texts, ok
    for database, size in ((opts.database, opts.n), (opts.small_database, 10_000)):
        if database_exists(database) or not opts.generate:
            continue
        if not (BENCH / "generate_reports.py").exists():
            continue
        code, _ = run(
            [PY, BENCH / "generate_reports.py", "--database", database, "--n", size, "--fresh"],
            timeout=4 * 3600,
        )
        ok = ok and code == 0
    # The read pages at every size that exists (10k, 1M, 10M: bench_reads.py skips the
    # missing ones itself and compares the others with the smallest).
    present = [d for d in opts.read_databases.split(",") if database_exists(d)]
    plans = [
        ("bench_reads.py", present[:1], ["--databases", ",".join(present)], "reads.txt"),
        (
            "bench_dashboards.py",
            [opts.small_database, opts.database],
            ["--small", opts.small_database, "--large", opts.database],
            "dashboards.txt",
        ),
    ]
    for script, databases, args, result in plans:
        if not (BENCH / script).exists():
            rows.append((script, "skipped: the script is not there yet", "", "", ""))
            continue
        missing = [d for d in databases if not database_exists(d)]
        if not databases:
            missing = opts.read_databases.split(",")
        if missing:
            sizes = {opts.database: opts.n, opts.small_database: 10_000, **READ_SIZES}
            rows.append((script, f"skipped: no database {', '.join(missing)}", "", "", ""))
            texts += [
                f"to run {script}: python bench/generate_reports.py --database {d} "
                f"--n {sizes[d]} --fresh (or: make bench BENCH_ARGS=--generate)"
                for d in missing
            ]
            continue
        counted = reports_in(opts.database)
        if counted is not None and counted < opts.n:
            note = f" (only {counted:,} reports in {opts.database}, N={opts.n:,})"
        else:
            note = ""
        started = time.monotonic()
        code, output = run([PY, BENCH / script, *args], timeout=opts.reads_timeout)
        elapsed = time.monotonic() - started
        ok = ok and code == 0
        state = "ran" if code == 0 else f"FAILED (exit {code})"
        rows.append((script, f"{state} in {elapsed:.0f} s{note}: see below", "", "", ""))
        path = RESULTS / result
        if code == 0 and path.exists():
            texts.append(f"--- bench/results/{result}\n{path.read_text().rstrip()}")
        elif code != 0:
            texts.append(f"--- {script} failed\n{output.strip()[-1500:]}")
    return rows, texts, ok


def table(rows: list[tuple]) -> str:
    head = ("benchmark", "result", "baseline (same run)", "ratio", "target")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(str(h).ljust(w) for h, w in zip(head, widths, strict=True)), line]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(x.rstrip() for x in out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000, help="reports in --database")
    parser.add_argument("--database", default="lapor_bench", help="N reports (read benchmarks)")
    parser.add_argument("--small-database", default="lapor_bench_10k", help="10,000 reports")
    parser.add_argument(
        "--read-databases",
        default=",".join(READ_SIZES),
        help="bench_reads.py's databases, smallest first (the ones that exist are measured)",
    )
    parser.add_argument("--generate", action="store_true", help="make a missing database")
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=1, help="baseline/filing pairs")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-reads", action="store_true")
    parser.add_argument("--skip-side", action="store_true", help="no side-by-side run")
    parser.add_argument("--side-cases", default="healthz,api,list,track,inbox,drf,helpdesk,raw")
    parser.add_argument("--side-connections", default="8,64")
    parser.add_argument("--paced", action="store_true", help="side by side: fixed-rate runs")
    parser.add_argument("--reads-timeout", type=int, default=1200, help="seconds per script")
    parser.add_argument("--output", default=str(RESULTS / "summary.txt"))
    opts = parser.parse_args()
    started = time.monotonic()
    rows, ok = [], True
    if not opts.skip_load:
        load, ok = load_rows(opts)
        rows += load
    side, texts, side_ok = side_rows(opts)
    rows += side
    reads, read_texts, reads_ok = read_benchmarks(opts)
    rows += reads
    texts += read_texts
    reads_ok = reads_ok and side_ok
    minutes = (time.monotonic() - started) / 60
    text = "\n\n".join(
        [
            f"LAPOR benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, production mode, "
            f"{minutes:.1f} minutes (ratios compare with the baseline measured in the same run: "
            "the machine is shared and its speed drifts)",
            table(rows),
            *texts,
        ]
    )
    print("\n" + text)
    Path(opts.output).write_text(text + "\n")
    sys.exit(0 if ok and reads_ok else 1)


if __name__ == "__main__":
    main()
