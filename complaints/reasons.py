"""Standard reasons for setting a report aside in triage, picked from a list and completed with
free text.

SP4N-LAPOR! v3 gives a report in verification four outcomes: verifikasi, tunda (the reporter is
asked to complete it), bukan wewenang, arsipkan ("Pengelolaan Laporan di Situs LAPOR! V3",
KemenPANRB training material, 2019). Its archive reasons include "Masukan terlalu umum" and
"Tidak relevan dengan kinerja pemerintah"; KemenPANRB's monthly LAPOR! report of November 2017
counts reports removed as "tidak dapat dimengerti/tidak jelas". Those are kept in their words
below; the other entries are LAPOR's own wording of the same practice. In LAPOR "arsipkan" is
the status *rejected* (the reporter sees the reason) and "tunda" is *needs_info*."""

from django.utils.translation import gettext_lazy as _

REJECT_REASONS = [
    ("unclear", _("Tidak dapat dimengerti atau tidak jelas")),
    ("too_general", _("Masukan terlalu umum")),
    ("not_government", _("Tidak relevan dengan kinerja pemerintah")),
    ("spam", _("Iklan, spam atau uji coba")),
    ("abusive", _("Berisi kata-kata kasar, SARA atau fitnah")),
    ("duplicate", _("Laporan ganda dari pelapor yang sama")),
]

TUNDA_REASONS = [
    ("location", _("Lokasi kejadian belum jelas")),
    ("time", _("Waktu kejadian belum disebutkan")),
    ("chronology", _("Kronologi atau rincian kejadian kurang lengkap")),
    ("evidence", _("Bukti pendukung (foto atau dokumen) diperlukan")),
    ("agency", _("Instansi atau unit layanan yang dimaksud belum jelas")),
]

BY_ACTION = {"reject": REJECT_REASONS, "request_info": TUNDA_REASONS}


def compose_note(*, action: str, reason: str, text: str) -> str:
    """The note the reporter reads: the standard reason, then what the officer added. An
    unknown reason code counts as none (the free text alone must then say why)."""
    label = dict(BY_ACTION.get(action, [])).get(reason)
    text = (text or "").strip()
    if label is None:
        return text
    return f"{label}. {text}".strip() if text else f"{label}."
