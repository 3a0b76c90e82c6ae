"""Who may see and do what with a report. Views, the API, the admin, exports and tasks all ask
here; nothing else decides access.

Unseen is 404 (``get_report_for`` raises Http404 for a report that does not exist and for one
the user may not see, with the same message); seen but not allowed is 403."""

import datetime as dt
import re

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from agencies.models import Agency
from agencies.scope import scope_for

from . import workflow
from .audiences import Audience, View, view_for
from .models import Report

REGIONAL_GOVERNMENTS = (Agency.Kind.PEMPROV, Agency.Kind.PEMKAB, Agency.Kind.PEMKOT)


def reports_visible_to(user) -> QuerySet:
    """Every report ``user`` may open in a staff or "my reports" view (never the public ones
    by virtue of being public: those are ``Report.objects.public()``)."""
    scope = scope_for(user)
    if scope.national_admin:
        return Report.objects.all()
    q = Q(pk__in=[])
    for path in scope.officer_paths:
        q |= Q(agency_path__startswith=path)
    if scope.province_codes:
        q |= Q(
            owner_agency__province_id__in=scope.province_codes,
            owner_agency__kind__in=REGIONAL_GOVERNMENTS,
        )
    if scope.ombudsman:
        q |= Q(ombudsman_visible=True)
    if user is not None and user.is_authenticated:
        q |= Q(reporter=user)
    return Report.objects.filter(q)


def get_report_for(user, tracking: str, queryset: QuerySet | None = None) -> Report:
    """The report with that tracking number if ``user`` may see it, else Http404."""
    qs = queryset if queryset is not None else reports_visible_to(user)
    report = qs.filter(tracking=tracking).first()
    if report is None:
        raise Http404("Laporan tidak ditemukan.")
    return report


def is_reporter(user, report: Report, token: str | None = None) -> bool:
    """The person who filed it: signed in as them, or holding the unexpired secret from their
    e-mail (guest_key_valid)."""
    if user is not None and user.is_authenticated and report.reporter_id == user.pk:
        return True
    return guest_key_valid(report, token)


def guest_key_expires_at(report: Report) -> dt.datetime | None:
    """When the reporter's key stops working: LAPOR_GUEST_KEY_DAYS after the report finished
    (closed, rejected, merged or archived), or after the key was last issued again if that is
    later. None while the report can still move: a key never expires under an open report."""
    if report.finished_at is None:
        return None
    start = max(report.finished_at, report.reporter_secret_at or report.finished_at)
    return start + dt.timedelta(days=settings.LAPOR_GUEST_KEY_DAYS)


def guest_key_valid(report: Report, token: str | None, now: dt.datetime | None = None) -> bool:
    """``token`` is the report's current key and has not expired. An expired or replaced key
    is no key at all (no timeline text, no action, no file)."""
    if not token or not constant_time_compare(token, report.reporter_secret):
        return False
    expires = guest_key_expires_at(report)
    return expires is None or (now or timezone.now()) < expires


def _phone_digits(value: str) -> str:
    """An Indonesian number in one form: digits only, +62 / 62 written as the leading 0."""
    digits = re.sub(r"\D", "", value)
    return "0" + digits[2:] if digits.startswith("62") else digits


def contact_matches(report: Report, contact: str) -> str | None:
    """ "email" or "sms" when ``contact`` is the e-mail address or phone number the report was
    filed with (where a new key may be sent), else None."""
    contact = (contact or "").strip()
    email = report.reporter_email
    if email and "@" in contact and constant_time_compare(contact.casefold(), email.casefold()):
        return "email"
    phone = _phone_digits(report.reporter_phone)
    if len(phone) >= 8 and constant_time_compare(_phone_digits(contact), phone):
        return "sms"
    return None


def audience_for(user, report: Report, *, token: str | None = None) -> Audience:
    """Who ``user`` (or the holder of the reporter's ``token``) is to ``report`` when it is
    reached by its tracking number. Costs at most one query (a supervisor or the Ombudsman:
    whether they may open it)."""
    scope = scope_for(user)
    if scope.national_admin:
        return Audience.TRIAGE
    if is_reporter(user, report, token):
        return Audience.REPORTER
    if covers(user, report):
        return Audience.HOLDER
    if scope.ombudsman and report.ombudsman_visible:
        return Audience.OMBUDSMAN
    if scope.province_codes and reports_visible_to(user).filter(pk=report.pk).exists():
        return Audience.SUPERVISOR
    if scope.officer_paths and addressed_to(user, report):
        return Audience.VERIFIER
    return Audience.NUMBER_HOLDER


def view_of(user, report: Report, *, token: str | None = None) -> View:
    """What ``user`` may see of ``report`` (complaints.audiences.view_for)."""
    return view_for(report, audience_for(user, report, token=token))


def can_read_timeline(user, report: Report, token: str | None = None) -> bool:
    """May ``user`` (or the holder of ``token``) read the text of a report's timeline on its
    track page? Anyone may for a published report; for one not yet published or confidential
    only its reporter and the staff who may open it (a former holder after a transfer may
    not)."""
    return view_of(user, report, token=token).timeline_text


def covers(user, report: Report) -> bool:
    """An officer or agency admin of the agency (or a parent of the unit) holding it."""
    return scope_for(user).covers_agency_path(report.agency_path)


def can(
    user, action: str, report: Report, *, token: str | None = None, for_reporter: bool = False
) -> bool:
    """May ``user`` (or the holder of ``token``) take ``action`` on ``report`` now?

    ``for_reporter``: ``user`` is the integration client the report came in through, whose app
    is the reporter's front door (the caller checked that: integrations.sync.originated_by);
    its own key then stands for the reporter in the reporter's actions, and it does not
    expire with the reporter's guest key.

    Says nothing about the status: the status machine checks that."""
    spec = workflow.ACTIONS.get(action)
    if spec is None:
        return False
    scope = scope_for(user)
    if spec.actor == workflow.TRIAGE:
        return scope.national_admin
    if action == "agency_verify":
        return addressed_to(user, report)
    if action == "objection_answer":
        # The PPID's superior answers an objection (UU 14/2008 art. 36): the person the agency
        # recorded as its atasan PPID, or its admins while it has recorded none.
        from agencies.models import Role

        recorded = set(
            Role.objects.ppid_superiors(report.owner_agency_id).values_list("user_id", flat=True)
        )
        if recorded:
            return user.pk in recorded and covers(user, report)
        return scope.administers_path(report.agency_path)
    if spec.actor == workflow.AGENCY:
        return covers(user, report)
    if spec.actor == workflow.REPORTER:
        return (for_reporter and user is not None) or is_reporter(user, report, token)
    if spec.actor == workflow.STAFF:
        return scope.national_admin or covers(user, report)
    return False  # SYSTEM actions are taken by LAPOR itself, never by a user.


def reports_addressed_to(user) -> QuerySet:
    """Reports waiting for verification that name an agency (or unit) the user works for: the
    agency verifies them itself, as SP4N-LAPOR!'s Admin Instansi does for reports addressed to
    it. The reporter's identity stays hidden until the report is dispatched (can_see_identity
    does not cover them)."""
    q = Q(pk__in=[])
    for path in scope_for(user).officer_paths:
        q |= Q(requested_agency__path__startswith=path)
    return Report.objects.filter(q, status="submitted", agency__isnull=True)


def addressed_to(user, report: Report) -> bool:
    """The report names an agency the user works for and waits for verification. One query."""
    if not report.requested_agency_id or report.agency_id is not None:
        return False
    path = Agency.objects.filter(pk=report.requested_agency_id).values_list("path", flat=True)
    return scope_for(user).covers_agency_path(path.first())


def can_see_identity(user, report: Report) -> bool:
    """May ``user`` see who filed the report (name, e-mail, phone)? Anonymous reports: only
    national admins and the reporter; the Ombudsman only with the reporter's consent; otherwise
    the staff who may open it (complaints.audiences.view_for)."""
    return view_of(user, report).identity


def can_manage_agency(user, agency: Agency) -> bool:
    return scope_for(user).administers_path(agency.path)
