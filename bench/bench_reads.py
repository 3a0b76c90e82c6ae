"""Server time of the read pages at several sizes (10k, 1M, 10M reports), on PostgreSQL.

    python bench/generate_reports.py --database lapor_bench_10k --n 10000 --fresh
    python bench/generate_reports.py --database lapor_bench_1m --n 1000000 --fresh
    python bench/generate_reports.py --database lapor_bench_10m --n 10000000 --fresh
    python bench/bench_reads.py --databases lapor_bench_10k,lapor_bench_1m,lapor_bench_10m

In-process with Django's test client, production-like settings (DEBUG off, persistent
connection, Redis cache), p50/p95 and the statements per request of:

- the dashboards: national (/pantau/), a province (Jawa Barat, the most reports) and an agency
  (the one holding the most reports), this year and the last 12 months, as a national admin;
- an officer's inbox (/kerja/) in that agency, as its admin, rendered from the database (its
  cached parts retired before each request, complaints.page_cache): the first page (and once
  with the cached counts above the list dropped too, the first visit of a minute), a status
  filter, a text search, a later page; and the first page from its cached parts;
- the public list (/laporan/): the first page, a province, a category with a status (each
  also with its cached content retired before each request, the first visit after a change:
  complaints.public_cache), a later page, and searches (a rare word, a common one, a word with
  a province);
- the baseline /healthz (one database and one Redis round trip).

The databases are measured in alternating rounds so that all see the same load on this
shared machine; each has its own cache prefix (no figure cached from another database), and a
few unmeasured requests warm the connection after each switch. The agency is chosen in the
last (largest) database and is the same row in all of them (generated databases share the
reference data). Signs in as bench_dashboards does: staff roles need the second factor, so the
session is given it. The table gives each size's p95 over the first database's and checks the
targets (issue 20): within 1.5x of the smallest and under 200 ms p95. Writes
bench/results/reads.txt (or --out).

``--explain NAME`` (a substring of a page's name) prints the page's slowest statement with
EXPLAIN (ANALYZE, BUFFERS) in each database instead of timing everything.
"""

import argparse
import os
import time
from pathlib import Path

from bench_dashboards import p50, p95, second_factor, setup_env, staff_user, use_database

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 200
TARGET_RATIO = 1.5
WORDS = ("sampah", "puskesmas")  # a rarer word (about 1.5 % of the reports), a common one (23 %)


def busiest_agency() -> int:
    """The top-level agency holding the most reports (from the summaries, not a scan)."""
    from django.db.models import Sum

    from monitoring.models import Summary

    row = (
        Summary.objects.filter(grain="H", period="y")
        .exclude(owner=0)  # reports no agency holds
        .values("owner")
        .order_by()
        .annotate(n=Sum("n"))
        .order_by("-n")
        .first()
    )
    return row["owner"]


def pages(agency: int, category: int, province: str = "32") -> dict[str, tuple[str, str]]:
    """{name: (who, url)}; who is "guest", "national" or "officer"."""
    from django.urls import reverse

    found = {"baseline /healthz": ("guest", "/healthz")}
    dashboards = {
        "national /pantau/": reverse("monitoring:national"),
        f"province /pantau/provinsi/{province}/": reverse("monitoring:province", args=[province]),
        "agency /pantau/instansi/<busiest>/": reverse("monitoring:agency", args=[agency]),
    }
    for name, url in dashboards.items():
        found[f"{name}, this year"] = ("national", url)
        found[f"{name}, 12 months"] = ("national", url + "?period=12m")
    found.update(
        {
            "inbox /kerja/, first page": ("officer", "/kerja/"),
            "inbox, first page, counts not cached": ("officer-cold", "/kerja/"),
            "inbox, first page, parts cached": ("officer-cached", "/kerja/"),
            "inbox, status = in progress": ("officer", "/kerja/?status=in_progress"),
            f"inbox, q={WORDS[1]}": ("officer", f"/kerja/?q={WORDS[1]}"),
            "inbox, page 100": ("officer", "/kerja/?page=100"),
            "public list /laporan/": ("guest", "/laporan/"),
            "public list, not cached": ("guest-cold", "/laporan/"),
            f"public list, province={province}": ("guest", f"/laporan/?province={province}"),
            f"public list, province={province}, not cached": (
                "guest-cold",
                f"/laporan/?province={province}",
            ),
            "public list, category + status": (
                "guest",
                f"/laporan/?category={category}&status=closed",
            ),
            "public list, category + status, not cached": (
                "guest-cold",
                f"/laporan/?category={category}&status=closed",
            ),
            "public list, page 200": ("guest", "/laporan/?page=200"),
            "public list, province, page 200": (
                "guest",
                f"/laporan/?province={province}&page=200",
            ),
        }
    )
    for word in WORDS:
        found[f"search /laporan/?q={word}"] = ("guest", f"/laporan/?q={word}")
    found[f"search q={WORDS[0]}, province={province}"] = (
        "guest",
        f"/laporan/?q={WORDS[0]}&province={province}",
    )
    return found


def clients(agency: int) -> dict:
    """Signed-in test clients of the current database (users made once per database)."""
    from django.test import Client

    from agencies.models import Agency

    out = {"guest": Client(), "national": Client(), "officer": Client()}
    for who, user in (
        ("national", staff_user("national_admin")),
        ("officer", staff_user("agency_admin", Agency.objects.get(pk=agency))),
    ):
        out[who].force_login(user)
        second_factor(out[who], user)
    out["officer-cold"] = out["officer-cached"] = out["officer"]
    out["guest-cold"] = out["guest"]
    return out


def drop_counts(client) -> None:
    """Forgets the inbox's cached counts (complaints.queues), as the first visit of a minute."""
    from django.core.cache import cache

    from complaints import queues

    key = queues.counts_key(client.bench_user)
    cache.delete_many([key, f"{key}:late"])


def drop_inbox_parts(client) -> None:
    """Retires the inbox's cached parts (complaints.page_cache), as the first visit after a
    change to one of the agency's reports."""
    from agencies.scope import scope_for
    from complaints import page_cache

    scope = scope_for(client.bench_user)
    page_cache.staff_changed(scope.officer_paths + scope.admin_paths)


def drop_public_fragments() -> None:
    """Retires the public list's cached content (complaints.public_cache), as the first visit
    after a change the public could see."""
    from complaints import public_cache

    public_cache.changed()


def timed(client, url: str, runs: int, before=None) -> tuple[list[float], int]:
    """Server times in ms of ``runs`` requests (after one unmeasured), and the statements of
    one request. ``before`` runs before each request, untimed."""
    from django.db import connection

    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    if before:
        before()
    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    out = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out, len(statements)


def switch(database: str, agency: int) -> dict:
    """Points Django at ``database`` with its own cache prefix; returns its clients."""
    from django.core.cache import cache

    use_database(database)
    cache.key_prefix = f"bench-reads-{database}"
    found = clients(agency)
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.get(pk=found["officer"].session["_auth_user_id"])
    found["officer"].bench_user = officer
    for _ in range(3):
        found["guest"].get("/healthz")
    return found


def measure(databases, urls, agency, runs, rounds) -> dict:
    """{database: {name: ([ms...], statements)}}, databases alternating ``rounds`` times."""
    results: dict = {db: {} for db in databases}
    per_round = max(1, runs // rounds)
    for _round in range(rounds):
        for db in databases:
            found = switch(db, agency)
            for name, (who, url) in urls.items():
                before = None
                if who == "officer-cold":
                    client = found["officer"]
                    before = lambda client=client: (  # noqa: E731
                        drop_counts(client),
                        drop_inbox_parts(client),
                    )
                elif who == "officer":
                    client = found["officer"]
                    before = lambda client=client: drop_inbox_parts(client)  # noqa: E731
                elif who == "guest-cold":
                    before = drop_public_fragments
                times, statements = timed(found[who], url, per_round, before)
                have = results[db].setdefault(name, ([], statements))
                have[0].extend(times)
    return results


def explain(databases, urls, agency, pattern: str) -> None:
    """The slowest statement of each page matching ``pattern``, EXPLAINed in each database."""
    from django.db import connection

    for db in databases:
        found = switch(db, agency)
        for name, (who, url) in urls.items():
            if pattern not in name:
                continue
            client = found[who]
            seen = []

            def keep(execute, sql, params, many, context, seen=seen):
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    seen.append(((time.perf_counter() - started) * 1000, sql, params))

            client.get(url)
            if who == "officer-cold":
                drop_counts(client)
            if who in ("officer", "officer-cold"):
                drop_inbox_parts(client)
            with connection.execute_wrapper(keep):
                client.get(url)
            ms, sql, params = max(seen, key=lambda s: s[0])
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"== {db}: {name} ({url}): slowest of {len(seen)} statements, {ms:.1f} ms")
            print(sql % tuple(repr(p) for p in params) if params else sql)
            print(plan, "\n", flush=True)


def table(title: str, databases, results, counts) -> str:
    small = databases[0]
    head = f"{'page':<46}{'SQL':>9}"
    for db in databases:
        head += f"{label(counts[db]) + ' p50':>10}{label(counts[db]) + ' p95':>10}"
    for db in databases[1:]:
        head += f"{label(counts[db]) + '/' + label(counts[small]):>10}"
    lines = [title, "", head + "  target"]
    missed = 0
    for name in results[small]:
        sql = "/".join(str(results[db][name][1]) for db in databases)
        if len(set(sql.split("/"))) == 1:
            sql = sql.split("/")[0]
        row = f"{name:<46}{sql:>9}"
        for db in databases:
            times = results[db][name][0]
            row += f"{p50(times):>10.1f}{p95(times):>10.1f}"
        base = p95(results[small][name][0])
        ratios = [p95(results[db][name][0]) / base for db in databases[1:]]
        row += "".join(f"{r:>10.2f}" for r in ratios)
        if not name.startswith("baseline"):
            worst = max(p95(results[db][name][0]) for db in databases)
            ok = worst < TARGET_MS and all(r <= TARGET_RATIO for r in ratios)
            missed += not ok
            row += "  ok" if ok else "  MISSED"
        lines.append(row)
    lines += [
        "",
        "Times in ms, server time in-process; SQL = statements per request (per database when "
        f"they differ); ratios are p95 over the {label(counts[small])} database's p95; target: "
        f"every page under {TARGET_MS} ms p95 and within {TARGET_RATIO}x of the smallest. "
        f"{missed} missed.",
        "databases: "
        + ", ".join(f"{db} ({counts[db]:,} reports)" for db in databases)
        + f"; load average {os.getloadavg()[0]:.1f} / {os.getloadavg()[1]:.1f} (1 / 5 min) "
        f"on {os.cpu_count()} cores at the end (a shared machine: compare with the baseline)",
    ]
    return "\n".join(lines) + "\n"


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def report_counts(databases) -> dict[str, int]:
    """Reports in each database (the planner's estimate: an exact count scans millions)."""
    from django.db import connection

    counts = {}
    for db in databases:
        use_database(db)
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(id) FROM complaints_report")
            counts[db] = cursor.fetchone()[0] or 0
    return counts


def exists(database: str) -> bool:
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres") as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        return found.fetchone() is not None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--databases",
        default="lapor_bench_10k,lapor_bench_1m,lapor_bench_10m",
        help="comma-separated, smallest first (the ratios are against the first)",
    )
    parser.add_argument("--database", default="", help="one database only (as before)")
    parser.add_argument("--runs", type=int, default=30, help="requests per page and database")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--only", default="", help="pages whose name contains this")
    parser.add_argument("--explain", default="", help="EXPLAIN the pages matching this")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "reads.txt"))
    opts = parser.parse_args()
    wanted = [opts.database] if opts.database else opts.databases.split(",")
    databases = [db for db in wanted if exists(db)]
    for db in wanted:
        if db not in databases:
            print(f"skipped {db}: no such database (bench/generate_reports.py makes it)")
    if not databases:
        raise SystemExit("none of the databases exists")
    setup_env(databases[-1])
    from routing.models import Category

    agency = busiest_agency()
    category = Category.objects.get(code="infrastruktur").pk
    urls = pages(agency, category)
    if opts.only:
        urls = {k: v for k, v in urls.items() if opts.only in k or k.startswith("baseline")}
    if opts.explain:
        explain(databases, urls, agency, opts.explain)
        return
    counts = report_counts(databases)
    results = measure(databases, urls, agency, opts.runs, opts.rounds)
    title = (
        f"Read pages at {', '.join(label(counts[db]) for db in databases)} reports, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, PostgreSQL, {opts.runs} "
        f"requests per page and database in {opts.rounds} alternating rounds, in-process, "
        "DEBUG off, persistent connection"
    )
    text = table(title, databases, results, counts)
    print(text)
    if not opts.only:
        Path(opts.out).write_text(text)


if __name__ == "__main__":
    main()
