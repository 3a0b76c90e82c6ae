"""Who may read and who may act, for every role against every staff and citizen page, as one
table. Unseen is 404, seen but not allowed is 403, not signed in is a redirect to sign in."""

import pytest
from django.urls import reverse

from complaints.models import ReportEvent
from tests.factories import PASSWORD, attach_photo, dispatched_report

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "reporter",
    "stranger",
    "officer_a",
    "officer_b",
    "admin_a",
    "supervisor",
    "national",
    "ombudsman",
]

# (name, method, url, data) -> {role: status}; the report belongs to agency A (Kota Bandung,
# Jawa Barat) and was filed by "reporter".
D = 302  # redirect (to sign in, or back to the report after an action)
MATRIX = {
    "inbox": (
        "get",
        "workspace:inbox",
        None,
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=200,
            officer_b=200,
            admin_a=200,
            supervisor=200,
            national=200,
            ombudsman=200,
        ),
    ),
    "report in workspace": (
        "get",
        "workspace:detail",
        None,
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=200,
            officer_b=404,
            admin_a=200,
            supervisor=200,
            national=200,
            ombudsman=404,
        ),
    ),
    "respond": (
        "post",
        "workspace:act",
        {"action": "respond", "note": "Kami tindak lanjuti"},
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=D,
            officer_b=404,
            admin_a=D,
            supervisor=403,
            national=403,
            ombudsman=404,
        ),
    ),
    "internal note": (
        "post",
        "workspace:act",
        {"action": "note", "note": "catatan"},
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=D,
            officer_b=404,
            admin_a=D,
            supervisor=403,
            national=D,
            ombudsman=404,
        ),
    ),
    "export": (
        "get",
        "workspace:export",
        None,
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=200,
            officer_b=200,
            admin_a=200,
            supervisor=200,
            national=200,
            ombudsman=200,
        ),
    ),
    "triage queue": (
        "get",
        "triage:queue",
        None,
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=403,
            officer_b=403,
            admin_a=403,
            supervisor=403,
            national=200,
            ombudsman=403,
        ),
    ),
    "report in triage": (
        "get",
        "triage:detail",
        None,
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=403,
            officer_b=403,
            admin_a=403,
            supervisor=403,
            national=200,
            ombudsman=403,
        ),
    ),
    "attachment": (
        "get",
        "complaints:attachment",
        None,
        dict(
            anonymous=404,
            reporter=200,
            stranger=404,
            officer_a=200,
            officer_b=404,
            admin_a=200,
            supervisor=200,
            national=200,
            ombudsman=404,
        ),
    ),
    "manage officers": (
        "get",
        "manage:home",
        None,
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=403,
            officer_b=403,
            admin_a=200,
            supervisor=403,
            national=403,
            ombudsman=403,
        ),
    ),
    "routing rules": (
        "get",
        "rules:list",
        None,
        dict(
            anonymous=D,
            reporter=403,
            stranger=403,
            officer_a=403,
            officer_b=403,
            admin_a=403,
            supervisor=403,
            national=200,
            ombudsman=403,
        ),
    ),
    "my reports": (
        "get",
        "complaints:my-reports",
        None,
        dict(
            anonymous=D,
            reporter=200,
            stranger=200,
            officer_a=200,
            officer_b=200,
            admin_a=200,
            supervisor=200,
            national=200,
            ombudsman=200,
        ),
    ),
    "reporter reply": (
        "post",
        "complaints:track-detail",
        {"action": "reply", "note": "Terima kasih"},
        dict(
            anonymous=403,
            reporter=D,
            stranger=403,
            officer_a=403,
            officer_b=403,
            admin_a=403,
            supervisor=403,
            national=403,
            ombudsman=403,
        ),
    ),
}


def _pantau(path):
    """A dashboard URL, from the report of the world (its agency) when it needs one."""
    return lambda report: path.format(agency=report.owner_agency_id, kemenkes=_kemenkes())


def _kemenkes():
    from agencies.models import Agency

    return Agency.objects.get(slug="kemenkes").pk


NOBODY_ELSE = dict(anonymous=D, reporter=403, stranger=403, officer_a=403, officer_b=403)
MATRIX.update(
    {
        "national dashboard": (
            "get",
            _pantau("/pantau/"),
            None,
            # A supervisor is sent on to their own province.
            dict(**NOBODY_ELSE, admin_a=403, supervisor=D, national=200, ombudsman=200),
        ),
        "own province dashboard": (
            "get",
            _pantau("/pantau/provinsi/32/?format=csv"),
            None,
            dict(**NOBODY_ELSE, admin_a=403, supervisor=200, national=200, ombudsman=200),
        ),
        "other province dashboard": (
            "get",
            _pantau("/pantau/provinsi/35/"),
            None,
            dict(**NOBODY_ELSE, admin_a=403, supervisor=403, national=200, ombudsman=200),
        ),
        "own agency dashboard": (
            "get",
            _pantau("/pantau/instansi/{agency}/?format=csv"),
            None,
            dict(**NOBODY_ELSE, admin_a=200, supervisor=200, national=200, ombudsman=200),
        ),
        "ministry dashboard": (
            "get",
            _pantau("/pantau/instansi/{kemenkes}/"),
            None,
            dict(**NOBODY_ELSE, admin_a=403, supervisor=403, national=200, ombudsman=200),
        ),
        "rankings": (
            "get",
            _pantau("/pantau/peringkat/?tingkat=pusat"),
            None,
            dict(**NOBODY_ELSE, admin_a=403, supervisor=200, national=200, ombudsman=200),
        ),
        "public statistics": (
            "get",
            _pantau("/statistik/"),
            None,
            {role: 200 for role in ROLES},
        ),
    }
)

CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.fixture
def world(cast, agency_a):
    report = dispatched_report(agency_a, cast.national, reporter_name="Pemilik Laporan")
    report.reporter = cast.citizen
    report.save(update_fields=["reporter"])
    attachment = attach_photo(report)
    users = {
        "reporter": cast.citizen,
        "stranger": cast.stranger,
        "officer_a": cast.officer_a,
        "officer_b": cast.officer_b,
        "admin_a": cast.admin_a,
        "supervisor": cast.supervisor,
        "national": cast.national,
        "ombudsman": cast.ombudsman,
    }
    return report, attachment, users


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_access(client, world, name, role):
    report, attachment, users = world
    method, url_name, data, expected = MATRIX[name]
    if role != "anonymous":
        assert client.login(username=users[role].username, password=PASSWORD)
    if callable(url_name):
        url = url_name(report)
    elif url_name in (
        "workspace:detail",
        "workspace:act",
        "triage:detail",
        "complaints:track-detail",
    ):
        url = reverse(url_name, args=[report.tracking])
    elif url_name == "complaints:attachment":
        url = reverse(url_name, args=[attachment.pk])
    else:
        url = reverse(url_name)
    events = ReportEvent.objects.filter(report=report).count()
    response = getattr(client, method)(url, data or {})
    assert response.status_code == expected[role]
    if method == "post":
        changed = ReportEvent.objects.filter(report=report).count() - events
        acted = expected[role] == D and role != "anonymous"  # anonymous: sent to sign in
        assert changed == (1 if acted else 0)
        if role == "anonymous" and expected[role] == D:
            assert "/akun/masuk/" in response["Location"]
