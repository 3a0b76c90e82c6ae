"""As an attacker: an officer of agency A against agency B's reports, by URL, by form post and by
guessing ids; a province supervisor outside their province; identity of anonymous reporters."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from agencies.models import Agency, Province, Role
from complaints.models import Report, ReportEvent, Status
from complaints.services import attachment_save
from complaints.uploads import check_upload
from tests.factories import PASSWORD, dispatched_report, make_staff

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def inbox_rows(client, **params) -> str:
    """The inbox table only (the page echoes the query elsewhere, e.g. in the language form)."""
    html = client.get(reverse("workspace:inbox"), params).content.decode()
    start = html.index('data-testid="inbox"')
    return html[start : html.index("</table>", start)]


def export(client, **params) -> str:
    response = client.get(reverse("workspace:export"), params)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def b_report(cast, agency_b):
    report = dispatched_report(
        agency_b,
        cast.national,
        title="Laporan milik Bogor",
        is_anonymous=True,
        reporter_name="Pelapor Tersembunyi",
        reporter_email="tersembunyi@example.id",
    )
    attachment_save(
        report=report, upload=check_upload(SimpleUploadedFile("foto.png", PNG, "image/png"))
    )
    return report


def test_officer_a_cannot_open_list_act_download_or_export_b(client, cast, b_report):
    login(client, cast.officer_a)
    assert client.get(reverse("workspace:detail", args=[b_report.tracking])).status_code == 404
    assert client.get(reverse("triage:detail", args=[b_report.tracking])).status_code == 403
    assert b_report.tracking not in inbox_rows(client)
    assert b_report.tracking not in inbox_rows(client, q=b_report.tracking)
    events = ReportEvent.objects.filter(report=b_report).count()
    for action, extra in [
        ("respond", {"note": "x"}),
        ("resolve", {"note": "x"}),
        ("transfer", {"note": "x", "agency": cast.officer_a.roles.get().agency_id}),
        ("note", {"note": "x"}),
        ("assign", {"assignee": "me"}),
        ("verify", {}),
    ]:
        url = reverse("workspace:act", args=[b_report.tracking])
        assert client.post(url, {"action": action, **extra}).status_code == 404, action
    assert ReportEvent.objects.filter(report=b_report).count() == events
    attachment = b_report.attachments.get()
    assert client.get(reverse("complaints:attachment", args=[attachment.pk])).status_code == 404
    assert b_report.tracking not in export(client)


def test_guessing_attachment_ids_reveals_nothing(client, cast, b_report):
    login(client, cast.officer_a)
    real = b_report.attachments.get().pk
    missing = client.get(reverse("complaints:attachment", args=[real + 1000]))
    forbidden = client.get(reverse("complaints:attachment", args=[real]))
    assert missing.status_code == forbidden.status_code == 404


def test_officer_b_never_sees_the_anonymous_identity(client, cast, b_report):
    login(client, cast.officer_b)
    page = client.get(reverse("workspace:detail", args=[b_report.tracking])).content.decode()
    assert "Laporan milik Bogor" in page
    assert "Pelapor Tersembunyi" not in page
    assert "tersembunyi@example.id" not in page
    exported = export(client)
    assert b_report.tracking in exported
    assert "tersembunyi" not in exported.lower()
    # The attachment is theirs to download.
    attachment = b_report.attachments.get()
    response = client.get(reverse("complaints:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG


def test_export_has_the_inbox_rows_with_filters(client, cast, agency_a):
    late = dispatched_report(agency_a, cast.national, title="Satu")
    other = dispatched_report(agency_a, cast.national, title="Dua")
    Report.objects.filter(pk=late.pk).update(status=Status.IN_PROGRESS, agency=late.agency)
    login(client, cast.officer_a)
    body = export(client, status="in_progress")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][0] == "Nomor"  # column titles in the reader's language
    assert [r[0] for r in rows[1:]] == [late.tracking]
    assert other.tracking not in body


def test_supervisor_reads_only_in_own_province(client, cast, agency_a):
    inside = dispatched_report(agency_a, cast.national)
    outside_agency = Agency.objects.get(slug="pemkot-3578")  # Kota Surabaya, Jawa Timur
    outside = dispatched_report(outside_agency, cast.national)
    ministry = dispatched_report(Agency.objects.get(slug="kemenkes"), cast.national)
    login(client, cast.supervisor)
    inbox = inbox_rows(client)
    assert inside.tracking in inbox
    assert outside.tracking not in inbox
    assert ministry.tracking not in inbox
    assert client.get(reverse("workspace:detail", args=[outside.tracking])).status_code == 404
    url = reverse("workspace:act", args=[inside.tracking])
    assert client.post(url, {"action": "respond", "note": "x"}).status_code == 403
    assert client.post(url, {"action": "note", "note": "x"}).status_code == 403


def test_citizen_and_stranger_get_no_workspace(client, cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    for user in (cast.citizen, cast.stranger):
        login(client, user)
        assert client.get(reverse("workspace:inbox")).status_code == 403
        assert client.get(reverse("workspace:detail", args=[report.tracking])).status_code == 403
        assert client.get(reverse("workspace:export")).status_code == 403
    client.logout()
    assert client.get(reverse("workspace:inbox")).status_code == 302  # to sign-in


def test_unit_officer_sees_only_the_unit_subtree(client, cast):
    unit = Agency.objects.get(slug="pemkot-3273-dinas-kesehatan")
    sibling = Agency.objects.get(slug="pemkot-3273-dinas-pupr")
    unit_officer = make_staff(Role.Kind.OFFICER, agency=unit)
    mine = dispatched_report(unit, cast.national)
    theirs = dispatched_report(sibling, cast.national)
    parent_level = dispatched_report(unit.parent, cast.national)
    login(client, unit_officer)
    inbox = inbox_rows(client)
    assert mine.tracking in inbox
    assert theirs.tracking not in inbox
    assert parent_level.tracking not in inbox
    # The city's own officer sees all three.
    login(client, cast.officer_a)
    inbox = inbox_rows(client)
    assert all(r.tracking in inbox for r in (mine, theirs, parent_level))


def test_ombudsman_sees_escalated_only(client, cast, agency_a):
    plain = dispatched_report(agency_a, cast.national)
    escalated = dispatched_report(agency_a, cast.national)
    Report.objects.filter(pk=escalated.pk).update(ombudsman_visible=True)
    login(client, cast.ombudsman)
    inbox = inbox_rows(client)
    assert escalated.tracking in inbox
    assert plain.tracking not in inbox
    assert Province.objects.exists()
