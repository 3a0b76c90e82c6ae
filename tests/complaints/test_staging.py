"""Files chosen on the report form survive any error on it (issue 16): stored at once for the
form's draft, listed and removable on the re-rendered form, a refused file refused alone,
stored once, and deleted if the form is never sent."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from complaints.models import Attachment, Report, StagedUpload
from complaints.sweeps import run_deadline_sweep

pytestmark = pytest.mark.django_db

URL = "/lapor/"


def form(**changes):
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
    return {k: v for k, v in data.items() if v is not None}


def jpeg(name="foto.jpg", color=(1, 2, 3)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), color).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pdf(name="surat.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def exe(name="foto2.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def draft_of(response) -> str:
    return response.context["draft"]


def test_files_survive_a_missing_name_and_are_filed_once():
    client = Client()
    first = client.post(URL, form(reporter_name="", attachments=[jpeg(), pdf()]))
    assert first.status_code == 400  # the form again, files kept
    assert "reporter_name" in first.context["form"].errors
    assert Report.objects.count() == 0
    html = first.content.decode()
    assert "foto.jpg" in html and "surat.pdf" in html  # listed, each with a remove box
    assert html.count('name="remove"') == 2
    assert len(stored_files()) == 2

    second = client.post(URL, form(draft=draft_of(first)))
    assert second.status_code == 302
    report = Report.objects.get()
    assert sorted(a.name for a in report.attachments.all()) == ["foto.jpg", "surat.pdf"]
    assert StagedUpload.objects.count() == 0
    assert len(stored_files()) == 2  # taken over, not copied
    for attachment in report.attachments.all():
        assert Path(attachment.file.path).exists()


def test_a_refused_file_is_refused_alone():
    client = Client()
    response = client.post(URL, form(attachments=[jpeg(), exe()]))
    assert response.status_code == 400
    assert Report.objects.count() == 0  # the citizen sees what was refused before filing
    errors = " ".join(response.context["form"].errors["attachments"])
    assert "foto2.jpg" in errors and "bukan foto" in errors
    assert [s.name for s in response.context["staged"]] == ["foto.jpg"]

    client.post(URL, form(draft=draft_of(response)))
    assert [a.name for a in Report.objects.get().attachments.all()] == ["foto.jpg"]


def test_a_sixth_file_is_refused_alone():
    client = Client()
    files = [jpeg(f"f{i}.jpg", color=(i, i, i)) for i in range(6)]
    response = client.post(URL, form(attachments=files))
    errors = " ".join(response.context["form"].errors["attachments"])
    assert "Paling banyak 5" in errors and "f5.jpg" in errors
    assert [s.name for s in response.context["staged"]] == [f"f{i}.jpg" for i in range(5)]


def test_the_same_file_sent_again_is_stored_once():
    client = Client()
    first = client.post(URL, form(reporter_name="", attachments=[jpeg()]))
    again = client.post(URL, form(reporter_name="", draft=draft_of(first), attachments=[jpeg()]))
    assert len(again.context["staged"]) == 1
    assert len(stored_files()) == 1


def test_a_file_taken_off_the_form_is_deleted():
    client = Client()
    first = client.post(URL, form(reporter_name="", attachments=[jpeg(), pdf()]))
    photo = next(s for s in first.context["staged"] if s.name == "foto.jpg")
    client.post(URL, form(draft=draft_of(first), remove=[str(photo.pk)]))
    assert [a.name for a in Report.objects.get().attachments.all()] == ["surat.pdf"]
    assert len(stored_files()) == 1


def test_another_browser_cannot_use_a_draft_it_does_not_own():
    owner, other = Client(), Client()
    first = owner.post(URL, form(reporter_name="", attachments=[jpeg()]))
    response = other.post(URL, form(draft=draft_of(first)))
    assert response.status_code == 302
    assert Attachment.objects.count() == 0
    assert StagedUpload.objects.count() == 1  # still the owner's


def test_a_draft_never_sent_is_deleted_by_the_sweep():
    client = Client()
    client.post(URL, form(reporter_name="", attachments=[jpeg()]))
    fresh = client.post(URL, form(reporter_name="", attachments=[pdf()]))
    StagedUpload.objects.filter(name="foto.jpg").update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    assert run_deadline_sweep()["staged_expired"] == 1
    assert [s.name for s in StagedUpload.objects.all()] == ["surat.pdf"]
    assert len(stored_files()) == 1
    assert fresh.status_code == 400
