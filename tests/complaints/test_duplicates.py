"""The duplicate finder: what it compares (the problem, not the place), what it never offers
(closed, old, other regencies, confidential reports on citizens' pages, other categories), its
query count, and where it is shown (triage and the citizen's form)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints import duplicates
from complaints.models import Report, Status
from routing.models import Category
from tests.factories import PASSWORD, file_report, published_report

ROAD = "Jalan Cihampelas berlubang besar di depan pasar"
ROAD_TEXT = "Lubang besar di jalan Cihampelas depan pasar sudah dua minggu, motor sering jatuh."
SLANG = "jln cihampelas ancur", "aspal di cihampelas udh ancur bgt, bolong2 gede, motor jatoh"
VENDORS = (
    "PKL menutup trotoar Cihampelas",
    "Pedagang kaki lima berjualan di atas trotoar Jalan Cihampelas depan pasar.",
)


def _find(**kwargs):
    values = {"text": f"{ROAD}\n{ROAD_TEXT}", "regency": "3273", "public_only": False}
    values.update(kwargs)
    return duplicates.similar_reports(**values)


@pytest.mark.django_db
def test_finds_the_same_problem_told_differently_not_another_problem_of_the_street():
    same = file_report(title=SLANG[0], description=SLANG[1])
    file_report(title=VENDORS[0], description=VENDORS[1])
    other_regency = file_report(title=ROAD, description=ROAD_TEXT, regency_id="3201")
    elsewhere = file_report(title=ROAD, description=ROAD_TEXT, province_id="35", regency_id="3578")
    found = dict(_find())
    assert list(found) == [same]
    assert 0 < found[same] <= 1
    # the street's name, shared by both, is not what makes a duplicate
    scores = duplicates.score_texts(
        f"{ROAD}\n{ROAD_TEXT}", [f"{SLANG[0]}\n{SLANG[1]}", "\n".join(VENDORS)]
    )
    assert scores[0] >= duplicates.MINIMUM > scores[1]
    assert other_regency not in found and elsewhere not in found


def test_place_names_and_stop_words_are_not_compared():
    places = frozenset({"coblong"})
    kept = [
        w
        for w, _ in duplicates.words(
            "udh 3 bln rekam e-ktp di Kecamatan Coblong RT 05 RW 07, Jl. Dipatiukur", places
        )
    ]
    assert "coblong" not in kept and "dipatiukur" not in kept and "05" not in kept
    assert "sudah" not in kept and "di" not in kept
    assert "ktp" in kept and "rekam" in kept and "jalan" in kept


@pytest.mark.django_db
def test_closed_old_and_the_report_itself_are_not_duplicates():
    itself = file_report(title=ROAD, description=ROAD_TEXT)
    rejected = file_report(title=ROAD, description=ROAD_TEXT)
    Report.objects.filter(pk=rejected.pk).update(status=Status.REJECTED)
    old = file_report(title=ROAD, description=ROAD_TEXT)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=181))
    open_one = file_report(title=ROAD, description=ROAD_TEXT)
    found = [report for report, _ in _find(exclude_id=itself.pk)]
    assert found == [open_one]


@pytest.mark.django_db
def test_public_only_never_offers_a_confidential_report():
    secret = file_report(title=ROAD, description=ROAD_TEXT, is_confidential=True)
    assert secret in dict(_find())  # triage sees it
    assert secret not in dict(_find(public_only=True))


@pytest.mark.django_db
def test_a_known_category_keeps_to_reports_of_that_category_or_none_yet():
    roads = Category.objects.get(code="infrastruktur")
    water = Category.objects.get(code="air-bersih")
    same = file_report(title=ROAD, description=ROAD_TEXT, category_id=roads.pk)
    unknown = file_report(title=ROAD, description=ROAD_TEXT)
    other = file_report(title=ROAD, description=ROAD_TEXT, category_id=water.pk)
    found = dict(_find(category=roads.pk))
    assert same in found and unknown in found and other not in found
    assert dict(_find(category="infrastruktur")).keys() == found.keys()
    assert other in dict(_find())


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_number_of_reports():
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _find()
        return len(queries)

    file_report(title=ROAD, description=ROAD_TEXT)
    count()  # the place names are read once per process
    few = count()
    for n in range(30):
        file_report(title=f"{ROAD} {n}", description=ROAD_TEXT)
    assert count() == few == 1


def test_nothing_for_no_regency_or_too_little_text():
    assert duplicates.similar_reports(text=ROAD, regency=None, public_only=True) == []
    assert duplicates.similar_reports(text="jalan", regency="3273", public_only=True) == []


@pytest.mark.django_db
def test_triage_shows_suggestion_and_duplicates(client, cast):
    earlier = file_report(title=SLANG[0], description=SLANG[1])
    report = file_report(title=ROAD, description=ROAD_TEXT)
    client.login(username=cast.national.username, password=PASSWORD)
    page = client.get(reverse("triage:detail", args=[report.tracking])).content.decode()
    assert "Saran kategori" in page
    assert "Infrastruktur" in page
    assert earlier.tracking in page and "Gabungkan ke laporan ini" in page


@pytest.mark.django_db
def test_form_assist_suggests_a_category_and_public_lookalikes_only():
    public = published_report(title=SLANG[0], description=SLANG[1])
    unpublished = file_report(title=SLANG[0], description=SLANG[1])
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
            "category": "not-a-category" * 10,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="category-suggestions"' in html and "Infrastruktur" in html
    assert public.tracking in html and unpublished.tracking not in html
    assert secret.tracking not in html and "Jalan Cihampelas berlubang besar" not in html


@pytest.mark.django_db
def test_form_assist_refuses_a_cross_site_post_and_says_nothing_for_little_text():
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("complaints:report-assist"), {"title": ROAD}).status_code == 403
    assert client.get(reverse("complaints:report-assist")).status_code == 405
    response = Client().post(reverse("complaints:report-assist"), {"title": "jalan"})
    assert response.status_code == 200 and response.content.decode().strip() == ""
