"""Files chosen on the report form survive any error on it.

Each form carries a draft key (random, unguessable) that this browser's session owns. Every
file that arrives with a post is checked alone and, if good, stored at once for that draft
(``services.upload_stage``); a refused file is refused alone, with its reason, and the good
ones stay. The form lists the draft's files with a "remove" box each, and filing the report
takes them over. A draft never filed is deleted by the sweep after TTL."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import StagedUpload
from .services import upload_stage, upload_unstage
from .uploads import check_upload

TTL = dt.timedelta(hours=24)
SESSION_KEY = "upload_drafts"
KEEP_DRAFTS = 10


def draft_for(request) -> str:
    """The draft key the form sent back, if this session owns it; else a new one."""
    owned = request.session.get(SESSION_KEY, [])
    key = request.POST.get("draft", "") if request.method == "POST" else ""
    if key and key in owned:
        return key
    key = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = [*owned[-(KEEP_DRAFTS - 1) :], key]
    return key


def staged_files(draft: str) -> list[StagedUpload]:
    return list(StagedUpload.objects.filter(draft=draft).order_by("pk"))


def _remove_ids(request) -> list[int]:
    return [int(v) for v in request.POST.getlist("remove") if v.isdigit()][:50]


def take_files(request, draft: str) -> list[str]:
    """Removes the files the citizen ticked, stages the new ones, and returns a message for
    each file refused. Raises StorageFull when the disk is full."""
    if ids := _remove_ids(request):
        upload_unstage(draft=draft, ids=ids)
    limit = settings.LAPOR_ATTACHMENT_MAX_COUNT
    count = StagedUpload.objects.filter(draft=draft).count()
    errors = []
    for upload in request.FILES.getlist("attachments"):
        if not upload:
            continue
        try:
            checked = check_upload(upload)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if (
            count >= limit
            and not StagedUpload.objects.filter(draft=draft, sha256=checked.sha256).exists()
        ):
            errors.append(
                _("Paling banyak %(n)s lampiran: %(name)s tidak disimpan.")
                % {"n": limit, "name": checked.name}
            )
            continue
        staged = upload_stage(draft=draft, upload=checked)
        count = StagedUpload.objects.filter(draft=draft).count() if staged else count
    return errors
