"""axe-core on every citizen page at phone size (issue 16): 0 serious or critical violations.
Also the small things: the error summary takes focus after a failed submit, the rating says
what each mark means, /favicon.ico answers, every page has a meta description."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from complaints.services import report_transition
from tests.browser.axe import CHECKED, assert_accessible
from tests.browser.conftest import _context
from tests.factories import PASSWORD, dispatched_report, make_staff, make_user, published_report

pytestmark = pytest.mark.browser


@pytest.fixture
def a11y_phone(browser, request, live_server):
    yield from _context(browser, request, viewport={"width": 390, "height": 844}, bypass_csp=True)


def test_every_citizen_page_is_axe_clean_on_a_phone(a11y_phone, live_server, agency_a):
    page = a11y_phone
    national = make_staff("national_admin")
    public = published_report(national, title="Lampu jalan mati di Jalan Dago")
    located = published_report(
        national,
        title="Trotoar rusak di Jalan Riau",
        latitude=Decimal("-6.908000"),
        longitude=Decimal("107.619000"),
    )
    resolved = dispatched_report(agency_a, national, title="Saluran tersumbat di Antapani")
    officer = make_staff("officer", agency=agency_a)
    report_transition(report_id=resolved.pk, action="respond", actor=officer, note="Dicek.")
    report_transition(report_id=resolved.pk, action="resolve", actor=officer, note="Beres.")
    pages = {
        "home": "/",
        "form": "/lapor/",
        "track": "/lacak/",
        "track (not found)": "/lacak/LPR-XXXXX-XXXXX/",
        "track page (number only)": f"/lacak/{public.tracking}/",
        "track page (reporter, resolved)": f"/lacak/{resolved.tracking}/?k="
        + resolved.reporter_secret,
        "public list": "/laporan/",
        "public list (search)": "/laporan/?q=lampu",
        "public report": f"/laporan/{public.tracking}/",
        "public report (with its map)": f"/laporan/{located.tracking}/",
        "public map": "/laporan/peta/",
        "sign in": "/akun/masuk/",
        "sign up": "/akun/daftar/",
        "password reset": "/akun/sandi/lupa/",
        "statistics": "/statistik/",
    }
    page.goto(live_server.url + "/")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 110, "the phone header is two rows, not four"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for label, path in pages.items():
        page.goto(live_server.url + path)
        assert page.locator('meta[name="description"]').count() == 1, path
        assert_accessible(page, label)

    page.goto(live_server.url + f"/lacak/{resolved.tracking}/?k={resolved.reporter_secret}")
    expect(page.get_by_label("5: Sangat puas")).to_be_visible()

    page.goto(live_server.url + "/lapor/")
    page.get_by_role("button", name="Kirim laporan", exact=True).click()
    expect(page.locator(".error-summary")).to_be_focused()
    assert_accessible(page, "form with errors")
    page.get_by_text("Titik lokasi di peta (opsional)").click()
    expect(page.get_by_test_id("pin-map")).to_be_visible()
    assert_accessible(page, "form with errors (map open)")

    page.get_by_label("Judul").fill("Saluran air tersumbat di Jalan Riau")
    page.get_by_label("Isi laporan").fill(
        "Saluran air di Jalan Riau tersumbat sampah sehingga air meluap ke jalan setiap hujan."
    )
    page.get_by_label("Provinsi").select_option("32")
    expect(page.locator("#id_regency optgroup")).to_have_count(0)
    page.get_by_label("Kabupaten/kota").select_option("3273")
    page.get_by_label("Nama Anda").fill("Rina Kusumawati")
    page.get_by_label("Email").fill("rina@example.id")
    page.get_by_role("button", name="Kirim laporan", exact=True).click(no_wait_after=True)
    page.get_by_test_id("tracking-number").wait_for(timeout=60_000)
    assert_accessible(page, "confirmation")

    citizen = make_user(full_name="Rudi Hartono")
    page.goto(live_server.url + "/akun/masuk/")
    page.get_by_label("Email atau nama pengguna").fill(citizen.username)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    for label, path in {"my reports": "/akun/laporan-saya/", "form (signed in)": "/lapor/"}.items():
        page.goto(live_server.url + path)
        assert_accessible(page, label)

    assert page.request.get(live_server.url + "/favicon.ico").status == 200
    print(f"axe: {len(CHECKED)} citizen pages, severe violations: {sum(CHECKED.values())}")
