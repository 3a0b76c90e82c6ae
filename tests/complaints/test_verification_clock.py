"""The verification clock: 3 working days from submission for national triage, or for the agency
a report names (SP4N-LAPOR!'s published limit, DESIGN.md Time limits; complaints.deadlines). A
report still unverified at the end of that day is flagged by the sweep, told to whoever must act,
listed in triage and counted on the dashboards and in the indicators API."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from complaints.models import ReportEvent
from complaints.services import report_transition, report_verify_by_agency
from complaints.sweeps import run_deadline_sweep
from monitoring.rebuild import differences
from monitoring.selectors import Range, indicators_by
from tests.factories import file_report, otp_verify

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")
# Monday 2 February 2026, 09:00 in Bandung (WIB); 3, 4, 5 February are working days, so the
# limit ends on Thursday 5 February at midnight WIB.
FILED = dt.datetime(2026, 2, 2, 9, 0, tzinfo=WIB)
LAST_MINUTE = dt.datetime(2026, 2, 5, 23, 59, tzinfo=WIB)
NEXT_DAY = dt.datetime(2026, 2, 6, 0, 1, tzinfo=WIB)


def _filed_on_monday(monkeypatch, **overrides):
    monkeypatch.setattr(timezone, "now", lambda: FILED)
    report = file_report(**overrides)
    monkeypatch.undo()
    return report


def _province(code="32"):
    return indicators_by(grain="P", by="province", period=Range.this_year(FILED.date()))[code]


def test_a_verification_overdue_is_flagged_told_listed_and_counted(
    monkeypatch, client, cast, django_capture_on_commit_callbacks
):
    report = _filed_on_monday(monkeypatch)
    assert report.verify_due == dt.datetime(2026, 2, 5, 23, 59, 59, tzinfo=WIB)
    assert run_deadline_sweep(now=LAST_MINUTE)["verify_overdue"] == 0  # still within
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deadline_sweep(now=NEXT_DAY)["verify_overdue"] == 1
    assert run_deadline_sweep(now=NEXT_DAY)["verify_overdue"] == 0  # flagged once
    report.refresh_from_db()
    assert report.verify_overdue_at is not None
    event = ReportEvent.objects.get(report=report, action="mark_verify_overdue")
    assert not event.is_public and event.data == {"verifier": "triage"}
    # National triage must act: its admins hear of it, once; the reporter does not.
    told = [m for m in mail.outbox if "verifikasi" in m.subject.lower()]
    assert [m.to for m in told] == [[cast.national.email]]

    # Counted from the summary rows, per province and for national triage.
    jabar = _province()
    assert (jabar.m("verify_overdue"), jabar.m("verify_overdue_triage")) == (1, 1)
    assert (jabar.m("verify_late"), jabar.verify_rate) == (1, 0)
    assert differences() == []

    client.force_login(cast.national)
    otp_verify(client, cast.national)
    queue = client.get(reverse("triage:queue"), {"state": "verify_overdue"})
    assert queue.status_code == 200, (queue.status_code, queue.get("Location"))
    assert [r.pk for r in queue.context["page"].object_list] == [report.pk]
    assert queue.context["counts"]["verify_overdue"] == 1
    national = client.get(reverse("monitoring:national"), {"period": "year"})
    assert national.context["whole"]["values"]["verify_overdue_triage"] == 1
    rows = {r["key"]: r["values"] for r in national.context["table"]["rows"]}
    assert rows["32"]["verify_overdue"] == 1
    assert b'data-testid="triage-verify-overdue"' in national.content
    api = client.get(reverse("api-province-indicators"), {"start": "2026-01-01"}).json()
    jabar_api = next(p for p in api["provinces"] if p["province"] == "32")
    assert (jabar_api["verify_overdue"], jabar_api["verify_late"]) == (1, 1)

    # Verified at last: no longer waiting, still counted as verified late.
    report_transition(report_id=report.pk, action="verify", actor=cast.national)
    jabar = _province()
    assert (jabar.m("verify_overdue"), jabar.m("verify_late"), jabar.verify_rate) == (0, 1, 0)
    assert differences() == []


def test_a_report_verified_within_the_limit_is_on_time(monkeypatch, cast):
    report = _filed_on_monday(monkeypatch)
    monkeypatch.setattr(timezone, "now", lambda: LAST_MINUTE)  # the last minute of the limit
    report_transition(report_id=report.pk, action="verify", actor=cast.national)
    monkeypatch.undo()
    run_deadline_sweep(now=NEXT_DAY)
    jabar = _province()
    assert (jabar.m("verify_on_time"), jabar.m("verify_late"), jabar.verify_rate) == (1, 0, 1)


def test_a_report_naming_an_agency_is_that_agencys_to_verify(
    monkeypatch, cast, agency_a, django_capture_on_commit_callbacks
):
    """SP4N-LAPOR!'s Admin Instansi verifies a report addressed to its agency: its admins are
    told with national triage, and the report is not counted as waiting for triage."""
    report = _filed_on_monday(monkeypatch, requested_agency_id=agency_a.pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deadline_sweep(now=NEXT_DAY)["verify_overdue"] == 1
    told = {m.to[0] for m in mail.outbox if "verifikasi" in m.subject.lower()}
    assert told == {cast.national.email, cast.admin_a.email}
    assert cast.officer_b.email not in told
    jabar = _province()
    assert (jabar.m("verify_overdue"), jabar.m("verify_overdue_triage")) == (1, 0)
    report_verify_by_agency(report_id=report.pk, actor=cast.officer_a)
    jabar = _province()
    assert (jabar.m("verify_overdue"), jabar.m("verify_late")) == (0, 1)
    assert differences() == []


def test_a_report_waiting_for_its_reporter_is_not_swept_for_verification(monkeypatch, cast):
    report = _filed_on_monday(monkeypatch)
    report_transition(
        report_id=report.pk, action="request_info", actor=cast.national, note="Lokasi?"
    )
    assert run_deadline_sweep(now=NEXT_DAY)["verify_overdue"] == 0
