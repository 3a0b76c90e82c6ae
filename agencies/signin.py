"""Sign-in attempts that slow a guesser without letting anyone lock an account's owner out.

Failures are counted per (account, address) pair. An address gets FREE_FAILURES wrong
passwords for an account; after that each failure makes the next attempt from that pair wait
twice as long (2 s, 4 s, 8 s, ... up to MAX_DELAY), and an attempt during the wait is refused
(429 with Retry-After) without the password being tried. Another address's failures never
delay the owner: a stranger cannot block an account (before, 10 failures from anywhere
locked it for 15 minutes). Successful sign-ins count for nothing, so the staff of an office
behind one address each sign in every morning (issue 17); only failed ones count against the
address too (LAPOR_RATE_LOGIN per 10 minutes, across accounts: one address guessing many
accounts).

A burst (BURST failures for one account within BURST_WINDOW, from any addresses) e-mails the
account and the national admins once per window, and from then on addresses the account has
never signed in from are spaced to one attempt per BURST_SPACING together and get one free
failure instead of FREE_FAILURES; addresses it has signed in from (remembered KNOWN_FOR) keep
theirs. The answer is the same for known and unknown account names: nothing here reads the
password before the wait is checked, and the alert is the only difference, sent by e-mail.

Counters live in the cache (Redis); with Redis unreachable nothing is counted and nobody is
refused (core.cache), as for the other rate limits."""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import ratelimit

from .models import Role, User

log = logging.getLogger(__name__)

FREE_FAILURES = 5
MAX_DELAY = 15 * 60
PAIR_MEMORY = 60 * 60
BURST = 20
BURST_WINDOW = 15 * 60
BURST_SPACING = 10
KNOWN_FOR = 90 * 24 * 3600


def account_name(raw: str) -> str:
    """The account as typed, in the one form every counter uses (any case or spacing)."""
    return (raw or "").strip().lower()[:150]


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode("utf-8", "replace")).hexdigest()[:32]


def _pair_key(account: str, address: str) -> str:
    return f"signin:pair:{_digest(account, address)}"


def _known(account: str, address: str) -> bool:
    return bool(cache.get(f"signin:known:{_digest(account, address)}"))


def _in_burst(account: str) -> bool:
    return bool(cache.get(f"signin:burst:{_digest(account)}"))


def wait_for(request, raw_account: str) -> int:
    """Seconds this address must wait before it may try a password for the account (0: now)."""
    account, address = account_name(raw_account), ratelimit.client_ip(request)
    now = time.time()
    state = cache.get(_pair_key(account, address)) or {}
    waits = [state.get("next", 0) - now]
    if not _known(account, address):
        blocked, retry_after = ratelimit.exceeded(request, "login", address)
        waits.append(retry_after if blocked else 0)
        if _in_burst(account):
            waits.append((cache.get(f"signin:spacing:{_digest(account)}") or 0) - now)
    return max(0, int(max(waits) + 0.999))


def failed(request, raw_account: str) -> None:
    """Records a wrong password for the account from this address: the pair's next delay, the
    address's count, and the account's burst (with its alert)."""
    account, address = account_name(raw_account), ratelimit.client_ip(request)
    known = _known(account, address)
    key = _pair_key(account, address)
    state = cache.get(key) or {"n": 0}
    state["n"] += 1
    free = FREE_FAILURES if known or not _in_burst(account) else 1
    if state["n"] >= free:
        state["next"] = time.time() + min(MAX_DELAY, 2 ** (state["n"] - free + 1))
    cache.set(key, state, PAIR_MEMORY)
    if not known:
        ratelimit.hit(request, "login", key=address)
    _count_burst(account, address, known)


def _count_burst(account: str, address: str, known: bool) -> None:
    limit_key = f"signin:burst:{_digest(account)}"
    count_key = f"signin:failures:{_digest(account)}"
    if cache.add(count_key, 1, BURST_WINDOW):
        count = 1
    else:
        try:
            count = cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.add(count_key, 1, BURST_WINDOW)
            count = 1
    if count < BURST:
        return
    cache.set(limit_key, 1, BURST_WINDOW)
    if not known:
        cache.set(f"signin:spacing:{_digest(account)}", time.time() + BURST_SPACING, BURST_WINDOW)
    if cache.add(f"signin:alerted:{_digest(account)}", 1, BURST_WINDOW):
        _alert(account, count, address)


def succeeded(request, user: User) -> None:
    """The right password: forget the pair's failures and remember the address as the
    account's own."""
    account, address = account_name(user.get_username()), ratelimit.client_ip(request)
    cache.delete(_pair_key(account, address))
    cache.set(f"signin:known:{_digest(account, address)}", 1, KNOWN_FOR)


def _alert(account: str, count: int, address: str) -> None:
    """One e-mail to the account (when it exists) and one to each national admin."""
    from .tasks import send_account_email_task

    user = User.objects.filter(username__iexact=account, is_active=True).first()
    if user is None:
        return
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
    admins = User.objects.filter(
        roles__kind=Role.Kind.NATIONAL_ADMIN, roles__is_active=True, is_active=True
    ).distinct()
    values = {
        "count": count,
        "minutes": BURST_WINDOW // 60,
        "account": user.email or user.get_username(),
        "address": address,
        "when": when,
    }
    with translation.override(settings.LANGUAGE_CODE):
        messages = [(user.email, *_owner_message(values))]
        messages += [(a.email, *_admin_message(values)) for a in admins if a.email]
    for to, subject, body in messages:
        try:
            send_account_email_task.delay(to=to, subject=subject, body=body)
        except Exception:  # the broker down: the alert is lost, the sign-in must not fail
            log.warning("sign-in alert to %s not queued", to, exc_info=True)
    log.warning("sign-in burst: %s failures for one account in %s s", count, BURST_WINDOW)


def _owner_message(values: dict) -> tuple[str, str]:
    subject = _("LAPOR!: banyak percobaan masuk yang gagal ke akun Anda")
    body = (
        _(
            "Dalam %(minutes)s menit terakhir ada %(count)s percobaan masuk dengan sandi yang "
            "salah ke akun %(account)s (terakhir dari alamat %(address)s, %(when)s).\n\n"
            "Jika itu bukan Anda: akun Anda tidak dikunci dan Anda tetap dapat masuk seperti "
            "biasa. Gunakan sandi yang panjang dan unik, ganti sandi jika perlu, dan aktifkan "
            "verifikasi dua langkah di Pengaturan."
        )
        % values
    )
    return subject, body


def _admin_message(values: dict) -> tuple[str, str]:
    subject = _("LAPOR!: lonjakan percobaan masuk gagal")
    body = (
        _(
            "Akun %(account)s: %(count)s percobaan masuk gagal dalam %(minutes)s menit terakhir "
            "(terakhir dari alamat %(address)s, %(when)s). Percobaan dari alamat yang belum pernah "
            "dipakai akun ini sekarang diperlambat."
        )
        % values
    )
    return subject, body
