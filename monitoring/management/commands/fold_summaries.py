from django.core.management.base import BaseCommand

from ...fold import fold


class Command(BaseCommand):
    help = "Add the summary deltas of recent report changes into the summary rows now."

    def handle(self, *args, **options):
        written = fold()
        lines = ", ".join(f"{table} {n}" for table, n in written.items())
        self.stdout.write(self.style.SUCCESS(f"folded: {lines}"))
