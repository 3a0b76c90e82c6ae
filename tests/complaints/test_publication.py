"""What the public sees of a report (issue 16; ../shared/DESIGN.md, Reports): a report is
public only once verified (SP4N-LAPOR! publishes a report when it has been passed on), never
confidential, rejected or merged; the reporter's name is public only when they chose it
(UU 27/2022 Pasal 20 ayat (2) huruf a, consent); an anonymous guest needs give no name."""

import pytest
from django.test import Client

from complaints.models import Report
from complaints.services import report_transition
from tests.factories import file_report, published_report

pytestmark = pytest.mark.django_db

NAME = "Rina Kusumawati"


def public_places(client, report) -> dict[str, bool]:
    """Where a stranger can find the report's title."""
    return {
        "list": report.title in client.get("/laporan/").content.decode(),
        "search": report.title in client.get("/laporan/", {"q": "berlubang"}).content.decode(),
        "home": report.title in client.get("/").content.decode(),
        "page": client.get(f"/laporan/{report.tracking}/").status_code == 200,
        "track": report.title in client.get(f"/lacak/{report.tracking}/").content.decode(),
        "open311": report.tracking in client.get("/open311/v2/requests.json").content.decode(),
        "open311_one": client.get(f"/open311/v2/requests/{report.tracking}.json").status_code
        == 200,
    }


def test_a_report_is_invisible_publicly_until_verified(cast):
    report = file_report(reporter_name=NAME)
    stranger = Client()
    assert not any(public_places(stranger, report).values())

    report_transition(report_id=report.pk, action="request_info", actor=cast.national, note="?")
    assert not any(public_places(stranger, report).values())
    report_transition(
        report_id=report.pk, action="provide_info", token=report.reporter_secret, note="foto"
    )
    report_transition(report_id=report.pk, action="verify", actor=cast.national)
    assert all(public_places(stranger, report).values())


def test_the_reporter_still_sees_their_unverified_report():
    report = file_report()
    page = Client().get(f"/lacak/{report.tracking}/", {"k": report.reporter_secret})
    assert report.title in page.content.decode()


def test_a_rejected_or_confidential_report_stays_unpublished(cast):
    rejected = file_report()
    report_transition(report_id=rejected.pk, action="reject", actor=cast.national, note="spam")
    secret = published_report(cast.national, is_confidential=True)
    for report in (Report.objects.get(pk=rejected.pk), secret):
        assert not any(public_places(Client(), report).values())


def test_the_name_is_public_only_when_the_reporter_chose_it(cast):
    hidden = published_report(cast.national, reporter_name=NAME)
    shown = published_report(cast.national, reporter_name="Agus Salim", show_name=True)
    html = Client().get(f"/laporan/{hidden.tracking}/").content.decode()
    assert NAME not in html
    assert "Pelapor: warga Kota Bandung" in " ".join(html.split())
    assert "Agus Salim" in Client().get(f"/laporan/{shown.tracking}/").content.decode()


def form(**changes):
    data = {
        "kind": "complaint",
        "title": "Jalan rusak di depan pasar",
        "description": "Jalan di depan pasar berlubang besar dan membahayakan pengendara.",
        "province": "32",
        "regency": "3273",
    }
    data.update(changes)
    return data


def test_the_form_records_the_choice_to_show_the_name():
    Client().post("/lapor/", form(reporter_name=NAME, reporter_email="r@example.id"))
    Client().post(
        "/lapor/", form(reporter_name=NAME, reporter_email="r@example.id", show_name="on")
    )
    assert sorted(Report.objects.values_list("show_name", flat=True)) == [False, True]


def test_an_anonymous_guest_needs_no_name_nor_contact():
    response = Client().post("/lapor/", form(is_anonymous="on"))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.is_anonymous and report.reporter_name == "" and report.reporter_email == ""


def test_a_named_guest_still_needs_name_and_contact():
    response = Client().post("/lapor/", form())
    errors = response.context["form"].errors
    assert "reporter_name" in errors and "reporter_email" in errors
    assert Report.objects.count() == 0


def test_anonymous_and_show_name_together_are_refused_beside_the_field():
    response = Client().post("/lapor/", form(is_anonymous="on", show_name="on", reporter_name=NAME))
    assert "show_name" in response.context["form"].errors
    assert 'id="field-show_name"' in response.content.decode()
    assert Report.objects.count() == 0
