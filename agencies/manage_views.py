"""Agency admins manage their officers and work units (/kerja/kelola/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .manage_forms import AppointForm, PpidSuperiorForm, UnitForm
from .models import Agency, Role, User
from .scope import scope_for
from .services import (
    agency_create,
    agency_set_round_robin,
    ppid_superior_record,
    role_grant,
    role_revoke,
)


def _managed(user) -> list[Agency]:
    """Agencies and units the user administers (their own and everything below)."""
    scope = scope_for(user)
    if not scope.admin_paths:
        raise PermissionDenied
    agencies: list[Agency] = []
    for path in scope.admin_paths:
        agencies.extend(Agency.objects.filter(path__startswith=path).order_by("path")[:500])
    return agencies


@login_required
@require_http_methods(["GET", "POST"])
def manage(request):
    agencies = _managed(request.user)
    ids = {a.pk for a in agencies}
    appoint = AppointForm(
        request.POST if request.POST.get("form") == "appoint" else None, agencies=agencies
    )
    unit = UnitForm(request.POST if request.POST.get("form") == "unit" else None, agencies=agencies)
    tops = [a for a in agencies if a.parent_id is None]
    staff = (
        Role.objects.active()
        .filter(agency__in=tops, kind__in=[Role.Kind.OFFICER, Role.Kind.AGENCY_ADMIN])
        .filter(user__is_service=False, user__is_active=True)
        .select_related("user", "agency")
        .order_by("agency__name", "user__full_name")
    )
    people = {f"{r.agency_id}:{r.user_id}": r for r in staff}
    ppid = PpidSuperiorForm(
        request.POST if request.POST.get("form") == "ppid" else None,
        people=[(k, f"{r.user.display_name} · {r.agency.name}") for k, r in people.items()],
    )
    if request.method == "POST":
        if ppid.is_bound and ppid.is_valid():
            chosen = people[ppid.cleaned_data["person"]]
            ppid_superior_record(agency=chosen.agency, user=chosen.user)
            messages.success(
                request,
                _("%(name)s dicatat sebagai atasan PPID %(agency)s.")
                % {"name": chosen.user.display_name, "agency": chosen.agency.name},
            )
            return redirect("manage:home")
        if appoint.is_bound and appoint.is_valid() and appoint.cleaned_data["agency"] in ids:
            _appoint(request, appoint.cleaned_data)
            return redirect("manage:home")
        if unit.is_bound and unit.is_valid() and unit.cleaned_data["parent"] in ids:
            _add_unit(request, unit.cleaned_data)
            return redirect("manage:home")
        if request.POST.get("form") == "round_robin":
            agency = next((a for a in agencies if str(a.pk) == request.POST.get("agency")), None)
            if agency is None:
                raise Http404
            agency_set_round_robin(agency=agency, enabled=request.POST.get("enabled") == "1")
            messages.success(request, _("Pembagian laporan diperbarui: %(a)s.") % {"a": agency})
            return redirect("manage:home")
    roles = (
        Role.objects.active()
        .filter(agency_id__in=ids, user__is_service=False)  # keys: on the integration page
        .select_related("user", "agency")
        .order_by("agency__path", "user__full_name")
    )
    return render(
        request,
        "agencies/manage.html",
        {
            "agencies": agencies,
            "roles": roles,
            "appoint": appoint,
            "unit": unit,
            "ppid": ppid,
            "superiors": [
                (
                    a,
                    [
                        r.user
                        for r in roles
                        if r.kind == Role.Kind.PPID_SUPERIOR and r.agency_id == a.pk
                    ],
                )
                for a in tops
            ],
        },
        status=400 if ppid.is_bound and not ppid.is_valid() else 200,
    )


def _appoint(request, data) -> None:
    email = data["email"].strip().lower()
    agency = Agency.objects.get(pk=data["agency"])
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if created:
            user = User(username=email, email=email, full_name=data["full_name"])
            user.set_unusable_password()
            user.save()
        role_grant(user=user, kind=data["kind"], agency=agency, decree=data["decree"])
    if created:
        # The new officer sets a password through the ordinary reset link.
        reset = PasswordResetForm({"email": email})
        if reset.is_valid():
            reset.save(
                request=request,
                use_https=request.is_secure(),
                email_template_name="agencies/email/password_reset_body.txt",
                subject_template_name="agencies/email/password_reset_subject.txt",
            )
    messages.success(
        request, _("%(name)s ditunjuk di %(agency)s.") % {"name": user, "agency": agency}
    )


def _add_unit(request, data) -> None:
    parent = Agency.objects.get(pk=data["parent"])
    slug = f"{parent.slug}-{slugify(data['name'])[:40]}"
    try:
        agency_create(
            name=data["name"],
            slug=slug
            if not Agency.objects.filter(slug=slug).exists()
            else f"{slug}-{get_random_string(4).lower()}",
            kind=Agency.Kind.UNIT,
            parent=parent,
            unit_type=data["unit_type"],
        )
    except IntegrityError:
        messages.error(request, _("Unit dengan jenis itu sudah ada di bawah instansi ini."))
        return
    messages.success(request, _("Unit kerja %(name)s ditambahkan.") % {"name": data["name"]})


@login_required
@require_POST
def revoke(request, pk):
    ids = {a.pk for a in _managed(request.user)}
    role = Role.objects.filter(
        pk=pk, agency_id__in=ids, is_active=True, user__is_service=False
    ).first()
    if role is None:
        raise Http404
    if role.user_id == request.user.pk:
        messages.error(request, _("Anda tidak dapat mencabut peran Anda sendiri."))
        return redirect("manage:home")
    role_revoke(role=role)
    messages.success(request, _("Peran dicabut."))
    return redirect("manage:home")
