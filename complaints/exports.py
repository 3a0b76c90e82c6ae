"""Exports of the inbox analysts can open: CSV and XLSX, times in the local time of the
report's province, labels in the reader's language, the holding unit and the officer. Never
the reporter: an export leaves LAPOR, and an anonymous reporter must not leave with it (no
name, e-mail, phone or account column exists here at all)."""

import csv
import datetime as dt
import io
import logging
import tempfile
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core import csvsafe, jobs, replica

from .models import Channel, ExportJob, Kind, Status
from .workdays import ZONE_NAMES as NAMES
from .workdays import zone_for

log = logging.getLogger(__name__)


def zone_of(province_code: str | None) -> tuple[ZoneInfo, str]:
    """The province's zone (complaints.workdays.zone_for, Keppres 41/1987) and its name."""
    zone = zone_for(province_code)
    return zone, NAMES.get(zone.key, zone.key)


# Up to this many reports an export is built within the request; above it a worker builds it
# (export_build) and the requester follows its progress. LAPOR_EXPORT_INLINE_MAX overrides.
INLINE_MAX = 5_000
# A spreadsheet holds 1,048,576 rows (the XLSX format's limit, ECMA-376); a larger XLSX
# asks for a narrower filter (CSV has no limit).
XLSX_MAX = 1_000_000
EXPIRES_AFTER = dt.timedelta(hours=24)  # a built file is deleted this long after it is ready
PROGRESS_EVERY = 500  # rows between two progress updates

TIMES = [
    ("created_at", _("Diterima")),
    ("dispatched_at", _("Didisposisikan")),
    ("response_due", _("Batas tanggapan")),
    ("first_response_at", _("Tanggapan pertama")),
    ("resolution_due", _("Batas penyelesaian")),
    ("resolved_at", _("Diselesaikan")),
    ("overdue_at", _("Terlambat sejak")),
]


def headers() -> list[str]:
    """Column titles in the active language."""
    return [
        str(h)
        for h in [
            _("Nomor"),
            _("Jenis"),
            _("Kanal"),
            _("Status"),
            _("Judul"),
            _("Kategori"),
            _("Provinsi"),
            _("Kabupaten/kota"),
            _("Instansi"),
            _("Unit yang menangani"),
            _("Petugas"),
            *[h for _f, h in TIMES],
            _("Zona waktu"),
            _("Dibuka kembali"),
            _("Nilai"),
        ]
    ]


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def rows(qs: QuerySet):
    """One list of cell values per report, in ``headers()`` order, read in chunks."""
    qs = qs.select_related(
        "category", "province", "regency", "agency", "owner_agency", "assigned_to"
    ).only(
        "tracking", "kind", "channel", "status", "title", "category__name_id",
        "category__name_en", "province__name", "regency__name", "agency__name",
        "owner_agency__name", "assigned_to__full_name", "assigned_to__username",
        *[f for f, _h in TIMES], "reopen_count", "rating", "province_id",
    )  # fmt: skip
    for r in qs.iterator(chunk_size=2000):
        zone, zone_name = zone_of(r.province_id)
        times = [getattr(r, f) for f, _h in TIMES]
        yield [
            r.tracking,
            _label(Kind, r.kind),
            _label(Channel, r.channel),
            _label(Status, r.status),
            r.title,
            str(r.category) if r.category else "",
            r.province.name if r.province else "",
            r.regency.name if r.regency else "",
            r.owner_agency.name if r.owner_agency else "",
            r.agency.name if r.agency else "",
            r.assigned_to.display_name if r.assigned_to else "",
            *[t.astimezone(zone).strftime("%Y-%m-%d %H:%M") if t else "" for t in times],
            zone_name,
            r.reopen_count,
            r.rating if r.rating is not None else "",
        ]


def csv_lines(qs: QuerySet):
    class _Echo:
        def write(self, value):
            return value

    writer = csv.writer(_Echo())
    yield "\ufeff"  # spreadsheet programs read the file as UTF-8 with this mark
    yield writer.writerow(headers())
    for row in rows(qs):
        yield writer.writerow(csvsafe.row(row))


def xlsx_bytes(qs: QuerySet) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(_("Laporan")))
    sheet.append(headers())
    for row in rows(qs):
        sheet.append(csvsafe.row(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- large exports, built by a worker ---------------------------------------------------


def inline_max() -> int:
    return getattr(settings, "LAPOR_EXPORT_INLINE_MAX", INLINE_MAX)


def is_large(qs: QuerySet) -> bool:
    """Whether ``qs`` has more reports than a request builds. One capped count query."""
    limit = inline_max()
    return qs.order_by()[: limit + 1].count() > limit


def export_request(*, user, fmt: str, query: str, language: str) -> ExportJob:
    """Records a large export of the inbox ``query`` (its GET filters) for ``user`` and starts
    its build after commit. The worker applies the filters in ``user``'s scope again, so the
    file holds what the user could see when it is built, no more."""
    with transaction.atomic():
        job = ExportJob.objects.create(
            requester=user, format=fmt, query=query[:2000], language=language
        )
        transaction.on_commit(lambda: _start(job.pk))
    return job


def _start(job_id: int) -> None:
    try:
        jobs.start("export_build", job_id)
    except Exception:  # broker down: the sweep starts it again (export_sweep)
        log.warning("export %s not queued", job_id, exc_info=True)


def export_queryset(job: ExportJob) -> QuerySet:
    """The reports of ``job``: the requester's inbox with the job's filters."""
    from .filters import InboxFilter
    from .queues import inbox_for

    base = inbox_for(job.requester)
    data = QueryDict(job.query)
    request = SimpleNamespace(user=job.requester, GET=data)
    flt = InboxFilter(data or None, queryset=base, request=request)
    return flt.qs if flt.is_bound and flt.is_valid() else base


STALE_BUILD = dt.timedelta(minutes=30)  # a build claimed this long ago belongs to a lost worker


def export_build(*, job_id: int) -> str:
    """Builds the file of ``job_id``: claims the job (a conditional UPDATE, so two workers
    given the same job do not both build it), writes the rows to a temporary file, updating
    the progress every PROGRESS_EVERY rows, and stores it under exports/ in the default
    storage. Returns the job's state. A failure marks the job failed with a short reason."""
    now = timezone.now()
    claimable = Q(state=ExportJob.State.QUEUED) | Q(
        state=ExportJob.State.RUNNING, created_at__lt=now - STALE_BUILD
    )
    if not ExportJob.objects.filter(claimable, pk=job_id).update(state=ExportJob.State.RUNNING):
        return "skipped"
    job = ExportJob.objects.select_related("requester").get(pk=job_id)
    try:
        with translation.override(job.language):
            name = _write(job)
    except Exception as exc:
        log.exception("export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportJob.State.FAILED, error=type(exc).__name__[:200], finished_at=now
        )
        return ExportJob.State.FAILED
    done = timezone.now()
    ExportJob.objects.filter(pk=job_id).update(
        state=ExportJob.State.DONE,
        file=name,
        written=F("total"),
        finished_at=done,
        expires_at=done + EXPIRES_AFTER,
    )
    return ExportJob.State.DONE


def _write(job: ExportJob) -> str:
    with replica.reading():  # the reports may come from the standby; the job's rows do not
        return _write_rows(job)


def _write_rows(job: ExportJob) -> str:
    qs = export_queryset(job)
    total = qs.order_by().count()
    ExportJob.objects.filter(pk=job.pk).update(total=total, written=0)

    def counted(rows_):
        for i, row in enumerate(rows_, 1):
            if i % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=job.pk).update(written=i)
            yield row

    with tempfile.TemporaryFile() as out:
        if job.format == ExportJob.Format.XLSX:
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet(str(_("Laporan")))
            sheet.append(headers())
            for row in counted(rows(qs)):
                sheet.append(csvsafe.row(row))
            book.save(out)
        else:
            text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
            text.write("\ufeff")
            writer = csv.writer(text)
            writer.writerow(headers())
            for row in counted(rows(qs)):
                writer.writerow(csvsafe.row(row))
            text.flush()
            text.detach()
        out.seek(0)
        return default_storage.save(f"exports/{job.key}.{job.format}", File(out))


def export_sweep(*, now: dt.datetime | None = None) -> int:
    """Deletes expired exports (their files and rows), and failed or lost ones a day old;
    starts again a queued build whose first start was lost. Returns how many were deleted."""
    now = now or timezone.now()
    old = now - EXPIRES_AFTER
    gone = ExportJob.objects.filter(
        Q(expires_at__lt=now) | Q(state=ExportJob.State.FAILED, created_at__lt=old)
        | Q(created_at__lt=old, state__in=[ExportJob.State.QUEUED, ExportJob.State.RUNNING])
    )  # fmt: skip
    count = 0
    for job in gone:
        if job.file:
            default_storage.delete(job.file)
        job.delete()
        count += 1
    lost = ExportJob.objects.filter(
        state=ExportJob.State.QUEUED, created_at__lt=now - dt.timedelta(minutes=2)
    ).values_list("pk", flat=True)
    for job_id in lost:
        _start(job_id)
    return count
