"""Safe retries: a POST carrying an ``Idempotency-Key`` header is answered once; a retry with
the same key gets the first answer back (header ``Idempotent-Replayed: true``), never a second
report or a second action.

The record and the work share one transaction: the record is inserted first, so a concurrent
retry waits on the unique index until the first request commits, then reads its answer. Only
successful answers are remembered; an error rolls the record back with the work, so a
corrected retry may reuse the key."""

import hashlib
import json

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.ratelimit import client_ip

from .auth import error_response
from .models import ApiKey, IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_LENGTH = 255


def _scope(request) -> str:
    if isinstance(request.auth, ApiKey):
        return f"key:{request.auth.pk}"
    return f"ip:{client_ip(request)}"[:80]


def _fingerprint(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = repr(request.data)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(request, handler):
    """Runs ``handler()`` (returning a DRF Response) at most once per Idempotency-Key."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return handler()
    if len(key) > MAX_LENGTH:
        raise ValidationError({HEADER: [_("Paling banyak 255 karakter.")]})
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        record, created = IdempotencyRecord.objects.get_or_create(
            scope=_scope(request),
            key=key,
            defaults={"path": request.path[:255], "request_hash": fingerprint},
        )
        if not created:
            return _replay(record, fingerprint)
        response = handler()
        if not 200 <= response.status_code < 300:
            transaction.set_rollback(True)
            return response
        record.response_status = response.status_code
        record.response_body = json.loads(json.dumps(response.data, default=str))
        record.save(update_fields=["response_status", "response_body"])
    return response


def _replay(record: IdempotencyRecord, fingerprint: str):
    if record.request_hash != fingerprint:
        return error_response(
            "idempotency_key_reused",
            _("Idempotency-Key ini sudah dipakai untuk permintaan lain."),
            422,
        )
    if record.response_status is None:
        return error_response(
            "idempotency_in_progress",
            _("Permintaan dengan Idempotency-Key ini sedang diproses. Coba lagi sebentar."),
            409,
        )
    return Response(
        record.response_body,
        status=record.response_status,
        headers={"Idempotent-Replayed": "true"},
    )
