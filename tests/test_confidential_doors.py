"""The three holes of issue 13, each shut at every door that had it.

1. A confidential report's timeline (the triage, transfer and agency notes, the reporter's own
   replies) is read by no one but its reporter (key or account) and the staff who may see it:
   not by a tracking-number holder on /lacak/ or GET /api/v1/reports/<n>/.
2. Open311 answers 404 for what the public site does not show (rejected, merged reports).
3. Anonymity and confidentiality are accepted only as an explicit true/false (and the form's
   own checkbox value) at every door; anything else is a 400 in the door's format, and nothing
   is filed."""

import pytest

from complaints.models import Report
from complaints.services import report_transition
from integrations.services import apikey_issue
from tests.factories import PASSWORD, file_report
from tests.integrations.conftest import api

pytestmark = pytest.mark.django_db

MARK = "PENANDA-RAHASIA"


@pytest.fixture
def key_a(cast, agency_a):
    return apikey_issue(agency=agency_a, name="Sistem Kota Bandung", created_by=cast.admin_a)


@pytest.fixture
def confidential(cast, agency_a, agency_b):
    """A confidential report whose every note carries MARK, moved through triage, two agencies
    and the reporter's own reply."""
    report = file_report(
        reporter=cast.citizen,
        title="Laporan yang dirahasiakan pelapor",
        is_confidential=True,
    )
    steps = [
        ("verify", cast.national, {}),
        ("dispatch", cast.national, {"agency": agency_b}),
        ("transfer", cast.officer_b, {"agency": agency_a}),
        ("respond", cast.officer_a, {}),
        ("reply", cast.citizen, {}),
        ("ask_info", cast.officer_a, {}),
    ]
    for action, actor, extra in steps:
        report_transition(
            report_id=report.pk, action=action, actor=actor, note=f"{MARK} {action}", **extra
        )
    return report


def test_a_tracking_number_holder_reads_no_timeline_text_of_a_confidential_report(
    client, confidential
):
    page = client.get(f"/lacak/{confidential.tracking}/")
    assert page.status_code == 200
    assert MARK not in page.content.decode()
    assert "Laporan rahasia" in page.content.decode()

    body = api().get(f"/api/v1/reports/{confidential.tracking}/").json()
    assert MARK not in str(body)
    assert body["timeline"], "the status history itself stays readable"
    assert {e["note"] for e in body["timeline"]} == {""}
    assert {e["by"] for e in body["timeline"]} == {None}


def test_the_reporter_and_the_holding_staff_still_read_the_confidential_timeline(
    client, cast, confidential
):
    by_key = client.get(f"/lacak/{confidential.tracking}/?k={confidential.reporter_secret}")
    assert f"{MARK} respond" in by_key.content.decode()
    assert f"{MARK} reply" in by_key.content.decode()

    client.login(username=cast.citizen.email, password=PASSWORD)
    assert f"{MARK} respond" in client.get(f"/lacak/{confidential.tracking}/").content.decode()

    client.force_login(cast.officer_a)
    assert f"{MARK} respond" in client.get(f"/lacak/{confidential.tracking}/").content.decode()


def test_another_agency_and_a_stranger_read_nothing_of_the_confidential_timeline(
    client, cast, confidential
):
    for user in (cast.stranger, cast.officer_b):
        client.force_login(user)
        text = client.get(f"/lacak/{confidential.tracking}/").content.decode()
        # officer_b's agency held it before the transfer: a former holder is no reader.
        assert MARK not in text, user


@pytest.mark.parametrize("action", ["reject", "merge"])
def test_open311_answers_404_for_reports_the_public_site_does_not_show(client, cast, action):
    earlier = file_report()
    report = file_report()
    extra = {"into": earlier} if action == "merge" else {}
    report_transition(
        report_id=report.pk, action=action, actor=cast.national, note="Catatan penolakan", **extra
    )
    assert client.get(f"/laporan/{report.tracking}/").status_code == 404
    for url in (
        f"/open311/v2/requests/{report.tracking}.json",
        f"/open311/v2/requests/{report.tracking}.xml",
    ):
        assert client.get(url).status_code == 404, url
    listed = client.get(f"/open311/v2/requests.json?service_request_id={report.tracking}")
    assert listed.status_code == 200
    assert listed.json() == []


OPEN311_POST = {
    "service_code": "infrastruktur",
    "lat": "-6.914744",
    "long": "107.609810",
    "address_string": "Jl. Asia Afrika 1, Bandung",
    "email": "warga@example.id",
    "first_name": "Dewi",
    "description": "Trotoar rusak dan berlubang di depan Gedung Merdeka.",
}


@pytest.mark.parametrize("field", ["attribute[anonymous]", "attribute[confidential]"])
@pytest.mark.parametrize("value", ["yes", "1", "on", "TRUE ", "ya", "0"])
def test_open311_refuses_anything_but_true_or_false_for_privacy(client, key_a, field, value):
    before = Report.objects.count()
    response = client.post(
        "/open311/v2/requests.json", {**OPEN311_POST, "api_key": key_a.raw, field: value}
    )
    assert response.status_code == 400
    assert field in response.json()[0]["description"]
    assert Report.objects.count() == before


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False), ("", False)])
def test_open311_takes_true_and_false_for_privacy(client, key_a, value, expected):
    answer = client.post(
        "/open311/v2/requests.json",
        {
            **OPEN311_POST,
            "api_key": key_a.raw,
            "attribute[anonymous]": value,
            "attribute[confidential]": value,
        },
    )
    assert answer.status_code == 201
    report = Report.objects.get(tracking=answer.json()[0]["service_request_id"])
    assert (report.is_anonymous, report.is_confidential) == (expected, expected)


API_REPORT = {
    "kind": "complaint",
    "title": "Lampu jalan padam",
    "description": "Lampu jalan di Jalan Dago padam sejak sepekan, gelap dan rawan.",
    "category": "infrastruktur",
    "province": "32",
    "regency": "3273",
    "reporter_name": "Rina",
    "reporter_email": "rina@example.id",
}


@pytest.mark.parametrize("field", ["is_anonymous", "is_confidential"])
@pytest.mark.parametrize("value", ["yes", 1, "1", "on", "y", 0, None])
def test_the_api_refuses_anything_but_true_or_false_for_privacy(field, value):
    before = Report.objects.count()
    response = api().post("/api/v1/reports/", {**API_REPORT, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Report.objects.count() == before


@pytest.mark.parametrize(("value", "expected"), [(True, True), (False, False), ("true", True)])
def test_the_api_takes_true_and_false_for_privacy(value, expected):
    response = api().post("/api/v1/reports/", {**API_REPORT, "is_anonymous": value}, format="json")
    assert response.status_code == 201
    assert Report.objects.get(tracking=response.json()["tracking"]).is_anonymous is expected


FORM = {
    "kind": "complaint",
    "title": "Lampu jalan padam di Dago",
    "description": "Lampu jalan di Jalan Dago padam sejak sepekan, gelap dan rawan.",
    "province": "32",
    "regency": "3273",
    "reporter_name": "Rina",
    "reporter_email": "rina@example.id",
}


@pytest.mark.parametrize("field", ["is_anonymous", "is_confidential"])
def test_the_form_refuses_a_privacy_value_it_never_sends(client, field):
    before = Report.objects.count()
    response = client.post("/lapor/", {**FORM, field: "yes"})
    assert response.status_code == 400  # the form again, with the error beside the field
    assert response.context["form"].errors[field]
    assert Report.objects.count() == before


def test_the_form_takes_its_own_checkbox_value(client):
    response = client.post("/lapor/", {**FORM, "is_anonymous": "on"})
    assert response.status_code == 302
    assert Report.objects.latest("pk").is_anonymous
