"""Sign-up with e-mail verification, claiming earlier guest reports, sign-in, password reset,
and "my reports" showing only one's own."""

import re

import pytest
from django.core import mail

from agencies.models import User
from complaints.models import Report
from tests.factories import PASSWORD, file_report, make_user

pytestmark = pytest.mark.django_db


def test_sign_up_verify_and_claim_guest_reports(client, django_capture_on_commit_callbacks):
    earlier = file_report(reporter_email="nina@example.id", title="Laporan sebelum punya akun")
    someone_else = file_report(reporter_email="orang.lain@example.id")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/akun/daftar/",
            {
                "full_name": "Nina Marlina",
                "email": "Nina@Example.id",
                "phone": "",
                "password1": "Sandi-Yang-Kuat-2026",
                "password2": "Sandi-Yang-Kuat-2026",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="nina@example.id")
    assert not user.email_verified
    assert Report.objects.get(pk=earlier.pk).reporter is None  # not before verification
    link = re.search(r"http://\S+/akun/verifikasi/\S+/", mail.outbox[-1].body).group(0)
    client.get(link.split("8000", 1)[1] if "8000" in link else link)
    user.refresh_from_db()
    assert user.email_verified
    assert Report.objects.get(pk=earlier.pk).reporter == user
    assert Report.objects.get(pk=earlier.pk).events.filter(action="claim").count() == 1
    assert Report.objects.get(pk=someone_else.pk).reporter is None
    page = client.get("/akun/laporan-saya/").content.decode()
    assert "Laporan sebelum punya akun" in page


def test_a_forged_verification_link_is_refused(client):
    assert client.get("/akun/verifikasi/bukan-token-asli/").status_code == 400


def test_sign_in_and_my_reports_show_only_ones_own(client):
    me, other = make_user(), make_user()
    mine = file_report(reporter=me, title="Punya saya sendiri")
    theirs = file_report(reporter=other, title="Punya orang lain")
    response = client.post("/akun/masuk/", {"username": me.username, "password": PASSWORD})
    assert response.status_code == 302
    page = client.get("/akun/laporan-saya/").content.decode()
    assert mine.title in page
    assert theirs.title not in page


def test_wrong_password_is_refused_clearly(client):
    user = make_user()
    response = client.post("/akun/masuk/", {"username": user.username, "password": "salah"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_working_link(client):
    user = make_user()
    client.post("/akun/sandi/lupa/", {"email": user.email})
    path = re.search(r"/akun/sandi/atur/\S+/", mail.outbox[-1].body).group(0)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"new_password1": "Sandi-Baru-Sekali-99", "new_password2": "Sandi-Baru-Sekali-99"},
    )
    assert client.login(username=user.username, password="Sandi-Baru-Sekali-99")
