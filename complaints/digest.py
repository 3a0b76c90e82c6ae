"""The daily digest: one e-mail a day to each officer listing their open reports due within
the next two working days or already late, and to each agency admin the unassigned ones of
their agencies. Officers who turned off optional notices (User.notify_optional) get none. One
per person per day: the outbox key names the person and the day, so a second run (a second
beat during a failover, a retry) writes nothing."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Role, User
from core.siteurl import site_url

from .models import Report, Status
from .notifications import outbox_add
from .workdays import JAKARTA, Calendar

HORIZON_DAYS = 2  # working days ahead


def _due_q(until: dt.datetime) -> Q:
    return Q(status=Status.DISPATCHED, response_due__lte=until) | Q(
        status=Status.IN_PROGRESS, resolution_due__lte=until
    )


def _line(r: Report, now) -> str:
    due = r.response_due if r.status == Status.DISPATCHED else r.resolution_due
    late = due is not None and due < now
    when = due.astimezone(JAKARTA).strftime("%d-%m-%Y") if due else "-"
    mark = _("TERLAMBAT") if late else _("batas")
    url = f"{site_url()}/kerja/laporan/{r.tracking}/"
    return f"- {r.tracking} [{mark} {when}] {r.title}\n  {url}"


def send_daily_digests(*, now=None) -> int:
    """Writes today's digests to the outbox. Returns how many were written (0 on a rerun)."""
    now = now or timezone.now()
    today = now.astimezone(JAKARTA).date()
    until = Calendar().add_working_days(now, HORIZON_DAYS)
    open_due = Report.objects.filter(_due_q(until)).select_related("agency")
    staff = (
        User.objects.filter(
            roles__is_active=True,
            roles__kind__in=[Role.Kind.OFFICER, Role.Kind.AGENCY_ADMIN],
            is_active=True,
            is_service=False,
            notify_optional=True,
        )
        .exclude(email="")
        .distinct()
    )
    written = 0
    for user in staff.iterator():
        mine = list(open_due.filter(assigned_to=user).order_by("resolution_due", "pk")[:100])
        admin_of = list(
            Role.objects.filter(user=user, is_active=True, kind=Role.Kind.AGENCY_ADMIN).values_list(
                "agency__path", flat=True
            )
        )
        unassigned = []
        if admin_of:
            q = Q(pk__in=[])
            for path in admin_of:
                q |= Q(agency_path__startswith=path)
            unassigned = list(
                open_due.filter(q, assigned_to__isnull=True).order_by("response_due", "pk")[:100]
            )
        if not mine and not unassigned:
            continue
        parts = [_("Halo %(name)s,") % {"name": user.display_name}, ""]
        if mine:
            parts.append(_("Laporan Anda yang jatuh tempo dalam dua hari kerja atau terlambat:"))
            parts += [_line(r, now) for r in mine]
            parts.append("")
        if unassigned:
            parts.append(_("Laporan instansi Anda yang belum ditugaskan ke petugas:"))
            parts += [_line(r, now) for r in unassigned]
            parts.append("")
        parts.append(_("Matikan ringkasan ini di %(url)s") % {"url": f"{site_url()}/akun/"})
        with transaction.atomic():
            created = outbox_add(
                dedupe_key=f"digest:{user.pk}:{today.isoformat()}",
                recipient=user.email,
                subject=_("LAPOR!: ringkasan harian %(day)s") % {"day": today.strftime("%d-%m-%Y")},
                body="\n".join(parts),
            )
        written += created is not None
    return written
