from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore the database and the attachments from a backup folder (replaces them)."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, folder, yes=False, **options):
        if not yes:
            answer = input("This replaces the database and the attachments. Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("restore cancelled")
        try:
            manifest = restore(folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"restored the backup of {manifest['created_at']} from {folder}")
        )
