"""CPU time of GET pages in one process, through Django's WSGI handler (the middleware, the
view and the template, as under gunicorn, without the HTTP server), for variants of the
sign-in engines side by side: interleaved rounds, medians, statements per request, and with
``--profile`` a cProfile of one variant (CPU time, the calls that cost most).

Variants (``--variants``):

  db       sessions in the database and the sign-in read on every request (no REDIS_URL)
  session  sessions in the database with a copy in Redis (core.sessions), sign-in read
  cached   core.sessions and the sign-in bundle (agencies.backends): production with REDIS_URL

Pages (``--pages``): healthz, inbox (the officer whose agency holds the most reports, second
factor given, as bench/sidebyside_fixture.py), track (a published report's track page), list.
Every page is visited before the rounds, so what it caches is cached (wrk repeats one URL too).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_x REDIS_URL=redis://127.0.0.1:6379/5 \\
        python bench/profile_page.py --pages healthz,inbox --requests 300 --rounds 5
    ... --variants cached --pages inbox --profile 25

Needs a seeded database (manage.py seed_demo) and Redis."""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LAPOR_LOG_LEVEL", "WARNING")
os.environ.setdefault("LAPOR_REQUEST_LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

VARIANTS = {
    "db": {"SESSION_ENGINE": "django.contrib.sessions.backends.db", "LAPOR_SIGNIN_CACHE": False},
    "session": {"SESSION_ENGINE": "core.sessions", "LAPOR_SIGNIN_CACHE": False},
    "cached": {"SESSION_ENGINE": "core.sessions", "LAPOR_SIGNIN_CACHE": True},
}


def officer_cookie() -> str:
    """The session of the officer whose agency holds the most reports, second factor given
    (bench/sidebyside_fixture.py), written to the database and the cache (core.sessions)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agencies.models import Role
    from complaints.models import Report
    from core.sessions import SessionStore

    busiest = (
        Report.objects.exclude(owner_agency=None)
        .values("owner_agency")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    user = (
        Role.objects.filter(kind=Role.Kind.OFFICER, agency_id=busiest["owner_agency"]).first().user
    )
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def urls() -> dict[str, str]:
    from complaints.models import Report

    published = Report.objects.public().exclude(owner_agency=None).order_by("-pk").first()
    return {
        "healthz": "/healthz",
        "inbox": "/kerja/",
        "track": f"/lacak/{published.tracking}/",
        "list": "/laporan/",
    }


def environ(path: str, cookie: str) -> dict:
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    if cookie:
        env["HTTP_COOKIE"] = cookie
    return env


def call(handler, path: str, cookie: str) -> int:
    status = []
    body = handler(environ(path, cookie), lambda s, h, exc_info=None: status.append(s))
    for _ in body:
        pass
    body.close()
    return int(status[0].split()[0])


def handlers() -> dict:
    """One WSGI handler per variant (SessionMiddleware reads its engine when it is made)."""
    made = {}
    for name, values in VARIANTS.items():
        with override_settings(**values):
            made[name] = WSGIHandler()
    return made


def run(handler, variant: str, path: str, cookie: str, n: int) -> float:
    """CPU ms per request over ``n`` requests."""
    with override_settings(**VARIANTS[variant]):
        start = time.process_time()
        for _ in range(n):
            call(handler, path, cookie)
        return (time.process_time() - start) * 1000 / n


def statements(handler, variant: str, path: str, cookie: str) -> list[str]:
    with override_settings(**VARIANTS[variant]), CaptureQueriesContext(connection) as queries:
        status = call(handler, path, cookie)
    assert status == 200, (variant, path, status)
    return [q["sql"] for q in queries.captured_queries]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default="healthz,inbox")
    parser.add_argument("--variants", default="db,session,cached")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, help="cProfile: lines to print")
    parser.add_argument("--sql", action="store_true", help="print each page's statements")
    opts = parser.parse_args()
    pages, variants = opts.pages.split(","), opts.variants.split(",")
    cookie, paths, made = officer_cookie(), urls(), handlers()
    cookies = {p: cookie if p == "inbox" else "" for p in pages}
    for variant in variants:
        for page in pages:
            for _ in range(3):  # what the page caches, cached
                call(made[variant], paths[page], cookies[page])
    print(f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    for variant in variants:
        for page in pages:
            sql = statements(made[variant], variant, paths[page], cookies[page])
            print(f"{variant:8} {page:8} {len(sql)} statements")
            for q in sql if opts.sql else []:
                print(f"    {q[:160]}")
    if opts.profile:
        profiler = cProfile.Profile(time.process_time)
        for variant in variants:
            for page in pages:
                with override_settings(**VARIANTS[variant]):
                    profiler.enable()
                    for _ in range(opts.requests):
                        call(made[variant], paths[page], cookies[page])
                    profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(opts.profile)
        stats.sort_stats("cumulative").print_stats(opts.profile)
        print(out.getvalue())
        return
    times = {(v, p): [] for v in variants for p in pages}
    for _ in range(opts.rounds):
        for variant in variants:
            for page in pages:
                ms = run(made[variant], variant, paths[page], cookies[page], opts.requests)
                times[(variant, page)].append(ms)
    base = {v: statistics.median(times[(v, "healthz")]) for v in variants if "healthz" in pages}
    for (variant, page), values in times.items():
        median = statistics.median(values)
        ratio = f"  {base[variant] / median:.2f}x healthz" if variant in base else ""
        spread = f"{min(values):.2f}-{max(values):.2f}"
        print(f"{variant:8} {page:8} {median:6.2f} ms CPU per request ({spread}){ratio}")
    print(f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
