"""The SMS channel: the gateway's inbound webhook turns texts into reports and answers by SMS
through the outbox and the pluggable backend (locmem here)."""

import pytest

from complaints import sms as outbound
from complaints.models import Channel, Report
from complaints.services import report_transition
from complaints.tasks import outbox_flush
from integrations.models import SmsInbound
from integrations.sms import Ambiguous, match_region
from tests.factories import dispatched_report

pytestmark = pytest.mark.django_db

URL = "/api/v1/sms/inbound/"
PHONE = "+6281234567890"


def send(client, text, gateway_id, sender=PHONE, token="gateway-secret"):  # noqa: S107
    return client.post(
        URL,
        {"from": sender, "text": text, "id": gateway_id},
        HTTP_X_LAPOR_SMS_TOKEN=token,
    )


def replies():
    outbox_flush()
    return [body for to, body in outbound.outbox]


def test_lapor_with_a_city_files_a_report_and_answers_with_its_number(client):
    response = send(client, "LAPOR KOTA BANDUNG jalan rusak parah di depan pasar Kosambi", "g-1")
    assert response.status_code == 200
    tracking = response.json()["tracking"]
    report = Report.objects.get(tracking=tracking)
    assert report.channel == Channel.SMS
    assert (report.province_id, report.regency_id) == ("32", "3273")
    assert report.description == "jalan rusak parah di depan pasar Kosambi"
    assert report.reporter_phone == PHONE
    (reply,) = replies()
    assert tracking in reply and "STATUS" in reply
    assert outbound.outbox[0][0] == PHONE


def test_same_gateway_id_twice_is_one_report_and_one_reply(client):
    first = send(client, "LAPOR 3201 banjir setinggi lutut di perumahan kami", "g-1")
    again = send(client, "LAPOR 3201 banjir setinggi lutut di perumahan kami", "g-1")
    assert first.json() == again.json()
    assert Report.objects.filter(channel=Channel.SMS).count() == 1
    assert len(replies()) == 1


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("KOTA BANDUNG", ("32", "3273")),
        ("KAB BANDUNG", ("32", "3204")),
        ("BANDUNG BARAT", ("32", "3217")),
        ("BANDUNG", ("32", None)),  # a kabupaten and a kota: the province, triage decides
        ("JAWA BARAT", ("32", None)),
        ("3273", ("32", "3273")),
        ("KABUPATEN BOGOR", ("32", "3201")),
    ],
)
def test_region_names(words, expected):
    region, used = match_region([*words.split(), "JALAN", "RUSAK"])
    assert (region.province, region.regency) == expected
    assert used == len(words.split())


def test_unknown_region_is_none():
    assert match_region(["ATLANTIS", "JALAN"]) == (None, 0)


def test_a_name_in_two_provinces_is_asked_back():
    # "BARAT" alone is no regency; find a real cross-province name from the data instead.
    from integrations.sms import REGIONS

    index = REGIONS.get()["regencies"]
    shared = next(
        name for name, rows in index.items() if len({province for _c, province, _k in rows}) > 1
    )
    with pytest.raises(Ambiguous):
        match_region([*shared.split(), "RUSAK"])


def test_free_text_naming_its_city_is_a_report(client):
    response = send(client, "Tolong, lampu jalan di kota bandung mati semua sejak kemarin", "g-1")
    report = Report.objects.get(tracking=response.json()["tracking"])
    assert report.regency_id == "3273"


def test_free_text_without_a_region_waits_for_one(client):
    first = send(client, "Sampah menumpuk di pinggir sungai sudah dua minggu", "g-1")
    assert first.json()["state"] == "awaiting_region"
    assert first.json()["tracking"] is None
    assert not Report.objects.filter(channel=Channel.SMS).exists()
    second = send(client, "Kota Bandung", "g-2")
    report = Report.objects.get(tracking=second.json()["tracking"])
    assert report.description == "Sampah menumpuk di pinggir sungai sudah dua minggu"
    assert report.regency_id == "3273"
    assert SmsInbound.objects.get(gateway_id="g-1").state == "used"
    texts = replies()
    assert "wilayah" in texts[0] and report.tracking in texts[1]


def test_status_query(client, cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    response = send(client, f"STATUS {report.tracking.lower()}", "g-1")
    assert response.json()["state"] == "status"
    (reply,) = replies()
    assert report.tracking in reply and "Didisposisikan" in reply and agency_a.name in reply
    send(client, "STATUS LPR-00000-00000", "g-2")
    send(client, "STATUS bukan-nomor", "g-3")
    assert "tidak ditemukan" in replies()[1]


def test_too_short_or_empty_is_answered_with_help(client):
    send(client, "LAPOR KOTA BANDUNG rusak", "g-1")
    send(client, "halo", "g-2")
    assert not Report.objects.filter(channel=Channel.SMS).exists()
    assert all("LAPOR <kab/kota>" in text for text in replies())


def test_citizen_hears_the_agencys_answer_by_sms(client, cast, agency_a):
    response = send(client, "LAPOR KOTA BANDUNG jalan rusak parah di depan pasar Kosambi", "g-1")
    report = Report.objects.get(tracking=response.json()["tracking"])
    report_transition(report_id=report.pk, action="verify", actor=cast.national)
    report_transition(report_id=report.pk, action="dispatch", actor=cast.national, agency=agency_a)
    report_transition(
        report_id=report.pk, action="respond", actor=cast.officer_a, note="Kami perbaiki besok."
    )
    texts = replies()
    assert any("Kami perbaiki besok." in t for t in texts)


def test_wrong_or_missing_token_is_refused(client, settings):
    assert (
        send(client, "LAPOR 3273 jalan rusak parah sekali di sini", "g-1", token="x").status_code
        == 403
    )
    assert client.post(URL, {"from": PHONE, "text": "x", "id": "g-2"}).status_code == 403
    settings.LAPOR_SMS_INBOUND_TOKEN = ""
    assert send(client, "LAPOR 3273 jalan rusak parah sekali di sini", "g-3").status_code == 503
    assert not SmsInbound.objects.exists()


def test_malformed_sender_is_a_400(client):
    response = send(client, "LAPOR 3273 jalan rusak parah sekali", "g-1", sender="<script>")
    assert response.status_code == 400
    assert "from" in response.json()["errors"]


def test_console_backend_is_the_default(settings, capsys):
    settings.LAPOR_SMS_BACKEND = ""
    outbound.send_sms("+628111", "halo")
    assert "SMS to +628111: halo" in capsys.readouterr().out


def test_the_gateway_token_in_the_query_string_is_refused(client, settings):
    """The token goes in the header only: a query string lands in access logs (issue 14)."""
    settings.LAPOR_SMS_INBOUND_TOKEN = "gateway-secret"
    response = client.post(
        URL + "?token=gateway-secret",
        {"from": PHONE, "text": "LAPOR 3273 jalan rusak parah sekali", "id": "g-q"},
    )
    assert response.status_code == 403
    assert not SmsInbound.objects.filter(gateway_id="g-q").exists()


def test_the_request_log_never_carries_a_query_string(client, caplog):
    """Guest keys (?k=) and tokens never reach LAPOR's request log: it records the path."""
    import logging

    with caplog.at_level(logging.INFO, logger="lapor.request"):
        client.get("/lacak/LPR-XXXXX-XXXXX/?k=rahasia-tamu-123&token=rahasia-456")
    lines = [str(r.__dict__) for r in caplog.records if r.name == "lapor.request"]
    assert lines
    assert not any("rahasia" in line for line in lines)
