"""Every audience through every door it can reach, for one confidential anonymous report.

The expectations below are written from the rules (../shared/DESIGN.md, Reports and Privacy;
issue 13), not read from the code: a confidential report shows nothing publicly; an anonymous
reporter is named to no agency; an agency that held the report before a transfer sees where it
went, not what it says; the reporter and the staff who may open it read its timeline and
files. Each part of the report carries its own marker (content, identity, every note, the
file's name and bytes), and each door is searched for each marker."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from complaints.services import attachment_save, report_transition
from complaints.uploads import check_upload
from integrations.models import WebhookDelivery
from integrations.services import apikey_issue, webhook_endpoint_register
from tests.factories import file_report, published_report
from tests.integrations.conftest import api

pytestmark = pytest.mark.django_db

TITLE = "JUDULRAHASIA pungutan di kantor kelurahan"
STORY = "CERITARAHASIA: petugas meminta uang untuk surat pengantar."
NAME, EMAIL, PHONE = "NAMARAHASIA Wibowo", "surel.rahasia@example.id", "081299988877"
NOTE = "CATATANRAHASIA"
FILE_NAME = "BERKASRAHASIA.png"

CONTENT = (TITLE, STORY)
IDENTITY = (NAME, EMAIL, PHONE)

# What each audience may see of a confidential, anonymous report now held by agency A after
# agency B transferred it: content, identity, the timeline's text, the files.
EXPECTED = {
    "anonymous visitor": (False, False, False, False),
    "stranger (signed in)": (False, False, False, False),
    "reporter by key": (True, True, True, True),
    "reporter signed in": (True, True, True, True),
    "officer of the holder (A)": (True, False, True, True),
    "officer of the former holder (B)": (False, False, False, False),
    "province supervisor": (True, False, True, True),
    "national triage": (True, True, True, True),
    "Ombudsman (not handed over)": (False, False, False, False),
}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), (200, 10, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def world(cast, agency_a, agency_b, settings):
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = True
    hooks = {
        "A": webhook_endpoint_register(agency=agency_a, url="http://127.0.0.1:9/a"),
        "B": webhook_endpoint_register(agency=agency_b, url="http://127.0.0.1:9/b"),
    }
    mail.outbox.clear()
    report = file_report(
        reporter=cast.citizen,
        title=TITLE,
        description=STORY,
        is_anonymous=True,
        is_confidential=True,
        reporter_name=NAME,
        reporter_email=EMAIL,
        reporter_phone=PHONE,
    )
    upload = SimpleUploadedFile(FILE_NAME, _png(), content_type="image/png")
    attachment = attachment_save(report=report, upload=check_upload(upload))
    steps = [
        ("verify", cast.national, {}),
        ("dispatch", cast.national, {"agency": agency_b}),
        ("transfer", cast.officer_b, {"agency": agency_a}),
        ("respond", cast.officer_a, {}),
        ("note", cast.officer_a, {}),
        ("reply", cast.citizen, {}),
    ]
    for action, actor, extra in steps:
        report_transition(
            report_id=report.pk, action=action, actor=actor, note=f"{NOTE} {action}", **extra
        )
    report.refresh_from_db()
    return report, attachment, hooks


def _as(client, cast, who, report):
    """The client signed in as ``who`` and the query string that audience brings."""
    users = {
        "stranger (signed in)": cast.stranger,
        "reporter signed in": cast.citizen,
        "officer of the holder (A)": cast.officer_a,
        "officer of the former holder (B)": cast.officer_b,
        "province supervisor": cast.supervisor,
        "national triage": cast.national,
        "Ombudsman (not handed over)": cast.ombudsman,
    }
    if who in users:
        client.force_login(users[who])
    return f"?k={report.reporter_secret}" if who == "reporter by key" else ""


def _seen(text: str) -> tuple[bool, bool, bool]:
    return (
        any(m in text for m in CONTENT),
        any(m in text for m in IDENTITY),
        NOTE in text,
    )


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_audience_sees_of_the_track_page_and_the_file_exactly_what_it_may(
    client, cast, world, who
):
    report, attachment, _hooks = world
    content, _identity, timeline, files = EXPECTED[who]
    key = _as(client, cast, who, report)

    page = client.get(f"/lacak/{report.tracking}/{key}")
    assert page.status_code == 200
    text = page.content.decode()
    seen_content, _seen_identity, seen_timeline = _seen(text)
    assert seen_content == content, who
    assert seen_timeline == timeline, who
    # The track page names the reporter to no one (identity is for the staff pages).
    assert not any(m in text for m in (NAME, EMAIL, PHONE)), who
    assert (FILE_NAME in text) == (files and who.startswith("reporter")), who
    if who.startswith("reporter"):  # the internal note is for staff only
        assert f"{NOTE} note" not in text and f"{NOTE} reply" in text

    download = client.get(f"/lampiran/{attachment.pk}/{key}")
    assert (download.status_code == 200) == files, who
    if files:
        assert b"".join(download.streaming_content) == attachment.file.open("rb").read()
    # Never public: the public page and its photo route.
    assert client.get(f"/laporan/{report.tracking}/").status_code == 404
    assert client.get(f"/laporan/{report.tracking}/foto/{attachment.pk}/").status_code == 404


@pytest.mark.parametrize(
    "who", ["officer of the holder (A)", "province supervisor", "national triage"]
)
def test_staff_pages_show_identity_only_to_who_may_see_it(client, cast, world, who):
    report, _attachment, _hooks = world
    content, identity, timeline, files = EXPECTED[who]
    _as(client, cast, who, report)
    base = "/triase/laporan" if who == "national triage" else "/kerja/laporan"
    page = client.get(f"{base}/{report.tracking}/")
    assert page.status_code == 200, who
    seen_content, seen_identity, seen_timeline = _seen(page.content.decode())
    assert (seen_content, seen_identity, seen_timeline) == (content, identity, timeline), who
    assert (FILE_NAME in page.content.decode()) == files
    assert f"{NOTE} note" in page.content.decode()  # staff read the internal note


def test_the_former_holders_staff_page_is_closed(client, cast, world):
    report, _attachment, _hooks = world
    client.force_login(cast.officer_b)
    assert client.get(f"/kerja/laporan/{report.tracking}/").status_code == 404


def test_api_doors_per_caller(cast, agency_a, agency_b, world):
    report, attachment, _hooks = world
    public = api().get(f"/api/v1/reports/{report.tracking}/")
    assert public.status_code == 200
    assert _seen(public.content.decode()) == (False, False, False)

    key_a = apikey_issue(agency=agency_a, name="Sistem A", created_by=cast.admin_a)
    key_b = apikey_issue(agency=agency_b, name="Sistem B")
    holder = api(key_a.raw).get(f"/api/v1/agency/reports/{report.tracking}/")
    assert holder.status_code == 200
    body = holder.content.decode()
    assert _seen(body) == (True, False, True)  # anonymous: no identity for the agency
    assert FILE_NAME in body
    files = api(key_a.raw).get(f"/api/v1/agency/reports/{report.tracking}/files/")
    assert [f["name"] for f in files.json()] == [FILE_NAME]
    path = f"/api/v1/agency/reports/{report.tracking}/files/{attachment.pk}/"
    assert api(key_a.raw).get(path).status_code == 200

    for door in ("", "files/", f"files/{attachment.pk}/"):
        refused = api(key_b.raw).get(f"/api/v1/agency/reports/{report.tracking}/{door}")
        assert refused.status_code == 404, door
        assert _seen(refused.content.decode()) == (False, False, False)


def test_open311_shows_nothing_of_it(client, world):
    report, _attachment, _hooks = world
    for fmt in ("json", "xml"):
        one = client.get(f"/open311/v2/requests/{report.tracking}.{fmt}")
        assert one.status_code == 404
        listed = client.get(f"/open311/v2/requests.{fmt}")
        assert report.tracking not in listed.content.decode()
        assert _seen(listed.content.decode()) == (False, False, False)


def test_webhook_payloads_per_receiving_agency(world):
    report, _attachment, hooks = world
    to_b = list(WebhookDelivery.objects.filter(endpoint=hooks["B"], report=report))
    to_a = list(WebhookDelivery.objects.filter(endpoint=hooks["A"], report=report))
    names_b = [d.name for d in to_b]
    assert names_b == ["dispatched", "transferred_out"]
    # While B held it, B read it (no identity: anonymous); once it left, where it went only.
    dispatched, transferred_out = to_b
    assert _seen(str(dispatched.payload)) == (True, False, True)
    assert _seen(str(transferred_out.payload)) == (False, False, False)
    assert FILE_NAME not in str(transferred_out.payload)
    assert transferred_out.payload["report"]["agency"]["slug"] == "pemkot-3273"
    # A, the holder: content, every note including the internal one, the file's link.
    text_a = str([d.payload for d in to_a])
    assert _seen(text_a) == (True, False, True)
    assert f"{NOTE} note" in text_a and FILE_NAME in text_a


def test_emails_follow_the_audience_of_their_recipient(world):
    _report, _attachment, _hooks = world
    from complaints.models import OutboxMessage

    rows = list(OutboxMessage.objects.all())
    assert rows, "the filing, the transfer and the answers each told someone"
    for row in rows:
        text = f"{row.subject}\n{row.body}"
        if row.recipient in (EMAIL, PHONE):
            # The reporter: their report, its public notes, never an internal one.
            assert f"{NOTE} note" not in text
        else:
            # Staff: the report to work on, never the anonymous reporter's identity.
            assert not any(m in text for m in IDENTITY), row.recipient


def test_a_published_reports_files_reach_the_public_only_as_re_encoded_photos(client, cast):
    report = published_report(cast.national, title="Jalan berlubang di Cicendo")
    photo_bytes = _png()
    photo = attachment_save(
        report=report,
        upload=check_upload(SimpleUploadedFile("foto.png", photo_bytes, content_type="image/png")),
    )
    pdf = attachment_save(
        report=report,
        upload=check_upload(
            SimpleUploadedFile("surat.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        ),
    )
    page = client.get(f"/laporan/{report.tracking}/").content.decode()
    assert f"/laporan/{report.tracking}/foto/{photo.pk}/" in page
    assert "surat.pdf" not in page
    reencoded = client.get(f"/laporan/{report.tracking}/foto/{photo.pk}/")
    assert reencoded.status_code == 200 and reencoded["Content-Type"] == "image/jpeg"
    assert client.get(f"/laporan/{report.tracking}/foto/{pdf.pk}/").status_code == 404
    # The files as sent are the reporter's and the staff's: not the public's.
    assert client.get(f"/lampiran/{photo.pk}/").status_code == 404
    assert client.get(f"/lampiran/{pdf.pk}/").status_code == 404
