"""Citizens' evidence in a real browser on a phone (issue 16): files chosen on the form survive
a failed submit and are stored once; every page on the way is axe-clean."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from complaints.models import Report, StagedUpload
from complaints.services import report_transition
from complaints.tasks import outbox_flush
from tests.browser.axe import assert_accessible
from tests.browser.conftest import _context
from tests.browser.test_staff_journeys import sign_in
from tests.factories import file_report, make_staff
from tests.sms_gateway import sms_gateway  # noqa: F401  (fixture)

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
    # Filing with two files on the shared machine may take longer than the default 15 s.
    page.get_by_role("button", name="Kirim laporan").click(no_wait_after=True)
    page.get_by_test_id("tracking-number").wait_for(timeout=60_000)
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    assert_accessible(page, "confirmation")
    report = Report.objects.get(tracking=number)
    assert sorted(a.name for a in report.attachments.all()) == ["lubang.jpg", "surat-rt.pdf"]
    assert StagedUpload.objects.count() == 0
    assert len({a.file.name for a in report.attachments.all()}) == 2


def _file(page, live_server, title, *, name="Rina Kusumawati", show_name=False, anonymous=False):
    page.goto(live_server.url + "/lapor/")
    _fill(page, title)
    if anonymous:
        page.get_by_label("Anonim: sembunyikan identitas saya").check()
    else:
        page.get_by_label("Nama Anda").fill(name)
        page.get_by_label("Email").fill("rina@example.id")
    if show_name:
        page.get_by_label("Tampilkan nama saya").check()
    page.get_by_role("button", name="Kirim laporan").click()
    return Report.objects.get(tracking=page.get_by_test_id("tracking-number").inner_text().strip())


def test_a_report_is_public_only_once_verified_and_the_name_only_when_chosen(
    a11y_phone, live_server
):
    page = a11y_phone
    hidden = _file(page, live_server, "Lampu jalan mati di Jalan Dago")
    shown = _file(page, live_server, "Trotoar rusak di Jalan Riau", show_name=True)
    nameless = _file(page, live_server, "Pungli di kantor kelurahan", anonymous=True)
    assert (nameless.reporter_name, nameless.reporter_email) == ("", "")

    # Filed, not yet verified: in no public list, and no public page.
    page.goto(live_server.url + "/laporan/")
    assert "Lampu jalan mati" not in page.get_by_test_id("public-list").inner_text()
    assert page.goto(live_server.url + f"/laporan/{hidden.tracking}/").status == 404

    national = make_staff("national_admin")
    for report in (hidden, shown, nameless):
        report_transition(report_id=report.pk, action="verify", actor=national)
    page.goto(live_server.url + "/laporan/")
    assert "Lampu jalan mati" in page.get_by_test_id("public-list").inner_text()
    assert_accessible(page, "public list")

    page.goto(live_server.url + f"/laporan/{hidden.tracking}/")
    assert page.get_by_test_id("reporter").inner_text().startswith("Pelapor: warga Kota Bandung")
    assert "Rina" not in page.content()
    assert_accessible(page, "public report page")
    page.goto(live_server.url + f"/laporan/{shown.tracking}/")
    assert "Pelapor: Rina Kusumawati" in page.get_by_test_id("reporter").inner_text()
    page.goto(live_server.url + f"/laporan/{nameless.tracking}/")
    assert "warga Kota Bandung" in page.get_by_test_id("reporter").inner_text()


def test_a_photo_added_when_asked_for_information_is_seen_by_triage(
    a11y_phone, page, live_server, tmp_path
):
    national = make_staff("national_admin")
    report = file_report(title="Sampah menumpuk di Pasar Kosambi")
    report_transition(
        report_id=report.pk, action="request_info", actor=national, note="Mohon foto lokasi."
    )
    phone = a11y_phone
    phone.goto(live_server.url + f"/lacak/{report.tracking}/?k={report.reporter_secret}")
    assert_accessible(phone, "track page (reporter, asked for information)")
    phone.get_by_label("Lengkapi laporan Anda").fill("Ini foto tumpukan sampahnya.")
    phone.locator("#files-info").set_input_files(str(_photo(tmp_path)))
    phone.get_by_role("button", name="Kirim kelengkapan").click()
    expect(phone.get_by_test_id("my-files")).to_contain_text("lubang.jpg")
    assert_accessible(phone, "track page (reporter, after the answer)")

    sign_in(page, live_server, national)  # with the second factor a national admin needs
    page.goto(live_server.url + f"/kerja/laporan/{report.tracking}/")
    expect(page.get_by_role("link", name="lubang.jpg")).to_be_visible()


def test_a_phone_only_reporter_gets_an_sms_on_each_public_change(
    a11y_phone,
    live_server,
    sms_gateway,  # noqa: F811
    agency_a,
):
    page = a11y_phone
    page.goto(live_server.url + "/lapor/")
    _fill(page, "Banjir di underpass Kiaracondong")
    page.get_by_label("Nama Anda").fill("Ujang")
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.get_by_role("button", name="Kirim laporan").click()
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    report = Report.objects.get(tracking=number)
    national = make_staff("national_admin")
    report_transition(report_id=report.pk, action="verify", actor=national)
    report_transition(report_id=report.pk, action="dispatch", actor=national, agency=agency_a)
    outbox_flush()  # what the worker does after commit
    texts = sms_gateway.to("0812 3456 7890")
    assert len(texts) == 2  # filed, dispatched (verification alone is not a notice)
    assert all(number in t and len(t) <= 160 for t in texts)
    assert agency_a.name in texts[1]
