"""Assignment inside an agency: to a colleague with a note, reassignment, each officer's open
load, and the optional sharing of a unit's new reports (round-robin)."""

import pytest
from django.urls import reverse

from agencies.models import Agency, Role
from complaints.errors import InvalidAction
from complaints.models import Report, ReportEvent
from complaints.services import report_transition
from tests.factories import PASSWORD, dispatched_report, make_staff

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_an_officer_assigns_a_colleague_with_a_note_who_then_finds_it(client, cast, agency_a):
    colleague = make_staff(Role.Kind.OFFICER, agency=agency_a, full_name="Rekan Kerja")
    report = dispatched_report(agency_a, cast.national)
    login(client, cast.officer_a)
    page = client.get(reverse("workspace:detail", args=[report.tracking])).content.decode()
    assert "Rekan Kerja (0 terbuka)" in page
    client.post(
        reverse("workspace:act", args=[report.tracking]),
        {"action": "assign", "assignee": colleague.pk, "note": "Tolong cek ke kelurahan."},
    )
    report.refresh_from_db()
    assert report.assigned_to == colleague
    event = ReportEvent.objects.get(report=report, action="assign")
    assert event.note == "Tolong cek ke kelurahan." and not event.is_public
    login(client, colleague)
    mine = client.get(reverse("workspace:inbox"), {"assigned": "me"}).content.decode()
    assert report.tracking in mine
    page = client.get(reverse("workspace:detail", args=[report.tracking])).content.decode()
    assert "Tolong cek ke kelurahan." in page


def test_reassigning_moves_the_report_and_the_loads(client, cast, agency_a):
    colleague = make_staff(Role.Kind.OFFICER, agency=agency_a)
    report = dispatched_report(agency_a, cast.national)
    report_transition(
        report_id=report.pk, action="assign", actor=cast.admin_a, assignee=cast.officer_a
    )
    report_transition(report_id=report.pk, action="assign", actor=cast.admin_a, assignee=colleague)
    assert Report.objects.get(pk=report.pk).assigned_to == colleague
    login(client, cast.admin_a)
    loads = client.get(reverse("workspace:inbox")).context["loads"]
    by_user = {u.pk: u.open_load for u in loads}
    assert by_user[colleague.pk] == 1 and by_user[cast.officer_a.pk] == 0


def test_an_assignee_must_be_able_to_open_the_report(client, cast, agency_a):
    unit = Agency.objects.get(slug="pemkot-3273-dinas-kesehatan")
    sibling = Agency.objects.filter(parent=agency_a).exclude(pk=unit.pk).first()
    other_unit_officer = make_staff(Role.Kind.OFFICER, agency=sibling)
    report = dispatched_report(unit, cast.national)
    for outsider in (cast.officer_b, other_unit_officer):
        with pytest.raises(InvalidAction):
            report_transition(
                report_id=report.pk, action="assign", actor=cast.officer_a, assignee=outsider
            )
        login(client, cast.officer_a)
        response = client.post(
            reverse("workspace:act", args=[report.tracking]),
            {"action": "assign", "assignee": outsider.pk},
            follow=True,
        )
        assert "Pilih petugas instansi ini." in response.content.decode()
    report.refresh_from_db()
    assert report.assigned_to is None
    assert not ReportEvent.objects.filter(report=report, action="assign").exists()


def test_round_robin_shares_a_units_new_reports_by_open_load(cast, agency_a):
    unit = Agency.objects.get(slug="pemkot-3273-dinas-kesehatan")
    unit.round_robin = True
    unit.save()
    first = make_staff(Role.Kind.OFFICER, agency=unit)
    second = make_staff(Role.Kind.OFFICER, agency=unit)
    make_staff(Role.Kind.AGENCY_ADMIN, agency=unit)  # admins are not in the rotation
    reports = [dispatched_report(unit, cast.national) for _ in range(4)]
    holders = [Report.objects.get(pk=r.pk).assigned_to for r in reports]
    assert holders == [first, second, first, second]
    event = ReportEvent.objects.get(report=reports[0], action="dispatch")
    assert event.data["round_robin"] is True
    # A unit without it leaves new reports unassigned.
    plain = dispatched_report(agency_a, cast.national)
    assert Report.objects.get(pk=plain.pk).assigned_to is None


def test_an_agency_admin_turns_round_robin_on_for_a_unit(client, cast, agency_a):
    unit = Agency.objects.get(slug="pemkot-3273-dinas-kesehatan")
    login(client, cast.admin_a)
    client.post(reverse("manage:home"), {"form": "round_robin", "agency": unit.pk, "enabled": "1"})
    unit.refresh_from_db()
    assert unit.round_robin
    login(client, cast.admin_a)
    other = Agency.objects.get(slug="pemkab-3201")
    response = client.post(
        reverse("manage:home"), {"form": "round_robin", "agency": other.pk, "enabled": "1"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert not other.round_robin
