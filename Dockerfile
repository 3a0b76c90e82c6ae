# LAPOR web, worker and beat image: python:3.11-slim, dependencies from pyproject.toml,
# static files collected at build time, run as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LAPOR_STATIC_ROOT=/app/staticfiles \
    LAPOR_MEDIA_ROOT=/data/media

# pg_dump/pg_restore for `manage.py backup`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .
COPY . .

# The manifest of hashed static file names is made here; the key is for this step only.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-build-step-only \
    python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin lapor \
    && mkdir -p /data/media \
    && chown -R lapor:lapor /data
USER lapor

EXPOSE 8000
CMD ["gunicorn", "lapor.wsgi", "--config", "python:lapor.gunicorn_conf", \
     "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--timeout", "60"]
