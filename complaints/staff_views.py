"""Staff pages: national triage (/triase/) and the agency workspace (/kerja/). Both act on a
report through one endpoint that calls the status machine; access is decided in
complaints.permissions and agencies.scope only."""

import contextlib
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import F, Q
from django.http import FileResponse, Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.models import Agency, User
from agencies.scope import scope_for
from core import replica
from routing.models import Category
from routing.selectors import decide

from . import (
    answers,
    audiences,
    bulk,
    exports,
    information,
    page_cache,
    queues,
    reasons,
    selectors,
    workflow,
)
from .converters import canonical
from .errors import DomainError, InvalidAction, StaleReport
from .filters import InboxFilter, TriageFilter
from .models import AnswerTemplate, ExportJob, Kind, Report, SavedView, Status
from .paging import CappedPaginator
from .permissions import (
    can,
    get_report_for,
    reports_addressed_to,
    reports_visible_to,
    view_of,
)
from .services import report_transition, report_verify_and_route, report_verify_by_agency

logger = logging.getLogger(__name__)

PAGE_SIZE = 25


def _require_triage(user):
    if not scope_for(user).national_admin:
        raise PermissionDenied


def _require_staff(user):
    if not scope_for(user).is_staff_scope:
        raise PermissionDenied


# --- triage ---------------------------------------------------------------------------------


def _triage_list(request, data):
    """The triage workspace's reports for a query (the page's GET, a saved view, the "next"
    flow or "select all matching"): filtered, in the default order by verification deadline."""
    base = Report.objects.filter(queues.TRIAGE_Q | Q(status=Status.NEEDS_INFO))
    flt = TriageFilter(data or None, queryset=base, request=request)
    qs = flt.qs if flt.is_bound and flt.is_valid() else base
    if not (flt.is_bound and flt.is_valid() and flt.form.cleaned_data.get("state")):
        qs = qs.filter(queues.TRIAGE_Q)
    if not data.get("sort"):
        qs = qs.order_by(F("verify_due").asc(nulls_last=True), "created_at", "pk")
    qs = qs.select_related("category", "province", "regency").prefetch_related("tags")
    return flt, queues.with_return_reason(qs)


def _view_query(data) -> str:
    query = data.copy()
    for key in ("page", "lewati", "v"):
        query.pop(key, None)
    return query.urlencode()


@login_required
@require_http_methods(["GET", "POST"])
def triage_queue(request):
    _require_triage(request.user)
    if request.method == "POST":
        return _saved_view_post(request, SavedView.Page.TRIAGE, "triage:queue")
    flt, qs = _triage_list(request, request.GET)
    page = CappedPaginator(qs, PAGE_SIZE, searching=bool(request.GET.get("q"))).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "complaints/triage/queue.html",
        {
            "page": page,
            "filter": flt,
            "counts": queues.triage_counts(),
            "query": _view_query(request.GET),
            "saved_views": SavedView.objects.filter(user=request.user, page="triage"),
            "bulk_actions": _bulk_choices(["dispatch", "request_info", "reject", "recategorize"]),
            "reasons": reasons.BY_ACTION,
            "categories": Category.objects.filter(is_active=True).order_by("name_id"),
            "kinds": Kind.choices,
            "agency_results": agency_search_results(request.GET.get("cari_instansi", "")),
            "bulk_max": bulk.BULK_MAX,
        },
    )


def _saved_view_post(request, page: str, back: str):
    if request.POST.get("delete"):
        SavedView.objects.filter(
            user=request.user, page=page, pk=_int(request.POST["delete"])
        ).delete()
        return redirect(back)
    name = request.POST.get("name", "").strip()[:60]
    query = request.POST.get("query", "")[:1000]
    if not name:
        messages.error(request, _("Beri nama tampilan ini."))
        return redirect(reverse(back) + "?" + query)
    SavedView.objects.update_or_create(
        user=request.user, page=page, name=name, defaults={"query": query}
    )
    messages.success(request, _("Tampilan %(name)s disimpan.") % {"name": name})
    return redirect(reverse(back) + "?" + query)


SKIPPED = "triage-skipped"


@login_required
@require_GET
def triage_next(request):
    """The "next report" flow: the first report of the view (``v``) not skipped in this
    session. ``lewati`` skips the one named. An empty view goes back to the list."""
    _require_triage(request.user)
    view = QueryDict(request.GET.get("v", ""))
    skipped = request.session.get(SKIPPED, [])
    skip = (
        Report.objects.filter(tracking=request.GET.get("lewati", ""))
        .values_list("pk", flat=True)
        .first()
    )
    if skip:
        skipped = [*skipped, skip][-500:]
        request.session[SKIPPED] = skipped
    _flt, qs = _triage_list(request, view)
    report = qs.exclude(pk__in=skipped).first()
    if report is None:
        request.session[SKIPPED] = []
        messages.success(request, _("Tidak ada laporan lagi di tampilan ini."))
        return redirect(reverse("triage:queue") + "?" + view.urlencode())
    return redirect(
        reverse("triage:detail", args=[report.tracking]) + "?" + urlencode({"v": view.urlencode()})
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
            "view_query": request.GET.get("v", ""),
            "in_flow": "v" in request.GET,
            "reasons": reasons.BY_ACTION,
            "returned": queues.with_return_reason(Report.objects.filter(pk=report.pk)).first()
            if report.needs_triage_decision
            else None,
        }
    )
    return render(request, "complaints/staff/detail.html", context)


def _assist(report: Report) -> dict:
    """Category suggestion and likely duplicates. Help, not a step: if either fails, triage
    goes on without it (and the failure is logged)."""
    from routing.suggest import MINIMUM, suggest

    from .duplicates import similar_reports

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
        result["duplicates"] = similar_reports(
            text=f"{report.title}\n{report.description}",
            regency=report.regency_id,
            category=report.category_id,
            public_only=False,  # national triage sees every report
            exclude_id=report.pk,
        )
    except Exception:
        logger.exception("duplicate search failed for %s", report.tracking)
    return result


# --- workspace ------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request):
    """The officer's inbox. Its parts (the rows; the counts, filters and reports waiting for
    verification above them; the bulk form's fields) come from the cache while nothing of the
    agencies they show changed (complaints.page_cache); the page around them, with the CSRF
    token, is rendered for each request."""
    user = request.user
    _require_staff(user)
    scope = scope_for(user)
    params = request.GET
    rows_only = bool(request.htmx and request.htmx.target == "inbox-results")
    read_only = not scope.works_reports
    names = ["rows"]
    if not rows_only:
        names += ["head"] if read_only else ["head", "bulk"]
    keys = page_cache.inbox_keys(scope, params, names, user_id=user.pk)
    parts = page_cache.get_many(keys)
    missing = [name for name in keys if parts.get(name) is None]
    if missing:
        fresh, valid = _inbox_parts(request, scope, missing, read_only)
        parts.update(fresh)
        if valid:
            for name in missing:
                page_cache.put(keys[name], fresh[name])
    if rows_only:
        return HttpResponse(parts["rows"])
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/staff/inbox.html",
        {**parts, "read_only": read_only, "query": query.urlencode()},
    )


def _inbox_parts(request, scope, names: list[str], read_only: bool) -> tuple[dict, bool]:
    """The inbox ``names`` parts rendered without the request (nothing of the session in
    them), and whether its filter was valid (only then are they cached)."""
    user = request.user
    base = queues.inbox_for(user)
    flt = InboxFilter(request.GET or None, queryset=base, request=request)
    valid = not flt.is_bound or flt.is_valid()
    query = request.GET.copy()
    query.pop("page", None)
    context = {"read_only": read_only, "query": query.urlencode(), "scope": scope}
    parts = {}
    if "rows" in names:
        qs = flt.qs if flt.is_bound and valid else base
        if not request.GET.get("sort"):
            qs = queues.by_deadline(qs)
        searching = bool(request.GET.get("q", "").strip())
        paginator = CappedPaginator(qs, PAGE_SIZE, searching=searching)
        context["page"] = paginator.get_page(request.GET.get("page"))
        parts["rows"] = render_to_string("complaints/staff/partials/inbox_rows.html", context)
    if "head" in names:
        context.update(
            {
                "filter": flt,
                "counts": queues.status_counts(base, queues.counts_key(user)),
                "overdue": queues.overdue_count(base, queues.counts_key(user)),
                "filtering": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
                "addressed": _addressed(user),
                "loads": queues.officer_loads(user),
            }
        )
        parts["head"] = render_to_string("complaints/staff/partials/inbox_head.html", context)
    if "bulk" in names:
        context.update(
            {
                "colleagues": queues.colleagues_of(user),
                "bulk_actions": _bulk_choices(["assign", "recategorize", "resolve"]),
                "categories": Category.objects.filter(is_active=True).order_by("name_id"),
                "kinds": Kind.choices,
                "bulk_max": bulk.BULK_MAX,
            }
        )
        parts["bulk"] = render_to_string("complaints/staff/partials/bulk_fields.html", context)
    return parts, valid


def _addressed(user) -> dict | None:
    """Reports naming the user's agency that wait for its verification: the first ones and
    how many (at most 1,000 counted)."""
    qs = reports_addressed_to(user)
    rows = list(qs.select_related("requested_agency").order_by("verify_due", "pk")[:10])
    if not rows:
        return None
    return {"rows": rows, "count": qs.order_by()[:1000].count()}


def _workable(user):
    """What a staff member may open: what they see, and the reports addressed to their agency
    that wait for its verification (SP4N-LAPOR!'s Admin Instansi)."""
    return reports_visible_to(user) | reports_addressed_to(user)


@login_required
@require_GET
def workspace_detail(request, tracking):
    _require_staff(request.user)
    report = get_report_for(request.user, tracking, _workable(request.user))
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
    view = view_of(user, report)
    return {
        "report": report,
        "view": view,
        "timeline": audiences.timeline(report, view),
        "attachments": list(audiences.files(report, view)),
        "identity": view.identity,
        "actions": {a.name: a for a in actions},
        "agency_results": agency_search_results(search) if search else [],
        "agency_query": search,
        "units": _units(report) if "assign_unit" in names else [],
        "officers": selectors.colleagues_for(report) if "assign" in names else [],
        "answer_templates": answers.templates_for(report, user) if actions else [],
        "kinds": Kind.choices,
        "objection_answerer": information.objection_answerer(report),
        "categories": Category.objects.filter(is_active=True).order_by("name_id")
        if "recategorize" in names
        else [],
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
    keep = Agency.objects.active().filter(pk=_int(request.GET.get("saran"))).first()
    return render(
        request,
        "complaints/staff/partials/agency_options.html",
        {"agencies": agency_search_results(request.GET.get("cari", "")), "keep": keep},
    )


@login_required
@require_GET
def merge_confirm(request, tracking):
    """Before a merge: the report and the one it would join, side by side, and the button
    that merges. Nothing changes until that button is pressed."""
    _require_triage(request.user)
    report = get_report_for(request.user, tracking)
    into = Report.objects.filter(tracking=request.GET.get("ke", "").strip().upper()[:20]).first()
    problem = ""
    if into is None:
        problem = _("Nomor laporan tujuan penggabungan tidak ditemukan.")
    elif into.pk == report.pk or into.status in ("merged", "rejected"):
        problem = _("Pilih laporan lain yang masih berlaku untuk digabungkan.")
    elif "merge" not in {a.name for a in workflow.allowed_actions(report.status)}:
        problem = _("Laporan ini tidak dapat digabungkan pada status sekarang.")
    pair = [(r, r.attachments.count()) for r in ([report, into] if into is not None else [report])]
    return render(
        request,
        "complaints/triage/merge_confirm.html",
        {"report": report, "into": into, "pair": pair, "problem": problem},
        status=200 if not problem else 400,
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
        into = Report.objects.filter(tracking=canonical(post.get("into", ""))).first()
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
    if action == "recategorize":
        params["category"] = Category.objects.filter(pk=_int(post.get("category"))).first()
        params["kind"] = post.get("kind", "")
    if action == "tag":
        params["tags"] = post.get("tags", "").replace(",", " ").split()
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
    report = get_report_for(request.user, tracking, _workable(request.user))
    action = request.POST.get("action", "")
    spec = workflow.ACTIONS.get(action)
    if spec is None or spec.actor not in (workflow.TRIAGE, workflow.AGENCY, workflow.STAFF):
        raise PermissionDenied
    if not can(request.user, action, report):
        raise PermissionDenied
    if action == "merge" and request.POST.get("confirm") != "1":
        # A merge is confirmed on the page that shows both reports side by side.
        into = request.POST.get("into", "").strip().upper()[:20]
        return redirect(
            reverse("triage:merge", args=[report.tracking]) + "?" + urlencode({"ke": into})
        )
    try:
        params = _params(request, action, report)
        note = request.POST.get("note", "")[:5000]
        if action in reasons.BY_ACTION:
            note = reasons.compose_note(
                action=action, reason=request.POST.get("reason", ""), text=note
            )
        version = _int(request.POST.get("version"))
        if action == "verify":
            # Verifying also routes; the version check guards the pair.
            if version is not None and version != report.version:
                raise StaleReport()
            report_verify_and_route(report_id=report.pk, actor=request.user, note=note, **params)
        elif action == "agency_verify":
            if version is not None and version != report.version:
                raise StaleReport()
            report_verify_by_agency(report_id=report.pk, actor=request.user, note=note)
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
        ok = False
    else:
        messages.success(request, _("Tersimpan: %(label)s.") % {"label": spec.label})
        ok = True
    url, still_seen = _after_action_url(request, report)
    if ok and "v" in request.POST and request.POST.get("from") == "triage":
        # The "next report" flow: a decision taken, on to the next report of the same view.
        url = reverse("triage:next") + "?" + urlencode({"v": request.POST["v"]})
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
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
    """Reusable answers: an officer's own, and those an agency admin shares with the agency;
    each may be limited to a category, a status and the box it fills."""
    scope = scope_for(request.user)
    if not scope.officer_paths:
        raise PermissionDenied
    roots = sorted({int(p.split("/", 1)[0]) for p in scope.officer_paths})
    agencies = list(Agency.objects.filter(pk__in=roots))
    mine = Q(owner=request.user) | Q(owner__isnull=True, agency_id__in=scope.admin_agency_ids)
    if request.method == "POST":
        if request.POST.get("delete"):
            AnswerTemplate.objects.filter(mine, pk=_int(request.POST["delete"])).update(
                is_active=False
            )
            return redirect("workspace:templates")
        _template_create(request, scope, roots)
        return redirect("workspace:templates")
    templates = AnswerTemplate.objects.filter(
        Q(owner=request.user) | Q(owner__isnull=True), agency_id__in=roots, is_active=True
    ).select_related("agency", "category", "owner")
    return render(
        request,
        "complaints/staff/answer_templates.html",
        {
            "templates": templates,
            "agencies": agencies,
            "can_share": bool(scope.admin_agency_ids),
            "categories": Category.objects.filter(is_active=True).order_by("name_id"),
            "statuses": [(s, Status(s).label) for s in (Status.DISPATCHED, Status.IN_PROGRESS)],
            "boxes": [(a, workflow.ACTIONS[a].label) for a in TEMPLATE_BOXES],
            "placeholders": answers.PLACEHOLDERS,
            "editable": {t.pk for t in templates.filter(mine)},
        },
    )


TEMPLATE_BOXES = ("respond", "progress", "resolve", "ask_info")


def _template_create(request, scope, roots) -> None:
    post = request.POST
    agency_id = _int(post.get("agency"))
    title, body = post.get("title", "").strip()[:120], post.get("body", "").strip()[:5000]
    shared = post.get("shared") == "1"
    if agency_id not in roots or not title or not body:
        messages.error(request, _("Isi judul dan isi templat."))
        return
    if shared and agency_id not in scope.admin_agency_ids:
        messages.error(request, _("Hanya admin instansi yang dapat membagikan templat."))
        return
    box = post.get("for_action", "")
    status = post.get("status", "")
    AnswerTemplate.objects.create(
        agency_id=agency_id,
        owner=None if shared else request.user,
        title=title,
        body=body,
        for_action=box if box in TEMPLATE_BOXES else "",
        status=status if status in (Status.DISPATCHED, Status.IN_PROGRESS) else "",
        category=Category.objects.filter(pk=_int(post.get("category")), is_active=True).first(),
    )
    messages.success(request, _("Templat disimpan."))


def _export_qs(request):
    base = queues.inbox_for(request.user)
    flt = InboxFilter(request.GET or None, queryset=base, request=request)
    return flt.qs if flt.is_bound and flt.is_valid() else base


@login_required
@require_GET
def inbox_export(request):
    """The inbox, with its filters, as CSV: streamed at once up to exports.inline_max()
    reports, built by a worker above that (export_status follows it). complaints.exports says
    what is in it and what never is."""
    _require_staff(request.user)
    qs = _export_qs(request)
    if exports.is_large(qs):
        return _export_later(request, ExportJob.Format.CSV)
    response = StreamingHttpResponse(
        replica.streamed(exports.csv_lines(qs), request), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="laporan-lapor.csv"'
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def inbox_export_xlsx(request):
    """The same as a spreadsheet (built by a worker when large), up to exports.XLSX_MAX."""
    _require_staff(request.user)
    qs = _export_qs(request)
    if not exports.is_large(qs):
        with replica.reading() if replica.allowed(request) else contextlib.nullcontext():
            body = exports.xlsx_bytes(qs)
        response = HttpResponse(body, content_type=XLSX_TYPE)
        response["Content-Disposition"] = 'attachment; filename="laporan-lapor.xlsx"'
        return response
    if qs.order_by()[: exports.XLSX_MAX + 1].count() > exports.XLSX_MAX:
        messages.error(
            request,
            _("Lebih dari %(n)s laporan: persempit saringan atau unduh CSV.")
            % {"n": f"{exports.XLSX_MAX:,}".replace(",", ".")},
        )
        return redirect(reverse("workspace:inbox") + "?" + request.GET.urlencode())
    return _export_later(request, ExportJob.Format.XLSX)


def _export_later(request, fmt: str):
    job = exports.export_request(
        user=request.user,
        fmt=fmt,
        query=request.GET.urlencode(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    return redirect("workspace:export-job", key=job.key)


def _own_export(request, key) -> ExportJob:
    """The export ``key`` if the signed-in user asked for it; 404 for anyone else (another
    officer of the same agency included: the file is the requester's)."""
    _require_staff(request.user)
    job = ExportJob.objects.filter(key=key, requester=request.user).first()
    if job is None:
        raise Http404
    return job


@login_required
@require_GET
def export_status(request, key):
    """A large export's progress. With htmx the panel asks again every two seconds until the
    file is ready; without JavaScript the page has a refresh link."""
    job = _own_export(request, key)
    expired = job.expires_at is not None and job.expires_at <= timezone.now()
    template = "complaints/staff/partials/export_status.html"
    if not request.htmx:
        template = "complaints/staff/export_status.html"
    polling = not expired and job.state in (ExportJob.State.QUEUED, ExportJob.State.RUNNING)
    return render(request, template, {"job": job, "expired": expired, "polling": polling})


@login_required
@require_GET
def export_download(request, key):
    """The built file, to its requester only, until it expires (then 410)."""
    job = _own_export(request, key)
    if job.state != ExportJob.State.DONE or not job.file:
        return redirect("workspace:export-job", key=job.key)
    if job.expires_at <= timezone.now() or not default_storage.exists(job.file):
        return render(
            request,
            "complaints/staff/export_status.html",
            {"job": job, "expired": True},
            status=410,
        )
    content_type = XLSX_TYPE if job.format == ExportJob.Format.XLSX else "text/csv"
    return FileResponse(
        default_storage.open(job.file, "rb"),
        as_attachment=True,
        filename=f"laporan-lapor.{job.format}",
        content_type=content_type,
    )


# --- bulk work ------------------------------------------------------------------------------


def _bulk_choices(names: list[str]) -> list[tuple[str, str]]:
    return [(n, bulk.BULK_ACTIONS[n]) for n in names]


TRIAGE_BULK = {"dispatch", "request_info", "reject", "recategorize"}
INBOX_BULK = {"assign", "recategorize", "resolve"}


@login_required
@require_POST
def bulk_act(request, where: str):
    """One action on the ticked reports, or on every report matching the page's filter. Each
    report goes through the status machine alone; the page lists what happened to each."""
    if where == "triage":
        _require_triage(request.user)
        allowed, back = TRIAGE_BULK, reverse("triage:queue")
    else:
        _require_staff(request.user)
        allowed, back = INBOX_BULK, reverse("workspace:inbox")
    post = request.POST
    query = post.get("query", "")[:2000]
    action = post.get("action", "")
    try:
        if action not in allowed:
            raise InvalidAction(_("Pilih tindakan massal."))
        ids = _bulk_ids(request, where, query)
        params, note = _bulk_params(request, action)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back + "?" + query)
    outcomes = bulk.reports_bulk_act(
        actor=request.user, report_ids=ids, action=action, note=note, **params
    )
    return render(
        request,
        "complaints/staff/bulk_result.html",
        {
            "outcomes": outcomes,
            "summary": bulk.summary(outcomes),
            "label": bulk.BULK_ACTIONS[action],
            "back": back + "?" + query,
            "detail": "triage:detail" if where == "triage" else "workspace:detail",
        },
    )


def _bulk_ids(request, where: str, query: str) -> list[int]:
    if request.POST.get("all_matching") == "1":
        data = QueryDict(query)
        if where == "triage":
            qs = _triage_list(request, data)[1]
        else:
            base = queues.inbox_for(request.user)
            flt = InboxFilter(data or None, queryset=base, request=request)
            qs = flt.qs if flt.is_bound and flt.is_valid() else base
        ids = list(qs.values_list("pk", flat=True)[: bulk.BULK_MAX + 1])
        if len(ids) > bulk.BULK_MAX:
            raise InvalidAction(
                _("Lebih dari %(n)s laporan cocok: persempit saringan dulu.") % {"n": bulk.BULK_MAX}
            )
    else:
        ids = [i for i in (_int(v) for v in request.POST.getlist("report")) if i]
    if not ids:
        raise InvalidAction(_("Pilih setidaknya satu laporan."))
    return ids


def _bulk_params(request, action: str) -> tuple[dict, str]:
    post = request.POST
    note = post.get("note", "")[:5000]
    params: dict = {}
    if action == "dispatch":
        agency = Agency.objects.filter(pk=_int(post.get("agency"))).first()
        if agency is None:
            raise InvalidAction(_("Pilih instansi tujuan."))
        params["agency"] = agency
    elif action == "assign":
        who = post.get("assignee", "")
        assignee = request.user if who == "me" else User.objects.filter(pk=_int(who)).first()
        if assignee is None:
            raise InvalidAction(_("Pilih petugas instansi ini."))
        params["assignee"] = assignee
    elif action == "recategorize":
        params["category"] = Category.objects.filter(pk=_int(post.get("category"))).first()
        params["kind"] = post.get("kind", "")
        if params["category"] is None and not params["kind"]:
            raise InvalidAction(_("Pilih kategori atau jenis yang baru."))
    if action in reasons.BY_ACTION:
        reason = post.get(f"reason_{action}") or post.get("reason", "")
        note = reasons.compose_note(action=action, reason=reason, text=note)
    spec = workflow.ACTIONS[action]
    if spec.needs_note and not note.strip():
        raise InvalidAction(_("Tuliskan keterangan untuk tindakan ini."))
    return params, note
