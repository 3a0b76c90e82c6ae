"""Guest keys (issue 14): the reporter's key in the link of their e-mail stops working
LAPOR_GUEST_KEY_DAYS after the report is finished (default 180); an expired key reads like no
key; a new one is sent to the contact the report was filed with, from a form that never says
whether the contact matched, rate-limited, and the old key stops working."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from complaints.models import OutboxMessage, Report, ReportEvent
from complaints.services import report_transition
from tests.factories import attach_photo, dispatched_report, file_report

pytestmark = pytest.mark.django_db

STORY = "Jawaban rahasia dari dinas untuk pelapor"


def closed_report(cast, agency, **overrides):
    """A confidential report answered, accepted and closed by its guest reporter."""
    report = dispatched_report(agency, cast.national, is_confidential=True, **overrides)
    for action, note in (("respond", "Kami periksa"), ("resolve", STORY)):
        report_transition(report_id=report.pk, action=action, actor=cast.officer_a, note=note)
    report_transition(report_id=report.pk, action="accept", token=report.reporter_secret, rating=4)
    report.refresh_from_db()
    assert report.finished_at is not None
    return report


def finished_days_ago(report, days):
    at = timezone.now() - dt.timedelta(days=days)
    Report.objects.filter(pk=report.pk).update(finished_at=at, reporter_secret_at=None)


def page(report, key):
    return Client().get(f"/lacak/{report.tracking}/", {"k": key})


def reissue(report, contact, client=None):
    return (client or Client()).post(f"/lacak/{report.tracking}/kunci-baru/", {"kontak": contact})


def test_the_default_is_180_days_and_the_setting_reads_the_environment():
    assert settings.LAPOR_GUEST_KEY_DAYS == 180


def test_a_key_works_until_the_limit_after_the_report_is_finished(cast, agency_a):
    report = closed_report(cast, agency_a)
    finished_days_ago(report, 179)
    fresh = page(report, report.reporter_secret)
    assert STORY in fresh.text and 'id="reporter-actions"' in fresh.text
    assert 'data-testid="key-expires"' in fresh.text  # the reporter is told until when

    finished_days_ago(report, 181)
    old = page(report, report.reporter_secret)
    assert old.status_code == 200
    # Like no key: neither the timeline's text nor an action, and the way to a new key.
    assert STORY not in old.text and report.title not in old.text
    assert 'id="reporter-actions"' not in old.text and 'name="action"' not in old.text
    assert 'data-testid="key-expired"' in old.text
    assert f"/lacak/{report.tracking}/kunci-baru/" in old.text
    refused = Client().post(
        f"/lacak/{report.tracking}/",
        {"k": report.reporter_secret, "action": "reply", "note": "Masih rusak"},
    )
    assert refused.status_code == 403
    assert not report.events.filter(action="reply").exists()


def test_an_expired_key_no_longer_opens_the_reporters_files(cast, agency_a):
    report = closed_report(cast, agency_a)
    photo = attach_photo(report)
    url = f"/lampiran/{photo.pk}/"
    assert Client().get(url, {"k": report.reporter_secret}).status_code == 200
    finished_days_ago(report, 181)
    assert Client().get(url, {"k": report.reporter_secret}).status_code == 404


def test_the_limit_is_configurable(cast, agency_a, settings):
    settings.LAPOR_GUEST_KEY_DAYS = 30
    report = closed_report(cast, agency_a)
    finished_days_ago(report, 29)
    assert STORY in page(report, report.reporter_secret).text
    finished_days_ago(report, 31)
    assert STORY not in page(report, report.reporter_secret).text


def test_an_open_reports_key_does_not_expire(cast, agency_a):
    report = dispatched_report(agency_a, cast.national, is_confidential=True)
    Report.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3 * 365)
    )
    answer = page(report, report.reporter_secret)
    assert report.title in answer.text and 'data-testid="key-expired"' not in answer.text


def test_a_wrong_key_gets_the_same_page_as_an_expired_one(cast, agency_a):
    report = closed_report(cast, agency_a)
    answer = page(report, "bukan-kunci-yang-benar")
    assert 'data-testid="key-expired"' in answer.text and STORY not in answer.text


def test_a_new_key_goes_to_the_reporters_email_and_the_old_one_stops(cast, agency_a):
    report = closed_report(cast, agency_a)
    finished_days_ago(report, 400)
    old_key = report.reporter_secret
    form = Client().get(f"/lacak/{report.tracking}/kunci-baru/")
    assert form.status_code == 200 and 'name="kontak"' in form.text

    answer = reissue(report, report.reporter_email.upper())
    assert answer.status_code == 200 and 'data-testid="key-sent"' in answer.text
    report.refresh_from_db()
    assert report.reporter_secret != old_key
    message = OutboxMessage.objects.get(
        recipient=report.reporter_email, channel="email", subject__contains="Tautan baru"
    )
    assert f"/lacak/{report.tracking}/?k={report.reporter_secret}" in message.body
    # The audit trail records it, internally, without the key itself.
    event = ReportEvent.objects.filter(report=report).latest("pk")
    assert (event.action, event.is_public) == ("reissue_key", False)
    assert report.reporter_secret not in str(event.data) and old_key not in str(event.data)

    assert STORY not in page(report, old_key).text
    assert STORY in page(report, report.reporter_secret).text  # valid again for 180 days


def test_a_new_key_goes_by_sms_to_a_phone_reporter(cast, agency_a):
    report = closed_report(cast, agency_a, reporter_email="", reporter_phone="0812-3456-7890")
    finished_days_ago(report, 200)
    reissue(report, "+62 812 3456 7890")
    report.refresh_from_db()
    text = OutboxMessage.objects.get(channel="sms", body__contains="?k=")
    assert text.recipient == "0812-3456-7890"
    assert report.reporter_secret in text.body and len(text.body) <= 160


def test_the_answer_never_says_whether_the_contact_matched(cast, agency_a):
    report = closed_report(cast, agency_a)
    key = report.reporter_secret
    wrong = reissue(report, "orang.lain@example.id")
    right = reissue(report, report.reporter_email)
    strip = lambda r: re.sub(r'(CSRFToken": "|value=")[\w-]{32,}', "", r.text)  # noqa: E731
    assert wrong.status_code == right.status_code == 200
    assert strip(wrong) == strip(right)
    report.refresh_from_db()
    assert report.reporter_secret != key
    assert not OutboxMessage.objects.filter(recipient="orang.lain@example.id").exists()


def test_a_contact_that_does_not_match_changes_nothing(cast, agency_a):
    report = closed_report(cast, agency_a)
    key, events = report.reporter_secret, report.events.count()
    for contact in ("orang.lain@example.id", "0899 0000 0000", "bukan kontak"):
        assert reissue(report, contact).status_code == 200
    report.refresh_from_db()
    assert report.reporter_secret == key and report.events.count() == events


def test_an_empty_or_hostile_contact_is_refused_clearly(cast, agency_a):
    report = closed_report(cast, agency_a)
    empty = reissue(report, "")
    assert empty.status_code == 400 and "Tulis email atau nomor HP" in empty.text
    assert reissue(report, "budi\x00@example.id").status_code == 400


def test_reissue_is_rate_limited_per_address(cast, agency_a, settings):
    settings.LAPOR_RATE_LIMITS = {**settings.LAPOR_RATE_LIMITS, "reissue": (3, 600)}
    report = closed_report(cast, agency_a)
    client = Client()
    for _ in range(3):
        assert reissue(report, "orang.lain@example.id", client).status_code == 200
    key = report.reporter_secret
    limited = reissue(report, report.reporter_email, client)
    assert limited.status_code == 429 and limited["Retry-After"]
    report.refresh_from_db()
    assert report.reporter_secret == key


def test_a_report_without_a_contact_cannot_be_reissued(cast, agency_a):
    report = file_report(reporter_email="", reporter_phone="", is_anonymous=True)
    key = report.reporter_secret
    assert reissue(report, "").status_code == 400
    assert reissue(report, "x@example.id").status_code == 200
    report.refresh_from_db()
    assert report.reporter_secret == key


def test_unknown_tracking_number_is_404():
    assert Client().get("/lacak/LPR-XXXXX-XXXXX/kunci-baru/").status_code == 404
