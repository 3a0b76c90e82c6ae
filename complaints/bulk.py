"""Bulk work: one action on many reports, taken one report at a time through the status
machine (each in its own transaction, with its own audit event), so that one refusal stops
nothing else and every report says what happened to it. The inbox and the triage workspace
both call ``reports_bulk_act``."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import DomainError
from .models import Report, Status
from .permissions import reports_visible_to
from .services import report_transition

BULK_MAX = 1000  # one request; "select all matching" beyond this asks to narrow the filter

# The actions offered in bulk, with the label shown in the picker.
BULK_ACTIONS = {
    "assign": gettext_lazy("Tugaskan ke petugas"),
    "dispatch": gettext_lazy("Verifikasi dan disposisikan ke instansi"),
    "request_info": gettext_lazy("Tunda: minta kelengkapan"),
    "reject": gettext_lazy("Tolak (arsipkan)"),
    "recategorize": gettext_lazy("Ubah kategori atau jenis"),
    "resolve": gettext_lazy("Selesaikan dengan jawaban"),
}


@dataclass(frozen=True)
class Outcome:
    tracking: str
    ok: bool
    message: str


def reports_bulk_act(
    *, actor, report_ids: list[int], action: str, note: str = "", **params
) -> list[Outcome]:
    """Takes ``action`` on each report ``actor`` may see, in the order given. A report the
    actor may not see is reported as not found (the same words as a missing one)."""
    if action not in BULK_ACTIONS:
        raise DomainError(_("Tindakan massal tidak dikenal."))
    ids = list(dict.fromkeys(report_ids))[:BULK_MAX]
    seen = dict(reports_visible_to(actor).filter(pk__in=ids).values_list("pk", "tracking"))
    outcomes = []
    for report_id in ids:
        tracking = seen.get(report_id)
        if tracking is None:
            outcomes.append(Outcome(str(report_id), False, _("Laporan tidak ditemukan.")))
            continue
        try:
            _one(actor=actor, report_id=report_id, action=action, note=note, params=params)
        except DomainError as exc:
            outcomes.append(Outcome(tracking, False, str(exc.message)))
        else:
            outcomes.append(Outcome(tracking, True, _("Berhasil.")))
    return outcomes


def _one(*, actor, report_id: int, action: str, note: str, params: dict) -> None:
    if action != "dispatch":
        report_transition(report_id=report_id, action=action, actor=actor, note=note, **params)
        return
    # "Dispatch" from triage verifies a new report first; both moves or neither.
    with transaction.atomic():
        status = Report.objects.filter(pk=report_id).values_list("status", flat=True).first()
        if status == Status.SUBMITTED:
            report_transition(report_id=report_id, action="verify", actor=actor, note=note)
        report_transition(report_id=report_id, action="dispatch", actor=actor, **params)


def summary(outcomes: list[Outcome]) -> dict:
    done = sum(1 for o in outcomes if o.ok)
    return {"done": done, "failed": len(outcomes) - done, "total": len(outcomes)}
