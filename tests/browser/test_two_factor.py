"""Two factors in Chromium: a national admin enrols at first sign-in (the code computed from
the secret on the page, as the app does), keeps a recovery code, reaches triage, then signs in
again with the recovery code; an Ombudsman observer and an agency admin are held at the
enrolment page too until they enrol, then sign in again with a code."""

import base64

import pytest
from django_otp.oath import totp

from tests.factories import PASSWORD, make_staff

pytestmark = pytest.mark.browser


def _password(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + "/akun/masuk/")
    page.get_by_label("Email atau nama pengguna").fill(user.username)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def test_national_admin_enrols_and_signs_in_with_two_factors(page, live_server):
    national = make_staff("national_admin")
    _password(page, live_server, national)
    assert "/akun/dua-langkah/aktifkan/" in page.url
    page.goto(live_server.url + "/triase/")
    assert "/akun/dua-langkah/aktifkan/" in page.url  # no staff page before enrolling
    assert page.get_by_test_id("otp-qr").evaluate("img => img.naturalWidth > 0")
    secret = page.get_by_test_id("otp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Kode").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Aktifkan").click()
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Lanjutkan").click()
    page.goto(live_server.url + "/triase/")
    assert page.url.endswith("/triase/")
    assert page.get_by_role("heading", level=1).count() == 1

    _password(page, live_server, national)
    assert "/akun/dua-langkah/verifikasi/" in page.url
    page.get_by_label("Kode").fill(codes[0])
    page.get_by_role("button", name="Periksa kode").click()
    page.goto(live_server.url + "/triase/")
    assert page.url.endswith("/triase/")


def _enrol(page) -> bytes:
    secret = page.get_by_test_id("otp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Kode").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Aktifkan").click()
    assert page.get_by_test_id("recovery-codes").locator("code").count() == 10
    return key


@pytest.mark.parametrize(
    ("kind", "staff_page"), [("ombudsman", "/pantau/"), ("agency_admin", "/kerja/")]
)
def test_ombudsman_and_agency_admin_need_the_second_factor(page, live_server, kind, staff_page):
    from agencies.models import Agency

    agency = Agency.objects.get(slug="pemkot-3273") if kind == "agency_admin" else None
    user = make_staff(kind, agency=agency)
    _password(page, live_server, user)
    assert "/akun/dua-langkah/aktifkan/" in page.url
    page.goto(live_server.url + staff_page)
    assert "/akun/dua-langkah/aktifkan/" in page.url  # no staff page before enrolling
    key = _enrol(page)
    page.goto(live_server.url + staff_page)
    assert page.url.endswith(staff_page)

    _password(page, live_server, user)
    assert "/akun/dua-langkah/verifikasi/" in page.url
    page.goto(live_server.url + staff_page)
    assert "/akun/dua-langkah/verifikasi/" in page.url  # the password alone is not enough
    # The next time step's code (the enrolment used this one; a code is good once).
    page.get_by_label("Kode").fill(f"{totp(key, drift=1):06d}")
    page.get_by_role("button", name="Periksa kode").click()
    page.goto(live_server.url + staff_page)
    assert page.url.endswith(staff_page)
