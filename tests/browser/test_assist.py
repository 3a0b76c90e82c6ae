"""The form's help in a real browser: as the citizen writes, a category is suggested (one
press fills the select) and open public reports that look the same are offered."""

import pytest
from playwright.sync_api import expect

from routing.models import Category
from tests.factories import published_report

pytestmark = pytest.mark.browser


def test_the_form_suggests_a_category_and_shows_a_lookalike(page, live_server):
    earlier = published_report(
        title="Air PDAM tidak mengalir di Perumahan Antapani",
        description="Sudah seminggu air PDAM tidak keluar di Perumahan Antapani, tagihan tetap.",
    )
    page.goto(live_server.url + "/lapor/")
    page.get_by_label("Provinsi").select_option("32")
    expect(page.locator("#id_regency optgroup")).to_have_count(0)  # narrowed to Jawa Barat
    page.get_by_label("Kabupaten/kota").select_option("3273")
    page.get_by_label("Judul").fill("Air PDAM di Antapani tidak mengalir")
    page.get_by_label("Isi laporan").fill(
        "Sudah lima hari air PDAM di rumah kami di Antapani tidak keluar sama sekali."
    )
    page.get_by_label("Isi laporan").blur()  # the change event asks for help
    suggestions = page.get_by_test_id("category-suggestions")
    expect(suggestions).to_be_visible()
    water = Category.objects.get(code="air-bersih")
    suggestions.get_by_role("button", name=water.name_id).click()
    expect(page.get_by_label("Kategori", exact=True)).to_have_value(str(water.pk))
    similar = page.get_by_test_id("similar-reports")
    expect(similar.get_by_role("link", name=earlier.title)).to_be_visible()
