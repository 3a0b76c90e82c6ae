"""Every way a filing is refused: a clear message next to the field, and nothing saved."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from complaints import tracking
from complaints.models import Attachment, OutboxMessage, Report, ReportEvent
from tests.factories import file_report, published_report

pytestmark = pytest.mark.django_db

URL = "/lapor/"


def valid(**changes):
    data = {
        "kind": "complaint",
        "title": "Jalan rusak di depan pasar",
        "description": "Jalan di depan pasar berlubang besar dan membahayakan pengendara.",
        "province": "32",
        "regency": "3273",
        "reporter_name": "Budi",
        "reporter_email": "budi@example.id",
    }
    data.update(changes)
    return data


def jpeg(name="foto.jpg", size=(16, 16)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def refused(client, data, field: str, message: str, beside_field: bool = True) -> None:
    before = (
        Report.objects.count(),
        ReportEvent.objects.count(),
        Attachment.objects.count(),
        OutboxMessage.objects.count(),
    )
    response = client.post(URL, data)
    assert response.status_code == 400  # the form again, each error beside its field
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    html = response.content.decode()
    assert message in html
    if beside_field:  # (the honeypot is hidden from people: its message is in the summary)
        assert f'id="field-{field}"' in html
    after = (
        Report.objects.count(),
        ReportEvent.objects.count(),
        Attachment.objects.count(),
        OutboxMessage.objects.count(),
    )
    assert after == before


def test_a_valid_filing_saves_one_report_event_and_message(client):
    response = client.post(URL, valid(attachments=[jpeg()]))
    assert response.status_code == 302
    report = Report.objects.get()
    assert response["Location"] == reverse("complaints:report-created", args=[report.tracking])
    assert [e.action for e in report.events.all()] == ["submit"]
    assert report.attachments.get().name == "foto.jpg"
    assert OutboxMessage.objects.filter(report=report, recipient="budi@example.id").count() == 1


def test_a_20_mb_file_is_refused(client):
    big = SimpleUploadedFile(
        "besar.jpg", b"\xff\xd8\xff" + b"0" * (20 * 1024 * 1024), content_type="image/jpeg"
    )
    refused(client, valid(attachments=[big]), "attachments", "terlalu besar")


def test_an_exe_renamed_jpg_is_refused(client):
    exe = SimpleUploadedFile(
        "foto.jpg", b"MZ\x90\x00\x03" + b"\x00" * 2000, content_type="image/jpeg"
    )
    refused(client, valid(attachments=[exe]), "attachments", "bukan foto")


def test_text_pretending_to_be_a_png_is_refused(client):
    fake = SimpleUploadedFile(
        "foto.png", b"<html><script>alert(1)</script></html>", content_type="image/png"
    )
    refused(client, valid(attachments=[fake]), "attachments", "bukan foto")


def test_more_than_five_files_are_refused(client):
    # Six different files (six copies of one are stored once, and so not refused).
    files = [jpeg(f"foto{i}.jpg", size=(16 + i, 16)) for i in range(6)]
    refused(client, valid(attachments=files), "attachments", "Paling banyak 5")


def test_an_empty_description_is_refused(client):
    refused(client, valid(description=""), "description", "wajib diisi")


def test_a_regency_outside_the_province_is_refused(client):
    refused(client, valid(regency="3578"), "regency", "tidak berada di provinsi")


def test_a_guest_without_contact_is_refused(client):
    refused(client, valid(reporter_email="", reporter_phone=""), "reporter_email", "email atau")


def test_the_honeypot_stops_bots(client):
    refused(client, valid(website="http://spam.example"), "website", "tidak dapat dikirim", False)


def test_html_is_escaped_on_the_public_page(client):
    report = published_report(title="<script>alert('x')</script> jalan rusak")
    html = client.get(f"/laporan/{report.tracking}/").content.decode()
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;" in html


def test_a_forged_post_without_csrf_token_is_refused_and_saves_nothing():
    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, valid())
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_an_unknown_tracking_number_is_a_clear_not_found(client):
    number = tracking.generate()  # well formed, with a valid check character, but unused
    response = client.get("/lacak/", {"nomor": number})
    assert response.status_code == 404
    assert "tidak ditemukan" in response.content.decode()
    assert client.get(f"/lacak/{number}/").status_code == 404


def test_a_mistyped_tracking_number_is_caught_by_its_check_character(client):
    report = file_report()
    body = report.tracking.replace("-", "")[3:]
    wrong_char = "2" if body[3] != "2" else "3"
    typo = f"LPR-{body[:3]}{wrong_char}{body[4]}-{body[5:]}"
    response = client.get("/lacak/", {"nomor": typo})
    assert response.status_code == 404
    assert "salah ketik" in response.content.decode()
    # The right number, typed loosely (lower case, no dashes, O for 0), finds it.
    loose = report.tracking.lower().replace("-", " ").replace("0", "o")
    assert client.get("/lacak/", {"nomor": loose})["Location"] == report.get_absolute_url()
