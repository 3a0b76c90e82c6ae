"""Two-way sync with a regional system, door by door: the client's own ids (idempotent
forever), filing to a unit, files both ways, the citizen's side over the API, status words,
and what the client that filed a report hears after it is transferred away."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from agencies.services import agency_create
from complaints.models import Attachment, Report, ReportEvent
from complaints.services import report_transition, report_verify_and_route
from integrations.models import ExternalRef, StatusMap
from integrations.services import webhook_endpoint_register
from integrations.webhooks import deliver_endpoint, verify_signature
from tests.factories import dispatched_report

from .conftest import api

pytestmark = pytest.mark.django_db


def filing(external_id: str, **overrides) -> dict:
    body = {
        "external_id": external_id,
        "kind": "complaint",
        "title": "Lampu jalan mati",
        "description": "Lampu jalan di Jalan Dago mati sejak seminggu, gelap dan rawan.",
        "province": "32",
        "regency": "3273",
        "reporter_name": "Siti Aminah",
        "reporter_email": "siti@example.id",
    }
    body.update(overrides)
    return body


def png(name="foto.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def through_to_agency(report_id: int, national) -> Report:
    return report_verify_and_route(report_id=report_id, actor=national)


# --- (1) external ids -----------------------------------------------------------------------


def test_same_external_id_answers_the_same_report_forever(key_a, agency_a):
    client = api(key_a.raw)
    first = client.post("/api/v1/agency/filings/", filing("SIP-2026-0001"), format="json")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["external_id"] == "SIP-2026-0001"
    assert body["channel"] == "integration"
    # A retry long after the idempotency window, even with another body: the same report.
    ExternalRef.objects.update(created_at="2025-01-01T00:00:00Z")
    again = client.post(
        "/api/v1/agency/filings/", filing("SIP-2026-0001", title="Judul lain"), format="json"
    )
    assert again.status_code == 200
    assert again.json()["tracking"] == body["tracking"]
    assert Report.objects.count() == 1
    found = client.get("/api/v1/agency/external/SIP-2026-0001/")
    assert found.status_code == 200 and found.json()["tracking"] == body["tracking"]
    report = Report.objects.get()
    assert report.requested_agency_id == agency_a.pk


def test_another_key_of_the_same_agency_shares_the_ids(key_a, agency_a):
    from integrations.services import apikey_issue

    second = apikey_issue(agency=agency_a, name="Kunci baru")
    a = api(key_a.raw).post("/api/v1/agency/filings/", filing("X-1"), format="json").json()
    b = api(second.raw).post("/api/v1/agency/filings/", filing("X-1"), format="json")
    assert b.status_code == 200 and b.json()["tracking"] == a["tracking"]


def test_external_ids_are_per_client(key_a, key_b):
    a = api(key_a.raw).post("/api/v1/agency/filings/", filing("777"), format="json")
    b = api(key_b.raw).post(
        "/api/v1/agency/filings/", filing("777", province="32", regency="3201"), format="json"
    )
    assert a.status_code == b.status_code == 201
    assert a.json()["tracking"] != b.json()["tracking"]
    # B cannot find A's report by A's id (nor by its own for A's report).
    assert (
        api(key_b.raw).get("/api/v1/agency/external/777/").json()["tracking"]
        == b.json()["tracking"]
    )


@pytest.mark.parametrize("bad", ["", "a/b", "spasi di dalam", "x" * 101, "-awal"])
def test_bad_external_id_is_a_400_and_files_nothing(key_a, bad):
    response = api(key_a.raw).post("/api/v1/agency/filings/", filing(bad), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Report.objects.exists()


def test_filing_needs_a_key(key_a):
    response = api().post("/api/v1/agency/filings/", filing("A-1"), format="json")
    assert response.status_code == 401
    assert not Report.objects.exists()


def test_mirror_id_for_a_dispatched_report_and_conflicts(key_a, cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    other = dispatched_report(agency_a, cast.national)
    client = api(key_a.raw)
    url = f"/api/v1/agency/reports/{report.tracking}/external-id/"
    assert client.put(url, {"external_id": "M-1"}, format="json").status_code == 200
    assert client.put(url, {"external_id": "M-1"}, format="json").status_code == 200
    assert client.put(url, {"external_id": "M-2"}, format="json").status_code == 409
    other_url = f"/api/v1/agency/reports/{other.tracking}/external-id/"
    taken = client.put(other_url, {"external_id": "M-1"}, format="json")
    assert taken.status_code == 409 and taken.json()["code"] == "external_id_taken"
    assert client.get("/api/v1/agency/external/M-1/").json()["tracking"] == report.tracking


def test_another_agencys_key_cannot_mirror_or_read(key_a, key_b, cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    api(key_a.raw).put(
        f"/api/v1/agency/reports/{report.tracking}/external-id/",
        {"external_id": "A"},
        format="json",
    )
    b = api(key_b.raw)
    assert (
        b.put(
            f"/api/v1/agency/reports/{report.tracking}/external-id/",
            {"external_id": "B"},
            format="json",
        ).status_code
        == 404
    )
    assert b.get("/api/v1/agency/external/A/").status_code == 404
    assert not ExternalRef.objects.filter(agency=key_b.key.agency).exists()


# --- (3) filing to a unit -------------------------------------------------------------------


def test_filing_to_a_unit_of_the_clients_agency_goes_there(key_a, cast, agency_a, agency_b):
    unit = agency_create(name="Dinas PU Kota Bandung", slug="pu-3273", kind="unit", parent=agency_a)
    client = api(key_a.raw)
    response = client.post("/api/v1/agency/filings/", filing("U-1", unit="pu-3273"), format="json")
    assert response.status_code == 201
    report = through_to_agency(Report.objects.get().pk, cast.national)
    assert report.agency_id == unit.pk and report.owner_agency_id == agency_a.pk
    refused = client.post(
        "/api/v1/agency/filings/", filing("U-2", unit=agency_b.slug), format="json"
    )
    assert refused.status_code == 400 and "unit" in refused.json()["errors"]
    assert Report.objects.count() == 1


# --- (2) files both ways --------------------------------------------------------------------


def test_files_upload_list_download_and_refusals(key_a, key_b, cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    client = api(key_a.raw)
    url = f"/api/v1/agency/reports/{report.tracking}/files/"
    up = client.post(url, {"files": [png()], "note": "Foto perbaikan"}, format="multipart")
    assert up.status_code == 201, up.json()
    [meta] = up.json()
    assert meta["content_type"] == "image/png" and meta["url"].endswith(f"/files/{meta['id']}/")
    event = ReportEvent.objects.get(report=report, action="attach")
    assert not event.is_public and Attachment.objects.get().event_id == event.pk
    listed = client.get(url).json()
    assert [f["id"] for f in listed] == [meta["id"]]
    download = client.get(f"{url}{meta['id']}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    # Not an image by its content, though named .png: refused like the form, nothing saved.
    fake = SimpleUploadedFile("x.png", b"MZ not an image", content_type="image/png")
    bad = client.post(url, {"files": [fake]}, format="multipart")
    assert bad.status_code == 400 and "files" in bad.json()["errors"]
    assert Attachment.objects.count() == 1
    # Another agency's key: the same 404 for list, upload and download.
    b = api(key_b.raw)
    assert b.get(url).status_code == 404
    assert b.get(f"{url}{meta['id']}/").status_code == 404
    assert b.post(url, {"files": [png()]}, format="multipart").status_code == 404
    assert Attachment.objects.count() == 1


def test_webhook_carries_file_links_not_files(key_a, cast, agency_a, receiver):
    endpoint = webhook_endpoint_register(agency=agency_a, url=receiver.url)
    report = dispatched_report(agency_a, cast.national)
    api(key_a.raw).post(
        f"/api/v1/agency/reports/{report.tracking}/files/", {"files": [png()]}, format="multipart"
    )
    report_transition(report_id=report.pk, action="respond", actor=cast.officer_a, note="Ok")
    deliver_endpoint(endpoint.pk)
    last = receiver.received[-1]
    files = last["json"]["report"]["files"]
    assert len(files) == 1 and files[0]["url"].startswith("http")
    assert b"PNG" not in last["body"]
    assert verify_signature(endpoint.secret, last["body"], last["headers"]["X-Lapor-Signature"])


# --- (4) the citizen's side ------------------------------------------------------------------


def _filed_and_resolved(key, cast, external_id="C-1") -> Report:
    api(key.raw).post("/api/v1/agency/filings/", filing(external_id), format="json")
    report = through_to_agency(
        Report.objects.get(external_refs__external_id=external_id).pk, cast.national
    )
    report_transition(report_id=report.pk, action="respond", actor=cast.officer_a, note="Kami cek")
    return report_transition(
        report_id=report.pk, action="resolve", actor=cast.officer_a, note="Sudah diganti"
    )


def test_citizen_side_dispute_then_accept_with_rating(key_a, cast):
    report = _filed_and_resolved(key_a, cast)
    client = api(key_a.raw)
    url = f"/api/v1/agency/reports/{report.tracking}/citizen/"
    disputed = client.post(url, {"action": "dispute", "note": "Masih mati"}, format="json")
    assert disputed.status_code == 200 and disputed.json()["status"] == "in_progress"
    report_transition(report_id=report.pk, action="resolve", actor=cast.officer_a, note="Lagi")
    accepted = client.post(url, {"action": "accept", "rating": 4}, format="json")
    assert accepted.status_code == 200
    report.refresh_from_db()
    assert report.status == "closed" and report.rating == 4 and report.reopen_count == 1
    labels = set(
        ReportEvent.objects.filter(report=report, action__in=["dispute", "accept"]).values_list(
            "actor_label", flat=True
        )
    )
    assert labels == {"Pelapor"}


def test_citizen_side_refused_for_a_report_the_client_did_not_file(key_a, key_b, cast, agency_a):
    dispatched = dispatched_report(agency_a, cast.national)
    client = api(key_a.raw)
    reply = {"action": "reply", "note": "Saya pelapornya"}
    url = f"/api/v1/agency/reports/{dispatched.tracking}/citizen/"
    assert client.post(url, reply, format="json").status_code == 404
    mine = _filed_and_resolved(key_a, cast)
    other = api(key_b.raw).post(
        f"/api/v1/agency/reports/{mine.tracking}/citizen/", reply, format="json"
    )
    assert other.status_code == 404
    assert not ReportEvent.objects.filter(action="reply").exists()
    # Wrong status is the machine's 409; an unknown action is a 400.
    wrong = client.post(
        f"/api/v1/agency/reports/{mine.tracking}/citizen/", {"action": "dispute"}, format="json"
    )
    assert wrong.status_code == 400
    bad = client.post(
        f"/api/v1/agency/reports/{mine.tracking}/citizen/", {"action": "verify"}, format="json"
    )
    assert bad.status_code == 400


def test_citizen_side_rests_on_the_clients_key_not_the_reporters_expiring_one(
    key_a, cast, settings
):
    """The reporter's own key stops LAPOR_GUEST_KEY_DAYS after the report is finished
    (complaints.permissions.guest_key_expires_at); the city's app acts with its own key, which
    the report's coming in through it authorises: rating a closed report a year later works,
    and a guest holding the expired key is still refused."""
    import datetime as dt

    from django.utils import timezone

    from complaints.errors import ActionForbidden

    report = _filed_and_resolved(key_a, cast)
    url = f"/api/v1/agency/reports/{report.tracking}/citizen/"
    client = api(key_a.raw)
    assert client.post(url, {"action": "accept"}, format="json").status_code == 200
    long_ago = timezone.now() - dt.timedelta(days=settings.LAPOR_GUEST_KEY_DAYS + 1)
    Report.objects.filter(pk=report.pk).update(finished_at=long_ago, reporter_secret_at=long_ago)
    report.refresh_from_db()
    with pytest.raises(ActionForbidden):
        report_transition(
            report_id=report.pk, action="rate", token=report.reporter_secret, rating=2
        )
    rated = client.post(url, {"action": "rate", "rating": 5}, format="json")
    assert rated.status_code == 200, rated.json()
    report.refresh_from_db()
    assert report.rating == 5


# --- (5) status words -----------------------------------------------------------------------

CITY_MAP = {
    "inbound": {"DITERIMA_OPD": "respond", "SELESAI": "resolve", "PUAS": "accept"},
    "outbound": {"dispatched": "BARU", "in_progress": "PROSES", "resolved": "SELESAI"},
}


def test_status_map_is_validated_and_used_both_ways(key_a, cast, agency_a):
    client = api(key_a.raw)
    bad = client.put(
        "/api/v1/agency/status-map/",
        {"inbound": {"X": "fly"}, "outbound": {"nowhere": "Y"}},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"inbound", "outbound"}
    assert not StatusMap.objects.exists()
    assert client.put("/api/v1/agency/status-map/", CITY_MAP, format="json").status_code == 200
    assert client.get("/api/v1/agency/status-map/").json() == CITY_MAP
    api(key_a.raw).post("/api/v1/agency/filings/", filing("S-1"), format="json")
    report = through_to_agency(Report.objects.get().pk, cast.national)
    url = f"/api/v1/agency/reports/{report.tracking}/status/"
    moved = client.post(url, {"status": "DITERIMA_OPD", "note": "Diterima"}, format="json")
    assert moved.status_code == 200
    assert moved.json()["status"] == "in_progress" and moved.json()["external_status"] == "PROSES"
    unknown = client.post(url, {"status": "TERBANG", "note": "x"}, format="json")
    assert unknown.status_code == 400
    client.post(url, {"status": "SELESAI", "note": "Beres"}, format="json")
    closed = client.post(url, {"status": "PUAS", "rating": 5}, format="json")
    assert closed.status_code == 200
    report.refresh_from_db()
    assert report.status == "closed" and report.rating == 5


# --- (6) after a transfer away --------------------------------------------------------------


def test_origin_client_keeps_public_events_after_transfer(
    key_a, cast, agency_a, agency_b, receiver
):
    from agencies.models import Role
    from tests.factories import make_staff

    endpoint = webhook_endpoint_register(agency=agency_a, url=receiver.url)
    api(key_a.raw).post("/api/v1/agency/filings/", filing("T-1"), format="json")
    report = through_to_agency(Report.objects.get().pk, cast.national)
    report_transition(
        report_id=report.pk,
        action="transfer",
        actor=cast.officer_a,
        note="Wewenang Bogor",
        agency=agency_b,
    )
    officer_b = make_staff(Role.Kind.OFFICER, agency=agency_b)
    report_transition(report_id=report.pk, action="note", actor=officer_b, note="RAHASIA-INTERNAL")
    report_transition(report_id=report.pk, action="respond", actor=officer_b, note="Kami tangani")
    report_transition(report_id=report.pk, action="resolve", actor=officer_b, note="Diperbaiki")
    deliver_endpoint(endpoint.pk)
    names = [r["json"]["event"] for r in receiver.received]
    assert names == ["dispatched", "transferred_out", "responded", "resolved"]
    after = receiver.received[-1]["json"]
    assert after["report"]["external_id"] == "T-1"
    assert after["report"]["agency"]["slug"] == agency_b.slug
    assert after["note"] == "Diperbaiki"
    assert "description" not in after["report"] and "files" not in after["report"]
    assert all(b"RAHASIA-INTERNAL" not in r["body"] for r in receiver.received)
    # And the city's app can still take the citizen's answer.
    accept = api(key_a.raw).post(
        f"/api/v1/agency/reports/{report.tracking}/citizen/",
        {"action": "accept", "rating": 5},
        format="json",
    )
    assert accept.status_code == 200, accept.json()
    body = accept.json()
    assert body["status"] == "closed" and "RAHASIA-INTERNAL" not in str(body)


# --- (3) verification by the agency a report names -----------------------------------------


def test_agency_verifies_a_report_addressed_to_it_and_receives_it(key_a, key_b, agency_a):
    unit = agency_create(name="Dinas PU Kota Bandung", slug="pu-3273", kind="unit", parent=agency_a)
    client = api(key_a.raw)
    filed = client.post(
        "/api/v1/agency/filings/",
        filing("V-1", unit="pu-3273", is_anonymous=True, reporter_name="Nama Rahasia"),
        format="json",
    ).json()
    waiting = client.get("/api/v1/agency/verification/").json()
    assert [r["tracking"] for r in waiting] == [filed["tracking"]]
    assert waiting[0]["reporter"] is None and waiting[0]["external_id"] == "V-1"
    url = f"/api/v1/agency/reports/{filed['tracking']}/verify/"
    # Another agency's key neither sees it waiting nor verifies it.
    assert api(key_b.raw).get("/api/v1/agency/verification/").json() == []
    assert api(key_b.raw).post(url, {}, format="json").status_code == 404
    verified = client.post(url, {"note": "Sesuai"}, format="json")
    assert verified.status_code == 200, verified.json()
    assert verified.json()["status"] == "dispatched"
    report = Report.objects.get()
    assert report.agency_id == unit.pk and report.verified_at and report.dispatched_at
    actions = list(ReportEvent.objects.filter(report=report).values_list("action", flat=True))
    assert actions == ["submit", "agency_verify", "dispatch"]
    assert client.get("/api/v1/agency/verification/").json() == []
    again = client.post(url, {}, format="json")
    assert again.status_code == 404  # no longer waiting: nothing to verify


def test_a_citizens_web_report_naming_the_agency_can_be_verified_by_it(key_a, agency_a, agency_b):
    from tests.factories import file_report

    named = file_report(requested_agency_id=agency_a.pk)
    other = file_report(requested_agency_id=agency_b.pk)
    unnamed = file_report()
    client = api(key_a.raw)
    assert [r["tracking"] for r in client.get("/api/v1/agency/verification/").json()] == [
        named.tracking
    ]
    for report in (other, unnamed):
        url = f"/api/v1/agency/reports/{report.tracking}/verify/"
        assert client.post(url, {}, format="json").status_code == 404
        report.refresh_from_db()
        assert report.status == "submitted"
    ok = client.post(f"/api/v1/agency/reports/{named.tracking}/verify/", {}, format="json")
    assert ok.status_code == 200 and ok.json()["agency"]["id"] == agency_a.pk


def test_agency_verify_is_refused_to_officers_of_other_agencies(cast, agency_a):
    from complaints.errors import ActionForbidden
    from complaints.services import report_verify_by_agency
    from tests.factories import file_report

    report = file_report(requested_agency_id=agency_a.pk)
    with pytest.raises(ActionForbidden):
        report_verify_by_agency(report_id=report.pk, actor=cast.officer_b)
    report_verify_by_agency(report_id=report.pk, actor=cast.officer_a)
    report.refresh_from_db()
    assert report.status == "dispatched" and report.agency_id == agency_a.pk
