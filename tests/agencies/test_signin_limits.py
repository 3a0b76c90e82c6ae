"""Sign-in that strangers cannot block (issue 14) and that an office can use (issue 17):
failures are counted per account and address, with growing delays for the guesser; the owner
from their usual address signs in whatever others try; a burst alerts the account and the
national admins; the answer is the same for registered and unknown e-mails at sign-up,
sign-in and password reset."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from agencies import signin
from agencies.models import Role, User
from tests.factories import PASSWORD, make_staff, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/akun/masuk/"


class Clock:
    def __init__(self):
        self.now = 1_900_000_000.0

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    cache.clear()
    fake = Clock()
    monkeypatch.setattr(signin, "time", fake)
    return fake


def _sign_in(address: str, username: str, password: str):
    client = Client(REMOTE_ADDR=address)
    return client.post(LOGIN, {"username": username, "password": password})


def _page(response, email: str) -> str:
    """The page as the visitor sees it, without the per-request CSRF token and the e-mail."""
    text = response.content.decode().replace(email, "X")
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", text)


def test_fifty_wrong_guesses_from_elsewhere_leave_the_owner_signing_in(clock):
    owner = make_staff(Role.Kind.NATIONAL_ADMIN, username="admin@lapor.test", email="a@lapor.test")
    assert _sign_in("10.0.0.5", owner.username, PASSWORD).status_code == 302  # usual address
    statuses = []
    for n in range(50):  # 25 from one guesser's address, 25 from 25 other addresses
        address = "172.16.0.9" if n % 2 else f"172.17.{n}.1"
        statuses.append(_sign_in(address, owner.username, f"tebakan-{n}").status_code)
        clock.now += 1
    assert 429 in statuses  # the guesser was slowed during the run
    # The owner, from the usual address, signs in at once.
    response = _sign_in("10.0.0.5", owner.username, PASSWORD)
    assert response.status_code == 302
    # The guesser's address must wait, and is refused even with the right password.
    slowed = _sign_in("172.16.0.9", owner.username, PASSWORD)
    assert slowed.status_code == 429
    assert int(slowed["Retry-After"]) > 0
    assert "_auth_user_id" not in slowed.client.session


def test_the_guessers_delay_grows(clock, rf):
    user = make_user()
    probe = rf.post(LOGIN, REMOTE_ADDR="172.16.5.5")
    waits = []
    for n in range(signin.FREE_FAILURES + 4):
        assert _sign_in("172.16.5.5", user.username, f"salah-{n}").status_code == 200, n
        waits.append(signin.wait_for(probe, user.username))
        if waits[-1]:  # an attempt during the wait is refused, the password not tried
            blocked = _sign_in("172.16.5.5", user.username, PASSWORD)
            assert blocked.status_code == 429
            assert int(blocked["Retry-After"]) == waits[-1]
        clock.now += waits[-1]
    free = signin.FREE_FAILURES - 1
    assert waits[:free] == [0] * free
    assert waits[free:] == [2, 4, 8, 16, 32]
    # Capped at MAX_DELAY however long it goes on; another address is not delayed.
    for _ in range(12):
        _sign_in("172.16.5.5", user.username, "salah")
        clock.now += signin.MAX_DELAY
    _sign_in("172.16.5.5", user.username, "salah")
    assert signin.wait_for(probe, user.username) == signin.MAX_DELAY
    # Past a burst, an address never used by the account waits its turn (BURST_SPACING), then
    # signs in; the guesser's address still waits.
    clock.now += signin.BURST_SPACING
    assert _sign_in("10.0.0.5", user.username, PASSWORD).status_code == 302
    assert _sign_in("172.16.5.5", user.username, PASSWORD).status_code == 429


def test_an_office_behind_one_address_signs_in_every_morning(clock):
    staff = [make_user() for _ in range(60)]
    for n, user in enumerate(staff):
        if n % 6 == 0:  # a typo now and then
            assert _sign_in("203.0.113.7", user.username, "typo").status_code == 200
        assert _sign_in("203.0.113.7", user.username, PASSWORD).status_code == 302


def test_one_address_guessing_many_accounts_is_slowed(clock, settings):
    limit = settings.LAPOR_RATE_LIMITS["login"][0]
    statuses = [
        _sign_in("198.51.100.4", f"orang{n}@example.id", "x").status_code for n in range(limit + 1)
    ]
    assert statuses[:limit] == [200] * limit and statuses[-1] == 429
    # An account that has signed in from that address before is not held up by the others.
    known = make_user()
    cache.set(f"signin:known:{signin._digest(known.username, '198.51.100.4')}", 1)
    assert _sign_in("198.51.100.4", known.username, PASSWORD).status_code == 302


def test_a_burst_alerts_the_account_and_the_national_admins_once(clock, cast):
    victim = make_user(username="korban@example.id", email="korban@example.id")
    for n in range(signin.BURST + 10):
        _sign_in(f"10.8.{n}.1", victim.username, f"tebakan-{n}")
        clock.now += signin.BURST_SPACING
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == sorted(["korban@example.id", cast.national.email])
    owner_mail = next(m for m in mail.outbox if m.to == ["korban@example.id"])
    assert "tidak dikunci" in owner_mail.body
    assert str(signin.BURST) in owner_mail.body


def test_a_burst_on_an_unknown_name_mails_nobody(clock, cast):
    for n in range(signin.BURST + 2):
        _sign_in(f"10.9.{n}.1", "tidak-ada@example.id", "x")
        clock.now += signin.BURST_SPACING
    assert mail.outbox == []


def test_the_same_answer_for_registered_and_unknown_emails(
    clock, django_capture_on_commit_callbacks
):
    user = make_user(username="ada@example.id", email="ada@example.id")
    wrong = _page(_sign_in("10.3.0.1", user.username, "salah"), user.username)
    unknown = _page(_sign_in("10.3.0.2", "tidak-ada@example.id", "salah"), "tidak-ada@example.id")
    assert wrong == unknown

    def sign_up(email):
        client = Client(REMOTE_ADDR="10.3.0.3")
        response = client.post(
            "/akun/daftar/",
            {
                "full_name": "Seseorang",
                "email": email,
                "phone": "",
                "password1": "Sandi-Yang-Kuat-2026",
                "password2": "Sandi-Yang-Kuat-2026",
            },
            follow=True,
        )
        return response.redirect_chain, _page(response, email)

    with django_capture_on_commit_callbacks(execute=True):
        assert sign_up("ada@example.id") == sign_up("baru@example.id")
    assert User.objects.filter(email__iexact="ada@example.id").count() == 1
    notice = next(m for m in mail.outbox if m.to == ["ada@example.id"])
    assert "sudah terdaftar" in notice.body

    def reset(email):
        response = Client(REMOTE_ADDR="10.3.0.4").post("/akun/sandi/lupa/", {"email": email})
        return response.status_code, response["Location"]

    assert reset("ada@example.id") == reset("tidak-ada@example.id")
