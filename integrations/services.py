"""Writes for integrations: API keys, webhook endpoints, replays. Reports themselves change only
through ``complaints.services``."""

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from agencies import backends
from agencies.models import Agency, Role, User
from agencies.services import role_grant

from .models import ApiKey, WebhookDelivery, WebhookEndpoint

KEY_PREFIX = "lk_"
PREFIX_LENGTH = 12  # "lk_" and nine random characters: enough to find the row, not to guess


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class IssuedKey:
    key: ApiKey
    raw: str  # shown once, never stored


@transaction.atomic
def apikey_issue(*, agency: Agency, name: str, created_by: User | None = None) -> IssuedKey:
    """Issues a key for ``agency``: a service user with an officer role on the agency (so the
    key has exactly that agency's officer scope) and the key's hash. Returns the raw key."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    prefix = raw[:PREFIX_LENGTH]
    user = User(
        username=f"api-{prefix}-{secrets.token_hex(4)}",
        full_name=f"Integrasi: {name}"[:150],
        email="",
        is_service=True,
    )
    user.set_unusable_password()
    user.save()
    role_grant(user=user, kind=Role.Kind.OFFICER, agency=agency, decree="API key")
    key = ApiKey.objects.create(
        agency=agency,
        service_user=user,
        name=name,
        prefix=prefix,
        key_hash=hash_key(raw),
        created_by=created_by,
    )
    return IssuedKey(key=key, raw=raw)


@transaction.atomic
def apikey_revoke(*, key: ApiKey) -> ApiKey:
    """Revokes a key at once: the key stops authenticating and its service user loses its
    role and cannot sign in."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    Role.objects.filter(user_id=key.service_user_id).update(is_active=False)
    User.objects.filter(pk=key.service_user_id).update(is_active=False)
    backends.user_changed(key.service_user_id)  # the updates send no signal
    return key


def apikey_lookup(raw: str) -> ApiKey | None:
    """The active or revoked key matching ``raw``, or None. Compares hashes in constant time."""
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) < PREFIX_LENGTH + 8:
        return None
    wanted = hash_key(raw)
    for key in ApiKey.objects.select_related("agency", "service_user").filter(
        prefix=raw[:PREFIX_LENGTH]
    ):
        if secrets.compare_digest(key.key_hash, wanted):
            return key
    return None


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_endpoint_register(
    *, agency: Agency, url: str, events: list[str] | None = None, created_by: User | None = None
) -> WebhookEndpoint:
    """Registers an endpoint; its secret is on the returned object (show it once). Raises
    ``urlsafety.UnsafeUrl`` for a URL LAPOR must not post to."""
    from .urlsafety import check

    check(url)
    return WebhookEndpoint.objects.create(
        agency=agency,
        url=url,
        secret=new_webhook_secret(),
        events=list(events or []),
        created_by=created_by,
    )


def webhook_endpoint_set_active(*, endpoint: WebhookEndpoint, active: bool) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=active)
    if active:
        from .webhooks import enqueue_endpoint

        transaction.on_commit(lambda: enqueue_endpoint(endpoint.pk))


def webhook_delivery_replay(*, delivery: WebhookDelivery) -> None:
    """Sends a delivery again (delivered or failed): back to pending, due now. Receivers drop
    duplicates by the event id in the body."""
    from .webhooks import enqueue_endpoint

    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=WebhookDelivery.State.PENDING, next_attempt_at=timezone.now(), last_error=""
    )
    transaction.on_commit(lambda: enqueue_endpoint(delivery.endpoint_id))
