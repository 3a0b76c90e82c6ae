"""Citizens in a real browser: a guest files with a photo and tracks the report; a signed-in
citizen files, finds it under "my reports" and replies; an anonymous report's public page shows
no name; a confidential report is in no public list or search; the form works without
JavaScript."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from complaints.models import Report
from complaints.services import report_transition
from tests.factories import PASSWORD, make_staff, make_user, published_report

pytestmark = pytest.mark.browser


def _photo(tmp_path):
    path = tmp_path / "jalan-rusak.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _fill_report(page, title, *, guest=True, name="Sari Wulandari"):
    page.get_by_label("Judul").fill(title)
    page.get_by_label("Isi laporan").fill(
        "Jalan di depan SDN 3 berlubang besar sejak dua minggu dan sudah membuat motor jatuh."
    )
    page.get_by_label("Provinsi").select_option("32")
    # htmx narrows the regency list to the chosen province.
    # (A string predicate would be eval'd in the page, which our CSP forbids: poll a locator.)
    expect(page.locator("#id_regency optgroup")).to_have_count(0)
    page.get_by_label("Kabupaten/kota").select_option("3273")
    if guest:
        page.get_by_label("Nama Anda").fill(name)
        page.get_by_label("Email").fill("sari@example.id")


def test_guest_files_with_a_photo_on_a_phone_and_tracks_it(phone, live_server, tmp_path):
    page = phone
    page.goto(live_server.url + "/lapor/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the form must not scroll sideways on a 390 px phone"
    _fill_report(page, "Jalan berlubang di depan SDN 3 Cibeunying")
    page.get_by_label(re.compile("^Lampiran")).set_input_files(str(_photo(tmp_path)))
    page.get_by_role("button", name="Kirim laporan").click()
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    assert re.fullmatch(r"LPR-[0-9A-Z]{5}-[0-9A-Z]{5}", number)
    report = Report.objects.get(tracking=number)
    assert report.attachments.get().content_type == "image/jpeg"
    assert report.regency_id == "3273"

    # Typed the way people type on a phone: lower case, spaces instead of dashes.
    page.goto(live_server.url + "/lacak/")
    page.get_by_label("Nomor pelacakan").fill(number.lower().replace("-", " "))
    page.get_by_role("button", name="Lacak").click()
    assert page.url.endswith(f"/lacak/{number}/")
    assert page.get_by_test_id("status").inner_text() == "Diterima"
    # The number alone shows the status; the content only once verified and public.
    assert "Laporan belum dipublikasikan" in page.content()
    assert "Jalan berlubang di depan SDN 3 Cibeunying" not in page.content()


def test_signed_in_citizen_files_finds_it_and_replies(page, live_server):
    citizen = make_user(full_name="Rudi Hartono")
    page.goto(live_server.url + "/akun/masuk/")
    page.get_by_label("Email atau nama pengguna").fill(citizen.username)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.goto(live_server.url + "/lapor/")
    assert page.get_by_label("Nama Anda").count() == 0  # an account needs no contact fields
    _fill_report(page, "Lampu jalan mati di Jalan Dago", guest=False)
    page.get_by_role("button", name="Kirim laporan").click()
    number = page.get_by_test_id("tracking-number").inner_text().strip()

    page.get_by_role("link", name="Laporan saya", exact=True).click()
    assert number in page.get_by_test_id("my-reports").inner_text()
    page.get_by_role("link", name="Lampu jalan mati di Jalan Dago").click()
    page.get_by_label("Balas ke instansi").fill("Lampunya mati sejak Senin malam.")
    page.get_by_role("button", name="Kirim balasan").click()
    assert "Lampunya mati sejak Senin malam." in page.get_by_test_id("timeline").inner_text()
    assert Report.objects.get(tracking=number).events.filter(action="reply").count() == 1


def test_anonymous_report_public_page_shows_no_name(page, live_server):
    page.goto(live_server.url + "/lapor/")
    _fill_report(page, "Pungutan liar di kantor kelurahan", name="Bambang Sutrisno")
    page.get_by_label("Anonim: sembunyikan identitas saya").check()
    page.get_by_role("button", name="Kirim laporan").click()
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    filed = Report.objects.get(tracking=number)
    assert filed.is_anonymous
    assert filed.reporter_name == "Bambang Sutrisno"  # kept, for national admins only
    # Public once verified (Report.objects.public).
    report_transition(report_id=filed.pk, action="verify", actor=make_staff("national_admin"))

    page.goto(live_server.url + f"/laporan/{number}/")
    assert "Pelapor: warga Kota Bandung" in page.get_by_test_id("reporter").inner_text()
    html = page.content()
    assert "Pungutan liar di kantor kelurahan" in html
    assert "Bambang" not in html
    assert "Sutrisno" not in html
    assert "sari@example.id" not in html
    page.goto(live_server.url + "/laporan/")
    html = page.content()
    assert "Pungutan liar di kantor kelurahan" in html
    assert "Bambang" not in html
    assert "Sutrisno" not in html


def test_confidential_report_is_in_no_public_list_or_search(page, live_server):
    secret = published_report(title="Gratifikasi perizinan Rajawali", is_confidential=True)
    public = published_report(title="Perizinan usaha Rajawali lambat")
    page.goto(live_server.url + "/laporan/")
    page.get_by_label("Cari").fill("Rajawali")
    page.get_by_role("button", name="Terapkan").click()
    results = page.get_by_test_id("public-list").inner_text()
    assert "Perizinan usaha Rajawali lambat" in results
    assert "Gratifikasi" not in results
    response = page.goto(live_server.url + f"/laporan/{secret.tracking}/")
    assert response.status == 404
    assert page.goto(live_server.url + f"/laporan/{public.tracking}/").status == 200
    page.goto(live_server.url + "/")
    assert "Perizinan usaha Rajawali lambat" in page.content()  # the latest reports
    assert "Gratifikasi" not in page.content()


def test_the_form_works_without_javascript(no_js_page, live_server):
    page = no_js_page
    page.goto(live_server.url + "/lapor/")
    page.get_by_label("Judul").fill("Sampah menumpuk di Pasar Kosambi")
    page.get_by_label("Isi laporan").fill(
        "Sampah di Pasar Kosambi tidak diangkut sejak seminggu dan menimbulkan bau busuk."
    )
    page.get_by_label("Provinsi").select_option("32")
    # Without JavaScript the regency list is the whole grouped list; the server checks it.
    page.get_by_label("Kabupaten/kota").select_option("3273")
    page.get_by_label("Nama Anda").fill("Tanpa Skrip")
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.get_by_role("button", name="Kirim laporan").click()
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    assert Report.objects.get(tracking=number).regency_id == "3273"
