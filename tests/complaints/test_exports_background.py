"""Large exports are built in the background: the requester follows the progress (htmx polling,
or a refresh link without JavaScript) and downloads the file when it is ready; nobody else can,
and the file expires. Small exports stay immediate (tests/complaints/test_exports.py)."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agencies.models import Role
from complaints.exports import export_sweep
from complaints.models import ExportJob
from tests.factories import PASSWORD, dispatched_report, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(cast, agency_a, agency_b, settings):
    """Three reports of agency A (one anonymous) and one of agency B; exports above two
    reports are large."""
    settings.LAPOR_EXPORT_INLINE_MAX = 2
    a = [dispatched_report(agency_a, cast.national, title=f"Jalan rusak {i}") for i in range(2)]
    a.append(
        dispatched_report(
            agency_a, cast.national, title="Pungli", is_anonymous=True, reporter_name="Ratna R"
        )
    )
    b = dispatched_report(agency_b, cast.national, title="Laporan Bogor")
    return a, b


def _ask(client, name="workspace:export", **params):
    return client.get(reverse(name), params)


def _csv_of(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_small_export_is_immediate(client, cast, reports, settings):
    settings.LAPOR_EXPORT_INLINE_MAX = 10
    client.login(username=cast.officer_a.username, password=PASSWORD)
    response = _ask(client)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert not ExportJob.objects.exists()


def test_a_large_export_is_built_in_the_background_and_downloaded(
    client, cast, reports, django_capture_on_commit_callbacks
):
    a, b = reports
    client.login(username=cast.officer_a.username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=False) as started:
        response = _ask(client)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:export-job", args=[job.key])
    assert job.requester == cast.officer_a and job.state == "queued"
    # Before the worker runs: a progress indicator, htmx polling and a refresh link.
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'data-state="queued"' in html and "<progress" in html
    assert 'hx-trigger="every 2s"' in html and 'data-testid="export-refresh"' in html
    for callback in started:
        callback()  # the worker's run (tasks are eager in tests)
    job.refresh_from_db()
    assert job.state == "done" and job.total == 3 and job.expires_at > timezone.now()
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert "<html" not in html and 'data-state="done"' in html
    assert "hx-trigger" not in html  # done: the panel stops asking
    assert reverse("workspace:export-download", args=[job.key]) in html
    download = client.get(reverse("workspace:export-download", args=[job.key]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="laporan-lapor.csv"')
    rows = _csv_of(download)
    assert {r["Nomor"] for r in rows} == {r.tracking for r in a}
    assert "Ratna" not in str(rows) and b.tracking not in str(rows)
    assert rows[0]["Diterima"].count(":") == 1  # local time to the minute, as inline


def test_the_filters_and_the_readers_language_go_with_the_job(
    client, cast, reports, settings, django_capture_on_commit_callbacks
):
    a, _b = reports
    settings.LAPOR_EXPORT_INLINE_MAX = 1
    client.login(username=cast.officer_a.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, name="workspace:export-xlsx", q="Jalan rusak")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.format == "xlsx" and job.language == "en"
    download = client.get(reverse("workspace:export-download", args=[job.key]))
    values = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values)
    assert values[0][0] == "Number"
    assert {row[0] for row in values[1:]} == {a[0].tracking, a[1].tracking}


def test_nobody_but_the_requester_sees_or_downloads_it(
    client, cast, reports, agency_a, django_capture_on_commit_callbacks
):
    client.login(username=cast.officer_a.username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    job = ExportJob.objects.get()
    status = reverse("workspace:export-job", args=[job.key])
    download = reverse("workspace:export-download", args=[job.key])
    colleague = make_staff(Role.Kind.OFFICER, agency=agency_a)  # same agency, not the requester
    for user in (colleague, cast.admin_a, cast.officer_b, cast.national):
        client.force_login(user)
        assert client.get(status).status_code == 404, user
        assert client.get(download).status_code == 404, user
    client.force_login(cast.citizen)
    assert client.get(download).status_code == 403
    client.logout()
    assert client.get(download).status_code == 302  # sent to sign in


def test_the_file_expires(client, cast, reports, django_capture_on_commit_callbacks):
    client.login(username=cast.officer_a.username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    job = ExportJob.objects.get()
    assert default_storage.exists(job.file)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    download = client.get(reverse("workspace:export-download", args=[job.key]))
    assert download.status_code == 410
    assert 'data-state="expired"' in download.content.decode()
    assert export_sweep() == 1
    assert not default_storage.exists(job.file) and not ExportJob.objects.exists()


def test_the_sweep_keeps_a_fresh_file_and_a_second_build_does_nothing(
    client, cast, reports, django_capture_on_commit_callbacks
):
    from complaints.exports import export_build

    client.login(username=cast.officer_a.username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    job = ExportJob.objects.get()
    assert export_build(job_id=job.pk) == "skipped"  # a task delivered twice
    assert export_sweep() == 0 and default_storage.exists(job.file)
