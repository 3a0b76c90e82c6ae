"""The province map in Chromium: drawn by the server, so it works with JavaScript switched
off; on a phone it fits the screen; a province is a link to its dashboard; axe finds nothing
serious on the national dashboard or /statistik/ with the map on them."""

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import _context
from tests.browser.test_dashboard_layout import national  # noqa: F401  (fixture)
from tests.browser.test_staff_journeys import sign_in

pytestmark = pytest.mark.browser

SIZE = """() => {
  const svg = document.querySelector('[data-testid="province-map"] svg').getBoundingClientRect();
  return {width: svg.width, height: svg.height, page: document.documentElement.scrollWidth};
}"""


@pytest.fixture
def no_js_phone(browser, request, live_server):
    yield from _context(
        browser, request, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )


@pytest.fixture
def a11y_desktop(browser, request, live_server):
    yield from _context(browser, request, viewport={"width": 1366, "height": 900}, bypass_csp=True)


def test_without_javascript_on_a_phone_a_province_opens_its_dashboard(
    no_js_phone,
    live_server,
    national,  # noqa: F811
):
    page = no_js_phone
    sign_in(page, live_server, national)
    page.goto(live_server.url + "/pantau/")
    size = page.evaluate(SIZE)
    assert 300 < size["width"] <= 390 and size["height"] > 80, size
    assert size["page"] <= 390, size
    shape = page.locator('[data-testid="province-map"] a[data-code="32"]')
    expect(shape).to_have_attribute(
        "aria-label", "Jawa Barat: 75,0% ditindaklanjuti dari 4 laporan"
    )
    expect(shape.locator("path")).to_have_class("q3")
    shape.click()
    expect(page).to_have_url(live_server.url + "/pantau/provinsi/32/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jawa Barat")


def test_axe_finds_nothing_serious_with_the_map(a11y_desktop, live_server, national):  # noqa: F811
    page = a11y_desktop
    page.goto(live_server.url + "/statistik/")
    expect(page.get_by_test_id("province-map").locator("path")).to_have_count(38)
    assert_accessible(page, "/statistik/ with the province map")
    sign_in(page, live_server, national)
    page.goto(live_server.url + "/pantau/")
    page.locator('[data-testid="province-map"] a[data-code="32"]').focus()
    assert_accessible(page, "national dashboard with the province map")
