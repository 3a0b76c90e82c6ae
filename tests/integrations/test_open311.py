"""Open311 GeoReport v2, field by field as the specification's examples show them, in JSON
and XML; errors in the specification's format; confidential reports never appear; no request
carries the reporter's identity."""

import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from complaints.models import Channel, Report
from complaints.services import report_transition
from integrations.models import ApiCallLog
from integrations.services import apikey_revoke
from tests.factories import dispatched_report

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314  (our own output)


def test_discovery(client):
    data = client.get(f"{BASE}/discovery.json").json()
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    formats = root.findall("endpoints/endpoint/formats/format")
    assert [f.text for f in formats] == ["text/xml", "application/json"]


def test_services_json_and_xml(client):
    services = client.get(f"{BASE}/services.json").json()
    roads = next(s for s in services if s["service_code"] == "infrastruktur")
    assert list(roads) == SERVICE_FIELDS
    assert roads["service_name"] == "Infrastruktur dan Pekerjaan Umum"
    assert roads["metadata"] is True and roads["type"] == "realtime"
    english = client.get(f"{BASE}/services.json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert next(s for s in english if s["service_code"] == "infrastruktur")["service_name"] == (
        "Infrastructure and Public Works"
    )
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    service = next(
        s for s in root.findall("service") if s.findtext("service_code") == "infrastruktur"
    )
    assert [child.tag for child in service] == SERVICE_FIELDS
    assert service.findtext("metadata") == "true"
    assert len(root.findall("service")) == len(services)


def test_service_definition_json_and_xml(client):
    data = client.get(f"{BASE}/services/infrastruktur.json").json()
    assert data["service_code"] == "infrastruktur"
    kind = data["attributes"][0]
    assert list(kind) == [
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    ]
    assert kind["code"] == "kind" and kind["datatype"] == "singlevaluelist"
    assert {"key": "complaint", "name": "Pengaduan"} in kind["values"]
    root = xml(client.get(f"{BASE}/services/infrastruktur.xml"))
    assert root.tag == "service_definition"
    attribute = root.find("attributes/attribute")
    assert attribute.findtext("code") == "kind"
    assert attribute.findtext("required") == "false"
    assert [v.findtext("key") for v in attribute.findall("values/value")] == [
        "complaint",
        "aspiration",
        "information_request",
    ]
    missing = client.get(f"{BASE}/services/tidak-ada.json")
    assert missing.status_code == 404
    assert missing.json() == [
        {"code": 404, "description": "service_code tidak-ada tidak ditemukan."}
    ]


POST = {
    "service_code": "infrastruktur",
    "lat": "-6.914744",
    "long": "107.609810",
    "address_string": "Jl. Asia Afrika 1, Bandung",
    "email": "warga@example.id",
    "first_name": "Dewi",
    "last_name": "Lestari",
    "phone": "081234567890",
    "description": "Trotoar rusak dan berlubang di depan Gedung Merdeka.",
    "device_id": "abc",
}


def test_post_request_json_files_a_report(client, key_a, agency_a):
    response = client.post(f"{BASE}/requests.json", {**POST, "api_key": key_a.raw})
    assert response.status_code == 201
    (answer,) = response.json()
    assert list(answer) == ["service_request_id", "service_notice", "account_id", "token"]
    assert answer["account_id"] is None
    report = Report.objects.get(tracking=answer["service_request_id"])
    assert report.channel == Channel.OPEN311
    assert report.category.code == "infrastruktur"
    assert (report.province_id, report.regency_id) == ("32", "3273")  # the key's city
    assert str(report.latitude) == "-6.914744" and str(report.longitude) == "107.609810"
    assert report.reporter_name == "Dewi Lestari"
    assert report.requested_agency_id == agency_a.pk
    assert ApiCallLog.objects.filter(key=key_a.key, method="POST", status=201).exists()
    token = client.get(f"{BASE}/tokens/{answer['token']}.json").json()
    assert token == [{"service_request_id": report.tracking, "token": answer["token"]}]


def test_post_request_xml_with_jurisdiction_and_attributes(client, key_a):
    data = {
        **POST,
        "api_key": key_a.raw,
        "jurisdiction_id": "3201",
        "attribute[kind]": "aspiration",
        "attribute[title]": "Perbaiki trotoar",
        "attribute[anonymous]": "true",
    }
    root = xml(client.post(f"{BASE}/requests.xml", data))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert [c.tag for c in request] == [
        "service_request_id",
        "service_notice",
        "account_id",
        "token",
    ]
    assert request.findtext("account_id") == ""
    report = Report.objects.get(tracking=request.findtext("service_request_id"))
    assert (report.regency_id, report.kind, report.title) == (
        "3201",
        "aspiration",
        "Perbaiki trotoar",
    )
    assert report.is_anonymous
    token = xml(client.get(f"{BASE}/tokens/{request.findtext('token')}.xml"))
    assert token.findtext("request/service_request_id") == report.tracking


@pytest.mark.parametrize(
    ("change", "status", "fragment"),
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "lk_wrongwrongwrongwrongwrong"}, 403, "api_key"),
        ({"service_code": "nope"}, 400, "service_code"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "lat"),
        ({"lat": "900"}, 400, "lat/long"),
        ({"description": "pendek"}, 400, "description"),
        ({"jurisdiction_id": "9999"}, 400, "jurisdiction_id"),
        ({"attribute[kind]": "gossip"}, 400, "attribute[kind]"),
        ({"email": "not-an-email"}, 400, "email"),
    ],
)
def test_post_errors_in_the_specifications_format(client, key_a, change, status, fragment):
    data = {**POST, "api_key": key_a.raw, **change}
    response = client.post(f"{BASE}/requests.json", data)
    assert response.status_code == status
    (error,) = response.json()
    assert list(error) == ["code", "description"]
    assert error["code"] == status and fragment in error["description"]
    root = xml(client.post(f"{BASE}/requests.xml", data))
    assert root.tag == "errors"
    assert root.findtext("error/code") == str(status)
    assert not Report.objects.filter(channel=Channel.OPEN311).exists()


def test_post_with_a_revoked_key_is_refused(client, key_a):
    apikey_revoke(key=key_a.key)
    response = client.post(f"{BASE}/requests.json", {**POST, "api_key": key_a.raw})
    assert response.status_code == 403
    assert ApiCallLog.objects.filter(key=key_a.key, status=403).exists()


@pytest.fixture
def world(cast, agency_a):
    worked = dispatched_report(
        agency_a,
        cast.national,
        category_id=_category("infrastruktur"),
        reporter_name="Nama Tersembunyi",
        reporter_email="sembunyi@example.id",
        is_anonymous=True,
        address="Jl. Braga",
    )
    report_transition(
        report_id=worked.pk, action="respond", actor=cast.officer_a, note="Tim kami berangkat"
    )
    report_transition(
        report_id=worked.pk, action="note", actor=cast.officer_a, note="internal secret note"
    )
    done = dispatched_report(agency_a, cast.national, category_id=_category("kesehatan"))
    report_transition(report_id=done.pk, action="respond", actor=cast.officer_a, note="ok")
    report_transition(report_id=done.pk, action="resolve", actor=cast.officer_a, note="Selesai.")
    secret = dispatched_report(
        agency_a, cast.national, is_confidential=True, title="Rahasia sekali nomor satu"
    )
    return worked, done, secret


def _category(code):
    from routing.models import Category

    return Category.objects.get(code=code).pk


def test_get_requests_json_field_by_field(client, world, agency_a):
    worked, done, _secret = world
    data = client.get(f"{BASE}/requests.json").json()
    by_id = {r["service_request_id"]: r for r in data}
    assert set(by_id) == {worked.tracking, done.tracking}  # never the confidential one
    request = by_id[worked.tracking]
    assert list(request) == REQUEST_FIELDS
    worked.refresh_from_db()
    assert request["status"] == "open"
    assert request["status_notes"] == "Tim kami berangkat"  # public notes only
    assert request["service_code"] == "infrastruktur"
    assert request["service_name"] == "Infrastruktur dan Pekerjaan Umum"
    assert request["description"] == worked.description
    assert request["agency_responsible"] == agency_a.name
    created = timezone.localtime(worked.created_at).isoformat(timespec="seconds")
    assert request["requested_datetime"] == created and created.endswith("+07:00")
    assert request["expected_datetime"] is not None
    assert request["address"] == "Jl. Braga"
    assert request["lat"] is None and request["media_url"] == ""
    assert by_id[done.tracking]["status"] == "closed"
    assert by_id[done.tracking]["status_notes"] == "Selesai."
    text = client.get(f"{BASE}/requests.json").content.decode()
    for leak in ("Nama Tersembunyi", "sembunyi@example.id", "internal secret", "Rahasia sekali"):
        assert leak not in text


def test_get_requests_xml_and_filters(client, world):
    worked, done, secret = world
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert len(requests) == 2
    assert [c.tag for c in requests[0]] == REQUEST_FIELDS
    assert {r.findtext("status") for r in requests} == {"open", "closed"}
    closed = client.get(f"{BASE}/requests.json?status=closed").json()
    assert [r["service_request_id"] for r in closed] == [done.tracking]
    by_code = client.get(f"{BASE}/requests.json?service_code=infrastruktur").json()
    assert [r["service_request_id"] for r in by_code] == [worked.tracking]
    by_ids = client.get(
        f"{BASE}/requests.json?service_request_id={worked.tracking},{secret.tracking}"
    ).json()
    assert [r["service_request_id"] for r in by_ids] == [worked.tracking]
    future = client.get(f"{BASE}/requests.json?start_date=2099-01-01T00:00:00Z").json()
    assert future == []
    bad = client.get(f"{BASE}/requests.json?start_date=yesterday")
    assert bad.status_code == 400 and bad.json()[0]["code"] == 400
    assert client.get(f"{BASE}/requests.json?status=pending").status_code == 400


def test_get_one_request_and_confidential_is_404(client, world):
    worked, _done, secret = world
    one = client.get(f"{BASE}/requests/{worked.tracking}.json").json()
    assert [r["service_request_id"] for r in one] == [worked.tracking]
    root = xml(client.get(f"{BASE}/requests/{worked.tracking}.xml"))
    assert root.findtext("request/service_request_id") == worked.tracking
    for fmt in ("json", "xml"):
        hidden = client.get(f"{BASE}/requests/{secret.tracking}.{fmt}")
        unknown = client.get(f"{BASE}/requests/LPR-00000-00000.{fmt}")
        assert hidden.status_code == unknown.status_code == 404
        assert secret.title.encode() not in hidden.content
    assert client.get(f"{BASE}/tokens/forged-token.json").status_code == 404
