"""Clocks in the report's own time zone (Keppres 41/1987), and one definition of overdue for
the sweep, the inbox and the dashboards."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from complaints import deadlines
from complaints.workdays import JAKARTA, JAYAPURA, MAKASSAR, Calendar, zone_for

WIT = ZoneInfo("Asia/Jayapura")


def test_each_province_has_its_time_zone():
    assert zone_for("31") is JAKARTA  # Jakarta, WIB
    assert zone_for("62") is JAKARTA  # Kalimantan Tengah, WIB
    assert zone_for("51") is MAKASSAR  # Bali, WITA
    assert zone_for("65") is MAKASSAR  # Kalimantan Utara, WITA (from Kalimantan Timur)
    assert zone_for("82") is JAYAPURA  # Maluku Utara, WIT
    assert zone_for("96") is JAYAPURA  # Papua Barat Daya, WIT
    assert zone_for(None) is JAKARTA


@pytest.mark.django_db
def test_a_wit_report_at_0030_on_tuesday_counts_from_tuesday():
    calendar = Calendar(use_db=False)
    filed = dt.datetime(2026, 2, 3, 0, 30, tzinfo=WIT)  # Tuesday 00:30 WIT = Monday 22:30 WIB
    assert filed.astimezone(JAKARTA).date() == dt.date(2026, 2, 2)
    assert all(calendar.is_working_day(dt.date(2026, 2, d)) for d in range(2, 7))
    papua = deadlines.due(
        stage=deadlines.Stage.VERIFY,
        kind="complaint",
        start=filed,
        province_id="91",
        calendar=calendar,
    )
    # Wednesday, Thursday, Friday: due at the end of Friday in Jayapura.
    assert papua == dt.datetime(2026, 2, 6, 23, 59, 59, tzinfo=WIT)
    # The same moment in Jakarta is still Monday: due at the end of Thursday there.
    jakarta = deadlines.due(
        stage=deadlines.Stage.VERIFY,
        kind="complaint",
        start=filed,
        province_id="31",
        calendar=calendar,
    )
    assert jakarta == dt.datetime(2026, 2, 5, 23, 59, 59, tzinfo=JAKARTA)
    # A day ends at midnight in the report's own zone.
    bali = deadlines.due(
        stage=deadlines.Stage.RESOLUTION,
        kind="complaint",
        start=filed,
        province_id="51",
        calendar=calendar,
    )
    assert bali == dt.datetime(2026, 4, 3, 23, 59, 59, tzinfo=MAKASSAR)  # 60 calendar days


@pytest.mark.django_db
def test_a_filed_report_gets_its_regions_verification_limit(monkeypatch):
    from django.utils import timezone

    from tests.factories import file_report

    moment = dt.datetime(2026, 2, 3, 0, 30, tzinfo=WIT)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    report = file_report(province_id="91", regency_id=None)
    assert report.verify_due == dt.datetime(2026, 2, 6, 23, 59, 59, tzinfo=WIT)
