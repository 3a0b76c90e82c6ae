"""The dashboard pages: who may read which, the figures on the page (and in its CSV) equal the
reports, sorting, periods, flat query counts, and a public page without report contents."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, Province, Role
from complaints.models import Report
from monitoring.rebuild import rebuild
from tests.factories import PASSWORD, dispatched_report, make_staff
from tests.monitoring.test_indicators import direct

pytestmark = pytest.mark.django_db
EVERYTHING = {"period": "custom", "start": "2025-11-01", "end": "2027-03-31"}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def rows_of(response, table="table") -> dict:
    return {row["key"]: row["values"] for row in response.context[table]["rows"]}


# --- who reads what -------------------------------------------------------------------------


def test_national_readers_see_every_page(client, cast, agency_a):
    kemenkes = Agency.objects.get(slug="kemenkes")
    for user in (cast.national, cast.ombudsman):
        login(client, user)
        for url in (
            reverse("monitoring:national"),
            reverse("monitoring:province", args=["35"]),
            reverse("monitoring:agency", args=[agency_a.pk]),
            reverse("monitoring:agency", args=[kemenkes.pk]),
            reverse("monitoring:rankings") + "?tingkat=pusat",
        ):
            assert client.get(url).status_code == 200, (user, url)


def test_a_province_supervisor_lands_on_and_stays_in_their_province(
    client, cast, agency_a, agency_b
):
    login(client, cast.supervisor)  # supervises Jawa Barat (32)
    response = client.get(reverse("monitoring:national"))
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:province", args=["32"])
    assert client.get(reverse("monitoring:province", args=["32"])).status_code == 200
    assert client.get(reverse("monitoring:agency", args=[agency_b.pk])).status_code == 200
    surabaya = Agency.objects.get(slug="pemkot-3578")
    kemenkes = Agency.objects.get(slug="kemenkes")
    for url in (
        reverse("monitoring:province", args=["35"]),
        reverse("monitoring:province", args=["35"]) + "?format=csv",
        reverse("monitoring:agency", args=[surabaya.pk]),
        reverse("monitoring:agency", args=[kemenkes.pk]),
    ):
        assert client.get(url).status_code == 403, url
    # Rankings: only their province's regencies, never the ministries.
    response = client.get(reverse("monitoring:rankings") + "?tingkat=pusat")
    assert response.context["level"] == "kabkota"
    assert all(
        Agency.objects.get(pk=row["key"]).province_id == "32"
        for row in response.context["table"]["rows"]
    )


def test_officers_citizens_and_strangers_get_no_dashboard(client, cast, agency_a):
    url = reverse("monitoring:national")
    assert client.get(url).status_code == 302  # to the sign-in page
    for user in (cast.officer_a, cast.citizen, cast.stranger):
        login(client, user)
        assert client.get(url).status_code == 403
        assert client.get(reverse("monitoring:province", args=["32"])).status_code == 403
        assert client.get(reverse("monitoring:rankings")).status_code == 403


def test_an_agency_admin_reads_their_own_agency_only(client, cast, agency_a, agency_b):
    login(client, cast.admin_a)
    assert client.get(reverse("monitoring:agency", args=[agency_a.pk])).status_code == 200
    assert client.get(reverse("monitoring:agency", args=[agency_b.pk])).status_code == 403
    # A unit's page is its agency's page, at the unit's row.
    unit = Agency.objects.filter(parent=agency_a).first()
    response = client.get(reverse("monitoring:agency", args=[unit.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/pantau/instansi/{agency_a.pk}/#unit-{unit.pk}")


# --- the figures ----------------------------------------------------------------------------


def test_national_page_figures_and_csv_equal_the_reports(client, cast, mixed):
    login(client, cast.national)
    response = client.get(reverse("monitoring:national"), EVERYTHING)
    got = rows_of(response)
    start, end = dt.date(2025, 11, 1), dt.date(2027, 3, 31)
    for code in ("32", "35"):
        want = direct(start, end, Q(province_id=code))
        for key, value in want.items():
            assert got[code][key] == pytest.approx(value), (code, key)
    assert response.context["whole"]["values"]["received"] == Report.objects.count()

    exported = client.get(reverse("monitoring:national"), {**EVERYTHING, "format": "csv"})
    assert exported["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    header = lines[1]
    by_name = {line[0]: dict(zip(header, line, strict=False)) for line in lines[2:] if line}
    west_java = Province.objects.get(code="32").name
    want = direct(start, end, Q(province_id="32"))
    assert int(by_name[west_java]["Diterima"]) == want["received"]
    assert float(by_name[west_java]["Tingkat penyelesaian"]) == pytest.approx(
        round(want["completion_rate"] * 100, 1)
    )


def test_province_page_lists_every_regional_government_and_the_others(
    client, cast, mixed, agency_a, agency_b
):
    login(client, cast.national)
    response = client.get(reverse("monitoring:province", args=["32"]), EVERYTHING)
    governments = set(
        Agency.objects.top_level()
        .filter(province_id="32", is_active=True)
        .values_list("pk", flat=True)
    )
    got = rows_of(response)
    assert set(got) == governments  # every one, with or without reports
    start, end = dt.date(2025, 11, 1), dt.date(2027, 3, 31)
    for agency in (agency_a, agency_b):
        want = direct(start, end, Q(owner_agency=agency))
        for key, value in want.items():
            assert got[agency.pk][key] == pytest.approx(value), (agency.slug, key)
    # The others: agencies outside the province's governments, for reports from the province.
    others = rows_of(response, "other_table")
    assert all(pk not in governments for pk in others)
    for pk, values in others.items():
        assert (
            values["received"]
            == Report.objects.filter(province_id="32", owner_agency_id=pk).count()
        )
    # The province's own figures equal its reports.
    assert (
        response.context["whole"]["values"]["received"]
        == Report.objects.filter(province_id="32").count()
    )


def test_agency_page_splits_by_unit_and_by_province(client, cast, agency_a):
    login(client, cast.national)
    kemenkes = Agency.objects.get(slug="kemenkes")
    for province, regency in (("32", "3273"), ("35", "3578"), ("35", "3578")):
        dispatched_report(kemenkes, cast.national, province_id=province, regency_id=regency)
    response = client.get(reverse("monitoring:agency", args=[kemenkes.pk]))
    by_province = rows_of(response, "province_table")
    assert by_province["32"]["received"] == 1 and by_province["35"]["received"] == 2
    assert response.context["whole"]["values"]["received"] == 3
    units = rows_of(response)
    assert units[kemenkes.pk]["received"] == 3  # held by the ministry itself
    assert sum(v["received"] for v in units.values()) == 3


def test_sorting_by_any_column_puts_missing_figures_last(client, cast, mixed):
    login(client, cast.national)
    response = client.get(
        reverse("monitoring:national"), {**EVERYTHING, "urut": "completion_rate", "arah": "asc"}
    )
    values = [row["values"]["completion_rate"] for row in response.context["table"]["rows"]]
    present = [v for v in values if v is not None]
    assert present == sorted(present) and len(present) >= 2
    assert values[: len(present)] == present  # None (no dispatched reports) at the end
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html
    # A made-up column falls back to the default order, not an error.
    response = client.get(reverse("monitoring:national"), {"urut": "password", "arah": "asc"})
    assert response.status_code == 200


def test_a_bad_period_says_why_and_shows_this_year(client, cast):
    login(client, cast.national)
    response = client.get(
        reverse("monitoring:national"),
        {"period": "custom", "start": "2026-05-01", "end": "2026-01-01"},
    )
    # Refused (400, issue 14: every refused input is a 4xx) but still the page, for this year.
    assert response.status_code == 400
    assert "Tanggal mulai harus sebelum tanggal akhir." in response.content.decode()
    assert response.context["period"].label == "year"
    response = client.get(reverse("monitoring:national"), {"period": "custom", "start": "kemarin"})
    assert response.status_code == 400 and response.context["period"].label == "year"


def test_rankings_rank_only_agencies_with_enough_reports(client, cast, agency_a, agency_b):
    login(client, cast.national)
    for _ in range(10):
        report = dispatched_report(agency_a, cast.national)
        from complaints.services import report_transition

        report_transition(report_id=report.pk, action="respond", actor=cast.officer_a, note="ok")
        report_transition(report_id=report.pk, action="resolve", actor=cast.officer_a, note="ok")
    for _ in range(3):
        dispatched_report(agency_b, cast.national)  # too few to rank
    response = client.get(reverse("monitoring:rankings"), {"tingkat": "kabkota"})
    ranked = [row["key"] for row in response.context["table"]["rows"]]
    assert ranked == [agency_a.pk]
    board = response.context["boards"][0]
    assert board["best"][0]["key"] == agency_a.pk and board["best"][0]["score"] == "100,0%"


# --- cost -----------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_query_counts_stay_flat_as_reports_grow(client, cast, agency_a, agency_b):
    login(client, cast.national)
    kemenkes = Agency.objects.get(slug="kemenkes")
    urls = [
        reverse("monitoring:national"),
        reverse("monitoring:province", args=["32"]),
        reverse("monitoring:agency", args=[agency_a.pk]),
        reverse("monitoring:agency", args=[kemenkes.pk]),
        reverse("monitoring:rankings"),
        reverse("statistik"),
    ]
    from django.core.cache import cache

    dispatched_report(agency_a, cast.national)
    # Both counts from an empty cache: the session's copy and the sign-in bundle
    # (core.sessions, agencies.backends) are read from the database on the first page of each.
    cache.clear()
    before = [_queries(client, url) for url in urls]
    for n in range(30):
        target = (agency_a, agency_b, kemenkes)[n % 3]
        dispatched_report(
            target,
            cast.national,
            province_id=target.province_id or "35",
            regency_id=target.regency_id,
        )
    cache.clear()
    after = [_queries(client, url) for url in urls]
    assert before == after
    assert max(after) <= 20


def test_pages_never_read_the_reports_table(client, cast, agency_a):
    login(client, cast.national)
    dispatched_report(agency_a, cast.national)
    for url in (
        reverse("monitoring:national"),
        reverse("monitoring:province", args=["32"]),
        reverse("monitoring:agency", args=[agency_a.pk]),
        reverse("statistik"),
    ):
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert "complaints_report" not in sql, url


# --- the public page ------------------------------------------------------------------------


def test_public_statistics_show_figures_and_no_report_contents(client, cast, agency_a):
    secret = dispatched_report(
        agency_a, cast.national, title="Rahasia: pungli kepala dinas X", is_confidential=True
    )
    public = dispatched_report(agency_a, cast.national, title="Lampu jalan mati di Dago")
    response = client.get(reverse("statistik"))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["whole"]["values"]["received"] == 2
    for report in (secret, public):
        assert report.title not in html and report.tracking not in html
        assert report.reporter_email not in html
    # Staff-only figures stay off the public page.
    assert "Keterhubungan" not in html
    exported = client.get(reverse("statistik"), {"format": "csv"}).content.decode("utf-8-sig")
    assert "Rahasia" not in exported and "Keterhubungan" not in exported
    assert Province.objects.get(code="32").name in exported


def test_rebuild_keeps_page_figures(client, cast, mixed):
    login(client, cast.national)
    before = rows_of(client.get(reverse("monitoring:national"), EVERYTHING))
    rebuild()
    after = rows_of(client.get(reverse("monitoring:national"), EVERYTHING))
    assert before == after


def test_connectedness_counts_governments_with_a_decree_and_an_admin(client, cast, agency_a):
    """An admin alone does not connect an agency: its SK pengelola must be in force too
    (tests/monitoring/test_appointments.py holds the rule in full)."""
    from tests.monitoring.test_appointments import record

    login(client, cast.national)
    governments = Agency.objects.top_level().filter(province_id="32", is_active=True).count()
    record(agency_a, cast.national)
    response = client.get(reverse("monitoring:province", args=["32"]))
    assert response.context["whole"]["values"]["connectedness"] == pytest.approx(1 / governments)
    assert rows_of(response)[agency_a.pk]["connectedness"] == 1.0
    bekasi = Agency.objects.get(slug="pemkab-3204")
    make_staff(Role.Kind.AGENCY_ADMIN, agency=bekasi)
    response = client.get(reverse("monitoring:province", args=["32"]))
    assert rows_of(response)[bekasi.pk]["connectedness"] == 0.0  # no decree yet
    record(bekasi, cast.national)
    response = client.get(reverse("monitoring:province", args=["32"]))
    assert response.context["whole"]["values"]["connectedness"] == pytest.approx(2 / governments)


def test_rates_on_the_page_are_rounded_like_the_csv():
    from django.utils import translation

    from monitoring.tables import csv_value, display

    with translation.override("id"):
        assert display(2 / 3, "rate") == "66,7%"  # was "66,6%": number_format truncates
        assert display(3.456, "score") == "3,46"
    assert csv_value(2 / 3, "rate") == "66.7"


def test_activity_says_whose_definition_it_is(client, cast):
    """No SP4N-LAPOR! definition of keaktifan was found (monitoring/tables.py): the page says
    the figure is LAPOR's own, with its definition."""
    login(client, cast.national)
    html = client.get(reverse("monitoring:national")).content.decode()
    assert "Keaktifan (definisi LAPOR; definisi resmi SP4N-LAPOR! tidak kami temukan)" in html
    assert "dalam 30 hari terakhir, dibagi instansi terhubung" in html
