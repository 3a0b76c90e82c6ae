"""POST /api/v1/routing/preview: the answer's shape, the question where the text does not
settle the matter, 400s in the API's error format, the rate limit, and "similar" showing
public open reports only."""

import pytest
from django.core.cache import cache

from complaints.models import Report
from complaints.services import report_transition
from tests.factories import file_report

from .conftest import api

pytestmark = pytest.mark.django_db

URL = "/api/v1/routing/preview"
SMA = {
    "title": "Pungutan seragam di SMAN 5 Bandung",
    "description": "SMA negeri tempat anak saya sekolah mewajibkan membeli seragam dan buku "
    "di koperasi sekolah seharga 2 juta rupiah.",
    "kind": "complaint",
    "province": "32",
    "regency": "3273",
}


def preview(body, **headers):
    return api().post(URL, body, format="json", **headers)


def test_an_sma_goes_to_the_provinces_education_office_and_says_why():
    response = preview(SMA)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "category",
        "categories",
        "matter",
        "question",
        "agency",
        "rule",
        "explanation",
        "similar",
    }
    assert body["category"]["code"] == "pendidikan"
    assert 0 < body["category"]["score"] <= 1
    assert len(body["categories"]) == 3
    scores = [c["score"] for c in body["categories"]]
    assert scores == sorted(scores, reverse=True)
    assert body["matter"]["code"] == "sma-smk-slb"
    assert body["question"] is None  # "SMA" settles it
    agency = body["agency"]
    assert "Provinsi Jawa Barat" in agency["name"] and "Pendidikan" in agency["name"]
    assert agency["path"][0] == "Pemerintah Provinsi Jawa Barat"
    assert agency["path"][-1] == agency["name"]
    assert body["rule"]["id"] and body["rule"]["legal_basis"]
    assert body["explanation"].startswith(f"Laporan Anda akan diteruskan ke {agency['name']}")
    assert "provinsi" in body["explanation"]


def test_a_road_of_unknown_status_asks_and_the_answer_changes_the_agency():
    road = {
        **SMA,
        "title": "Jalan rusak berlubang",
        "description": "Jalan menuju pasar Cibadak rusak berat dan berlubang besar, sering ada "
        "motor jatuh saat hujan.",
        "regency": "3202",
    }
    body = preview(road).json()
    assert body["category"]["code"] == "infrastruktur"
    question = body["question"]
    assert question["text"] == "Jalan ini jalan apa?"
    choices = [c["matter"] for c in question["choices"]]
    assert choices == [
        "jalan-nasional",
        "jalan-provinsi",
        "jalan-kabupaten-kota",
        "jalan-tol",
        "tidak-tahu",
    ]
    # Unanswered, it goes to the most likely holder: the regency.
    assert body["matter"]["code"] == "jalan-kabupaten-kota"
    assert "Sukabumi" in body["agency"]["name"]
    answered = preview({**road, "matter": "jalan-provinsi"}).json()
    assert answered["matter"]["code"] == "jalan-provinsi"
    assert answered["question"] is None
    assert "Provinsi Jawa Barat" in " ".join(answered["agency"]["path"])
    unknown = preview({**road, "matter": "tidak-tahu"}).json()
    assert unknown["matter"]["code"] == "jalan-kabupaten-kota"
    assert unknown["question"] is None


def test_the_citizens_category_wins_over_the_classifier():
    body = preview({**SMA, "category": "korupsi-pungli"}).json()
    assert body["category"]["code"] == "korupsi-pungli"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"province": "99"}, "province"),
        ({"regency": "3578"}, "regency"),  # Surabaya is not in Jawa Barat
        ({"kind": "keluhan"}, "kind"),
        ({"category": "tidak-ada"}, "category"),
        ({"matter": "jalan-bulan"}, "matter"),
        ({"title": "", "description": "rusak"}, "description"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_input_is_a_400_in_the_apis_error_format(change, field):
    response = preview({**SMA, **change})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]


def test_missing_fields_and_a_body_that_is_not_json_are_400s():
    response = preview({"title": "Jalan"})
    assert response.status_code == 400
    assert {"description", "kind", "province"} <= set(response.json()["errors"])
    raw = api().post(URL, "{not json", content_type="application/json")
    assert raw.status_code == 400
    assert raw.json()["code"] == "parse_error"


def test_the_preview_is_rate_limited_per_address(settings):
    cache.clear()
    settings.LAPOR_RATE_LIMITS = {**settings.LAPOR_RATE_LIMITS, "preview": (2, 60)}
    assert preview(SMA).status_code == 200
    assert preview(SMA).status_code == 200
    refused = preview(SMA)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0


def test_similar_lists_public_open_reports_only(cast):
    text = {
        "title": "Pungutan seragam SMAN 5 Bandung",
        "description": SMA["description"],
        "province_id": "32",
        "regency_id": "3273",
    }
    public = file_report(**text)
    report_transition(report_id=public.pk, action="verify", actor=cast.national)
    unverified = file_report(**{**text, "title": "Pungutan seragam SMAN 5, belum diverifikasi"})
    secret = file_report(
        **{**text, "title": "Pungutan seragam SMAN 5 Bandung, rahasia"}, is_confidential=True
    )
    rejected = file_report(**text)
    report_transition(
        report_id=rejected.pk, action="reject", actor=cast.national, note="Bukan pengaduan."
    )
    body = preview(SMA).json()
    numbers = [s["tracking_number"] for s in body["similar"]]
    assert public.tracking in numbers
    assert secret.tracking not in numbers and rejected.tracking not in numbers
    assert unverified.tracking not in numbers
    assert secret.title not in str(body)
    entry = next(s for s in body["similar"] if s["tracking_number"] == public.tracking)
    assert entry["title"] == public.title and 0 < entry["score"] <= 1
    assert Report.objects.count() == 4  # a preview files nothing


def test_the_endpoint_is_in_the_schema():
    schema = api().get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/routing/preview"]["post"]
    assert {"200", "400", "429"} <= set(operation["responses"])
