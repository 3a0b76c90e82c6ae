"""The test run itself: in CI it must be on PostgreSQL and Redis, never a silent SQLite."""

import os

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.skipif(os.environ.get("CI", "").lower() != "true", reason="only meaningful in CI")
def test_ci_runs_on_postgresql_and_redis():
    assert connection.vendor == "postgresql", "CI fell back to SQLite: DATABASE_URL is not set"
    assert settings.REDIS_URL.startswith("redis://"), "CI runs without REDIS_URL"
    assert settings.CELERY_BROKER_URL == settings.REDIS_URL
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def test_no_environment_means_sqlite_and_eager_celery(tmp_path):
    """A bare machine runs on SQLite with eager tasks: load the settings module with an empty
    environment in a child process and read what it chose."""
    import subprocess
    import sys

    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='lapor.settings';"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG,"
        " s.EMAIL_BACKEND)"
    )
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    ).stdout.split()
    assert out == [
        "django.db.backends.sqlite3",
        "True",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_the_sqlite_mode_migrates_and_seeds(tmp_path):
    """`make run` on a bare machine: every migration applies on SQLite and the demo data
    loads (migration 0024's NULLS LAST index once stopped it: PostgreSQL only now)."""
    import subprocess
    import sys

    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    for command in (["migrate", "--noinput"], ["load_reference"], ["seed_demo", "--reports", "5"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            cwd=settings.BASE_DIR,
        )
        assert done.returncode == 0, (command, done.stderr[-2000:])
