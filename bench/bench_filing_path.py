"""Filing through the web form's code path, in-process on PostgreSQL, beside two baselines
measured in the same run (this machine's speed drifts, so only ratios are comparable):

  form path   ReportForm(data).is_valid() -> to_new_report -> report_submit (one transaction:
              report, audit event, outbox row, summary rows), broker publish after commit
  bare DRF    a ModelSerializer.save() of a minimal Report row (what a plain DRF create does)
  raw INSERT  one INSERT per report through the same connection, autocommit

    python bench/bench_filing_path.py --n 2000

Writes bench/results/filing.txt."""

import argparse
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
    opts = parser.parse_args()
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
            "REDIS_URL": "redis://127.0.0.1:6379/14",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "LAPOR_LOG_LEVEL": "WARNING",
            "LAPOR_REQUEST_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "lapor.settings",
            "LAPOR_TESTING": "1",
        }
    )
    sys.path.insert(0, str(ROOT))
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
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
    subprocess.run(["redis-cli", "-n", "14", "FLUSHDB"], check=True, capture_output=True)

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
                " address, is_anonymous, is_confidential, reporter_name, reporter_email,"
                " reporter_phone, reporter_secret, channel, status, agency_path,"
                " routing_explanation, category_confirmed, needs_triage_decision, created_at,"
                " updated_at, extended, ombudsman_visible, ombudsman_consent, transfer_count,"
                " reopen_count, support_count, version) VALUES (%s, 'complaint', %s, %s, '32',"
                " '', false, false, '', '', '', %s, 'web', 'submitted', '', '', false, false,"
                " now(), now(), false, false, false, 0, 0, 0, 1)",
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
    with CaptureQueriesContext(connection) as ctx:
        file_via_form(10**6)
    queries = [q["sql"].split(" ", 1)[0] for q in ctx.captured_queries]
    results = {
        "form path": rate(file_via_form, opts.n),
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
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "results" / "filing.txt").write_text(text)


if __name__ == "__main__":
    main()
