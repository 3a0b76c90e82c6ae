"""SP4N-LAPOR!'s follow-up percentage (persentase tindak lanjut), checked against SP4N's own
regional review of Sumatera Selatan: "935 laporan ... persentase penyelesaiannya sebesar 53,7
persen (503 laporan), sebanyak 437 laporan berstatus selesai dan 66 laporan sedang dalam
proses" (shared/data, seeds). The reports are filed and moved through the services; the other
432 sit in every other state, unverified included, and count as received, not followed up."""

from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.models import Agency
from monitoring.selectors import Range, band_for, bands, indicators_by
from tests.factories import PASSWORD
from tests.monitoring.sp4n import file_states

pytestmark = pytest.mark.django_db

SUMSEL = {
    "submitted": 150,  # waiting for verification: received, not followed up
    "needs_info": 30,
    "verified": 40,
    "dispatched": 150,
    "rejected": 50,
    "merged": 12,
    "in_progress": 66,
    "resolved": 300,
    "closed": 137,
}
# A made-up second province with other proportions: (5 + 2 + 6) / 30 = 43.33 %.
MALUT = {
    "submitted": 10,
    "dispatched": 4,
    "rejected": 3,
    "in_progress": 6,
    "resolved": 5,
    "closed": 2,
}


@pytest.fixture
def provinces(cast):
    sumsel = [Agency.objects.get(slug=s) for s in ("pemprov-16", "pemkot-1671", "kemenkes")]
    malut = [Agency.objects.get(slug="pemprov-82")]
    file_states(SUMSEL, province="16", agencies=sumsel, national=cast.national)
    file_states(MALUT, province="82", agencies=malut, national=cast.national)
    return cast


def test_sumsel_reads_53_7_and_malut_43_3_on_every_page_and_the_api(client, provinces):
    assert sum(SUMSEL.values()) == 935
    rows = indicators_by(grain="P", by="province", period=Range.this_year())
    sumsel, malut = rows["16"], rows["82"]
    assert (sumsel.received, sumsel.finished, sumsel.in_process) == (935, 437, 66)
    assert str(sumsel.follow_up_percent) == "53.7"  # 503 / 935 = 53.797 %, cut as SP4N does
    assert (malut.received, malut.followed_up_total) == (30, 13)
    assert str(malut.follow_up_percent) == "43.3"

    assert client.login(username=provinces.national.username, password=PASSWORD)
    page = client.get(reverse("monitoring:province", args=["16"]))
    assert page.context["whole"]["show"]["follow_up_percent"] == "53,7%"
    html = page.content.decode()
    headline = html[html.index('data-testid="figure-follow-up"') :].split("</dd>", 1)[0]
    assert "53,7%" in headline
    malut_page = client.get(reverse("monitoring:province", args=["82"]))
    assert malut_page.context["whole"]["show"]["follow_up_percent"] == "43,3%"

    national = client.get(reverse("monitoring:national"))
    by_code = {r["key"]: r for r in national.context["table"]["rows"]}
    assert by_code["16"]["values"]["follow_up_percent"] == Decimal("53.7")
    follow_up_column = [h["key"] for h in national.context["table"]["heads"]].index(
        "follow_up_percent"
    )
    assert by_code["16"]["cells"][follow_up_column - 1] == "53,7%"
    assert by_code["82"]["cells"][follow_up_column - 1] == "43,3%"

    client.logout()
    public = client.get(reverse("statistik"))
    by_code = {r["key"]: r for r in public.context["table"]["rows"]}
    assert by_code["16"]["cells"][0:2] == ["935", "53,7%"]
    assert by_code["82"]["cells"][0:2] == ["30", "43,3%"]

    api = client.get(reverse("api-province-indicators")).json()
    by_code = {p["province"]: p for p in api["provinces"]}
    assert by_code["16"]["follow_up_percent"] == 53.7
    assert (by_code["16"]["finished"], by_code["16"]["in_process"]) == (437, 66)
    assert by_code["16"]["follow_up_rate"] == pytest.approx(503 / 935)
    assert by_code["82"]["follow_up_percent"] == 43.3


def test_leaving_reports_unverified_lowers_the_figure_and_the_grade(cast):
    """The same agency work, with the other reports left unverified or dispatched and
    unanswered, gives the same follow-up percentage and the same grade."""
    palembang = [Agency.objects.get(slug="pemkot-1671")]
    ternate = [Agency.objects.get(slug="pemprov-82")]
    # Follow-up 18 / 20 = 90 %; finished over dispatched would be 15 / 18 = 83 % ("Baik")
    # with the other two unverified and 15 / 20 = 75 % ("Cukup") with them dispatched.
    work = {"in_progress": 3, "resolved": 15}
    file_states({"submitted": 2, **work}, province="16", agencies=palembang, national=cast.national)
    file_states({"dispatched": 2, **work}, province="82", agencies=ternate, national=cast.national)
    rows = indicators_by(grain="P", by="province", period=Range.this_year())
    unverified, unanswered = rows["16"], rows["82"]
    assert unverified.follow_up_rate == unanswered.follow_up_rate == 18 / 20
    assert band_for(unverified, bands()) == band_for(unanswered, bands()) == "fair"
