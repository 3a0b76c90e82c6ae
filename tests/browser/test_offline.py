"""Offline first (issue 16): on a phone with a failing connection nothing typed is lost. The
service worker keeps the form (it opens with no connection); the page keeps the draft in
localStorage, keeps a report sent while offline, and files it when the connection returns,
once. JavaScript off, the form is the plain form (test_citizen_journeys)."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from complaints.models import Report
from tests.browser.axe import assert_accessible
from tests.browser.conftest import _context

pytestmark = pytest.mark.browser

STORY = "Sampah di Pasar Kosambi tidak diangkut sejak seminggu dan menimbulkan bau busuk."


@pytest.fixture
def phone_app(browser, request, live_server):
    """A phone tab with service workers allowed (the default) and the CSP bypassed for axe
    and for reading the worker's state."""
    yield from _context(browser, request, viewport={"width": 390, "height": 844}, bypass_csp=True)


def _photo(tmp_path):
    path = tmp_path / "sampah.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (90, 120, 60)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _fill(page, title):
    page.get_by_label("Judul").fill(title)
    page.get_by_label("Isi laporan").fill(STORY)
    page.get_by_label("Provinsi").select_option("32")
    expect(page.locator("#id_regency optgroup")).to_have_count(0)
    page.get_by_label("Kabupaten/kota").select_option("3273")
    page.get_by_label("Nama Anda").fill("Siti Aminah")
    page.get_by_label("Nomor HP").fill("0812 3456 7890")


def _worker_ready(page):
    # The worker controls the page once it is activated and has claimed it, and keeps the
    # form once the page has asked it to.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("() => caches.match('/lapor/').then((r) => !!r)")


def _filed_once(page, title):
    page.get_by_test_id("tracking-number").wait_for(timeout=60_000)
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    assert list(Report.objects.filter(title=title).values_list("tracking", flat=True)) == [number]
    assert page.evaluate("() => localStorage.getItem('lapor-report-draft')") is None
    return Report.objects.get(tracking=number)


def test_a_report_sent_offline_is_kept_and_filed_once_when_back_online(
    phone_app, live_server, tmp_path
):
    page, context = phone_app, phone_app.context
    page.goto(live_server.url + "/lapor/")
    _worker_ready(page)
    title = "Sampah menumpuk di Pasar Kosambi"
    _fill(page, title)
    page.get_by_label("Lampiran", exact=False).set_input_files(str(_photo(tmp_path)))

    context.set_offline(True)
    page.get_by_role("button", name="Kirim laporan", exact=True).click()
    status = page.get_by_test_id("draft-status")
    expect(status).to_contain_text("Anda sedang luring")
    assert_accessible(page, "form (offline, report kept)")
    assert not Report.objects.filter(title=title).exists()

    context.set_offline(False)  # the page files it by itself, with the file still chosen
    report = _filed_once(page, title)
    assert report.reporter_phone and [a.name for a in report.attachments.all()] == ["sampah.jpg"]


def test_the_form_opens_offline_with_the_text_kept_and_is_sent_once(phone_app, live_server):
    page, context = phone_app, phone_app.context
    page.goto(live_server.url + "/lapor/")
    _worker_ready(page)
    title = "Lampu pasar mati sejak Senin"
    _fill(page, title)

    # The connection drops and the tab is reloaded (or reopened): the worker serves the form
    # it kept, and the page puts back what was typed.
    context.set_offline(True)
    page.reload()
    expect(page.get_by_label("Judul")).to_have_value(title)
    expect(page.get_by_label("Isi laporan")).to_have_value(STORY)
    expect(page.get_by_label("Nomor HP")).to_have_value("0812 3456 7890")
    expect(page.get_by_test_id("draft-status")).to_contain_text("dipulihkan")
    page.get_by_role("button", name="Kirim laporan", exact=True).click()
    expect(page.get_by_test_id("draft-status")).to_contain_text("Anda sedang luring")
    assert not Report.objects.filter(title=title).exists()

    context.set_offline(False)
    _filed_once(page, title)

    # Filed: a new form starts empty.
    page.goto(live_server.url + "/lapor/")
    expect(page.get_by_label("Judul")).to_have_value("")
    expect(page.get_by_test_id("draft-status")).to_be_hidden()
