"""Citizens' and public pages. Views parse input, ask permissions, call one service or selector,
and render."""

import datetime as dt
import json
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.forms.utils import ErrorDict
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies import regions
from agencies.models import Regency
from core import ratelimit, replica
from routing.models import Category
from routing.preview import Preview, routing_preview
from routing.understand import question_for

from . import (
    audiences,
    information,
    page_cache,
    photos,
    public_cache,
    selectors,
    skm,
    staging,
    workdays,
    workflow,
)
from .errors import DomainError, StorageFull
from .forms import (
    NewKeyForm,
    NoteForm,
    PublicFilterForm,
    RatingForm,
    ReportForm,
    SkmForm,
    TrackForm,
    agency_choices,
    regency_choices,
)
from .models import Attachment, Channel, FollowUp, Report, Status
from .paging import CappedPaginator
from .permissions import (
    can_see_identity,
    guest_key_expires_at,
    is_reporter,
    reports_visible_to,
    view_of,
)
from .services import (
    followup_answer,
    ombudsman_eligible,
    report_key_reissue,
    report_submit,
    report_support,
    report_transition_with_files,
)
from .uploads import check_upload

PAGE_SIZE = 20


@require_GET
def home(request):
    return render(
        request,
        "complaints/home.html",
        {"track_form": TrackForm(), "recent": selectors.public_reports()[:5]},
    )


@require_http_methods(["GET", "POST"])
def report_create(request):
    draft = staging.draft_for(request)
    if request.method != "POST":
        return _report_form(request, ReportForm(user=request.user), draft)
    if request.POST.get("preview"):
        return _report_preview(request, draft)
    form = ReportForm(request.POST, user=request.user)
    try:
        # First, so that whatever else is wrong, the files chosen are kept (or said refused).
        refused = staging.take_files(request, draft)
    except StorageFull as exc:
        form.add_error("attachments", exc.message)
        return _report_form(request, form, draft, status=503, headers={"Retry-After": "300"})
    blocked, retry_after = ratelimit.filing_blocked(request, None, failed=True)
    if blocked:
        return _too_many_filings(request, form, draft, retry_after)
    if form.is_valid() and not refused:
        contact = _contact_key(request, form.cleaned_data)
        blocked, retry_after = ratelimit.filing_blocked(request, contact)
        if blocked:
            return _too_many_filings(request, form, draft, retry_after)
        files = staging.staged_files(draft)
        try:
            route = _route(form.cleaned_data)
            matter = route.reading.matter
            data = form.to_new_report(Channel.WEB, files, matter_id=matter.pk if matter else None)
            report = report_submit(data=data, reporter=request.user)
        except StorageFull as exc:
            form.add_error("attachments", exc.message)
            return _report_form(request, form, draft, status=503, headers={"Retry-After": "300"})
        ratelimit.filing_counted(request, contact)
        filed = request.session.get("filed", [])[-9:]
        request.session["filed"] = [*filed, report.tracking]
        return redirect("complaints:report-created", tracking=report.tracking)
    ratelimit.filing_counted(request, None, failed=True)
    for message in refused:
        form.add_error("attachments", message)
    # The form again, as typed, with each error beside its field: a 400, as every door
    # answers input it refuses (a refused file, a NUL byte, a date out of range, ...).
    return _report_form(request, form, draft, status=400)


def _contact_key(request, data) -> str | None:
    user = request.user if request.user.is_authenticated else None
    return ratelimit.contact_key(
        email=data.get("reporter_email", ""),
        phone=data.get("reporter_phone", ""),
        user_id=user.pk if user else None,
    )


def _too_many_filings(request, form, draft, retry_after: int):
    """The form again, as typed and with its staged files, saying when to send it again (in
    the time zone of the province chosen, WIB when none): a 429 that loses nothing."""
    province = request.POST.get("province", "")
    zone = workdays.zone_for(province if province in regions.provinces() else None)
    again = timezone.now().astimezone(zone) + dt.timedelta(seconds=retry_after)
    notice = {
        "minutes": max(1, math.ceil(retry_after / 60)),
        "time": again.strftime("%H.%M"),
        "zone": workdays.zone_name(zone),
    }
    return _report_form(
        request,
        form,
        draft,
        status=429,
        headers={"Retry-After": str(retry_after)},
        extra={"too_many": notice},
    )


def _report_preview(request, draft):
    """ "Lihat tujuan" without JavaScript: the form again, as typed (and with the files chosen
    stored in the draft), with the routing preview and its question; nothing is filed and no
    error is shown yet."""
    allowed, retry_after = ratelimit.hit(request, "preview")
    if not allowed:
        return ratelimit.too_many(request, retry_after)
    form = ReportForm(request.POST, user=request.user)
    try:
        refused = staging.take_files(request, draft)
    except StorageFull as exc:
        refused = [exc.message]
    context = _route_context(request.POST)
    # Errors are shown when the report is sent, not while the citizen only looks.
    form._errors, form.cleaned_data = ErrorDict(), {}
    for message in refused:
        form.add_error("attachments", message)
    return _report_form(request, form, draft, extra=context)


def _route(data) -> Preview:
    """The routing preview for what the form holds (cleaned data or raw POST values)."""
    category = data.get("category")
    return routing_preview(
        title=str(data.get("title") or "")[:200],
        description=str(data.get("description") or "")[:10000],
        kind=str(data.get("kind") or ""),
        province=data.get("province") or None,
        regency=data.get("regency_code") or data.get("regency") or None,
        category=getattr(category, "code", None),
        matter=data.get("matter") or None,
    )


def _route_context(post) -> dict:
    """The routing preview's context from raw form values: unknown codes are ignored (the
    form itself says what is wrong when it is sent)."""
    category = Category.objects.filter(pk=_int(post.get("category")), is_active=True).first()
    title, description = post.get("title", ""), post.get("description", "")
    province = post.get("province", "")
    province = province if province in regions.provinces() else None
    regency = post.get("regency", "")
    regency = (
        regency if province and regions.regencies().get(regency, ("",))[0] == province else None
    )
    if len(title.strip()) + len(description.strip()) < 20 or province is None:
        return {"route": None}
    route = _route(
        {
            "title": title,
            "description": description,
            "kind": post.get("kind", ""),
            "province": province,
            "regency": regency,
            "category": category,
            "matter": post.get("matter", ""),
        }
    )
    return {
        "route": route,
        "question": route.reading.question or _asked(route, f"{title}\n{description}"),
        "chosen_matter": post.get("matter", ""),
        "agency_groups": agency_choices(province),
        "chosen_agency": post.get("requested_agency", ""),
    }


def _asked(route, text: str):
    """The question stays on the form once answered, so the answer can be changed."""
    if route.reading.matter_from != "given" or route.reading.category is None:
        return None
    return question_for(route.reading.category.code, text)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
def report_route(request):
    """While the citizen writes: where the report will go and why, with the question where
    the text does not settle it and the choice of another agency. A fragment for htmx; the
    "Lihat tujuan" button gives the same without JavaScript."""
    allowed, _retry_after = ratelimit.hit(request, "preview")
    if not allowed:
        return HttpResponse(status=429)
    return render(request, "complaints/partials/report_route.html", _route_context(request.POST))


def _report_form(request, form, draft, *, status=200, headers=None, extra=None):
    """The form, with the files this draft already holds listed (each removable)."""
    context = {"form": form, "draft": draft, "staged": staging.staged_files(draft), **(extra or {})}
    response = render(request, "complaints/report_form.html", context, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@require_GET
def regency_options(request):
    """The regency list for a province: the fragment htmx swaps into the form."""
    code = request.GET.get("province", "")
    return render(
        request,
        "complaints/partials/regency_options.html",
        {
            "choices": regency_choices(code or None),
            "grouped": not code,
            "selected": request.GET.get("regency", ""),
        },
    )


@require_POST
def report_assist(request):
    """While the citizen writes: the categories the text suggests and open public reports of
    the same regency that tell of the same problem (to support instead of filing again). A
    fragment for htmx; posted, not in the URL, so the text stays out of access logs. The form
    works the same without it."""
    from routing.models import Category
    from routing.suggest import suggest

    from .duplicates import similar_reports

    title = request.POST.get("title", "")[:200]
    description = request.POST.get("description", "")[:2000]
    codes = suggest(f"{title}\n{description}") if len(title) + len(description) >= 20 else []
    names = Category.objects.filter(code__in=[code for code, _ in codes], is_active=True)
    by_code = {c.code: c for c in names}
    suggestions = [(by_code[code], conf) for code, conf in codes if code in by_code]
    similar = similar_reports(
        text=f"{title}\n{description}",
        regency=request.POST.get("regency", "")[:8] or None,
        category=request.POST.get("category", "")[:40] or None,
        public_only=True,  # a citizen's page: never a confidential report
    )
    return render(
        request,
        "complaints/partials/report_assist.html",
        {
            "suggestions": suggestions,
            "similar": similar,
            "chosen": request.POST.get("category", ""),
        },
    )


@require_GET
def report_created(request, tracking):
    if tracking not in request.session.get("filed", []):
        return redirect("complaints:track-detail", tracking=tracking)
    report = Report.objects.filter(tracking=tracking).first()
    if report is None:
        raise Http404
    manage_url = f"{report.get_absolute_url()}?k={report.reporter_secret}"
    return render(
        request, "complaints/report_created.html", {"report": report, "manage_url": manage_url}
    )


@require_GET
def track(request):
    form = TrackForm(request.GET or None)
    if form.is_bound:
        allowed, retry_after = ratelimit.hit(request, "track")
        if not allowed:
            return ratelimit.too_many(request, retry_after)
        if form.is_valid():
            number = form.cleaned_data["nomor"]
            if Report.objects.filter(tracking=number).exists():
                return redirect("complaints:track-detail", tracking=number)
            form.add_error(
                "nomor",
                _("Laporan dengan nomor %(n)s tidak ditemukan. Periksa kembali nomornya.")
                % {"n": number},
            )
    status = 404 if form.is_bound and form.errors else 200
    return render(request, "complaints/track.html", {"form": form}, status=status)


def _reporter_token(request) -> str | None:
    return request.GET.get("k") or request.POST.get("k") or None


@require_http_methods(["GET", "POST"])
def track_detail(request, tracking):
    token = _reporter_token(request)
    # A visitor with neither an account nor a key: the number holder's page, the same for every
    # such visitor, from the cache while the report is unchanged (complaints.page_cache).
    key = None
    if page_cache.track_cacheable(request, token):
        key = page_cache.track_key(tracking, audiences.Audience.NUMBER_HOLDER)
        body = page_cache.get(key)
        if body is not None:
            return render(
                request,
                "complaints/track_detail.html",
                {"report": {"tracking": tracking}, "body": body},
            )
    report = (
        Report.objects.select_related("category", "province", "regency", "agency")
        .filter(tracking=tracking)
        .first()
    )
    if report is None:
        allowed, retry_after = ratelimit.hit(request, "track")
        if not allowed:
            return ratelimit.too_many(request, retry_after)
        return render(
            request,
            "complaints/track.html",
            {"form": TrackForm(), "not_found": tracking},
            status=404,
        )
    reporter = is_reporter(request.user, report, token)
    if request.method == "POST":
        if not reporter:
            raise PermissionDenied
        return _reporter_action(request, report, token)
    # What this visitor sees, from the one rule (complaints.audiences): a report not yet
    # published, or confidential, shows its content and timeline text only to its reporter and
    # the staff who may open it; anyone else holding the number sees its status history.
    view = view_of(request.user, report, token=token).public_part()
    context = {
        "report": report,
        "view": view,
        "timeline": audiences.timeline(report, view),
        "is_reporter": reporter,
        "files": list(audiences.files(report, view)) if view.files == audiences.ALL else [],
        "token": token if reporter else None,
        "show_content": view.content,
        "ombudsman_eligible": reporter and ombudsman_eligible(report),
        # A key that no longer works (expired, replaced or wrong) reads like no key, with
        # the way to a new one.
        "key_refused": bool(token) and not reporter,
        "key_expires": guest_key_expires_at(report) if token and reporter else None,
        "note_form": NoteForm(),
        "rating_form": RatingForm(),
        "skm_form": SkmForm() if reporter and _offered(report, "survey") else None,
        **(_information_path(report) if reporter else {}),
    }
    if key is not None and view.audience == audiences.Audience.NUMBER_HOLDER and not reporter:
        # Without the request: nothing of the visitor's (no CSRF token, no user) is stored.
        context["body"] = render_to_string("complaints/partials/track_body.html", context)
        page_cache.put(key, context["body"])
    return render(request, "complaints/track_detail.html", context)


@require_http_methods(["GET", "POST"])
def track_new_key(request, tracking):
    """Sends a new reporter's key to the contact the report was filed with. The answer is the
    same whether the contact matched or not (services.report_key_reissue), and every request
    counts against the address's "reissue" limit."""
    report = Report.objects.filter(tracking=tracking).only("pk", "tracking").first()
    if report is None:
        allowed, retry_after = ratelimit.hit(request, "track")
        if not allowed:
            return ratelimit.too_many(request, retry_after)
        raise Http404(_("Laporan tidak ditemukan."))
    form = NewKeyForm(request.POST if request.method == "POST" else None)
    sent = False
    if form.is_bound:
        allowed, retry_after = ratelimit.hit(request, "reissue")
        if not allowed:
            return ratelimit.too_many(request, retry_after)
        if form.is_valid():
            report_key_reissue(report_id=report.pk, contact=form.cleaned_data["kontak"])
            sent, form = True, NewKeyForm()  # the contact is not echoed back
    return render(
        request,
        "complaints/track_new_key.html",
        {"report": report, "form": form, "sent": sent},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def followup(request, tracking, pk):
    """ "Sudah beres?": the reporter (key from the e-mail, or their account) answers the
    question asked some weeks after a resolution; "belum" reopens the report. Anyone else,
    and a question of another report, is 404."""
    question = FollowUp.objects.select_related("report").filter(pk=pk).first()
    token = _reporter_token(request)
    if (
        question is None
        or question.report.tracking != tracking
        or not is_reporter(request.user, question.report, token)
    ):
        raise Http404
    report = question.report
    if request.method == "POST" and not question.answer:
        answer = request.POST.get("answer", "")
        if answer not in FollowUp.Answer.values:
            messages.error(request, _("Pilih salah satu jawaban."))
            return redirect(f"{request.path}?k={token}" if token else request.path)
        try:
            followup_answer(
                followup_id=question.pk,
                fixed=answer == FollowUp.Answer.FIXED,
                note=request.POST.get("note", "")[:5000],
                actor=request.user,
                token=token,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(f"{request.path}?k={token}" if token else request.path)
        if answer == FollowUp.Answer.FIXED:
            messages.success(request, _("Terima kasih, jawaban Anda sudah tercatat."))
        else:
            messages.success(request, _("Laporan Anda dibuka kembali dan diteruskan ke instansi."))
        return _back_to_report(report, token)
    return render(
        request,
        "complaints/followup.html",
        {"question": question, "report": report, "token": token},
    )


REPORTER_ACTIONS = workflow.taken_by(workflow.REPORTER)


def _information_path(report: Report) -> dict:
    """What the reporter of an information request may do next (complaints.information)."""
    if not information.is_request(report):
        return {}
    return {
        "may_object": _offered(report, "info_objection"),
        "objection_grounds": list(information.GROUNDS.items()),
        "may_go_to_commission": _offered(report, "info_to_commission"),
        "commission": information.commission_for(report),
    }


def _offered(report: Report, action: str) -> bool:
    """The status machine would take the reporter's ``action`` now (status and condition)."""
    spec = workflow.ACTIONS[action]
    return report.status in spec.sources and workflow.offered(spec, report)


def _reporter_action(request, report: Report, token: str | None):
    action = request.POST.get("action", "")
    if action not in REPORTER_ACTIONS:
        raise PermissionDenied
    params = {}
    if action == "ombudsman_consent":
        params["share_identity"] = request.POST.get("share_identity") == "1"
    if action == "info_objection":
        params["ground"] = request.POST.get("ground", "")
    if action == "survey":
        form = SkmForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Jawab kesembilan pertanyaan survei."))
            return _back_to_report(report, token)
        params["answers"] = [form.cleaned_data[name] for name in skm.FIELDS]
    if request.POST.get("rating"):
        form = RatingForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Beri nilai 1 sampai 5."))
            return _back_to_report(report, token)
        params["rating"] = form.cleaned_data["rating"]
    files, refused = _checked_files(request) if action in WITH_FILES else ([], [])
    try:
        report_transition_with_files(
            report_id=report.pk,
            files=files,
            action=action,
            actor=request.user,
            token=token,
            note=request.POST.get("note", "")[:5000],
            expected_version=_int(request.POST.get("version")),
            **params,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    except StorageFull as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Terima kasih, tanggapan Anda sudah tercatat."))
    for message in refused:  # the good files went with the answer; these alone did not
        messages.error(request, message)
    return _back_to_report(report, token)


# Answers a reporter may send files with: those they write (a reply, the information asked
# for, a dispute), read from the action table.
WITH_FILES = frozenset(n for n in REPORTER_ACTIONS if workflow.ACTIONS[n].needs_note)


def _checked_files(request) -> tuple[list, list[str]]:
    limit = settings.LAPOR_ATTACHMENT_MAX_COUNT
    files, refused = [], []
    for upload in request.FILES.getlist("files"):
        try:
            checked = check_upload(upload)
        except ValidationError as exc:
            refused.extend(exc.messages)
            continue
        if len(files) >= limit:
            refused.append(
                _("Paling banyak %(n)s lampiran: %(name)s tidak disimpan.")
                % {"n": limit, "name": checked.name}
            )
        else:
            files.append(checked)
    return files, refused


def _back_to_report(report, token):
    url = report.get_absolute_url()
    return redirect(f"{url}?k={token}" if token else url)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_GET
@replica.reads
def public_list(request):
    """The public list; its content comes from the cache under the public stamp when nothing
    the public may see changed since it was rendered (complaints.public_cache)."""
    key = public_cache.list_key(request.GET)
    body = public_cache.get(key)
    if body is None:
        form = PublicFilterForm(request.GET or None)
        valid = form.is_valid()
        body = _public_list_body(request, form, form.cleaned_data if valid else {})
        if valid or not request.GET:
            public_cache.put(key, body, from_replica=replica.used())
    return render(request, "complaints/public_list.html", {"body": body})


def _public_list_body(request, form, filters: dict) -> str:
    # Capped: counting every public report (a million) would cost seconds on each visit; a
    # text search lower (SEARCH_CAP, as the inbox): each match is counted by visiting its row.
    page = CappedPaginator(
        selectors.public_list(filters=filters), PAGE_SIZE, searching=bool(filters.get("q"))
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # Without the request: the fragment is the same for every visitor (no user, no CSRF).
    return render_to_string(
        "complaints/partials/public_list_body.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


# Markers the map asks for at once: the newest in the visible box (the list pages the rest).
MAP_POINTS = 300


@require_GET
@replica.reads
def public_map(request):
    """The public list as a map (markers from ``public_map_points``), with the located reports
    also listed as links: the page without JavaScript, or with tiles that never load."""
    form = PublicFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = CappedPaginator(
        selectors.public_list(filters=filters, located=True), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/public_map.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
@replica.reads
def public_map_points(request):
    """JSON markers for the map: public reports with a location inside ``bbox`` (west, south,
    east, north), newest first, at most MAP_POINTS, with only what the public list shows
    (tracking number, title, status, place). A bad filter or box is a 400."""
    form = PublicFilterForm(request.GET or None)
    bbox = _bbox(request.GET.get("bbox", ""))
    if (request.GET and not form.is_valid()) or bbox is False:
        return JsonResponse({"error": _("Saringan atau kotak peta tidak sah.")}, status=400)
    filters = form.cleaned_data if request.GET else {}
    rows = selectors.map_points(filters=filters, bbox=bbox, limit=MAP_POINTS + 1)
    points = [
        {
            "tracking": r.tracking,
            "title": r.title,
            "status": r.get_status_display(),
            "lat": float(r.latitude),
            "lng": float(r.longitude),
            "url": reverse("complaints:public-detail", args=[r.tracking]),
        }
        for r in rows[:MAP_POINTS]
    ]
    return JsonResponse({"points": points, "truncated": len(rows) > MAP_POINTS})


def _bbox(value: str):
    """(west, south, east, north) from "w,s,e,n"; None when absent; False when malformed."""
    if not value:
        return None
    try:
        west, south, east, north = (float(v) for v in value.split(","))
    except ValueError:
        return False
    finite = all(-180 <= v <= 180 for v in (west, east)) and all(
        -90 <= v <= 90 for v in (south, north)
    )
    if not finite or west > east or south > north:
        return False
    return west, south, east, north


@require_GET
def public_detail(request, tracking):
    report = selectors.public_reports().filter(tracking=tracking).first()
    if report is None:
        raise Http404(_("Laporan tidak ditemukan."))
    view = audiences.view_for(report, audiences.Audience.PUBLIC)
    return render(
        request,
        "complaints/public_detail.html",
        {
            "report": report,
            "view": view,
            "timeline": audiences.timeline(report, view),
            "photos": list(audiences.files(report, view)),
            # The place is the report's content: shown where the public sees content
            # (complaints.audiences), and only when the reporter gave a point.
            "location": _public_location(report, view),
        },
    )


def _public_location(report: Report, view) -> tuple[float, float] | None:
    if not view.content:
        return None
    if report.latitude is None or report.longitude is None:
        return None
    return float(report.latitude), float(report.longitude)


@require_GET
def public_photo(request, tracking, pk):
    """A photo of a published report, re-encoded so that nothing but the picture reaches the
    public: no EXIF (GPS position, camera, time). Other files and other reports: 404."""
    report = selectors.public_reports().filter(tracking=tracking).first()
    photo = None
    if report is not None:
        view = audiences.view_for(report, audiences.Audience.PUBLIC)
        photo = audiences.files(report, view).filter(pk=pk).first()
    if photo is None:
        raise Http404(_("Foto tidak ditemukan."))
    with photo.file.open("rb") as fh:
        body = photos.without_metadata(fh)
    response = HttpResponse(body, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
@require_POST
def support(request, tracking):
    report = selectors.public_reports().filter(tracking=tracking).first()
    if report is None:
        raise Http404
    if report_support(report=report, user=request.user):
        messages.success(request, _("Dukungan Anda tercatat."))
    else:
        messages.info(request, _("Anda sudah mendukung laporan ini."))
    return redirect("complaints:public-detail", tracking=tracking)


@require_GET
def attachment_download(request, pk):
    """An attachment, for those who may see its report: the reporter and the staff covering
    it. Everyone else gets the same 404 as for an attachment that does not exist."""
    attachment = Attachment.objects.select_related("report").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    report = attachment.report
    view = view_of(request.user, report, token=_reporter_token(request))
    # The file as it was sent, for those who may open all of a report's files; a published
    # report's photos reach the public re-encoded, without EXIF or GPS (public_photo).
    if view.files != audiences.ALL:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def my_reports(request):
    page = Paginator(selectors.reports_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "complaints/my_reports.html", {"page": page})


def identity_for(user, report: Report) -> dict | None:
    """The reporter's name and contacts, or None when ``user`` may not see them."""
    if not can_see_identity(user, report):
        return None
    return {
        "name": report.reporter_name,
        "email": report.reporter_email,
        "phone": report.reporter_phone,
    }


@require_GET
def favicon(request):
    """Browsers ask /favicon.ico whatever the page says: send them to the icon."""
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("favicon.svg"))


# What the service worker keeps for a phone with no connection: the report form and what it
# needs to work (its draft script included). Nothing with a report or a person in it.
OFFLINE_ASSETS = (
    "css/lapor.css",
    "js/htmx.min.js",
    "js/offline.js",
    "js/map.js",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
    "favicon.svg",
    "icons/icon-192.png",
)


@require_GET
def service_worker(request):
    """/sw.js: served from the site root so that its scope covers the form (a worker under
    /static/ could only control /static/). Never cached by the browser's HTTP cache, so that a
    new version is picked up on the next visit."""
    import hashlib

    from django.templatetags.static import static

    assets = [static(name) for name in OFFLINE_ASSETS]
    form_url = reverse("complaints:report-create")
    version = hashlib.sha256("\n".join([form_url, *assets]).encode()).hexdigest()[:12]
    # STATIC_URL, not static(""): the manifest storage of production has no entry for "".
    config = {"assets": assets, "form": form_url, "static": settings.STATIC_URL, "version": version}
    response = render(
        request,
        "sw.js",
        {"config": json.dumps(config)},
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def web_manifest(request):
    """The installable web app's manifest: LAPOR opens on the report form, which works offline."""
    from django.templatetags.static import static

    icons = [
        {
            "src": static(f"icons/{name}-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }
        for name, purpose in (("icon", "any"), ("maskable", "maskable"))
        for size in (192, 512)
    ]
    manifest = {
        "name": "LAPOR! " + _("Layanan Aspirasi dan Pengaduan Online Rakyat"),
        "short_name": "LAPOR!",
        "description": _(
            "Laporkan keluhan, aspirasi, atau permintaan informasi tentang pelayanan publik."
        ),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("complaints:report-create"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": "#b3131b",
        "icons": icons,
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def health(request):
    """For the load balancer: the database answers (and the broker, when one is configured)."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "down"
    from django.conf import settings

    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping()
            checks["broker"] = "ok"
        except Exception:
            checks["broker"] = "down"
    ok = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if ok else "degraded", **checks}, status=200 if ok else 503)


__all__ = ["Regency", "Status", "reports_visible_to", "reverse"]
