"""Exports analysts can open: local time of the report's province, labels in the reader's
language, officer and unit columns, never the anonymous reporter; CSV and XLSX alike."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Agency
from complaints.exports import zone_of
from complaints.models import Report
from complaints.services import report_transition
from tests.factories import PASSWORD, dispatched_report, make_staff

pytestmark = pytest.mark.django_db

FILED = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)  # 08:30 WIB, 09:30 WITA, 10:30 WIT


def test_indonesias_three_time_zones_by_province():
    # Keppres 41/1987: Jawa Barat WIB, Sulawesi Selatan and Bali WITA, Papua and Maluku WIT.
    assert zone_of("32")[1] == "WIB" and zone_of("61")[1] == "WIB"
    assert zone_of("73")[1] == "WITA" and zone_of("51")[1] == "WITA"
    assert zone_of("91")[1] == "WIT" and zone_of("81")[1] == "WIT"


@pytest.fixture
def two_reports(cast, agency_a):
    unit = Agency.objects.get(slug="pemkot-3273-dinas-kesehatan")
    officer = make_staff("officer", agency=agency_a, full_name="Dewi Lestari")
    named = dispatched_report(unit, cast.national, title="Puskesmas tutup")
    report_transition(report_id=named.pk, action="assign", actor=cast.admin_a, assignee=officer)
    anon = dispatched_report(
        agency_a,
        cast.national,
        title="Pungli di kelurahan",
        is_anonymous=True,
        reporter_name="Ratna Tersembunyi",
        reporter_email="ratna@example.id",
        province_id="73",  # a report of Sulawesi Selatan held by Bandung: its own local time
        regency_id=None,
    )
    Report.objects.filter(pk__in=[named.pk, anon.pk]).update(created_at=FILED)
    return named, anon


def _csv(client, **params):
    response = client.get(reverse("workspace:export"), params)
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_has_local_times_labels_officer_and_unit_and_no_reporter(client, cast, two_reports):
    named, anon = two_reports
    client.login(username=cast.officer_a.username, password=PASSWORD)
    rows = {r["Nomor"]: r for r in _csv(client)}
    row = rows[named.tracking]
    assert row["Diterima"] == "2026-03-02 08:30" and row["Zona waktu"] == "WIB"
    assert row["Status"] == "Didisposisikan" and row["Jenis"] == "Pengaduan"
    assert row["Unit yang menangani"] == "Dinas Kesehatan Kota Bandung"
    assert row["Instansi"] == "Pemerintah Kota Bandung"
    assert row["Petugas"] == "Dewi Lestari"
    assert rows[anon.tracking]["Diterima"] == "2026-03-02 09:30"
    assert rows[anon.tracking]["Zona waktu"] == "WITA"
    text = str(rows)
    assert "Ratna" not in text and "ratna@example.id" not in text
    assert "microsecond" not in text and "+00:00" not in text


def test_an_english_reader_gets_english_labels(client, cast, two_reports):
    named, _anon = two_reports
    client.login(username=cast.officer_a.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    rows = _csv(client)
    assert "Status" in rows[0] and "Number" in rows[0]
    row = next(r for r in rows if r["Number"] == named.tracking)
    assert row["Status"] == "Dispatched"


def test_xlsx_has_the_same_rows(client, cast, two_reports):
    named, anon = two_reports
    client.login(username=cast.officer_a.username, password=PASSWORD)
    response = client.get(reverse("workspace:export-xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    head = list(values[0])
    by_number = {row[0]: dict(zip(head, row, strict=True)) for row in values[1:]}
    assert by_number[named.tracking]["Petugas"] == "Dewi Lestari"
    assert by_number[anon.tracking]["Diterima"] == "2026-03-02 09:30"
    flat = " ".join(str(v) for row in values for v in row)
    assert "Ratna" not in flat


def test_other_agencies_and_citizens_get_no_export(client, cast, two_reports):
    client.login(username=cast.officer_b.username, password=PASSWORD)
    assert all(r["Nomor"] not in {t.tracking for t in two_reports} for r in _csv(client))
    client.login(username=cast.citizen.username, password=PASSWORD)
    assert client.get(reverse("workspace:export-xlsx")).status_code == 403
    assert ZoneInfo("Asia/Makassar")  # the zone data is present on this machine
