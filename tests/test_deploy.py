"""Production settings pass Django's deployment checklist, and the deployment files hold
together (docker-compose services with health checks, the Makefile targets the README names)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Runs manage.py in a child process with a clean environment plus ``env``."""
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _production_env(**overrides: str) -> dict:
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),  # 86 characters
        "DJANGO_ALLOWED_HOSTS": "lapor.go.id",
        # check --deploy does not connect; the URL only chooses the PostgreSQL backend.
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/lapor",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    env.update(overrides)
    return env


def test_production_settings_pass_the_deployment_checklist():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_checklist_can_fail_a_weak_secret_key():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", **_production_env(DJANGO_SECRET_KEY="short")
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["DJANGO_SECRET_KEY"]
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text(secrets.token_urlsafe(64))
    env = _production_env(DJANGO_SECRET_KEY_FILE=str(key_file))
    del env["DJANGO_SECRET_KEY"]
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr


# --- docker-compose.yml and the Makefile ---------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_web_workers_and_both_services_with_health_checks(compose):
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ("web", "worker", "beat", "postgres", "redis"):
        assert "test" in services[name]["healthcheck"], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "gunicorn" in " ".join(_command(services["web"]))
    assert "worker" in _command(services["worker"])
    assert "beat" in _command(services["beat"])


def test_compose_keeps_data_and_attachments_in_named_volumes(compose):
    volumes = set(compose["volumes"])
    pg_mounts = [v.split(":")[0] for v in compose["services"]["postgres"]["volumes"]]
    web_mounts = [v.split(":")[0] for v in compose["services"]["web"]["volumes"]]
    assert set(pg_mounts) & volumes
    assert set(web_mounts) & volumes


def test_compose_sets_production_settings_that_start(compose):
    env = compose["x-lapor-env"]
    assert env["DJANGO_DEBUG"] == "0"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["REDIS_URL"].startswith("redis://")
    for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
        assert env[name], name
    for service in ("web", "worker", "beat"):
        assert compose["services"][service]["environment"] == env


def _command(service) -> list[str]:
    command = service["command"]
    return command if isinstance(command, list) else command.split()


def test_makefile_has_the_targets_the_readme_and_ci_use():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "test", "lint", "migrations-check", "bench", "$(VENV)/.installed"):
        assert f"\n{target}:" in makefile, target
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_static_files_collect_in_production_mode(tmp_path):
    # The Dockerfile runs this at build time; the manifest storage fails on a file that a
    # static file names but that does not exist (a vendored source map, say).
    result = _manage(
        "collectstatic", "--noinput", "-v0", **_production_env(LAPOR_STATIC_ROOT=str(tmp_path))
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "staticfiles.json").exists()


def test_production_answers_with_hsts_and_sends_plain_http_to_https():
    # A request through the whole middleware stack in a child process with production settings
    # (no database needed: the public statistics page of an empty service would need one, so
    # the health check is asked, which answers 503 here and must still carry the headers).
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "c = Client(HTTP_HOST='lapor.go.id');"
        "s = c.get('/healthz', secure=True); p = c.get('/lapor/');"
        "print(json.dumps({'hsts': s.get('Strict-Transport-Security'),"
        " 'frame': s.get('X-Frame-Options'), 'referrer': s.get('Referrer-Policy'),"
        " 'csp': s.get('Content-Security-Policy'),"
        " 'plain': p.status_code, 'location': p.get('Location')}))"
    )
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    env = {
        **clean,
        **_production_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/none"),
        "DJANGO_SETTINGS_MODULE": "lapor.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["frame"] == "DENY" and headers["referrer"] == "same-origin"
    assert "default-src 'self'" in headers["csp"]
    assert "style-src 'self';" in headers["csp"] and "unsafe-inline" not in headers["csp"]
    assert headers["plain"] == 301 and headers["location"] == "https://lapor.go.id/lapor/"


def test_the_wsgi_application_freezes_its_startup_objects():
    # gunicorn loads lapor.wsgi: Django's and LAPOR's start-up objects are frozen out of the
    # garbage collector's full collections (lapor/warmup.py).
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    result = subprocess.run(
        [sys.executable, "-c", "import gc, lapor.wsgi; print(gc.get_freeze_count())"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "lapor.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip().splitlines()[-1]) > 10_000


def test_gunicorn_runs_with_the_access_log_that_drops_query_strings():
    # The format itself is exercised against a running gunicorn in
    # tests/browser/test_production.py::test_the_access_log_drops_query_strings.
    from lapor import gunicorn_conf

    assert "%(r)s" not in gunicorn_conf.access_log_format  # the request line with its query
    assert "%(f)s" not in gunicorn_conf.access_log_format  # the Referer, which may carry ?k=
    assert "%(U)s" in gunicorn_conf.access_log_format
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for command in (compose["services"]["web"]["command"], (ROOT / "Dockerfile").read_text()):
        assert "python:lapor.gunicorn_conf" in str(command)
