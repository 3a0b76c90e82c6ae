"""The summary rows kept up to date change by change equal those recomputed from the reports,
whatever happened to the reports (transfers, reopenings, rejections, merges, returns)."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from agencies.models import Agency
from complaints.errors import DomainError
from complaints.models import Report
from complaints.services import report_transition
from complaints.sweeps import run_deadline_sweep
from monitoring.models import Summary
from monitoring.rebuild import differences
from tests.factories import dispatched_report, file_report

pytestmark = pytest.mark.django_db


def test_mixed_history_matches_a_recomputation(cast, agency_a, agency_b):
    unit = Agency.objects.get(slug="pemkot-3273-dinas-kesehatan")
    kemenkes = Agency.objects.get(slug="kemenkes")
    n = cast.national
    # transferred, responded, resolved, disputed, resolved again, accepted with a rating
    r1 = dispatched_report(agency_a, n)
    report_transition(report_id=r1.pk, action="assign_unit", actor=cast.officer_a, agency=unit)
    report_transition(
        report_id=r1.pk,
        action="transfer",
        actor=cast.officer_a,
        agency=agency_b,
        note="bukan wilayah kami",
    )
    for action in ("respond", "resolve", "dispute", "resolve", "accept"):
        actor = cast.citizen if action in ("dispute", "accept") else cast.officer_b
        if action in ("dispute", "accept"):
            report_transition(
                report_id=r1.pk,
                action=action,
                token=r1.reporter_secret,
                note="belum beres" if action == "dispute" else "",
                rating=4 if action == "accept" else None,
            )
        else:
            report_transition(report_id=r1.pk, action=action, actor=actor, note="ok")
    # rejected, merged, returned to triage, overdue and escalated
    r2 = file_report(province_id="35", regency_id="3578")
    report_transition(report_id=r2.pk, action="reject", actor=n, note="spam")
    r3 = file_report()
    r4 = file_report()
    report_transition(report_id=r4.pk, action="merge", actor=n, into=r3)
    r5 = dispatched_report(kemenkes, n, kind="information_request")
    report_transition(
        report_id=r5.pk,
        action="return_to_triage",
        actor=make_officer(kemenkes),
        note="bukan wewenang",
    )
    r6 = dispatched_report(agency_a, n)
    Report.objects.filter(pk=r6.pk).update(
        response_due=timezone.now() - dt.timedelta(days=1),
        resolution_due=timezone.now() - dt.timedelta(days=1),
    )
    run_deadline_sweep()
    report_transition(report_id=r6.pk, action="respond", actor=cast.officer_a, note="telat")
    assert differences() == []
    assert Summary.objects.get(grain="P", period="m", status="closed").rating_sum == 4


def make_officer(agency):
    from tests.factories import make_staff

    return make_staff("officer", agency=agency)


def test_random_histories_match_a_recomputation(cast, agency_a, agency_b):
    rng = random.Random(20261122)
    actors = {
        "verify": cast.national,
        "dispatch": cast.national,
        "reject": cast.national,
        "request_info": cast.national,
        "respond": None,
        "progress": None,
        "resolve": None,
        "transfer": None,
        "return_to_triage": None,
        "dispute": "reporter",
        "accept": "reporter",
        "provide_info": "reporter",
        "mark_overdue": "system",
        "escalate": "system",
    }
    officers = {agency_a.pk: cast.officer_a, agency_b.pk: cast.officer_b}
    reports = [
        file_report(kind=rng.choice(["complaint", "aspiration", "information_request"]))
        for _ in range(12)
    ]
    for _step in range(150):
        report = Report.objects.get(pk=rng.choice(reports).pk)
        action = rng.choice(list(actors))
        who = actors[action]
        params = {"note": "catatan"}
        if action in ("dispatch", "transfer"):
            params["agency"] = rng.choice([agency_a, agency_b])
        if action == "accept":
            params = {"rating": rng.randint(1, 5)}
        try:
            if who == "reporter":
                report_transition(
                    report_id=report.pk, action=action, token=report.reporter_secret, **params
                )
            elif who == "system":
                report_transition(report_id=report.pk, action=action, system=True)
            else:
                actor = who or officers.get(report.owner_agency_id, cast.stranger)
                report_transition(report_id=report.pk, action=action, actor=actor, **params)
        except DomainError:
            pass
    assert differences() == []
