"""The track page's and the inbox's parts cached under version stamps (complaints.page_cache):
served without reading the reports while nothing they show changed, never after a change,
never to another audience, and holding nothing of a session (no CSRF token)."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Role
from complaints import page_cache
from complaints.models import Report
from complaints.services import report_transition
from tests.factories import dispatched_report, make_staff, published_report

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


def _visit(client, url, params=None, **headers) -> tuple[str, list[str]]:
    """The page's HTML and the statements that read the reports table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {}, **headers)
    assert response.status_code == 200, response.status_code
    reads = [q["sql"] for q in queries.captured_queries if '"complaints_report"' in q["sql"]]
    return response.content.decode(), reads


def _main(html: str) -> str:
    """The content block, without the CSRF tokens that differ on every render."""
    return CSRF.sub(r"\1-", html[html.index("<main") : html.index("</main>")])


def _cached_values() -> list[str]:
    """Every stored part of the track page and the inbox, as text (pickled strings keep it)."""
    client = cache._cache.get_client()
    keys = [*client.scan_iter("*:inbox:*"), *client.scan_iter("*:track:*")]
    assert keys
    return [client.get(k).decode("utf-8", "replace") for k in keys]


def _track(report) -> str:
    return reverse("complaints:track-detail", args=[report.tracking])


# The track page ------------------------------------------------------------------------------


def test_a_second_visit_reads_no_report_and_shows_the_same_page(cast):
    report = published_report(cast.national, title="Jembatan retak di Cicadas")
    first, reads = _visit(Client(), _track(report))
    assert "Jembatan retak di Cicadas" in first and reads
    again, reads = _visit(Client(), _track(report))
    assert reads == []
    assert _main(again) == _main(first)


def test_the_cached_page_is_what_the_request_would_render(cast, rf):
    """HTML identical: the number holder's part rendered with the request (its context
    processors, its user) is the part stored and served."""
    from django.contrib.auth.models import AnonymousUser

    from complaints import audiences
    from complaints.forms import NoteForm, RatingForm

    report = published_report(cast.national, title="Jembatan retak di Cicadas")
    served, _ = _visit(Client(), _track(report))
    served, _ = _visit(Client(), _track(report))
    report = Report.objects.select_related("category", "province", "regency", "agency").get(
        pk=report.pk
    )
    view = audiences.view_for(report, audiences.Audience.NUMBER_HOLDER)
    request = rf.get(_track(report))
    request.user = AnonymousUser()
    fresh = render_to_string(
        "complaints/partials/track_body.html",
        {
            "report": report,
            "view": view,
            "timeline": audiences.timeline(report, view),
            "is_reporter": False,
            "files": [],
            "token": None,
            "show_content": view.content,
            "ombudsman_eligible": False,
            "key_refused": False,
            "key_expires": None,
            "note_form": NoteForm(),
            "rating_form": RatingForm(),
            "skm_form": None,
        },
        request,
    )
    assert fresh in served


def test_a_change_shows_at_the_next_visit(cast, agency_a):
    report = dispatched_report(agency_a, cast.national, title="Lampu jalan padam")
    html, _ = _visit(Client(), _track(report))
    assert "Lampu sudah diganti" not in html
    report_transition(
        report_id=report.pk, action="respond", actor=cast.officer_a, note="Lampu sudah diganti"
    )
    html, reads = _visit(Client(), _track(report))
    assert reads
    assert "Lampu sudah diganti" in html


def test_a_fragment_rendered_before_a_commit_is_retired_by_it(
    cast, agency_a, django_capture_on_commit_callbacks
):
    report = dispatched_report(agency_a, cast.national, title="Lampu jalan padam")
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(
            report_id=report.pk, action="respond", actor=cast.officer_a, note="Sudah diganti"
        )
        during = page_cache.track_key(report.tracking, "number_holder")
        page_cache.put(during, "<p>the page as it was before the commit</p>")
    assert page_cache.track_key(report.tracking, "number_holder") != during
    assert "before the commit" not in Client().get(_track(report)).content.decode()


def test_a_filing_replaces_no_track_stamp_and_its_page_shows_once_committed(
    cast, django_capture_on_commit_callbacks
):
    """No page of a report can be stored before its filing commits (its number shows nothing,
    and a page not found is never stored), so a filing writes no track stamp, before or at its
    commit (a cache round trip each); its first visit renders it and stores it."""
    from tests.factories import file_report

    with django_capture_on_commit_callbacks(execute=True):
        report = file_report(title="Trotoar rusak di Dago")
    assert cache.get(page_cache._track_key(report.tracking)) is None
    html, reads = _visit(Client(), _track(report))
    assert reads and report.tracking in html
    again, reads = _visit(Client(), _track(report))
    assert not reads and _main(again) == _main(html)


def test_the_reporters_page_is_never_stored_nor_served_to_the_public(cast, agency_a):
    """An attacker holding only the number, before and after the reporter's visit, and a
    second reporter's (wrong) key: none sees the reporter's part."""
    report = dispatched_report(agency_a, cast.national, title="Lampu jalan padam")
    report = Report.objects.get(pk=report.pk)
    mine, _ = _visit(Client(), _track(report), {"k": report.reporter_secret})
    assert "reporter-actions" in mine and "my-files" in mine
    public, reads = _visit(Client(), _track(report))
    assert reads  # the reporter's visit stored nothing the public could be served
    assert "reporter-actions" not in public and "my-files" not in public
    mine_again, reads = _visit(Client(), _track(report), {"k": report.reporter_secret})
    assert reads and "reporter-actions" in mine_again  # never the public's cached page
    other = Report.objects.get(pk=published_report(cast.national).pk)
    wrong, _ = _visit(Client(), _track(report), {"k": other.reporter_secret})
    assert "reporter-actions" not in wrong and 'data-testid="key-expired"' in wrong
    assert not any("reporter-actions" in v or report.reporter_secret in v for v in _cached_values())


def test_staff_and_the_confidential_report(cast, agency_a):
    """Staff are rendered afresh (their audience is not the number holder's), and a
    confidential report shows nothing publicly, cached or not."""
    report = dispatched_report(
        agency_a, cast.national, title="Pungutan liar di kantor kelurahan", is_confidential=True
    )
    officer = Client()
    officer.force_login(cast.officer_a)
    staff_html, _ = _visit(officer, _track(report))
    assert "Pungutan liar" in staff_html
    for _ in range(2):
        public, _ = _visit(Client(), _track(report))
        assert "Pungutan liar" not in public and "Laporan rahasia" in public
    staff_again, reads = _visit(officer, _track(report))
    assert reads and "Pungutan liar" in staff_again


def test_no_csrf_token_is_stored_and_each_visitor_gets_their_own(cast):
    report = published_report(cast.national)
    one, _ = _visit(Client(), _track(report))
    two, _ = _visit(Client(), _track(report))
    tokens = [re.search(r'X-CSRFToken": "([^"]+)', h).group(1) for h in (one, two)]
    assert tokens[0] != tokens[1]
    assert not any("csrfmiddlewaretoken" in v or "X-CSRFToken" in v for v in _cached_values())


def test_a_renamed_category_shows_at_the_next_visit(cast):
    from routing.models import Category

    category = Category.objects.get(code="infrastruktur")
    report = published_report(cast.national, category_id=category.pk)
    _visit(Client(), _track(report))
    category.name_id = "Jembatan dan jalan kota"
    category.save()
    html, _ = _visit(Client(), _track(report))
    assert "Jembatan dan jalan kota" in html


# The inbox -----------------------------------------------------------------------------------

INBOX = "/kerja/"


def _officer(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_officers_second_visit_reads_no_report_and_shows_the_same_inbox(cast, agency_a):
    dispatched_report(agency_a, cast.national, title="Lampu jalan padam di Antapani")
    officer = _officer(cast.officer_a)
    first, reads = _visit(officer, INBOX)
    assert "Lampu jalan padam di Antapani" in first and reads
    again, reads = _visit(officer, INBOX)
    assert reads == []
    assert _main(again) == _main(first)
    filtered, reads = _visit(officer, INBOX, {"status": "dispatched"})
    assert reads  # another query is another part
    rows, reads = _visit(
        officer,
        INBOX,
        {"status": "dispatched"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="inbox-results",
    )
    assert reads == [] and rows in filtered


def test_another_agency_never_sees_the_cached_rows(cast, agency_a):
    dispatched_report(agency_a, cast.national, title="Lampu jalan padam di Antapani")
    _visit(_officer(cast.officer_a), INBOX)
    html, _ = _visit(_officer(cast.officer_b), INBOX)
    assert "Lampu jalan padam di Antapani" not in html


def test_an_action_shows_at_once(cast, agency_a, agency_b):
    report = dispatched_report(agency_a, cast.national, title="Lampu jalan padam di Antapani")
    officer = _officer(cast.officer_a)
    _visit(officer, INBOX)
    report_transition(
        report_id=report.pk, action="assign", actor=cast.officer_a, assignee=cast.officer_a
    )
    html, reads = _visit(officer, INBOX)
    assert reads
    assert "Petugas A" in html.split('data-testid="inbox"')[1]
    # Moved to another agency: gone from the first inbox, in the second's at its next visit.
    _visit(_officer(cast.officer_b), INBOX)
    report_transition(
        report_id=report.pk,
        action="transfer",
        actor=cast.officer_a,
        agency=agency_b,
        note="Wewenang Kabupaten Bogor",
    )
    assert "Lampu jalan padam di Antapani" not in _visit(officer, INBOX)[0]
    assert "Lampu jalan padam di Antapani" in _visit(_officer(cast.officer_b), INBOX)[0]


def test_the_bulk_form_is_each_officers_own_and_holds_no_token(cast, agency_a):
    dispatched_report(agency_a, cast.national)
    second = make_staff(Role.Kind.OFFICER, agency=agency_a, full_name="Petugas Kedua")
    html_a, _ = _visit(_officer(cast.officer_a), INBOX)
    html_2, _ = _visit(_officer(second), INBOX)
    assigned = re.compile(r'<select name="assignee".*?</select>', re.S)
    choices_a, choices_2 = assigned.search(html_a).group(0), assigned.search(html_2).group(0)
    assert "Petugas Kedua" in choices_a and "Petugas A" not in choices_a
    assert "Petugas A" in choices_2 and "Petugas Kedua" not in choices_2
    token = re.compile(r'csrfmiddlewaretoken" value="([^"]+)')
    assert token.search(html_a).group(1) != token.search(html_2).group(1)
    assert not any("csrfmiddlewaretoken" in v for v in _cached_values())


def test_a_new_colleague_shows_at_the_next_visit(cast, agency_a):
    dispatched_report(agency_a, cast.national)
    officer = _officer(cast.officer_a)
    _visit(officer, INBOX)
    make_staff(Role.Kind.OFFICER, agency=agency_a, full_name="Petugas Baru")
    html, _ = _visit(officer, INBOX)
    assert "Petugas Baru" in html


def test_a_report_addressed_to_the_agency_shows_at_the_next_visit(
    cast, agency_a, django_capture_on_commit_callbacks
):
    """Filed naming the agency (it verifies it itself): in its inbox once the filing commits,
    though the filing reads nothing to retire it (its writes go as one statement)."""
    from tests.factories import file_report

    dispatched_report(agency_a, cast.national)
    officer = _officer(cast.officer_a)
    html, _ = _visit(officer, INBOX)
    assert 'data-testid="addressed"' not in html
    with django_capture_on_commit_callbacks(execute=True):
        file_report(title="Trotoar rusak di Dago", requested_agency_id=agency_a.pk)
    html, _ = _visit(officer, INBOX)
    assert 'data-testid="addressed"' in html and "Trotoar rusak di Dago" in html
