"""Dashboards in a real browser: a national admin reads the national page, drills into a
province and a regency, and downloads the CSV; a province supervisor only ever sees their own
province; the public statistics page shows figures and no report content, on a phone too."""

import csv
import io

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from complaints.services import report_transition
from tests.browser.test_staff_journeys import sign_in
from tests.factories import dispatched_report, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def some_reports(agency_a, agency_b):
    national = make_staff("national_admin")
    officer = make_staff("officer", agency=agency_a)
    surabaya = Agency.objects.get(slug="pemkot-3578")
    for n in range(3):
        report = dispatched_report(agency_a, national, title=f"Lampu jalan mati nomor {n}")
        report_transition(report_id=report.pk, action="respond", actor=officer, note="ok")
        if n < 2:
            report_transition(report_id=report.pk, action="resolve", actor=officer, note="ok")
    dispatched_report(agency_b, national)
    dispatched_report(
        surabaya,
        national,
        province_id="35",
        regency_id="3578",
        title="Rahasia: pungutan liar di kantor kelurahan",
        is_confidential=True,
    )
    return national


def test_national_admin_drills_down_and_downloads_csv(page, live_server, some_reports, agency_a):
    sign_in(page, live_server, some_reports)
    page.get_by_role("link", name="Pantau", exact=True).click()
    expect(page.get_by_role("heading", name="Pemantauan nasional")).to_be_visible()
    table = page.get_by_test_id("province-table")
    expect(table.locator("tr[data-key='32'] td").first).to_have_text("4")  # received in Jabar
    expect(table.locator("tr[data-key='35'] td").first).to_have_text("1")
    # The charts are drawn from the same numbers (Chart.js from static/, no CDN).
    expect(page.locator("canvas[data-chart='line'][data-drawn='true']")).to_have_count(1)

    # Sort by completion, highest first, with a link (works without JavaScript).
    page.get_by_role("link", name="Selesai", exact=True).first.click()
    first_row = page.get_by_test_id("province-table").locator("tbody tr").first
    expect(first_row).to_have_attribute("data-key", "32")

    with page.expect_download() as download_info:
        page.get_by_test_id("csv").click()
    content = download_info.value.path().read_text(encoding="utf-8-sig")
    rows = {line[0]: line for line in csv.reader(io.StringIO(content)) if line}
    assert rows["Jawa Barat"][1] == "4"

    page.get_by_role("link", name="Jawa Barat").first.click()
    expect(page.get_by_role("heading", name="Jawa Barat")).to_be_visible()
    governments = page.get_by_test_id("government-table")
    expect(governments.locator(f"tr[data-key='{agency_a.pk}'] td").first).to_have_text("3")
    governments.get_by_role("link", name="Pemerintah Kota Bandung").click()
    expect(page.get_by_role("heading", name="Pemerintah Kota Bandung")).to_be_visible()
    expect(page.get_by_test_id("figure-received")).to_have_text("3")
    expect(page.get_by_test_id("figure-completion")).to_have_text("66,7%")


def test_a_province_supervisor_sees_only_their_province(page, live_server, some_reports):
    supervisor = make_staff(
        "province_supervisor", province=Agency.objects.get(slug="pemkot-3273").province
    )
    sign_in(page, live_server, supervisor)
    page.get_by_role("link", name="Pantau", exact=True).click()
    expect(page.get_by_role("heading", name="Jawa Barat")).to_be_visible()
    assert page.url.endswith("/pantau/provinsi/32/")
    response = page.goto(live_server.url + "/pantau/provinsi/35/")
    assert response.status == 403
    response = page.goto(live_server.url + "/pantau/")
    assert page.url.endswith("/pantau/provinsi/32/")


def test_public_statistics_on_a_phone_show_no_report_content(phone, live_server, some_reports):
    phone.goto(live_server.url + "/")
    phone.get_by_role("link", name="Statistik", exact=True).click()
    expect(phone.get_by_role("heading", name="Statistik LAPOR!")).to_be_visible()
    expect(phone.get_by_test_id("figure-received")).to_have_text("5")
    html = phone.content()
    assert "Rahasia" not in html and "pungutan liar" not in html and "Lampu jalan" not in html
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone (tables scroll inside)"
