"""Staff pages: national triage (/triase/) and the agency workspace (/kerja/). Both act on a
report through one endpoint that calls the status machine; access is decided in
complaints.permissions and agencies.scope only."""

import csv
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.models import Agency, User
from agencies.scope import scope_for
from core import csvsafe
from routing.models import Category
from routing.selectors import decide

from . import queues, selectors, workflow
from .errors import DomainError, InvalidAction, StaleReport
from .filters import InboxFilter
from .models import AnswerTemplate, Report
from .paging import CappedPaginator
from .permissions import can, can_see_identity, get_report_for, reports_visible_to
from .services import report_transition, report_verify_and_route

logger = logging.getLogger(__name__)

PAGE_SIZE = 25


def _require_triage(user):
    if not scope_for(user).national_admin:
        raise PermissionDenied


def _require_staff(user):
    if not scope_for(user).is_staff_scope:
        raise PermissionDenied


# --- triage ---------------------------------------------------------------------------------


@login_required
@require_GET
def triage_queue(request):
    _require_triage(request.user)
    page = Paginator(queues.triage_queue(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/triage/queue.html",
        {"page": page, "counts": queues.triage_counts()},
    )


@login_required
@require_GET
def triage_detail(request, tracking):
    _require_triage(request.user)
    report = get_report_for(request.user, tracking)
    decision = decide(
        category_id=report.category_id,
        kind=report.kind,
        province_code=report.province_id,
        regency_code=report.regency_id,
    )
    context = _detail_context(request, report)
    context.update(
        {
            "decision": decision,
            "decided_agency": Agency.objects.filter(pk=decision.agency_id).first(),
            "categories": Category.objects.filter(is_active=True).order_by("name_id"),
            "assist": _assist(report),
            "back_url": "triage:queue",
            "act_url": reverse("triage:act", args=[report.tracking]),
            "from": "triage",
        }
    )
    return render(request, "complaints/staff/detail.html", context)


def _assist(report: Report) -> dict:
    """Category suggestion and likely duplicates. Help, not a step: if either fails, triage
    goes on without it (and the failure is logged)."""
    from routing.suggest import MINIMUM, suggest

    from .duplicates import similar_open_reports

    result: dict = {"suggestions": [], "duplicates": [], "minimum": MINIMUM}
    try:
        # Triage sees the first three whatever their score: a weak right guess still saves a
        # search through 34 categories (the form shows only those above suggest.MINIMUM).
        codes = suggest(f"{report.title}\n{report.description}", limit=3, minimum=0.0)
        names = {c.code: c for c in Category.objects.filter(code__in=[c for c, _ in codes])}
        result["suggestions"] = [(names[code], conf) for code, conf in codes if code in names]
    except Exception:
        logger.exception("category suggestion failed for %s", report.tracking)
    try:
        result["duplicates"] = similar_open_reports(
            title=report.title,
            description=report.description,
            province_id=report.province_id,
            regency_id=report.regency_id,
            exclude_id=report.pk,
        )
    except Exception:
        logger.exception("duplicate search failed for %s", report.tracking)
    return result


# --- workspace ------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request):
    _require_staff(request.user)
    base = queues.inbox_for(request.user)
    flt = InboxFilter(request.GET or None, queryset=base, request=request)
    qs = flt.qs if flt.is_bound and flt.is_valid() else base
    searching = bool(request.GET.get("q", "").strip())
    page = CappedPaginator(qs, PAGE_SIZE, searching=searching).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = (
        "complaints/staff/partials/inbox_rows.html"
        if request.htmx and request.htmx.target == "inbox-results"
        else "complaints/staff/inbox.html"
    )
    return render(
        request,
        template,
        {
            "filter": flt,
            "page": page,
            "query": query.urlencode(),
            "counts": queues.status_counts(base, queues.counts_key(request.user)),
            "read_only": not scope_for(request.user).works_reports,
            "loads": queues.officer_loads(request.user) if template.endswith("inbox.html") else [],
        },
    )


@login_required
@require_GET
def workspace_detail(request, tracking):
    _require_staff(request.user)
    report = get_report_for(request.user, tracking)
    context = _detail_context(request, report)
    context.update(
        {
            "back_url": "workspace:inbox",
            "act_url": reverse("workspace:act", args=[report.tracking]),
            "from": "workspace",
        }
    )
    return render(request, "complaints/staff/detail.html", context)


def _detail_context(request, report: Report) -> dict:
    user = request.user
    actions = [
        a
        for a in workflow.allowed_actions(report.status)
        if a.actor in (workflow.TRIAGE, workflow.AGENCY, workflow.STAFF)
        and workflow.offered(a, report)
        and can(user, a.name, report)
    ]
    names = {a.name for a in actions}
    search = request.GET.get("cari", "").strip()
    return {
        "report": report,
        "timeline": selectors.full_timeline(report),
        "attachments": list(report.attachments.all()),
        "identity": can_see_identity(user, report),
        "actions": {a.name: a for a in actions},
        "agency_results": agency_search_results(search) if search else [],
        "agency_query": search,
        "units": _units(report) if "assign_unit" in names else [],
        "officers": selectors.colleagues_for(report) if "assign" in names else [],
        "answer_templates": templates_for(report) if actions else [],
    }


def _units(report: Report) -> list[Agency]:
    if not report.owner_agency_id:
        return []
    return list(
        Agency.objects.active()
        .filter(path__startswith=f"{report.owner_agency_id}/")
        .order_by("path")[:200]
    )


def agency_search_results(text: str, limit: int = 20) -> list[Agency]:
    words = text.split()[:5]
    if not words:
        return []
    q = Q()
    for word in words:
        q &= Q(name__icontains=word) | Q(acronym__iexact=word) | Q(slug__icontains=word)
    return list(Agency.objects.active().filter(q).order_by("depth", "name")[:limit])


@login_required
@require_GET
def agency_search(request):
    """The agency picker's options (htmx fragment)."""
    _require_staff(request.user)
    return render(
        request,
        "complaints/staff/partials/agency_options.html",
        {"agencies": agency_search_results(request.GET.get("cari", ""))},
    )


# --- acting ---------------------------------------------------------------------------------


def _params(request, action: str, report: Report) -> dict:
    post = request.POST
    params: dict = {}
    if action in ("dispatch", "transfer", "assign_unit"):
        agency = Agency.objects.filter(pk=_int(post.get("agency"))).first()
        if agency is None:
            raise InvalidAction(_("Pilih instansi tujuan."))
        params["agency"] = agency
    if action == "merge":
        into = Report.objects.filter(tracking=post.get("into", "").strip().upper()).first()
        if into is None:
            raise InvalidAction(_("Nomor laporan tujuan penggabungan tidak ditemukan."))
        params["into"] = into
    if action == "assign":
        who = post.get("assignee", "")
        if who == "me":
            params["assignee"] = request.user
        else:
            assignee = User.objects.filter(pk=_int(who)).first()
            if assignee is None:
                raise InvalidAction(_("Pilih petugas instansi ini."))
            params["assignee"] = assignee  # the service checks it is a colleague
    if action == "verify" and post.get("category"):
        params["category"] = Category.objects.filter(pk=_int(post.get("category"))).first()
    return params


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def act(request, tracking):
    """Takes one action on a report for a staff member, then shows the report again."""
    _require_staff(request.user)
    report = get_report_for(request.user, tracking)
    action = request.POST.get("action", "")
    spec = workflow.ACTIONS.get(action)
    if spec is None or spec.actor not in (workflow.TRIAGE, workflow.AGENCY, workflow.STAFF):
        raise PermissionDenied
    if not can(request.user, action, report):
        raise PermissionDenied
    try:
        params = _params(request, action, report)
        note = request.POST.get("note", "")[:5000]
        version = _int(request.POST.get("version"))
        if action == "verify":
            # Verifying also routes; the version check guards the pair.
            if version is not None and version != report.version:
                raise StaleReport()
            report_verify_and_route(report_id=report.pk, actor=request.user, note=note, **params)
        else:
            report_transition(
                report_id=report.pk,
                action=action,
                actor=request.user,
                note=note,
                expected_version=version,
                **params,
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Tersimpan: %(label)s.") % {"label": spec.label})
    url, still_seen = _after_action_url(request, report)
    if request.htmx and not still_seen:
        # The panel that posted would be swapped for a page without it (the report left this
        # user's queue, e.g. returned to triage): show the outcome in its place instead.
        return render(
            request,
            "complaints/staff/partials/gone_panel.html",
            {"report": report, "back": url},
        )
    return redirect(url)


def _after_action_url(request, report: Report) -> tuple[str, bool]:
    """Back to the report if the user can still see it, else back to their queue."""
    in_triage = request.POST.get("from") == "triage"
    if reports_visible_to(request.user).filter(pk=report.pk).exists():
        name = "triage:detail" if in_triage else "workspace:detail"
        if in_triage or scope_for(request.user).is_staff_scope:
            return reverse(name, args=[report.tracking]), True
    return reverse("triage:queue" if in_triage else "workspace:inbox"), False


# --- answer templates and export ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def answer_templates(request):
    """An agency admin's reusable answers; officers pick them on the report page."""
    scope = scope_for(request.user)
    if not scope.admin_agency_ids:
        raise PermissionDenied
    agencies = list(Agency.objects.filter(pk__in=scope.admin_agency_ids))
    if request.method == "POST":
        if request.POST.get("delete"):
            AnswerTemplate.objects.filter(
                pk=_int(request.POST["delete"]), agency_id__in=scope.admin_agency_ids
            ).update(is_active=False)
        else:
            agency_id = _int(request.POST.get("agency"))
            title = request.POST.get("title", "").strip()[:120]
            body = request.POST.get("body", "").strip()[:5000]
            if agency_id in scope.admin_agency_ids and title and body:
                AnswerTemplate.objects.create(agency_id=agency_id, title=title, body=body)
                messages.success(request, _("Templat disimpan."))
            else:
                messages.error(request, _("Isi judul dan isi templat."))
        return redirect("workspace:templates")
    templates = AnswerTemplate.objects.filter(
        agency_id__in=scope.admin_agency_ids, is_active=True
    ).select_related("agency")
    return render(
        request,
        "complaints/staff/answer_templates.html",
        {"templates": templates, "agencies": agencies},
    )


def templates_for(report: Report) -> list[AnswerTemplate]:
    if not report.owner_agency_id:
        return []
    return list(AnswerTemplate.objects.filter(agency_id=report.owner_agency_id, is_active=True))


EXPORT_COLUMNS = [
    ("tracking", "nomor"),
    ("kind", "jenis"),
    ("status", "status"),
    ("title", "judul"),
    ("category__code", "kategori"),
    ("province__name", "provinsi"),
    ("regency__name", "kabupaten_kota"),
    ("agency__name", "ditangani"),
    ("created_at", "diterima"),
    ("dispatched_at", "didisposisikan"),
    ("response_due", "batas_tanggapan"),
    ("first_response_at", "tanggapan_pertama"),
    ("resolution_due", "batas_penyelesaian"),
    ("resolved_at", "diselesaikan"),
    ("overdue_at", "terlambat_sejak"),
    ("reopen_count", "dibuka_kembali"),
    ("rating", "nilai"),
]


class _Echo:
    def write(self, value):
        return value


@login_required
@require_GET
def inbox_export(request):
    """The inbox, with its filters, as CSV. Never carries the reporter's identity: an export
    leaves LAPOR, and an anonymous reporter must not leave with it."""
    _require_staff(request.user)
    base = queues.inbox_for(request.user)
    flt = InboxFilter(request.GET or None, queryset=base, request=request)
    qs = flt.qs if flt.is_bound and flt.is_valid() else base
    fields = [f for f, _h in EXPORT_COLUMNS]
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow([h for _f, h in EXPORT_COLUMNS])
        for values in qs.values_list(*fields).iterator(chunk_size=2000):
            yield writer.writerow(csvsafe.row(values))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="laporan-lapor.csv"'
    return response
