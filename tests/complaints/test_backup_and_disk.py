"""Backup and restore round trip; a full disk for attachments refuses cleanly."""

import io
import subprocess

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from PIL import Image

from complaints.models import Attachment, Report
from tests.factories import file_report


def _png(name="foto.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class FullDiskStorage(FileSystemStorage):
    """Writes go to /dev/full, where the kernel answers ENOSPC as on a full disk."""

    def _save(self, name, content):
        with open("/dev/full", "wb") as fh:
            for chunk in content.chunks():
                fh.write(chunk)
            fh.flush()
        return name


@pytest.mark.django_db
def test_full_disk_refuses_the_filing_cleanly_and_saves_nothing(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.complaints.test_backup_and_disk.FullDiskStorage"},
    }
    before = Report.objects.count()
    response = client.post(
        reverse("complaints:report-create"),
        {
            "kind": "complaint",
            "title": "Jalan rusak di depan pasar",
            "description": "Jalan di depan pasar berlubang besar dan membahayakan pengendara.",
            "province": "32",
            "regency": "3273",
            "reporter_name": "Budi",
            "reporter_email": "budi@example.id",
            "attachments": [_png()],
        },
    )
    assert response.status_code == 503
    assert "ruang penyimpanan penuh" in response.content.decode()
    assert Report.objects.count() == before
    assert Attachment.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip(tmp_path, settings):
    subprocess.run(["pg_dump", "--version"], check=True, capture_output=True)
    from complaints.services import attachment_save
    from complaints.uploads import check_upload

    report = file_report(title="Laporan yang harus selamat")
    attachment_save(report=report, upload=check_upload(_png()))
    stored = Attachment.objects.get().file.name
    call_command("backup", str(tmp_path / "b"))
    # Disaster: the reports, everything hanging off them, and the file are gone.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE complaints_report CASCADE")
    FileSystemStorage(location=settings.MEDIA_ROOT).delete(stored)
    assert not Report.objects.exists()
    call_command("restore", str(tmp_path / "b"), "--yes")
    restored = Report.objects.get(tracking=report.tracking)
    assert restored.title == "Laporan yang harus selamat"
    attachment = Attachment.objects.get(report=restored)
    with attachment.file.open("rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.django_db
def test_restore_refuses_a_damaged_backup(tmp_path):
    call_command("backup", str(tmp_path / "b"))
    with (tmp_path / "b" / "media.tar.gz").open("ab") as fh:
        fh.write(b"garbage")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(tmp_path / "b"), "--yes")
