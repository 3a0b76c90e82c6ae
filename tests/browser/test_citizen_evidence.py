"""Citizens' evidence in a real browser on a phone (issue 16): files chosen on the form survive
a failed submit and are stored once; every page on the way is axe-clean."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from complaints.models import Report, StagedUpload
from tests.browser.axe import assert_accessible
from tests.browser.conftest import _context

pytestmark = pytest.mark.browser


@pytest.fixture
def a11y_phone(browser, request, live_server):
    """A 390 x 844 tab that may inject axe-core despite our CSP."""
    yield from _context(browser, request, viewport={"width": 390, "height": 844}, bypass_csp=True)


def _photo(tmp_path):
    path = tmp_path / "lubang.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _pdf(tmp_path):
    path = tmp_path / "surat-rt.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return path


def _fill(page, title):
    page.get_by_label("Judul").fill(title)
    page.get_by_label("Isi laporan").fill(
        "Jalan di depan SDN 3 berlubang besar sejak dua minggu dan sudah membuat motor jatuh."
    )
    page.get_by_label("Provinsi").select_option("32")
    expect(page.locator("#id_regency optgroup")).to_have_count(0)
    page.get_by_label("Kabupaten/kota").select_option("3273")


def test_files_survive_a_failed_submit_and_are_stored_once(a11y_phone, live_server, tmp_path):
    page = a11y_phone
    page.goto(live_server.url + "/lapor/")
    assert_accessible(page, "form")
    _fill(page, "Jalan berlubang di depan SDN 3")
    page.get_by_label("Email").fill("sari@example.id")
    page.get_by_label(re.compile("^Lampiran")).set_input_files(
        [str(_photo(tmp_path)), str(_pdf(tmp_path))]
    )
    page.get_by_role("button", name="Kirim laporan").click()

    # The name is missing: the form comes back with both files kept and listed.
    expect(page.locator(".error-summary")).to_be_visible()
    staged = page.get_by_test_id("staged-files")
    expect(staged).to_contain_text("lubang.jpg")
    expect(staged).to_contain_text("surat-rt.pdf")
    assert page.get_by_label("Judul").input_value() == "Jalan berlubang di depan SDN 3"
    assert_accessible(page, "form with errors")

    page.get_by_label("Nama Anda").fill("Sari Wulandari")
    page.get_by_role("button", name="Kirim laporan").click()
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    assert_accessible(page, "confirmation")
    report = Report.objects.get(tracking=number)
    assert sorted(a.name for a in report.attachments.all()) == ["lubang.jpg", "surat-rt.pdf"]
    assert StagedUpload.objects.count() == 0
    assert len({a.file.name for a in report.attachments.all()}) == 2
