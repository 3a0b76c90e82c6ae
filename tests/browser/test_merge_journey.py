"""Triage merges a duplicate after comparing the two reports side by side, then a national
admin undoes the merge: Chromium against the live server."""

import pytest
from playwright.sync_api import expect

from complaints import duplicates
from complaints.models import Report, Status
from routing.suggest import suggest
from tests.browser.test_staff_journeys import sign_in
from tests.complaints.test_duplicates import ROAD, ROAD_TEXT, SLANG
from tests.factories import file_report, make_staff

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_merge_with_confirmation_then_undo(page, live_server):
    national = make_staff("national_admin")
    earlier = file_report(title=SLANG[0], description=SLANG[1])
    report = file_report(title=ROAD, description=ROAD_TEXT)
    # The live server runs in this process: its first triage page would otherwise build the
    # finder's word frequencies and the classifier (seconds on a busy machine).
    duplicates.background()
    suggest("jalan rusak berlubang")
    sign_in(page, live_server, national)
    page.goto(live_server.url + f"/triase/laporan/{report.tracking}/")
    page.get_by_test_id(f"merge-with-{earlier.tracking}").click()
    pair = page.get_by_test_id("merge-pair")
    expect(pair).to_contain_text(ROAD)
    expect(pair).to_contain_text(SLANG[0])
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED  # nothing yet
    page.get_by_test_id("confirm-merge").click()
    expect(page.get_by_test_id("status")).to_have_text("Digabungkan")
    expect(page.get_by_test_id("merged-into")).to_contain_text(earlier.tracking)

    page.fill("#note-unmerge", "Ternyata lubang yang berbeda.")
    page.get_by_test_id("act-unmerge").click()
    expect(page.get_by_test_id("status")).to_have_text("Diterima")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.merged_into is None
    assert list(report.events.values_list("action", flat=True).order_by("pk"))[-2:] == [
        "merge",
        "unmerge",
    ]
