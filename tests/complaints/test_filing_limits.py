"""Filing limits that fit shared addresses (issue 16): accepted filings are counted per address
and per contact, forms sent back with errors apart (a higher limit), and a 429 gives the form
back with everything typed, the staged files, and when to send it again."""

import pytest
from django.test import Client

from complaints.models import Report, StagedUpload
from core import ratelimit
from tests.complaints.test_staging import form, jpeg

pytestmark = pytest.mark.django_db

URL = "/lapor/"


@pytest.fixture
def limits(settings):
    settings.LAPOR_RATE_LIMITS = {
        **settings.LAPOR_RATE_LIMITS,
        "file": (3, 600),
        "file_contact": (2, 600),
        "file_failed": (4, 600),
    }


def post(client, address="10.0.0.1", **changes):
    return client.post(URL, form(**changes), REMOTE_ADDR=address)


def test_failed_forms_do_not_use_up_the_filing_limit(client, limits):
    for _ in range(3):  # a citizen correcting a form three times
        assert post(client, title="").status_code == 400
    assert post(client).status_code == 302
    assert Report.objects.count() == 1


def test_failed_forms_have_their_own_higher_limit(client, limits):
    for _ in range(4):
        assert post(client, title="").status_code == 400
    refused = post(client, title="")
    assert refused.status_code == 429
    assert not Report.objects.exists()


def test_one_address_files_for_several_people_up_to_the_address_limit(client, limits):
    people = ["a@example.id", "b@example.id", "c@example.id", "d@example.id"]
    codes = [post(Client(), reporter_email=email).status_code for email in people]
    assert codes == [302, 302, 302, 429]
    assert Report.objects.count() == 3


def test_one_contact_is_limited_from_any_address(limits):
    codes = [
        post(Client(), address=f"10.0.1.{n}", reporter_email="Budi@Example.id").status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]
    # The same phone written another way is the same contact.
    phones = ["0812 3456 7890", "+62 812-3456-7890", "628123456789 0"]
    codes = [
        post(Client(), address=f"10.0.2.{n}", reporter_email="", reporter_phone=p).status_code
        for n, p in enumerate(phones)
    ]
    assert codes == [302, 302, 429]


def test_contact_keys_never_hold_the_contact_itself():
    key = ratelimit.contact_key(email="budi@example.id")
    assert "budi" not in key and len(key) == 32
    assert ratelimit.contact_key() is None
    assert ratelimit.contact_key(phone="0812-3456") == ratelimit.contact_key(phone="+62 8123456")


def test_a_429_gives_the_form_back_with_the_text_the_files_and_when(client, limits, settings):
    settings.LAPOR_RATE_LIMITS = {**settings.LAPOR_RATE_LIMITS, "file": (0, 600)}
    data = form(title="Lampu jalan mati sejak sebulan", province="94", regency="9403")  # WIT
    refused = client.post(URL, {**data, "attachments": [jpeg()]}, REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 600
    page = refused.content.decode()
    assert 'data-testid="too-many"' in page
    assert "Lampu jalan mati sejak sebulan" in page
    assert "budi@example.id" in page
    assert " WIT " in page
    assert refused.context["too_many"]["minutes"] >= 1
    # The photo is kept for the draft and listed, ready for the next try.
    staged = StagedUpload.objects.get(draft=refused.context["draft"])
    assert staged.name == "foto.jpg"
    assert "foto.jpg" in page
    assert not Report.objects.exists()


def test_the_429_is_in_english_for_an_english_reader(client, limits, settings):
    settings.LAPOR_RATE_LIMITS = {**settings.LAPOR_RATE_LIMITS, "file": (0, 600)}
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    refused = client.post(URL, form())
    assert refused.status_code == 429
    assert "Your report has not been sent" in refused.content.decode()
