"""The one table of what each audience sees of a report (complaints.audiences), and the
audience each member of the cast is to a report (complaints.permissions.audience_for)."""

import pytest

from complaints.audiences import ALL, NONE, PUBLIC, STATUSES, Audience, view_for
from complaints.models import Report
from complaints.permissions import audience_for, can_see_identity
from tests.factories import dispatched_report, file_report

pytestmark = pytest.mark.django_db


def _report(**fields) -> Report:
    values = {
        "status": "dispatched",
        "is_anonymous": False,
        "is_confidential": False,
        "ombudsman_share_identity": False,
        "verified_at": None,
    }
    values.update(fields)
    return Report(**values)


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.NUMBER_HOLDER])
def test_the_public_sees_a_confidential_or_unpublished_report_as_statuses_only(audience):
    for report in (_report(is_confidential=True), _report(status="submitted")):
        view = view_for(report, audience)
        assert (view.content, view.identity, view.timeline, view.files) == (
            False,
            False,
            STATUSES,
            NONE,
        )


def test_no_one_but_triage_and_the_reporter_sees_an_anonymous_reporter():
    report = _report(is_anonymous=True)
    seeing = {a for a in Audience if view_for(report, a).identity}
    assert seeing == {Audience.TRIAGE, Audience.REPORTER}


def test_the_ombudsman_sees_who_filed_only_with_the_reporters_consent():
    assert not view_for(_report(), Audience.OMBUDSMAN).identity
    assert view_for(_report(ombudsman_share_identity=True), Audience.OMBUDSMAN).identity


def test_a_former_holder_sees_where_it_went_not_what_it_says():
    view = view_for(_report(), Audience.FORMER_HOLDER)
    assert (view.content, view.identity, view.timeline, view.files) == (
        False,
        False,
        STATUSES,
        NONE,
    )


def test_staff_who_may_open_it_read_every_event():
    for audience in (Audience.HOLDER, Audience.SUPERVISOR, Audience.OMBUDSMAN, Audience.TRIAGE):
        assert view_for(_report(is_confidential=True), audience).timeline == ALL
    assert view_for(_report(is_confidential=True), Audience.REPORTER).timeline == PUBLIC


def test_who_each_member_of_the_cast_is_to_a_report(cast, agency_a):
    report = dispatched_report(agency_a, cast.national, reporter=cast.citizen)
    expected = {
        cast.national: Audience.TRIAGE,
        cast.citizen: Audience.REPORTER,
        cast.officer_a: Audience.HOLDER,
        cast.supervisor: Audience.SUPERVISOR,
        cast.officer_b: Audience.NUMBER_HOLDER,
        cast.stranger: Audience.NUMBER_HOLDER,
        None: Audience.NUMBER_HOLDER,
    }
    for user, audience in expected.items():
        assert audience_for(user, report) == audience, user
    assert audience_for(None, report, token=report.reporter_secret) == Audience.REPORTER


def test_the_ombudsman_is_refused_a_named_reporter_without_consent(cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    Report.objects.filter(pk=report.pk).update(ombudsman_visible=True)
    report.refresh_from_db()
    assert audience_for(cast.ombudsman, report) == Audience.OMBUDSMAN
    assert not can_see_identity(cast.ombudsman, report)
    Report.objects.filter(pk=report.pk).update(ombudsman_share_identity=True)
    report.refresh_from_db()
    assert can_see_identity(cast.ombudsman, report)


def test_an_unpublished_report_shows_its_number_holder_no_content(client):
    report = file_report(title="Belum diverifikasi sama sekali")
    page = client.get(f"/lacak/{report.tracking}/").content.decode()
    assert "Belum diverifikasi sama sekali" not in page
    body = client.get(f"/api/v1/reports/{report.tracking}/").json()
    assert body["title"] is None
