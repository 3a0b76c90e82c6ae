"""LAPOR to LAPOR, the provincial instance's side in one process (integrations.federation):
its door for national webhooks (signature, once per event, what it mirrors), and the calls it
owes national after a local change (and the ones it must not owe: no echo, no ping-pong).
Both instances live are tests/integrations/test_federation_live.py."""

import json
import time

import pytest
from rest_framework.test import APIClient

from agencies.models import Agency, Role, User
from agencies.services import role_grant
from complaints.models import Report
from complaints.services import report_transition
from integrations.models import FederationLink, FederationPush, FederationReceived
from integrations.serializers import AgencyReportSerializer
from integrations.webhooks import sign
from tests.factories import dispatched_report, file_report

pytestmark = pytest.mark.django_db

SECRET = "whsec_federation-test"
URL = "/api/v1/federation/inbound/"


@pytest.fixture
def province(settings):
    settings.LAPOR_FEDERATION_UPSTREAM = "http://127.0.0.1:9/api/v1"  # nothing listens
    settings.LAPOR_FEDERATION_KEY = "lk_national-key-for-the-province"
    settings.LAPOR_FEDERATION_SECRET = SECRET
    settings.LAPOR_FEDERATION_AGENCY = "pemprov-32"
    return Agency.objects.get(slug="pemprov-32")


def national_payload(cast, province, event_id=9001, event="dispatched", action="dispatch"):
    """A national 'dispatched' webhook for a report held by the province (its shape from the
    serializer national uses), under a national tracking number this database does not have."""
    source = dispatched_report(province, cast.national)
    report = AgencyReportSerializer(source, context={"view": lambda r: _holder(r)}).data
    report = json.loads(json.dumps(report, default=str))
    report.update(tracking=f"LPR-NAT-{event_id}", external_id=None)
    return {
        "id": event_id,
        "event": event,
        "action": action,
        "note": "Kewenangan provinsi",
        "report": report,
    }


def _holder(report):
    from complaints.audiences import Audience, view_for

    return view_for(report, Audience.HOLDER)


def post(payload, secret=SECRET):
    body = json.dumps(payload).encode()
    return APIClient().post(
        URL,
        body,
        content_type="application/json",
        HTTP_X_LAPOR_SIGNATURE=sign(secret, int(time.time()), body),
    )


def test_the_door_is_shut_unless_connected_and_checks_the_signature(cast, settings, province):
    payload = national_payload(cast, province)
    settings.LAPOR_FEDERATION_SECRET = ""
    assert post(payload, "").status_code == 404
    settings.LAPOR_FEDERATION_SECRET = SECRET
    assert post(payload, "whsec_someone-else").status_code == 403
    unsigned = APIClient().post(URL, json.dumps(payload), content_type="application/json")
    assert unsigned.status_code == 403
    assert post({"id": "x"}).status_code == 400
    assert not FederationLink.objects.exists() and not FederationReceived.objects.exists()


def test_a_national_dispatch_is_mirrored_once_and_its_number_sent_back(cast, province):
    before = Report.objects.count()
    payload = national_payload(cast, province)
    answer = post(payload)
    assert answer.status_code == 200 and answer.json() == {"outcome": "applied"}
    link = FederationLink.objects.get(upstream_tracking="LPR-NAT-9001")
    mirror = link.report
    assert link.origin == "upstream" and mirror.status == "dispatched"
    assert mirror.agency == province and mirror.title == payload["report"]["title"]
    # The citizen hears from national: the mirror keeps no contact of theirs.
    assert mirror.reporter_email == "" and mirror.reporter_phone == ""
    (owed,) = FederationPush.objects.all()
    assert (owed.op, owed.body) == ("link", {"external_id": mirror.tracking})
    # A replay (national sends an event again after a lost answer) changes nothing.
    assert post(payload).json() == {"outcome": "duplicate"}
    assert Report.objects.count() == before + 2  # the source of the payload and its mirror
    assert FederationPush.objects.count() == 1


def test_officers_steps_on_a_mirror_are_owed_to_national_but_not_nationals_echo(cast, province):
    post(national_payload(cast, province))
    mirror = FederationLink.objects.get(upstream_tracking="LPR-NAT-9001").report
    officer = User.objects.create(username="officer-jabar")
    role_grant(user=officer, kind=Role.Kind.OFFICER, agency=province)
    report_transition(report_id=mirror.pk, action="respond", actor=officer, note="Kami cek")
    owed = FederationPush.objects.get(op="action")
    assert owed.body == {"action": "respond", "note": "Kami cek"}
    # National records it and tells the province, the holder: that echo is not applied again.
    echo = national_payload(cast, province, event_id=9002, event="responded", action="respond")
    echo["report"]["tracking"] = "LPR-NAT-9001"
    assert post(echo).json() == {"outcome": "ignored"}
    mirror.refresh_from_db()
    assert mirror.status == "in_progress"
    assert FederationPush.objects.filter(op="action").count() == 1
    # The citizen's acceptance at national is applied to the mirror (after the resolution),
    # and applying it owes national nothing.
    report_transition(report_id=mirror.pk, action="resolve", actor=officer, note="Beres")
    accepted = national_payload(cast, province, event_id=9003, event="accepted", action="accept")
    accepted["report"].update(tracking="LPR-NAT-9001", rating=4)
    assert post(accepted).json() == {"outcome": "applied"}
    mirror.refresh_from_db()
    assert (mirror.status, mirror.rating) == ("closed", 4)
    assert FederationPush.objects.filter(op="citizen").count() == 0


def test_a_report_filed_here_for_a_ministry_goes_up_and_comes_home_once(cast, province):
    report = file_report(is_anonymous=True)
    report_transition(report_id=report.pk, action="verify", actor=cast.national)
    ministry = Agency.objects.get(slug="kemenkes")
    report_transition(report_id=report.pk, action="dispatch", actor=cast.national, agency=ministry)
    (owed,) = FederationPush.objects.filter(op="file")
    assert owed.body["external_id"] == report.tracking
    # An anonymous reporter: no name and no contact go up.
    assert not {"reporter_name", "reporter_email", "reporter_phone"} & set(owed.body)
    FederationLink.objects.filter(report=report).update(upstream_tracking="LPR-NAT-7")
    # National triage gives it to the province after all: the same report comes home.
    back = national_payload(cast, province, event_id=9010)
    back["report"].update(tracking="LPR-NAT-7", external_id=report.tracking)
    assert post(back).json() == {"outcome": "applied"}
    report.refresh_from_db()
    assert report.agency == province
    assert FederationLink.objects.count() == 1  # no mirror of it, nothing owed for the move
    assert FederationPush.objects.count() == 1
    # National's dispatch of another report sent up, to the ministry: not the province's.
    elsewhere = national_payload(cast, province, event_id=9011)
    elsewhere["report"].update(tracking="LPR-NAT-8", agency={"id": 1, "slug": "kemenkes"})
    assert post(elsewhere).json() == {"outcome": "ignored"}
    assert FederationLink.objects.count() == 1
