"""Every URL LAPOR serves, tried as an attacker would: with no account, with a citizen's account
that owns nothing, and as the officer of another agency. The URLs are read from the URL
configuration itself, so a page or endpoint added later is tried too, and fails this test until
it is put on one of the lists below.

The target is a report of agency A that is anonymous and confidential. Whatever the URL and the
method, none of these three callers may see its title, its story or its reporter, and nothing
they send may change a report, a role, an API key or a webhook."""

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from agencies.models import Role
from complaints.models import ReportEvent
from complaints.services import report_transition
from integrations.models import ApiKey, WebhookDelivery, WebhookEndpoint
from integrations.services import apikey_issue, webhook_endpoint_register
from tests.factories import PASSWORD, attach_photo, dispatched_report

pytestmark = pytest.mark.django_db

# Anyone may read these (they show public or reference data, or are the doors for filing).
PUBLIC = {
    "home",
    "set_language",
    "accounts:signup",
    "accounts:login",
    "accounts:logout",
    "accounts:verify",
    "accounts:password-reset",
    "accounts:password-reset-done",
    "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
    "complaints:report-create",
    "complaints:report-assist",
    "complaints:report-route",
    "complaints:regency-options",
    "complaints:report-created",
    "complaints:track",
    "complaints:track-detail",
    "complaints:track-new-key",
    "complaints:public-list",
    "complaints:public-detail",
    "complaints:public-photo",
    "complaints:public-map",
    "complaints:public-map-points",
    "complaints:support",
    "statistik",
    "api-report-create",
    "api-report-status",
    "api-provinces",
    "api-regencies",
    "api-agencies",
    "api-categories",
    "api-province-indicators",
    "api-routing-preview",
    "api-sms-inbound",
    "api-federation-inbound",  # no key: national's webhook signature only (test_access_matrix)
    "api-opendata-reports",
    "api-opendata-daily",
    "api-schema",
    "api-docs",
    "health",
    "favicon",
    "service-worker",
    "web-manifest",
    "open311-discovery",
    "open311-services",
    "open311-service",
    "open311-requests",
    "open311-request",
    "open311-token",
}
# Any signed-in user has one of these (their own settings and reports).
OWN = {
    "accounts:settings",
    "accounts:2fa",
    "accounts:2fa-enrol",
    "accounts:2fa-verify",
    "complaints:my-reports",
}
# Everything else needs a role (staff pages) or an agency's API key. Listed so that a new
# URL has to be classified here before the suite passes.
STAFF = {
    "complaints:attachment",
    # "Sudah beres?": the reporter's own question, by their key or account; 404 to others.
    "complaints:followup",
    "triage:queue",
    "triage:detail",
    "triage:act",
    "triage:merge",
    "triage:next",
    "triage:bulk",
    "rules:list",
    "manage:home",
    "manage:revoke",
    "integrations:index",
    "integrations:key-calls",
    "integrations:key-revoke",
    "integrations:endpoint",
    "integrations:endpoint-toggle",
    "integrations:replay",
    "workspace:inbox",
    "workspace:agency-search",
    "workspace:export",
    "workspace:export-xlsx",
    "workspace:export-job",
    "workspace:export-download",
    "workspace:templates",
    "workspace:detail",
    "workspace:act",
    "workspace:bulk",
    "monitoring:national",
    "monitoring:province",
    "monitoring:agency",
    "monitoring:rankings",
    "monitoring:reports",
    "monitoring:appointment-add",
    "monitoring:agency-work",
    "monitoring:appointment-file",
    "monitoring:warnings",
    "api-agency-me",
    "api-agency-reports",
    "api-agency-report",
    "api-agency-report-action",
    "api-agency-events",
    "api-agency-filing",
    "api-agency-external",
    "api-agency-report-external-id",
    "api-agency-report-files",
    "api-agency-report-file",
    "api-agency-report-citizen",
    "api-agency-report-status-word",
    "api-agency-status-map",
    "api-agency-addressed",
    "api-agency-report-verify",
    "api-agency-import",
}
# Staff URLs another agency's officer may open: they show that officer's own work, not A's.
OWN_STAFF = {
    "workspace:inbox",
    "workspace:agency-search",
    "workspace:export",
    "workspace:export-xlsx",
    "workspace:templates",
    "workspace:bulk",
    "monitoring:reports",  # the reports behind a figure of their own agency (400 without one)
}

SECRET_TITLE = "Pungutan liar di kantor kelurahan Cibeunying"
SECRET_STORY = "Petugas meminta uang tambahan Rp 250.000 untuk surat keterangan domisili."
SECRET_NAME = "Ratna Kusumawardhani"
SECRET_EMAIL = "ratna.rahasia@example.id"
SECRET_NOTE = "PENANDA-LINIMASA-7Q"  # in every note of the report's timeline


def _patterns(patterns=None, prefix="", namespace=""):
    """(route, name) for every URL pattern, Django's admin aside (its own login guards it)."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            route = prefix + str(pattern.pattern)
            if route.startswith("admin/"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace + (pattern.name or "")


ROUTES = sorted(set(_patterns()))


def test_every_url_is_classified():
    names = {name for _route, name in ROUTES}
    unnamed = [route for route, name in ROUTES if not name or name.endswith(":")]
    assert not unnamed, f"URLs without a name: {unnamed}"
    unclassified = names - PUBLIC - OWN - STAFF
    assert not unclassified, f"classify these URLs in {__name__}: {sorted(unclassified)}"
    gone = (PUBLIC | OWN | STAFF) - names
    assert not gone, f"listed but no longer served: {sorted(gone)}"


@pytest.fixture
def target(cast, agency_a, agency_b, settings):
    """Agency A's anonymous, confidential report with an attachment, an API key, a webhook
    with one delivery, and an officer's role: every object a URL can name by number. The report
    came to A by a transfer from agency B (so B's officer is a former holder), and every note of
    its timeline (transfer, answer, internal note, the reporter's reply) carries SECRET_NOTE."""
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = True
    endpoint = webhook_endpoint_register(agency=agency_a, url="http://127.0.0.1:9/hook")
    report = dispatched_report(
        agency_b,
        cast.national,
        title=SECRET_TITLE,
        description=SECRET_STORY,
        reporter_name=SECRET_NAME,
        reporter_email=SECRET_EMAIL,
        is_anonymous=True,
        is_confidential=True,
    )
    for action, actor, extra in [
        ("transfer", cast.officer_b, {"agency": agency_a}),
        ("respond", cast.officer_a, {}),
        ("note", cast.officer_a, {}),
    ]:
        report_transition(
            report_id=report.pk, action=action, actor=actor, note=SECRET_NOTE, **extra
        )
    report_transition(
        report_id=report.pk,
        action="reply",
        token=report.reporter_secret,
        note=SECRET_NOTE,
    )
    report.refresh_from_db()
    attachment = attach_photo(report)
    key = apikey_issue(agency=agency_a, name="Sistem Kota Bandung")
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint).first()
    assert delivery is not None  # the dispatch was queued for A's webhook
    role = Role.objects.get(user=cast.officer_a)
    export = _built_export(cast.officer_a)
    from tests.monitoring.test_appointments import record

    sk = record(agency_a, cast.national)
    from complaints.models import FollowUp

    question = FollowUp.objects.create(report=report, resolved_at=report.created_at)
    numbers = {
        "complaints:followup": question.pk,
        "workspace:export-job": export.key,
        "workspace:export-download": export.key,
        "complaints:attachment": attachment.pk,
        "complaints:public-photo": attachment.pk,
        "manage:revoke": role.pk,
        "integrations:key-calls": key.key.pk,
        "integrations:key-revoke": key.key.pk,
        "integrations:endpoint": endpoint.pk,
        "integrations:endpoint-toggle": endpoint.pk,
        "integrations:replay": delivery.pk,
        "monitoring:agency": agency_a.pk,
        "monitoring:appointment-add": agency_a.pk,
        "monitoring:agency-work": agency_a.pk,
        "monitoring:appointment-file": sk.pk,
        "api-agency-report-file": attachment.pk,
    }
    return report, numbers


def _built_export(officer):
    """A large export officer A asked for, built (its file holds the target report)."""
    from complaints.exports import export_build, export_request

    job = export_request(user=officer, fmt="csv", query="", language="id")
    export_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == "done"
    return job


def _url(route: str, name: str, report, numbers) -> str:
    """The route with real values: the target report's number, the object of that URL."""

    def value(match):
        group = match.group(0)
        if "tracking" in group:
            return report.tracking
        if "int:" in group or "uuid:" in group or "file_id" in group:
            return str(numbers[name])
        if "code" in group and name.startswith("monitoring"):
            return report.province_id
        return "x1"

    route = re.sub(r"<[^>]+>", value, route)
    # Open311's regex routes: the first alternative of the format, the report's number.
    route = route.replace("^", "").replace("$", "").replace("\\.", ".")
    route = re.sub(r"\(\?P<fmt>json\|xml\)", "json", route)
    route = re.sub(r"\(\?P<service_request_id>[^)]*\)", report.tracking, route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "x1", route)
    return "/" + route


def _state(report) -> tuple:
    return (
        ReportEvent.objects.filter(report=report).count(),
        tuple(Role.objects.filter(is_active=True).values_list("pk", flat=True).order_by("pk")),
        ApiKey.objects.filter(revoked_at__isnull=True).count(),
        tuple(WebhookEndpoint.objects.values_list("pk", "is_active").order_by("pk")),
        tuple(WebhookDelivery.objects.values_list("pk", "state", "attempts").order_by("pk")),
    )


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


ACTION = {
    "action": "resolve",
    "note": "Sudah ditangani.",
    "reason": "Bukan wewenang kami.",
    "agency": "1",
    "target_agency": "1",
    "active": "0",
}


@pytest.mark.parametrize("caller", ["anonymous", "citizen", "other_agency_officer"])
def test_no_url_shows_or_changes_another_agencys_confidential_report(client, cast, target, caller):
    report, numbers = target
    if caller == "citizen":
        assert client.login(username=cast.stranger.username, password=PASSWORD)
    elif caller == "other_agency_officer":
        assert client.login(username=cast.officer_b.username, password=PASSWORD)
    before = _state(report)
    seen = []
    for route, name in ROUTES:
        url = _url(route, name, report, numbers)
        if name == "accounts:logout":
            continue  # would end this caller's session for the URLs after it
        for method in ("get", "post"):
            if name.startswith("api-") and method == "post":
                response = getattr(client, method)(
                    url, json.dumps(ACTION), content_type="application/json"
                )
            else:
                response = getattr(client, method)(url, ACTION if method == "post" else None)
            body = _body(response)
            for secret in (SECRET_TITLE, SECRET_STORY, SECRET_NAME, SECRET_EMAIL, SECRET_NOTE):
                assert secret not in body, f"{caller} {method.upper()} {url} shows {secret!r}"
            allowed = name in PUBLIC or (caller != "anonymous" and name in OWN)
            if caller == "other_agency_officer" and name in OWN_STAFF:
                allowed = True
            if not allowed:
                # Refused: sent to sign in (pages), 401/403/404/405; never the content.
                assert response.status_code in (302, 401, 403, 404, 405), (
                    f"{caller} {method.upper()} {url}: {response.status_code}"
                )
                if response.status_code == 302:
                    assert "/akun/masuk/" in response["Location"], (caller, method, url)
            seen.append((method, url, response.status_code))
    assert _state(report) == before, f"{caller} changed something"
    # Every URL was tried both ways (the loop did not stop early).
    assert len(seen) == 2 * (len(ROUTES) - 1)
