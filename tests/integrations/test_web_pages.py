"""The agency admin's integration pages: keys shown once and stored hashed, revocation, the
call log, webhook registration with its secret shown once; refused to everyone else."""

import pytest

from integrations.models import ApiKey, WebhookEndpoint
from integrations.services import apikey_issue, hash_key
from tests.factories import PASSWORD

from .conftest import api

pytestmark = pytest.mark.django_db
URL = "/kerja/integrasi/"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_admin_issues_a_key_shown_once(client, cast, agency_a):
    login(client, cast.admin_a)
    page = client.post(URL, {"form": "key", "name": "Sistem Kota", "agency": agency_a.pk})
    assert page.status_code == 200
    raw = page.context["new_key"].raw
    assert raw in page.content.decode()
    key = ApiKey.objects.get(agency=agency_a)
    assert key.key_hash == hash_key(raw) and raw not in (key.prefix, key.key_hash)
    assert api(raw).get("/api/v1/agency/").status_code == 200
    again = client.get(URL).content.decode()
    assert raw not in again and key.prefix in again


def test_admin_revokes_a_key_and_reads_its_calls(client, cast, agency_a):
    issued = apikey_issue(agency=agency_a, name="Lama")
    api(issued.raw).get("/api/v1/agency/reports/")
    login(client, cast.admin_a)
    calls = client.get(f"{URL}kunci/{issued.key.pk}/").content.decode()
    assert "/api/v1/agency/reports/" in calls
    assert client.post(f"{URL}kunci/{issued.key.pk}/cabut/").status_code == 302
    assert api(issued.raw).get("/api/v1/agency/").status_code == 401


def test_admin_registers_a_webhook_with_its_secret_shown_once(client, cast, agency_a):
    login(client, cast.admin_a)
    page = client.post(
        URL,
        {
            "form": "webhook",
            "url": "https://sistem.bandung.go.id/lapor",
            "agency": agency_a.pk,
            "events": ["dispatched", "disputed"],
        },
    )
    endpoint = WebhookEndpoint.objects.get(agency=agency_a)
    assert endpoint.events == ["dispatched", "disputed"]
    assert endpoint.secret in page.content.decode()
    assert endpoint.secret not in client.get(URL).content.decode()
    bad = client.post(URL, {"form": "webhook", "url": "ftp://x", "agency": agency_a.pk})
    assert bad.status_code == 400


def test_pages_are_refused_to_others(client, cast, agency_a, agency_b):
    issued = apikey_issue(agency=agency_a, name="A")
    for user in (cast.officer_a, cast.citizen, cast.supervisor):
        login(client, user)
        assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302  # to sign in
    # An admin of B cannot touch A's key, nor issue one for A.
    from agencies.models import Role
    from tests.factories import make_staff

    admin_b = make_staff(Role.Kind.AGENCY_ADMIN, agency=agency_b)
    login(client, admin_b)
    assert client.post(f"{URL}kunci/{issued.key.pk}/cabut/").status_code == 404
    assert client.get(f"{URL}kunci/{issued.key.pk}/").status_code == 404
    forged = client.post(URL, {"form": "key", "name": "x", "agency": agency_a.pk})
    assert forged.status_code == 400
    assert not ApiKey.objects.filter(agency=agency_a, name="x").exists()


def test_a_keys_service_account_is_no_officer_to_pick_or_manage(client, cast, agency_a, key_a):
    from agencies.models import Role
    from tests.factories import dispatched_report

    service = key_a.key.service_user
    assert service.is_service
    report = dispatched_report(agency_a, cast.national)
    login(client, cast.admin_a)
    detail = client.get(f"/kerja/laporan/{report.tracking}/")
    officers = detail.context["officers"]
    assert cast.officer_a in officers and service not in officers
    manage = client.get("/kerja/kelola/")
    assert service.full_name not in manage.content.decode()
    assert cast.officer_a.full_name in manage.content.decode()
    # Nor revoked from there: a key is revoked on the integration page, which marks it.
    role = Role.objects.get(user=service)
    assert client.post(f"/kerja/kelola/peran/{role.pk}/cabut/").status_code == 404
    role.refresh_from_db()
    assert role.is_active
    # And a report cannot be assigned to it.
    assigned = client.post(
        f"/kerja/laporan/{report.tracking}/aksi/", {"action": "assign", "assignee": service.pk}
    )
    assert assigned.status_code in (400, 302)
    report.refresh_from_db()
    assert report.assigned_to_id != service.pk
