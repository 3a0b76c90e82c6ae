"""Staff in a real browser: national triage verifies and dispatches; an officer transfers to
another agency, which then sees the report while the first no longer does; and the whole cycle
from dispatch to a closed, rated report, with the dispute path."""

import pytest
from playwright.sync_api import expect

from agencies import twofactor
from complaints.models import Report
from routing.models import Category
from tests.factories import (
    PASSWORD,
    dispatched_report,
    enrol_totp,
    file_report,
    make_staff,
    totp_code,
)

pytestmark = pytest.mark.browser


def sign_in(page, live_server, user):
    """Signs in through the form, giving the second factor where the user's roles require
    one (agencies.twofactor): the code is computed from the user's device, as the app would."""
    device = enrol_totp(user) if twofactor.required(user) else None
    page.context.clear_cookies()
    page.goto(live_server.url + "/akun/masuk/")
    page.get_by_label("Email atau nama pengguna").fill(user.username)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    if device is not None:
        page.get_by_label("Kode").fill(totp_code(device))
        page.get_by_role("button", name="Periksa kode").click()


def test_triage_dispatches_and_an_officer_transfers(page, live_server, agency_a, agency_b):
    from routing.suggest import suggest

    suggest("pemanasan")  # the category model loads once per process (tens of seconds)
    national = make_staff("national_admin")
    officer_a = make_staff("officer", agency=agency_a)
    officer_b = make_staff("officer", agency=agency_b)
    report = file_report(
        title="Jembatan gantung putus di desa",
        category_id=Category.objects.get(code="lainnya").pk,
    )
    sign_in(page, live_server, national)
    page.get_by_role("link", name="Triase", exact=True).click()
    page.get_by_role("link", name=report.tracking).click()
    page.get_by_test_id("verify").click()
    assert page.get_by_test_id("status").inner_text() == "Terverifikasi"  # no rule: stays
    # Dispatch through the searchable picker (the no-JavaScript search form works too).
    page.get_by_label("Cari instansi").fill("Kota Bandung")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.get_by_label("Instansi tujuan").select_option(label="Pemerintah Kota Bandung")
    page.get_by_test_id("dispatch").click()
    assert page.get_by_test_id("status").inner_text() == "Didisposisikan"
    assert page.get_by_test_id("holder").inner_text() == "Pemerintah Kota Bandung"

    sign_in(page, live_server, officer_a)
    page.goto(live_server.url + "/kerja/")
    page.get_by_role("link", name=report.tracking).click()
    page.get_by_label("Cari instansi").fill("Kabupaten Bogor")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.get_by_label("Instansi tujuan").select_option(label="Pemerintah Kabupaten Bogor")
    page.get_by_label("Alasan pengalihan").fill("Lokasi jembatan di Kabupaten Bogor.")
    page.get_by_test_id("transfer").click()
    assert report.tracking not in page.get_by_test_id("inbox").inner_text()
    response = page.goto(live_server.url + f"/kerja/laporan/{report.tracking}/")
    assert response.status == 404

    sign_in(page, live_server, officer_b)
    page.goto(live_server.url + "/kerja/")
    assert report.tracking in page.get_by_test_id("inbox").inner_text()
    page.goto(live_server.url + f"/lacak/{report.tracking}/")
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Pemerintah Kabupaten Bogor" in timeline


def _act(page, name, text, then_status):
    page.locator(f"#note-{name}").fill(text)
    page.get_by_test_id(f"act-{name}").click()
    # The form posts through htmx and swaps the report panel in place: wait for the new state.
    expect(page.get_by_test_id("status")).to_have_text(then_status)


def test_full_cycle_to_a_rated_close_and_the_dispute_path(page, live_server, agency_a):
    national = make_staff("national_admin")
    officer = make_staff("officer", agency=agency_a)
    closing = dispatched_report(agency_a, national, title="Saluran air tersumbat")
    disputed = dispatched_report(agency_a, national, title="Trotoar rusak di Jalan Riau")

    sign_in(page, live_server, officer)
    for report, answer in (
        (closing, "Saluran sudah dibersihkan."),
        (disputed, "Trotoar sudah diperbaiki."),
    ):
        page.goto(live_server.url + f"/kerja/laporan/{report.tracking}/")
        page.get_by_role("button", name="Ambil (tugaskan ke saya)").click()
        expect(page.get_by_text("Tersimpan: Ditugaskan ke petugas.")).to_be_visible()
        _act(page, "respond", "Petugas kami meninjau lokasi besok.", "Ditindaklanjuti")
        _act(page, "resolve", answer, "Selesai ditanggapi")
    assert Report.objects.get(pk=closing.pk).assigned_to == officer

    # The citizen (a guest, with the private link from the e-mail) rates and accepts.
    page.context.clear_cookies()
    page.goto(live_server.url + f"/lacak/{closing.tracking}/?k={closing.reporter_secret}")
    assert "Saluran sudah dibersihkan." in page.get_by_test_id("timeline").inner_text()
    page.get_by_label("4").check()
    page.get_by_role("button", name="Terima jawaban dan tutup").click()
    assert page.get_by_test_id("status").inner_text() == "Ditutup"
    closed = Report.objects.get(pk=closing.pk)
    assert closed.rating == 4

    # The other one is disputed: it reopens, counted, and goes back to the officer.
    page.goto(live_server.url + f"/lacak/{disputed.tracking}/?k={disputed.reporter_secret}")
    page.get_by_label("Belum selesai? Jelaskan alasannya").fill("Trotoar masih berlubang.")
    page.get_by_role("button", name="Sanggah dan buka kembali").click()
    assert page.get_by_test_id("status").inner_text() == "Ditindaklanjuti"
    reopened = Report.objects.get(pk=disputed.pk)
    assert reopened.reopen_count == 1
    sign_in(page, live_server, officer)
    page.goto(live_server.url + f"/kerja/laporan/{disputed.tracking}/")
    assert "Trotoar masih berlubang." in page.content()
