"""The public part of API v1: filing (with idempotent retries), tracking, reference data,
indicators, and the error body in the caller's language."""

import pytest

from complaints.models import Channel, Report
from integrations.models import ApiCallLog, IdempotencyRecord
from integrations.services import apikey_revoke
from tests.factories import dispatched_report, file_report

from .conftest import api

pytestmark = pytest.mark.django_db

REPORT = {
    "kind": "complaint",
    "title": "Lampu jalan padam",
    "description": "Lampu jalan di Jalan Dago padam sejak sepekan, gelap dan rawan.",
    "category": "infrastruktur",
    "province": "32",
    "regency": "3273",
    "reporter_name": "Rina",
    "reporter_email": "rina@example.id",
}


def test_filing_answers_201_with_the_tracking_number():
    response = api().post("/api/v1/reports/", REPORT, format="json")
    assert response.status_code == 201
    body = response.json()
    report = Report.objects.get(tracking=body["tracking"])
    assert body["status"] == "submitted"
    assert body["url"] == f"/lacak/{report.tracking}/"
    assert report.channel == Channel.API
    assert report.requested_agency_id is None
    assert report.events.filter(action="submit").count() == 1


def test_same_idempotency_key_twice_files_one_report():
    client = api()
    first = client.post("/api/v1/reports/", REPORT, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/reports/", REPORT, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Report.objects.filter(title=REPORT["title"]).count() == 1
    # Another key is another report.
    other = client.post("/api/v1/reports/", REPORT, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.json()["tracking"] != first.json()["tracking"]
    assert Report.objects.filter(title=REPORT["title"]).count() == 2


def test_same_idempotency_key_with_another_body_is_refused():
    client = api()
    client.post("/api/v1/reports/", REPORT, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    changed = {**REPORT, "title": "Judul yang lain sekali"}
    response = client.post("/api/v1/reports/", changed, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Report.objects.filter(title="Judul yang lain sekali").exists()


def test_a_refused_request_does_not_burn_its_idempotency_key():
    client = api()
    bad = client.post(
        "/api/v1/reports/", {**REPORT, "province": "99"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    good = client.post("/api/v1/reports/", REPORT, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert good.status_code == 201


def test_idempotency_keys_of_two_callers_never_share_answers(key_a):
    public = api().post("/api/v1/reports/", REPORT, format="json", HTTP_IDEMPOTENCY_KEY="same")
    keyed = api(key_a.raw).post(
        "/api/v1/reports/", REPORT, format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert public.status_code == keyed.status_code == 201
    assert public.json()["tracking"] != keyed.json()["tracking"]


def test_validation_errors_are_json_with_a_code_in_the_callers_language():
    indonesian = api().post("/api/v1/reports/", {"kind": "complaint"}, format="json")
    english = api(language="en").post("/api/v1/reports/", {"kind": "x"}, format="json")
    assert indonesian.status_code == english.status_code == 400
    assert indonesian.json()["code"] == english.json()["code"] == "invalid"
    assert indonesian.json()["message"] == "Data yang dikirim tidak valid."
    assert english.json()["message"] == "The data sent is not valid."
    assert "title" in indonesian.json()["errors"]
    assert "kind" in english.json()["errors"]


def test_missing_contact_and_wrong_regency_are_refused():
    no_contact = {**REPORT, "reporter_email": ""}
    response = api().post("/api/v1/reports/", no_contact, format="json")
    assert response.status_code == 400
    assert "reporter_email" in response.json()["errors"]
    wrong = api().post(
        "/api/v1/reports/", {**REPORT, "regency": "3201", "province": "31"}, format="json"
    )
    assert wrong.status_code == 400


def test_filing_with_an_agency_key_is_an_integration_report_naming_that_agency(key_a, agency_a):
    response = api(key_a.raw).post("/api/v1/reports/", REPORT, format="json")
    assert response.status_code == 201
    report = Report.objects.get(tracking=response.json()["tracking"])
    assert report.channel == Channel.INTEGRATION
    assert report.requested_agency_id == agency_a.pk
    assert ApiCallLog.objects.filter(key=key_a.key, method="POST", status=201).count() == 1


def test_filing_with_a_revoked_or_unknown_key_is_refused(key_a):
    apikey_revoke(key=key_a.key)
    revoked = api(key_a.raw).post("/api/v1/reports/", REPORT, format="json")
    unknown = api("lk_this-is-not-a-key-at-all-000000").post(
        "/api/v1/reports/", REPORT, format="json"
    )
    assert revoked.status_code == unknown.status_code == 401
    assert revoked.json()["code"] == "invalid_key"
    assert not Report.objects.filter(title=REPORT["title"]).exists()
    # The revoked key's knocking is in its log.
    assert ApiCallLog.objects.filter(key=key_a.key, status=401).count() == 1


def test_public_status_shows_timeline_without_identity(cast, agency_a):
    report = dispatched_report(
        agency_a, cast.national, reporter_name="Nama Rahasia", is_anonymous=True
    )
    response = api().get(f"/api/v1/reports/{report.tracking.lower()}/")
    assert response.status_code == 200
    body = response.json()
    assert body["tracking"] == report.tracking
    assert body["status"] == "dispatched"
    assert body["title"] == report.title
    assert body["agency"] == agency_a.name
    assert [e["action"] for e in body["timeline"]] == ["submit", "verify", "dispatch"]
    assert "Nama Rahasia" not in response.content.decode()
    assert report.reporter_email not in response.content.decode()


def test_public_status_of_a_confidential_report_shows_no_content(cast, agency_a):
    report = dispatched_report(agency_a, cast.national, is_confidential=True)
    body = api().get(f"/api/v1/reports/{report.tracking}/").json()
    assert body["status"] == "dispatched"
    assert body["title"] is None and body["category"] is None and body["regency"] is None
    assert report.title not in str(body)


def test_unknown_or_malformed_tracking_is_a_json_404():
    for number in ("LPR-00000-00000", "nonsense"):
        response = api().get(f"/api/v1/reports/{number}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_reference_data():
    provinces = api().get("/api/v1/regions/provinces/").json()
    assert {"code": "32", "name": "Jawa Barat"} in provinces
    regencies = api().get("/api/v1/regions/regencies/?province=32").json()
    assert {r["province"] for r in regencies} == {"32"}
    assert any(r["code"] == "3273" and r["kind"] == "kota" for r in regencies)
    categories = api().get("/api/v1/categories/").json()
    assert "infrastruktur" in {c["code"] for c in categories}
    agencies = api().get("/api/v1/agencies/?regency=3273&top_level=true").json()
    assert [a["slug"] for a in agencies["results"]] == ["pemkot-3273"]
    page = api().get("/api/v1/agencies/").json()
    assert len(page["results"]) == 100 and page["next"]
    second = api().get(page["next"]).json()
    assert not {a["id"] for a in second["results"]} & {a["id"] for a in page["results"]}


def test_province_indicators_count_reports_and_never_show_contents(cast, agency_a):
    dispatched_report(agency_a, cast.national, is_confidential=True, title="Sangat rahasia x")
    file_report()
    response = api().get("/api/v1/indicators/provinces/")
    assert response.status_code == 200
    west_java = next(p for p in response.json()["provinces"] if p["province"] == "32")
    assert west_java["received"] == 2
    assert west_java["dispatched"] == 1
    assert "Sangat rahasia" not in response.content.decode()
    bad = api().get("/api/v1/indicators/provinces/?start=2026-05-01&end=2026-01-01")
    assert bad.status_code == 400


def test_unknown_region_codes_are_refused_in_the_callers_language():
    regency = api(language="en").post(
        "/api/v1/reports/", {**REPORT, "regency": "9999"}, format="json"
    )
    # Last in Indonesian: the thread keeps the language of its last request (as in production,
    # where every request sets its own), and the tests after this one expect Indonesian.
    province = api().post("/api/v1/reports/", {**REPORT, "province": "99"}, format="json")
    assert province.status_code == regency.status_code == 400
    assert province.json()["errors"]["province"] == ['Kode wilayah "99" tidak dikenal.']
    assert regency.json()["errors"]["regency"] == ['Unknown region code "9999".']


@pytest.mark.postgres  # the one statement is PostgreSQL's (core.gathered); SQLite writes apart
def test_filing_reads_no_table(django_assert_num_queries):
    # Regions come from memory (agencies.regions): the filing is its transaction (a savepoint
    # inside the test's) of two statements (core.gathered): the ids drawn from their
    # sequences, then one INSERT of the report, its event, the confirmation e-mail, the
    # summary rows and the week's count for the early warning (monitoring.warnings).
    api().post("/api/v1/reports/", REPORT, format="json")  # fills the memos
    without_category = {k: v for k, v in REPORT.items() if k != "category"}
    with django_assert_num_queries(4) as captured:
        response = api().post("/api/v1/reports/", without_category, format="json")
    assert response.status_code == 201
    verbs = [q["sql"].split()[0] for q in captured.captured_queries]
    assert verbs == ["SAVEPOINT", "SELECT", "WITH", "RELEASE"]
    assert captured.captured_queries[1]["sql"].startswith("SELECT nextval(")


def test_the_filing_serializer_binds_its_fields_once_and_shares_no_outcome():
    """The input serializer's fields are made once per class (integrations.serializers.
    FieldsBoundOnce), not deep-copied per request; each instance keeps its own data, errors
    and validated data, in any thread."""
    from concurrent.futures import ThreadPoolExecutor

    from integrations.api_public import ReportCreateApi
    from integrations.api_sync import ExternalFilingApi

    made = ReportCreateApi.ReportCreateInputSerializer
    assert made(data={}).fields is made(data={}).fields
    # A subclass has fields of its own (the sync API's external_id), bound once as well.
    sync = ExternalFilingApi.ExternalFilingSerializer
    assert "external_id" in sync(data={}).fields and "external_id" not in made(data={}).fields

    def check(i):
        body = {**REPORT, "category": None, "title": f"Lampu jalan padam {i}"}
        if i % 2:
            body = {**body, "province": "99", "title": "x"}
        s = made(data=body)
        return i, s.is_valid(), s.errors, s.validated_data if not i % 2 else None

    with ThreadPoolExecutor(8) as pool:
        for i, valid, errors, data in pool.map(check, range(200)):
            if i % 2:
                assert not valid and set(errors) == {"province", "title"}
            else:
                assert valid and not errors and data["title"] == f"Lampu jalan padam {i}"


def test_an_address_over_the_limit_of_refused_filings_is_refused_whatever_it_sends(settings):
    """The limit on refused bodies holds for a valid one too (read with the limits on accepted
    filings, once the body is checked: one cache round trip), and a 429 files nothing."""
    settings.LAPOR_RATE_LIMITS = {**settings.LAPOR_RATE_LIMITS, "file_failed": (2, 600)}
    client = api()
    bad = {**REPORT, "title": ""}
    assert [client.post("/api/v1/reports/", bad, format="json").status_code for _ in "ab"] == [
        400,
        400,
    ]
    for body in (bad, REPORT):
        refused = client.post("/api/v1/reports/", body, format="json")
        assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
        assert int(refused["Retry-After"]) > 0
    assert not Report.objects.exists()
