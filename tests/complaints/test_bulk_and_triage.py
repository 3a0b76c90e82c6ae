"""Bulk work and the triage workspace: per-report results through the status machine, "select
all matching", filters, saved views, the "next report" flow, standard reasons, tags."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from agencies.models import Agency
from complaints.bulk import reports_bulk_act
from complaints.models import Channel, Report, ReportEvent, SavedView, Status
from complaints.services import report_transition
from routing.models import Category
from tests.factories import PASSWORD, dispatched_report, file_report

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_bulk_reject_of_500_matching_reports_one_by_one(client, cast):
    reports = [
        file_report(title=f"Iklan pinjaman cepat {i}", channel=Channel.SMS) for i in range(500)
    ]
    other = file_report(title="Jalan rusak")  # not matching the filter: untouched
    login(client, cast.national)
    response = client.post(
        reverse("triage:bulk"),
        {
            "action": "reject",
            "all_matching": "1",
            "query": urlencode({"channel": "sms"}),
            "reason_reject": "spam",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert response.context["summary"] == {"done": 500, "failed": 0, "total": 500}
    ids = [r.pk for r in reports]
    assert Report.objects.filter(pk__in=ids, status=Status.REJECTED).count() == 500
    events = ReportEvent.objects.filter(report_id__in=ids, action="reject")
    assert events.count() == 500
    assert set(events.values_list("note", flat=True)) == {"Iklan, spam atau uji coba."}
    assert Report.objects.get(pk=other.pk).status == Status.SUBMITTED


def test_bulk_dispatch_reports_each_refusal_with_its_reason(cast, agency_a):
    reports = [file_report() for _ in range(5)]
    report_transition(report_id=reports[2].pk, action="reject", actor=cast.national, note="Ganda.")
    outcomes = reports_bulk_act(
        actor=cast.national, report_ids=[r.pk for r in reports], action="dispatch", agency=agency_a
    )
    assert [o.ok for o in outcomes] == [True, True, False, True, True]
    assert "status laporan" in outcomes[2].message
    assert outcomes[2].tracking == reports[2].tracking
    for r in reports[:2] + reports[3:]:
        r.refresh_from_db()
        assert r.status == Status.DISPATCHED and r.agency == agency_a
        assert [e.action for e in r.events.order_by("pk")] == ["submit", "verify", "dispatch"]


def test_bulk_work_never_touches_reports_outside_the_officers_agency(
    client, cast, agency_a, agency_b
):
    mine = dispatched_report(agency_a, cast.national)
    theirs = dispatched_report(agency_b, cast.national)
    login(client, cast.officer_a)
    response = client.post(
        reverse("workspace:bulk"),
        {"action": "assign", "assignee": "me", "report": [mine.pk, theirs.pk]},
    )
    outcomes = response.context["outcomes"]
    assert [o.ok for o in outcomes] == [True, False]
    assert outcomes[1].message == "Laporan tidak ditemukan."
    assert theirs.tracking not in response.content.decode()
    assert Report.objects.get(pk=theirs.pk).assigned_to is None
    assert Report.objects.get(pk=mine.pk).assigned_to == cast.officer_a
    # Triage's bulk door is for national admins only.
    assert client.post(reverse("triage:bulk"), {"action": "reject"}).status_code == 403


def test_bulk_without_a_choice_changes_nothing_and_says_why(client, cast):
    report = file_report()
    login(client, cast.national)
    response = client.post(reverse("triage:bulk"), {"action": "reject", "note": "x"}, follow=True)
    assert "Pilih setidaknya satu laporan." in response.content.decode()
    response = client.post(
        reverse("triage:bulk"), {"action": "reject", "report": [report.pk]}, follow=True
    )
    assert "Tuliskan keterangan" in response.content.decode()
    response = client.post(reverse("triage:bulk"), {"action": "merge", "report": [report.pk]})
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


def test_triage_lists_reports_waiting_for_the_reporter_and_who_returned_what(
    client, cast, agency_a
):
    waiting = file_report(title="Kurang lengkap")
    report_transition(
        report_id=waiting.pk, action="request_info", actor=cast.national, note="Di mana lokasinya?"
    )
    returned = dispatched_report(agency_a, cast.national, title="Bukan urusan kota")
    report_transition(
        report_id=returned.pk,
        action="return_to_triage",
        actor=cast.officer_a,
        note="Jalan nasional, wewenang Kementerian PU.",
    )
    login(client, cast.national)
    queue = client.get(reverse("triage:queue")).content.decode()
    assert waiting.tracking not in queue
    assert "Pemerintah Kota Bandung (Petugas A)" in queue
    assert "Jalan nasional, wewenang Kementerian PU." in queue
    listed = client.get(reverse("triage:queue"), {"state": "needs_info"}).content.decode()
    assert waiting.tracking in listed and returned.tracking not in listed
    detail = client.get(reverse("triage:detail", args=[returned.tracking])).content.decode()
    assert "Dikembalikan oleh Pemerintah Kota Bandung (Petugas A)" in detail


def test_triage_is_sorted_by_verification_deadline_and_filtered(client, cast):
    late, soon = file_report(title="Yang lama"), file_report(title="Yang baru")
    Report.objects.filter(pk=soon.pk).update(verify_due=late.verify_due.replace(year=2030))
    Report.objects.filter(pk=late.pk).update(verify_due=late.verify_due.replace(year=2020))
    sms = file_report(channel=Channel.SMS, province_id="31", regency_id=None)
    login(client, cast.national)
    rows = list(client.get(reverse("triage:queue")).context["page"])
    assert rows.index(Report.objects.get(pk=late.pk)) < rows.index(Report.objects.get(pk=soon.pk))
    page = client.get(reverse("triage:queue"), {"channel": "sms", "province": "31"}).context["page"]
    assert [r.pk for r in page] == [sms.pk]


def test_saved_views_belong_to_their_user(client, cast):
    login(client, cast.national)
    client.post(
        reverse("triage:queue"), {"name": "SMS Jakarta", "query": "channel=sms&province=31"}
    )
    view = SavedView.objects.get(user=cast.national)
    assert view.query == "channel=sms&province=31"
    assert "SMS Jakarta" in client.get(reverse("triage:queue")).content.decode()


def test_the_next_report_flow_skips_and_follows_each_decision(client, cast):
    first, second = file_report(title="Pertama"), file_report(title="Kedua")
    Report.objects.filter(pk=second.pk).update(verify_due=first.verify_due.replace(year=2099))
    login(client, cast.national)
    response = client.get(reverse("triage:next"), {"v": ""})
    assert response.url.startswith(reverse("triage:detail", args=[first.tracking]))
    response = client.get(reverse("triage:next"), {"v": "", "lewati": first.tracking})
    assert response.url.startswith(reverse("triage:detail", args=[second.tracking]))
    # A decision taken in the flow goes straight to the next report of the view.
    response = client.post(
        reverse("triage:act", args=[second.tracking]),
        {"action": "reject", "reason": "unclear", "note": "", "from": "triage", "v": ""},
    )
    assert response.url.startswith(reverse("triage:next"))
    event = ReportEvent.objects.get(report=second, action="reject")
    assert event.note == "Tidak dapat dimengerti atau tidak jelas."


def test_the_dispatch_picker_keeps_the_rules_suggestion_while_searching(client, cast):
    kota = Agency.objects.get(slug="pemkot-3273")
    login(client, cast.national)
    options = client.get(
        reverse("workspace:agency-search"), {"cari": "Bandung", "saran": kota.pk}
    ).content.decode()
    assert options.startswith(f'<option value="{kota.pk}" selected>')
    assert options.count(f'value="{kota.pk}"') == 1
    options = client.get(reverse("workspace:agency-search"), {"cari": "Bandung"}).content.decode()
    assert options.startswith('<option value="">')  # nothing preselected without a suggestion


def test_tags_go_through_the_status_machine_and_filter_the_queue(client, cast):
    report = file_report()
    login(client, cast.national)
    client.post(
        reverse("triage:act", args=[report.tracking]),
        {"action": "tag", "tags": "Banjir-2026 viral", "from": "triage"},
    )
    assert sorted(report.tags.values_list("name", flat=True)) == ["banjir-2026", "viral"]
    assert ReportEvent.objects.filter(report=report, action="tag", is_public=False).exists()
    page = client.get(reverse("triage:queue"), {"tag": "viral"}).context["page"]
    assert [r.pk for r in page] == [report.pk]


def test_recategorize_changes_category_and_kind_with_an_event(cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    health = Category.objects.get(code="kesehatan")
    report_transition(
        report_id=report.pk,
        action="recategorize",
        actor=cast.officer_a,
        category=health,
        kind="aspiration",
    )
    report.refresh_from_db()
    assert report.category == health and report.kind == "aspiration"
    event = ReportEvent.objects.get(report=report, action="recategorize")
    assert event.data["kind"] == ["complaint", "aspiration"]
