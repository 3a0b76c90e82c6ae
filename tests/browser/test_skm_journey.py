"""A reporter fills the public service survey (SKM, PermenPANRB 14/2017) on their report's page
after closing it, in Chromium; the agency's dashboard reads the index from it."""

import pytest
from playwright.sync_api import expect

from complaints.models import SurveyResponse
from complaints.services import report_transition
from tests.browser.axe import assert_accessible
from tests.browser.conftest import _context
from tests.factories import dispatched_report, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def a11y_phone(browser, request, live_server):
    yield from _context(browser, request, viewport={"width": 390, "height": 844}, bypass_csp=True)


def test_a_reporter_fills_the_skm_after_closing(a11y_phone, live_server, agency_a):
    page = a11y_phone
    national = make_staff("national_admin")
    officer = make_staff("officer", agency=agency_a)
    report = dispatched_report(agency_a, national, title="Saluran tersumbat di Antapani")
    report_transition(report_id=report.pk, action="respond", actor=officer, note="Dicek.")
    report_transition(report_id=report.pk, action="resolve", actor=officer, note="Beres.")

    page.goto(f"{live_server.url}/lacak/{report.tracking}/?k={report.reporter_secret}")
    expect(page.get_by_test_id("skm-form")).to_have_count(0)  # not before closing
    page.get_by_label("5: Sangat puas").check()
    page.get_by_role("button", name="Terima jawaban dan tutup").click()
    form = page.get_by_test_id("skm-form")
    expect(form).to_be_visible()
    assert_accessible(page, "track page (reporter, SKM)")
    # Nine questions, one answer each, on a phone without sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    answers = [
        "Sangat sesuai",
        "Mudah",
        "Cepat",
        "Gratis",
        "Sesuai",
        "Kompeten",
        "Sangat sopan dan ramah",
        "Berfungsi kurang maksimal",
        "Baik",
    ]
    for i, answer in enumerate(answers, start=1):
        form.locator(f"#field-u{i}").get_by_label(answer, exact=True).check()
    form.get_by_role("button", name="Kirim survei").click()
    expect(page.get_by_test_id("skm-done")).to_be_visible()
    survey = SurveyResponse.objects.get(report=report)
    assert survey.answers == [4, 3, 3, 4, 3, 3, 4, 3, 3]
    report.refresh_from_db()
    assert report.rating == 5  # the star rating is kept beside the survey
