"""Automatic verification: only when routing is certain and the text passes checks."""

import pytest

from complaints.autotriage import report_auto_triage, text_passes_checks
from complaints.models import Report, Status
from routing.models import Category
from tests.factories import file_report

pytestmark = pytest.mark.django_db

GOOD = (
    "Jalan utama di depan SDN 3 Cibeunying berlubang besar sejak bulan lalu dan sudah "
    "menyebabkan dua pengendara motor jatuh. Mohon segera diperbaiki."
)


def _category(code):
    return Category.objects.get(code=code).pk


def test_on_submit_a_certain_report_is_verified_and_dispatched(
    settings, django_capture_on_commit_callbacks
):
    settings.LAPOR_AUTO_VERIFY = True
    with django_capture_on_commit_callbacks(execute=True):
        report = file_report(
            title="Jalan berlubang depan sekolah",
            description=GOOD,
            category_id=_category("infrastruktur"),
        )
    report.refresh_from_db()
    assert report.status == Status.DISPATCHED
    assert report.agency.slug == "pemkot-3273-dinas-pupr"
    assert list(report.events.values_list("action", flat=True)) == ["submit", "verify", "dispatch"]


def test_off_by_default(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = file_report(description=GOOD, category_id=_category("infrastruktur"))
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("title", "description", "category", "why"),
    [
        ("Jalan rusak parah sekali", "rusak", "infrastruktur", "text: terlalu singkat"),
        (
            "Jalan rusak parah sekali",
            GOOD.upper(),
            "infrastruktur",
            "text: huruf kapital semua",
        ),
        ("Jalan rusak parah sekali", GOOD, None, "no category"),
        ("Pengaduan lain lain", GOOD, "lainnya", "no rule"),
    ],
)
def test_uncertain_reports_wait_for_a_person(title, description, category, why):
    report = file_report(
        title=title,
        description=description,
        category_id=_category(category) if category else None,
    )
    # "lainnya" has no default rule; drop any that a later data change might add.
    if category == "lainnya":
        Category.objects.get(code="lainnya").rules.all().delete()
    assert report_auto_triage(report_id=report.pk) == why
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


def test_blocked_words(settings):
    settings.LAPOR_BLOCKED_WORDS = ["kampret"]
    assert text_passes_checks("Ada yang kampret di sini", GOOD) == (False, "kata terlarang")
    assert text_passes_checks("Ada yang rusak di sini", GOOD) == (True, "")
