from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Pemantauan")

    def ready(self) -> None:
        from complaints.signals import event_recorded

        from .receivers import on_report_event

        event_recorded.connect(on_report_event, dispatch_uid="monitoring.summaries", weak=False)
