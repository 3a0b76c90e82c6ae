"""Two factors for staff (issue 14): TOTP with recovery codes, required for national admins,
Ombudsman observers and agency admins before any staff page, offered to officers; in a real
browser, enrolment and sign-in with the code computed as the app computes it."""

import base64
import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Role
from tests.factories import PASSWORD, enrol_totp, make_staff, totp_code

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/triase/", "/kerja/", "/pantau/", "/kerja/kelola/", "/admin/"]


def _password_sign_in(user) -> Client:
    client = Client()
    response = client.post("/akun/masuk/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize(
    "kind", [Role.Kind.NATIONAL_ADMIN, Role.Kind.OMBUDSMAN, Role.Kind.AGENCY_ADMIN]
)
def test_required_roles_reach_no_staff_page_before_enrolling(kind, agency_a):
    user = make_staff(kind, agency=agency_a if kind == Role.Kind.AGENCY_ADMIN else None)
    client = Client()
    first = client.post("/akun/masuk/", {"username": user.username, "password": PASSWORD})
    assert first["Location"].startswith("/akun/dua-langkah/aktifkan/")
    for url in STAFF_PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/akun/dua-langkah/aktifkan/"), url


def test_enrolment_then_sign_in_with_the_code_and_with_a_recovery_code(agency_a, settings):
    # django-otp slows each device after a wrong code (1 s, 2 s, ...); not what this tests.
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    user = make_staff(Role.Kind.AGENCY_ADMIN, agency=agency_a)
    client = _password_sign_in(user)
    page = client.get("/akun/dua-langkah/aktifkan/?next=/kerja/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    assert "<script" not in page.split("<main", 1)[-1]
    assert not TOTPDevice.objects.filter(user=user).exists()  # nothing stored by looking
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    wrong = client.post("/akun/dua-langkah/aktifkan/", {"code": "000000"})
    assert "Kode tidak cocok" in wrong.content.decode()
    done = client.post(
        "/akun/dua-langkah/aktifkan/", {"code": f"{totp(key):06d}", "next": "/kerja/"}
    )
    codes = re.findall(r"<li><code>([^<]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/kerja/").status_code == 200  # this session is verified

    again = _password_sign_in(user)
    assert again.get("/kerja/")["Location"].startswith("/akun/dua-langkah/verifikasi/")
    refused = again.post("/akun/dua-langkah/verifikasi/", {"code": "123456"})
    assert "Kode salah" in refused.content.decode()
    ok = again.post("/akun/dua-langkah/verifikasi/", {"code": codes[0], "next": "/kerja/"})
    assert ok["Location"] == "/kerja/"
    assert again.get("/kerja/").status_code == 200
    # A recovery code works once.
    third = _password_sign_in(user)
    third.post("/akun/dua-langkah/verifikasi/", {"code": codes[0]})
    assert third.get("/kerja/").status_code == 302


def test_officers_are_offered_it_and_then_verify_too(cast):
    client = _password_sign_in(cast.officer_a)
    assert client.get("/kerja/").status_code == 200  # not required
    assert "Belum aktif" in client.get("/akun/dua-langkah/").content.decode()
    device = enrol_totp(cast.officer_a)
    client = _password_sign_in(cast.officer_a)
    assert client.get("/kerja/").status_code == 302
    client.post("/akun/dua-langkah/verifikasi/", {"code": totp_code(device)})
    assert client.get("/kerja/").status_code == 200


def test_verify_redirect_stays_on_this_site(cast):
    device = enrol_totp(cast.national)
    client = _password_sign_in(cast.national)
    response = client.post(
        "/akun/dua-langkah/verifikasi/",
        {"code": totp_code(device), "next": "https://jahat.example/"},
    )
    assert response["Location"] == "/kerja/"


def test_enrolment_pages_in_english(cast):
    client = _password_sign_in(cast.national)
    client.cookies["django_language"] = "en"
    page = client.get("/akun/dua-langkah/aktifkan/").content.decode()
    assert "Turn on two-step verification" in page
    enrol_totp(cast.national)
    page = client.get("/akun/dua-langkah/verifikasi/").content.decode()
    assert "Lost your phone?" in page


def test_the_test_cast_is_verified_by_force_login(client, cast):
    client.force_login(cast.national)
    assert client.get("/triase/").status_code == 200
