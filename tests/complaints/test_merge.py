"""Merging from triage: confirmed on a page with both reports side by side, and undone by a
national admin through the status machine (action "unmerge"), back to the status and agency
the report had before."""

import pytest
from django.urls import reverse

from complaints.errors import ActionForbidden
from complaints.models import Status
from complaints.services import report_transition
from tests.factories import PASSWORD, attach_photo, file_report, published_report

FIRST = ("Jalan berlubang di Cihampelas", "Lubang besar di Jalan Cihampelas, motor jatuh.")
SECOND = ("jln cihampelas ancur", "aspal di cihampelas udh ancur bgt, bolong2 gede")


def _post_merge(client, report, into, **extra):
    data = {"action": "merge", "version": report.version, "from": "triage", "into": into}
    return client.post(reverse("triage:act", args=[report.tracking]), {**data, **extra})


@pytest.mark.django_db
def test_a_merge_posted_without_confirmation_changes_nothing(client, cast):
    earlier = file_report(title=FIRST[0], description=FIRST[1])
    report = file_report(title=SECOND[0], description=SECOND[1])
    client.login(username=cast.national.username, password=PASSWORD)
    response = _post_merge(client, report, earlier.tracking)
    confirm_url = reverse("triage:merge", args=[report.tracking])
    assert response.status_code == 302 and response["Location"].startswith(confirm_url)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.merged_into is None
    assert not report.events.filter(action="merge").exists()


@pytest.mark.django_db
def test_the_confirmation_shows_both_reports_and_merges_when_pressed(client, cast):
    earlier = published_report(cast.national, title=FIRST[0], description=FIRST[1])
    attach_photo(earlier)
    report = file_report(title=SECOND[0], description=SECOND[1], address="depan pasar")
    client.login(username=cast.national.username, password=PASSWORD)
    page = client.get(
        reverse("triage:merge", args=[report.tracking]), {"ke": earlier.tracking.lower()}
    ).content.decode()
    for text in (*FIRST, *SECOND, "depan pasar", "Terverifikasi", "Diterima", "Kota Bandung"):
        assert text in page, text
    assert "<dt>Lampiran</dt><dd>1</dd>" in page and "<dt>Lampiran</dt><dd>0</dd>" in page
    assert 'name="confirm" value="1"' in page
    _post_merge(client, report, earlier.tracking, confirm="1")
    report.refresh_from_db()
    assert report.status == Status.MERGED and report.merged_into == earlier


@pytest.mark.django_db
def test_the_confirmation_refuses_an_unknown_or_closed_target_with_a_400(client, cast):
    report = file_report(title=SECOND[0], description=SECOND[1])
    client.login(username=cast.national.username, password=PASSWORD)
    url = reverse("triage:merge", args=[report.tracking])
    for target in ("", "LPR-NOPE", report.tracking, "x" * 5000):
        response = client.get(url, {"ke": target})
        assert response.status_code == 400 and 'name="confirm"' not in response.content.decode()


@pytest.mark.django_db
def test_only_national_triage_opens_the_confirmation(client, cast):
    report = file_report(title=SECOND[0], description=SECOND[1])
    client.login(username=cast.officer_a.username, password=PASSWORD)
    assert client.get(reverse("triage:merge", args=[report.tracking])).status_code == 403


def _merged_after_a_return(cast, agency):
    """A report dispatched to ``agency``, returned to triage (verified, no agency, a decision
    needed) and then merged into an earlier one."""
    earlier = file_report(title=FIRST[0], description=FIRST[1])
    report = file_report(title=SECOND[0], description=SECOND[1])
    report_transition(report_id=report.pk, action="verify", actor=cast.national)
    report_transition(report_id=report.pk, action="dispatch", actor=cast.national, agency=agency)
    report_transition(
        report_id=report.pk, action="return_to_triage", actor=cast.officer_a, note="bukan kami"
    )
    report.refresh_from_db()
    before = (report.status, report.agency_id, report.needs_triage_decision)
    report_transition(report_id=report.pk, action="merge", actor=cast.national, into=earlier)
    return report, earlier, before


@pytest.mark.django_db
def test_undo_restores_status_agency_and_the_pending_decision(cast, agency_a):
    earlier = file_report(title=FIRST[0], description=FIRST[1])
    held = file_report(title=SECOND[0], description=SECOND[1])
    report_transition(report_id=held.pk, action="verify", actor=cast.national)
    report_transition(report_id=held.pk, action="merge", actor=cast.national, into=earlier)
    undone = report_transition(
        report_id=held.pk, action="unmerge", actor=cast.national, note="bukan masalah yang sama"
    )
    assert undone.status == Status.VERIFIED and undone.merged_into is None
    event = undone.events.get(action="unmerge")
    assert (event.from_status, event.to_status) == (Status.MERGED, Status.VERIFIED)
    assert event.data == {"from": earlier.tracking} and event.actor == cast.national

    report, _, before = _merged_after_a_return(cast, agency_a)
    assert before == (Status.VERIFIED, None, True)
    report = report_transition(report_id=report.pk, action="unmerge", actor=cast.national, note="x")
    assert (report.status, report.agency_id, report.needs_triage_decision) == before


@pytest.mark.django_db
def test_only_a_national_admin_may_undo_a_merge(client, cast, agency_a):
    report, _, _ = _merged_after_a_return(cast, agency_a)
    for who in (cast.officer_a, cast.admin_a, cast.supervisor, cast.ombudsman, cast.stranger):
        with pytest.raises(ActionForbidden):
            report_transition(report_id=report.pk, action="unmerge", actor=who, note="x")
    client.login(username=cast.admin_a.username, password=PASSWORD)
    response = client.post(
        reverse("workspace:act", args=[report.tracking]), {"action": "unmerge", "note": "x"}
    )
    assert response.status_code in (403, 404)
    report.refresh_from_db()
    assert report.status == Status.MERGED and not report.events.filter(action="unmerge").exists()
