"""Filing through the web form's code path, in-process on PostgreSQL, beside two baselines
measured in the same run (this machine's speed drifts, so only ratios are comparable):

  form path   ReportForm(data).is_valid() -> to_new_report -> report_submit (one transaction:
              report, audit event, outbox row, summary rows), broker publish after commit
  API path    POST /api/v1/reports/ through Django's test client (middleware, DRF parsing and
              validation, report_submit, the 201 body), no socket
  bare DRF    a ModelSerializer.save() of a minimal Report row (what a plain DRF create does)
  raw INSERT  one INSERT per report through the same connection, autocommit

    python bench/bench_filing_path.py --n 2000
    python bench/bench_filing_path.py --n 300 --profile /tmp/api.prof   # cProfile of the API path

Writes bench/results/filing.txt."""

import argparse
import cProfile
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "lapor_bench_filing"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--database", default=DB, help="made afresh (dropped first)")
    parser.add_argument("--redis-db", type=int, default=14, help="flushed first")
    parser.add_argument("--profile", help="write a cProfile of the API path here and stop")
    opts = parser.parse_args()
    DB_NAME = opts.database
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
            "REDIS_URL": f"redis://127.0.0.1:6379/{opts.redis_db}",
            "LAPOR_RATE_FILE": "1000000000",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "LAPOR_LOG_LEVEL": "WARNING",
            "LAPOR_REQUEST_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "lapor.settings",
            "LAPOR_TESTING": "1",
        }
    )
    sys.path.insert(0, str(ROOT))
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB_NAME], check=True
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB_NAME], check=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework import serializers

    from complaints.forms import ReportForm
    from complaints.models import Channel, Report
    from complaints.services import report_submit
    from complaints.tracking import generate
    from lapor.celery import app

    call_command("migrate", verbosity=0)
    call_command("load_reference", "--no-districts", verbosity=0)
    app.conf.task_always_eager = False  # publish to Redis after commit, as in production
    subprocess.run(
        ["redis-cli", "-n", str(opts.redis_db), "FLUSHDB"], check=True, capture_output=True
    )

    def form_data(i):
        return {
            "kind": "complaint",
            "title": f"Jalan berlubang nomor {i}",
            "description": "Jalan di depan sekolah berlubang besar dan membahayakan pengendara.",
            "province": "32",
            "regency": "3273",
            "reporter_name": "Beban Uji",
            "reporter_email": f"uji{i}@example.id",
        }

    def file_via_form(i):
        form = ReportForm(form_data(i))
        assert form.is_valid(), form.errors
        report_submit(data=form.to_new_report(Channel.WEB))

    class Bare(serializers.ModelSerializer):
        class Meta:
            model = Report
            fields = ["tracking", "kind", "title", "description", "province", "channel"]

    client = Client()

    def file_via_api(i):
        body = json.dumps({**form_data(i), "description": form_data(i)["description"] * 2})
        response = client.post("/api/v1/reports/", body, content_type="application/json")
        assert response.status_code == 201, (
            response.status_code,
            response.headers,
            response.content,
        )

    def bare_drf(i):
        s = Bare(
            data={
                "tracking": generate(),
                "kind": "complaint",
                "title": f"Bare {i}",
                "description": "x" * 60,
                "province": "32",
                "channel": "api",
            }
        )
        s.is_valid(raise_exception=True)
        s.save()

    def raw_insert(i):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO complaints_report (tracking, kind, title, description, province_id,"
                " address, is_anonymous, is_confidential, show_name, reporter_name,"
                " reporter_email, reporter_phone, reporter_secret, channel, status, agency_path,"
                " routing_explanation, category_confirmed, needs_triage_decision, created_at,"
                " updated_at, extended, ombudsman_visible, ombudsman_consent,"
                " ombudsman_share_identity, transfer_count, reopen_count, support_count, version)"
                " VALUES (%s, 'complaint', %s, %s, '32', '', false, false, false, '', '', '', %s,"
                " 'web', 'submitted', '', '', false, false, now(), now(), false, false, false,"
                " false, 0, 0, 0, 1)",
                [generate(), f"Raw {i}", "x" * 60, secrets.token_urlsafe(24)],
            )

    def rate(fn, n):
        for i in range(50):
            fn(-i - 1)  # warm up
        started = time.perf_counter()
        for i in range(n):
            fn(i)
        return n / (time.perf_counter() - started)

    file_via_form(10**6 + 1)  # warm the per-process memos, as a running server has them
    if opts.profile:
        for i in range(50):
            file_via_api(-i - 1)
        profiler = cProfile.Profile(time.process_time)  # CPU, not time spent waiting
        started = time.perf_counter()
        profiler.runcall(lambda: [file_via_api(i) for i in range(opts.n)])
        elapsed = time.perf_counter() - started
        profiler.dump_stats(opts.profile)
        print(f"API path under cProfile: {opts.n / elapsed:.0f} filings/s -> {opts.profile}")
        return
    with CaptureQueriesContext(connection) as ctx:
        file_via_form(10**6)
    queries = [q["sql"].split(" ", 1)[0] for q in ctx.captured_queries]
    file_via_api(10**6 + 3)
    with CaptureQueriesContext(connection) as ctx:
        file_via_api(10**6 + 2)
    api_queries = [q["sql"].split(" ", 1)[0] for q in ctx.captured_queries]
    results = {
        "form path": rate(file_via_form, opts.n),
        "API path": rate(file_via_api, opts.n),
        "bare DRF create": rate(bare_drf, opts.n),
        "raw INSERT": rate(raw_insert, opts.n),
    }
    lines = [
        f"Filing benchmark, {time.strftime('%Y-%m-%d %H:%M')}, PostgreSQL, {opts.n} reports "
        f"each, one process (no HTTP), {os.cpu_count()} cores",
        "",
        f"{'path':<18}{'reports/s':>12}{'vs form path':>14}",
    ]
    form_rate = results["form path"]
    for name, value in results.items():
        lines.append(f"{name:<18}{value:>12.0f}{value / form_rate:>14.2f}")
    lines += [
        "",
        f"form path / bare DRF create = {form_rate / results['bare DRF create']:.2f}; "
        f"form path / raw INSERT = {form_rate / results['raw INSERT']:.2f}",
        f"statements per filing: {len(queries)} ({', '.join(queries)})",
        f"statements per API filing: {len(api_queries)} ({', '.join(api_queries)})",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "results" / "filing.txt").write_text(text)


if __name__ == "__main__":
    main()
