"""Maps in the browser (issue 16): the form's optional pin fills the latitude and longitude
fields, a public report shows its place, the public list has a map view with markers from the
JSON endpoint; with tiles pointed at a dead port (every browser test, see conftest) nothing
breaks, and with tiles served the CSP lets them in (checked with the CSP on)."""

import io
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image
from playwright.sync_api import expect

from complaints.models import Report
from tests.browser.axe import assert_accessible
from tests.browser.conftest import _context
from tests.factories import make_staff, published_report

pytestmark = pytest.mark.browser

BANDUNG = {"latitude": Decimal("-6.914744"), "longitude": Decimal("107.609810")}
CIMAHI = {"latitude": Decimal("-6.872200"), "longitude": Decimal("107.542500")}


@pytest.fixture
def a11y_phone(browser, request, live_server):
    yield from _context(browser, request, viewport={"width": 390, "height": 844}, bypass_csp=True)


@pytest.fixture
def tile_server():
    """A local tile server: the same grey 256 px PNG for every tile, and the paths asked."""
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 210, 200)).save(buffer, format="PNG")
    tile, asked = buffer.getvalue(), []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", asked
    server.shutdown()
    server.server_close()


def test_the_pin_fills_the_location_fields_with_tiles_that_never_load(a11y_phone, live_server):
    page, errors = a11y_phone, []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + "/lapor/")
    pin = page.get_by_test_id("pin-map")
    page.wait_for_load_state("load")
    assert pin.locator("img").count() == 0  # no tile downloaded unless the map is opened
    page.get_by_text("Titik lokasi di peta (opsional)").click()
    expect(pin).to_be_visible()
    expect(pin.locator("img.leaflet-tile").first).to_be_attached()  # asked, never loaded
    assert_accessible(page, "form (map open)")

    pin.click()  # the middle of Indonesia's map
    lat = float(page.get_by_label("Garis lintang").input_value())
    lng = float(page.get_by_label("Garis bujur").input_value())
    assert -11 <= lat <= 6 and 94 <= lng <= 142
    expect(pin.locator("path.leaflet-interactive")).to_have_count(1)

    # Typed coordinates move the pin (and are what is filed).
    page.get_by_label("Garis lintang").fill("-6.914744")
    page.get_by_label("Garis bujur").fill("107.609810")
    page.get_by_label("Garis bujur").dispatch_event("change")
    expect(pin.locator("path.leaflet-interactive")).to_have_count(1)
    page.get_by_label("Judul").fill("Lampu jalan mati di Jalan Dago")
    page.get_by_label("Isi laporan").fill(
        "Lampu jalan di Jalan Dago mati sejak sepekan, jalan gelap dan rawan bagi pejalan kaki."
    )
    page.get_by_label("Provinsi").select_option("32")
    expect(page.locator("#id_regency optgroup")).to_have_count(0)
    page.get_by_label("Kabupaten/kota").select_option("3273")
    page.get_by_label("Nama Anda").fill("Dewi Lestari")
    page.get_by_label("Email").fill("dewi@example.id")
    # Filing may take longer than the default 15 s on the shared machine.
    page.get_by_role("button", name="Kirim laporan", exact=True).click(no_wait_after=True)
    page.get_by_test_id("tracking-number").wait_for(timeout=60_000)
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    report = Report.objects.get(tracking=number)
    assert (report.latitude, report.longitude) == (BANDUNG["latitude"], BANDUNG["longitude"])
    assert errors == []


def test_a_public_report_shows_its_place_and_the_csp_lets_the_tiles_in(
    page, live_server, settings, tile_server
):
    origin, asked = tile_server
    settings.LAPOR_MAP_TILES_URL = origin + "/{z}/{x}/{y}.png"
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    report = published_report(make_staff("national_admin"), **BANDUNG)
    page.goto(live_server.url + f"/laporan/{report.tracking}/")  # CSP on: no bypass here
    place = page.get_by_test_id("point-map")
    expect(place).to_be_visible()
    expect(place.locator("img.leaflet-tile-loaded").first).to_be_attached()
    expect(place.locator("path.leaflet-interactive")).to_have_count(1)
    expect(page.get_by_test_id("report-place")).to_contain_text("-6.914744, 107.609810")
    assert asked and all(path.startswith("/15/") for path in asked)
    expect(place.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
    assert refused == []


def test_the_map_view_of_the_public_list_shows_only_public_markers(a11y_phone, live_server):
    page, errors = a11y_phone, []
    page.on("pageerror", lambda e: errors.append(str(e)))
    national = make_staff("national_admin")
    dago = published_report(national, title="Lampu jalan mati di Dago", **BANDUNG)
    published_report(national, title="Trotoar rusak di Cimahi", **CIMAHI)
    published_report(national, title="Rahasia bertitik", is_confidential=True, **BANDUNG)
    published_report(national, title="Tanpa titik")

    page.goto(live_server.url + "/laporan/")
    page.get_by_test_id("map-toggle").click()
    expect(page).to_have_url(live_server.url + "/laporan/peta/")
    reports_map = page.get_by_test_id("reports-map")
    expect(reports_map).to_have_attribute("data-count", "2")
    expect(reports_map.locator("path.leaflet-interactive")).to_have_count(2)
    listed = page.get_by_test_id("located-list")
    expect(listed).to_contain_text("Lampu jalan mati di Dago")
    expect(listed).not_to_contain_text("Rahasia")
    expect(listed).not_to_contain_text("Tanpa titik")
    assert_accessible(page, "public map")

    # Zoomed onto Bandung, a marker opens its report.
    page.goto(live_server.url + "/laporan/peta/?q=Dago")
    expect(reports_map).to_have_attribute("data-count", "1")
    reports_map.locator("path.leaflet-interactive").click()
    page.locator(".leaflet-popup-content a").click()
    expect(page).to_have_url(live_server.url + f"/laporan/{dago.tracking}/")
    expect(page.get_by_test_id("point-map")).to_be_visible()
    assert_accessible(page, "public report (with map)")
    assert errors == []
