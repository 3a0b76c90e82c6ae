"""End to end: a stand-in regional system of Kota Bandung files through the API, receives
the dispatch webhook on its own HTTP server, acts through the API, and the citizen sees the
answer on the track page. Real commits (transactional database), tasks run as the worker
would run them (eagerly, after commit)."""

import pytest

from integrations.webhooks import verify_signature
from tests.factories import PASSWORD

from .conftest import api


@pytest.mark.django_db(transaction=True)
def test_regional_system_files_hears_acts_and_the_citizen_sees_it(client, cast, agency_a, receiver):
    # The agency admin connects the regional system: a key and a webhook.
    assert client.login(username=cast.admin_a.username, password=PASSWORD)
    raw_key = (
        client.post(
            "/kerja/integrasi/", {"form": "key", "name": "SIPP Bandung", "agency": agency_a.pk}
        )
        .context["new_key"]
        .raw
    )
    secret = (
        client.post(
            "/kerja/integrasi/", {"form": "webhook", "url": receiver.url, "agency": agency_a.pk}
        )
        .context["new_endpoint"]
        .secret
    )
    system = api(raw_key)

    # The regional system files a citizen's report it received at its own counter.
    filed = system.post(
        "/api/v1/reports/",
        {
            "kind": "complaint",
            "title": "Saluran air tersumbat",
            "description": "Saluran air di Jalan Cihampelas tersumbat sampah, air meluap ke jalan.",
            "category": "infrastruktur",
            "province": "32",
            "regency": "3273",
            "reporter_name": "Asep",
            "reporter_email": "asep@example.id",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="sipp-2026-0001",
    )
    assert filed.status_code == 201
    tracking = filed.json()["tracking"]

    # National triage verifies; the report goes to the agency the system named.
    assert client.login(username=cast.national.username, password=PASSWORD)
    client.post(f"/triase/laporan/{tracking}/aksi/", {"action": "verify", "from": "triage"})

    # The system hears of the dispatch, signed.
    dispatched = [r for r in receiver.received if r["json"]["event"] == "dispatched"]
    assert len(dispatched) == 1
    hook = dispatched[0]
    assert verify_signature(secret, hook["body"], hook["headers"]["X-Lapor-Signature"])
    assert hook["json"]["report"]["tracking"] == tracking
    version = hook["json"]["report"]["version"]

    # It acts through the API, as its officers would on the web.
    responded = system.post(
        f"/api/v1/agency/reports/{tracking}/actions/",
        {"action": "respond", "note": "Petugas kebersihan dijadwalkan.", "version": version},
        format="json",
    )
    assert responded.status_code == 200
    resolved = system.post(
        f"/api/v1/agency/reports/{tracking}/actions/",
        {"action": "resolve", "note": "Saluran sudah dibersihkan pada pagi ini."},
        format="json",
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert [r["json"]["event"] for r in receiver.received][-2:] == ["responded", "resolved"]

    # The citizen sees the answer on the track page.
    client.logout()
    page = client.get(f"/lacak/{tracking}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Saluran sudah dibersihkan pada pagi ini." in text
    assert "Petugas kebersihan dijadwalkan." in text
