"""Agency admins manage officers and units of their own agency, nobody else's."""

import pytest
from django.urls import reverse

from agencies.models import Agency, Role, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_admin_appoints_an_officer_who_then_works_the_queue(client, cast, agency_a):
    login(client, cast.admin_a)
    unit = Agency.objects.get(slug="pemkot-3273-dinas-kesehatan")
    response = client.post(
        reverse("manage:home"),
        {
            "form": "appoint",
            "email": "petugas.baru@bandung.go.id",
            "full_name": "Petugas Baru",
            "kind": "officer",
            "agency": unit.pk,
            "decree": "SK 12/2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="petugas.baru@bandung.go.id")
    role = Role.objects.get(user=user)
    assert role.agency == unit
    assert role.decree == "SK 12/2026"
    assert not user.has_usable_password()


def test_admin_cannot_appoint_into_another_agency(client, cast, agency_b):
    login(client, cast.admin_a)
    client.post(
        reverse("manage:home"),
        {
            "form": "appoint",
            "email": "penyusup@example.id",
            "full_name": "Penyusup",
            "kind": "agency_admin",
            "agency": agency_b.pk,
        },
    )
    assert not User.objects.filter(email="penyusup@example.id").exists()
    assert not Role.objects.filter(agency=agency_b, kind="agency_admin").exists()


def test_admin_adds_a_unit_under_their_agency(client, cast, agency_a):
    login(client, cast.admin_a)
    client.post(
        reverse("manage:home"),
        {"form": "unit", "name": "UPT Puskesmas Cibeunying", "parent": agency_a.pk},
    )
    unit = Agency.objects.get(name="UPT Puskesmas Cibeunying")
    assert unit.parent == agency_a
    assert unit.path.startswith(agency_a.path)
    assert unit.path == f"{agency_a.path}{unit.pk}/"


def test_admin_revokes_an_officer_of_their_agency_only(client, cast):
    login(client, cast.admin_a)
    role_a = cast.officer_a.roles.get()
    role_b = cast.officer_b.roles.get()
    assert client.post(reverse("manage:revoke", args=[role_b.pk])).status_code == 404
    client.post(reverse("manage:revoke", args=[role_a.pk]))
    role_a.refresh_from_db()
    role_b.refresh_from_db()
    assert not role_a.is_active
    assert role_b.is_active


def test_officers_and_strangers_cannot_manage(client, cast):
    for user in (cast.officer_a, cast.citizen, cast.supervisor):
        login(client, user)
        assert client.get(reverse("manage:home")).status_code == 403


def test_a_person_turns_off_optional_notices(client, cast):
    login(client, cast.officer_a)
    response = client.post(
        reverse("accounts:settings"), {"full_name": "Petugas A", "phone": "", "notify_optional": ""}
    )
    assert response.status_code == 302
    cast.officer_a.refresh_from_db()
    assert cast.officer_a.notify_optional is False
