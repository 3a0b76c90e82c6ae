"""The public list and its search cost the same number of queries whatever the number of
reports; confidential, rejected and merged reports never show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Role
from complaints.models import Report, Status
from tests.factories import file_report, make_staff, published_report

pytestmark = pytest.mark.django_db


def _queries(client, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/laporan/", params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("params", [{}, {"q": "jalan"}, {"kind": "complaint", "province": "32"}])
def test_query_count_does_not_grow(client, params):
    national = make_staff(Role.Kind.NATIONAL_ADMIN)
    for _ in range(3):
        published_report(national, title="Jalan rusak di kampung")
    few, _html = _queries(client, **params)
    for i in range(57):
        published_report(national, title=f"Jalan rusak nomor {i}", province_id="32")
    many, html = _queries(client, **params)
    assert many == few
    assert Report.objects.count() == 60
    assert 'rel="next"' in html  # 60 reports: more than one page


def test_hidden_reports_never_listed(client, cast):
    from complaints.services import report_transition

    shown = published_report(cast.national, title="Terbuka untuk umum")
    secret = published_report(cast.national, title="Sangat rahasia sekali", is_confidential=True)
    file_report(title="Belum diverifikasi")
    spam = file_report(title="Iklan pinjaman online")
    report_transition(report_id=spam.pk, action="reject", actor=cast.national, note="spam")
    twin = file_report(title="Laporan kembar")
    report_transition(report_id=twin.pk, action="merge", actor=cast.national, into=shown)
    _n, html = _queries(client)
    assert "Terbuka untuk umum" in html
    for hidden in (
        "Sangat rahasia sekali",
        "Iklan pinjaman online",
        "Laporan kembar",
        "Belum diverifikasi",
    ):
        assert hidden not in html
    assert Report.objects.get(pk=twin.pk).status == Status.MERGED
    assert secret.is_confidential
