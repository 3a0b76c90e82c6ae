from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import twofactor_views, views

app_name = "accounts"

urlpatterns = [
    path("daftar/", views.signup, name="signup"),
    path("masuk/", views.SignInView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("verifikasi/<str:token>/", views.verify_email, name="verify"),
    path("pengaturan/", views.account_settings, name="settings"),
    path("dua-langkah/", twofactor_views.status, name="2fa"),
    path("dua-langkah/aktifkan/", twofactor_views.enrol, name="2fa-enrol"),
    path("dua-langkah/verifikasi/", twofactor_views.verify, name="2fa-verify"),
    path("sandi/lupa/", views.ResetView.as_view(), name="password-reset"),
    path(
        "sandi/terkirim/",
        auth_views.PasswordResetDoneView.as_view(template_name="agencies/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "sandi/atur/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="agencies/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "sandi/selesai/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="agencies/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
]
