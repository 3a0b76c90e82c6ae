"""A large export built by a real Celery worker process (against Redis and the test database):
it completes, and its file holds exactly the requester's reports under the filter asked."""

import csv
import io

import pytest
from django.urls import reverse

from complaints.models import ExportJob, Report
from lapor.celery import app as celery_app
from tests.complaints.test_worker import _wait_for, worker  # noqa: F401  (the real worker)
from tests.factories import PASSWORD, dispatched_report, make_staff

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_large_export_is_built_by_the_worker_in_the_requesters_scope(
    worker,  # noqa: F811
    client,
    agency_a,
    agency_b,
    settings,
):
    settings.LAPOR_EXPORT_INLINE_MAX = 5
    celery_app.conf.task_always_eager = True  # the reports are made in this process
    national = make_staff("national_admin")
    officer = make_staff("officer", agency=agency_a)
    mine = [dispatched_report(agency_a, national, title=f"Lampu jalan {i}") for i in range(12)]
    dispatched_report(agency_a, national, title="Sampah menumpuk")  # filtered out by q=
    others = [dispatched_report(agency_b, national, title=f"Lampu jalan B{i}") for i in range(3)]
    anonymous = dispatched_report(
        agency_a, national, title="Lampu jalan X", is_anonymous=True, reporter_name="Ratna R"
    )
    mine.append(anonymous)
    celery_app.conf.task_always_eager = False

    client.login(username=officer.username, password=PASSWORD)
    response = client.get(reverse("workspace:export"), {"q": "Lampu jalan"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert _wait_for(lambda: ExportJob.objects.get(pk=job.pk).state == "done", timeout=60), (
        ExportJob.objects.get(pk=job.pk).state
    )
    page = client.get(response["Location"]).content.decode()
    assert 'data-state="done"' in page and f"{len(mine)} laporan siap diunduh" in page
    download = client.get(reverse("workspace:export-download", args=[job.key]))
    text = b"".join(download.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["Nomor"] for r in rows) == sorted(r.tracking for r in mine)
    assert not {r.tracking for r in others} & {r["Nomor"] for r in rows}
    assert "Ratna" not in text
    assert (
        ExportJob.objects.get(pk=job.pk).total
        == len(mine)
        == Report.objects.filter(agency=agency_a, title__startswith="Lampu jalan").count()
    )
