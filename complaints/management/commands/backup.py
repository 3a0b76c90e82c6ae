from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the attachments into an empty folder."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder, **options):
        try:
            manifest = backup(folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"backed up {manifest['reports']} reports and {manifest['attachments']} "
                f"attachments to {folder}"
            )
        )
