"""The audit events' monthly partitions (complaints.partitions).

manage.py event_partitions list
manage.py event_partitions ensure [--from 2016-01 --to 2027-03]   (default: now + 3 months)
manage.py event_partitions archive --before 2020-01 --to /backup/events [--drop]
manage.py event_partitions restore /backup/events/complaints_reportevent_p2019_12.dump
manage.py event_partitions attach complaints_reportevent_p2019_12   (a detached table)
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from ... import partitions


def _month(text: str) -> dt.date:
    try:
        year, month = text.split("-")
        return dt.date(int(year), int(month), 1)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a month (YYYY-MM)") from exc


class Command(BaseCommand):
    help = "List, create ahead, archive (detach, pg_dump, drop) and restore event partitions."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list")
        ensure = sub.add_parser("ensure")
        ensure.add_argument("--from", dest="start")
        ensure.add_argument("--to", dest="end")
        archive = sub.add_parser("archive")
        archive.add_argument("--before", required=True, help="first month kept (YYYY-MM)")
        archive.add_argument("--to", dest="folder", required=True)
        archive.add_argument("--drop", action="store_true", help="drop each month once dumped")
        restore = sub.add_parser("restore")
        restore.add_argument("file")
        attach = sub.add_parser("attach")
        attach.add_argument("name")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"do_{action}")(**options)
        except partitions.ArchiveError as exc:
            raise CommandError(str(exc)) from exc

    def do_list(self, **options):
        if not partitions.is_partitioned():
            raise CommandError("the events table is not partitioned (SQLite, or not migrated)")
        for name, bound in partitions.partitions():
            self.stdout.write(f"{name}\t{bound}")

    def do_ensure(self, *, start=None, end=None, **options):
        if start or end:
            if not (start and end):
                raise CommandError("give both --from and --to, or neither")
            made = partitions.ensure(_month(start), _month(end))
        else:
            made = partitions.ensure_ahead()
        self.stdout.write(f"created {len(made)}: {' '.join(made)}" if made else "nothing to do")

    def do_archive(self, *, before, folder, drop, **options):
        done = partitions.archive(_month(before), folder, drop=drop)
        for month in done:
            self.stdout.write(
                f"{month['name']}: {month['rows']} events -> {month['file']} "
                f"(sha256 {month['sha256']}){' dropped' if drop else ' detached'}"
            )
        self.stdout.write(self.style.SUCCESS(f"archived {len(done)} month(s)"))

    def do_restore(self, *, file, **options):
        name = partitions.restore(file)
        self.stdout.write(self.style.SUCCESS(f"{name} restored and attached"))

    def do_attach(self, *, name, **options):
        partitions.attach(name)
        self.stdout.write(self.style.SUCCESS(f"{name} attached"))
