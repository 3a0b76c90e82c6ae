"""The installable web app (issue 16): a manifest that opens on the report form, and a service
worker served from the root so that its scope covers the form, never kept by the HTTP cache, and
keeping only the form and static files (never a report page, a tracking page or a post)."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_root_for_the_form():
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    config = json.loads(body.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["form"] == "/lapor/"
    assert all(a.startswith("/static/") for a in config["assets"])
    assert "/static/js/offline.js" in config["assets"]
    assert 'request.method !== "GET"' in body  # posts pass through untouched
    # No background request for a page at install: it would start a session of its own and
    # clobber a sign-in made meanwhile (found by test_citizen_evidence's staff sign-in).
    assert "cache.addAll(CONFIG.assets)" in body and "addAll([CONFIG.form" not in body
    for private in ("/lacak/", "/laporan/", "terkirim"):
        assert private not in json.dumps(config)


def test_every_page_names_the_manifest_and_the_worker():
    page = Client().get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'data-sw="/sw.js"' in page
    assert "js/offline.js" in page


def test_the_manifest_makes_lapor_installable():
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["short_name"] == "LAPOR!"
    assert manifest["start_url"] == "/lapor/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone" and manifest["theme_color"]
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon


def test_the_form_works_without_the_draft_script():
    # The draft status and actions are hidden until the script shows them; the form posts.
    page = Client().get("/lapor/").content.decode()
    assert 'id="draft-status"' in page and 'id="draft-actions" class="actions" hidden' in page
    assert 'novalidate class="card" id="report-form" data-offline-url="/lapor/">' in page
