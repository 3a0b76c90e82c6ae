"""Domain errors raised by services; views and the API turn them into messages and codes."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "error"
    http_status = 400
    default_message = _("Permintaan tidak dapat diproses.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    http_status = 409
    default_message = _("Tindakan ini tidak dapat dilakukan pada status laporan saat ini.")


class StaleReport(DomainError):
    code = "conflict"
    http_status = 409
    default_message = _(
        "Laporan ini baru saja diubah oleh orang lain. Muat ulang halaman lalu coba lagi."
    )


class ActionForbidden(DomainError):
    code = "forbidden"
    http_status = 403
    default_message = _("Anda tidak berwenang melakukan tindakan ini.")


class InvalidAction(DomainError):
    code = "invalid"
    http_status = 400


class StorageFull(DomainError):
    code = "storage_full"
    http_status = 503
    default_message = _(
        "Lampiran tidak dapat disimpan saat ini karena ruang penyimpanan penuh. Laporan belum "
        "terkirim: kirim tanpa lampiran, atau coba lagi nanti."
    )
