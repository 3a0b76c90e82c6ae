from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Instansi dan wilayah")

    def ready(self) -> None:
        from . import backends

        # What retires a signed-in user's cached row, roles and devices.
        backends.connect_signals()
