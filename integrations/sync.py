"""Writes for two-way sync with a regional government's own complaint system: its own ids on
LAPOR reports (kept forever), files over the API, its status words, the citizen's side of a
report it filed, and the backfill of its archive. Reports change only through
``complaints.services`` (the status machine); this module decides which client may ask.

A *client* is the agency an API key acts for: every key of that agency shares its external
ids, so a key rotated next year still answers the same report for the same id."""

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from complaints import workflow
from complaints.errors import DomainError, InvalidAction
from complaints.models import Attachment, Report, Status
from complaints.services import NewReport, attachment_save, report_submit, report_transition

from .models import ApiKey, ExternalRef, ImportRun, StatusMap

EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")

# What the reporter does, done for them by the system they filed through (its app is their
# front door): DESIGN.md "citizen: files, tracks, replies, rates, disputes their own reports".
CITIZEN_ACTIONS = ("reply", "provide_info", "accept", "dispute", "rate")
AGENCY_ACTIONS = tuple(
    sorted(
        name
        for name, spec in workflow.ACTIONS.items()
        if spec.actor in (workflow.AGENCY, workflow.STAFF)
    )
)
# A client's status word may stand for one of these (the status map's inbound side).
MAPPABLE_ACTIONS = (*AGENCY_ACTIONS, *CITIZEN_ACTIONS, "verify")


class ExternalIdTaken(DomainError):
    code = "external_id_taken"
    http_status = 409
    default_message = gettext_lazy("ID sistem ini sudah dipakai untuk laporan lain.")


def check_external_id(value: str) -> str:
    """The id as given, or InvalidAction: 1-100 letters, digits and ``. _ : -``, no slash
    (it is a path segment of ``/api/v1/agency/external/<id>/``)."""
    if not isinstance(value, str) or not EXTERNAL_ID.match(value):
        raise InvalidAction(
            _("ID sistem: 1-100 huruf, angka, titik, garis bawah, titik dua, strip.")
        )
    return value


def external_ref(*, agency_id: int, external_id: str) -> ExternalRef | None:
    return (
        ExternalRef.objects.select_related("report")
        .filter(agency_id=agency_id, external_id=external_id)
        .first()
    )


def external_ids_for(*, agency_id: int, report_ids) -> dict[int, str]:
    """report id -> this client's id, for the reports given (one query)."""
    return dict(
        ExternalRef.objects.filter(agency_id=agency_id, report_id__in=list(report_ids)).values_list(
            "report_id", "external_id"
        )
    )


def report_file_external(*, key: ApiKey, external_id: str, data: NewReport) -> tuple[Report, bool]:
    """Files a report carrying the client's own id, once: the same id (from any key of the
    agency, a minute or a year later) returns the report it filed first. Returns
    ``(report, created)``. Two concurrent calls with one id file one report: the second waits
    on the unique index, rolls back whole and reads the first."""
    check_external_id(external_id)
    ref = external_ref(agency_id=key.agency_id, external_id=external_id)
    if ref is not None:
        return ref.report, False
    try:
        with transaction.atomic():
            report = report_submit(data=data)
            ExternalRef.objects.create(
                agency_id=key.agency_id, external_id=external_id, report=report, key=key
            )
    except IntegrityError:
        ref = external_ref(agency_id=key.agency_id, external_id=external_id)
        if ref is None:
            raise
        return ref.report, False
    return report, True


def report_link_external(*, key: ApiKey, report: Report, external_id: str) -> ExternalRef:
    """Records the client's id for a report it received (a mirror, not its citizen's front
    door). The same pair again is a no-op; an id already naming another report, or a report
    that already has another id of this client, is ExternalIdTaken."""
    check_external_id(external_id)
    existing = ExternalRef.objects.filter(agency_id=key.agency_id, report=report).first()
    if existing is not None:
        if existing.external_id != external_id:
            raise ExternalIdTaken()
        return existing
    try:
        with transaction.atomic():
            return ExternalRef.objects.create(
                agency_id=key.agency_id,
                external_id=external_id,
                report=report,
                key=key,
                origin=False,
            )
    except IntegrityError as exc:
        raise ExternalIdTaken() from exc


def originated_by(agency_id: int) -> QuerySet:
    """Reports that came in through this client (its citizen's front door), wherever they are
    now: a transfer away does not take the citizen's side from the client."""
    return Report.objects.filter(external_refs__agency_id=agency_id, external_refs__origin=True)


# --- files -----------------------------------------------------------------------------------


def report_attach_files(
    *, report: Report, actor, uploads: list, note: str = "", public: bool = False
) -> list[Attachment]:
    """Adds checked uploads (``complaints.uploads.check_upload``) to a report, with one
    ``attach`` event, all in one transaction. Internal unless ``public``."""
    with transaction.atomic():
        report_transition(
            report_id=report.pk, action="attach", actor=actor, note=note, public=public
        )
        event = report.events.of_report(report).order_by("-pk").first()
        return [attachment_save(report=report, upload=u, event=event) for u in uploads]


# --- the citizen's side ----------------------------------------------------------------------


def report_citizen_act(
    *,
    key: ApiKey,
    report: Report,
    action: str,
    note: str = "",
    rating: int | None = None,
    expected_version: int | None = None,
) -> Report:
    """The reporter's own action (reply, provide_info, accept with a rating, dispute, rate)
    taken through the system the report came in by. The caller must have looked the report
    up with ``originated_by`` (the client is that reporter's front door); the status machine
    then lets the client's own key stand for the reporter (``for_reporter``), not the
    reporter's guest key, which expires LAPOR_GUEST_KEY_DAYS after the report is finished."""
    if action not in CITIZEN_ACTIONS:
        raise InvalidAction(_("Tindakan pelapor tidak dikenal."))
    params = {"rating": rating} if rating is not None else {}
    return report_transition(
        report_id=report.pk,
        action=action,
        actor=key.service_user,
        note=note,
        expected_version=expected_version,
        for_reporter=True,
        **params,
    )


# --- status vocabulary -----------------------------------------------------------------------


def _word(value) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        raise ValueError
    return value.strip()


def statusmap_errors(*, inbound, outbound) -> dict:
    """What is wrong with a status map, by side: {} when it is right. ``inbound``: the
    client's status word -> a LAPOR action (MAPPABLE_ACTIONS); ``outbound``: a LAPOR status
    -> the client's word."""
    errors: dict[str, list[str]] = {}
    if not isinstance(inbound, dict):
        errors["inbound"] = [_("Harus berupa objek {status_anda: tindakan_LAPOR}.")]
    else:
        for word, action in inbound.items():
            try:
                _word(word)
            except ValueError:
                errors.setdefault("inbound", []).append(_("Nama status 1-40 karakter."))
                continue
            if action not in MAPPABLE_ACTIONS:
                errors.setdefault("inbound", []).append(
                    _("%(word)s: tindakan %(action)s tidak dikenal.")
                    % {"word": word, "action": action}
                )
    if not isinstance(outbound, dict):
        errors["outbound"] = [_("Harus berupa objek {status_LAPOR: status_anda}.")]
    else:
        for status, word in outbound.items():
            if status not in Status.values:
                errors.setdefault("outbound", []).append(
                    _("Status LAPOR tidak dikenal: %s") % status
                )
                continue
            try:
                _word(word)
            except ValueError:
                errors.setdefault("outbound", []).append(
                    _("%s: nama status 1-40 karakter.") % status
                )
    return errors


def statusmap_set(*, agency: Agency, inbound: dict, outbound: dict) -> StatusMap:
    """Replaces the client's status map (checked first: InvalidAction naming the errors)."""
    errors = statusmap_errors(inbound=inbound, outbound=outbound)
    if errors:
        raise InvalidAction("; ".join(m for msgs in errors.values() for m in msgs))
    inbound = {_word(k): v for k, v in inbound.items()}
    outbound = {k: _word(v) for k, v in outbound.items()}
    obj, _created = StatusMap.objects.update_or_create(
        agency=agency, defaults={"inbound": inbound, "outbound": outbound}
    )
    return obj


def statusmap_for(agency_id: int) -> StatusMap | None:
    return StatusMap.objects.filter(agency_id=agency_id).first()


def action_for_word(*, agency_id: int, word: str) -> str:
    """The LAPOR action the client's status word stands for (its map, else LAPOR's own
    action name). InvalidAction when neither knows it."""
    smap = statusmap_for(agency_id)
    if smap is not None and word in smap.inbound:
        return smap.inbound[word]
    if word in MAPPABLE_ACTIONS:
        return word
    raise InvalidAction(_("Status %s tidak ada dalam peta status klien ini.") % word)


# --- backfill --------------------------------------------------------------------------------

# Steps an archive may hold, each applied through the status machine in import mode. A
# transfer to another agency is not one: the archive is the client's own history.
IMPORT_ACTIONS = (
    "verify",
    "request_info",
    "provide_info",
    "reject",
    "dispatch",
    "assign_unit",
    "respond",
    "progress",
    "resolve",
    "reply",
    "note",
    "accept",
    "dispute",
    "rate",
    "auto_close",
)


@dataclass
class ImportStep:
    action: str
    at: dt.datetime
    note: str = ""
    unit: Agency | None = None
    rating: int | None = None


@dataclass
class ImportRecord:
    external_id: str
    data: NewReport
    filed_at: dt.datetime
    history: list[ImportStep] = field(default_factory=list)


class ImportRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _check_history(record: ImportRecord, now: dt.datetime) -> None:
    previous = record.filed_at
    if previous > now:
        raise ImportRefused(_("tanggal laporan di masa depan"))
    for step in record.history:
        if step.action not in IMPORT_ACTIONS:
            raise ImportRefused(_("tindakan %s tidak dapat diimpor") % step.action)
        if step.at < previous or step.at > now:
            raise ImportRefused(_("urutan tanggal riwayat tidak benar (%s)") % step.action)
        previous = step.at


def report_import(
    *, agency: Agency, record: ImportRecord, key: ApiKey | None = None
) -> Report | None:
    """Brings one archived report of ``agency`` (the client) in, with its original dates and
    history: filed at its time, then every step through the status machine in import mode
    (``imported_at``), all in one transaction, so a step the machine refuses refuses the
    whole record. Dispatch goes to the client's agency (or the unit named); the summaries
    follow every step as for a live report. Returns None when this external id is already in
    (resumable); raises ImportRefused with the reason."""
    check_external_id(record.external_id)
    if ExternalRef.objects.filter(agency=agency, external_id=record.external_id).exists():
        return None
    _check_history(record, timezone.now())
    where = "submit"
    try:
        with transaction.atomic():
            report = report_submit(data=record.data, filed_at=record.filed_at)
            ExternalRef.objects.create(
                agency=agency, external_id=record.external_id, report=report, key=key
            )
            for number, step in enumerate(record.history, 1):
                where = f"{number}. {step.action}"
                report = _import_step(agency, report, step)
    except DomainError as exc:
        raise ImportRefused(f"{where}: {exc.code}: {exc.message}") from exc
    except IntegrityError:
        return None  # the same id imported at the same moment by another run
    return report


def _import_step(agency: Agency, report: Report, step: ImportStep) -> Report:
    params: dict = {}
    if step.action == "dispatch":
        params["agency"] = step.unit or agency
    elif step.action == "assign_unit":
        if step.unit is None:
            raise ImportRefused(_("assign_unit tanpa unit"))
        params["agency"] = step.unit
    if step.rating is not None:
        params["rating"] = step.rating
    return report_transition(
        report_id=report.pk,
        action=step.action,
        actor=None,
        note=step.note,
        system=True,
        imported_at=step.at,
        **params,
    )


@dataclass
class ImportResult:
    received: int = 0
    imported: int = 0
    skipped: int = 0
    refused: list = field(default_factory=list)  # {"index", "external_id", "reason"}


def reports_import(
    *, agency: Agency, records, key: ApiKey | None = None, run: ImportRun | None = None
) -> ImportResult:
    """Imports ``records`` (ImportRecord, or a dict of errors for a record that failed to
    parse: {"index", "external_id", "reason"}), each in its own transaction: one refused
    record refuses itself only. Running the same archive again is safe (what is in is
    skipped), so a run cut short is resumed by running it again."""
    result = ImportResult()
    for index, record in enumerate(records):
        result.received += 1
        if isinstance(record, dict):
            # Serializer errors hold lazy texts: plain JSON for the answer and the run's row.
            result.refused.append(json.loads(json.dumps(record, default=str)))
            continue
        try:
            report = report_import(agency=agency, record=record, key=key)
        except (ImportRefused, InvalidAction) as exc:
            reason = getattr(exc, "reason", None) or str(getattr(exc, "message", exc))
            result.refused.append(
                {"index": index, "external_id": record.external_id, "reason": str(reason)}
            )
            continue
        if report is None:
            result.skipped += 1
        else:
            result.imported += 1
    if run is not None:
        ImportRun.objects.filter(pk=run.pk).update(
            received=result.received,
            imported=result.imported,
            skipped=result.skipped,
            refused=result.refused[:10000],
        )
        import_run_finish(run_id=run.pk)
    return result


def import_run_finish(*, run_id: int) -> None:
    ImportRun.objects.filter(pk=run_id).update(finished_at=timezone.now())
