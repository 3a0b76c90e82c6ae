"""Benchmark of the officers' inbox with 100,000 reports in one agency, on PostgreSQL.

Fills a throwaway database (lapor_bench_inbox) with N reports held by Pemerintah Kota Bandung
and its units (bulk inserts), then times the inbox page in-process (Django test client, DEBUG
off, persistent connection) for common views: the first page, a status filter, overdue,
unassigned, a text search, a deep page. Beside it, in the same run, the baseline: the same
client on /healthz (one database and one Redis round trip). Prints p50/p95 and the ratio to
the baseline, and writes bench/results/inbox.txt.

    python bench/bench_inbox.py --n 100000
"""

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "lapor_bench_inbox"


def setup_env(db: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
            "REDIS_URL": "redis://127.0.0.1:6379/13",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "LAPOR_LOG_LEVEL": "WARNING",
            "LAPOR_REQUEST_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "lapor.settings",
            "LAPOR_TESTING": "1",  # plain static storage: no collectstatic needed
        }
    )
    sys.path.insert(0, str(ROOT))


def fill(n: int) -> None:
    from django.utils import timezone

    from agencies.models import Agency
    from complaints.models import Report, ReportEvent
    from complaints.tracking import generate

    city = Agency.objects.get(slug="pemkot-3273")
    holders = [city, *Agency.objects.filter(parent=city)]
    rng = random.Random(1)
    statuses = ["dispatched"] * 3 + ["in_progress"] * 4 + ["resolved"] * 2 + ["closed"] * 3
    now = timezone.now()
    batch = []
    words = ["jalan", "sampah", "air", "listrik", "puskesmas", "sekolah", "pungli", "banjir"]
    for i in range(n):
        holder = rng.choice(holders)
        created = now - timezone.timedelta(minutes=rng.randint(0, 60 * 24 * 365))
        batch.append(
            Report(
                tracking=generate(),
                kind="complaint",
                title=f"Laporan {rng.choice(words)} nomor {i}",
                description="Uraian laporan untuk uji beban kotak masuk petugas. " * 3,
                province_id="32",
                regency_id="3273",
                reporter_name="Warga",
                channel="web",
                status=rng.choice(statuses),
                agency=holder,
                owner_agency=city,
                agency_path=holder.path,
                created_at=created,
                dispatched_at=created,
                response_due=created + timezone.timedelta(days=7),
                resolution_due=created + timezone.timedelta(days=60),
            )
        )
        if len(batch) == 5000:
            Report.objects.bulk_create(batch)
            batch = []
    Report.objects.bulk_create(batch)
    first = Report.objects.order_by("pk").values_list("pk", flat=True)[:500]
    ReportEvent.objects.bulk_create(
        [ReportEvent(report_id=pk, action="submit", to_status="submitted") for pk in first]
    )


def timings(client, url: str, runs: int) -> list[float]:
    client.get(url)  # warm
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="reuse the database if filled")
    opts = parser.parse_args()
    setup_env(DB)
    if not opts.keep:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True
        )
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from agencies.models import Agency, Role
    from agencies.services import role_grant
    from complaints.models import Report
    from tests.factories import PASSWORD, make_user

    call_command("migrate", verbosity=0)
    if not opts.keep:
        call_command("load_reference", "--no-districts", verbosity=0)
        started = time.perf_counter()
        fill(opts.n)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"filled {opts.n} reports in {time.perf_counter() - started:.0f} s")
    city = Agency.objects.get(slug="pemkot-3273")
    officer = make_user(username=f"bench-{secrets.token_hex(4)}@example.id")
    role_grant(user=officer, kind=Role.Kind.AGENCY_ADMIN, agency=city)
    client = Client()
    assert client.login(username=officer.username, password=PASSWORD)
    count = Report.objects.filter(owner_agency=city).count()
    views = {
        "inbox, first page": "/kerja/",
        "status = in progress": "/kerja/?status=in_progress",
        "overdue": "/kerja/?overdue=true",
        "unassigned": "/kerja/?assigned=none",
        "search 'puskesmas'": "/kerja/?q=puskesmas",
        "page 200": "/kerja/?page=200",
    }
    base = timings(client, "/healthz", opts.runs)
    lines = [
        f"Inbox benchmark, {time.strftime('%Y-%m-%d %H:%M')}, PostgreSQL, {count} reports in "
        f"one agency, {opts.runs} requests each, in-process (server time only)",
        "",
        f"{'view':<26}{'p50 ms':>9}{'p95 ms':>9}{'p95 / baseline':>16}",
        f"{'baseline /healthz':<26}{statistics.median(base):>9.1f}{p95(base):>9.1f}{1:>16.1f}",
    ]
    for name, url in views.items():
        t = timings(client, url, opts.runs)
        lines.append(
            f"{name:<26}{statistics.median(t):>9.1f}{p95(t):>9.1f}{p95(t) / p95(base):>16.1f}"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "results" / "inbox.txt").write_text(text)


if __name__ == "__main__":
    main()
