"""An agency admin cannot make LAPOR post to the machines behind it (server-side request
forgery): in production a webhook must be https to a public address, checked when it is
registered and again before each delivery."""

import pytest

from integrations import urlsafety
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.services import webhook_endpoint_register
from integrations.webhooks import deliver_endpoint
from tests.factories import PASSWORD, dispatched_report

pytestmark = pytest.mark.django_db
URL = "/kerja/integrasi/"

INSIDE = [
    "http://sistem.bandung.go.id/lapor",  # not https
    "https://127.0.0.1/hook",
    "https://localhost:6379/",
    "https://[::1]/hook",
    "https://10.1.2.3/hook",
    "https://192.168.0.10/hook",
    "https://172.16.5.4/hook",
    "https://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
    "https://0.0.0.0/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://2130706433/hook",  # 127.0.0.1 written as one number
    "https://100.64.0.1/hook",  # carrier-grade NAT
]


@pytest.fixture
def production(settings):
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = False


@pytest.mark.parametrize("url", INSIDE)
def test_registering_an_inside_address_is_refused_with_a_message(
    client, cast, agency_a, production, url
):
    assert client.login(username=cast.admin_a.username, password=PASSWORD)
    page = client.post(URL, {"form": "webhook", "url": url, "agency": agency_a.pk})
    assert page.status_code == 400
    assert page.context["hook_form"].errors["url"]  # the reason, beside the field
    assert not WebhookEndpoint.objects.exists()
    with pytest.raises(urlsafety.UnsafeUrl):
        webhook_endpoint_register(agency=agency_a, url=url)
    assert not WebhookEndpoint.objects.exists()


def test_a_public_https_address_is_accepted(client, cast, agency_a, production):
    assert client.login(username=cast.admin_a.username, password=PASSWORD)
    page = client.post(
        URL, {"form": "webhook", "url": "https://93.184.216.34/lapor", "agency": agency_a.pk}
    )
    assert page.status_code == 200
    assert WebhookEndpoint.objects.get(agency=agency_a).url == "https://93.184.216.34/lapor"


def test_delivery_checks_the_address_again_and_sends_nothing_inside(
    cast, agency_a, receiver, settings
):
    # Registered while allowed (development), then the service runs as in production: the
    # delivery is refused before any connection, kept pending with the reason, not dropped.
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = True
    endpoint = webhook_endpoint_register(agency=agency_a, url=receiver.url)
    dispatched_report(agency_a, cast.national)
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = False
    deliver_endpoint(endpoint.pk)
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.state == WebhookDelivery.State.PENDING
    assert "https" in delivery.last_error
    # Allowed again (or the admin fixes the URL): the same delivery goes out.
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = True
    deliver_endpoint(endpoint.pk, now=delivery.next_attempt_at)
    assert len(receiver.received) == 1
