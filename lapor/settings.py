"""LAPOR settings: one module, read from the environment.

With no environment at all it runs for development: SQLite in the project folder, Celery tasks
run eagerly in the web process, e-mail printed to the console, DEBUG on. DATABASE_URL and
REDIS_URL switch to PostgreSQL, Redis (Celery broker and cache) and real workers. Every
variable is listed in README.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number") from exc


def envsecret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


DEBUG = envbool("DJANGO_DEBUG", "1")
TESTING = envbool("LAPOR_TESTING", "0")

SECRET_KEY = envsecret("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) is required")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else ""
    ).split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "agencies",
    "routing",
    "complaints",
    "monitoring",
    "integrations",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "core.replica.StickyPrimaryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "core.middleware.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.siteurl.SiteUrlMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "agencies.twofactor.OTPMiddleware",
    "agencies.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "lapor.urls"
WSGI_APPLICATION = "lapor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "agencies.context_processors.roles",
                "core.maps.map_tiles",
            ],
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL names another. Connections are
# kept open between requests (CONN_MAX_AGE): without it every request pays a new PostgreSQL
# connection, about 5x slower on these machines.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=envint("DJANGO_CONN_MAX_AGE", 600),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
# A streaming standby for the reads that may lag a few seconds (core/replica.py: dashboards,
# /statistik/, public lists, Open311 reads, exports), never for what a user just changed.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_URL and DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=envint("DJANGO_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
    # A dead standby must not hold a page: give up connecting quickly, then read the primary.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
LAPOR_REPLICA_MAX_LAG = float(os.environ.get("LAPOR_REPLICA_MAX_LAG", "5"))  # seconds
LAPOR_REPLICA_CHECK_SECONDS = float(os.environ.get("LAPOR_REPLICA_CHECK_SECONDS", "2"))
LAPOR_REPLICA_RETRY_SECONDS = float(os.environ.get("LAPOR_REPLICA_RETRY_SECONDS", "30"))
LAPOR_REPLICA_STICKY_SECONDS = envint("LAPOR_REPLICA_STICKY_SECONDS", 15)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "agencies.User"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("LAPOR_CACHE_PREFIX", "lapor"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Who is signed in, from the shared cache when there is one (issue 20): the session
# (core.sessions, Django's cached_db: the database with a copy in Redis) and the user's row,
# roles and second-factor devices (agencies.backends, under stamps every change retires).
# Without Redis each process would hold its own copy, which another process's change could
# not retire: both read the database then.
AUTHENTICATION_BACKENDS = ["agencies.backends.CachedModelBackend"]
LAPOR_SIGNIN_CACHE = bool(REDIS_URL)
if REDIS_URL:
    SESSION_ENGINE = "core.sessions"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "complaints:my-reports"
LOGOUT_REDIRECT_URL = "home"

# Indonesian first, English by choice.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("LAPOR_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Attachments live outside the web root and are served only through a view that checks
    # who may see the report (complaints.views.attachment_download).
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("LAPOR_MEDIA_ROOT", str(BASE_DIR / "media"))},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024  # five 10 MB attachments and the form
LAPOR_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
LAPOR_ATTACHMENT_MAX_COUNT = 5

# E-mail: printed to the console unless an SMTP host is given.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("DJANGO_EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = envsecret("DJANGO_EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("DJANGO_EMAIL_USE_TLS", "1")
else:
    EMAIL_BACKEND = os.environ.get(
        "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )
    # With the file backend (used by the real-worker tests), where each message is written.
    EMAIL_FILE_PATH = os.environ.get("DJANGO_EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "LAPOR <noreply@lapor.local>")
LAPOR_SITE_URL = os.environ.get("LAPOR_SITE_URL", "http://127.0.0.1:8000")
# "Sudah beres?" (complaints.sweeps.ask_followups): working weeks after a resolution before
# the reporter is asked whether it is fixed (FixMyStreet asks after 4 weeks); 0: never asked.
LAPOR_FOLLOWUP_WEEKS = envint("LAPOR_FOLLOWUP_WEEKS", 4)
# Development without LAPOR_SITE_URL: links in e-mail use the address of the request being
# served (its port), not the default above (core.siteurl).
LAPOR_SITE_URL_FROM_REQUEST = DEBUG and not os.environ.get("LAPOR_SITE_URL")

# Map tiles (issue 16): a Leaflet tile URL template ({z}/{x}/{y}, optionally {s}) and the
# attribution its licence asks for (HTML). The tile host is added to the CSP's img-src.
# OpenStreetMap's own tiles suit development and light use only (their tile usage policy);
# a national service sets its own tile server or provider here.
LAPOR_MAP_TILES_URL = os.environ.get(
    "LAPOR_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
LAPOR_MAP_ATTRIBUTION = os.environ.get(
    "LAPOR_MAP_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)

# Celery: Redis as broker when REDIS_URL is set; otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
# A request must never hang on a broker that is down: publishing fails fast, and the outbox
# sweep (complaints.tasks.outbox_sweep) sends what could not be queued.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# Two instances on one Redis database (a national and a provincial LAPOR in the federation
# test, a benchmark beside the tests) keep apart by a key prefix on every broker key.
if os.environ.get("LAPOR_BROKER_PREFIX"):
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = os.environ["LAPOR_BROKER_PREFIX"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": [
        "integrations.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LAPOR API",
    "DESCRIPTION": "Public complaint portal: file, track and follow reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from static files, not a CDN that LAPOR's CSP blocks (issue 14).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "smsGatewayToken": {
                "type": "apiKey",
                "in": "header",
                "name": "X-Lapor-Sms-Token",
                "description": "The SMS gateway's shared token (LAPOR_SMS_INBOUND_TOKEN).",
            },
            # LAPOR to LAPOR: the national instance's webhook signature (HMAC-SHA256 of
            # "<t>." + body with LAPOR_FEDERATION_SECRET), integrations/README.md.
            "federationSignature": {
                "type": "apiKey",
                "in": "header",
                "name": "X-Lapor-Signature",
                "description": "t=<unix time>,v1=<hex HMAC-SHA256 of '<t>.' + body>",
            },
        }
    },
}

# The largest JSON body the API reads (a report is a few kB; attachments go by the form).
LAPOR_API_MAX_BODY = envint("LAPOR_API_MAX_BODY", 1024 * 1024)

# The reporter's key (the ?k= link of their e-mails) stops working this many days after the
# report is finished (closed, rejected, merged, archived); a new one can be sent to the contact
# they filed with (complaints.permissions.guest_key_expires_at).
LAPOR_GUEST_KEY_DAYS = envint("LAPOR_GUEST_KEY_DAYS", 180)

# Abuse control: per-address limits (count, seconds), kept in the cache.
LAPOR_RATE_LIMITS = {
    # Filing counts accepted reports only, per address and per contact (e-mail, phone or
    # account); forms sent back with errors count apart, with a higher limit (core.ratelimit).
    "file": (envint("LAPOR_RATE_FILE", 30), 600),
    "file_contact": (envint("LAPOR_RATE_FILE_CONTACT", 5), 600),
    "file_failed": (envint("LAPOR_RATE_FILE_FAILED", 60), 600),
    # Failed sign-ins per address, across accounts (successful ones do not count: an office
    # behind one address signs in every morning). Per account and address: agencies.signin.
    "login": (envint("LAPOR_RATE_LOGIN", 50), 600),
    # Sign-ups and password-reset requests per address.
    "account": (envint("LAPOR_RATE_ACCOUNT", 10), 600),
    "track": (envint("LAPOR_RATE_TRACK", 60), 60),
    # Requests for a new reporter's key (/lacak/<nomor>/kunci-baru/), matching or not.
    "reissue": (envint("LAPOR_RATE_REISSUE", 5), 600),
    # The routing preview (form and API): asked as the citizen types, so more than filing.
    "preview": (envint("LAPOR_RATE_PREVIEW", 60), 60),
    # Integrations: calls per API key, and texts per sender on the SMS channel.
    "api": (envint("LAPOR_RATE_API", 600), 60),
    "sms": (envint("LAPOR_RATE_SMS", 10), 3600),
}
# The SMS channel (integrations.sms): the gateway's shared token for the inbound webhook (the
# channel is off without one) and the outbound gateway backend (complaints.sms).
LAPOR_SMS_INBOUND_TOKEN = envsecret("LAPOR_SMS_INBOUND_TOKEN", "")
LAPOR_SMS_BACKEND = os.environ.get("LAPOR_SMS_BACKEND", "complaints.sms.ConsoleBackend")
# complaints.sms.HttpGatewayBackend: where it posts each text, and its bearer token.
LAPOR_SMS_GATEWAY_URL = os.environ.get("LAPOR_SMS_GATEWAY_URL", "")
LAPOR_SMS_GATEWAY_TOKEN = envsecret("LAPOR_SMS_GATEWAY_TOKEN", "")
# Webhooks (integrations.webhooks): attempts before a delivery is given up (and the agency's
# admins are e-mailed), and the timeout of one attempt in seconds.
LAPOR_WEBHOOK_MAX_ATTEMPTS = envint("LAPOR_WEBHOOK_MAX_ATTEMPTS", 20)
LAPOR_WEBHOOK_TIMEOUT = envint("LAPOR_WEBHOOK_TIMEOUT", 10)
# Seconds before the first retry of a failed delivery, doubling up to an hour.
LAPOR_WEBHOOK_BACKOFF_BASE = envint("LAPOR_WEBHOOK_BACKOFF_BASE", 30)
# Webhooks to http and to loopback or private addresses (integrations.urlsafety): allowed for
# development, where the receiver runs on the same machine; off in production (https to public
# addresses only, so an admin cannot make LAPOR post to the machines behind it).
LAPOR_WEBHOOK_ALLOW_PRIVATE = envbool("LAPOR_WEBHOOK_ALLOW_PRIVATE", "1" if DEBUG else "0")

# LAPOR to LAPOR (integrations.federation), set on a provincial instance only: the national
# instance's API (".../api/v1"), the key it issued to the province's agency there, the secret
# of the webhook endpoint it registered for this instance, and the local agency (slug) that
# its dispatches land on. `manage.py federation_connect` on the national instance prints them.
LAPOR_FEDERATION_UPSTREAM = os.environ.get("LAPOR_FEDERATION_UPSTREAM", "").rstrip("/")
LAPOR_FEDERATION_KEY = envsecret("LAPOR_FEDERATION_KEY", "") or ""
LAPOR_FEDERATION_SECRET = envsecret("LAPOR_FEDERATION_SECRET", "") or ""
LAPOR_FEDERATION_AGENCY = os.environ.get("LAPOR_FEDERATION_AGENCY", "")
LAPOR_FEDERATION_TIMEOUT = envint("LAPOR_FEDERATION_TIMEOUT", 10)
LAPOR_FEDERATION_BACKOFF_BASE = envint("LAPOR_FEDERATION_BACKOFF_BASE", 15)
# Outbox messages committed within this many milliseconds in one process are published to
# the worker as one task (complaints.notifications.enqueue_delivery); 0 publishes each at once.
LAPOR_OUTBOX_BATCH_MS = envint("LAPOR_OUTBOX_BATCH_MS", 50)
# Automatic verification where routing is certain and the text passes checks
# (complaints.autotriage); otherwise national admins verify every report.
LAPOR_AUTO_VERIFY = envbool("LAPOR_AUTO_VERIFY", "0")
LAPOR_BLOCKED_WORDS = [
    w.strip() for w in os.environ.get("LAPOR_BLOCKED_WORDS", "").split(",") if w.strip()
]

# Behind a load balancer, the number of trusted proxies in X-Forwarded-For.
LAPOR_TRUSTED_PROXIES = envint("LAPOR_TRUSTED_PROXIES", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.logging.RequestIdFilter"},
        "expected_errors": {"()": "core.logging.ExpectedErrorFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
        "json": {"()": "core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("LAPOR_LOG_FORMAT", "plain" if DEBUG else "json"),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LAPOR_LOG_LEVEL", "INFO")},
    "loggers": {
        # 403 and 404 are answers, not faults: one line each, no traceback.
        "django.request": {"filters": ["expected_errors"]},
        # One line per request at INFO in production; quiet in development.
        "lapor.request": {
            "level": os.environ.get("LAPOR_REQUEST_LOG_LEVEL", "INFO" if not DEBUG else "WARNING")
        },
    },
}

# Production hardening: everything `manage.py check --deploy` asks for.
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", "1")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
