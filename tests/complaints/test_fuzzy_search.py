"""Typo-tolerant public search (issue 16): "berlobang" finds the reports that say "berlubang".
On PostgreSQL by pg_trgm word similarity on the unaccented text, through a trigram index,
beside the full-text search; on SQLite as far as it goes (vowels free). One query either way."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Role
from complaints.models import Report
from complaints.selectors import public_reports, search_reports, search_words_refresh
from tests.factories import make_staff, published_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports():
    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    made = {
        "hole": published_report(
            national,
            title="Jalan berlubang di depan pasar",
            description="Lubang besar di jalan, sudah dua motor jatuh.",
        ),
        "rubbish": published_report(
            national,
            title="Sampah menumpuk di sungai",
            description="Tumpukan sampah menyumbat aliran sungai.",
        ),
        "accent": published_report(
            national,
            title="Kafé liar menutup trotoar",
            description="Meja dan kursi di trotoar sepanjang jalan.",
        ),
    }
    search_words_refresh()  # the nightly task: the words a typo is widened to
    return made


def found(q: str) -> set[str]:
    return set(public_reports(filters={"q": q}).values_list("title", flat=True))


def test_a_typo_finds_the_report(reports):
    assert found("berlobang") == {reports["hole"].title}
    assert found("jalan berlobang") == {reports["hole"].title}
    assert found("sampa menumpuk") == {reports["rubbish"].title}
    assert found("berlobang sungai") == set()  # every word must be close


def test_exact_words_still_match_by_full_text(reports):
    assert found("sampah") == {reports["rubbish"].title}
    assert reports["hole"].title in found("jalan")


@pytest.mark.postgres
def test_accents_do_not_matter(reports):
    assert found("kafe liar") == {reports["accent"].title}


def test_the_staff_inbox_search_stays_exact(reports):
    assert not search_reports(Report.objects.all(), "berlobang").exists()


def test_confidential_reports_are_not_found_by_a_typo(reports):
    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    published_report(national, title="Jembatan bergoyang rahasia", is_confidential=True)
    search_words_refresh()
    assert found("bergoyang") == set()  # exact: the report is not public
    assert found("bergoyong") == set()  # and its words widen no query


def test_the_search_is_one_query(client, reports):
    client.get("/laporan/", {"q": "sampah"})  # warm: reference lists read once a process

    def count(q):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/laporan/", {"q": q})
        assert response.status_code == 200 and reports["hole"].title in response.content.decode()
        return len(ctx.captured_queries)

    exact = count("jalan")
    assert count("berlobang") == exact
    assert count("jalan berlobang depan") == exact


@pytest.mark.postgres
def test_the_search_keeps_to_the_full_text_index(reports):
    # The widening is a sub-select on the word list; the reports are found through the
    # tsvector's GIN index, as an exact search (no recheck of every story's text).
    qs = search_reports(Report.objects.order_by(), "berlobang", fuzzy=True)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = qs.explain()
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "report_search_tsv" in plan
    assert "lapor_search_words" in plan
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM lapor_search_words WHERE lapor_fold(word) = 'kafe'")
        assert cursor.fetchone() == ("kafé",)  # "kafe" is widened to the word as written


@pytest.mark.postgres
def test_only_published_reports_lend_their_words_to_the_search(reports):
    from tests.factories import file_report

    file_report(title="Pungli oleh Zulkarnaini", description="Zulkarnaini minta uang rapor.")
    file_report(
        title="Rahasia Zulkarnaina",
        description="Zulkarnaina memeras warga.",
        is_confidential=True,
    )
    search_words_refresh()
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM lapor_search_words WHERE word LIKE 'zulkarn%%'")
        assert cursor.fetchall() == []  # unverified and confidential reports lend none
        cursor.execute("SELECT count(*) FROM lapor_search_words WHERE word = 'berlubang'")
        assert cursor.fetchone() == (1,)
