from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from agencies.scope import scope_for


@login_required
def queue(request):
    if not scope_for(request.user).national_admin:
        raise PermissionDenied
    return render(request, "routing/queue.html", {})
