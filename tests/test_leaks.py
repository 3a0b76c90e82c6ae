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


def test_emails_to_staff_carry_no_identity(cast, secrets_world):
    staff = {cast.officer_a.email, cast.admin_a.email, cast.supervisor.email}
    to_staff = [m for m in mail.outbox if set(m.to) & staff]
    assert to_staff, "the agency should have been told of the new reports"
    for message in to_staff:
        _assert_no_identity(message.subject + message.body, f"mail to {message.to}")
