"""The admin's working calendar: the national holidays and joint leave days of the holidays
package beside the days the admin added, and the cancellation of a day off the government
moved (SKB 3 Menteri on national holidays and joint leave), which the deadlines honour."""

import datetime as dt

import pytest
from django.urls import reverse

from complaints import deadlines
from complaints.models import NonWorkingDay
from complaints.workdays import JAKARTA, Calendar
from tests.factories import make_user

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:complaints_nonworkingday_changelist"


@pytest.fixture
def superuser_client(client):
    user = make_user(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def _row(html: str, day: str) -> str:
    start = html.index(f'<tr data-date="{day}">')
    return html[start : html.index("</tr>", start)]


def test_the_calendar_shows_the_packages_days_beside_the_admins(superuser_client):
    NonWorkingDay.objects.create(date=dt.date(2026, 11, 24), name="Cuti bersama tambahan")
    html = superuser_client.get(reverse(CHANGELIST), {"tahun": "2026"}).content.decode()
    assert "Hari Kemerdekaan Republik Indonesia" in _row(html, "2026-08-17")
    assert "Libur nasional" in _row(html, "2026-08-17")
    assert "Cuti bersama" in _row(html, "2026-12-24")  # joint leave, from the package
    assert "Ditambahkan admin" in _row(html, "2026-11-24")
    assert "Cuti bersama tambahan" in _row(html, "2026-11-24")
    assert "Batalkan libur" in _row(html, "2026-12-24")
    # The admin's own list is still on the page, unfiltered by the year.
    assert "Cuti bersama tambahan" in html.split('id="result_list"')[1]


def test_an_admin_cancels_a_moved_holiday_and_the_deadline_counts_it(superuser_client):
    filed = dt.datetime(2026, 12, 23, 10, tzinfo=JAKARTA)  # Wednesday
    # 24 Dec joint leave, 25 Christmas, 26-27 weekend: 3 working days end on 30 Dec.
    before = deadlines.due(stage="verify", kind="complaint", start=filed)
    assert before.astimezone(JAKARTA).date() == dt.date(2026, 12, 30)
    response = superuser_client.post(
        reverse("admin:complaints_nonworkingday_cancel"),
        {"date": "2026-12-24", "name": "Cuti bersama Natal", "basis": "SKB perubahan 2026"},
    )
    assert response.status_code == 302 and "tahun=2026" in response["Location"]
    cancelled = NonWorkingDay.objects.get(date=dt.date(2026, 12, 24))
    assert cancelled.kind == NonWorkingDay.Kind.CANCELLED and cancelled.basis
    assert Calendar().is_working_day(dt.date(2026, 12, 24))
    after = deadlines.due(stage="verify", kind="complaint", start=filed)
    assert after.astimezone(JAKARTA).date() == dt.date(2026, 12, 29)  # 24, 28, 29
    html = superuser_client.get(reverse(CHANGELIST), {"tahun": "2026"}).content.decode()
    assert "Dibatalkan: hari kerja" in _row(html, "2026-12-24")


def test_only_a_day_the_package_lists_can_be_cancelled(superuser_client):
    superuser_client.post(
        reverse("admin:complaints_nonworkingday_cancel"), {"date": "2026-11-24", "basis": "x"}
    )
    assert not NonWorkingDay.objects.exists()
    add = superuser_client.post(
        reverse("admin:complaints_nonworkingday_add"),
        {"date": "2026-11-24", "kind": "cancelled", "name": "Batal", "basis": ""},
    )
    assert add.status_code == 200 and not NonWorkingDay.objects.exists()  # the form refuses


def test_a_staff_member_without_the_permission_cannot_cancel(client):
    user = make_user(is_staff=True)
    client.force_login(user)
    client.post(reverse("admin:complaints_nonworkingday_cancel"), {"date": "2026-12-24"})
    assert not NonWorkingDay.objects.exists()
