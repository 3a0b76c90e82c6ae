import logging

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import ratelimit
from core.siteurl import site_url

from . import signin, twofactor
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
    link = site_url() + reverse("accounts:verify", args=[make_email_token(user)])
    body = render_to_string("agencies/email/verify_body.txt", {"user": user, "link": link})
    queue_email(to=user.email, subject=_("Verifikasi email akun LAPOR Anda"), body=body)


@require_http_methods(["GET", "POST"])
def signup(request):
    """Sign-up. The answer is the same whether the e-mail is new or already registered (a
    link to verify a new account; a notice with sign-in and reset links to an existing one),
    so the form cannot be used to learn who has an account. The new account signs in by
    opening its verification link."""
    if request.method == "POST":
        allowed, retry_after = ratelimit.hit(request, "account")
        if not allowed:
            return ratelimit.too_many(request, retry_after)
        form = SignUpForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            existing = User.objects.filter(email__iexact=email).first()
            with transaction.atomic():
                if existing is None:
                    send_verification(form.save())
                else:
                    make_password(form.cleaned_data["password1"])  # the same work either way
                    send_already_registered(existing)
            messages.success(
                request,
                _("Kami mengirim email ke %(email)s. Buka tautan di dalamnya untuk melanjutkan.")
                % {"email": email},
            )
            return redirect("accounts:login")
    else:
        form = SignUpForm()
    return render(request, "agencies/signup.html", {"form": form})


def send_already_registered(user: User) -> None:
    body = render_to_string(
        "agencies/email/already_registered_body.txt",
        {
            "user": user,
            "login": site_url() + reverse("accounts:login"),
            "reset": site_url() + reverse("accounts:password-reset"),
        },
    )
    queue_email(to=user.email, subject=_("Email Anda sudah terdaftar di LAPOR!"), body=body)


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
        # The first opening of the link signs the new account in (sign-up no longer does:
        # see signup). Staff accounts are made by their admins, never through this link.
        if not request.user.is_authenticated and not user.roles.filter(is_active=True).exists():
            login(request, user, backend="agencies.backends.CachedModelBackend")
    messages.success(request, _("Email Anda sudah terverifikasi."))
    return redirect("complaints:my-reports")


class SignInView(auth_views.LoginView):
    """Sign-in, throttled per account and address (agencies.signin): a guesser elsewhere is
    slowed, the owner is not."""

    template_name = "agencies/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        wait = signin.wait_for(request, request.POST.get("username", ""))
        if wait:
            return ratelimit.too_many(request, wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        signin.succeeded(self.request, form.get_user())
        response = super().form_valid(form)
        # Staff who must (or chose to) use a second factor give it now.
        step = twofactor.next_step(form.get_user(), self.get_success_url())
        return redirect(step) if step else response

    def form_invalid(self, form):
        signin.failed(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)


class ResetView(auth_views.PasswordResetView):
    template_name = "agencies/password_reset.html"
    email_template_name = "agencies/email/password_reset_body.txt"
    subject_template_name = "agencies/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def post(self, request, *args, **kwargs):
        allowed, retry_after = ratelimit.hit(request, "account")
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
