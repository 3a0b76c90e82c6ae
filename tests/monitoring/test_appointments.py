"""SK pengelola (agencies.Appointment): entered by the agency's admin or a national admin, shown
on the agency's page and the dashboards with its expiry, and the ground of connectedness as
SP4N-LAPOR! counts it (a decree in force and an active agency admin)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Appointment, Role
from agencies.services import appointment_record
from tests.factories import make_staff

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf(name="sk.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def record(
    agency,
    actor,
    *,
    signed=-30,
    until=300,
    people="Budi Santoso, Kepala Diskominfo, Admin Instansi",
):
    today = timezone.localdate()
    return appointment_record(
        agency=agency,
        actor=actor,
        number=f"800/{agency.pk}/2026",
        signed_on=today + dt.timedelta(days=signed),
        valid_until=today + dt.timedelta(days=until),
        appointees=people,
        file=pdf(),
    )


def form(**overrides):
    today = timezone.localdate()
    data = {
        "number": "188.45/Kep.123-Diskominfo/2026",
        "signed_on": (today - dt.timedelta(days=10)).isoformat(),
        "valid_until": (today + dt.timedelta(days=365)).isoformat(),
        "appointees": (
            "Rina Marlina, Kepala Bagian Organisasi, Admin Instansi\nAsep Sunandar, Staf, Pengelola"
        ),
        "file": pdf(),
    }
    data.update(overrides)
    return data


def test_the_agency_admin_records_its_sk_and_the_page_shows_it(client, cast, agency_a):
    client.force_login(cast.admin_a)
    page = client.get(reverse("monitoring:agency", args=[agency_a.pk]))
    assert page.context["appointment_now"]["state"] == "none"
    assert page.context["appointment_form"] is not None
    response = client.post(reverse("monitoring:appointment-add", args=[agency_a.pk]), form())
    assert response.status_code == 302
    sk = Appointment.objects.get(agency=agency_a)
    assert sk.entered_by == cast.admin_a
    assert sk.people() == [
        "Rina Marlina, Kepala Bagian Organisasi, Admin Instansi",
        "Asep Sunandar, Staf, Pengelola",
    ]
    html = client.get(reverse("monitoring:agency", args=[agency_a.pk])).content.decode()
    assert "188.45/Kep.123-Diskominfo/2026" in html
    assert "Rina Marlina" in html
    download = client.get(reverse("monitoring:appointment-file", args=[sk.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"


def test_a_national_admin_records_any_agencys_sk(client, cast, agency_b):
    client.force_login(cast.national)
    response = client.post(reverse("monitoring:appointment-add", args=[agency_b.pk]), form())
    assert response.status_code == 302
    assert Appointment.objects.filter(agency=agency_b, entered_by=cast.national).exists()


def test_no_one_else_records_or_reads_an_sk(client, cast, agency_a, agency_b):
    sk = record(agency_a, cast.admin_a)
    admin_b = make_staff(Role.Kind.AGENCY_ADMIN, agency=agency_b)
    for user in (admin_b, cast.officer_a, cast.supervisor, cast.citizen):
        client.force_login(user)
        url = reverse("monitoring:appointment-add", args=[agency_a.pk])
        assert client.post(url, form()).status_code == 403, user
    assert Appointment.objects.count() == 1
    for user in (admin_b, cast.officer_b, cast.citizen):
        client.force_login(user)
        assert client.get(reverse("monitoring:appointment-file", args=[sk.pk])).status_code == 404
    client.force_login(cast.supervisor)  # supervises the province: reads its agencies' decrees
    assert client.get(reverse("monitoring:appointment-file", args=[sk.pk])).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"file": pdf("sk.pdf", b"GIF89a not a decree")}, "harus PDF"),
        ({"valid_until": "2020-01-01"}, "sesudah tanggal SK"),
        ({"appointees": "   \n  "}, ""),
        ({"number": ""}, ""),
        ({"signed_on": "2026-02-30"}, ""),
    ],
)
def test_a_bad_sk_is_a_clear_400_and_nothing_is_stored(client, cast, agency_a, overrides, message):
    client.force_login(cast.admin_a)
    response = client.post(
        reverse("monitoring:appointment-add", args=[agency_a.pk]), form(**overrides)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Appointment.objects.exists()


def _connected(client, code="32"):
    response = client.get(reverse("monitoring:province", args=[code]))
    rows = {row["key"]: row for row in response.context["table"]["rows"]}
    return response, rows


def test_connectedness_counts_agencies_with_a_decree_in_force_and_an_admin(
    client, cast, agency_a, agency_b
):
    """SP4N-LAPOR!'s keterhubungan: an admin account alone no longer connects an agency."""
    client.force_login(cast.national)
    governments = Agency.objects.top_level().filter(province_id="32", is_active=True).count()
    response, rows = _connected(client)
    assert rows[agency_a.pk]["values"]["connectedness"] == 0.0  # admin_a, but no decree
    assert response.context["whole"]["values"]["connectedness"] == 0.0

    record(agency_a, cast.national)
    response, rows = _connected(client)
    assert rows[agency_a.pk]["values"]["connectedness"] == 1.0
    assert response.context["whole"]["values"]["connectedness"] == pytest.approx(1 / governments)

    record(agency_b, cast.national)  # a decree but no admin account: not connected
    _, rows = _connected(client)
    assert rows[agency_b.pk]["values"]["connectedness"] == 0.0
    make_staff(Role.Kind.AGENCY_ADMIN, agency=agency_b)
    response, rows = _connected(client)
    assert rows[agency_b.pk]["values"]["connectedness"] == 1.0
    assert response.context["whole"]["values"]["connectedness"] == pytest.approx(2 / governments)


def test_an_expired_or_future_decree_does_not_connect(client, cast, agency_a):
    client.force_login(cast.national)
    record(agency_a, cast.national, signed=-400, until=-1)
    _, rows = _connected(client)
    assert rows[agency_a.pk]["values"]["connectedness"] == 0.0
    assert rows[agency_a.pk]["sk"]["state"] == "expired"
    record(agency_a, cast.national, signed=5, until=400)
    _, rows = _connected(client)
    assert rows[agency_a.pk]["values"]["connectedness"] == 0.0
    record(agency_a, cast.national, signed=-10, until=20)  # in force, ending soon
    _, rows = _connected(client)
    assert rows[agency_a.pk]["values"]["connectedness"] == 1.0
    assert rows[agency_a.pk]["sk"]["state"] == "expiring"
    html = client.get(reverse("monitoring:province", args=["32"])).content.decode()
    assert "Berakhir dalam 20 hari" in html


def test_activity_counts_connected_agencies_whose_staff_worked_in_30_days(
    client, cast, agency_a, agency_b
):
    from agencies.models import User

    client.force_login(cast.national)
    record(agency_a, cast.national)
    record(agency_b, cast.national)
    make_staff(Role.Kind.AGENCY_ADMIN, agency=agency_b)
    long_ago = timezone.now() - dt.timedelta(days=45)
    staff = User.objects.filter(roles__agency__in=[agency_a, agency_b])
    staff.update(last_login=long_ago, last_active_at=long_ago)
    _, rows = _connected(client)
    assert rows[agency_a.pk]["values"]["activity"] == 0.0
    User.objects.filter(pk=cast.officer_a.pk).update(last_active_at=timezone.now())
    response, rows = _connected(client)
    assert rows[agency_a.pk]["values"]["activity"] == 1.0
    assert rows[agency_b.pk]["values"]["activity"] == 0.0
    assert response.context["whole"]["values"]["activity"] == pytest.approx(1 / 2)
    assert "dalam 30 hari terakhir" in response.content.decode()  # stated on the page
