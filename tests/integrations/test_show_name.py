"""The reporter's name on the public page only when chosen (issue 16), at the API and Open311 as
at the form: explicit true or false only, as the anonymity flag, and never with anonymity. The
API's filing limit counts accepted filings per address and contact (its own 429 body)."""

import pytest

from complaints.models import Report
from tests.integrations.test_api_public import REPORT
from tests.integrations.test_open311 import BASE, POST

from .conftest import api

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("value", "shown"), [(True, True), (False, False), (None, False)])
def test_the_api_takes_show_name_as_true_or_false(value, shown):
    body = {**REPORT} if value is None else {**REPORT, "show_name": value}
    response = api().post("/api/v1/reports/", body, format="json")
    assert response.status_code == 201
    assert Report.objects.get(tracking=response.json()["tracking"]).show_name is shown


@pytest.mark.parametrize("value", ["yes", "1", 1, "on"])
def test_the_api_refuses_anything_but_true_or_false(value):
    response = api().post("/api/v1/reports/", {**REPORT, "show_name": value}, format="json")
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_the_api_refuses_a_name_shown_on_an_anonymous_report():
    body = {**REPORT, "show_name": True, "is_anonymous": True}
    assert api().post("/api/v1/reports/", body, format="json").status_code == 400


def test_the_api_counts_accepted_filings_per_contact(settings):
    settings.LAPOR_RATE_LIMITS = {**settings.LAPOR_RATE_LIMITS, "file_contact": (1, 600)}
    assert api().post("/api/v1/reports/", REPORT, format="json").status_code == 201
    bad = {**REPORT, "title": ""}
    assert api().post("/api/v1/reports/", bad, format="json").status_code == 400
    refused = api().post("/api/v1/reports/", REPORT, format="json")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "status", "shown"),
    [("true", 201, True), ("false", 201, False), ("", 201, False), ("1", 400, None)],
)
def test_open311_takes_show_name_as_true_or_false(client, key_a, value, status, shown):
    data = {**POST, "api_key": key_a.raw, "attribute[show_name]": value}
    response = client.post(f"{BASE}/requests.json", data)
    assert response.status_code == status
    if shown is not None:
        tracking = response.json()[0]["service_request_id"]
        assert Report.objects.get(tracking=tracking).show_name is shown


def test_open311_refuses_a_name_shown_on_an_anonymous_report(client, key_a):
    data = {
        **POST,
        "api_key": key_a.raw,
        "attribute[show_name]": "true",
        "attribute[anonymous]": "true",
    }
    assert client.post(f"{BASE}/requests.json", data).status_code == 400
    assert not Report.objects.exists()


def test_open311_lists_the_show_name_attribute(client):
    attributes = client.get(f"{BASE}/services/infrastruktur.json").json()["attributes"]
    assert "show_name" in [a["code"] for a in attributes]
