"""Request ids, security headers, and a clean 503 with a retry hint when the database is down."""

import json
import logging
import re

import pytest
from django.db import connection

from core.logging import JsonFormatter, RequestIdFilter


@pytest.mark.django_db
def test_every_response_has_a_request_id_and_security_headers(client):
    response = client.get("/lapor/")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'<script nonce="{nonce}">' in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/", HTTP_X_REQUEST_ID="lb-1234abcd").get("X-Request-ID") == "lb-1234abcd"
    bad = client.get("/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", bad)


def test_json_log_lines_carry_the_request_id():
    from core.logging import request_id_var

    record = logging.LogRecord("lapor.request", logging.INFO, __file__, 1, "request", None, None)
    record.status = 201
    token = request_id_var.set("abc123def456")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc123def456"
    assert line["status"] == 201
    assert line["message"] == "request"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_down_gives_503_with_retry_after_and_recovers(client):
    settings_dict = connection.settings_dict
    real_port = settings_dict["PORT"]
    connection.close()
    settings_dict["PORT"] = "1"  # nothing listens there: as if PostgreSQL were down
    try:
        page = client.get("/laporan/")
        api = client.get("/api/v1/reports/LPR-00000-00000/")
    finally:
        connection.close()
        settings_dict["PORT"] = real_port
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    assert api.status_code == 503
    assert api.json()["code"] == "service_unavailable"
    # Back up: the next request works without restarting anything.
    assert client.get("/laporan/").status_code == 200


@pytest.mark.django_db
def test_pages_are_indonesian_unless_english_is_chosen(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="id"' in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en"' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert '<html lang="id"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_rate_limits_answer_429_with_retry_after_and_save_nothing(client, settings):
    from complaints.models import Report

    settings.LAPOR_RATE_LIMITS = {
        **settings.LAPOR_RATE_LIMITS,
        "file_failed": (2, 600),
        "login": (2, 600),
    }
    data = {"kind": "complaint", "title": "x"}  # invalid on purpose: counting failed attempts
    for _ in range(2):
        assert client.post("/lapor/", data).status_code == 400
    refused = client.post("/lapor/", data)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 600
    assert "Terlalu banyak laporan" in refused.content.decode()
    assert not Report.objects.exists()
    for _ in range(2):
        client.post("/akun/masuk/", {"username": "a@b.id", "password": "salah"})
    assert (
        client.post("/akun/masuk/", {"username": "a@b.id", "password": "salah"}).status_code == 429
    )
