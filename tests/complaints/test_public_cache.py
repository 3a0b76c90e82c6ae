"""The public list's content cached under the public stamp (complaints.public_cache): served
without reading the reports while nothing public changed, never after a change the public
could see, and the same for every visitor because it holds nothing of theirs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Role
from complaints import public_cache
from complaints.services import report_support, report_transition
from tests.factories import make_staff, make_user, published_report

pytestmark = pytest.mark.django_db

LIST = "/laporan/"


def _visit(client, params=None) -> tuple[str, list[str]]:
    """The page's HTML and the statements that read the reports table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, params or {})
    assert response.status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if "complaints_report" in q["sql"]]
    return response.content.decode(), reads


def _content(html: str) -> str:
    """The page's content block (the cached part), without the header's CSRF token."""
    return html[html.index("<h1>") : html.index("</main>")]


def test_a_second_visit_reads_no_report_and_shows_the_same_list(client):
    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    published_report(national, title="Jembatan retak di Cicadas")
    first, reads = _visit(client)
    assert "Jembatan retak di Cicadas" in first and reads
    again, reads = _visit(client)
    assert _content(again) == _content(first)
    assert reads == []
    _, reads = _visit(client, {"province": "32"})
    assert reads  # another query is another fragment


def test_a_report_published_or_withdrawn_shows_at_the_next_visit(client):
    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    shown = published_report(national, title="Jembatan retak di Cicadas")
    _visit(client)
    published_report(national, title="Lampu jalan padam di Antapani")
    html, _ = _visit(client)
    assert "Lampu jalan padam di Antapani" in html
    # Rejected after publication: the public may no longer see it, cached or not.
    report_transition(report_id=shown.pk, action="reject", actor=national, note="Bukan wewenang")
    html, reads = _visit(client)
    assert reads
    assert "Jembatan retak di Cicadas" not in html
    assert "Lampu jalan padam di Antapani" in html


def test_a_change_to_an_unpublished_report_keeps_the_cached_list(client):
    from tests.factories import file_report

    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    published_report(national, title="Jembatan retak di Cicadas")
    _visit(client)
    file_report(title="Laporan baru yang belum diverifikasi")  # submitted: not public
    html, reads = _visit(client)
    assert reads == []
    assert "belum diverifikasi" not in html


def test_support_counts_and_renamed_categories_show_at_the_next_visit(client):
    from routing.models import Category

    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    category = Category.objects.get(code="infrastruktur")
    report = published_report(national, title="Jembatan retak", category_id=category.pk)
    html, _ = _visit(client)
    assert "0 dukungan" in html
    report_support(report=report, user=make_user())
    html, _ = _visit(client)
    assert "1 dukungan" in html
    category.name_id = "Jembatan dan jalan kota"
    category.save()
    html, _ = _visit(client)
    assert "Jembatan dan jalan kota" in html


def test_a_fragment_rendered_before_a_commit_is_retired_by_it(
    client, django_capture_on_commit_callbacks
):
    """A visitor who rendered the list while a change was still uncommitted (so without it)
    stored it under the stamp of that moment; the commit replaces the stamp again."""
    from django.http import QueryDict

    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    report = published_report(national, title="Jembatan retak di Cicadas")
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(report_id=report.pk, action="reject", actor=national, note="Ganda")
        during = public_cache.list_key(QueryDict())
        public_cache.put(during, "<p>the list as it was before the commit</p>")
        assert public_cache.get(during) is not None
    after = public_cache.list_key(QueryDict())
    assert after != during
    assert public_cache.get(after) is None
    assert "before the commit" not in client.get(LIST).content.decode()


def test_the_cached_content_is_the_same_for_every_visitor_and_holds_nothing_of_theirs(client, cast):
    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    published_report(national, title="Jembatan retak di Cicadas")
    guest_html, _ = _visit(client)
    client.force_login(cast.officer_a)
    officer_html, reads = _visit(client)
    assert reads == []  # the content came from the cache
    # The page around it is the visitor's own: their menu, their CSRF token.
    assert reverse("accounts:login") in guest_html
    assert reverse("accounts:logout") in officer_html
    assert reverse("accounts:logout") not in guest_html
    body = _content(officer_html)
    assert body == _content(guest_html)
    assert "csrfmiddlewaretoken" not in body
    assert cast.officer_a.email not in body


def test_searches_bad_filters_and_unknown_parameters_are_never_cached(client):
    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    published_report(national, title="Jembatan retak di Cicadas")
    for params in ({"q": "jembatan"}, {"province": "99"}, {"page": "11"}, {"utm": "x"}):
        _visit(client, params)
        html, reads = _visit(client, params)
        assert reads, params
    html, _ = _visit(client, {"province": "99"})
    assert 'aria-invalid="true"' in html or "errorlist" in html  # the error beside its field


def test_a_fragment_read_from_a_standby_lives_no_longer_than_its_lag(settings):
    from django.core.cache import cache
    from django.http import QueryDict

    settings.LAPOR_REPLICA_MAX_LAG = 3
    key = public_cache.list_key(QueryDict())
    public_cache.put(key, "<p>from the standby</p>", from_replica=True)
    client = cache._cache.get_client(cache.make_key(key), write=False)
    assert 0 < client.ttl(cache.make_key(key)) <= 3
    public_cache.put(key, "<p>from the primary</p>")
    assert 3 < client.ttl(cache.make_key(key)) <= public_cache.FRAGMENT_TTL
