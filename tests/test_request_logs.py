"""Expected refusals are answers, not faults: a 403 or a 404 is logged as one line by
django.request, with no traceback; a 500 keeps its traceback."""

import logging

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _request_lines(caplog) -> list[str]:
    formatter = logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"])
    return [formatter.format(r) for r in caplog.records if r.name == "django.request"]


def test_a_403_is_one_line(client, cast, caplog):
    client.login(username=cast.citizen.username, password=PASSWORD)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("workspace:export-xlsx"))  # raises PermissionDenied
    assert response.status_code == 403
    lines = _request_lines(caplog)
    assert len(lines) == 1, lines
    assert "Forbidden" in lines[0] and "\n" not in lines[0] and "Traceback" not in lines[0]


def test_a_404_is_one_line(client, cast, caplog):
    client.login(username=cast.officer_a.username, password=PASSWORD)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("workspace:detail", args=["LPR-7K3QM-9M2XA"]))
    assert response.status_code == 404
    lines = _request_lines(caplog)
    assert len(lines) == 1, lines
    assert "Not Found" in lines[0] and "\n" not in lines[0]


def test_a_500_keeps_its_traceback():
    from core.logging import ExpectedErrorFilter

    try:
        raise RuntimeError("broken")
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.ERROR, "", 0, "x", None, sys.exc_info()
        )
    record.status_code = 500
    ExpectedErrorFilter().filter(record)
    assert record.exc_info is not None
