"""Server latency of the busiest read pages against 1,000,000 reports, on PostgreSQL.

    python bench/generate_reports.py --database lapor_bench --n 1000000 --fresh
    python bench/bench_reads.py --database lapor_bench

In-process with Django's test client, production-like settings (DEBUG off, persistent
connection, Redis cache), p50/p95 of each page over --runs requests after one unmeasured one:

- an officer's inbox (/kerja/) in the agency that holds the most reports: the first page, a
  status filter, a text search;
- the public list (/laporan/): the first page and a search (q);
- the dashboards: national (/pantau/) and the busiest province, default period;
- the baseline /healthz (one database and one Redis round trip) in the same run.

The inbox's counts above the list are cached for a minute (complaints.queues.status_counts);
the run lasts longer than that, so the measured requests include recounts. Writes
bench/results/reads.txt. Target (issue 8): p95 under 200 ms for each page.
"""

import argparse
import os
import time
from pathlib import Path

from bench_dashboards import p50, p95, setup_env, staff_user, timed

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 200


def busiest_agency():
    from django.db.models import Count

    from agencies.models import Agency
    from complaints.models import Report

    row = (
        Report.objects.exclude(owner_agency=None)
        .values("owner_agency")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return Agency.objects.get(pk=row["owner_agency"]), row["n"]


def busiest_province() -> str:
    from django.db.models import Sum

    from monitoring.models import Summary

    row = (
        Summary.objects.filter(grain="P", period="y")
        .values("province")
        .order_by()
        .annotate(n=Sum("n"))
        .order_by("-n")
        .first()
    )
    return row["province"]


def pages(agency, province: str, words: list[str]) -> dict[str, tuple[str, str]]:
    """{name: (who, url)}; who is "officer", "national" or "guest"."""
    found = {
        "baseline /healthz": ("guest", "/healthz"),
        f"inbox {agency.acronym or agency.name[:20]}, first page": ("officer", "/kerja/"),
        "inbox, status = in progress": ("officer", "/kerja/?status=in_progress"),
    }
    for word in words:
        found[f"inbox, search '{word}'"] = ("officer", f"/kerja/?q={word}")
    found["public list /laporan/"] = ("guest", "/laporan/")
    for word in words:
        found[f"public list, q={word}"] = ("guest", f"/laporan/?q={word}")
    found["national /pantau/"] = ("national", "/pantau/")
    found[f"province /pantau/provinsi/{province}/"] = ("national", f"/pantau/provinsi/{province}/")
    return found


def share(word: str, total: int) -> str:
    """How many reports a search word matches (full-text index), as a share."""
    from complaints.models import Report
    from complaints.selectors import search_reports

    return f"{search_reports(Report.objects.all(), word).count() / total:.1%}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="lapor_bench")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--words",
        default="sampah,puskesmas",
        help="a typical search word (1.5 %% of the reports) and a common one (23 %%)",
    )
    opts = parser.parse_args()
    setup_env(opts.database)
    from django.test import Client

    from complaints.models import Report

    total = Report.objects.count()
    agency, held = busiest_agency()
    province = busiest_province()
    clients = {"guest": Client(), "officer": Client(), "national": Client()}
    clients["officer"].force_login(staff_user("agency_admin", agency))
    clients["national"].force_login(staff_user("national_admin"))
    lines = [
        f"Read pages at {total:,} reports, {time.strftime('%Y-%m-%d %H:%M')}, PostgreSQL, "
        f"{opts.runs} requests each, in-process (server time), DEBUG off, persistent connection",
        f"inbox: {agency.name} (holds {held:,} reports, the most of any agency)",
        "",
        f"{'page':<46}{'SQL':>5}{'p50 ms':>9}{'p95 ms':>9}{'p95/base':>10}  target",
    ]
    base = None
    words = opts.words.split(",")
    lines.insert(2, "search words match: " + ", ".join(f"{w} {share(w, total)}" for w in words))
    for name, (who, url) in pages(agency, province, words).items():
        times, statements = timed(clients[who], url, opts.runs)
        base = base or p95(times)
        verdict = (
            "" if name.startswith("baseline") else ("ok" if p95(times) < TARGET_MS else "MISSED")
        )
        lines.append(
            f"{name:<46}{statements:>5}{p50(times):>9.1f}{p95(times):>9.1f}"
            f"{p95(times) / base:>10.1f}  {verdict}"
        )
    lines.append("")
    lines.append(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end "
        "(a shared machine: compare with the baseline)"
    )
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "results" / "reads.txt").write_text(text)


if __name__ == "__main__":
    main()
