"""The first journey: the home page in Bahasa Indonesia, then in English, and back."""

import re

import pytest

from tests.factories import PASSWORD, enrol_totp, make_staff, published_report, totp_code

pytestmark = pytest.mark.browser


def test_home_page_in_both_languages(page, live_server):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Sampaikan laporan Anda kepada pemerintah"
    )
    assert page.get_by_role("link", name="Buat laporan").first.is_visible()

    page.get_by_test_id("lang-en").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Tell the government what needs fixing"
    )
    assert page.get_by_role("link", name="Submit a report").first.is_visible()
    assert page.get_by_role("link", name="Track").first.is_visible()

    # The choice sticks across pages, form labels and choices included.
    page.get_by_role("link", name="Submit a report").first.click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_label("Title").is_visible()
    assert page.get_by_role("radio", name="Information request").is_visible()
    assert "— choose a province —" in page.get_by_label("Province").inner_text()
    assert page.get_by_role("button", name="Send report").is_visible()
    page.get_by_role("link", name="Public reports").first.click()
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_test_id("lang-id").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("heading", level=1).inner_text() == "Laporan publik"


def test_home_page_fits_a_small_phone(phone, live_server):
    phone.goto(live_server.url + "/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a 390 px phone"
    assert phone.get_by_role("link", name="Buat laporan").first.is_visible()


# Everyday Indonesian words that no English page should show outside of data (report texts,
# region and agency names). A hit means a string is not marked for translation or not translated.
INDONESIAN = re.compile(
    r"\b(yang|dan|untuk|Anda|tidak|dengan|atau|belum|kami|pilih|semua|sudah|laporan)\b", re.I
)
# The page's visible text without the <select> options, which list region and agency names.
VISIBLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll("select, datalist").forEach((e) => e.remove());
  document.documentElement.appendChild(body);
  const text = body.innerText;
  body.remove();
  return text;
}"""


def _indonesian_lines(page, url):
    response = page.goto(url)
    assert response.status in (200, 404), url
    assert page.locator("html").get_attribute("lang") == "en", url
    text = page.evaluate(VISIBLE_TEXT)
    return [f"{url}: {line.strip()}" for line in text.splitlines() if INDONESIAN.search(line)]


def test_english_pages_show_no_indonesian(page, live_server):
    report = published_report(
        title="Jalan rusak", description="Jalan rusak parah sejak Senin pagi."
    )
    national = make_staff("national_admin")
    page.goto(live_server.url + "/")
    page.get_by_test_id("lang-en").click()
    page.wait_for_load_state()
    public = [
        "/",
        "/lapor/",
        "/lacak/",
        "/lacak/LPR-XXXXX-XXXXX/",
        f"/lacak/{report.tracking}/",
        "/laporan/",
        "/laporan/peta/",
        f"/laporan/{report.tracking}/",
        "/akun/masuk/",
        "/akun/daftar/",
        "/akun/sandi/lupa/",
        "/tidak-ada/",
    ]
    found = [line for path in public for line in _indonesian_lines(page, live_server.url + path)]

    device = enrol_totp(national)
    page.goto(live_server.url + "/akun/masuk/")
    page.get_by_label("Email or username").fill(national.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    found += _indonesian_lines(page, page.url)  # the second step, in English too
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Check code").click()
    staff = [
        "/akun/dua-langkah/",
        "/akun/dua-langkah/aktifkan/",
        "/triase/",
        f"/kerja/laporan/{report.tracking}/",
        "/pantau/",
        "/akun/pengaturan/",
    ]
    found += [line for path in staff for line in _indonesian_lines(page, live_server.url + path)]
    assert found == []


def test_english_officer_and_triage_pages_show_no_indonesian(page, live_server, settings):
    """Issue 17's pages: the inbox with its bulk form and officers' load, a report with the
    assign form, answer templates, officers and units, a large export's progress and its
    ready state, the triage workspace, the merge confirmation, and the admin's calendar."""
    from agencies.models import Agency, Role
    from agencies.services import role_grant
    from complaints.exports import export_build, export_request
    from routing.suggest import suggest
    from tests.factories import dispatched_report, file_report

    suggest("pemanasan")  # the category model loads once per process (tens of seconds)

    agency = Agency.objects.get(slug="pemkot-3273")
    boss = make_staff("national_admin", is_staff=True, is_superuser=True)
    role_grant(user=boss, kind=Role.Kind.AGENCY_ADMIN, agency=agency)
    make_staff("officer", agency=agency, full_name="Dewi Lestari")
    story = {"description": "Jalan rusak parah sejak Senin pagi."}
    held = dispatched_report(agency, boss, title="Jalan rusak", **story)
    first, second = file_report(title="Banjir", **story), file_report(title="Banjir 2", **story)
    queued = export_request(user=boss, fmt="csv", query="", language="en")
    ready = export_request(user=boss, fmt="xlsx", query="", language="en")
    export_build(job_id=ready.pk)

    device = enrol_totp(boss)
    page.goto(live_server.url + "/")
    page.get_by_test_id("lang-en").click()
    page.wait_for_load_state()
    page.goto(live_server.url + "/akun/masuk/")
    page.get_by_label("Email or username").fill(boss.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Check code").click()
    paths = [
        "/kerja/",
        f"/kerja/laporan/{held.tracking}/",
        "/kerja/templat/",
        "/kerja/kelola/",
        f"/kerja/ekspor/{queued.key}/",
        f"/kerja/ekspor/{ready.key}/",
        "/triase/",
        f"/triase/laporan/{first.tracking}/",
        f"/triase/laporan/{first.tracking}/gabung/?ke={second.tracking}",
        "/admin/complaints/nonworkingday/",
    ]
    # Data, not page text: the agency's unit names, and the rules' explanation, which
    # routing.selectors.decide writes in Indonesian (stored with the report; not issue 17's).
    data = [a.name for a in Agency.objects.filter(path__startswith=agency.path)]
    data += ["Tidak ada aturan yang cocok: masuk antrean triase nasional."]
    found = []
    for path in paths:
        for line in _indonesian_lines(page, live_server.url + path):
            for name in data:
                line = line.replace(name, "")
            if INDONESIAN.search(line.split(": ", 1)[1]):
                found.append(line)
    assert found == [], "\n".join(found)
