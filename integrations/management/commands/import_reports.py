"""Backfill a regional system's archive: ``manage.py import_reports --agency pemkot-3273
archive.jsonl`` (one JSON record a line, the format of POST /api/v1/agency/import/)."""

import itertools
import json
import time

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from integrations import sync
from integrations.api_sync import parse_records
from integrations.models import ImportRun

CHUNK = 500


class Command(BaseCommand):
    help = (
        "Import a regional system's archived reports with their original dates and history "
        "(JSON lines). Safe to run again: what is in is skipped, so an interrupted run resumes."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="JSON lines file, one report a line")
        parser.add_argument("--agency", required=True, help="slug of the client's agency")
        parser.add_argument("--refused", help="write the refused records here (JSON lines)")

    def handle(self, *args, path, agency, refused=None, **options):
        client = Agency.objects.filter(slug=agency, is_active=True).first()
        if client is None:
            raise CommandError(f"no active agency with slug {agency!r}")
        run = ImportRun.objects.create(agency=client)
        total = sync.ImportResult()
        started = time.monotonic()
        with open(path, encoding="utf-8") as lines:
            for offset in itertools.count(0, CHUNK):
                chunk = list(itertools.islice(lines, CHUNK))
                if not chunk:
                    break
                result = sync.reports_import(
                    agency=client, records=parse_records(_items(chunk), client)
                )
                _add(total, result, offset)
                self.stdout.write(
                    f"{total.received} read, {total.imported} imported, {total.skipped} "
                    f"already in, {len(total.refused)} refused ({time.monotonic() - started:.0f} s)"
                )
        ImportRun.objects.filter(pk=run.pk).update(
            received=total.received,
            imported=total.imported,
            skipped=total.skipped,
            refused=total.refused[:10000],
        )
        sync.import_run_finish(run_id=run.pk)
        if refused:
            with open(refused, "w", encoding="utf-8") as out:
                for row in total.refused:
                    out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"import run {run.pk}: {total.imported} imported, {total.skipped} already in, "
                f"{len(total.refused)} refused in {seconds:.1f} s"
            )
        )


def _items(lines: list[str]) -> list:
    items = []
    for line in lines:
        try:
            items.append(json.loads(line))
        except ValueError:
            items.append(None)  # refused by parse_records as an empty record
    return items


def _add(total: sync.ImportResult, result: sync.ImportResult, offset: int) -> None:
    total.received += result.received
    total.imported += result.imported
    total.skipped += result.skipped
    for row in result.refused:
        total.refused.append({**row, "index": offset + row["index"]})
