"""Loads (or refreshes) all reference data: regions, agencies, their units and regional offices,
categories and their matters, the starting routing rules and the default time limits.
Idempotent: a second run changes nothing."""

from django.core.management.base import BaseCommand

from agencies.reference import load_reference_data
from routing.reference import load_categories_and_rules

from ...deadlines import seed_defaults


class Command(BaseCommand):
    help = "Load regions, agencies, categories, routing rules and time limits (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-districts", action="store_true", help="skip the 7,285 districts (kecamatan)"
        )

    def handle(self, *args, **options):
        result = load_reference_data(with_districts=not options["no_districts"])
        routing = load_categories_and_rules()
        limits = seed_defaults()
        for name in result.created:
            self.stdout.write(
                f"{name}: {result.created[name]} created, {result.updated[name]} updated"
            )
        self.stdout.write(
            f"category: {routing['category']} created, {routing['category_updated']} updated"
        )
        self.stdout.write(
            f"matter: {routing['matter']} created, {routing['matter_updated']} updated"
        )
        self.stdout.write(
            f"routing rule: {routing['rule']} created, {routing['rule_updated']} updated"
        )
        self.stdout.write(f"time limit: {limits} created")
        changed = result.changed or any(routing.values()) or limits
        self.stdout.write(self.style.SUCCESS("changed" if changed else "nothing to change"))
