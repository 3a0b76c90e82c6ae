"""The dashboards read at a glance, in Chromium: at 1366 px the wide tables fit the page (no
sideways scrolling, no cut column), provinces without reports are folded away, every bar of
the chart keeps its full label; at 390 px the page never scrolls sideways, each table scrolls
inside its own focusable region; axe finds nothing serious either way."""

import pytest
from playwright.sync_api import expect

from complaints.services import report_transition
from tests.browser.axe import assert_accessible
from tests.browser.conftest import _context
from tests.browser.test_staff_journeys import sign_in
from tests.factories import dispatched_report, make_staff

pytestmark = pytest.mark.browser

FITS = """(testid) => {
  const wrap = document.querySelector(`[data-testid="${testid}"]`).closest('.table-wrap');
  return {scroll: wrap.scrollWidth, client: wrap.clientWidth,
          page: document.documentElement.scrollWidth, view: window.innerWidth};
}"""


@pytest.fixture
def desktop(browser, request, live_server):
    yield from _context(browser, request, viewport={"width": 1366, "height": 900}, bypass_csp=True)


@pytest.fixture
def a11y_phone(browser, request, live_server):
    yield from _context(browser, request, viewport={"width": 390, "height": 844}, bypass_csp=True)


@pytest.fixture
def national(agency_a, agency_b):
    admin = make_staff("national_admin")
    officer = make_staff("officer", agency=agency_a)
    for n in range(3):
        report = dispatched_report(agency_a, admin, title=f"Trotoar rusak nomor {n}")
        report_transition(report_id=report.pk, action="respond", actor=officer, note="ok")
    dispatched_report(agency_b, admin)
    return admin


def test_at_1366_px_the_tables_fit_and_quiet_provinces_are_folded(desktop, live_server, national):
    page = desktop
    sign_in(page, live_server, national)
    page.goto(live_server.url + "/pantau/")
    table = page.get_by_test_id("province-table")
    expect(table.locator("tr[data-key='32']")).to_have_count(1)
    expect(table.locator("tr[data-key='11']")).to_have_count(0)  # Aceh: no reports
    quiet = page.get_by_test_id("quiet-provinces")
    expect(quiet).not_to_have_attribute("open", "")
    expect(quiet.locator("summary")).to_contain_text("37 provinsi tanpa laporan")
    quiet.locator("summary").click()
    expect(quiet.get_by_role("link", name="Aceh")).to_be_visible()
    for testid in ("province-table", "central-table"):
        size = page.evaluate(FITS, testid)
        assert size["scroll"] <= size["client"], (testid, size)  # every column shown
    assert page.evaluate(FITS, "province-table")["page"] <= 1366
    # A number is a link to its reports.
    table.locator("tr[data-key='32'] td a").first.click()
    expect(page.get_by_test_id("behind").locator("tbody tr")).to_have_count(4)
    page.go_back()
    assert_accessible(page, "national dashboard at 1366 px")

    page.goto(live_server.url + "/pantau/provinsi/32/")
    size = page.evaluate(FITS, "government-table")
    assert size["scroll"] <= size["client"], size
    canvas = page.locator("canvas[data-chart='bar-h'][data-drawn='true']")
    expect(canvas).to_have_count(1)
    labels = page.evaluate(
        """() => {
          const c = document.querySelector("canvas[data-chart='bar-h']").chart;
          return {ticks: c.scales.y.ticks.length, rows: c.data.labels.length,
                  drawn: c.scales.y.getLabels().join("|")};
        }"""
    )
    assert labels["ticks"] == labels["rows"] > 1  # no label skipped
    assert "Kota Bandung" in labels["drawn"]
    assert_accessible(page, "province dashboard at 1366 px")


def test_at_390_px_tables_scroll_inside_themselves(a11y_phone, live_server, national):
    page = a11y_phone
    sign_in(page, live_server, national)
    for url, testid in (
        ("/pantau/", "province-table"),
        ("/pantau/provinsi/32/", "government-table"),
    ):
        page.goto(live_server.url + url)
        size = page.evaluate(FITS, testid)
        assert size["page"] <= 390, (url, size)  # the page itself never scrolls sideways
        assert size["scroll"] > size["client"], (url, size)  # the table scrolls in its region
        region = page.get_by_test_id(testid).locator("xpath=..")
        expect(region).to_have_attribute("tabindex", "0")  # reachable by keyboard
        region.focus()
        page.keyboard.press("End")
        assert_accessible(page, f"{url} at 390 px")
