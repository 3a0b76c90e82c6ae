"""The places where schemathesis found the OpenAPI schema (/api/schema/) disagreeing with the
API (issue 14), each checked against both: the public operations are marked as needing no key,
an empty ``start`` is the default period, the agency list's ``status`` filter lists its values,
a blank latitude means none given, and a blank reporter_name is refused as the schema says."""

import pytest
from rest_framework.test import APIClient

from complaints.models import Report, Status
from tests.factories import dispatched_report

from .test_api_public import REPORT

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get("/api/schema/?format=json").json()


def operations(schema):
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_public_operations_need_no_key_and_agency_ones_do(schema):
    seen = 0
    for path, method, op in operations(schema):
        security = op.get("security", [])
        if path.startswith("/api/v1/agency/"):
            assert {} not in security and {"apiKey": []} in security, (method, path)
        elif path == "/api/v1/sms/inbound/":
            # The gateway's shared token, required: a security scheme of its own.
            assert security == [{"smsGatewayToken": []}], security
        elif path == "/api/v1/federation/inbound/":
            # National's webhook signature (integrations.federation), no key.
            assert security == [{"federationSignature": []}], security
        else:
            assert {} in security, (method, path)  # callable with no key at all
            seen += 1
    assert seen >= 10


def test_the_sms_gateway_token_is_a_header_scheme_in_the_schema(schema, client, settings):
    scheme = schema["components"]["securitySchemes"]["smsGatewayToken"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "X-Lapor-Sms-Token"}
    settings.LAPOR_SMS_INBOUND_TOKEN = "gateway-secret"
    body = {"from": "081234567890", "text": "STATUS LPR-1", "id": "gw-1"}
    assert client.post("/api/v1/sms/inbound/", body).status_code == 403
    given = client.post("/api/v1/sms/inbound/", body, HTTP_X_LAPOR_SMS_TOKEN="gateway-secret")
    assert given.status_code == 200


def test_public_operations_answer_without_a_key():
    client = APIClient()
    for path in (
        "/api/v1/regions/provinces/",
        "/api/v1/categories/",
        "/api/v1/agencies/",
        "/api/v1/indicators/provinces/",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get("/api/v1/agency/reports/").status_code == 401


def test_an_empty_start_is_the_default_period():
    client = APIClient()
    empty = client.get("/api/v1/indicators/provinces/?start=&end=")
    default = client.get("/api/v1/indicators/provinces/")
    assert empty.status_code == 200
    assert (empty.json()["start"], empty.json()["end"]) == (
        default.json()["start"],
        default.json()["end"],
    )


def test_the_status_filter_lists_its_values_and_reads_them_comma_separated(
    schema, key_a, cast, agency_a
):
    (param,) = [
        p
        for p in schema["paths"]["/api/v1/agency/reports/"]["get"]["parameters"]
        if p["name"] == "status"
    ]
    assert param["schema"]["items"]["enum"] == list(Status.values)
    assert (param["style"], param["explode"]) == ("form", False)
    report = dispatched_report(agency_a, cast.national)
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {key_a.raw}")
    listed = client.get("/api/v1/agency/reports/?status=dispatched,in_progress").json()
    assert [r["tracking"] for r in listed["results"]] == [report.tracking]
    assert client.get("/api/v1/agency/reports/?status=closed").json()["results"] == []
    unknown = client.get("/api/v1/agency/reports/?status=dispatched,open")
    assert unknown.status_code == 400 and "open" in str(unknown.json()["errors"]["status"])


def test_a_blank_latitude_is_no_point_and_a_blank_name_is_refused(schema):
    body = schema["components"]["schemas"]["ReportCreateInput"]
    assert body["properties"]["latitude"]["nullable"] is True
    # Optional in the schema (an anonymous filing needs none), refused blank otherwise.
    assert "reporter_name" not in body.get("required", [])
    client = APIClient()
    filed = client.post(
        "/api/v1/reports/", {**REPORT, "latitude": "", "longitude": ""}, format="json"
    )
    assert filed.status_code == 201
    report = Report.objects.get(tracking=filed.json()["tracking"])
    assert report.latitude is None and report.longitude is None
    blank = client.post("/api/v1/reports/", {**REPORT, "reporter_name": ""}, format="json")
    assert blank.status_code == 400 and "reporter_name" in blank.json()["errors"]
    spaces = client.post("/api/v1/reports/", {**REPORT, "reporter_name": "  "}, format="json")
    assert spaces.status_code == 400 and "reporter_name" in spaces.json()["errors"]
    unnamed = {k: v for k, v in REPORT.items() if k != "reporter_name"}
    assert client.post("/api/v1/reports/", unnamed, format="json").status_code == 400


def test_an_anonymous_filing_needs_no_name_nor_contact_as_on_the_form(key_a):
    """The web form asks an anonymous guest for neither (complaints.forms.ReportForm.clean);
    the API asked for a name and a contact even then."""
    anonymous = {k: v for k, v in REPORT.items() if not k.startswith("reporter_")}
    anonymous["is_anonymous"] = True
    filed = APIClient().post("/api/v1/reports/", anonymous, format="json")
    assert filed.status_code == 201, filed.json()
    report = Report.objects.get(tracking=filed.json()["tracking"])
    assert report.is_anonymous and report.reporter_name == "" and report.reporter_email == ""
    # The same through a client's own system, with its own id.
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {key_a.raw}")
    synced = client.post(
        "/api/v1/agency/filings/", {**anonymous, "external_id": "ANON-1"}, format="json"
    )
    assert synced.status_code == 201, synced.json()
    assert synced.json()["reporter"] is None
