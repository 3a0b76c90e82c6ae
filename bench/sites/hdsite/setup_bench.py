"""Makes what the bench's ticket client needs (run with the helpdesk virtualenv): a queue and a
staff user with a DRF token; prints `<queue id> <token>`."""

import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdsite.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from helpdesk.models import Queue  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

queue, _ = Queue.objects.get_or_create(slug="lapor", defaults={"title": "Pengaduan"})
user, _ = get_user_model().objects.get_or_create(
    username="bench", defaults={"is_staff": True, "is_superuser": True, "email": "b@x.id"}
)
token, _ = Token.objects.get_or_create(user=user)
print(queue.pk, token.key)
