from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Laporan")

    def ready(self) -> None:
        from agencies.signals import email_verified

        from .services import reports_claim

        def claim(sender, user, **kwargs):
            reports_claim(user=user)

        email_verified.connect(claim, dispatch_uid="complaints.claim_guest_reports", weak=False)

        from .models import NonWorkingDay
        from .workdays import EXTRA_DAYS

        EXTRA_DAYS.clear_on_change(NonWorkingDay)

        from agencies.models import Agency, Province, Regency
        from routing.models import Category

        from . import public_cache

        # Their names are on the public list's rows and filters.
        public_cache.changed_on_save(Agency, Category, Province, Regency)

        from . import page_cache

        # The track page's and the inbox's cached parts (names, staff, deleted reports).
        page_cache.connect_signals()

        from django.db.models.signals import post_migrate

        post_migrate.connect(_partitions_ahead, sender=self, dispatch_uid="complaints.partitions")

        from . import tasks  # noqa: F401  (registers the jobs that services start: core.jobs)


def _partitions_ahead(sender, using="default", plan=None, **kwargs) -> None:
    """migrate makes the month partitions of the events and the outbox ahead too (the beat task
    keeps them so)."""
    from . import partitions

    partitions.ensure_ahead(using=using)
