import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import ratelimit

from .forms import SettingsForm, SignInForm, SignUpForm
from .models import User
from .signals import email_verified
from .tasks import send_account_email_task
from .tokens import make_email_token, read_email_token

log = logging.getLogger(__name__)


def queue_email(*, to: str, subject: str, body: str) -> None:
    def send():
        try:
            send_account_email_task.delay(to=to, subject=subject, body=body)
        except Exception:  # broker down: the person can ask for the link again
            log.warning("account e-mail to %s not queued", to, exc_info=True)

    transaction.on_commit(send)


def send_verification(user: User) -> None:
    link = settings.LAPOR_SITE_URL + reverse("accounts:verify", args=[make_email_token(user)])
    body = render_to_string("agencies/email/verify_body.txt", {"user": user, "link": link})
    queue_email(to=user.email, subject=_("Verifikasi email akun LAPOR Anda"), body=body)


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.method == "POST":
        allowed, retry_after = ratelimit.hit(request, "login")
        if not allowed:
            return ratelimit.too_many(request, retry_after)
        form = SignUpForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                user = form.save()
                send_verification(user)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Akun dibuat. Kami mengirim tautan verifikasi ke %(email)s.")
                % {"email": user.email},
            )
            return redirect("complaints:my-reports")
    else:
        form = SignUpForm()
    return render(request, "agencies/signup.html", {"form": form})


@require_GET
def verify_email(request, token):
    data = read_email_token(token)
    user = User.objects.filter(pk=data["u"]).first() if data else None
    if user is None or user.email != data["e"]:
        return render(request, "agencies/verify_failed.html", status=400)
    if not user.email_verified:
        with transaction.atomic():
            user.email_verified = True
            user.save(update_fields=["email_verified"])
            email_verified.send(sender=User, user=user)
    messages.success(request, _("Email Anda sudah terverifikasi."))
    return redirect("complaints:my-reports")


class SignInView(auth_views.LoginView):
    template_name = "agencies/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        allowed, retry_after = ratelimit.hit(request, "login")
        if not allowed:
            return ratelimit.too_many(request, retry_after)
        # Failed attempts are also counted per account, whatever the address: guessing one
        # account's password from many machines is locked out too (not yet-failed sign-ins).
        blocked, retry_after = ratelimit.exceeded(request, "login_account", self._account())
        if blocked:
            return ratelimit.too_many(request, retry_after)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        ratelimit.hit(self.request, "login_account", key=self._account())
        return super().form_invalid(form)

    def _account(self) -> str:
        return self.request.POST.get("username", "").strip().lower()[:150]


class ResetView(auth_views.PasswordResetView):
    template_name = "agencies/password_reset.html"
    email_template_name = "agencies/email/password_reset_body.txt"
    subject_template_name = "agencies/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def post(self, request, *args, **kwargs):
        allowed, retry_after = ratelimit.hit(request, "login")
        if not allowed:
            return ratelimit.too_many(request, retry_after)
        return super().post(request, *args, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request):
    """Name, phone, and whether to receive the optional notices (new reports in one's queue,
    digests). Notices about one's own reports and overdue escalations are always sent."""
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Pengaturan disimpan."))
        return redirect("accounts:settings")
    return render(request, "agencies/settings.html", {"form": form})
