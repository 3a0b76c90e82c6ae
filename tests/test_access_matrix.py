"""Who may read and who may act, for every role against every staff and citizen page, as one
table. Unseen is 404, seen but not allowed is 403, not signed in is a redirect to sign in."""

import pytest
from django.urls import reverse

from complaints.models import ReportEvent
from tests.factories import PASSWORD, attach_photo, dispatched_report, file_report

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "reporter",
    "stranger",
    "officer_a",
    "officer_b",
    "admin_a",
    "supervisor",
    "national",
    "ombudsman",
]

# (name, method, url, data) -> {role: status}; the report belongs to agency A (Kota Bandung,
# Jawa Barat) and was filed by "reporter".
D = 302  # redirect (to sign in, or back to the report after an action)
MATRIX = {
    "inbox": (
        "get",
        "workspace:inbox",
        None,
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=200,
            officer_b=200,
            admin_a=200,
            supervisor=200,
            national=200,
            ombudsman=200,
        ),
    ),
    "report in workspace": (
        "get",
        "workspace:detail",
        None,
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=200,
            officer_b=404,
            admin_a=200,
            supervisor=200,
            national=200,
            ombudsman=404,
        ),
    ),
    "respond": (
        "post",
        "workspace:act",
        {"action": "respond", "note": "Kami tindak lanjuti"},
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=D,
            officer_b=404,
            admin_a=D,
            supervisor=403,
            national=403,
            ombudsman=404,
        ),
    ),
    "internal note": (
        "post",
        "workspace:act",
        {"action": "note", "note": "catatan"},
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=D,
            officer_b=404,
            admin_a=D,
            supervisor=403,
            national=D,
            ombudsman=404,
        ),
    ),
    "export": (
        "get",
        "workspace:export",
        None,
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=200,
            officer_b=200,
            admin_a=200,
            supervisor=200,
            national=200,
            ombudsman=200,
        ),
    ),
    "triage queue": (
        "get",
        "triage:queue",
        None,
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=403,
            officer_b=403,
            admin_a=403,
            supervisor=403,
            national=200,
            ombudsman=403,
        ),
    ),
    "report in triage": (
        "get",
        "triage:detail",
        None,
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=403,
            officer_b=403,
            admin_a=403,
            supervisor=403,
            national=200,
            ombudsman=403,
        ),
    ),
    "attachment": (
        "get",
        "complaints:attachment",
        None,
        dict(
            anonymous=404,
            reporter=200,
            stranger=404,
            officer_a=200,
            officer_b=404,
            admin_a=200,
            supervisor=200,
            national=200,
            ombudsman=404,
        ),
    ),
    "manage officers": (
        "get",
        "manage:home",
        None,
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=403,
            officer_b=403,
            admin_a=200,
            supervisor=403,
            national=403,
            ombudsman=403,
        ),
    ),
    "routing rules": (
        "get",
        "rules:list",
        None,
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=403,
            officer_b=403,
            admin_a=403,
            supervisor=403,
            national=200,
            ombudsman=403,
        ),
    ),
    "my reports": (
        "get",
        "complaints:my-reports",
        None,
        dict(
            anonymous=D,
            reporter=200,
            stranger=200,
            officer_a=200,
            officer_b=200,
            admin_a=200,
            supervisor=200,
            national=200,
            ombudsman=200,
        ),
    ),
    "reporter reply": (
        "post",
        "complaints:track-detail",
        {"action": "reply", "note": "Terima kasih"},
        dict(
            anonymous=403,
            reporter=D,
            stranger=403,
            officer_a=403,
            officer_b=403,
            admin_a=403,
            supervisor=403,
            national=403,
            ombudsman=403,
        ),
    ),
}


def _pantau(path):
    """A dashboard URL, from the report of the world (its agency) when it needs one."""
    return lambda report: path.format(agency=report.owner_agency_id, kemenkes=_kemenkes())


def _kemenkes():
    from agencies.models import Agency

    return Agency.objects.get(slug="kemenkes").pk


NOBODY_ELSE = dict(anonymous=D, reporter=403, stranger=403, officer_a=403, officer_b=403)
MATRIX.update(
    {
        "national dashboard": (
            "get",
            _pantau("/pantau/"),
            None,
            # A supervisor is sent on to their own province.
            dict(**NOBODY_ELSE, admin_a=403, supervisor=D, national=200, ombudsman=200),
        ),
        "own province dashboard": (
            "get",
            _pantau("/pantau/provinsi/32/?format=csv"),
            None,
            dict(**NOBODY_ELSE, admin_a=403, supervisor=200, national=200, ombudsman=200),
        ),
        "other province dashboard": (
            "get",
            _pantau("/pantau/provinsi/35/"),
            None,
            dict(**NOBODY_ELSE, admin_a=403, supervisor=403, national=200, ombudsman=200),
        ),
        "own agency dashboard": (
            "get",
            _pantau("/pantau/instansi/{agency}/?format=csv"),
            None,
            dict(**NOBODY_ELSE, admin_a=200, supervisor=200, national=200, ombudsman=200),
        ),
        "ministry dashboard": (
            "get",
            _pantau("/pantau/instansi/{kemenkes}/"),
            None,
            dict(**NOBODY_ELSE, admin_a=403, supervisor=403, national=200, ombudsman=200),
        ),
        "rankings": (
            "get",
            _pantau("/pantau/peringkat/?tingkat=pusat"),
            None,
            dict(**NOBODY_ELSE, admin_a=403, supervisor=200, national=200, ombudsman=200),
        ),
        "public statistics": (
            "get",
            _pantau("/statistik/"),
            None,
            {role: 200 for role in ROLES},
        ),
    }
)

CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.fixture
def world(cast, agency_a):
    report = dispatched_report(agency_a, cast.national, reporter_name="Pemilik Laporan")
    report.reporter = cast.citizen
    report.save(update_fields=["reporter"])
    attachment = attach_photo(report)
    users = {
        "reporter": cast.citizen,
        "stranger": cast.stranger,
        "officer_a": cast.officer_a,
        "officer_b": cast.officer_b,
        "admin_a": cast.admin_a,
        "supervisor": cast.supervisor,
        "national": cast.national,
        "ombudsman": cast.ombudsman,
    }
    return report, attachment, users


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_access(client, world, name, role):
    report, attachment, users = world
    method, url_name, data, expected = MATRIX[name]
    if role != "anonymous":
        assert client.login(username=users[role].username, password=PASSWORD)
    if callable(url_name):
        url = url_name(report)
    elif url_name in (
        "workspace:detail",
        "workspace:act",
        "triage:detail",
        "complaints:track-detail",
    ):
        url = reverse(url_name, args=[report.tracking])
    elif url_name == "complaints:attachment":
        url = reverse(url_name, args=[attachment.pk])
    else:
        url = reverse(url_name)
    events = ReportEvent.objects.filter(report=report).count()
    response = getattr(client, method)(url, data or {})
    assert response.status_code == expected[role]
    if method == "post":
        changed = ReportEvent.objects.filter(report=report).count() - events
        acted = expected[role] == D and role != "anonymous"  # anonymous: sent to sign in
        assert changed == (1 if acted else 0)
        if role == "anonymous" and expected[role] == D:
            assert "/akun/masuk/" in response["Location"]


# --- the sync API, by API key: agency A's key, agency B's key, no key --------------------------


def _sync_urls(report, attachment, ref) -> list[tuple[str, str, dict | None, int]]:
    """(method, url, body, status for A's key). B's key gets 404 (unseen) on every report
    URL; no key gets 401 everywhere."""
    t = report.tracking
    return [
        ("get", f"/api/v1/agency/external/{ref}/", None, 200),
        ("put", f"/api/v1/agency/reports/{t}/external-id/", {"external_id": ref}, 200),
        ("get", f"/api/v1/agency/reports/{t}/files/", None, 200),
        ("get", f"/api/v1/agency/reports/{t}/files/{attachment.pk}/", None, 200),
        ("post", f"/api/v1/agency/reports/{t}/citizen/", {"action": "reply", "note": "x"}, 200),
        ("post", f"/api/v1/agency/reports/{t}/status/", {"status": "note", "note": "x"}, 200),
    ]


def test_sync_api_another_agencys_key_is_refused(cast, agency_a, agency_b):
    from integrations.models import ExternalRef
    from integrations.services import apikey_issue
    from tests.integrations.conftest import api

    key_a = apikey_issue(agency=agency_a, name="A")
    key_b = apikey_issue(agency=agency_b, name="B")
    report = dispatched_report(agency_a, cast.national, channel="integration")
    attachment = attach_photo(report)
    ExternalRef.objects.create(agency=agency_a, external_id="A-1", report=report, key=key_a.key)
    for method, url, body, own in _sync_urls(report, attachment, "A-1"):
        before = ReportEvent.objects.filter(report=report).count()
        assert getattr(api(), method)(url, body, format="json").status_code == 401, url
        assert getattr(api(key_b.raw), method)(url, body, format="json").status_code == 404, url
        assert ReportEvent.objects.filter(report=report).count() == before, url
        assert getattr(api(key_a.raw), method)(url, body, format="json").status_code == own, url
    for url in (
        "/api/v1/agency/status-map/",
        "/api/v1/agency/filings/",
        "/api/v1/agency/verification/",
    ):
        assert api().get(url).status_code == 401
    waiting = file_report(requested_agency_id=agency_a.pk)
    verify = f"/api/v1/agency/reports/{waiting.tracking}/verify/"
    assert api().post(verify, {}, format="json").status_code == 401
    assert api(key_b.raw).post(verify, {}, format="json").status_code == 404
    assert api(key_a.raw).post(verify, {}, format="json").status_code == 200


def test_sync_api_another_agencys_key_cannot_write_into_it(cast, agency_a, agency_b):
    """The writing doors of the sync API with B's key against A: uploading a file, filing to
    A's unit, importing into A's unit, reading A's verification queue and status words."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from agencies.models import Agency
    from complaints.models import Attachment, Report
    from integrations.services import apikey_issue
    from tests.integrations.conftest import api

    key_a = apikey_issue(agency=agency_a, name="A")
    key_b = apikey_issue(agency=agency_b, name="B")
    unit_a = Agency.objects.filter(path__startswith=agency_a.path).exclude(pk=agency_a.pk).first()
    report = dispatched_report(agency_a, cast.national, channel="integration")
    url = f"/api/v1/agency/reports/{report.tracking}/files/"

    def png():
        buffer = io.BytesIO()
        Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
        return SimpleUploadedFile("foto.png", buffer.getvalue(), content_type="image/png")

    upload = {"files": [png()]}
    assert api(key_b.raw).post(url, upload, format="multipart").status_code == 404
    assert not Attachment.objects.filter(report=report).exists()
    assert api().post(url, {"files": [png()]}, format="multipart").status_code == 401
    assert api(key_a.raw).post(url, {"files": [png()]}, format="multipart").status_code == 201
    filing = {
        "external_id": "B-1",
        "kind": "complaint",
        "title": "Lampu jalan mati",
        "description": "Lampu jalan di Jalan Dago mati sejak seminggu, gelap dan rawan.",
        "province": "32",
        "regency": "3273",
        "reporter_name": "Siti",
        "reporter_phone": "081234567890",
        "unit": unit_a.slug,
    }
    reports = Report.objects.count()
    answer = api(key_b.raw).post("/api/v1/agency/filings/", filing, format="json")
    assert answer.status_code == 400 and "unit" in answer.json()["errors"]
    record = {**filing, "filed_at": "2024-03-04T09:15:00+07:00"}
    record["history"] = [
        {"action": "verify", "at": "2024-03-05T08:00:00+07:00"},
        {"action": "dispatch", "at": "2024-03-05T08:05:00+07:00", "unit": unit_a.slug},
    ]
    imported = api(key_b.raw).post("/api/v1/agency/import/", {"reports": [record]}, format="json")
    assert imported.status_code == 200, imported.json()
    assert imported.json()["imported"] == 0 and len(imported.json()["refused"]) == 1
    assert Report.objects.count() == reports
    waiting = file_report(requested_agency_id=agency_a.pk)
    queue = api(key_b.raw).get("/api/v1/agency/verification/").json()
    assert waiting.tracking not in str(queue)
    assert waiting.tracking in str(api(key_a.raw).get("/api/v1/agency/verification/").json())
    words = {"inbound": {"SELESAI_A": "resolve"}, "outbound": {"resolved": "SELESAI_A"}}
    assert api(key_a.raw).put("/api/v1/agency/status-map/", words, format="json").status_code == 200
    assert "SELESAI_A" not in str(api(key_b.raw).get("/api/v1/agency/status-map/").json())


def test_federation_door_opens_to_nationals_signature_only(cast, agency_a, agency_b, settings):
    """LAPOR to LAPOR (integrations.federation): a provincial instance's door for national
    webhooks takes no key at all; an agency's key, or a body signed with another endpoint's
    secret, is refused and changes nothing; national's own signature is let in."""
    import json
    import time

    from integrations.models import FederationReceived
    from integrations.services import apikey_issue, new_webhook_secret
    from integrations.webhooks import sign
    from tests.integrations.conftest import api

    settings.LAPOR_FEDERATION_UPSTREAM = "http://127.0.0.1:9/api/v1"
    settings.LAPOR_FEDERATION_KEY = "lk_national-key-for-the-province"
    settings.LAPOR_FEDERATION_SECRET = new_webhook_secret()
    settings.LAPOR_FEDERATION_AGENCY = agency_a.slug
    key_b = apikey_issue(agency=agency_b, name="B")
    body = json.dumps(
        {"id": 1, "event": "note", "action": "note", "report": {"tracking": "LPR-X"}}
    ).encode()
    url = "/api/v1/federation/inbound/"

    def send(client, secret=None):
        headers = {}
        if secret:
            headers["HTTP_X_LAPOR_SIGNATURE"] = sign(secret, int(time.time()), body)
        return client.post(url, body, content_type="application/json", **headers)

    assert send(api()).status_code == 403
    assert send(api(key_b.raw)).status_code == 403
    assert send(api(key_b.raw), new_webhook_secret()).status_code == 403
    assert not FederationReceived.objects.exists()
    assert send(api(), settings.LAPOR_FEDERATION_SECRET).status_code == 200
