"""The database failing outside a view is the same clean 503 as inside one. Under load,
test_postgres_restart caught a 500: the report form's session is saved by SessionMiddleware
after the view returned, where DatabaseUnavailableMiddleware.process_exception never looks.
Here that moment is made certain instead of lucky."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from complaints.models import Report

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

REPORT = {
    "kind": "complaint",
    "title": "Lampu jalan padam di gang kami",
    "description": "Sudah dua minggu lampu jalan di gang kami padam dan gelap sekali.",
    "province": "32",
    "regency": "3273",
    "reporter_name": "Sari",
    "reporter_email": "sari@example.id",
}


def _file_through_the_form():
    return Client(raise_request_exception=False).post("/lapor/", REPORT)


def test_a_session_save_failing_after_filing_is_a_503_not_a_500(monkeypatch):
    def shutting_down(self, must_create=False):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(SessionStore, "save", shutting_down)
    response = _file_through_the_form()
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "tetap tersimpan" in response.content.decode()  # the report is indeed kept
    assert Report.objects.count() == 1


def test_any_other_error_outside_a_view_is_still_a_500(monkeypatch):
    def broken(self, must_create=False):
        raise RuntimeError("a bug, not an outage")

    monkeypatch.setattr(SessionStore, "save", broken)
    response = _file_through_the_form()
    assert response.status_code == 500
