from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app takes from below: the cache and its per-process memo, rate limits, input
    bounds, CSV safety, middleware, logging and the process warm-up. Depends on no LAPOR app,
    so ``lapor/`` keeps only settings, URLs and the Celery app."""

    name = "core"
    verbose_name = "LAPOR core"
