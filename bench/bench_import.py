"""The backfill of a regional system's archive (issue 19), beside two baselines measured in the
same run on the same database (this machine's speed drifts, so only ratios are comparable):

  import         ``manage.py import_reports`` of N archived reports (bench/make_archive.py):
                 each record in its own transaction through the status machine, every step an
                 audit event, the dashboards' summaries kept at each step
  API create     POST /api/v1/agency/filings/ in-process (the API's own create: one report,
                 always "submitted", no history), the same agency's key
  raw INSERT     one INSERT per report through the same connection, autocommit

Then ``rebuild_summaries --check`` (the dashboards agree with a rebuild from the reports) and
the resumed run (the same archive again: everything skipped).

    python bench/bench_import.py --n 10000 --baseline 1000

Its own database (``lapor_bench_import``, made afresh); on the Redis database ``--redis-db``
(13) its keys and queues carry the prefix ``bench-import`` (LAPOR_CACHE_PREFIX and
LAPOR_BROKER_PREFIX), so it can run beside the tests.
Writes bench/results/import.txt."""

import argparse
import io
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10000, help="archived reports to import")
    parser.add_argument("--baseline", type=int, default=1000, help="reports per baseline")
    parser.add_argument("--database", default="lapor_bench_import")
    parser.add_argument("--redis-db", default="13")
    parser.add_argument(
        "--resume",
        metavar="ARCHIVE",
        help="keep the database and go on with this archive (a run cut short: the import "
        "skips what is in and brings the rest; the figures are then the resumed run's)",
    )
    opts = parser.parse_args()
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{opts.database}",
            "REDIS_URL": f"redis://127.0.0.1:6379/{opts.redis_db}",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "LAPOR_LOG_LEVEL": "WARNING",
            "LAPOR_REQUEST_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "lapor.settings",
            "LAPOR_TESTING": "1",
            "LAPOR_CACHE_PREFIX": "bench-import",
            "LAPOR_BROKER_PREFIX": "bench-import:",
        }
    )
    sys.path.insert(0, str(ROOT))
    pg = ["-h", "127.0.0.1", "-U", "postgres"]
    if not opts.resume:
        subprocess.run(["dropdb", *pg, "--if-exists", opts.database], check=True)
        subprocess.run(["createdb", *pg, opts.database], check=True)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.test import APIClient

    from agencies.models import Agency
    from complaints.models import Report, ReportEvent
    from complaints.tracking import generate
    from integrations.services import apikey_issue

    call_command("migrate", verbosity=0)
    if not opts.resume:
        call_command("load_reference", "--no-districts", verbosity=0)
    settings.LAPOR_RATE_LIMITS = {k: (10**9, 60) for k in settings.LAPOR_RATE_LIMITS}
    agency = Agency.objects.get(slug="pemkot-3273")

    if opts.resume:
        archive = Path(opts.resume)
    else:
        archive = Path(tempfile.mkstemp(prefix="lapor-archive-", suffix=".jsonl")[1])
        _write_archive(opts.n, archive)

    def run_import() -> tuple[float, str]:
        out = io.StringIO()
        started = time.perf_counter()
        call_command("import_reports", str(archive), agency=agency.slug, stdout=out)
        return time.perf_counter() - started, out.getvalue().strip().splitlines()[-1]

    before, already = ReportEvent.objects.count(), Report.objects.count()
    import_s, import_line = run_import()
    events = ReportEvent.objects.count() - before
    imported = Report.objects.count() - already
    statuses = dict(
        Report.objects.values_list("status").annotate(n=django.db.models.Count("id")).order_by()
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    check = io.StringIO()
    try:
        call_command("rebuild_summaries", check=True, stdout=check)
        agree = check.getvalue().strip().splitlines()[-1]
    except Exception as exc:  # the disagreement is the finding: print it, fail the run
        agree = f"DISAGREE: {exc}"
    check_s = time.perf_counter() - started

    resume_s, resume_line = run_import()

    key = apikey_issue(agency=agency, name="bench")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw}")

    def api_create(i):
        body = {
            "external_id": f"BASE-{i}",
            "kind": "complaint",
            "title": f"Jalan berlubang nomor {i}",
            "description": "Jalan di depan sekolah berlubang besar dan membahayakan pengendara.",
            "province": "32",
            "regency": "3273",
            "reporter_name": "Beban Uji",
            "reporter_phone": f"0812{abs(i):08d}",
        }
        answer = client.post("/api/v1/agency/filings/", body, format="json", secure=True)
        assert answer.status_code == 201, answer.content

    def raw_insert(i):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO complaints_report (tracking, kind, title, description, province_id,"
                " address, is_anonymous, is_confidential, reporter_name, reporter_email,"
                " reporter_phone, reporter_secret, channel, status, agency_path,"
                " routing_explanation, category_confirmed, needs_triage_decision, created_at,"
                " updated_at, extended, ombudsman_visible, ombudsman_consent, transfer_count,"
                " reopen_count, support_count, version, show_name, ombudsman_share_identity)"
                " VALUES (%s, 'complaint', %s, %s, '32', '', false, false, '', '', '', %s,"
                " 'web', 'submitted', '', '', false, false, now(), now(), false, false, false,"
                " 0, 0, 0, 1, false, false)",
                [generate(), f"Raw {i}", "x" * 60, secrets.token_urlsafe(24)],
            )

    api_rate = _rate(api_create, opts.baseline)
    raw_rate = _rate(raw_insert, opts.baseline)
    import_rate = imported / import_s
    lines = [
        f"Backfill benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, PostgreSQL, "
        f"one process (no HTTP for the import), {os.cpu_count()} cores (shared; load at start "
        f"{os.getloadavg()[0]:.1f})",
        "",
        f"import{' (resumed)' if opts.resume else ''}: {imported} reports, {events} events in "
        f"{import_s:.0f} s = "
        f"{import_rate:.1f} reports/s, {events / import_s:.0f} events/s; {rss_mb:.0f} MB resident",
        f"  {import_line}",
        f"  statuses: {json.dumps(statuses, sort_keys=True)}",
        f"rebuild_summaries --check: {agree} ({check_s:.0f} s)",
        f"resumed (the same archive again): {resume_s:.0f} s, {resume_line}",
        "",
        f"{'path':<26}{'reports/s':>12}{'import / it':>13}",
        f"{'import (with history)':<26}{import_rate:>12.1f}{1:>13.2f}",
        f"{'API create (submitted)':<26}{api_rate:>12.1f}{import_rate / api_rate:>13.2f}",
        f"{'raw INSERT':<26}{raw_rate:>12.1f}{import_rate / raw_rate:>13.3f}",
        f"per event: import {import_s / events * 1000:.1f} ms/event against API create "
        f"{1000 / api_rate:.1f} ms/report (one event each)",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "results" / "import.txt").write_text(text)
    if not opts.resume:
        archive.unlink()
    if agree.startswith("DISAGREE"):
        sys.exit(1)


def _write_archive(n: int, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "make_archive.py"), str(n)],
            stdout=out,
            check=True,
        )


def _rate(fn, n: int) -> float:
    for i in range(20):
        fn(-i - 1)  # warm up
    started = time.perf_counter()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
