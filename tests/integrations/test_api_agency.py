"""The agency scope of API v1, by API key: every endpoint as its own agency's key, as another
agency's key, with a revoked key and with none; every officer action through the status
machine; the event pull."""

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, Role
from agencies.services import agency_create
from complaints.models import Report, ReportEvent
from complaints.services import report_transition
from integrations.models import ApiCallLog
from integrations.services import apikey_revoke
from tests.factories import dispatched_report, file_report, make_staff

from .conftest import api

pytestmark = pytest.mark.django_db

SECRET_NAME = "Pelapor Tersembunyi"
SECRET_EMAIL = "tersembunyi@example.id"


@pytest.fixture
def report_a(cast, agency_a):
    return dispatched_report(agency_a, cast.national)


@pytest.fixture
def anonymous_a(cast, agency_a):
    return dispatched_report(
        agency_a,
        cast.national,
        is_anonymous=True,
        reporter_name=SECRET_NAME,
        reporter_email=SECRET_EMAIL,
    )


def _agency_urls(tracking):
    return [
        ("get", "/api/v1/agency/", None),
        ("get", "/api/v1/agency/reports/", None),
        ("get", f"/api/v1/agency/reports/{tracking}/", None),
        ("post", f"/api/v1/agency/reports/{tracking}/actions/", {"action": "note", "note": "x"}),
        ("get", "/api/v1/agency/events/", None),
    ]


def test_every_agency_endpoint_refuses_no_key_and_revoked_key(key_a, report_a):
    apikey_revoke(key=key_a.key)
    for method, url, data in _agency_urls(report_a.tracking):
        for client in (api(), api(key_a.raw)):
            response = getattr(client, method)(url, data, format="json")
            assert response.status_code == 401, url
            assert response.json()["code"] in ("key_required", "invalid_key")
            assert response["WWW-Authenticate"].startswith("Bearer")
    assert not ReportEvent.objects.filter(report=report_a, action="note").exists()


def test_revoking_a_key_takes_away_its_service_users_role(key_a):
    assert Role.objects.active().filter(user=key_a.key.service_user).count() == 1
    apikey_revoke(key=key_a.key)
    assert not Role.objects.active().filter(user=key_a.key.service_user).exists()
    key_a.key.service_user.refresh_from_db()
    assert not key_a.key.service_user.is_active


def test_key_is_stored_hashed_and_shown_once(key_a):
    key = key_a.key
    assert key_a.raw.startswith(key.prefix)
    assert key_a.raw not in (key.key_hash, key.prefix)
    assert len(key.key_hash) == 64


def test_another_agencys_key_cannot_read_or_act(key_b, report_a):
    client = api(key_b.raw)
    listed = client.get("/api/v1/agency/reports/").json()
    assert report_a.tracking not in {r["tracking"] for r in listed["results"]}
    detail = client.get(f"/api/v1/agency/reports/{report_a.tracking}/")
    assert detail.status_code == 404
    for action in ("respond", "note", "transfer", "return_to_triage"):
        response = client.post(
            f"/api/v1/agency/reports/{report_a.tracking}/actions/",
            {"action": action, "note": "ambil alih", "agency": "pemkab-3201"},
            format="json",
        )
        assert response.status_code == 404, action
        assert response.json()["code"] == "not_found"
    events = client.get("/api/v1/agency/events/").json()["events"]
    assert report_a.tracking not in {e["report"] for e in events}
    report_a.refresh_from_db()
    assert report_a.status == "dispatched" and report_a.version == 3


def test_me_names_the_agency_and_its_units(key_a, agency_a):
    unit = agency_create(name="Dinas PU Kota Bandung", slug="pu-3273", kind="unit", parent=agency_a)
    body = api(key_a.raw).get("/api/v1/agency/").json()
    assert body["agency"]["slug"] == "pemkot-3273"
    assert unit.slug in {u["slug"] for u in body["units"]}


def test_list_filters_and_cursor(key_a, cast, agency_a, report_a):
    others = [dispatched_report(agency_a, cast.national) for _ in range(3)]
    report_transition(report_id=others[0].pk, action="respond", actor=cast.officer_a, note="ok")
    client = api(key_a.raw)
    everything = client.get("/api/v1/agency/reports/").json()["results"]
    assert {r["tracking"] for r in everything} == {report_a.tracking} | {o.tracking for o in others}
    in_progress = client.get("/api/v1/agency/reports/?status=in_progress").json()["results"]
    assert [r["tracking"] for r in in_progress] == [others[0].tracking]
    both = client.get("/api/v1/agency/reports/?status=in_progress,dispatched").json()
    assert len(both["results"]) == 4
    assert client.get("/api/v1/agency/reports/?status=nonsense").status_code == 400
    later = (timezone.now() + dt.timedelta(minutes=1)).isoformat()
    assert client.get("/api/v1/agency/reports/", {"updated_since": later}).json()["results"] == []
    # Cursor pages: two by two, oldest change first, nothing twice, nothing missed.
    seen, url = [], "/api/v1/agency/reports/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [r["tracking"] for r in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(r["tracking"] for r in everything)
    assert seen[-1] == others[0].tracking  # the last changed comes last
    assert client.get("/api/v1/agency/reports/?cursor=garbage").status_code == 404


def test_detail_has_events_and_identity_only_when_not_anonymous(key_a, report_a, anonymous_a):
    client = api(key_a.raw)
    named = client.get(f"/api/v1/agency/reports/{report_a.tracking}/").json()
    assert named["reporter"]["email"] == report_a.reporter_email
    assert [e["action"] for e in named["events"]] == ["submit", "verify", "dispatch"]
    hidden = client.get(f"/api/v1/agency/reports/{anonymous_a.tracking}/")
    assert hidden.json()["reporter"] is None
    for url in (
        f"/api/v1/agency/reports/{anonymous_a.tracking}/",
        "/api/v1/agency/reports/",
        "/api/v1/agency/events/",
    ):
        text = client.get(url).content.decode()
        assert SECRET_NAME not in text and SECRET_EMAIL not in text, url


def _act(client, report, **data):
    return client.post(f"/api/v1/agency/reports/{report.tracking}/actions/", data, format="json")


def test_every_officer_action_goes_through_the_status_machine(key_a, cast, agency_a, report_a):
    client = api(key_a.raw)
    unit = agency_create(name="Dinas PU Kota Bandung", slug="pu-3273", kind="unit", parent=agency_a)
    officer = make_staff(Role.Kind.OFFICER, agency=unit)
    steps = [
        ({"action": "respond", "note": "Kami terima", "version": 3}, "in_progress"),
        ({"action": "assign_unit", "unit": unit.slug}, "in_progress"),
        ({"action": "assign", "assignee": officer.pk}, "in_progress"),
        ({"action": "ask_info", "note": "Di nomor berapa?"}, "in_progress"),
        ({"action": "note", "note": "Catatan internal"}, "in_progress"),
        ({"action": "progress", "note": "Tim sudah ke lokasi"}, "in_progress"),
        ({"action": "resolve", "note": "Sudah diperbaiki"}, "resolved"),
    ]
    for data, expected in steps:
        response = _act(client, report_a, **data)
        assert response.status_code == 200, (data, response.json())
        assert response.json()["status"] == expected
    report_a.refresh_from_db()
    assert report_a.agency == unit and report_a.assigned_to == officer
    actor = key_a.key.service_user
    events = list(ReportEvent.objects.filter(report=report_a, actor=actor).order_by("pk"))
    assert [e.action for e in events] == [d["action"] for d, _s in steps]
    assert next(e for e in events if e.action == "note").is_public is False
    assert report_a.first_response_at is not None


def test_transfer_and_return_through_the_api(key_a, key_b, cast, agency_a, agency_b):
    client = api(key_a.raw)
    moved = dispatched_report(agency_a, cast.national)
    response = _act(client, moved, action="transfer", note="Wilayah Bogor", agency="pemkab-3201")
    assert response.status_code == 200
    moved.refresh_from_db()
    assert moved.agency == agency_b and moved.status == "dispatched"
    # Gone from A, now B's.
    assert client.get(f"/api/v1/agency/reports/{moved.tracking}/").status_code == 404
    assert api(key_b.raw).get(f"/api/v1/agency/reports/{moved.tracking}/").status_code == 200
    returned = dispatched_report(agency_a, cast.national)
    response = _act(client, returned, action="return_to_triage", note="Bukan wewenang kami")
    assert response.status_code == 200
    returned.refresh_from_db()
    assert returned.status == "verified" and returned.agency is None


def test_refusals_of_the_status_machine_come_back_as_codes(key_a, report_a):
    client = api(key_a.raw)
    stale = _act(client, report_a, action="respond", note="Terlambat", version=1)
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    wrong_status = _act(client, report_a, action="resolve", note="Langsung selesai")
    assert wrong_status.status_code == 409
    assert wrong_status.json()["code"] == "transition_not_allowed"
    no_note = _act(client, report_a, action="respond")
    assert no_note.status_code == 400 and no_note.json()["code"] == "invalid"
    triage_only = _act(client, report_a, action="verify")
    assert triage_only.status_code == 400 and "action" in triage_only.json()["errors"]
    foreign_unit = _act(client, report_a, action="assign_unit", unit="pemkab-3201")
    assert foreign_unit.status_code == 400
    same_agency = _act(client, report_a, action="transfer", note="x", agency="pemkot-3273")
    assert same_agency.status_code == 400
    unknown_agency = _act(client, report_a, action="transfer", note="x", agency="tidak-ada")
    assert unknown_agency.status_code == 400
    english = api(key_a.raw, language="en").post(
        f"/api/v1/agency/reports/{report_a.tracking}/actions/",
        {"action": "resolve", "note": "x"},
        format="json",
    )
    assert english.json()["message"].startswith("This action is not possible")
    report_a.refresh_from_db()
    assert report_a.status == "dispatched" and report_a.version == 3


def test_a_retried_action_with_the_same_idempotency_key_acts_once(key_a, report_a):
    client = api(key_a.raw)
    url = f"/api/v1/agency/reports/{report_a.tracking}/actions/"
    data = {"action": "progress", "note": "Sedang dikerjakan"}
    _act(client, report_a, action="respond", note="Diterima")
    first = client.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY="act-1")
    again = client.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY="act-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert ReportEvent.objects.filter(report=report_a, action="progress").count() == 1


def test_each_call_is_logged_once(key_a, report_a):
    client = api(key_a.raw)
    client.get("/api/v1/agency/reports/")
    client.get("/api/v1/agency/reports/LPR-00000-00000/")
    calls = list(ApiCallLog.objects.filter(key=key_a.key).order_by("pk"))
    assert [(c.method, c.status) for c in calls] == [("GET", 200), ("GET", 404)]
    key_a.key.refresh_from_db()
    assert key_a.key.last_used_at is not None


def test_event_pull_catches_up_in_order_with_a_cursor(key_a, cast, agency_a, agency_b):
    client = api(key_a.raw)
    first = dispatched_report(agency_a, cast.national)
    second = dispatched_report(agency_a, cast.national)
    report_transition(report_id=first.pk, action="respond", actor=cast.officer_a, note="ok")
    report_transition(
        report_id=second.pk, action="transfer", actor=cast.officer_a, note="x", agency=agency_b
    )
    # After the transfer, B's work on the report is no longer A's business.
    report_transition(report_id=second.pk, action="respond", actor=cast.officer_b, note="B")
    file_report()  # not A's
    # A's: every event of the report it holds, and of the one it lost, the events that went
    # through A (its dispatch to A, the transfer out); not the filing and verification
    # before A had it, which no poller of A ever saw either.
    expected = list(
        ReportEvent.objects.filter(
            Q(report=first) | Q(report=second, action__in=["dispatch", "transfer"])
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    seen, after = [], 0
    while True:
        page = client.get("/api/v1/agency/events/", {"after": after, "limit": 2}).json()
        seen += [e["id"] for e in page["events"]]
        after = page["next"]
        if not page["has_more"]:
            break
    assert seen == expected
    transfer = ReportEvent.objects.get(report=second, action="transfer")
    assert transfer.pk in seen  # the transfer-out itself is A's to know
    # Nothing new: the cursor stays.
    again = client.get("/api/v1/agency/events/", {"after": after}).json()
    assert again == {"events": [], "next": after, "has_more": False}


def test_unit_key_sees_only_its_unit(cast, agency_a):
    from integrations.services import apikey_issue

    unit = agency_create(name="Dinas Kesehatan", slug="dinkes-3273", kind="unit", parent=agency_a)
    unit_key = apikey_issue(agency=unit, name="Sistem Dinkes")
    at_top = dispatched_report(agency_a, cast.national)
    at_unit = dispatched_report(agency_a, cast.national)
    report_transition(report_id=at_unit.pk, action="assign_unit", actor=cast.admin_a, agency=unit)
    listed = api(unit_key.raw).get("/api/v1/agency/reports/").json()["results"]
    assert [r["tracking"] for r in listed] == [at_unit.tracking]
    assert api(unit_key.raw).get(f"/api/v1/agency/reports/{at_top.tracking}/").status_code == 404
    assert Agency.objects.get(pk=unit.pk).root_id == agency_a.pk
    assert Report.objects.get(pk=at_unit.pk).owner_agency_id == agency_a.pk
