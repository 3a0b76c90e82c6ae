"""LAPOR to LAPOR, run on the national instance: ``manage.py federation_connect --agency
pemprov-32 --url https://lapor.jabarprov.go.id/api/v1/federation/inbound/``. Issues an API
key for the province's agency and registers a webhook endpoint at the provincial instance's
federation door, then prints the settings the provincial instance starts with
(integrations/README.md, "LAPOR to LAPOR"). The key and the secret are shown this once."""

import json as jsonlib

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.models import Agency
from core.siteurl import site_url
from integrations.services import apikey_issue, webhook_endpoint_register
from integrations.urlsafety import UnsafeUrl


class Command(BaseCommand):
    help = (
        "Connect a provincial LAPOR instance to this (national) one: an API key for the "
        "province's agency and a webhook endpoint at its federation door; prints its settings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="slug of the province's agency")
        parser.add_argument(
            "--url", required=True, help="the provincial instance's /api/v1/federation/inbound/"
        )
        parser.add_argument(
            "--upstream", help="this instance's API as the province reaches it (.../api/v1)"
        )
        parser.add_argument("--json", action="store_true", help="print the settings as JSON")

    def handle(self, *args, agency, url, upstream=None, json=False, **options):
        province = Agency.objects.filter(slug=agency, is_active=True).first()
        if province is None:
            raise CommandError(f"no active agency {agency!r}")
        try:
            with transaction.atomic():
                issued = apikey_issue(agency=province, name="LAPOR provinsi (federasi)")
                endpoint = webhook_endpoint_register(agency=province, url=url)
        except UnsafeUrl as exc:
            raise CommandError(f"{url}: {exc}") from exc
        values = {
            "LAPOR_FEDERATION_UPSTREAM": (upstream or f"{site_url()}/api/v1").rstrip("/"),
            "LAPOR_FEDERATION_KEY": issued.raw,
            "LAPOR_FEDERATION_SECRET": endpoint.secret,
            "LAPOR_FEDERATION_AGENCY": province.slug,
        }
        if json:
            self.stdout.write(_json(values))
            return
        self.stdout.write("# The provincial instance's environment (shown once):")
        for name, value in values.items():
            self.stdout.write(f"{name}={value}")


def _json(values: dict) -> str:
    return jsonlib.dumps(values)
