"""Early warning (monitoring.warnings): a week far above a regency and category's usual level is
flagged, by the rule stated on the page, from the weekly count rows; shown to the province
supervisor and the ministry with a link to the reports behind it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Report
from monitoring import fold, warnings
from monitoring.models import EarlyWarning, WeeklyCount
from monitoring.rebuild import differences
from routing.models import Category
from tests.factories import dispatched_report, file_report, make_staff, otp_verify

# --- the rule, on made-up series --------------------------------------------------------------


def test_a_spike_is_flagged():
    check = warnings.spike(30, [4, 6, 5, 3, 7, 5, 4, 6, 5, 5, 4, 6])
    assert check.flagged
    assert check.mean == pytest.approx(5.0)
    # sd of the series is 1.08; the floor sqrt(5) = 2.24 applies: 5 + 3 x 2.24 = 11.7
    assert check.threshold == pytest.approx(5 + 3 * 5**0.5)


def test_a_steady_series_is_not_flagged():
    assert not warnings.spike(20, [20] * 12).flagged
    # One report above a series that never moved is chance, not an outbreak (sd floor).
    assert not warnings.spike(21, [20] * 12).flagged
    # A noisy series: this week is high, but within its own usual spread.
    assert not warnings.spike(25, [5, 30, 8, 28, 4, 35, 6, 25, 10, 30, 5, 27]).flagged


def test_a_small_count_is_not_flagged():
    # From nothing to 4 reports is far above the mean, but below the minimum of 5.
    check = warnings.spike(4, [0] * 12)
    assert check.count > check.threshold and not check.flagged
    assert warnings.spike(5, [0] * 12).flagged


def test_the_threshold_uses_the_series_own_spread_when_it_is_wider():
    history = [10, 30, 10, 30, 10, 30, 10, 30, 10, 30, 10, 30]  # mean 20, sd 10
    assert warnings.spike(50, history).threshold == pytest.approx(50)
    assert not warnings.spike(50, history).flagged
    assert warnings.spike(51, history).flagged


# --- the weekly check over the count rows, and the page -----------------------------------------


def _series(week, counts, regency="3273", category=1):
    """Weekly rows ending at ``week``: the last count is that week's."""
    for i, n in enumerate(reversed(counts)):
        WeeklyCount.objects.create(
            week=week - dt.timedelta(weeks=i),
            province=regency[:2],
            regency=regency,
            category=category,
            n=n,
        )


@pytest.mark.django_db
def test_the_weekly_check_flags_the_spike_once():
    week = dt.date(2026, 11, 23)  # a Monday
    _series(week, [2, 3, 2, 4, 3, 2, 3, 2, 3, 4, 2, 3, 16], regency="3273", category=1)
    _series(week, [9] * 12 + [9], regency="3578", category=1)  # steady
    _series(week, [0] * 12 + [3], regency="3201", category=2)  # small
    assert [(w.regency, w.count) for w in warnings.early_warning_check(week=week)] == [("3273", 16)]
    warnings.early_warning_check(week=week)
    assert EarlyWarning.objects.count() == 1


@pytest.mark.django_db
def test_filing_keeps_the_weekly_counts_and_a_rebuild_agrees(cast):
    from complaints.services import report_transition

    file_report()
    report = file_report()
    week = warnings.week_of(report.created_at)
    # Filings append deltas (monitoring.fold); the readers count them before a fold.
    assert not WeeklyCount.objects.exists()
    assert warnings.stored_counts() == {(week, "32", "3273", 0): 2}
    fold.fold()
    row = WeeklyCount.objects.get(week=week, province="32", regency="3273", category=0)
    assert row.n == 2
    roads = Category.objects.filter(is_active=True).first()
    report_transition(
        report_id=report.pk, action="recategorize", actor=cast.national, category=roads
    )
    assert warnings.stored_counts()[(week, "32", "3273", roads.pk)] == 1
    fold.fold()
    assert WeeklyCount.objects.get(week=week, regency="3273", category=roads.pk).n == 1
    row.refresh_from_db()
    assert row.n == 1
    assert differences() == []


@pytest.mark.django_db
def test_the_supervisor_and_the_ministry_see_the_warning_and_the_reports_behind_it(
    client, cast, agency_a
):
    this_week = warnings.week_of(timezone.now())
    category = Category.objects.filter(is_active=True).first().pk
    spike = [
        dispatched_report(agency_a, cast.national, title=f"Banjir di RW {i}", category_id=category)
        for i in range(6)
    ]
    # Not behind the warning: another category in the same city, the same category elsewhere.
    others = [
        dispatched_report(agency_a, cast.national),
        dispatched_report(agency_a, cast.national, regency_id="3204", category_id=category),
    ]
    ids = {r.pk for r in spike}
    found = warnings.early_warning_check(week=this_week)
    assert [(w.regency, w.category, w.count) for w in found] == [("3273", category, 6)]

    for user in (cast.supervisor, cast.national):
        client.force_login(user)
        otp_verify(client, user)
        page = client.get(reverse("monitoring:warnings"))
        assert page.status_code == 200
        assert warnings.rule() in page.content.decode()
        [row] = page.context["rows"]
        listed = client.get(row["url"])
        shown = {r.pk for r in listed.context["page"].object_list}
        assert shown == ids and not {r.pk for r in others} & shown
        client.logout()

    # Another province's supervisor sees no warning of Jawa Barat; an officer is refused.
    from agencies.models import Province, Role

    east = make_staff(Role.Kind.PROVINCE_SUPERVISOR, province=Province.objects.get(code="35"))
    client.force_login(east)
    assert client.get(reverse("monitoring:warnings")).context["rows"] == []
    client.force_login(cast.officer_b)
    assert client.get(reverse("monitoring:warnings")).status_code == 403
    assert Report.objects.filter(pk__in=ids).count() == 6
