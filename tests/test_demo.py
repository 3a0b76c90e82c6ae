"""seed_demo: logins for every role and reports in every status, made through the status
machine, so every report's audit trail leads to the status it is in."""

import itertools
from io import StringIO

import pytest
from django.core.management import call_command

from agencies.models import Role, User
from complaints.management.commands.seed_demo import DOMAIN, PASSWORD
from complaints.models import Report, ReportEvent, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    out = StringIO()
    call_command("seed_demo", "--reports", "30", stdout=out)
    return out.getvalue()


def test_demo_has_reports_in_every_status(seeded):
    assert Report.objects.count() == 30
    statuses = set(Report.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    for status in Status.values:
        assert f"{status} " in seeded.split("Reports by status:")[1].splitlines()[0]


def test_demo_covers_transfers_disputes_ratings_privacy_and_triage(seeded):
    reports = Report.objects.all()
    assert ReportEvent.objects.filter(action="transfer").exists()
    assert reports.filter(reopen_count__gt=0).exists()
    assert ReportEvent.objects.filter(action="dispute").exists()
    assert reports.filter(status=Status.CLOSED, rating__isnull=False).exists()
    assert reports.filter(status=Status.VERIFIED, agency__isnull=True).exists()
    assert reports.filter(status=Status.MERGED, merged_into__isnull=False).exists()
    assert reports.filter(is_anonymous=True).exists()
    assert reports.filter(is_confidential=True).exists()
    assert len(set(reports.values_list("province_id", flat=True))) >= 3


def test_every_demo_report_got_its_status_through_audited_transitions(seeded):
    for report in Report.objects.all():
        events = list(report.events.order_by("pk"))
        assert events[0].action == "submit"
        moves = [e for e in events if e.to_status != e.from_status]
        # Each move starts where the previous one ended; the last ends at today's status.
        for before, after in itertools.pairwise(moves):
            assert after.from_status == before.to_status, report
        assert moves[-1].to_status == report.status, report
        times = [e.created_at for e in events]
        assert times == sorted(times)
        assert times[0] == report.created_at


def test_demo_reports_are_spread_over_months(seeded):
    dates = sorted(Report.objects.values_list("created_at", flat=True))
    assert (dates[-1] - dates[0]).days > 30


def test_demo_logins_for_every_role_work(seeded, client):
    for kind in Role.Kind.values:
        role = Role.objects.filter(kind=kind, user__username__endswith=f"@{DOMAIN}").first()
        assert role is not None, kind
        assert role.user.username in seeded
        assert client.login(username=role.user.username, password=PASSWORD)
    citizens = User.objects.filter(username__startswith="warga", username__endswith=DOMAIN)
    assert citizens.count() == 2
    assert all(c.username in seeded for c in citizens)
    assert all(not c.roles.exists() for c in citizens)
    assert Report.objects.filter(reporter__in=citizens).count() >= 5
    national = User.objects.get(username=f"nasional@{DOMAIN}")
    assert national.is_superuser and national.is_staff
    assert PASSWORD in seeded


def test_named_demo_officers_sit_in_the_agencies_the_readme_names(seeded):
    expected = {
        "admin.bandung": ("agency_admin", "pemkot-3273"),
        "petugas1.bandung": ("officer", "pemkot-3273"),
        "petugas2.bandung": ("officer", "pemkot-3273"),
        "dinkes.bandung": ("officer", "pemkot-3273-dinas-kesehatan"),
        "petugas.bogor": ("officer", "pemkab-3201"),
        "petugas.kemenkes": ("officer", "kemenkes"),
        "petugas.bpjs": ("officer", "bpjs-kesehatan"),
    }
    for name, (kind, slug) in expected.items():
        role = Role.objects.get(user__username=f"{name}@{DOMAIN}")
        assert (role.kind, role.agency.slug) == (kind, slug)
    supervisor = Role.objects.get(user__username=f"pengawas.jabar@{DOMAIN}")
    assert (supervisor.kind, supervisor.province_id) == ("province_supervisor", "32")


def test_second_run_changes_nothing_and_prints_the_logins(seeded):
    reports, users = Report.objects.count(), User.objects.count()
    out = StringIO()
    call_command("seed_demo", "--reports", "30", stdout=out)
    assert (Report.objects.count(), User.objects.count()) == (reports, users)
    assert "already there" in out.getvalue()
    assert f"nasional@{DOMAIN}" in out.getvalue()


def test_dashboard_summaries_agree_with_the_demo_reports(seeded):
    out = StringIO()
    call_command("rebuild_summaries", "--check", stdout=out)
    assert "agree" in out.getvalue()


def test_a_story_transfer_never_sends_a_report_to_its_own_holder(cast):
    """Routing by law can already have sent a report where its demo story transfers it (a
    provincial street light to the province): the story hands it on elsewhere instead of
    failing the whole seed (it did: "Instansi tujuan sama dengan instansi saat ini")."""
    import random

    from agencies.models import Agency
    from complaints.management.commands.seed_demo import Seeder
    from routing.models import Category
    from tests.factories import dispatched_report, make_staff

    province = Agency.objects.get(slug="pemprov-32")
    report = dispatched_report(
        province, cast.national, category_id=Category.objects.get(code="listrik").pk
    )
    officer = make_staff(Role.Kind.OFFICER, agency=province)
    seeder = Seeder(rng=random.Random(1), stdout=StringIO())
    seeder.officer_for = lambda r: officer
    moved = seeder.transfer(report)
    assert moved.status == Status.DISPATCHED and moved.agency.slug == "pemkot-3273"
    assert ReportEvent.objects.filter(report=report, action="transfer").count() == 1
