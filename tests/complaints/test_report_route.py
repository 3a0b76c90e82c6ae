"""The report form's routing preview: "Lihat tujuan" without JavaScript re-renders the form as
typed with where the report will go and why; the one question where the text does not settle
the matter; the answer and the named agency kept on the report; the htmx fragment."""

import pytest
from django.urls import reverse

from agencies.models import Agency
from complaints.models import Report
from complaints.services import report_verify_and_route

pytestmark = pytest.mark.django_db

ROAD = {
    "kind": "complaint",
    "title": "Jalan rusak berlubang",
    "description": "Jalan menuju pasar Cibadak rusak berat dan berlubang besar, sering ada motor "
    "jatuh saat hujan.",
    "province": "32",
    "regency": "3202",
    "reporter_name": "Siti Aminah",
    "reporter_email": "siti@example.id",
}
URL = reverse("complaints:report-create")


def test_lihat_tujuan_shows_the_agency_and_the_question_and_keeps_what_was_typed(client):
    response = client.post(URL, {**ROAD, "preview": "1", "address": "Jl. Siliwangi 3"})
    assert response.status_code == 200
    page = response.content.decode()
    assert Report.objects.count() == 0
    assert 'data-testid="route-explanation"' in page
    assert "Laporan Anda akan diteruskan ke" in page and "Sukabumi" in page
    assert "Jalan ini jalan apa?" in page
    assert 'name="matter" id="id_matter_4" value="tidak-tahu"' in page
    assert "Jl. Siliwangi 3" in page and "Cibadak" in page  # kept as typed
    assert 'role="alert"' not in page  # no errors while the citizen only looks


def test_the_answer_changes_the_preview_and_is_kept_checked(client):
    response = client.post(URL, {**ROAD, "preview": "1", "matter": "jalan-nasional"})
    page = response.content.decode()
    assert 'value="jalan-nasional" checked' in page
    assert "Pemerintah Kabupaten Sukabumi" not in page.split('data-testid="route-path"')[-1][:300]
    assert "urusan pemerintah pusat" in page


def test_filing_keeps_the_answer_and_the_named_agency(client, cast):
    named = Agency.objects.get(slug="pemkab-3201")  # Kabupaten Bogor, not the rules' choice
    response = client.post(
        URL, {**ROAD, "matter": "jalan-provinsi", "requested_agency": named.slug}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.objects.get()
    assert report.matter.code == "jalan-provinsi"
    assert report.requested_agency == named
    routed = report_verify_and_route(report_id=report.pk, actor=cast.national)
    assert routed.agency == named
    assert "Pelapor memilih instansi ini" in routed.routing_explanation


def test_tidak_tahu_files_with_the_most_likely_holder(client):
    assert client.post(URL, {**ROAD, "matter": "tidak-tahu"}).status_code == 302
    assert Report.objects.get().matter.code == "jalan-kabupaten-kota"


def test_a_matter_or_agency_not_offered_is_an_error_beside_the_field(client):
    response = client.post(URL, {**ROAD, "matter": "jalan-bulan", "requested_agency": "nope"})
    assert response.status_code == 400  # the form again, each error beside its field
    page = response.content.decode()
    assert "Pilih salah satu jawaban yang tersedia." in page
    assert "Instansi ini tidak dikenal. Pilih dari daftar." in page
    assert Report.objects.count() == 0


def test_the_fragment_for_htmx_answers_with_the_preview_only(client):
    response = client.post(reverse("complaints:report-route"), ROAD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Jalan ini jalan apa?" in page and "<form" not in page
    assert 'id="id_requested_agency"' in page
    # Too little text, or no province: nothing to say yet.
    empty = client.post(reverse("complaints:report-route"), {"title": "Jalan", "province": "32"})
    assert empty.status_code == 200 and "route-explanation" not in empty.content.decode()


def test_the_preview_is_rate_limited(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.LAPOR_RATE_LIMITS = {**settings.LAPOR_RATE_LIMITS, "preview": (1, 60)}
    assert client.post(reverse("complaints:report-route"), ROAD).status_code == 200
    assert client.post(reverse("complaints:report-route"), ROAD).status_code == 429
    assert client.post(URL, {**ROAD, "preview": "1"}).status_code == 429
