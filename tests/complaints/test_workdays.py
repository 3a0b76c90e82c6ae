"""Working-day arithmetic across weekends, national holidays, joint leave days and year ends."""

import datetime as dt

import pytest

from complaints import deadlines
from complaints.models import NonWorkingDay, TimeLimit
from complaints.workdays import JAKARTA, Calendar

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=JAKARTA)


def day(value):
    return value.astimezone(JAKARTA).date()


def test_weekend_is_skipped():
    # Friday 2026-11-20 + 1 working day = Monday 2026-11-23.
    assert day(Calendar().add_working_days(at(2026, 11, 20), 1)) == dt.date(2026, 11, 23)
    # Saturday + 1 = Monday as well: the weekend day itself is not counted.
    assert day(Calendar().add_working_days(at(2026, 11, 21), 1)) == dt.date(2026, 11, 23)


def test_due_is_end_of_the_working_day_in_jakarta():
    due = Calendar().add_working_days(at(2026, 11, 23, 23), 1)
    assert due.astimezone(JAKARTA).time() == dt.time(23, 59, 59)


def test_independence_day_is_not_a_working_day():
    cal = Calendar()
    assert not cal.is_working_day(dt.date(2025, 8, 17))  # Sunday anyway
    assert not cal.is_working_day(dt.date(2026, 8, 17))  # Monday, Hari Kemerdekaan
    # Friday 14 Aug 2026 + 1 working day skips the weekend and Monday 17 Aug.
    assert day(cal.add_working_days(at(2026, 8, 14), 1)) == dt.date(2026, 8, 18)


def test_eid_joint_leave_days_are_skipped():
    cal = Calendar()
    # Idul Fitri 2026: 20 March (joint leave) through 24 March (joint leave).
    for d in (20, 23, 24):
        assert not cal.is_working_day(dt.date(2026, 3, d)), d
    # Thursday 19 March is Nyepi; Wednesday 18 March joint leave. From Tuesday 17 March,
    # the next working day is Wednesday 25 March.
    assert day(cal.add_working_days(at(2026, 3, 17), 1)) == dt.date(2026, 3, 25)


def test_across_the_year_end():
    cal = Calendar()
    # 24 Dec 2026 joint leave, 25 Christmas, 26-27 weekend, 1 Jan 2027 New Year.
    # From Wednesday 23 Dec 2026, 5 working days: 28, 29, 30, 31 Dec, then 4 Jan 2027.
    assert day(cal.add_working_days(at(2026, 12, 23), 5)) == dt.date(2027, 1, 4)


def test_admin_added_day_off_counts():
    target = dt.date(2026, 11, 24)  # a Tuesday
    assert Calendar().is_working_day(target)
    NonWorkingDay.objects.create(date=target, name="Cuti bersama tambahan")
    assert not Calendar().is_working_day(target)
    assert day(Calendar().add_working_days(at(2026, 11, 23), 1)) == dt.date(2026, 11, 25)


def test_working_days_between_signs():
    cal = Calendar()
    assert cal.working_days_between(at(2026, 11, 20), at(2026, 11, 24)) == 2
    assert cal.working_days_between(at(2026, 11, 24), at(2026, 11, 20)) == -2


def test_limits_are_configuration_most_specific_wins(agency_a):
    kind = "complaint"
    start = at(2026, 11, 23)
    assert deadlines.limit_for(stage="first_response", kind=kind) == (5, "working_days")
    TimeLimit.objects.create(stage="first_response", kind="", agency=agency_a, amount=2)
    assert deadlines.limit_for(stage="first_response", kind=kind, agency_id=agency_a.pk) == (
        2,
        "working_days",
    )
    assert deadlines.limit_for(stage="first_response", kind=kind) == (5, "working_days")
    due = deadlines.due(stage="first_response", kind=kind, start=start, agency_id=agency_a.pk)
    assert day(due) == dt.date(2026, 11, 25)


def test_resolution_is_calendar_days_for_complaints_working_days_for_information():
    start = at(2026, 11, 23)
    complaint = deadlines.due(stage="resolution", kind="complaint", start=start)
    info = deadlines.due(stage="resolution", kind="information_request", start=start)
    assert day(complaint) == dt.date(2027, 1, 22)  # 60 calendar days
    assert day(info) == dt.date(2026, 12, 7)  # 10 working days
