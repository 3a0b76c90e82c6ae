"""Benchmark of the routing decision with 10,000 rules, on PostgreSQL.

Uses the database in DATABASE_URL (default: a throwaway lapor_bench_routing, dropped and
created again), migrates, loads the reference data without districts, adds 10,000 random rules
(bulk insert) across categories, kinds, provinces, regencies and priorities, then times
``routing.selectors.decide`` over random (category, kind, province, regency) inputs for about
five seconds. Beside it, in the same run, the baseline: a primary-key lookup loop
(``Category.objects.get(pk=...)``), one indexed query through the same ORM and connection.
Prints decisions per second, the ratio to the baseline, and the plan of the rules query
(EXPLAIN ANALYZE: it must not scan the whole rules table); writes bench/results/routing.txt.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_bench_routing \\
        .venv/bin/python bench/bench_routing.py
"""

import argparse
import os
import random
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lapor_bench_routing"
KINDS = ["complaint", "aspiration", "information_request"]


def setup_env() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "LAPOR_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "lapor.settings",
            "LAPOR_TESTING": "1",
        }
    )
    sys.path.insert(0, str(ROOT))
    return url


def recreate(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    common = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    common += ["-U", parsed.username or "postgres"]
    subprocess.run(["dropdb", *common, "--if-exists", name], check=True)
    subprocess.run(["createdb", *common, name], check=True)


def add_rules(n: int, rng: random.Random) -> None:
    from agencies.models import Agency, Regency
    from routing.models import Category, RoutingRule

    categories = list(Category.objects.values_list("pk", flat=True))
    regencies = list(Regency.objects.values_list("code", "province_id"))
    provinces = sorted({p for _, p in regencies})
    national = list(
        Agency.objects.filter(parent__isnull=True, level="national").values_list("pk", flat=True)
    )
    T = RoutingRule.Target
    rules = []
    for _ in range(n):
        scope = rng.random()
        regency = province = None
        if scope < 0.6:
            regency, province = rng.choice(regencies)
        elif scope < 0.9:
            province = rng.choice(provinces)
        target = rng.choice([T.AGENCY, T.REGENCY_GOVERNMENT, T.PROVINCE_GOVERNMENT])
        rules.append(
            RoutingRule(
                category_id=rng.choice(categories) if rng.random() < 0.95 else None,
                kind=rng.choice(["", *KINDS]),
                province_id=province,
                regency_id=regency,
                target=target,
                target_agency_id=rng.choice(national) if target == T.AGENCY else None,
                unit_type=rng.choice(["", "dinas-kesehatan", "dinas-pupr"]),
                priority=rng.randint(0, 20),
                is_active=rng.random() < 0.9,
                note="bench",
            )
        )
    RoutingRule.objects.bulk_create(rules, batch_size=2000)


def rate(fn, seconds: float) -> tuple[float, int]:
    """Calls ``fn`` for about ``seconds``; returns calls per second and the number of calls."""
    fn()  # warm
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        calls += 1
    return calls / elapsed, calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is")
    opts = parser.parse_args()
    url = setup_env()
    if not opts.keep:
        recreate(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from agencies.models import Regency
    from routing.models import Category, RoutingRule
    from routing.selectors import candidate_rules, decide

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    if not opts.keep:
        call_command("load_reference", "--no-districts", verbosity=0)
        started = time.perf_counter()
        add_rules(opts.rules, rng)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"added {opts.rules} rules in {time.perf_counter() - started:.1f} s")
    total_rules = RoutingRule.objects.count()
    category_ids = list(Category.objects.values_list("pk", flat=True))
    regencies = list(Regency.objects.values_list("code", "province_id"))

    def one_decision():
        regency, province = rng.choice(regencies)
        decide(
            category_id=rng.choice(category_ids),
            kind=rng.choice(KINDS),
            province_code=province,
            regency_code=regency if rng.random() < 0.9 else None,
        )

    def one_lookup():
        Category.objects.get(pk=rng.choice(category_ids))

    base_rate, base_n = rate(one_lookup, opts.seconds)
    decide_rate, decide_n = rate(one_decision, opts.seconds)
    routed = sum(
        decide(
            category_id=rng.choice(category_ids),
            kind=rng.choice(KINDS),
            province_code=p,
            regency_code=r,
        ).routed
        for r, p in rng.sample(regencies, 200)
    )

    # The plan of the rules query for a typical input (Kota Bandung, a category).
    health = Category.objects.get(code="kesehatan")
    explain_args = {
        "category_id": health.pk,
        "kind": "complaint",
        "province_code": "32",
        "regency_code": "3273",
    }
    plan = explain_rules_query(explain_args)
    seq_scan = "Seq Scan on routing_routingrule" in plan
    matched = len(candidate_rules(**explain_args))

    lines = [
        f"Routing benchmark, {time.strftime('%Y-%m-%d %H:%M')}, PostgreSQL, {total_rules} rules "
        f"({opts.rules} random + the shipped ones), {opts.seconds:.0f} s per loop, one process, "
        "in-process (ORM + database, no HTTP)",
        "",
        f"{'loop':<44}{'calls':>8}{'per second':>12}{'ms each':>10}{'ratio':>8}",
        f"{'baseline: Category.objects.get(pk=...)':<44}{base_n:>8}{base_rate:>12.0f}"
        f"{1000 / base_rate:>10.2f}{1:>8.1f}",
        f"{'decide(category, kind, province, regency)':<44}{decide_n:>8}{decide_rate:>12.0f}"
        f"{1000 / decide_rate:>10.2f}{base_rate / decide_rate:>8.1f}",
        "",
        f"routed {routed} of 200 random inputs; {matched} candidate rules for kesehatan in "
        "Kota Bandung",
        f"rules query seq-scans routing_routingrule: {'YES' if seq_scan else 'no'}",
        "",
        "EXPLAIN ANALYZE of the rules query (kesehatan, complaint, 32 / 3273):",
        plan,
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = ROOT / "bench" / "results" / "routing.txt"
    out.write_text(text)
    print(f"written to {out.relative_to(ROOT)}")


def explain_rules_query(args: dict) -> str:
    """EXPLAIN ANALYZE of the one rules query candidate_rules makes, captured as it runs (so
    the plan is of the real query, not a copy of its filter)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from routing.selectors import candidate_rules

    with CaptureQueriesContext(connection) as ctx:
        candidate_rules(**args)
    sql = next(q["sql"] for q in ctx.captured_queries if "routing_routingrule" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


if __name__ == "__main__":
    main()
