"""The monthly partitions of the audit events and the outbox (complaints.partitions).

manage.py event_partitions list [--table events|outbox]   (default: both)
manage.py event_partitions ensure [--from 2016-01 --to 2027-03] [--table ...]   (default: both,
    now + 3 months)
manage.py event_partitions archive [--table outbox] --before 2020-01 --to /backup/events [--drop]
    (default table: events)
manage.py event_partitions restore /backup/events/complaints_reportevent_p2019_12.dump
manage.py event_partitions attach complaints_outboxmessage_p2019_12   (a detached table)
(restore and attach take the table from the partition's name)
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from ... import partitions

TABLES = {"events": partitions.EVENTS, "outbox": partitions.OUTBOX}


def _month(text: str) -> dt.date:
    try:
        year, month = text.split("-")
        return dt.date(int(year), int(month), 1)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a month (YYYY-MM)") from exc


def _tables(table: str | None) -> list[str]:
    return [TABLES[table]] if table else list(TABLES.values())


class Command(BaseCommand):
    help = (
        "List, create ahead, archive (detach, pg_dump, drop) and restore the monthly partitions "
        "of the audit events and the outbox."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list")
        ensure = sub.add_parser("ensure")
        ensure.add_argument("--from", dest="start")
        ensure.add_argument("--to", dest="end")
        archive = sub.add_parser("archive")
        archive.add_argument("--before", required=True, help="first month kept (YYYY-MM)")
        archive.add_argument("--to", dest="folder", required=True)
        archive.add_argument("--drop", action="store_true", help="drop each month once dumped")
        for action in (listing, ensure, archive):
            action.add_argument("--table", choices=sorted(TABLES))
        restore = sub.add_parser("restore")
        restore.add_argument("file")
        attach = sub.add_parser("attach")
        attach.add_argument("name")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"do_{action}")(**options)
        except partitions.ArchiveError as exc:
            raise CommandError(str(exc)) from exc

    def do_list(self, *, table=None, **options):
        tables = [t for t in _tables(table) if partitions.is_partitioned(t)]
        if not tables:
            raise CommandError("the tables are not partitioned (SQLite, or not migrated)")
        for name in tables:
            for partition, bound in partitions.partitions(name):
                self.stdout.write(f"{partition}\t{bound}")

    def do_ensure(self, *, start=None, end=None, table=None, **options):
        if start or end:
            if not (start and end):
                raise CommandError("give both --from and --to, or neither")
            made = []
            for name in _tables(table):
                made += partitions.ensure(_month(start), _month(end), table=name)
        elif table:
            now = partitions.month_start(dt.datetime.now(dt.UTC))
            made = partitions.ensure(
                now, partitions.add_months(now, partitions.AHEAD), table=TABLES[table]
            )
        else:
            made = partitions.ensure_ahead()
        self.stdout.write(f"created {len(made)}: {' '.join(made)}" if made else "nothing to do")

    def do_archive(self, *, before, folder, drop, table=None, **options):
        name = TABLES[table or "events"]
        done = partitions.archive(_month(before), folder, table=name, drop=drop)
        what = "messages" if name == partitions.OUTBOX else "events"
        for month in done:
            self.stdout.write(
                f"{month['name']}: {month['rows']} {what} -> {month['file']} "
                f"(sha256 {month['sha256']}){' dropped' if drop else ' detached'}"
            )
        self.stdout.write(self.style.SUCCESS(f"archived {len(done)} month(s)"))

    def do_restore(self, *, file, **options):
        name = partitions.restore(file)
        self.stdout.write(self.style.SUCCESS(f"{name} restored and attached"))

    def do_attach(self, *, name, **options):
        try:
            partitions.attach(name)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{name} attached"))
