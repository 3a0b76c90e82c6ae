"""The agency admin's integration pages (/kerja/integrasi/): API keys (shown once, revocable,
with their call log) and webhook endpoints (secret shown once, delivery log with replay).

Only agency admins, and only for the agencies they administer: anything else is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.models import Agency
from agencies.scope import scope_for

from . import services
from .forms import ApiKeyForm, WebhookForm
from .models import ApiCallLog, ApiKey, WebhookDelivery, WebhookEndpoint


def _admin_agency_ids(user) -> frozenset[int]:
    ids = scope_for(user).admin_agency_ids
    if not ids:
        raise PermissionDenied
    return ids


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    ids = _admin_agency_ids(request.user)
    agencies = list(Agency.objects.filter(pk__in=ids).order_by("name"))
    form_name = request.POST.get("form")
    key_form = ApiKeyForm(request.POST if form_name == "key" else None, agencies=agencies)
    hook_form = WebhookForm(request.POST if form_name == "webhook" else None, agencies=agencies)
    context: dict = {}
    if request.method == "POST":
        if key_form.is_bound and key_form.is_valid():
            agency = Agency.objects.get(pk=key_form.cleaned_data["agency"], pk__in=ids)
            issued = services.apikey_issue(
                agency=agency, name=key_form.cleaned_data["name"], created_by=request.user
            )
            context["new_key"] = issued
            key_form = ApiKeyForm(agencies=agencies)
        elif hook_form.is_bound and hook_form.is_valid():
            agency = Agency.objects.get(pk=hook_form.cleaned_data["agency"], pk__in=ids)
            context["new_endpoint"] = services.webhook_endpoint_register(
                agency=agency,
                url=hook_form.cleaned_data["url"],
                events=hook_form.cleaned_data["events"],
                created_by=request.user,
            )
            hook_form = WebhookForm(agencies=agencies)
    context.update(
        {
            "keys": ApiKey.objects.filter(agency_id__in=ids).select_related("agency"),
            "endpoints": WebhookEndpoint.objects.filter(agency_id__in=ids).select_related("agency"),
            "key_form": key_form,
            "hook_form": hook_form,
        }
    )
    status = 400 if (key_form.errors or hook_form.errors) else 200
    return render(request, "integrations/index.html", context, status=status)


@login_required
@require_POST
def key_revoke(request, pk):
    key = get_object_or_404(ApiKey, pk=pk, agency_id__in=_admin_agency_ids(request.user))
    services.apikey_revoke(key=key)
    messages.success(request, _("Kunci %(p)s… dicabut.") % {"p": key.prefix})
    return redirect("integrations:index")


@login_required
@require_GET
def key_calls(request, pk):
    key = get_object_or_404(ApiKey, pk=pk, agency_id__in=_admin_agency_ids(request.user))
    calls = ApiCallLog.objects.filter(key=key).order_by("-at", "-pk")[:200]
    return render(request, "integrations/key_calls.html", {"key": key, "calls": calls})


@login_required
@require_GET
def endpoint_log(request, pk):
    endpoint = get_object_or_404(
        WebhookEndpoint, pk=pk, agency_id__in=_admin_agency_ids(request.user)
    )
    qs = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("report")
    state = request.GET.get("state", "")
    if state in WebhookDelivery.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("-event_id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/endpoint_log.html",
        {"endpoint": endpoint, "page": page, "state": state, "states": WebhookDelivery.State},
    )


@login_required
@require_POST
def endpoint_toggle(request, pk):
    endpoint = get_object_or_404(
        WebhookEndpoint, pk=pk, agency_id__in=_admin_agency_ids(request.user)
    )
    services.webhook_endpoint_set_active(endpoint=endpoint, active=not endpoint.is_active)
    return redirect("integrations:index")


@login_required
@require_POST
def delivery_replay(request, pk):
    delivery = get_object_or_404(
        WebhookDelivery, pk=pk, endpoint__agency_id__in=_admin_agency_ids(request.user)
    )
    services.webhook_delivery_replay(delivery=delivery)
    messages.success(request, _("Pengiriman #%(n)s dijadwalkan ulang.") % {"n": delivery.pk})
    return redirect("integrations:endpoint", pk=delivery.endpoint_id)
