from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import User


class SignUpForm(UserCreationForm):
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    phone = forms.RegexField(
        label=_("Nomor HP (opsional)"), regex=r"^\+?[0-9 ()-]{8,20}$", required=False
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("full_name", "email", "phone")

    def clean_email(self):
        # No "already registered" error here: the view answers the same either way.
        return self.cleaned_data["email"].strip().lower()

    def save(self, commit=True):
        user = super().save(commit=False)
        user.username = self.cleaned_data["email"]
        user.email = self.cleaned_data["email"]
        user.full_name = self.cleaned_data["full_name"]
        user.phone = self.cleaned_data.get("phone", "")
        if commit:
            user.save()
        return user


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Email atau nama pengguna"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("full_name", "phone", "notify_optional")
