"""A tracking number typed the way people type it (lower case, spaces, no dashes) finds the
report on every route that takes one, not only on the track form."""

import pytest

from tests.factories import dispatched_report

from .integrations.conftest import api

pytestmark = pytest.mark.django_db


def _sloppy(number: str) -> str:
    return number.lower().replace("-", " ").replace(" ", "", 1)  # "lpr7k3qm 9m2xa"


def test_every_route_normalises_the_tracking_number(client, cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    sloppy = _sloppy(report.tracking)
    assert sloppy != report.tracking
    assert client.get(f"/lacak/{sloppy}/").status_code == 200
    assert client.get(f"/laporan/{sloppy}/").status_code == 200
    assert api().get(f"/api/v1/reports/{sloppy}/").json()["tracking"] == report.tracking
    found = client.get(f"/open311/v2/requests/{sloppy.replace(' ', '')}.json").json()
    assert found[0]["service_request_id"] == report.tracking
    listed = client.get(f"/open311/v2/requests.json?service_request_id={sloppy}").json()
    assert [r["service_request_id"] for r in listed] == [report.tracking]
    client.force_login(cast.officer_a)
    assert client.get(f"/kerja/laporan/{sloppy}/").status_code == 200


def test_text_that_cannot_be_a_number_gets_each_doors_own_not_found(client):
    assert client.get("/lacak/bukan-nomor/").status_code == 404
    body = api().get("/api/v1/reports/bukan-nomor/")
    assert body.status_code == 404 and body["Content-Type"].startswith("application/json")
