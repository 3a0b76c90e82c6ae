"""Pages of two-step verification: status and recovery codes, enrolment, and the code asked
at sign-in (a recovery code works there too). See agencies.twofactor."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token

from . import twofactor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Kode"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def status(request):
    """Whether two-step verification is on, recovery codes left, renew codes, switch off."""
    user = request.user
    enrolled = twofactor.enrolled(user)
    codes = None
    if request.method == "POST" and enrolled:
        if not user.is_verified():
            return redirect("accounts:2fa-verify")
        if request.POST.get("action") == "codes":
            codes = twofactor.recovery_codes_renew(user=user)
        elif request.POST.get("action") == "disable" and not twofactor.required(user):
            twofactor.disable(user=user)
            messages.success(request, _("Verifikasi dua langkah dimatikan."))
            return redirect("accounts:2fa")
    return render(
        request,
        "agencies/twofactor_status.html",
        {
            "enrolled": enrolled,
            "required": twofactor.required(user),
            "codes": codes,
            "codes_left": twofactor.recovery_codes_left(user) if enrolled else 0,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Scan the QR code (or type the secret), then confirm with the first code."""
    user = request.user
    if twofactor.enrolled(user) and not user.is_verified():
        return redirect("accounts:2fa-verify")
    key = twofactor.pending_key(request.session)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.code_matches(key, form.cleaned_data["code"]):
            codes = twofactor.enrol_confirm(
                request=request, key_hex=key, code=form.cleaned_data["code"]
            )
            return render(
                request,
                "agencies/twofactor_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error("code", _("Kode tidak cocok. Periksa jam ponsel Anda lalu coba lagi."))
    uri = twofactor.provisioning_uri(user, key)
    return render(
        request,
        "agencies/twofactor_enrol.html",
        {
            "form": form,
            "qr": twofactor.qr_data_uri(uri),
            "secret": twofactor.secret_for_display(key),
            "next": _next(request),
            "required": twofactor.required(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in: a code from the app, or one recovery code."""
    user = request.user
    if not twofactor.enrolled(user):
        return redirect("accounts:2fa-enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, "".join(form.cleaned_data["code"].split()))
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request) or "workspace:inbox")
        form.add_error("code", _("Kode salah atau sudah dipakai."))
    return render(request, "agencies/twofactor_verify.html", {"form": form, "next": _next(request)})
