from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agencies.models import Agency
from agencies.scope import scope_for

from .forms import SampleForm
from .models import RoutingRule
from .selectors import candidate_rules, decide, resolve_target


@login_required
@require_GET
def rules(request):
    """The routing rules, and for a sample report the rules that match, in the order they are
    tried, with the one that wins and the agency it gives. National admins only."""
    if not scope_for(request.user).national_admin:
        raise PermissionDenied
    form = SampleForm(request.GET or None)
    trial = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        matter = d.get("matter")
        category = d.get("category") or (matter.category if matter else None)
        args = {
            "category_id": category.pk if category else None,
            "kind": d["kind"],
            "province_code": d["province"].code,
            "regency_code": d["regency"].code if d.get("regency") else None,
        }
        decision = decide(**args, matter_id=matter.pk if matter else None)
        matched = []
        for rule in candidate_rules(**args, matter_id=matter.pk if matter else None):
            agency, how = resolve_target(
                rule, province_code=args["province_code"], regency_code=args["regency_code"]
            )
            matched.append({"rule": rule, "agency": agency, "how": how})
        trial = {
            "decision": decision,
            "agency": Agency.objects.filter(pk=decision.agency_id).first(),
            "matched": matched,
        }
    rules_qs = RoutingRule.objects.select_related(
        "category", "matter", "province", "regency", "target_agency"
    ).order_by("category__name_id", "matter__order", "-priority", "pk")
    page = Paginator(rules_qs, 50).get_page(request.GET.get("page"))
    return render(request, "routing/rules.html", {"form": form, "trial": trial, "page": page})
