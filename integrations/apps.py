from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrasi (API, webhook, Open311, SMS)")

    def ready(self) -> None:
        from complaints.signals import event_recorded

        from . import (
            federation,
            tasks,  # noqa: F401  (registers the jobs webhooks start: core.jobs)
        )
        from .webhooks import on_event_recorded

        # Sent inside the transaction that wrote the event: the delivery rows commit with it.
        event_recorded.connect(on_event_recorded, dispatch_uid="integrations.webhooks", weak=False)
        # LAPOR to LAPOR: what a provincial instance owes the national one, likewise.
        event_recorded.connect(
            federation.on_event_recorded, dispatch_uid="integrations.federation", weak=False
        )
