"""Answer templates: personal or shared by the agency, narrowed by category and status, with
the reporter's greeting, tracking number and deadline filled in (no anonymous name ever)."""

import pytest
from django.urls import reverse

from complaints.models import AnswerTemplate
from routing.models import Category
from tests.factories import PASSWORD, dispatched_report

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _detail(client, report):
    return client.get(reverse("workspace:detail", args=[report.tracking])).content.decode()


def test_placeholders_are_filled_and_an_anonymous_reporter_is_not_named(client, cast, agency_a):
    named = dispatched_report(agency_a, cast.national, reporter_name="Budi Santoso")
    anon = dispatched_report(agency_a, cast.national, reporter_name="Rahasia", is_anonymous=True)
    AnswerTemplate.objects.create(
        agency=agency_a,
        title="Diterima",
        body="{salam}, laporan {nomor} kami jawab sebelum {batas}.",
    )
    login(client, cast.officer_a)
    page = _detail(client, named)
    due = named.response_due.strftime("%d-%m-%Y")
    assert (
        f"Yth. Bapak/Ibu Budi Santoso, laporan {named.tracking} kami jawab sebelum {due}." in page
    )
    page = _detail(client, anon)
    assert "Yth. Pelapor, laporan" in page and "Rahasia" not in page


def test_personal_templates_are_their_owners_and_shared_ones_need_an_admin(client, cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    login(client, cast.officer_a)
    client.post(
        reverse("workspace:templates"),
        {
            "agency": agency_a.pk,
            "title": "Milik saya",
            "body": "Isi pribadi",
            "for_action": "resolve",
        },
    )
    response = client.post(
        reverse("workspace:templates"),
        {"agency": agency_a.pk, "title": "Bersama", "body": "Isi bersama", "shared": "1"},
        follow=True,
    )
    assert "Hanya admin instansi yang dapat membagikan templat." in response.content.decode()
    mine = AnswerTemplate.objects.get(title="Milik saya")
    assert mine.owner == cast.officer_a and mine.for_action == "resolve"
    assert 'data-for="resolve"' in _detail(client, report)
    login(client, cast.admin_a)
    assert "Isi pribadi" not in _detail(client, report)
    client.post(
        reverse("workspace:templates"),
        {"agency": agency_a.pk, "title": "Bersama", "body": "Isi bersama", "shared": "1"},
    )
    login(client, cast.officer_a)
    assert "Isi bersama" in _detail(client, report)


def test_a_template_limited_to_a_category_or_status_shows_only_there(client, cast, agency_a):
    health = Category.objects.get(code="kesehatan")
    report = dispatched_report(agency_a, cast.national)
    AnswerTemplate.objects.create(
        agency=agency_a, title="K", body="Untuk kesehatan", category=health
    )
    AnswerTemplate.objects.create(
        agency=agency_a, title="S", body="Untuk dikerjakan", status="in_progress"
    )
    AnswerTemplate.objects.create(
        agency=agency_a, title="D", body="Untuk disposisi", status="dispatched"
    )
    login(client, cast.officer_a)
    page = _detail(client, report)
    assert "Untuk disposisi" in page
    assert "Untuk kesehatan" not in page and "Untuk dikerjakan" not in page
