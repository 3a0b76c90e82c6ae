"""Backfill of a regional system's archive: original dates and history through the status
machine in import mode, refusals with reasons, resumable, no e-mail or webhook for the past,
and the dashboards' summaries agreeing with a rebuild afterwards."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints.models import OutboxMessage, Report, ReportEvent
from integrations.models import ExternalRef, ImportRun, WebhookDelivery
from integrations.services import webhook_endpoint_register

from .conftest import api

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def archived(external_id: str, days_ago: int, history: list[tuple], **overrides) -> dict:
    filed = timezone.now() - dt.timedelta(days=days_ago)
    steps = []
    for offset, action, *rest in history:
        step = {"action": action, "at": (filed + dt.timedelta(days=offset)).isoformat()}
        if rest:
            step.update(rest[0])
        steps.append(step)
    body = {
        "external_id": external_id,
        "kind": "complaint",
        "title": "Jalan rusak di Cibeunying",
        "description": "Jalan rusak dan berlubang di depan pasar, sudah lama tidak diperbaiki.",
        "province": "32",
        "regency": "3273",
        "reporter_name": "Warga Bandung",
        "filed_at": filed.isoformat(),
        "history": steps,
    }
    body.update(overrides)
    return body


CLOSED = [
    (1, "verify"),
    (1, "dispatch"),
    (2, "respond", {"note": "Diterima, dicek."}),
    (10, "resolve", {"note": "Sudah ditambal."}),
    (11, "accept", {"rating": 4}),
]


def test_import_keeps_dates_history_and_summaries(key_a, agency_a, receiver):
    webhook_endpoint_register(agency=agency_a, url=receiver.url)
    batch = [
        archived("A-1", 400, CLOSED),
        archived("A-2", 30, [(1, "verify"), (2, "dispatch"), (3, "respond", {"note": "Ok"})]),
        archived("A-3", 100, []),
        archived("BAD-order", 50, [(5, "verify"), (2, "dispatch")]),
        archived("BAD-action", 50, [(1, "transfer", {"note": "ke provinsi"})]),
        archived("BAD-machine", 50, [(1, "resolve", {"note": "loncat"})]),
        archived("BAD-field", 50, [], title="x"),
        archived("BAD-unit", 50, [], unit="pemkab-3201"),
    ]
    client = api(key_a.raw)
    response = client.post("/api/v1/agency/import/", {"reports": batch}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["received"], body["imported"], body["skipped"]) == (8, 3, 0)
    refused = {r["external_id"]: str(r["reason"]) for r in body["refused"]}
    assert set(refused) == {"BAD-order", "BAD-action", "BAD-machine", "BAD-field", "BAD-unit"}
    assert "transition_not_allowed" in refused["BAD-machine"]
    assert Report.objects.count() == 3  # a refused record leaves nothing behind

    closed = Report.objects.get(external_refs__external_id="A-1")
    filed = dt.datetime.fromisoformat(batch[0]["filed_at"])
    assert closed.status == "closed" and closed.rating == 4
    assert abs(closed.created_at - filed) < dt.timedelta(seconds=1)
    assert abs(closed.resolved_at - (filed + dt.timedelta(days=10))) < dt.timedelta(seconds=1)
    assert closed.agency_id == agency_a.pk and closed.channel == "integration"
    events = ReportEvent.objects.filter(report=closed).order_by("pk")
    assert [e.action for e in events] == [
        "submit",
        "verify",
        "dispatch",
        "respond",
        "resolve",
        "accept",
    ]
    assert all(e.data["imported"] is True for e in events)
    occurred = dt.datetime.fromisoformat(events.last().data["occurred_at"])
    assert occurred == dt.datetime.fromisoformat(batch[0]["history"][-1]["at"])
    assert Report.objects.get(external_refs__external_id="A-2").status == "in_progress"
    # The past is not news: no e-mail to the citizen or the officers, no webhook.
    assert not OutboxMessage.objects.exists()
    assert not WebhookDelivery.objects.exists()
    # The dashboards' summaries agree with a rebuild from the reports.
    call_command("rebuild_summaries", "--check")
    # The same batch again: what is in is skipped, nothing doubles.
    again = client.post("/api/v1/agency/import/", {"reports": batch}, format="json").json()
    assert (again["imported"], again["skipped"]) == (0, 3)
    assert Report.objects.count() == 3 and ExternalRef.objects.count() == 3
    assert ImportRun.objects.count() == 2
    # The client finds an imported report by its own id, as any other.
    found = client.get("/api/v1/agency/external/A-1/").json()
    assert found["tracking"] == closed.tracking and found["status"] == "closed"


def test_import_refuses_a_batch_too_large_or_empty_and_needs_a_key(key_a, key_b):
    client = api(key_a.raw)
    assert client.post("/api/v1/agency/import/", {"reports": []}, format="json").status_code == 400
    many = [archived(f"M-{i}", 10, []) for i in range(501)]
    assert client.post("/api/v1/agency/import/", {"reports": many}, format="json").status_code in (
        400,
        413,
    )
    assert (
        api().post("/api/v1/agency/import/", {"reports": many[:1]}, format="json").status_code
        == 401
    )
    assert not Report.objects.exists()


def test_import_command_runs_an_archive_and_resumes(tmp_path, agency_a):
    archive = tmp_path / "archive.jsonl"
    made = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "make_archive.py"), "40"],
        check=True,
        capture_output=True,
        text=True,
    )
    lines = made.stdout.splitlines()
    # Cut short after 25 records, then the whole archive: the second run resumes.
    archive.write_text("\n".join(lines[:25]) + "\n", encoding="utf-8")
    call_command("import_reports", str(archive), agency=agency_a.slug)
    assert Report.objects.count() == 25
    archive.write_text("\n".join([*lines, "not json"]) + "\n", encoding="utf-8")
    refused = tmp_path / "refused.jsonl"
    call_command("import_reports", str(archive), agency=agency_a.slug, refused=str(refused))
    assert Report.objects.count() == 40
    assert len(refused.read_text().splitlines()) == 1
    run = ImportRun.objects.order_by("pk").last()
    assert (run.received, run.imported, run.skipped, len(run.refused)) == (41, 15, 25, 1)
    statuses = set(Report.objects.values_list("status", flat=True))
    assert {"closed", "resolved", "in_progress"} <= statuses
    assert not OutboxMessage.objects.exists()
    call_command("rebuild_summaries", "--check")
    assert json.loads(lines[0])["external_id"] == "SIPELADA-0000001"
