"""The track page's and the inbox's rendered parts behind version stamps (issue 20), on the
model of the public list's (complaints.public_cache).

A track page cost 6-8 ms of CPU against 1.5-2.3 for /healthz (its report with four joins, its
timeline, the template), an officer's inbox 25-30 ms (rows, counts, filters, bulk form), while
both change far less often than they are read. So their parts are kept in the shared cache
under **stamps** (core.stamps), random tokens that every change replaces, at once and again
when the transaction commits (a visitor between the two renders from the database and stores
under a stamp the commit then retires):

- a report's stamp (``track-stamp:<tracking>``): replaced by every change to it, each of which
  goes through services._record with its event, and by its deletion;
- an agency's stamp (``inbox-stamp:<agency id>``): replaced by a change to a report it or a
  unit below it holds, held before the change, or is asked to verify (services._record), and by
  a change to its staff (a role, or the user of one, saved or deleted): an officer's inbox
  shows the reports of the agencies of their roles, their counts and their colleagues' loads;
- the names stamp: replaced when a category, province, regency or agency is saved or deleted
  (their names are on both pages; load_reference's bulk writes send no signal, so a name it
  changes shows within FRAGMENT_TTL).

Who may be served what is decided by the one rule (complaints.audiences, through
permissions.audience_for), and only for audiences whose view depends on nothing but the report:

- the track page of a visitor who is not signed in and holds no reporter's key: the number
  holder's view (a confidential or unpublished report: its statuses only). The reporter and the
  staff are always rendered afresh, so nothing of theirs is ever stored;
- an officer's inbox (a role in an agency, no national role): the parts every officer with the
  same roles sees (rows, counts, filters, what waits for verification), under the stamps of
  those agencies, and, per officer, the bulk form's fields (their colleagues, without
  themselves). Supervisors, the Ombudsman and national staff read across agencies: rendered
  afresh.

Nothing stored depends on the session: the parts are rendered without the request (no CSRF
token: the page around them, with the visitor's menu and token, is rendered for each request).
Text searches and pages past CACHED_PAGES are not stored. Due-date labels ("3 hari kerja
lagi") and the late badges follow the clock, so a part lives at most FRAGMENT_TTL seconds.
With the cache down every stamp is new on every read, so nothing is served from it."""

import hashlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from core import stamps as core_stamps

FRAGMENT_TTL = 60
NAMES_KEY = "names-stamp"
CACHED_PAGES = 10
MAX_QUERY = 300  # characters of query string: longer ones are rendered, never cached


def _track_key(tracking: str) -> str:
    return f"track-stamp:{tracking}"


def _agency_key(agency_id) -> str:
    return f"inbox-stamp:{agency_id}"


def stamps(keys: list[str]) -> list[str]:
    """The current stamps under ``keys`` (core.stamps): one round trip when all exist."""
    return core_stamps.read(keys)[0]


def agencies_of_path(path: str | None) -> list[str]:
    """The agency ids along a materialised path ("12/34/" -> ["12", "34"]): the agency and
    every one above it, whose officers all see what it holds."""
    return [part for part in (path or "").split("/") if part]


def report_changed(report, before=None) -> None:
    """Retires the report's track page and the inbox parts of every agency that sees it, saw
    it before the change, or is asked to verify it. Called by services._record.

    A filing reads nothing here (its writes go as one statement, core.gathered, which any read
    would send early): the agency it asks to verify is looked up when it commits, the first
    moment anyone else can see it."""
    ids = set(agencies_of_path(report.agency_path))
    if before is not None:
        ids.update(agencies_of_path(before.agency_path))
    keys = [_track_key(report.tracking)] + [_agency_key(i) for i in sorted(ids)]
    requested = report.requested_agency_id

    def asked() -> list[str]:
        return [_agency_key(i) for i in agencies_of_path(_path_of(requested))] if requested else []

    core_stamps.replace(keys + (asked() if before is not None else []))
    transaction.on_commit(lambda: core_stamps.replace(keys + asked()))


def report_filed(report) -> None:
    """A filing: no page of the report can be stored before it commits (its number shows
    nothing until then, and a page not found is never stored), so no track stamp is replaced
    (two cache round trips saved). The inboxes that see it, the agency it asks to verify it
    and those holding it, are retired when it commits (read then: a read now would send the
    filing's one statement early)."""
    holders = agencies_of_path(report.agency_path)
    requested = report.requested_agency_id
    if not holders and not requested:
        return

    def retire() -> None:
        asked = agencies_of_path(_path_of(requested)) if requested else []
        core_stamps.replace([_agency_key(i) for i in sorted({*holders, *asked})])

    transaction.on_commit(retire)


def _path_of(agency_id: int) -> str:
    from agencies.models import Agency

    return Agency.objects.filter(pk=agency_id).values_list("path", flat=True).first() or ""


def names_changed() -> None:
    core_stamps.retire([NAMES_KEY])


def staff_changed(paths) -> None:
    """Retires the inbox parts of the agencies on ``paths`` (and those above them)."""
    ids = {i for path in paths for i in agencies_of_path(path)}
    core_stamps.retire([_agency_key(i) for i in sorted(ids)])


def connect_signals() -> None:
    """Names, staff and deleted reports: the changes that do not pass through _record."""
    from django.db.models.signals import post_delete, post_save

    from agencies.models import Agency, Province, Regency, Role, User
    from routing.models import Category

    from .models import Report

    for model in (Agency, Category, Province, Regency):
        post_save.connect(_on_names, sender=model, weak=False)
        post_delete.connect(_on_names, sender=model, weak=False)
    for signal in (post_save, post_delete):
        signal.connect(_on_role, sender=Role, weak=False)
        signal.connect(_on_user, sender=User, weak=False)
    post_delete.connect(_on_report_deleted, sender=Report, weak=False)


def _on_names(sender, **kwargs) -> None:
    names_changed()


def _on_role(sender, instance, **kwargs) -> None:
    staff_changed([_path_of(instance.agency_id)] if instance.agency_id else [])


def _on_user(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # a sign-in: nothing the inbox shows
    from agencies.models import Role

    roles = Role.objects.filter(user_id=instance.pk, agency__isnull=False)
    staff_changed(list(roles.values_list("agency__path", flat=True)))


def _on_report_deleted(sender, instance, **kwargs) -> None:
    report_changed(instance)


def _where() -> str:
    return f"{get_language()}:{timezone.get_current_timezone_name()}"


# The track page ------------------------------------------------------------------------------


def track_cacheable(request, token) -> bool:
    """May this visit be served the number holder's cached track page? Only a visitor not
    signed in and holding no key: permissions.audience_for gives them NUMBER_HOLDER whatever
    the report (no scope, not its reporter), so their view is view_for(report, NUMBER_HOLDER)."""
    return request.method == "GET" and not token and not request.user.is_authenticated


def track_key(tracking: str, audience: str) -> str:
    report, names = stamps([_track_key(tracking), NAMES_KEY])
    return f"track:{audience}:{tracking}:{report}:{names}:{_where()}"


# The inbox -----------------------------------------------------------------------------------


def inbox_scope(scope) -> str | None:
    """The signature of an officer's roles, or None when the inbox is not cached for them
    (no agency role, or a role that reads across agencies)."""
    if not scope.officer_paths or scope.national_admin or scope.ombudsman:
        return None
    if scope.province_codes:
        return None
    parts = [
        ",".join(sorted(scope.officer_paths)),
        ",".join(sorted(scope.admin_paths)),
        "w" if scope.works_reports else "r",
    ]
    return "|".join(parts)


def inbox_keys(scope, params, parts: list[str], user_id: int | None = None) -> dict:
    """The keys of the inbox ``parts`` for the query ``params`` (a QueryDict) under the stamps
    of the agencies of ``scope`` (read once for all of them), a part's name mapped to None
    when not cached (see inbox_scope, and text searches, far pages, unknown repetitions, long
    queries). Parts named in OWN_PARTS are each officer's own (``user_id``)."""
    signature = inbox_scope(scope)
    if signature is None or not _inbox_query_cached(params):
        return dict.fromkeys(parts)
    query = urlencode(sorted(params.items()))
    # The stamp of each agency of a role (not those above it: a change below an agency
    # replaces the stamps of every agency above it, report_changed).
    own = sorted({agencies_of_path(p)[-1] for p in scope.officer_paths + scope.admin_paths})
    values = stamps([_agency_key(i) for i in own] + [NAMES_KEY])
    digest = hashlib.sha256("\n".join([signature, query, *values]).encode()).hexdigest()[:32]
    where = _where()
    keys = {}
    for part in parts:
        who = f":{user_id}" if part in OWN_PARTS else ""
        keys[part] = f"inbox:{part}{who}:{where}:{digest}"
    return keys


OWN_PARTS = frozenset({"bulk"})  # the bulk form lists the officer's colleagues, not themselves


def _inbox_query_cached(params) -> bool:
    if any(len(params.getlist(k)) > 1 for k in params) or params.get("q", "").strip():
        return False
    page = params.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= CACHED_PAGES:
        return False
    return len(urlencode(sorted(params.items()))) <= MAX_QUERY


def get(key: str | None):
    return cache.get(key) if key else None


def get_many(keys: dict[str, str | None]) -> dict:
    """The parts found under ``keys`` (a name for each key, None for a part not cached)."""
    wanted = [k for k in keys.values() if k]
    found = cache.get_many(wanted) if wanted else {}
    return {name: found.get(key) for name, key in keys.items() if key and key in found}


def put(key: str | None, value) -> None:
    if key:
        cache.set(key, value, timeout=FRAGMENT_TTL)
