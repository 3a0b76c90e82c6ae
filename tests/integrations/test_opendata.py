"""Open data (SP4N's "API Akses Data"): public reports only, never an identity, paged and
filtered, CSV and JSON, one file a day, licensed."""

import csv
import io

import pytest
from django.utils import timezone

from complaints.models import Report
from tests.factories import dispatched_report, file_report

from .conftest import api

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE = "Rahmat Hidayat Rahasia", "rahmat.rahasia@example.id", "081299998888"


@pytest.fixture
def reports(cast, agency_a):
    identity = {"reporter_name": NAME, "reporter_email": EMAIL, "reporter_phone": PHONE}
    return {
        "public": dispatched_report(agency_a, cast.national, **identity),
        "anonymous": dispatched_report(agency_a, cast.national, is_anonymous=True, **identity),
        "confidential": dispatched_report(
            agency_a, cast.national, is_confidential=True, title="Rahasia negara", **identity
        ),
        "unverified": file_report(**identity),
        "bogor": dispatched_report(
            cast.officer_b.roles.first().agency, cast.national, regency_id="3201", **identity
        ),
    }


def _all_pages(client, url):
    seen = []
    while url:
        body = client.get(url).json()
        assert body["license"]["name"] == "CC BY 4.0"
        seen += body["results"]
        url = body["next"]
    return seen


def test_only_public_reports_and_no_identity(reports):
    client = api()
    rows = _all_pages(client, "/api/v1/opendata/reports/?page_size=1")
    assert {r["tracking"] for r in rows} == {
        reports[k].tracking for k in ("public", "anonymous", "bogor")
    }
    text = str(rows)
    for secret in (NAME, EMAIL, PHONE, "Rahasia negara"):
        assert secret not in text
    assert not any("reporter" in k or "anonymous" in k for r in rows for k in r)


def test_filters_and_bad_filters(reports):
    client = api()
    bogor = client.get("/api/v1/opendata/reports/?regency=3201").json()["results"]
    assert [r["tracking"] for r in bogor] == [reports["bogor"].tracking]
    assert client.get("/api/v1/opendata/reports/?status=resolved").json()["results"] == []
    today = timezone.localdate().isoformat()
    dated = client.get(f"/api/v1/opendata/reports/?since={today}&until={today}").json()
    assert len(dated["results"]) == 3
    for bad in ("regency=9999", "status=nope", "since=1900-01-01", "page_size=5000", "after=-1"):
        response = client.get(f"/api/v1/opendata/reports/?{bad}")
        assert response.status_code == 400, bad


def test_csv_is_safe_and_licensed(reports, cast, agency_a):
    dispatched_report(agency_a, cast.national, title='=HYPERLINK("http://x")')
    response = api().get("/api/v1/opendata/reports/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'rel="license"' in response["Link"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 4
    assert any(r["title"].startswith("'=") for r in rows)
    assert NAME not in response.content.decode()


def test_daily_file(reports):
    client = api()
    today = timezone.localdate()
    body = client.get(f"/api/v1/opendata/daily/{today.isoformat()}/").json()
    assert body["date"] == today.isoformat() and len(body["results"]) == 3
    csv_file = client.get(f"/api/v1/opendata/daily/{today.isoformat()}/?format=csv")
    assert f"lapor-{today}.csv" in csv_file["Content-Disposition"]
    assert client.get("/api/v1/opendata/daily/2001-01-01/").json()["results"] == []
    for bad in ("kemarin", "2026-13-01", "1800-01-01"):
        response = client.get(f"/api/v1/opendata/daily/{bad}/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert Report.objects.count() == 5
