"""Search every public page, every agency page, the exports and the e-mails to staff for an
anonymous reporter's identity and a confidential report's content. None may appear."""

import pytest
from django.core import mail
from django.urls import reverse

from complaints.services import report_transition
from tests.factories import PASSWORD, dispatched_report

pytestmark = pytest.mark.django_db

SECRET_NAME = "Zulkarnaen Rahasiawan"
SECRET_EMAIL = "zulkarnaen.rahasia@example.id"
SECRET_PHONE = "081234000999"
CONFIDENTIAL_TITLE = "Pungutan liar kepala sekolah Kenanga"
CONFIDENTIAL_WORD = "Kenanga"


@pytest.fixture
def secrets_world(cast, agency_a, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        anonymous = dispatched_report(
            agency_a,
            cast.national,
            title="Jalan rusak di Cibeunying Kaler",
            is_anonymous=True,
            reporter_name=SECRET_NAME,
            reporter_email=SECRET_EMAIL,
            reporter_phone=SECRET_PHONE,
        )
        confidential = dispatched_report(
            agency_a,
            cast.national,
            title=CONFIDENTIAL_TITLE,
            description=f"Di SD {CONFIDENTIAL_WORD} ada pungutan untuk rapor setiap semester.",
            is_confidential=True,
        )
        for report in (anonymous, confidential):
            report_transition(
                report_id=report.pk,
                action="respond",
                actor=cast.officer_a,
                note="Kami tindak lanjuti",
            )
    return anonymous, confidential


def _public_pages(client, anonymous, confidential) -> dict[str, str]:
    pages = {}
    for url in [
        "/",
        "/laporan/",
        f"/laporan/?q={CONFIDENTIAL_WORD}",
        "/laporan/?q=pungutan",
        f"/laporan/{anonymous.tracking}/",
        f"/lacak/{anonymous.tracking}/",
        f"/lacak/{confidential.tracking}/",
        f"/api/v1/reports/{anonymous.tracking}/",
        f"/api/v1/reports/{confidential.tracking}/",
        "/api/v1/indicators/provinces/",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests.json?service_request_id={confidential.tracking}",
        f"/open311/v2/requests/{anonymous.tracking}.json",
        f"/open311/v2/requests/{confidential.tracking}.json",
        f"/open311/v2/requests/{confidential.tracking}.xml",
        "/statistik/",
        "/statistik/?format=csv",
    ]:
        response = client.get(url)
        text = response.content.decode() if response.status_code == 200 else ""
        if "?q=" in url:  # the query itself is echoed in the search box: read the results
            start = text.index('data-testid="public-list"')
            text = text[start : text.index("</ul>", start)]
        pages[url] = text
    return pages


def _assert_no_identity(text: str, where: str) -> None:
    for secret in (SECRET_NAME, SECRET_EMAIL, SECRET_PHONE):
        assert secret not in text, f"{secret!r} leaked in {where}"


def test_public_pages_show_neither_identity_nor_confidential_content(client, secrets_world):
    anonymous, confidential = secrets_world
    for url, text in _public_pages(client, anonymous, confidential).items():
        _assert_no_identity(text, url)
        assert CONFIDENTIAL_TITLE not in text, url
        assert CONFIDENTIAL_WORD not in text, url
    assert client.get(f"/laporan/{confidential.tracking}/").status_code == 404


def test_agency_pages_and_exports_show_no_anonymous_identity(client, cast, secrets_world):
    anonymous, _confidential = secrets_world
    for user in (cast.officer_a, cast.admin_a, cast.supervisor):
        assert client.login(username=user.username, password=PASSWORD)
        for url in [
            reverse("workspace:inbox"),
            reverse("workspace:inbox") + "?q=Cibeunying",
            reverse("workspace:detail", args=[anonymous.tracking]),
        ]:
            _assert_no_identity(client.get(url).content.decode(), f"{url} as {user}")
        export = client.get(reverse("workspace:export"))
        _assert_no_identity(b"".join(export.streaming_content).decode(), f"export as {user}")
        for url in (
            reverse("monitoring:province", args=["32"]),
            reverse("monitoring:province", args=["32"]) + "?format=csv",
            reverse("monitoring:agency", args=[anonymous.agency_id]),
            reverse("monitoring:agency", args=[anonymous.agency_id]) + "?format=csv",
        ):
            text = client.get(url).content.decode()
            _assert_no_identity(text, f"{url} as {user}")
            assert CONFIDENTIAL_WORD not in text, f"{url} as {user}"


def test_the_agency_api_and_event_pull_carry_no_anonymous_identity(cast, agency_a, secrets_world):
    from rest_framework.test import APIClient

    from integrations.services import apikey_issue

    anonymous, _confidential = secrets_world
    key = apikey_issue(agency=agency_a, name="Sistem Kota Bandung")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw}")
    for url in (
        "/api/v1/agency/reports/",
        f"/api/v1/agency/reports/{anonymous.tracking}/",
        "/api/v1/agency/events/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_no_identity(response.content.decode(), f"{url} with the agency's key")


def test_emails_to_the_public_never_name_an_anonymous_reporter_to_anyone_else(cast, secrets_world):
    others = [m for m in mail.outbox if SECRET_EMAIL not in m.to]  # the reporter's own may
    assert others, "staff should have been told of the reports"
    for message in others:
        _assert_no_identity(message.subject + message.body, f"mail to {message.to}")


def test_emails_to_staff_carry_no_identity(cast, secrets_world):
    staff = {cast.officer_a.email, cast.admin_a.email, cast.supervisor.email}
    to_staff = [m for m in mail.outbox if set(m.to) & staff]
    assert to_staff, "the agency should have been told of the new reports"
    for message in to_staff:
        _assert_no_identity(message.subject + message.body, f"mail to {message.to}")


def test_webhook_payloads_name_no_anonymous_reporter(settings, cast, agency_a, agency_b):
    import json

    from integrations.models import WebhookDelivery
    from integrations.services import webhook_endpoint_register

    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = True
    for agency in (agency_a, agency_b):
        webhook_endpoint_register(agency=agency, url=f"http://127.0.0.1:9/{agency.pk}")
    identity = dict(reporter_name=SECRET_NAME, reporter_email=SECRET_EMAIL)
    identity["reporter_phone"] = SECRET_PHONE
    anonymous = dispatched_report(agency_a, cast.national, is_anonymous=True, **identity)
    named = dispatched_report(agency_a, cast.national, **identity)
    for report in (anonymous, named):
        report_transition(report_id=report.pk, action="respond", actor=cast.officer_a, note="Ok")
        report_transition(
            report_id=report.pk,
            action="transfer",
            actor=cast.officer_a,
            note="Wewenang kabupaten",
            agency=agency_b,
        )
    sent = WebhookDelivery.objects.filter(report=anonymous)
    assert {d.endpoint.agency_id for d in sent} == {agency_a.pk, agency_b.pk}
    for delivery in sent:
        _assert_no_identity(json.dumps(delivery.payload), f"webhook {delivery.name}")
    # The same report filed openly does carry the name: the check above looks where it would be.
    assert any(
        SECRET_NAME in json.dumps(d.payload) for d in WebhookDelivery.objects.filter(report=named)
    )
