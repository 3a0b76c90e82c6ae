"""Triage sees the classifier's first three categories with their scores, even the weak ones the
report form leaves out (below routing.suggest.MINIMUM)."""

import re

import pytest
from django.urls import reverse

from routing import suggest
from tests.factories import PASSWORD, file_report

pytestmark = pytest.mark.django_db


def test_triage_shows_three_suggestions_even_below_the_minimum(client, cast):
    # Vague on purpose: no category is sure of it, so the form would show little or nothing.
    text = "Mohon perhatian bapak ibu pejabat terkait masalah di lingkungan kami yang sudah lama"
    ranked = suggest.suggest(f"Mohon perhatian\n{text}", limit=3, minimum=0.0)
    assert len(ranked) == 3
    assert ranked[-1][1] < suggest.MINIMUM, ranked  # the third would be hidden on the form
    report = file_report(title="Mohon perhatian", description=text)
    assert client.login(username=cast.national.username, password=PASSWORD)
    page = client.get(reverse("triage:detail", args=[report.tracking])).content.decode()
    block = re.search(r'data-testid="category-suggestions">(.*?)</ol>', page, re.S)
    assert block, "no suggestions block"
    items = re.findall(r"<li>(.*?)</li>", block.group(1), re.S)
    assert len(items) == 3
    assert "lemah" in items[-1]
    for (_code, score), item in zip(ranked, items, strict=True):
        assert f"({round(score * 100)}%)" in item
