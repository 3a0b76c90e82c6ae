"""What keeps the read pages fast at a million reports (bench/bench_reads.py,
bench/bench_dashboards.py): the public list counts at most CappedPaginator.CAP rows, and the
dashboards answer from covering indexes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Role
from complaints.paging import CappedPaginator
from tests.factories import make_staff, published_report

pytestmark = pytest.mark.django_db


def test_public_list_counts_no_more_than_the_cap(client, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "CAP", 5)
    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    for i in range(8):
        published_report(national, title=f"Jalan rusak nomor {i}")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/laporan/").content.decode()
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert "LIMIT 6" in counts[0]  # never a count of every public report
    assert "Lebih dari 5 laporan" in html
    assert "Jalan rusak nomor 7" in html


def test_an_inbox_text_search_is_paged_without_a_count(client, cast, agency_a, monkeypatch):
    """A search's matches are found through the full-text index, but a count visits each one:
    at 10M reports counting a common word to 1,001 took 60-500 ms (EXPLAIN: a sequential
    scan, or the word's whole posting list in a bitmap). So a search's page is read with one
    row more than it shows, which says whether another page follows, and nothing is counted."""
    from complaints import staff_views
    from tests.factories import PASSWORD, dispatched_report

    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)
    for i in range(4):
        dispatched_report(agency_a, cast.national, title=f"Puskesmas tutup nomor {i}")
    assert client.login(username=cast.officer_a.username, password=PASSWORD)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/kerja/", {"q": "puskesmas"}).content.decode()
    reads = [q["sql"] for q in queries.captured_queries if "puskesmas" in q["sql"].lower()]
    assert reads and not [sql for sql in reads if "COUNT(" in sql.upper()], reads
    assert any("LIMIT 3" in sql for sql in reads), reads
    assert "Lebih dari 2 laporan" in html
    assert "Puskesmas tutup nomor 3" in html  # the newest match is still listed
    assert "page=2" in html and "Halaman 1</span>" in html  # no "of N": nothing was counted
    last = client.get("/kerja/", {"q": "puskesmas", "page": 2}).content.decode()
    assert "4 laporan" in last and "Lebih dari" not in last  # the last page knows the total
    assert "Puskesmas tutup nomor 0" in last and "page=3" not in last


def test_public_list_under_the_cap_shows_the_exact_number(client):
    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    for i in range(3):
        published_report(national, title=f"Sampah menumpuk {i}")
    html = client.get("/laporan/", {"q": "sampah"}).content.decode()
    assert "3 laporan" in html
    assert "Lebih dari" not in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="INCLUDE indexes: PostgreSQL")
def test_summary_lookups_carry_the_summed_columns():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('monitoring_summary', 'monitoring_duration')"
        )
        definitions = dict(cursor.fetchall())
    assert "INCLUDE (province, holder, status, n," in definitions["summary_lookup"]
    assert "INCLUDE (n, dispatched," in definitions["summary_key"]
    assert "INCLUDE (province, holder, measure, bucket, n)" in definitions["duration_lookup"]
    assert "INCLUDE (n)" in definitions["duration_key"]


def test_dashboards_ask_for_connectedness_once(
    client, cast, agency_a, django_assert_max_num_queries
):
    """The role queries behind connectedness and activity run once per page, not per table."""
    from django.urls import reverse

    from tests.factories import dispatched_report

    dispatched_report(agency_a, cast.national)
    client.force_login(cast.national)
    # One statement more than before two factors: django-otp loads the session's device; one
    # more for the SK pengelola column (the decrees of the table's agencies, one query).
    for url, most in (
        (reverse("monitoring:national"), 15),
        (reverse("monitoring:province", args=["32"]), 18),
    ):
        client.get(url)  # warm the per-process memos
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="expression index: PostgreSQL")
def test_the_inbox_reads_its_first_page_in_index_order(cast, agency_a):
    """The inbox worked from the top (queues.by_deadline) is read from report_inbox_due, not
    by sorting every report of the agency (at 10M reports one agency holds 500,000): the
    index and the ordering must be the same expression (complaints.models.agency_due)."""
    from complaints import queues
    from tests.factories import dispatched_report

    for i in range(3):
        dispatched_report(agency_a, cast.national, title=f"Jalan berlubang {i}")
    qs = queues.by_deadline(queues.inbox_for(cast.officer_a))
    with connection.cursor() as cursor:
        # Tiny tables: only a plan without a sort of the reports is wanted here.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = qs[:25].explain()
    assert "report_inbox_due" in plan, plan
    assert "Sort Key" not in plan.split("report_inbox_due")[0], plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="expression index: PostgreSQL")
def test_the_inbox_reads_a_status_in_index_order(cast, agency_a):
    """An inbox filtered by a status (?status=in_progress), worked from the top, is read from
    report_inbox_status_due with the status in its condition: through report_inbox_due it
    stepped over every report of other statuses due earlier (at 10M reports, 17,953 rows of
    the busiest agency for a page of 25, 85 ms)."""
    from complaints import queues
    from tests.factories import dispatched_report

    for i in range(3):
        dispatched_report(agency_a, cast.national, title=f"Jalan berlubang {i}")
    qs = queues.by_deadline(queues.inbox_for(cast.officer_a).filter(status="in_progress"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = qs[:25].explain()
    assert "report_inbox_status_due" in plan, plan
    index_part = plan.split("report_inbox_status_due", 1)[1]
    assert "status" in index_part.split("Filter")[0], plan  # in the Index Cond, not a Filter
    assert "Sort Key" not in plan.split("report_inbox_status_due")[0], plan


def test_a_capped_count_does_not_order_the_rows(client, cast, agency_a):
    """The inbox's count (at most CAP rows) drops the deadline order: counting sorted every
    row of the agency first."""
    from tests.factories import PASSWORD, dispatched_report

    dispatched_report(agency_a, cast.national, title="Lampu jalan mati")
    assert client.login(username=cast.officer_a.username, password=PASSWORD)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/kerja/").status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "LIMIT 10001" in q["sql"]]
    assert counts, [q["sql"] for q in queries.captured_queries]
    assert all("ORDER BY" not in sql for sql in counts), counts


def test_officer_loads_count_open_reports_without_joining_the_archive(cast, agency_a):
    """Each officer's open load is a subquery over open reports (partial index
    report_assigned_open), not a join over every report they were ever assigned."""
    from complaints import queues

    with CaptureQueriesContext(connection) as queries:
        assert queues.officer_loads(cast.admin_a)
        queues.colleagues_of(cast.officer_a)
    loads = [q["sql"] for q in queries.captured_queries if "agencies_user" in q["sql"]]
    assert loads
    for sql in loads:
        assert 'JOIN "complaints_report"' not in sql, sql
    if connection.vendor == "postgresql":
        # Both counts from report_assigned_open alone (at 10M, visiting each officer's 4,214
        # open reports cost 42 ms).
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + loads[0])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert plan.count("Index Only Scan using report_assigned_open") == 2, plan


def test_a_public_text_search_is_paged_without_a_count(client, monkeypatch):
    """As the inbox's: no count, one row more than the page shows (at 10M reports the capped
    count of "sampah" in Jawa Barat read 414,000 rows, 514 ms, for a page of 20)."""
    from complaints import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    for i in range(5):
        published_report(national, title=f"Sampah menumpuk nomor {i}")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/laporan/", {"q": "sampah"}).content.decode()
    reads = [q["sql"] for q in queries.captured_queries if "complaints_report" in q["sql"]]
    assert reads and not [sql for sql in reads if "COUNT(" in sql.upper()], reads
    assert "Lebih dari 2 laporan" in html
    assert "Sampah menumpuk nomor 4" in html
    second = client.get("/laporan/", {"q": "sampah", "page": 2}).content.decode()
    assert "Lebih dari 4 laporan" in second and "Halaman 2</span>" in second
    last = client.get("/laporan/", {"q": "sampah", "page": 3}).content.decode()
    assert "5 laporan" in last and "Sampah menumpuk nomor 0" in last and "page=4" not in last
    # A page past the end (a stale link) is the first page, as Django's get_page would give
    # the last: nothing counted says which is last.
    past = client.get("/laporan/", {"q": "sampah", "page": 9}).content.decode()
    assert "Sampah menumpuk nomor 4" in past and "Lebih dari 2 laporan" in past
    # The deepest page a search links is SEARCH_CAP's: an OFFSET stays bounded.
    monkeypatch.setattr(CappedPaginator, "SEARCH_CAP", 4)
    deepest = client.get("/laporan/", {"q": "sampah", "page": 2}).content.decode()
    assert "Lebih dari 4 laporan" in deepest and "page=3" not in deepest
    clamped = client.get("/laporan/", {"q": "sampah", "page": 7}).content.decode()
    assert "Halaman 2</span>" in clamped


def _plans(client, params: dict) -> list[str]:
    """The plans of the public list's statements for ``params``, on tiny tables with only
    index scans allowed (the plan the million-report database gets is the one wanted)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/laporan/", params).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for query in queries.captured_queries:
            if "complaints_report" in query["sql"]:
                cursor.execute("EXPLAIN " + query["sql"])
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partial indexes: PostgreSQL")
def test_the_public_filters_count_from_the_published_partial_indexes(client):
    """A filtered public list counts its matches index-only, from the partial indexes defined
    by the publication rule (complaints.models.PUBLISHED): at 1M reports a province's count
    read 62,000 heap rows. Fails when ReportQuerySet.public and the indexes' condition differ
    (the planner then cannot use them)."""
    from routing.models import Category

    category = Category.objects.first()
    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    for i in range(3):
        published_report(national, title=f"Jalan rusak {i}", category_id=category.pk)
    by_province = _plans(client, {"province": "32"})
    by_region = _plans(client, {"province": "32", "category": category.pk})
    by_category = _plans(client, {"category": category.pk, "status": "verified"})
    count = next(p for p in by_province if "Aggregate" in p)
    assert "Index Only Scan using report_public_" in count, count
    # On three rows the planner may take either partial index of the province (at 1M it takes
    # report_public_region, bench_reads --explain); the point is that it can.
    count = next(p for p in by_region if "Aggregate" in p)
    assert "Scan using report_public_" in count, count
    count = next(p for p in by_category if "Aggregate" in p)
    assert "Index Only Scan using report_public_category" in count, count
    rows = next(p for p in by_province if "Aggregate" not in p)
    assert "report_public_province" in rows, rows  # a later page skips only Jawa Barat's rows
    assert "Sort Key: complaints_report.created_at" not in rows.split("report_public_province")[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="index-only scans: PostgreSQL")
def test_the_inbox_status_counts_read_the_index_alone(cast, agency_a):
    """The counts above an agency's inbox (queues.status_counts) come from report_inbox
    without visiting the rows: counting the id (not in the index) read the 53,000 rows of the
    busiest agency at 1M reports (430 ms of a cold inbox's 600)."""
    from complaints import queues
    from tests.factories import dispatched_report

    for i in range(3):
        dispatched_report(agency_a, cast.national, title=f"Jalan berlubang {i}")
    with CaptureQueriesContext(connection) as queries:
        counts = queues.status_counts(queues.inbox_for(cast.officer_a))
    assert counts["dispatched"] == 3
    (sql,) = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        # On a few rows with no visibility map an index-only scan costs what a plain one does,
        # and the planner took report_inbox_due and sorted or hashed (clean-clone CI runs):
        # without either only the indexes that lead with (owner_agency, status) give the
        # groups, which is the point.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_hashagg = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using report_inbox" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partial indexes: PostgreSQL")
def test_the_inbox_overdue_count_reads_its_partial_index_alone(cast, agency_a):
    """The overdue count above an agency's inbox (queues.overdue_count, the one definition
    complaints.deadlines.overdue_q) is counted from report_overdue_open without visiting the
    rows: at 10M reports it visited 27,846 rows of the busiest agency (373 ms). Fails when the
    definition and the index's condition differ (the planner then cannot use it)."""
    from complaints import queues
    from complaints.models import Report
    from tests.factories import dispatched_report

    for i in range(3):
        dispatched_report(agency_a, cast.national, title=f"Jalan berlubang {i}")
    Report.objects.filter(owner_agency=agency_a).update(overdue_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        assert queues.overdue_count(queues.inbox_for(cast.officer_a)) == 3
    (sql,) = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using report_overdue_open" in plan, plan


def test_officer_loads_count_late_reports_by_the_one_overdue_definition(cast, agency_a):
    """An officer's late load is the inbox's overdue figure for their reports (the sweep's
    mark, complaints.deadlines.overdue_q, issue 18's one definition), not its own reading of
    the due dates: a deadline passed since the last sweep is late in neither, so the admin's
    table and the figure above the inbox never disagree."""
    import datetime as dt

    from complaints import queues
    from complaints.models import Report
    from complaints.sweeps import run_deadline_sweep
    from tests.factories import dispatched_report

    reports = [
        dispatched_report(agency_a, cast.national, title=f"Jalan berlubang {i}") for i in range(3)
    ]
    now = timezone.now()
    held = Report.objects.filter(pk__in=[r.pk for r in reports])
    held.update(assigned_to=cast.officer_a)
    held.filter(pk__in=[r.pk for r in reports[:2]]).update(response_due=now - dt.timedelta(days=2))
    run_deadline_sweep(now=now)
    held.filter(pk=reports[2].pk).update(response_due=timezone.now() - dt.timedelta(minutes=1))
    overdue = queues.overdue_count(queues.inbox_for(cast.officer_a))
    officer = {u.pk: u for u in queues.officer_loads(cast.admin_a)}[cast.officer_a.pk]
    assert officer.open_load == 3
    assert officer.late_load == overdue == 2
