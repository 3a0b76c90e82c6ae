"""The routing preview on the report form, in Chromium against a live server: as the citizen
types, the form says where the report will go and why; the one question is answered and the
preview follows; another agency is chosen, and the report is filed naming it. And the same
without JavaScript through "Lihat tujuan", with a photo kept."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from agencies.models import Agency
from complaints.models import Report
from routing import suggest
from tests.browser.axe import assert_accessible
from tests.browser.conftest import _context

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _classifier_ready(db):
    # The live server runs in this process: train the shipped classifier once here, so that
    # the page's first preview does not wait for it on a busy machine.
    suggest.suggest("Jalan rusak berlubang di desa kami")


@pytest.fixture
def a11y_page(browser, request, live_server):
    """A desktop tab that may inject axe-core despite the CSP (the page itself runs as served)."""
    yield from _context(browser, request, bypass_csp=True)


def _fill(page):
    page.get_by_label("Provinsi").select_option("32")
    expect(page.locator("#id_regency optgroup")).to_have_count(0)
    page.get_by_label("Kabupaten/kota").select_option("3202")
    page.get_by_label("Judul").fill("Jalan rusak berlubang")
    page.get_by_label("Isi laporan").fill(
        "Jalan menuju pasar Cibadak rusak berat dan berlubang besar, sering ada motor jatuh."
    )


def test_typed_text_shows_the_agency_the_answer_moves_it_and_another_is_chosen(
    a11y_page, live_server
):
    page = a11y_page
    page.goto(live_server.url + "/lapor/")
    _fill(page)
    explanation = page.get_by_test_id("route-explanation")
    # The first preview may train the shipped classifier in the server (a few seconds).
    expect(explanation).to_contain_text("Laporan Anda akan diteruskan ke", timeout=30_000)
    expect(explanation).to_contain_text("Sukabumi")
    expect(page.locator("#report-route")).to_have_attribute("aria-live", "polite")
    question = page.get_by_role("group", name="Jalan ini jalan apa?")
    expect(question).to_be_visible()
    assert_accessible(page, "report form with routing preview")

    question.get_by_label("Jalan provinsi").check()
    expect(explanation).to_contain_text("pemerintah provinsi")
    expect(page.get_by_test_id("route-path")).to_contain_text("Pemerintah Provinsi Jawa Barat")
    expect(
        page.get_by_role("group", name="Jalan ini jalan apa?").get_by_label("Jalan provinsi")
    ).to_be_checked()

    named = Agency.objects.get(slug="pemkab-3201")
    page.get_by_label("Kirim ke instansi lain (opsional)").select_option(named.slug)
    expect(page.get_by_label("Kirim ke instansi lain (opsional)")).to_have_value(named.slug)
    page.get_by_label("Nama Anda").fill("Siti Aminah")
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.get_by_role("button", name="Kirim laporan").click()
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    report = Report.objects.get(tracking=number)
    assert report.matter.code == "jalan-provinsi"
    assert report.requested_agency == named


def test_lihat_tujuan_without_javascript_keeps_the_text_and_the_photo(
    no_js_page, live_server, tmp_path
):
    page = no_js_page
    page.goto(live_server.url + "/lapor/")
    _fill_no_js(page)
    photo = tmp_path / "lubang.png"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 90, 90)).save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())
    page.get_by_label("Lampiran", exact=False).set_input_files(str(photo))
    page.get_by_role("button", name="Lihat tujuan").click()
    expect(page.get_by_test_id("route-explanation")).to_contain_text("Sukabumi")
    expect(page.get_by_label("Judul")).to_have_value("Jalan rusak berlubang")
    expect(page.get_by_test_id("staged-files")).to_contain_text("lubang")
    page.get_by_role("group", name="Jalan ini jalan apa?").get_by_label("Tidak tahu").check()
    page.get_by_label("Nama Anda").fill("Tanpa Skrip")
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.get_by_role("button", name="Kirim laporan").click()
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    report = Report.objects.get(tracking=number)
    assert report.matter.code == "jalan-kabupaten-kota"
    assert report.attachments.count() == 1


def _fill_no_js(page):
    page.get_by_label("Provinsi").select_option("32")
    page.get_by_label("Kabupaten/kota").select_option("3202")
    page.get_by_label("Judul").fill("Jalan rusak berlubang")
    page.get_by_label("Isi laporan").fill(
        "Jalan menuju pasar Cibadak rusak berat dan berlubang besar, sering ada motor jatuh."
    )
