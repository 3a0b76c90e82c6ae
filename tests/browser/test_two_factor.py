"""Two factors in Chromium: a national admin enrols at first sign-in (the code computed from
the secret on the page, as the app does), keeps a recovery code, reaches triage, then signs in
again with the recovery code."""

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
