"""The inbox and the triage queue cost the same number of queries at any size."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import Report, ReportEvent, Status
from core.memo import Memo
from tests.factories import PASSWORD, dispatched_report, otp_verify

pytestmark = pytest.mark.django_db


def _clone(template: Report, count: int, **changes) -> None:
    """Bulk copies of a real report (with its submit event), for volume."""
    now = timezone.now()
    rows = []
    for i in range(count):
        copy = Report(
            **{
                f.attname: getattr(template, f.attname)
                for f in Report._meta.concrete_fields
                if f.attname not in ("id", "tracking")
            }
        )
        copy.tracking = f"LPR-{i:05d}-{count:05d}"[:15]
        copy.created_at = now
        for key, value in changes.items():
            setattr(copy, key, value)
        rows.append(copy)
    Report.objects.bulk_create(rows, batch_size=2000)
    ReportEvent.objects.bulk_create(
        [ReportEvent(report=r, action="submit", to_status=r.status) for r in rows[:50]],
    )


def _queries(client, url, **params) -> int:
    cache.clear()  # count the status totals every time: the uncached cost must be flat too
    Memo.clear_all()  # and the filter's selects rendered afresh (complaints.forms.field_html)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("many", [10_000])
def test_inbox_queries_do_not_grow(client, cast, agency_a, many):
    template = dispatched_report(agency_a, cast.national)
    _clone(template, 9)
    assert client.login(username=cast.officer_a.username, password=PASSWORD)
    url = reverse("workspace:inbox")
    few = _queries(client, url)
    few_filtered = _queries(client, url, status="dispatched", overdue="false", assigned="none")
    _clone(template, many - 10)
    assert Report.objects.filter(owner_agency=agency_a).count() >= many
    assert _queries(client, url) == few
    assert _queries(client, url, status="dispatched", overdue="false", assigned="none") == (
        few_filtered
    )
    assert _queries(client, url, page=3) == few


def test_triage_queue_queries_do_not_grow(client, cast):
    from tests.factories import file_report

    template = file_report()
    assert client.login(username=cast.national.username, password=PASSWORD)
    url = reverse("triage:queue")
    few = _queries(client, url)
    _clone(template, 3000, status=Status.SUBMITTED)
    assert _queries(client, url) == few


def _choice_queries(client, url) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    tables = ("routing_category", "agencies_province", "agencies_regency")
    found = [  # the lists themselves, not the reports' joins
        q["sql"]
        for q in ctx.captured_queries
        if any(f'FROM "{t}"' in q["sql"] for t in tables) and "complaints_report" not in q["sql"]
    ]
    html = re.sub(
        r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", response.content.decode()
    )
    return found, html


def _provinces(html: str) -> list[str]:
    select = re.search(r'<select name="province"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


def test_inbox_filter_selects_from_the_memo_per_scope(client, cast, agency_a):
    """The filter's selects are rendered once per process and scope: warm, the inbox reads no
    category or region to draw them, its HTML is the same, and an officer of Bandung (province
    32 only) and the national admin (every province) each get their own options."""
    dispatched_report(agency_a, cast.national)
    url = reverse("workspace:inbox")
    assert client.login(username=cast.officer_a.username, password=PASSWORD)
    cold_queries, cold = _choice_queries(client, url)
    warm_queries, warm = _choice_queries(client, url)
    # A select's options are read through a server-side cursor (ModelChoiceIterator); the
    # bulk form's category list is a plain query and stays.
    assert [q for q in cold_queries if q.startswith("DECLARE")]
    assert not [q for q in warm_queries if q.startswith("DECLARE")]
    assert len(warm_queries) < len(cold_queries)
    assert warm == cold
    assert _provinces(warm) == ["32"]
    client.logout()
    assert client.login(username=cast.national.username, password=PASSWORD)
    otp_verify(client, cast.national)
    _queries_national, national = _choice_queries(client, url)
    assert len(_provinces(national)) == 38  # every province: not the officer's entry
