"""Styles under a strict Content-Security-Policy (issue 14): no template carries a style
attribute or a <style> block, so style-src needs no 'unsafe-inline'. The pages rendering
styled under the production policy, and Swagger UI at /api/docs/, are shown in Chromium by
tests/browser/test_production.py."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


def test_no_template_has_an_inline_style():
    found = [
        f"{path.relative_to(TEMPLATES)}:{n}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if INLINE.search(line)
    ]
    assert found == []


@pytest.mark.django_db
def test_style_src_has_no_unsafe_inline(client):
    policy = client.get("/lacak/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy
