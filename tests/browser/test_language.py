"""The first journey: the home page in Bahasa Indonesia, then in English, and back."""

import pytest

pytestmark = pytest.mark.browser


def test_home_page_in_both_languages(page, live_server):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Sampaikan laporan Anda kepada pemerintah"
    )
    assert page.get_by_role("link", name="Buat laporan").first.is_visible()

    page.get_by_test_id("lang-en").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Tell the government what needs fixing"
    )
    assert page.get_by_role("link", name="Submit a report").first.is_visible()
    assert page.get_by_role("link", name="Track").first.is_visible()

    # The choice sticks across pages.
    page.get_by_role("link", name="Public reports").first.click()
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_test_id("lang-id").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("heading", level=1).inner_text() == "Laporan publik"


def test_home_page_fits_a_small_phone(phone, live_server):
    phone.goto(live_server.url + "/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a 390 px phone"
    assert phone.get_by_role("link", name="Buat laporan").first.is_visible()
