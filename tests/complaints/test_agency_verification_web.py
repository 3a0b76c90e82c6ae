"""Agency verification in the workspace: a report a citizen addressed to an agency is verified
and received by that agency (SP4N-LAPOR!'s Admin Instansi), while national triage still sees
it and no other agency does; the reporter stays hidden until it is the agency's report."""

import pytest
from django.urls import reverse

from complaints.models import ReportEvent, Status
from tests.factories import PASSWORD, file_report

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_addressed_agency_verifies_and_receives_the_report(client, cast, agency_a):
    report = file_report(
        requested_agency_id=agency_a.pk, reporter_name="Wulan Sari", title="Antrean KTP"
    )
    login(client, cast.national)
    assert report.tracking in client.get(reverse("triage:queue")).content.decode()

    login(client, cast.admin_a)
    inbox = client.get(reverse("workspace:inbox")).content.decode()
    assert "1 laporan ditujukan ke instansi Anda menunggu verifikasi" in inbox
    assert report.tracking in inbox
    page = client.get(reverse("workspace:detail", args=[report.tracking])).content.decode()
    assert 'data-testid="agency-verify"' in page
    assert "Wulan Sari" not in page  # not the agency's report yet
    response = client.post(
        reverse("workspace:act", args=[report.tracking]),
        {"action": "agency_verify", "version": report.version, "note": "Benar wewenang kami."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DISPATCHED and report.agency == agency_a
    event = ReportEvent.objects.get(report=report, action="agency_verify")
    assert event.actor == cast.admin_a and event.note == "Benar wewenang kami."
    page = client.get(reverse("workspace:detail", args=[report.tracking])).content.decode()
    assert "Wulan Sari" in page


def test_no_other_agency_opens_or_verifies_an_addressed_report(client, cast, agency_a):
    report = file_report(requested_agency_id=agency_a.pk)
    login(client, cast.officer_b)
    assert client.get(reverse("workspace:detail", args=[report.tracking])).status_code == 404
    response = client.post(
        reverse("workspace:act", args=[report.tracking]), {"action": "agency_verify"}
    )
    assert response.status_code == 404
    assert report.tracking not in client.get(reverse("workspace:inbox")).content.decode()
    # The addressed agency may verify it, not reject or dispatch it elsewhere: that is triage's.
    login(client, cast.admin_a)
    response = client.post(
        reverse("workspace:act", args=[report.tracking]), {"action": "reject", "note": "x"}
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
