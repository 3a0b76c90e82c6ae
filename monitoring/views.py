from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from agencies.scope import scope_for


@login_required
def dashboard(request):
    scope = scope_for(request.user)
    if not (scope.national_admin or scope.ombudsman or scope.province_codes):
        raise PermissionDenied
    return render(request, "monitoring/dashboard.html", {})
