"""The province map (monitoring.provincemap): a shape for every province of the reference
data, each coloured by SP4N's follow-up percentage of the period and linking where it says."""

import json
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from agencies.models import Agency, Province, Role
from complaints.services import report_transition
from monitoring import provincemap
from tests.factories import PASSWORD, dispatched_report, file_report, make_staff

pytestmark = pytest.mark.django_db
EVERYTHING = {"period": "custom", "start": "2025-11-01", "end": "2027-03-31"}
SHAPE = re.compile(
    r'<a href="(?P<href>[^"]+)" aria-label="(?P<label>[^"]+)" data-code="(?P<code>\d+)">'
    r'<path class="(?P<cls>q\w)"'
)
BARE = re.compile(r'<path class="(?P<cls>q\w)" d="[^"]+" data-code="(?P<code>\d+)">')


def shapes_on(html: str) -> dict:
    found = {m["code"]: dict(m.groupdict()) for m in SHAPE.finditer(html)}
    found.update({m["code"]: {**m.groupdict(), "href": None} for m in BARE.finditer(html)})
    return found


@pytest.fixture
def filed(cast, agency_a):
    """Jawa Barat: 5 received, 1 finished + 1 in process = 40 %. Jawa Timur: 1 received, 1
    finished = 100 %. Every other province: nothing."""
    surabaya = Agency.objects.get(slug="pemkot-3578")
    done = dispatched_report(agency_a, cast.national, province_id="32", regency_id="3273")
    report_transition(report_id=done.pk, action="respond", actor=cast.officer_a, note="ok")
    report_transition(report_id=done.pk, action="resolve", actor=cast.officer_a, note="beres")
    busy = dispatched_report(agency_a, cast.national, province_id="32", regency_id="3273")
    report_transition(report_id=busy.pk, action="respond", actor=cast.officer_a, note="ok")
    for _ in range(2):
        dispatched_report(agency_a, cast.national, province_id="32", regency_id="3273")
    file_report(province_id="32", regency_id=None)  # unverified: received, not followed up
    east = dispatched_report(surabaya, cast.national, province_id="35", regency_id="3578")
    officer = make_staff(Role.Kind.OFFICER, agency=surabaya)
    report_transition(report_id=east.pk, action="respond", actor=officer, note="ok")
    report_transition(report_id=east.pk, action="resolve", actor=officer, note="beres")


def test_every_province_of_the_reference_data_has_a_shape():
    codes = set(Province.objects.values_list("code", flat=True))
    assert len(codes) == 38
    assert set(provincemap.shapes()["shapes"]) == codes
    for d in provincemap.shapes()["shapes"].values():
        assert re.fullmatch(r"(M[\d. ]+L[\d. ]+Z)+", d)


@pytest.mark.parametrize(
    ("percent", "cls"),
    [
        (None, "qn"),
        ("0", "q0"),
        ("19.9", "q0"),
        ("20", "q1"),
        ("39.9", "q1"),
        ("40", "q2"),
        ("60", "q3"),
        ("79.9", "q3"),
        ("80", "q4"),
        ("100", "q4"),
    ],
)
def test_the_colour_steps_are_twenty_points(percent, cls):
    assert provincemap.colour_class(None if percent is None else Decimal(percent)) == cls


def test_national_map_colours_by_follow_up_and_links_every_dashboard(client, cast, filed):
    assert client.login(username=cast.national.username, password=PASSWORD)
    html = client.get(reverse("monitoring:national"), EVERYTHING).content.decode()
    shapes = shapes_on(html)
    assert set(shapes) == set(Province.objects.values_list("code", flat=True))
    assert (
        shapes["32"]["cls"] == "q2"
        and "40,0% ditindaklanjuti dari 5 laporan" in (shapes["32"]["label"])
    )
    assert shapes["35"]["cls"] == "q4"
    assert {s["cls"] for code, s in shapes.items() if code not in {"32", "35"}} == {"qn"}
    # Beside the map, the table says the same for the same province.
    assert 'data-testid="province-table"' in html
    for code, shape in shapes.items():
        assert shape["href"] == reverse("monitoring:province", args=[code])
        response = client.get(shape["href"])
        assert response.status_code == 200
        assert response.context["place"].code == code
        assert shape["label"].startswith(response.context["place"].name + ":")
    assert "<title>" in html and 'data-testid="province-map"' in html
    assert "CC BY 4.0" in html


def test_public_map_links_only_to_the_rows_on_the_same_page(client, filed):
    html = client.get(reverse("statistik"), EVERYTHING).content.decode()
    shapes = shapes_on(html)
    assert len(shapes) == 38
    assert shapes["32"] == {**shapes["32"], "cls": "q2", "href": "#prov-32"}
    assert shapes["35"]["href"] == "#prov-35" and shapes["35"]["cls"] == "q4"
    assert 'id="prov-32"' in html and 'id="prov-35"' in html
    # Provinces without reports are folded away below the table: no row, no link.
    assert all(s["href"] is None for c, s in shapes.items() if c not in {"32", "35"})
    assert "/pantau/" not in html.split('data-testid="province-map"')[1].split("</section>")[0]


def _collection(names):
    square = [[[100.0, -1.0], [101.0, -1.0], [101.0, 0.0], [100.0, 0.0], [100.0, -1.0]]]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"PROVINSI": n},
                "geometry": {"type": "Polygon", "coordinates": square},
            }
            for n in names
        ],
    }


def test_the_build_refuses_a_source_missing_a_province_and_maps_names_to_codes(tmp_path):
    names = list(Province.objects.order_by("code").values_list("name", flat=True))
    names = ["DKI Jakarta" if n.startswith("Daerah Khusus") else n for n in names]
    source, out = tmp_path / "p.geojson", tmp_path / "map.json"
    source.write_text(json.dumps(_collection(names[1:])))
    with pytest.raises(CommandError, match="no shape for provinces \\['11'\\]"):
        call_command("build_province_map", str(source), out=str(out))
    source.write_text(json.dumps(_collection([*names, "Atlantis"])))
    with pytest.raises(CommandError, match="Atlantis"):
        call_command("build_province_map", str(source), out=str(out))
    source.write_text(json.dumps(_collection(names)))
    call_command("build_province_map", str(source), out=str(out))
    built = json.loads(out.read_text())
    assert set(built["shapes"]) == set(Province.objects.values_list("code", flat=True))
    assert built["shapes"]["31"].startswith("M52.0 72.0L")  # 100E 0N, ten units a degree
