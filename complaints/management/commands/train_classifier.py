"""Trains the category classifier (routing.suggest) on the shipped labelled examples and on
every report whose category an admin confirmed in triage, measures it on a held-out part, then
stores the model trained on everything. Run it from cron or by hand, e.g. weekly."""

from django.core.management.base import BaseCommand, CommandError

from complaints.models import Report
from routing import suggest
from routing.models import Classifier


def confirmed_examples(limit: int | None = None) -> list[tuple[str, str]]:
    qs = (
        Report.objects.filter(category_confirmed=True, category__isnull=False)
        .order_by("-pk")
        .values_list("title", "description", "category__code")
    )
    if limit:
        qs = qs[:limit]
    return [(f"{title}\n{description}", code) for title, description, code in qs]


class Command(BaseCommand):
    help = "Train the category classifier and report its accuracy on held-out examples."

    def add_arguments(self, parser):
        parser.add_argument(
            "--held-out", type=float, default=0.2, help="share kept out to measure (0..0.5)"
        )
        parser.add_argument(
            "--max-reports", type=int, default=200_000, help="newest confirmed reports to use"
        )
        parser.add_argument(
            "--shipped-only", action="store_true", help="ignore reports, use the shipped set"
        )
        parser.add_argument("--dry-run", action="store_true", help="measure only, store nothing")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when a model is stored (the deploy step: web processes then load "
            "it instead of each training its own on first use)",
        )

    def handle(self, *args, held_out, max_reports, shipped_only, dry_run, if_missing, **options):
        if if_missing and Classifier.objects.exists():
            self.stdout.write("a model is stored; nothing to do")
            return
        if not 0 < held_out <= 0.5:
            raise CommandError("--held-out must be between 0 and 0.5")
        shipped = suggest.shipped_examples()
        reports = [] if shipped_only else confirmed_examples(max_reports)
        examples = shipped + reports
        if len({label for _, label in examples}) < 2:
            raise CommandError("Need examples of at least two categories.")
        train_part, test_part = suggest.split(examples, held_out=held_out)
        scores = suggest.evaluate(suggest.train(train_part), test_part)
        self.stdout.write(
            f"examples: {len(examples)} ({len(shipped)} shipped, {len(reports)} confirmed "
            f"reports); trained on {len(train_part)}, held out {scores['n']}"
        )
        self.stdout.write(
            f"held-out accuracy: {scores['accuracy']:.3f} (first suggestion), "
            f"{scores['top3']:.3f} (among the first three)"
        )
        if dry_run:
            return
        model = suggest.train(examples)
        Classifier.objects.create(
            examples=len(examples),
            confirmed_reports=len(reports),
            accuracy=scores["accuracy"],
            top3=scores["top3"],
            model=suggest.dumps(model),
        )
        # Older models are kept for the record but only the newest is used; keep the last few.
        stale = Classifier.objects.order_by("-trained_at", "-pk").values_list("pk", flat=True)[5:]
        Classifier.objects.filter(pk__in=list(stale)).delete()
        self.stdout.write(self.style.SUCCESS("stored; every web process uses it within 5 min"))
