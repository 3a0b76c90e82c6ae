"""The Django admin speaks one language at a time: every app, model, field and column it shows
has an Indonesian label with an English translation (no English field names among Indonesian
labels, no untranslated Indonesian in English)."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from tests.factories import make_user

# Words that are the same in both languages.
SAME = {"status", "data", "SHA-256", "tag", "format", "email", "API", "slug", "URL", "CSV"}


def _labels():
    """(where, label) for every app, model, field and list column the admin shows."""
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        where = f"{meta.app_label}.{meta.model_name}"
        yield f"app {meta.app_label}", meta.app_config.verbose_name
        yield where, meta.verbose_name
        yield where, meta.verbose_name_plural
        fields = {f.name: f for f in meta.get_fields() if f.concrete and not f.auto_created}
        shown = list(model_admin.fields or fields) + list(model_admin.list_display)
        for column in dict.fromkeys(shown):
            if column == "__str__":  # the admin shows the model's name (above)
                continue
            if column in fields:
                yield f"{where}.{column}", fields[column].verbose_name
                continue
            method = getattr(model_admin, column, None)
            if callable(method):  # without a description the admin shows the method's name
                label = getattr(method, "short_description", column.replace("_", " "))
                yield f"{where} column {column}", label


def test_every_admin_label_is_indonesian_with_an_english_translation():
    untranslated = []
    for where, label in _labels():
        with translation.override("id"):
            indonesian = str(label)
        with translation.override("en"):
            english = str(label)
        if indonesian == english and indonesian not in SAME:
            untranslated.append(f"{where}: {indonesian!r}")
    assert not untranslated, "\n".join(sorted(set(untranslated)))


@pytest.mark.django_db
def test_the_admin_index_has_no_english_names_in_indonesian(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:index")).content.decode()
    for english in ("Attachments", "Non working days", "Outbox messages", "Report events",
                    "TOTP devices", "Static devices", "Otp_"):  # fmt: skip
        assert english not in html, english
    assert "Lampiran" in html and "Perangkat dua langkah" in html
    client.cookies["django_language"] = "en"
    html = client.get(reverse("admin:index")).content.decode()
    assert "Attachment" in html and "Two-step device" in html and "Lampiran" not in html
