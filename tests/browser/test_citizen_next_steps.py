"""Citizens always know what happens next, in a real browser on a phone (issue 16): a filing
refused by the limit keeps everything typed, the confirmation prints as a proof of filing with
no navigation, a file sent when the agency asks is seen by its officer, and "Sudah beres?" is
answered from the e-mailed link. Each page on the way is axe-clean."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from complaints.models import FollowUp, Report, Status
from complaints.services import report_transition
from complaints.sweeps import ask_followups
from tests.browser.axe import assert_accessible
from tests.browser.test_citizen_evidence import _fill, _photo, a11y_phone  # noqa: F401
from tests.browser.test_staff_journeys import sign_in
from tests.factories import dispatched_report, make_staff

pytestmark = pytest.mark.browser


def test_a_429_keeps_the_typed_text(a11y_phone, live_server, settings):  # noqa: F811
    from routing.suggest import suggest

    suggest("pemanasan")  # the category model loads once per process (tens of seconds)
    settings.LAPOR_RATE_LIMITS = {**settings.LAPOR_RATE_LIMITS, "file": (0, 600)}
    page = a11y_phone
    page.goto(live_server.url + "/lapor/", timeout=120_000)  # a loaded machine: first page
    _fill(page, "Lampu jalan mati di Jalan Dago")
    page.get_by_label("Nama Anda").fill("Rina Kusumawati")
    page.get_by_label("Email").fill("rina@example.id")
    page.get_by_role("button", name="Kirim laporan").click(no_wait_after=True)
    notice = page.get_by_test_id("too-many")
    notice.wait_for(timeout=120_000)
    expect(notice).to_contain_text("WIB")
    expect(notice).to_be_focused()
    assert page.get_by_label("Judul").input_value() == "Lampu jalan mati di Jalan Dago"
    assert page.get_by_label("Isi laporan").input_value().startswith("Jalan di depan SDN 3")
    assert page.get_by_label("Nama Anda").input_value() == "Rina Kusumawati"
    assert page.get_by_label("Kabupaten/kota").input_value() == "3273"
    assert_accessible(page, "form refused by the filing limit")
    assert not Report.objects.exists()
    # Once the window is over, the same form is sent as it stands.
    settings.LAPOR_RATE_LIMITS = {**settings.LAPOR_RATE_LIMITS, "file": (30, 600)}
    page.get_by_role("button", name="Kirim laporan").click(no_wait_after=True)
    page.get_by_test_id("tracking-number").wait_for(timeout=120_000)
    assert Report.objects.get().title == "Lampu jalan mati di Jalan Dago"


def test_the_confirmation_prints_as_a_proof_of_filing(a11y_phone, live_server):  # noqa: F811
    page = a11y_phone
    page.goto(live_server.url + "/lapor/", timeout=120_000)
    _fill(page, "Trotoar rusak di Jalan Riau")
    page.get_by_label("Nama Anda").fill("Sari")
    page.get_by_label("Email").fill("sari@example.id")
    # Filing on the shared machine may take longer than the default 15 s.
    page.get_by_role("button", name="Kirim laporan").click(no_wait_after=True)
    page.get_by_test_id("tracking-number").wait_for(timeout=120_000)
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    expect(page.get_by_role("button", name="Cetak bukti laporan")).to_be_visible()
    assert_accessible(page, "confirmation with the proof")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("button", name="Cetak bukti laporan")).to_be_hidden()
    proof = page.get_by_test_id("proof")
    expect(proof).to_be_visible()
    expect(proof).to_contain_text(number)
    expect(proof).to_contain_text("WIB")
    expect(page.get_by_test_id("next-answer")).to_be_visible()
    page.goto(live_server.url + f"/lacak/{number}/")
    expect(page.locator("nav")).to_be_hidden()
    expect(page.get_by_test_id("next-answer")).to_be_visible()
    expect(page.get_by_test_id("filed-at")).to_contain_text("WIB")


def test_a_file_sent_when_the_agency_asks_is_seen_by_its_officer(
    a11y_phone,  # noqa: F811
    page,
    live_server,
    agency_a,
    tmp_path,
):
    national = make_staff("national_admin")
    officer = make_staff("officer", agency=agency_a)
    report = dispatched_report(agency_a, national, title="Sampah menumpuk di Pasar Kosambi")
    report_transition(
        report_id=report.pk, action="ask_info", actor=officer, note="Mohon foto lokasi kejadian."
    )
    phone = a11y_phone
    phone.goto(live_server.url + f"/lacak/{report.tracking}/?k={report.reporter_secret}")
    expect(phone.get_by_test_id("timeline")).to_contain_text("Mohon foto lokasi kejadian.")
    phone.get_by_label("Balas ke instansi").fill("Ini fotonya, diambil pagi ini.")
    phone.locator("#files-reply").set_input_files(str(_photo(tmp_path)))
    phone.get_by_role("button", name="Kirim balasan").click()
    expect(phone.get_by_test_id("my-files")).to_contain_text("lubang.jpg")
    assert_accessible(phone, "track page (reporter, after sending a photo)")

    sign_in(page, live_server, officer)
    page.goto(live_server.url + f"/kerja/laporan/{report.tracking}/")
    expect(page.get_by_role("link", name="lubang.jpg")).to_be_visible()
    expect(page.get_by_text("Ini fotonya, diambil pagi ini.")).to_be_visible()


def test_sudah_beres_is_answered_from_the_link(a11y_phone, live_server, agency_a):  # noqa: F811
    national = make_staff("national_admin")
    officer = make_staff("officer", agency=agency_a)
    report = dispatched_report(agency_a, national, title="Jalan berlubang di Jalan Riau")
    report_transition(report_id=report.pk, action="respond", actor=officer, note="Dicek.")
    report = report_transition(
        report_id=report.pk, action="resolve", actor=officer, note="Sudah ditambal."
    )
    report = report_transition(report_id=report.pk, action="accept", token=report.reporter_secret)
    assert ask_followups(now=report.resolved_at + dt.timedelta(weeks=7)) == 1
    question = FollowUp.objects.get()
    page = a11y_phone
    page.goto(
        live_server.url
        + f"/lacak/{report.tracking}/beres/{question.pk}/?k={report.reporter_secret}"
    )
    assert_accessible(page, "Sudah beres?")
    page.get_by_label("Belum beres? Ceritakan apa yang belum selesai").fill(
        "Lubangnya muncul lagi setelah hujan."
    )
    page.get_by_role("button", name="Belum beres, buka kembali").click()
    expect(page.locator(".messages")).to_contain_text("dibuka kembali")
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS and report.reopen_count == 1
