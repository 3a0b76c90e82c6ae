"""Who is told what: citizens on public changes, officers on a new report in their queue,
never the anonymous reporter's identity in a message to an agency."""

import pytest
from django.core import mail

from agencies.models import Agency, Role
from complaints.models import OutboxMessage
from complaints.services import report_transition
from tests.factories import dispatched_report, make_staff

pytestmark = pytest.mark.django_db


def test_dispatch_tells_the_officers_of_the_agency_once(
    cast, agency_a, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = dispatched_report(agency_a, cast.national)
    officer_mail = [m for m in mail.outbox if cast.officer_a.email in m.to]
    assert len(officer_mail) == 1
    assert report.tracking in officer_mail[0].subject
    assert not [m for m in mail.outbox if cast.officer_b.email in m.to]


def test_officer_can_turn_off_optional_notices(cast, agency_a):
    cast.officer_a.notify_optional = False
    cast.officer_a.save()
    report = dispatched_report(agency_a, cast.national)
    assert not OutboxMessage.objects.filter(report=report, recipient=cast.officer_a.email)
    assert OutboxMessage.objects.filter(report=report, recipient=cast.admin_a.email).exists()


def test_anonymous_identity_never_in_agency_mail(
    cast, agency_a, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = dispatched_report(
            agency_a,
            cast.national,
            is_anonymous=True,
            reporter_name="Nama Rahasia Sekali",
            reporter_email="rahasia@example.id",
            reporter_phone="081299998888",
        )
        report_transition(report_id=report.pk, action="respond", actor=cast.officer_a, note="ok")
    staff = {cast.officer_a.email, cast.admin_a.email}
    agency_mail = [m for m in mail.outbox if set(m.to) & staff]
    assert agency_mail
    for message in agency_mail:
        text = message.subject + message.body
        for secret in ("Nama Rahasia Sekali", "rahasia@example.id", "081299998888"):
            assert secret not in text


def test_citizen_hears_of_public_changes_not_internal_notes(cast, agency_a):
    report = dispatched_report(agency_a, cast.national, reporter_email="warga@example.id")
    before = OutboxMessage.objects.filter(recipient="warga@example.id").count()
    report_transition(report_id=report.pk, action="note", actor=cast.officer_a, note="internal")
    assert OutboxMessage.objects.filter(recipient="warga@example.id").count() == before
    report_transition(report_id=report.pk, action="respond", actor=cast.officer_a, note="Kami cek")
    assert OutboxMessage.objects.filter(recipient="warga@example.id").count() == before + 1


def test_unit_dispatch_tells_unit_officers(cast):
    unit = Agency.objects.get(slug="pemkot-3273-dinas-kesehatan")
    unit_officer = make_staff(Role.Kind.OFFICER, agency=unit)
    report = dispatched_report(unit, cast.national)
    assert OutboxMessage.objects.filter(report=report, recipient=unit_officer.email).count() == 1
