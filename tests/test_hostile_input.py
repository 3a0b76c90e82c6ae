"""The inputs that answered 500 when tried as an attacker would (issue 14), each at its door:
a NUL byte, a lone surrogate, a decompression-bomb PNG, year 9999, a +99:00 offset. Each must
answer 400 with a clear message in the door's own format (an HTML page, the API's
``{"code", "message"}`` body, Open311's error list) and store nothing."""

import io
import json
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.models import AnswerTemplate, Attachment, Report, ReportEvent
from integrations.models import ApiKey, SmsInbound
from integrations.services import apikey_issue
from tests.factories import dispatched_report, file_report

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NUL = "\x00"
SURROGATE = "\ud800"


def _rows() -> tuple:
    return (
        Report.objects.count(),
        ReportEvent.objects.count(),
        Attachment.objects.count(),
        AnswerTemplate.objects.count(),
        SmsInbound.objects.count(),
    )


@pytest.fixture
def world(cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    waiting = file_report()
    key = apikey_issue(agency=agency_a, name="Sistem Kota Bandung")
    return {"report": report, "waiting": waiting, "key": key.raw}


def _page_refused(response):
    assert response.status_code == 400, response.status_code
    body = response.content.decode()
    assert "tidak dapat diproses" in body, body[:500]


def _api_refused(response):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] == "invalid_input", body
    assert body["message"]


def _open311_refused(response):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert body[0]["code"] == 400, body
    assert body[0]["description"]


# --- NUL bytes and lone surrogates at every door of the issue's list --------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/lacak/LPR-%00/",
        "/laporan/LPR-%00/",
        "/api/v1/regions/regencies/?province=%00",
        "/open311/v2/requests.json?jurisdiction_id=%00",
        "/open311/v2/requests.json?service_code=%00",
        "/open311/v2/requests.json?service_request_id=%00",
        "/open311/v2/requests/LPR%00.json",
        "/pantau/provinsi/3%002/",
    ],
)
def test_nul_in_public_urls_is_refused(client, world, url):
    before = _rows()
    response = client.get(url)
    if url.startswith("/api/"):
        _api_refused(response)
    elif url.startswith("/open311/"):
        if response.status_code == 404:  # the route's own pattern refuses it first: fine
            return
        _open311_refused(response)
    elif url.startswith("/pantau/"):
        assert response.status_code in (400, 302), response.status_code
    else:
        _page_refused(response)
    assert _rows() == before


def test_nul_in_staff_urls_is_refused(client, cast, world):
    client.force_login(cast.officer_a)
    for url in ("/kerja/?cari=%00", "/kerja/laporan/LPR-%00/", "/pantau/provinsi/3%002/"):
        _page_refused(client.get(url))


def test_open311_post_text_fields_are_refused(client, world):
    before = _rows()
    for field in ("description", "address_string", "first_name", "email", "jurisdiction_id"):
        data = {
            "api_key": world["key"],
            "service_code": "INFRA",
            "lat": "-6.9",
            "long": "107.6",
            "description": "Jalan di depan sekolah berlubang besar sekali.",
            field: "teks\x00teks",
        }
        _open311_refused(client.post("/open311/v2/requests.json", data))
        assert _rows() == before, field


def test_open311_post_with_broken_utf8_stores_nothing_unreadable(client, world):
    """A form body's invalid UTF-8 (an encoded lone surrogate) is decoded with replacement
    characters: nothing unstorable reaches the database, and no 500."""
    body = f"api_key={world['key']}&service_code=INFRA&lat=-6.9&long=107.6"
    body += "&description=teks%ED%A0%80"
    response = client.post(
        "/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code < 500


def test_open311_xml_resource_answers_in_xml(client, world):
    response = client.get("/open311/v2/requests.xml?service_code=%00")
    assert response.status_code == 400
    assert response.content.startswith(b'<?xml version="1.0"')
    assert b"<errors><error><code>400</code>" in response.content


@pytest.mark.parametrize("value", [NUL, SURROGATE])
def test_api_json_text_is_refused(client, world, value):
    before = _rows()
    body = {
        "kind": "complaint",
        "title": "Jalan berlubang di depan sekolah",
        "description": "Jalan di depan sekolah berlubang besar dan membahayakan.",
        "province": "32",
        "regency": "3273",
        "category": f"INFRA{value}",
        "reporter_name": "Budi",
        "reporter_email": "budi@example.id",
    }
    response = client.post(
        "/api/v1/reports/", json.dumps(body, ensure_ascii=True), content_type="application/json"
    )
    _api_refused(response)
    assert "category" in response.json()["errors"]
    assert _rows() == before


def test_api_agency_report_with_nul_is_refused(client, world):
    response = client.get(
        "/api/v1/agency/reports/LPR-%00/", HTTP_AUTHORIZATION=f"Bearer {world['key']}"
    )
    _api_refused(response)


def test_api_answers_in_english_when_asked(client, world):
    response = client.get("/api/v1/regions/regencies/?province=%00", HTTP_ACCEPT_LANGUAGE="en")
    _api_refused(response)
    assert "cannot be processed" in response.json()["message"]


def test_nul_in_a_header_that_reaches_the_database_is_refused(client, world):
    response = client.get("/api/v1/agency/", HTTP_AUTHORIZATION="Bearer lpr_\x00abc")
    _api_refused(response)


def test_deeply_nested_json_is_refused(client, world):
    body = "[" * 100000 + "]" * 100000
    response = client.post("/api/v1/reports/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid_input", "parse_error")


def test_sms_webhook_refuses_nul(client, world, settings):
    settings.LAPOR_SMS_INBOUND_TOKEN = "rahasia-gateway"
    before = _rows()
    response = client.post(
        "/api/v1/sms/inbound/",
        json.dumps({"id": "g1", "from": "+628123456789", "text": "LAPOR 3273 jalan\u0000"}),
        content_type="application/json",
        HTTP_X_LAPOR_SMS_TOKEN="rahasia-gateway",
    )
    _api_refused(response)
    assert _rows() == before


def test_report_assist_refuses_nul(client, world):
    response = client.post("/lapor/bantuan/", {"title": "Jalan\x00", "description": "x" * 30})
    _page_refused(response)


def test_reporter_reply_with_nul_stores_nothing(client, world):
    report = world["report"]
    before = _rows()
    response = client.post(
        f"/lacak/{report.tracking}/?k=x", {"action": "reply", "note": "Terima kasih\x00"}
    )
    _page_refused(response)
    assert _rows() == before


def test_officer_note_and_merge_target_with_nul_store_nothing(client, cast, world):
    report = world["report"]
    client.force_login(cast.officer_a)
    before = _rows()
    url = f"/kerja/laporan/{report.tracking}/aksi/"
    _page_refused(client.post(url, {"action": "respond", "note": "Ditangani\x00"}))
    client.force_login(cast.national)
    url = f"/triase/laporan/{world['waiting'].tracking}/aksi/"
    _page_refused(client.post(url, {"action": "merge", "into": "LPR-\x00"}))
    assert _rows() == before


def test_answer_template_with_nul_stores_nothing(client, cast, agency_a, world):
    client.force_login(cast.admin_a)
    before = _rows()
    response = client.post(
        "/kerja/templat/", {"agency": agency_a.pk, "title": "Salam\x00", "body": "Isi"}
    )
    _page_refused(response)
    assert _rows() == before


# --- the decompression bomb -----------------------------------------------------------------


def _bomb_png(side: int = 60000) -> bytes:
    """A valid PNG header claiming side x side pixels, with a tiny compressed body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
    return png + chunk(b"IEND", b"")


def test_decompression_bomb_png_is_refused_next_to_the_field(client, world):
    before = _rows()
    upload = SimpleUploadedFile("bom.png", _bomb_png(), content_type="image/png")
    response = client.post(
        "/lapor/",
        {
            "kind": "complaint",
            "title": "Jalan berlubang di depan sekolah",
            "description": "Jalan di depan sekolah berlubang besar dan membahayakan.",
            "province": "32",
            "regency": "3273",
            "reporter_name": "Budi",
            "reporter_email": "budi@example.id",
            "attachments": upload,
        },
    )
    assert response.status_code == 400
    assert "terlalu besar ukurannya" in response.content.decode()
    assert _rows() == before


def test_bomb_check_in_the_upload_service(tmp_path):
    from django.core.exceptions import ValidationError

    from complaints.uploads import check_upload

    upload = SimpleUploadedFile("bom.png", _bomb_png(), content_type="image/png")
    with pytest.raises(ValidationError) as caught:
        check_upload(upload)
    assert caught.value.code == "image_too_large"
    small = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (8, 8)).save(small, format="PNG")
    check_upload(SimpleUploadedFile("ok.png", small.getvalue(), content_type="image/png"))


# --- dates and time zones ---------------------------------------------------------------------


def test_year_9999_on_the_indicators_api(client, world):
    response = client.get("/api/v1/indicators/provinces/?start=9999-01-01")
    assert response.status_code == 400
    assert "start" in response.json()["errors"]


@pytest.mark.parametrize("url", ["/statistik/", "/pantau/"])
def test_year_9999_on_dashboards(client, cast, world, url):
    client.force_login(cast.national)
    response = client.get(url, {"period": "custom", "start": "9999-01-01", "end": "9999-12-31"})
    # A 400 that is still the page: the default period, and the message next to the field.
    assert response.status_code == 400
    assert "Tanggal harus antara" in response.content.decode()
    assert 'data-testid="indicators"' in response.content.decode() or "<table" in response.text
    response = client.get(url, {"start": "9999-01-01"})
    assert response.status_code in (200, 400)  # a start without "custom" is not read
    good = {"period": "custom", "start": "2026-01-01", "end": "2026-03-31"}
    assert client.get(url, good).status_code == 200


@pytest.mark.parametrize(
    "value", ["2026-01-01T00:00:00+99:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"]
)
def test_open311_dates_out_of_range(client, world, value):
    response = client.get("/open311/v2/requests.json", {"start_date": value})
    _open311_refused(response)
    response = client.get("/open311/v2/requests.json", {"end_date": value})
    _open311_refused(response)


def test_no_key_was_created_by_refused_requests(client, world):
    assert ApiKey.objects.count() == 1


def test_api_docs_load_from_static_files_without_inline_script(client):
    """/api/docs/ used Swagger UI from a CDN that LAPOR's CSP blocks (issue 14)."""
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<script>" not in html  # the start-up script is a file of its own
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_schema_disagreements_fixed(client, world):
    """Where schemathesis found the API refusing what its schema allowed (issue 14)."""
    assert client.get("/api/v1/indicators/provinces/?start=&end=").status_code == 200
    body = {
        "kind": "complaint",
        "title": "Jalan berlubang di depan sekolah",
        "description": "Jalan di depan sekolah berlubang besar dan membahayakan.",
        "province": "32",
        "regency": "3273",
        "reporter_name": "Budi",
        "reporter_email": "budi@example.id",
        "latitude": None,
        "longitude": None,
    }
    response = client.post("/api/v1/reports/", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    schema = client.get("/api/schema/?format=json").json()
    # Since issue 19 an anonymous filing owes no name (as on the form): the schema lets the
    # name be left out and says when it is required, which the API enforces (a 400 follows).
    create = schema["components"]["schemas"]["ReportCreateInput"]
    assert "reporter_name" not in create.get("required", [])
    assert "unless is_anonymous" in create["properties"]["reporter_name"]["description"]
    blank = {**body, "reporter_name": " "}
    response = client.post("/api/v1/reports/", json.dumps(blank), content_type="application/json")
    assert response.status_code == 400
    assert "reporter_name" in response.json()["errors"], response.content[:300]


def test_a_multipart_body_without_a_boundary_is_a_clean_400_at_every_door(client):
    for url in ("/api/v1/reports/", "/api/v1/routing/preview", "/lapor/"):
        response = client.post(url, data=b"x=1", content_type="multipart/form-data")
        assert response.status_code == 400, url
    api = client.post("/api/v1/reports/", data=b"x=1", content_type="multipart/form-data")
    assert api.json()["code"] == "invalid_input"
