"""Officers working reports in Chromium: templates used again and again without a reload,
a report that leaves the queue says so, assignment to a colleague, the inbox on a phone."""

import pytest
from playwright.sync_api import expect

from complaints.models import AnswerTemplate
from tests.browser.test_staff_journeys import sign_in
from tests.factories import dispatched_report, make_staff

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)  # a loaded CI machine renders a report page slowly


def test_an_answer_template_is_used_twice_in_a_row_without_a_reload(page, live_server, agency_a):
    national = make_staff("national_admin")
    officer = make_staff("officer", agency=agency_a)
    report = dispatched_report(agency_a, national)
    AnswerTemplate.objects.create(
        agency=agency_a, title="Ditinjau", body="Petugas kami meninjau lokasi."
    )
    sign_in(page, live_server, officer)
    page.goto(live_server.url + f"/kerja/laporan/{report.tracking}/")
    page.get_by_text("Templat jawaban").click()
    page.get_by_role("button", name="Pakai").click()
    expect(page.locator("#note-respond")).to_have_value("Petugas kami meninjau lokasi.")
    page.get_by_test_id("act-respond").click()  # htmx swaps the panel
    expect(page.get_by_test_id("status")).to_have_text("Ditindaklanjuti")
    # The new panel offers progress and resolve; the officer writes in the resolve box.
    page.locator("#note-resolve").focus()
    page.get_by_text("Templat jawaban").click()
    page.get_by_role("button", name="Pakai").click()
    expect(page.locator("#note-resolve")).to_have_value("Petugas kami meninjau lokasi.")
    expect(page.locator("#note-progress")).to_have_value("")


def test_return_to_triage_shows_its_confirmation(page, live_server, agency_a):
    national = make_staff("national_admin")
    officer = make_staff("officer", agency=agency_a)
    report = dispatched_report(agency_a, national)
    sign_in(page, live_server, officer)
    page.goto(live_server.url + f"/kerja/laporan/{report.tracking}/")
    page.locator("#note-return_to_triage").fill("Jalan provinsi, bukan wewenang kota.")
    page.get_by_test_id("act-return_to_triage").click()
    panel = page.get_by_test_id("gone-panel")
    expect(panel).to_contain_text("Tersimpan: Dikembalikan ke triase")
    expect(panel).to_contain_text(report.tracking)
    panel.get_by_role("link", name="Kembali ke antrean").click()
    expect(page.get_by_test_id("inbox")).to_be_visible()


def test_an_officer_assigns_a_colleague_who_then_sees_it(page, live_server, agency_a):
    national = make_staff("national_admin")
    officer = make_staff("officer", agency=agency_a, full_name="Petugas Satu")
    colleague = make_staff("officer", agency=agency_a, full_name="Petugas Dua")
    report = dispatched_report(agency_a, national, title="Lampu jalan padam di Cibeunying")
    sign_in(page, live_server, officer)
    page.goto(live_server.url + f"/kerja/laporan/{report.tracking}/")
    page.get_by_text("Tugaskan ke rekan").click()
    page.get_by_label("Petugas (laporan terbuka").select_option(label="Petugas Dua (0 terbuka)")
    page.get_by_label("Pesan untuk petugas").fill("Mohon ditangani minggu ini.")
    page.get_by_test_id("assign").click()
    expect(page.get_by_text("Tersimpan: Ditugaskan ke petugas.")).to_be_visible()
    expect(page.locator("#report-panel")).to_contain_text("Petugas: Petugas Dua")

    sign_in(page, live_server, colleague)
    page.goto(live_server.url + "/kerja/?assigned=me")
    inbox = page.get_by_test_id("inbox")
    expect(inbox).to_contain_text(report.tracking)
    inbox.get_by_role("link", name=report.tracking).click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Mohon ditangani minggu ini.")


def test_the_inbox_on_a_360_px_screen_has_no_sideways_scroll(
    browser, request, live_server, agency_a
):
    from tests.browser.conftest import _context

    national = make_staff("national_admin")
    officer = make_staff("officer", agency=agency_a)
    for i in range(3):
        dispatched_report(
            agency_a, national, title=f"Laporan dengan judul yang cukup panjang nomor {i}"
        )
    for phone in _context(browser, request, viewport={"width": 360, "height": 740}):
        sign_in(phone, live_server, officer)
        phone.goto(live_server.url + "/kerja/")
        expect(phone.get_by_test_id("inbox")).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the inbox scrolls sideways: {width} px"
        # The list starts on the first screen: the filters are folded away.
        top = phone.get_by_test_id("inbox").bounding_box()["y"]
        assert top < 740, f"the list starts {top} px down"
