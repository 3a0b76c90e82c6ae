"""The daily digest: one e-mail per officer with their reports due within two working days or
late, none twice, none for who opted out, and the unassigned ones to the agency admin."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from complaints.digest import send_daily_digests
from complaints.models import Report
from complaints.services import report_transition
from tests.factories import dispatched_report, make_staff

pytestmark = pytest.mark.django_db


def _due(report, days):
    Report.objects.filter(pk=report.pk).update(
        response_due=timezone.now() + dt.timedelta(days=days)
    )


def test_one_digest_per_officer_and_none_twice(cast, agency_a, django_capture_on_commit_callbacks):
    other = make_staff("officer", agency=agency_a, full_name="Tanpa Ringkasan")
    other.notify_optional = False
    other.save()
    late = dispatched_report(agency_a, cast.national, title="Sudah lewat")
    soon = dispatched_report(agency_a, cast.national, title="Besok")
    far = dispatched_report(agency_a, cast.national, title="Masih lama")
    unassigned = dispatched_report(agency_a, cast.national, title="Belum ada petugas")
    for r, who in ((late, cast.officer_a), (soon, cast.officer_a), (far, cast.officer_a)):
        report_transition(report_id=r.pk, action="assign", actor=cast.admin_a, assignee=who)
    opted = dispatched_report(agency_a, cast.national, title="Milik yang menolak")
    report_transition(report_id=opted.pk, action="assign", actor=cast.admin_a, assignee=other)
    _due(late, -2), _due(soon, 1), _due(far, 20), _due(unassigned, 1), _due(opted, 1)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests() == 2  # officer_a and admin_a
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == sorted([cast.officer_a.email, cast.admin_a.email])
    officer_mail = next(m for m in mail.outbox if m.to == [cast.officer_a.email])
    assert late.tracking in officer_mail.body and "TERLAMBAT" in officer_mail.body
    assert soon.tracking in officer_mail.body
    assert far.tracking not in officer_mail.body
    admin_mail = next(m for m in mail.outbox if m.to == [cast.admin_a.email])
    assert unassigned.tracking in admin_mail.body
    assert late.tracking not in admin_mail.body  # assigned: the officer's, not the admin's

    with django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests() == 0  # the same day again: nothing
    assert len(mail.outbox) == 2


def test_no_digest_without_anything_due(cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    report_transition(
        report_id=report.pk, action="assign", actor=cast.admin_a, assignee=cast.officer_a
    )
    _due(report, 30)
    assert send_daily_digests() == 0


def test_the_digest_is_on_celery_beat():
    from lapor.celery import app

    assert app.conf.beat_schedule["daily-digest"]["task"] == "complaints.tasks.daily_digest"
