"""The duplicate finder: in triage, on the citizen's form (public reports only), and its
word-overlap fallback for the SQLite mode."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints import duplicates
from complaints.models import Report, Status
from tests.factories import PASSWORD, file_report, published_report

ROAD = "Jalan Cihampelas berlubang besar di depan pasar"
ROAD_TEXT = "Lubang besar di jalan Cihampelas depan pasar sudah dua minggu, motor sering jatuh."


def _find(**kwargs):
    values = {"title": ROAD, "description": ROAD_TEXT, "province_id": "32", "regency_id": "3273"}
    values.update(kwargs)
    return duplicates.similar_open_reports(**values)


@pytest.mark.django_db
def test_finds_open_reports_of_the_province_with_similar_text():
    same = file_report(title="Jalan berlubang di Cihampelas depan pasar", description=ROAD_TEXT)
    other_regency = file_report(
        title="Jalan Cihampelas berlubang besar depan pasar",
        description=ROAD_TEXT,
        regency_id="3201",
    )
    unrelated = file_report(
        title="Pelayanan KTP-el lambat di kecamatan",
        description="Sudah tiga bulan KTP-el belum dicetak, petugas selalu bilang blangko habis.",
    )
    elsewhere = file_report(title=ROAD, description=ROAD_TEXT, province_id="35", regency_id="3578")
    found = dict(_find())
    assert same in found and other_regency in found
    assert unrelated not in found and elsewhere not in found
    assert all(0 < score <= 1 for score in found.values())
    # The same regency counts for more than the same words in another regency.
    ranked = [report for report, _ in _find()]
    assert ranked.index(same) < ranked.index(other_regency) or found[same] >= found[other_regency]


@pytest.mark.django_db
def test_closed_old_and_the_report_itself_are_not_duplicates(cast):
    itself = file_report(title=ROAD, description=ROAD_TEXT)
    rejected = file_report(title=ROAD, description=ROAD_TEXT)
    Report.objects.filter(pk=rejected.pk).update(status=Status.REJECTED)
    old = file_report(title=ROAD, description=ROAD_TEXT)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=200))
    open_one = file_report(title=ROAD, description=ROAD_TEXT)
    found = [report for report, _ in _find(exclude_id=itself.pk)]
    assert found == [open_one]


@pytest.mark.django_db
def test_public_only_never_offers_a_confidential_report():
    secret = file_report(title=ROAD, description=ROAD_TEXT, is_confidential=True)
    assert secret in dict(_find())  # triage sees it
    assert secret not in dict(_find(public_only=True))


@pytest.mark.django_db
def test_word_overlap_fallback_scores_like_the_trigram_one():
    same = file_report(title="Jalan berlubang di Cihampelas depan pasar", description=ROAD_TEXT)
    unrelated = file_report(
        title="Pelayanan KTP-el lambat di kecamatan",
        description="Sudah tiga bulan KTP-el belum dicetak, petugas selalu bilang blangko habis.",
    )
    scored = dict(duplicates._words(Report.objects.all(), ROAD, ROAD_TEXT))
    assert scored[same] > duplicates.MINIMUM > scored[unrelated]


@pytest.mark.django_db
def test_triage_shows_suggestion_and_duplicates_and_merges_with_one_press(client, cast):
    earlier = file_report(title="Jalan berlubang di Cihampelas depan pasar", description=ROAD_TEXT)
    report = file_report(title=ROAD, description=ROAD_TEXT)
    client.login(username=cast.national.username, password=PASSWORD)
    page = client.get(reverse("triage:detail", args=[report.tracking])).content.decode()
    assert "Saran kategori" in page
    assert "Infrastruktur" in page
    assert earlier.tracking in page and "Gabungkan ke laporan ini" in page
    response = client.post(
        reverse("triage:act", args=[report.tracking]),
        {"action": "merge", "version": report.version, "from": "triage", "into": earlier.tracking},
    )
    assert response.status_code in (200, 302)
    report.refresh_from_db()
    assert report.status == Status.MERGED and report.merged_into == earlier
    assert report.events.filter(action="merge").exists()


@pytest.mark.django_db
def test_form_assist_suggests_a_category_and_public_lookalikes_only():
    public = published_report(
        title="Jalan berlubang di Cihampelas depan pasar", description=ROAD_TEXT
    )
    secret = file_report(
        title="Jalan Cihampelas berlubang besar depan pasar",
        description=ROAD_TEXT,
        is_confidential=True,
    )
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("complaints:report-create"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("complaints:report-assist"),
        {
            "csrfmiddlewaretoken": token,
            "title": ROAD,
            "description": ROAD_TEXT,
            "province": "32",
            "regency": "3273",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="category-suggestions"' in html and "Infrastruktur" in html
    assert public.tracking in html
    assert secret.tracking not in html and "Jalan Cihampelas berlubang besar" not in html


@pytest.mark.django_db
def test_form_assist_refuses_a_cross_site_post_and_says_nothing_for_little_text():
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("complaints:report-assist"), {"title": ROAD}).status_code == 403
    assert client.get(reverse("complaints:report-assist")).status_code == 405
    response = Client().post(reverse("complaints:report-assist"), {"title": "jalan"})
    assert response.status_code == 200 and response.content.decode().strip() == ""
