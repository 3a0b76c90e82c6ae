"""Who is signed in, from the shared cache: the user's row, their scope (agencies.scope) and
their confirmed second-factor devices, kept together as one **sign-in bundle** per user under
version stamps (core.stamps), issue 20.

Every signed-in request read them from the database before a page did anything: the user
(AuthenticationMiddleware, through the backend's get_user), the device that verified the
session (django_otp's OTPMiddleware) and the roles (scope_for), three queries and about a
third of the CPU of an inbox served from its cached parts. Now ``get_user`` reads, in one
round trip, the user's stamp, the agencies' stamp and the bundle, and serves the bundle only
if it was built under both current stamps; otherwise it reads the database as
ModelBackend does (an inactive user is nobody, and is never stored) and stores a new bundle.

The user's stamp is retired, at once and when the transaction commits, by everything that must
take effect on their next request: a role of theirs saved or deleted (granted, revoked,
changed), their row saved or deleted (deactivated, made superuser, a new password: Django then
finds the session's auth hash stale and signs every other session out), a second-factor
device of theirs saved or deleted (enrolled, confirmed, removed), and their sign-out. The
agencies' stamp is retired by any agency saved or deleted (a deactivated agency drops from
every scope). Writes that send no signal call ``user_changed`` themselves
(integrations.services.apikey_revoke). Not retired: ``last_active_at`` (monitoring marks it
with an UPDATE; nothing on a request reads it from request.user). Permissions and groups are
not in the bundle (ModelBackend reads them when asked).

Only with a shared cache (LAPOR_SIGNIN_CACHE, set with REDIS_URL): a cache of each process's
own could not be retired by another process's change. The session itself is core.sessions
(Django's cached_db). With the cache unreachable the
stamps are new on every read, so every request reads the database as before; a retirement
dropped while the cache could not be reached lets a bundle stored before it be served until
it expires (SIGNIN_TTL) once the cache answers again."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from core import stamps

from .scope import scope_for

SIGNIN_TTL = 60
AGENCIES_KEY = "agencies-stamp"


def _stamp_key(user_id) -> str:
    return f"signin-stamp:{user_id}"


def _bundle_key(user_id) -> str:
    return f"signin:{user_id}"


def user_changed(user_id) -> None:
    """Retires the user's sign-in bundle (now and at commit)."""
    if user_id is not None:
        stamps.retire([_stamp_key(user_id)])


def agencies_changed() -> None:
    stamps.retire([AGENCIES_KEY])


def confirmed_devices(user) -> dict:
    """The user's confirmed second-factor devices by persistent id (one query per kind)."""
    from django_otp import devices_for_user

    return {d.persistent_id: d for d in devices_for_user(user, confirmed=True)}


class CachedModelBackend(ModelBackend):
    """ModelBackend whose get_user serves the sign-in bundle while its stamps stand. The user
    it returns carries its scope (``_lapor_scope``, read by scope_for) and its confirmed
    devices (``_lapor_devices``, read by agencies.twofactor.OTPMiddleware)."""

    def get_user(self, user_id):
        if not settings.LAPOR_SIGNIN_CACHE:
            return super().get_user(user_id)
        key = _bundle_key(user_id)
        current, found = stamps.read([_stamp_key(user_id), AGENCIES_KEY], key)
        bundle = found.get(key)
        if bundle is not None and bundle[0] == current:
            _, user, scope, devices = bundle
        else:
            user = super().get_user(user_id)
            if user is None:
                return None
            scope, devices = scope_for(user), confirmed_devices(user)
            cache.set(key, (current, user, scope, devices), timeout=SIGNIN_TTL)
        user._lapor_scope = scope
        user._lapor_devices = devices
        return user


def connect_signals() -> None:
    from django.apps import apps
    from django.contrib.auth.signals import user_logged_out
    from django.db.models.signals import post_delete, post_save
    from django_otp.models import Device

    from .models import Agency, Role, User

    for signal in (post_save, post_delete):
        signal.connect(_on_user, sender=User, weak=False)
        signal.connect(_on_owned, sender=Role, weak=False)
        signal.connect(_on_agency, sender=Agency, weak=False)
        for model in apps.get_models():
            if issubclass(model, Device):
                signal.connect(_on_owned, sender=model, weak=False)
    user_logged_out.connect(_on_logged_out, weak=False)


def _on_user(sender, instance, **kwargs) -> None:
    user_changed(instance.pk)


def _on_owned(sender, instance, **kwargs) -> None:
    """A role or a second-factor device: its user's bundle."""
    user_changed(instance.user_id)


def _on_agency(sender, instance, **kwargs) -> None:
    agencies_changed()


def _on_logged_out(sender, request, user, **kwargs) -> None:
    user_changed(getattr(user, "pk", None))
