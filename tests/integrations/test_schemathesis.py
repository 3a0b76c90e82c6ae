"""Property-based run of the whole API v1 against its own OpenAPI schema (/api/schema/),
through the Django app's WSGI handler, inside the test database: no answer is a server error,
and every answer (status, content type, body) matches what the schema says."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db, settings, key_a):
    # Generous limits: the run is about shapes, not abuse control (tested elsewhere).
    settings.LAPOR_RATE_LIMITS = {k: (10_000, 60) for k in settings.LAPOR_RATE_LIMITS}
    # Calls go straight to the WSGI handler, whose end-of-request signal would close the
    # database connection and with it the test's transaction (Django's test client
    # disconnects the same receiver while it runs).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_match_the_schema(case, key_a):
    # Once without a key (public endpoints; 401 documented for the agency scope), once as
    # agency A's integration client.
    case.call_and_validate(checks=CHECKS)
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {key_a.raw}"})


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/reports/", "/api/v1/agency/reports/", "/api/v1/agency/events/"):
        assert path in text
    assert "bearer" in text
    assert client.get("/api/docs/").status_code == 200


@pytest.mark.django_db
def test_every_api_v1_door_and_method_is_in_the_schema(client):
    """The schemathesis run covers what the schema lists: a door added to integrations/urls.py
    without its schema (or a method the view answers without one) would escape it."""
    import re

    import yaml
    from django.urls import URLPattern

    from integrations import urls

    paths = yaml.safe_load(client.get("/api/schema/").content)["paths"]
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        assert route in paths, route
        view = pattern.callback.view_class
        answered = {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}
        assert answered <= set(paths[route]), (route, answered - set(paths[route]))
