"""The public list and its search cost the same number of queries whatever the number of
reports; confidential, rejected and merged reports never show. The filter's choice fields come
from a per-process memo (complaints.forms.field_html): the same HTML as rendered afresh, a
saved category shows at once, a refused value is rendered with its error."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Province, Role
from complaints.forms import PublicFilterForm, field_html
from complaints.models import Report, Status
from core.memo import Memo
from routing.models import Category
from tests.factories import file_report, make_staff, published_report

pytestmark = pytest.mark.django_db


def _queries(client, *, cold: bool = True, **params) -> tuple[int, str]:
    if cold:
        Memo.clear_all()  # the filter's choices rendered afresh: the uncached cost is flat too
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
    warm, warm_html = _queries(client, cold=False, **params)
    assert warm < few  # no query for the categories and provinces to render
    assert _untokened(warm_html) == _untokened(html)
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


def _untokened(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "TOKEN", html)


def _select_queries(client, path) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return [
        q["sql"]
        for q in ctx.captured_queries
        if "routing_category" in q["sql"] or "agencies_province" in q["sql"]
    ]


@pytest.mark.parametrize("path", ["/laporan/", "/laporan/peta/"])
def test_filter_choices_from_the_memo_as_rendered_afresh(client, path):
    chosen = path + "?kind=complaint&province=32&status=verified"
    assert _select_queries(client, path)  # the first time: the choices are read and rendered
    assert _select_queries(client, path) == []  # then not read again
    cold = _untokened(client.get(chosen).content.decode())
    warm = _untokened(client.get(chosen).content.decode())
    assert warm == cold
    Memo.clear_all()
    form = PublicFilterForm({"kind": "complaint", "province": "32", "status": "verified"})
    assert form.is_valid()
    for name in ("kind", "category", "province", "status"):
        assert str(field_html(form[name])) in warm
    assert '<option value="32" selected>' in warm
    assert "aria-invalid" not in warm


def test_a_new_category_or_province_shows_at_once(client):
    client.get("/laporan/")
    Category.objects.create(code="uji-baru", name_id="Kategori Uji Baru", name_en="New test")
    Province.objects.create(code="99", name="Provinsi Uji")
    html = client.get("/laporan/").content.decode()
    assert "Kategori Uji Baru" in html
    assert '<option value="99">Provinsi Uji</option>' in html


def test_a_refused_filter_value_is_rendered_with_its_error(client):
    client.get("/laporan/?province=32")  # a valid selection in the memo
    html = client.get("/laporan/?province=00").content.decode()
    assert 'id="id_province_error"' in html
    assert "has-error" in html
    again = client.get("/laporan/?province=32").content.decode()
    assert "has-error" not in again
