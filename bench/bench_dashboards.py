"""Server time of the dashboards at 10,000 and at 1,000,000 reports, on PostgreSQL.

Both databases come from bench/generate_reports.py (the same reference data, so the same
agency ids):

    python bench/generate_reports.py --database lapor_bench_10k --n 10000 --fresh
    python bench/generate_reports.py --database lapor_bench --n 1000000 --fresh
    python bench/bench_dashboards.py --small lapor_bench_10k --large lapor_bench

Times the national dashboard (/pantau/) and a province page (/pantau/provinsi/32/, Jawa
Barat, the province with the most reports) in-process with Django's test client, as a
national admin, with production-like settings (DEBUG off, persistent connections, Redis
cache), for the default period (this year), the last 12 months and a 365-day range that
starts and ends mid-month (whole years, months and days are all read). The baseline is
/healthz (one database and one Redis round trip) in the same run. The two databases are
measured in alternating rounds so that both see the same load on this shared machine; after
each switch a few unmeasured requests warm the connection. Prints p50/p95, the statements per
page, the CPU per request (Django's process and its PostgreSQL backend: steadier than time on a
busy machine), and the ratio of the larger figure to the smaller; writes
bench/results/dashboards.txt (``--out`` for another file, e.g. the 10M run's):

    python bench/bench_dashboards.py --small lapor_bench_10k --large lapor_bench_10m \
        --out bench/results/dashboards_10m.txt
"""

import argparse
import datetime as dt
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REDIS = "redis://127.0.0.1:6379/1"


def setup_env(database: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", REDIS),
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "LAPOR_LOG_LEVEL": "WARNING",
            "LAPOR_REQUEST_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "lapor.settings",
            "LAPOR_TESTING": "1",  # plain static storage: no collectstatic needed
            # No parallel workers: the backend's CPU is then all the server CPU a page costs
            # (a worker's would be missed); at 1M reports they made no page faster.
            "PGOPTIONS": "-c max_parallel_workers_per_gather=0",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from core.warmup import freeze_startup_objects

    freeze_startup_objects()  # as lapor/wsgi.py does in gunicorn


def use_database(name: str) -> None:
    """Points the default connection at another database (closed first, reopened on use)."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def staff_user(kind: str, agency=None):
    """A user with one role (created once per database, reused by later runs)."""
    from agencies.models import Role, User
    from agencies.services import role_grant

    username = f"bench-{kind}-{agency.pk if agency else 'all'}@bench.lapor.test"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=secrets.token_urlsafe(12))
        role_grant(user=user, kind=getattr(Role.Kind, kind.upper()), agency=agency)
    return user


def second_factor(client, user) -> None:
    """National admins reach no staff page before the second factor (agencies.twofactor):
    the session is marked as having given it, as tests.factories.otp_verify does."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _backend_cpu_ns() -> tuple[int, int]:
    """(pid, nanoseconds on a CPU so far) of this connection's PostgreSQL backend, from
    /proc/<pid>/schedstat (the server runs on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        return pid, int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except OSError:  # another machine's server: no backend CPU
        return pid, 0


def timed(client, url: str, runs: int) -> tuple[list[float], int, list[float]]:
    """Server times in ms of ``runs`` requests (after one unmeasured), the number of SQL
    statements one request runs, and the CPU each request cost in ms: this process's (Django)
    plus its PostgreSQL backend's. CPU time barely moves when other work shares the machine,
    where wall time does."""
    from django.db import connection

    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    out, cpu = [], []
    for _ in range(runs):
        pid, backend = _backend_cpu_ns()
        own = time.process_time()
        started = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - started) * 1000)
        own = time.process_time() - own
        assert response.status_code == 200, (url, response.status_code)
        pid_after, backend_after = _backend_cpu_ns()
        if pid_after == pid:  # the same connection served the request
            cpu.append(own * 1000 + (backend_after - backend) / 1e6)
    return out, len(statements), cpu


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def p50(values: list[float]) -> float:
    return statistics.median(values)


def periods(today: dt.date) -> dict[str, str]:
    end = today - dt.timedelta(days=16)
    if end.day == 1 or end.day > 27:
        end = end.replace(day=15)
    start = end - dt.timedelta(days=364)
    return {
        "default (this year)": "",
        "last 12 months": "?period=12m",
        f"{start:%Y-%m-%d}..{end:%Y-%m-%d}": (
            f"?period=custom&start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
        ),
    }


def dashboard_urls() -> dict[str, str]:
    from django.urls import reverse
    from django.utils import timezone

    pages = {
        "national /pantau/": reverse("monitoring:national"),
        "province Jawa Barat": reverse("monitoring:province", args=["32"]),
    }
    return {
        f"{page}, {label}": url + query
        for page, url in pages.items()
        for label, query in periods(timezone.localdate()).items()
    }


def measure(databases: list[str], urls: dict[str, str], runs: int, rounds: int) -> dict:
    """{database: {name: ([ms...], statements)}}, databases alternating ``rounds`` times."""
    from django.test import Client

    results: dict = {db: {} for db in databases}
    per_round = max(1, runs // rounds)
    for _round in range(rounds):
        for db in databases:
            use_database(db)
            client = Client()
            admin = staff_user("national_admin")
            client.force_login(admin)
            second_factor(client, admin)
            for _ in range(3):
                client.get("/healthz")
            for name, url in {"baseline /healthz": "/healthz", **urls}.items():
                times, statements, cpu = timed(client, url, per_round)
                have = results[db].setdefault(name, ([], statements, []))
                have[0].extend(times)
                have[2].extend(cpu)
    return results


def size_label(n: int) -> str:
    """10,000 -> 10k, 1,000,000 -> 1M, 10,000,000 -> 10M (a generated database's size)."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.3g}M"
    return f"{n / 1_000:.3g}k" if n >= 1_000 else str(n)


def table(title: str, small: str, large: str, results: dict, counts: dict) -> str:
    s, g = size_label(counts[small]), size_label(counts[large])
    lines = [
        title,
        "",
        f"{'page, period':<48}{'SQL':>5}{s + ' p50':>9}{s + ' p95':>9}{g + ' p50':>9}"
        f"{g + ' p95':>9}{f'p50 {g}/{s}':>12}{f'p95 {g}/{s}':>12}{'CPU ' + s:>9}"
        f"{'CPU ' + g:>9}{f'CPU {g}/{s}':>12}",
    ]
    for name in results[small]:
        a, statements, cpu_a = results[small][name]
        b, statements_large, cpu_b = results[large][name]
        sql = (
            f"{statements}"
            if statements == statements_large
            else f"{statements}/{statements_large}"
        )
        ca, cb = p50(cpu_a or [0]), p50(cpu_b or [0])
        lines.append(
            f"{name:<48}{sql:>5}{p50(a):>9.1f}{p95(a):>9.1f}{p50(b):>9.1f}{p95(b):>9.1f}"
            f"{p50(b) / p50(a):>12.2f}{p95(b) / p95(a):>12.2f}{ca:>9.1f}{cb:>9.1f}"
            f"{(cb / ca if ca else 0):>12.2f}"
        )
    lines.append("")
    lines.append(
        f"{s} = {small} ({counts[small]:,} reports), {g} = {large} ({counts[large]:,} reports). "
        "Times in ms, server time in-process; SQL = statements per request; CPU = median CPU "
        "ms per request of the Django process and its PostgreSQL backend together "
        "(/proc/<pid>/schedstat), which other load on the machine moves far less than time."
    )
    return "\n".join(lines) + "\n"


def report_counts(databases: list[str]) -> dict[str, int]:
    from complaints.models import Report

    counts = {}
    for db in databases:
        use_database(db)
        counts[db] = Report.objects.count()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", default="lapor_bench_10k")
    parser.add_argument("--large", default="lapor_bench")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "dashboards.txt"))
    opts = parser.parse_args()
    setup_env(opts.small)
    databases = [opts.small, opts.large]
    counts = report_counts(databases)
    results = measure(databases, dashboard_urls(), opts.runs, opts.rounds)
    title = (
        f"Dashboards at {size_label(counts[opts.small])} and {size_label(counts[opts.large])} "
        f"reports, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, PostgreSQL, "
        f"{opts.runs} requests each per database (in {opts.rounds} alternating rounds), "
        "in-process, DEBUG off, persistent connection; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end (a shared machine)"
    )
    text = table(title, opts.small, opts.large, results, counts)
    print(text)
    Path(opts.out).write_text(text)


if __name__ == "__main__":
    main()
