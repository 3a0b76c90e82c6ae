from django.core.management.base import BaseCommand, CommandError

from ...rebuild import differences, rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard summaries from the reports (--check: only compare)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare, change nothing")

    def handle(self, *args, check=False, **options):
        if check:
            problems = differences()
            for line in problems[:50]:
                self.stdout.write(line)
            if problems:
                raise CommandError(f"{len(problems)} summary rows disagree with the reports")
            self.stdout.write(self.style.SUCCESS("summaries agree with the reports"))
            return
        rows, durations = rebuild()
        self.stdout.write(self.style.SUCCESS(f"rebuilt {rows} summary rows, {durations} durations"))
