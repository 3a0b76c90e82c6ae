"""LAPOR in production mode, as the Dockerfile runs it: gunicorn with lapor/gunicorn_conf.py,
DJANGO_DEBUG=0, static files collected into a manifest and served by WhiteNoise, the real
Content-Security-Policy. Chromium reads the API docs (Swagger UI from drf-spectacular-sidecar)
and the citizen's pages under that policy, and the access log is read back (issue 14)."""

import os
import re
import secrets
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from tests.browser.conftest import DEAD_TILES
from tests.faults.stack import BIN, ROOT, free_port, kill_group, production_env, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

KEY = "kunci-tamu-" + secrets.token_hex(8)
TOKEN = "token-" + secrets.token_hex(8)


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (loopback)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


@pytest.fixture(scope="module")
def production(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn in production mode on a free port, reading the test database (migrated, with
    the reference data); its access log in a file. Yields (base URL, access log path)."""
    workdir = tmp_path_factory.mktemp("production")
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    database = url._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    env = production_env(
        database_url=database,
        redis_url=os.environ["REDIS_URL"],
        workdir=workdir,
        static_root=workdir / "static",
    )
    env["LAPOR_MAP_TILES_URL"] = DEAD_TILES  # no tile from the internet; maps must cope
    (workdir / "mail").mkdir()
    (workdir / "media").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    port, access = free_port(), workdir / "access.log"
    log = open(workdir / "gunicorn.log", "ab")  # kept open by the process
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "lapor.wsgi",
            "--config",
            "python:lapor.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--access-logfile",
            str(access),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_for(lambda: _get(base + "/api/schema/") == 200, 60, 0.3):
            pytest.fail((workdir / "gunicorn.log").read_text()[-3000:])
        yield base, access
    finally:
        kill_group(server)


def _csp_errors(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return errors


def test_api_docs_render_in_production_mode(production, page):
    base, _access = production
    errors = _csp_errors(page)
    response = page.goto(base + "/api/docs/")
    csp = response.headers["content-security-policy"]
    assert "style-src 'self';" in csp and "unsafe-inline" not in csp
    # Swagger UI has read the schema and drawn its operations.
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert len(paths) > 20
    assert any(p.replace("\u200b", "") == "/api/v1/reports/" for p in paths)
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("LAPOR API")
    # Its own stylesheet applies (the operations are laid out, not bare text).
    colour = page.locator(".opblock-summary-method").first.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert colour not in ("", "rgba(0, 0, 0, 0)")
    page.locator(".opblock-summary").first.click()
    page.wait_for_selector(".opblock-body")
    assert errors == []


PAGES = ["/", "/lapor/", "/lacak/", "/laporan/", "/laporan/peta/", "/statistik/"]


def test_pages_are_styled_under_the_production_csp(production, page):
    base, _access = production
    errors = _csp_errors(page)
    for path in PAGES:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        styled = page.evaluate(
            "() => [getComputedStyle(document.body).fontFamily,"
            " getComputedStyle(document.querySelector('.site-header')).backgroundColor,"
            " getComputedStyle(document.querySelector('.skip')).position]"
        )
        assert "system-ui" in styled[0], path  # lapor.css's font stack, not the default
        assert styled[1] not in ("", "rgba(0, 0, 0, 0)"), path
        assert styled[2] == "absolute", path  # the skip link is hidden until focused
    # Not one style (nor htmx's indicator styles, nor a script) refused on any of them.
    assert errors == []


def test_the_access_log_drops_query_strings(production):
    base, access = production
    for path in (f"/lacak/LPR-AAAAA-AAAAA/?k={KEY}", f"/laporan/?cari=x&token={TOKEN}"):
        _get(base + path)
    assert wait_for(lambda: "/laporan/" in access.read_text(), 10)
    log = access.read_text()
    assert re.search(r'"GET /lacak/LPR-AAAAA-AAAAA/ HTTP/1\.1" \d{3}', log), log
    assert KEY not in log and TOKEN not in log and "?" not in log


def test_the_service_worker_and_manifest_answer_in_production_mode(production):
    # The worker named its static folder with static(""), which the manifest storage of
    # production refuses (a 500 that only production showed; Lighthouse found it).
    base, _access = production
    with urllib.request.urlopen(base + "/sw.js", timeout=10) as response:  # noqa: S310
        body = response.read().decode()
        assert response.status == 200 and response.headers["Service-Worker-Allowed"] == "/"
    assert '"static": "/static/"' in body
    assert re.search(r'"/static/js/offline\.[0-9a-f]{12}\.js"', body)  # hashed names kept
    assert _get(base + "/manifest.webmanifest") == 200
