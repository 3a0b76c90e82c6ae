"""Two factors for staff: a TOTP app (django-otp) and recovery codes (static tokens).

Required for national admins, Ombudsman observers and agency admins: they reach no staff page
(the prefixes in STAFF_PREFIXES, the Django admin included) until they have enrolled and
verified this session. Offered to everyone else with a role; whoever has enrolled verifies at
each sign-in too. The session is verified with django_otp.login, which OTPMiddleware reads on
every request (one query: the device), so request.user.is_verified() is the one check."""

import base64
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from .scope import scope_for

STAFF_PREFIXES = ("/kerja/", "/triase/", "/pantau/", "/admin/")
RECOVERY_CODES = 10
ISSUER = "LAPOR!"


def required(user) -> bool:
    """Whether the user's roles require a second factor (national admin, Ombudsman, agency
    admin). No query after the first scope_for of the request."""
    scope = scope_for(user)
    return bool(scope.national_admin or scope.ombudsman or scope.admin_agency_ids)


def enrolled(user) -> bool:
    """Whether the user has a confirmed TOTP device. One query."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def applies(user) -> bool:
    return required(user) or enrolled(user)


def next_step(user, next_url: str = "") -> str | None:
    """Where a signed-in user must go before staff pages (verify or enrol), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    is_verified = getattr(user, "is_verified", None)  # set by OTPMiddleware on each request
    if is_verified is not None and is_verified():
        return None
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    if enrolled(user):
        return reverse("accounts:2fa-verify") + query
    if required(user):
        return reverse("accounts:2fa-enrol") + query
    return None


class OTPMiddleware(DjangoOTPMiddleware):
    """django_otp's OTPMiddleware, finding the session's device among the user's confirmed
    devices that agencies.backends.CachedModelBackend brought (``_lapor_devices``) instead of
    reading it. The same rule: the device must be the user's and confirmed, and a session
    naming any other forgets it."""

    def _verify_user_sync(self, request, user):
        devices = getattr(user, "_lapor_devices", None)
        if devices is None:  # not signed in, or signed in through another backend
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) or ""
        device = devices.get(self._normalize_persistent_id(persistent_id))
        user.otp_device = self._finalize_device(request, user, device)
        return user


class TwoFactorMiddleware:
    """After django_otp's OTPMiddleware: staff pages wait for the second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(STAFF_PREFIXES):
            step = next_step(request.user, request.get_full_path())
            if step:
                return redirect(step)
        return self.get_response(request)


# --- enrolment ------------------------------------------------------------------------------


def pending_key(session) -> str:
    """The secret being enrolled, kept in the session until its first code is confirmed (so
    opening the enrolment page writes nothing to the database)."""
    key = session.get("otp_pending_key")
    if not key:
        key = session["otp_pending_key"] = random_hex(20)
    return key


def provisioning_uri(user, key_hex: str) -> str:
    secret = base64.b32encode(bytes.fromhex(key_hex)).decode().rstrip("=")
    label = quote(f"{ISSUER}:{user.email or user.get_username()}")
    return f"otpauth://totp/{label}?{urlencode({'secret': secret, 'issuer': ISSUER})}"


def secret_for_display(key_hex: str) -> str:
    secret = base64.b32encode(bytes.fromhex(key_hex)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(text: str) -> str:
    """The QR code as an SVG data URI for an <img> (no inline script or style for the CSP)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def code_matches(key_hex: str, code: str) -> bool:
    """Whether ``code`` is the TOTP of the key now, or one step either side (clock drift)."""
    code = "".join(code.split())
    if not code.isdigit() or len(code) != 6:
        return False
    totp = TOTP(bytes.fromhex(key_hex), step=30, digits=6)
    for drift in (0, -1, 1):
        totp.drift = drift
        if totp.token() == int(code):
            return True
    return False


def enrol_confirm(*, request, key_hex: str, code: str) -> list[str]:
    """Stores the confirmed TOTP device and a fresh set of recovery codes, and verifies this
    session with it. Returns the recovery codes (shown once). The confirming code is spent
    on the device, so it cannot sign in a second time."""
    from django_otp import login as otp_login

    user = request.user
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="Aplikasi autentikator", key=key_hex)
    device.verify_token("".join(code.split()))
    codes = recovery_codes_renew(user=user)
    request.session.pop("otp_pending_key", None)
    otp_login(request, device)
    return codes


def recovery_codes_renew(*, user) -> list[str]:
    """Replaces the user's recovery codes with RECOVERY_CODES new ones. Returns them."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="Kode cadangan")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def disable(*, user) -> None:
    for device in devices_for_user(user, confirmed=None):
        device.delete()
