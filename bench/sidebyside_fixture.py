"""For bench/sidebyside.py, run in LAPOR's environment after seed_demo: a published report's
tracking number (the track page) and the session cookie of the officer whose agency holds the
most reports (the inbox), second factor given as tests.factories.otp_verify does. Prints JSON."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from agencies.models import Role  # noqa: E402
from complaints.models import Report  # noqa: E402

busiest = (
    Report.objects.exclude(owner_agency=None)
    .values("owner_agency")
    .annotate(n=Count("pk"))
    .order_by("-n")
    .first()
)
role = Role.objects.filter(kind=Role.Kind.OFFICER, agency_id=busiest["owner_agency"]).first()
client = Client()
client.force_login(role.user)
session = client.session
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

device = TOTPDevice.objects.filter(user=role.user, confirmed=True).first()
device = device or TOTPDevice.objects.create(user=role.user, name="bench")
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session.save()
published = Report.objects.public().exclude(owner_agency=None).order_by("-pk").first()
print(
    json.dumps(
        {
            "tracking": published.tracking,
            "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
            "officer": role.user.username,
            "reports_held": busiest["n"],
        }
    )
)
