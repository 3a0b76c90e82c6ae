"""National triage in Chromium: a bulk dispatch of 20 reports with one refused and why, and a
session worked from the keyboard alone with "next report"."""

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from complaints.models import Report, Status
from complaints.services import report_transition
from routing.models import Category
from tests.browser.test_staff_journeys import sign_in
from tests.factories import file_report, make_staff

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)  # a loaded CI machine renders a report page slowly


def test_bulk_dispatch_of_20_from_triage_with_one_refused(page, live_server):
    national = make_staff("national_admin")
    reports = [file_report(title=f"Sampah menumpuk di pasar {i}") for i in range(20)]
    # Someone else rejects one while the page is open.
    sign_in(page, live_server, national)
    page.goto(live_server.url + "/triase/")
    report_transition(
        report_id=reports[7].pk, action="reject", actor=national, note="Laporan ganda."
    )
    page.get_by_label("Pilih semua di halaman ini").check()
    page.get_by_label("Tindakan", exact=True).select_option(
        label="Verifikasi dan disposisikan ke instansi"
    )
    page.get_by_label("Cari instansi tujuan").fill("Kota Bandung")
    page.get_by_label("Instansi tujuan (untuk disposisi)", exact=True).select_option(
        label="Pemerintah Kota Bandung"
    )
    page.get_by_test_id("bulk-submit").click()
    expect(page.get_by_test_id("bulk-summary")).to_have_text(
        "19 berhasil, 1 tidak dapat diproses, dari 20 laporan."
    )
    failed = page.get_by_test_id("bulk-failed")
    expect(failed).to_contain_text(reports[7].tracking)
    expect(failed).to_contain_text("tidak dapat dilakukan pada status laporan saat ini")
    kota = Agency.objects.get(slug="pemkot-3273")
    ids = [r.pk for r in reports]
    assert Report.objects.filter(pk__in=ids, status=Status.DISPATCHED, agency=kota).count() == 19


def test_a_triage_session_worked_by_keyboard_with_next_report(page, live_server):
    from routing.suggest import suggest

    suggest("pemanasan")  # the category model loads once per process (slow): not in a step
    national = make_staff("national_admin")
    health = Category.objects.get(code="kesehatan")
    routed = file_report(title="Puskesmas tutup siang hari", category_id=health.pk)
    spam = file_report(title="Promo pinjaman cepat cair")
    skipped = file_report(title="Perlu dicek nanti")
    for i, r in enumerate((routed, spam, skipped)):  # the order of the deadlines
        Report.objects.filter(pk=r.pk).update(verify_due=r.verify_due.replace(year=2030 + i))
    sign_in(page, live_server, national)
    page.goto(live_server.url + "/triase/")
    loads = []
    page.on("load", lambda _p: loads.append(page.url))

    page.keyboard.press("n")  # "Kerjakan laporan berikutnya"
    expect(page.get_by_role("heading", level=1)).to_have_text(routed.title)
    loads.clear()
    page.keyboard.press("v")  # verify and dispatch by the rule: one key, then the next report
    expect(page.get_by_role("heading", level=1)).to_have_text(spam.title)
    assert len(loads) == 1  # one page load for the whole decision
    page.keyboard.press("r")  # to the rejection reason
    page.keyboard.press("ArrowDown")  # the first standard reason
    page.keyboard.press("Tab")
    page.keyboard.type("Iklan.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(skipped.title)
    page.keyboard.press("s")  # skip: nothing left in the view
    expect(page.get_by_text("Tidak ada laporan lagi di tampilan ini.")).to_be_visible()

    assert Report.objects.get(pk=routed.pk).status == Status.DISPATCHED
    rejected = Report.objects.get(pk=spam.pk)
    assert rejected.status == Status.REJECTED
    assert rejected.events.get(action="reject").note == (
        "Tidak dapat dimengerti atau tidak jelas. Iklan."
    )
    assert Report.objects.get(pk=skipped.pk).status == Status.SUBMITTED
