"""The reporter's own files (issue 16; ../shared/DESIGN.md, Evidence): they see them on their
report's page, add more with a reply or when asked for information (tied to that event, seen by
the staff), and the public sees the photos of a published report only, re-encoded without
EXIF or GPS."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from complaints.models import Attachment, ReportEvent
from complaints.services import report_transition
from tests.factories import PASSWORD, dispatched_report, file_report, published_report

pytestmark = pytest.mark.django_db


def jpeg_with_gps(name="lokasi.jpg") -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[271] = "KameraRahasia"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "S", (6.0, 54.0, 12.0)
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 10, 10)).save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pdf(name="surat.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def post_as_reporter(report, **data):
    url = f"/lacak/{report.tracking}/"
    return Client().post(url, {"k": report.reporter_secret, **data}, follow=True)


def test_a_photo_sent_when_asked_for_information_is_tied_to_that_answer(cast):
    report = file_report()
    report_transition(
        report_id=report.pk, action="request_info", actor=cast.national, note="Foto lokasi?"
    )
    response = post_as_reporter(
        report, action="provide_info", note="Ini fotonya.", files=[jpeg_with_gps()]
    )
    assert response.status_code == 200
    attachment = Attachment.objects.get(report=report)
    assert attachment.event.action == "provide_info" and attachment.event.note == "Ini fotonya."
    assert "lokasi.jpg" in response.content.decode()  # listed on the reporter's page


def test_a_reply_with_files_reaches_the_officer_and_a_refused_file_alone_is_refused(cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    bad = SimpleUploadedFile("virus.jpg", b"MZ" + b"\0" * 100, content_type="image/jpeg")
    response = post_as_reporter(report, action="reply", note="Dokumen.", files=[pdf(), bad])
    html = response.content.decode()
    assert "virus.jpg" in html and "bukan foto" in html
    assert [a.name for a in Attachment.objects.filter(report=report)] == ["surat.pdf"]
    assert ReportEvent.objects.filter(report=report, action="reply").count() == 1

    officer = Client()
    assert officer.login(username=cast.officer_a.username, password=PASSWORD)
    assert "surat.pdf" in officer.get(f"/kerja/laporan/{report.tracking}/").content.decode()


def test_only_the_reporter_sees_and_adds_files(cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    post_as_reporter(report, action="reply", note="Foto.", files=[jpeg_with_gps()])
    stranger = Client()
    assert "lokasi.jpg" not in stranger.get(f"/lacak/{report.tracking}/").content.decode()
    response = stranger.post(
        f"/lacak/{report.tracking}/", {"action": "reply", "note": "x", "files": [pdf()]}
    )
    assert response.status_code == 403
    assert Attachment.objects.count() == 1


def test_public_photos_are_re_encoded_without_exif_or_gps(cast):
    report = published_report(cast.national)
    post_as_reporter(report, action="reply", note="Foto.", files=[jpeg_with_gps(), pdf()])
    photo, document = Attachment.objects.order_by("content_type").reverse()
    assert photo.content_type == "image/jpeg" and document.content_type == "application/pdf"
    page = Client().get(f"/laporan/{report.tracking}/").content.decode()
    assert f"/laporan/{report.tracking}/foto/{photo.pk}/" in page
    assert "surat.pdf" not in page

    response = Client().get(f"/laporan/{report.tracking}/foto/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"KameraRahasia" not in response.content
    shown = Image.open(io.BytesIO(response.content))
    assert dict(shown.getexif()) == {}
    assert shown.size == (32, 24)
    assert Client().get(f"/laporan/{report.tracking}/foto/{document.pk}/").status_code == 404


def test_photos_of_unpublished_or_confidential_reports_are_never_public(cast):
    for report in (file_report(), published_report(cast.national, is_confidential=True)):
        post_as_reporter(report, action="reply", note="Foto.", files=[jpeg_with_gps()])
        photo = Attachment.objects.get(report=report)
        assert Client().get(f"/laporan/{report.tracking}/foto/{photo.pk}/").status_code == 404
