"""Triage and workspace pages, through the doors: who gets in, what each action does."""

import pytest
from django.urls import reverse

from agencies.models import Agency
from complaints.models import Report, ReportEvent, Status
from routing.models import Category
from tests.factories import PASSWORD, dispatched_report, file_report

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def act(client, scope, report, action, **data):
    url = reverse(f"{scope}:act", args=[report.tracking])
    return client.post(url, {"action": action, **data})


def test_triage_queue_is_for_national_admins_only(client, cast):
    report = file_report()
    for user in (cast.officer_a, cast.supervisor, cast.citizen, cast.ombudsman):
        login(client, user)
        assert client.get(reverse("triage:queue")).status_code == 403
        assert client.get(reverse("triage:detail", args=[report.tracking])).status_code == 403
    login(client, cast.national)
    response = client.get(reverse("triage:queue"))
    assert response.status_code == 200
    assert report.tracking in response.content.decode()


def test_verify_routes_by_the_rules_and_stores_the_explanation(client, cast):
    report = file_report(category_id=Category.objects.get(code="kesehatan").pk)
    login(client, cast.national)
    response = act(client, "triage", report, "verify", version=report.version, **{"from": "triage"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DISPATCHED
    assert report.agency.slug == "pemkot-3273-dinas-kesehatan"
    assert report.routing_rule is not None
    assert f"#{report.routing_rule_id}" in report.routing_explanation
    assert list(report.events.values_list("action", flat=True)) == ["submit", "verify", "dispatch"]


def test_unroutable_report_stays_in_triage_after_verification(client, cast):
    report = file_report(category_id=Category.objects.get(code="lainnya").pk)
    login(client, cast.national)
    act(client, "triage", report, "verify")
    report.refresh_from_db()
    assert report.status == Status.VERIFIED and report.agency is None
    assert report.tracking in client.get(reverse("triage:queue")).content.decode()
    target = Agency.objects.get(slug="kemenpanrb")
    act(client, "triage", report, "dispatch", agency=target.pk)
    report.refresh_from_db()
    assert report.status == Status.DISPATCHED and report.agency == target


def test_officer_inbox_shows_own_agency_and_units_only(client, cast, agency_a, agency_b):
    unit = Agency.objects.get(slug="pemkot-3273-dinas-kesehatan")
    mine = dispatched_report(unit, cast.national, title="Puskesmas tutup siang hari")
    theirs = dispatched_report(agency_b, cast.national, title="Jalan desa rusak di Bogor")
    login(client, cast.officer_a)
    page = client.get(reverse("workspace:inbox")).content.decode()
    assert mine.tracking in page and theirs.tracking not in page
    assert client.get(reverse("workspace:detail", args=[theirs.tracking])).status_code == 404
    response = act(client, "workspace", theirs, "respond", note="Kami tangani")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.DISPATCHED


def test_transfer_moves_the_report_and_the_first_agency_loses_it(client, cast, agency_a, agency_b):
    report = dispatched_report(agency_a, cast.national)
    login(client, cast.officer_a)
    act(
        client,
        "workspace",
        report,
        "transfer",
        agency=agency_b.pk,
        note="Lokasi di Kabupaten Bogor",
        version=report.version,
    )
    report.refresh_from_db()
    assert report.status == Status.DISPATCHED and report.agency == agency_b
    assert client.get(reverse("workspace:detail", args=[report.tracking])).status_code == 404
    login(client, cast.officer_b)
    assert report.tracking in client.get(reverse("workspace:inbox")).content.decode()
    # The citizen's timeline shows the move and the new agency, never an internal note.
    act(client, "workspace", report, "note", note="RAHASIA-INTERNAL catatan")
    public = client.get(reverse("complaints:track-detail", args=[report.tracking])).content
    assert agency_b.name.encode() in public
    assert b"RAHASIA-INTERNAL" not in public


def test_return_to_triage_puts_it_back_in_the_national_queue(client, cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    login(client, cast.officer_a)
    act(client, "workspace", report, "return_to_triage", note="Bukan wewenang pemkot")
    report.refresh_from_db()
    assert report.status == Status.VERIFIED and report.agency is None
    assert report.needs_triage_decision
    login(client, cast.national)
    assert report.tracking in client.get(reverse("triage:queue")).content.decode()


def test_stale_form_is_refused_and_changes_nothing(client, cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    stale = report.version
    login(client, cast.officer_a)
    act(client, "workspace", report, "respond", note="Segera kami cek", version=stale)
    events = ReportEvent.objects.filter(report=report).count()
    response = act(client, "workspace", report, "progress", note="lagi", version=stale)
    assert response.status_code == 302
    follow = client.get(response["Location"]).content.decode()
    assert "baru saja diubah" in follow
    assert ReportEvent.objects.filter(report=report).count() == events


def test_supervisor_reads_but_cannot_act(client, cast, agency_a):
    report = dispatched_report(agency_a, cast.national)
    login(client, cast.supervisor)
    assert client.get(reverse("workspace:detail", args=[report.tracking])).status_code == 200
    assert act(client, "workspace", report, "respond", note="x").status_code == 403
    assert Report.objects.get(pk=report.pk).status == Status.DISPATCHED


def test_anonymous_identity_hidden_from_the_agency(client, cast, agency_a):
    report = dispatched_report(
        agency_a,
        cast.national,
        is_anonymous=True,
        reporter_name="Rahmat Rahasia",
        reporter_email="rahmat@example.id",
    )
    login(client, cast.officer_a)
    page = client.get(reverse("workspace:detail", args=[report.tracking])).content.decode()
    assert "Rahmat Rahasia" not in page and "rahmat@example.id" not in page
    login(client, cast.national)
    page = client.get(reverse("triage:detail", args=[report.tracking])).content.decode()
    assert "Rahmat Rahasia" in page


def test_rules_page_explains_the_winner(client, cast):
    login(client, cast.officer_a)
    assert client.get(reverse("rules:list")).status_code == 403
    login(client, cast.national)
    cat = Category.objects.get(code="kesehatan")
    response = client.get(
        reverse("rules:list"),
        {"category": cat.pk, "kind": "complaint", "province": "32", "regency": "3273"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Dinas Kesehatan Kota Bandung" in body
    assert "MENANG" in body


def test_inbox_region_filter_follows_the_scope(client, cast, agency_a):
    bandung = dispatched_report(agency_a, cast.national, title="Di Bandung")
    login(client, cast.supervisor)
    page = client.get(reverse("workspace:inbox")).content.decode()
    assert "Kota Bandung" in page  # a Jawa Barat regency is offered
    assert "Kota Surabaya" not in page  # a Jawa Timur one is not
    login(client, cast.national)
    page = client.get(reverse("workspace:inbox"), {"regency": "bandung"}).content.decode()
    assert bandung.tracking in page  # nationwide: the regency is searched by name
    page = client.get(reverse("workspace:inbox"), {"regency": "surabaya"}).content.decode()
    assert bandung.tracking not in page


def test_inbox_counts_and_filters_speak_the_readers_language(client, cast, agency_a):
    dispatched_report(agency_a, cast.national)
    assert client.login(username=cast.officer_a.username, password=PASSWORD)
    html = client.get(reverse("workspace:inbox")).content.decode()
    counts = html[html.index('data-testid="status-counts"') :].split("</p>", 1)[0]
    assert ">Didisposisikan: 1</a>" in counts and ">dispatched:" not in counts
    assert '<option value="" selected>Semua</option>' in html  # "overdue": any
    client.post(reverse("set_language"), {"language": "en", "next": "/kerja/"})
    html = client.get(reverse("workspace:inbox")).content.decode()
    counts = html[html.index('data-testid="status-counts"') :].split("</p>", 1)[0]
    assert "Dispatched: 1" in counts
    assert '<option value="" selected>All</option>' in html
    late = client.get(reverse("workspace:inbox"), {"overdue": "true"})
    assert late.status_code == 200 and late.context["page"].paginator.count == 0
