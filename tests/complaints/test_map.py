"""The map (issue 16): a report's point is public only where the report is (published, never
confidential: complaints.audiences), the markers endpoint gives only what the public list
shows and is bounded, and the tile host of LAPOR_MAP_TILES_URL is the only one the CSP adds."""

from decimal import Decimal

import pytest
from django.test import Client

from complaints import views
from core.maps import tile_origin
from tests.factories import file_report, published_report

pytestmark = pytest.mark.django_db

BANDUNG = {"latitude": Decimal("-6.914744"), "longitude": Decimal("107.609810")}
MEDAN = {"latitude": Decimal("3.595196"), "longitude": Decimal("98.672226")}
SECRET = "Titik rahasia pelapor"


def points(client, **params):
    response = client.get("/laporan/peta/titik/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_markers_are_the_public_located_reports_with_public_fields_only(cast):
    shown = published_report(cast.national, title="Lampu jalan mati di Dago", **BANDUNG)
    published_report(cast.national, title="Tanpa titik")  # public, no location
    file_report(title="Belum diverifikasi", **BANDUNG)  # not published yet
    published_report(cast.national, title=SECRET, is_confidential=True, **BANDUNG)
    anonymous = {"is_anonymous": True, "reporter_name": "Nama Asli"}
    published_report(cast.national, title="Anonim bertitik", **anonymous, **MEDAN)

    data = points(Client())
    titles = {p["title"] for p in data["points"]}
    assert titles == {"Lampu jalan mati di Dago", "Anonim bertitik"}
    assert data["truncated"] is False
    one = next(p for p in data["points"] if p["tracking"] == shown.tracking)
    assert set(one) == {"tracking", "title", "status", "lat", "lng", "url"}
    assert one["url"] == f"/laporan/{shown.tracking}/"
    assert (one["lat"], one["lng"]) == (-6.914744, 107.60981)
    body = Client().get("/laporan/peta/titik/").content.decode()
    for private in (SECRET, "Nama Asli", "budi", "@example.id", "reporter"):
        assert private not in body


def test_markers_are_bounded_by_the_box_the_filters_and_a_limit(cast, monkeypatch):
    published_report(cast.national, title="Bandung satu", **BANDUNG)
    published_report(cast.national, title="Bandung dua", **BANDUNG)
    published_report(cast.national, title="Medan", province_id="12", regency_id="1275", **MEDAN)
    client = Client()

    java = points(client, bbox="105,-9,115,-5")
    assert {p["title"] for p in java["points"]} == {"Bandung satu", "Bandung dua"}
    assert {p["title"] for p in points(client, province="12")["points"]} == {"Medan"}

    monkeypatch.setattr(views, "MAP_POINTS", 2)
    capped = points(client)
    assert len(capped["points"]) == 2 and capped["truncated"] is True
    assert [p["title"] for p in capped["points"]] == ["Medan", "Bandung dua"]  # newest first


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "10,0,5,1", "0,0,200,1", "nan,0,1,1"])
def test_a_bad_box_or_filter_is_a_400(bbox):
    assert Client().get("/laporan/peta/titik/", {"bbox": bbox}).status_code == 400
    assert Client().get("/laporan/peta/titik/", {"kind": "nope"}).status_code == 400


def test_the_report_page_shows_its_point_only_when_public_and_located(cast):
    located = published_report(cast.national, **BANDUNG)
    page = Client().get(f"/laporan/{located.tracking}/").content.decode()
    assert 'data-map="point"' in page and 'data-lat="-6.914744"' in page
    assert "vendor/leaflet/leaflet.js" in page

    plain = published_report(cast.national)
    page = Client().get(f"/laporan/{plain.tracking}/").content.decode()
    assert 'data-map="point"' not in page and "leaflet.js" not in page

    secret = published_report(cast.national, is_confidential=True, **BANDUNG)
    assert Client().get(f"/laporan/{secret.tracking}/").status_code == 404
    for door in ("/laporan/peta/", "/laporan/", f"/lacak/{secret.tracking}/"):
        assert "-6.914744" not in Client().get(door).content.decode(), door


def test_the_map_page_lists_the_located_reports_as_links_without_javascript(cast):
    located = published_report(cast.national, title="Trotoar rusak", **BANDUNG)
    published_report(cast.national, title="Tanpa lokasi")
    page = Client().get("/laporan/peta/", {"q": "Trotoar"}).content.decode()
    assert f'href="/laporan/{located.tracking}/"' in page
    assert "Tanpa lokasi" not in page
    # The markers endpoint is asked with the same filters.
    assert 'data-source="/laporan/peta/titik/?q=Trotoar"' in page
    assert 'href="/laporan/peta/?q=Trotoar"' in Client().get("/laporan/?q=Trotoar").content.decode()


def test_the_csp_allows_images_from_the_configured_tile_host_only(settings):
    settings.LAPOR_MAP_TILES_URL = "https://{s}.tiles.example.id:8443/osm/{z}/{x}/{y}.png"
    csp = Client().get("/lapor/")["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.id:8443;" in csp
    assert 'data-tiles="https://{s}.tiles.example.id:8443/osm/{z}/{x}/{y}.png"' in (
        Client().get("/lapor/").content.decode()
    )

    settings.LAPOR_MAP_TILES_URL = "/tiles/{z}/{x}/{y}.png"  # same origin: 'self' covers it
    assert "img-src 'self' data:;" in Client().get("/lapor/")["Content-Security-Policy"]


@pytest.mark.parametrize(
    "url",
    [
        "https://a.example; script-src *",
        "https://a.example/x'; img-src *",
        "javascript:alert(1)",
        "",
        "https://a b.example/{z}",
    ],
)
def test_a_tile_url_cannot_add_to_the_csp(url):
    origin = tile_origin(url)
    assert origin is None or (";" not in origin and " " not in origin and "'" not in origin)


def test_the_default_tiles_are_openstreetmap_with_its_attribution():
    from lapor import settings as defaults  # the module, as read from an empty environment

    assert tile_origin(defaults.LAPOR_MAP_TILES_URL) == "https://tile.openstreetmap.org"
    assert "openstreetmap.org/copyright" in defaults.LAPOR_MAP_ATTRIBUTION
