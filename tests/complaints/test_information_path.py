"""An information request's own path, from UU 14/2008 on Keterbukaan Informasi Publik, not the
complaint's hand-over to the Ombudsman:
- art. 35(1): an objection (keberatan) in writing to the PPID's superior, on one of grounds a-g;
- art. 36(1): within 30 working days of finding the ground; art. 36(2): the superior answers in
  writing within 30 working days;
- art. 37: if that answer does not satisfy, a dispute to the Komisi Informasi (Pusat for a
  central body, the province's for a regional one) within 14 working days of receiving it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from complaints.effects import ombudsman_eligible
from complaints.errors import ActionForbidden, InvalidAction
from complaints.models import Kind, Report, Status
from complaints.services import report_transition
from complaints.sweeps import run_deadline_sweep
from complaints.workdays import Calendar
from tests.factories import dispatched_report

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")
ANSWERED = dt.datetime(2026, 9, 1, 10, 0, tzinfo=WIB)  # a Tuesday


def _at(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _request(agency, cast):
    return dispatched_report(agency, cast.national, kind=Kind.INFORMATION_REQUEST)


def _answered(monkeypatch, agency, cast, officer):
    report = _request(agency, cast)
    _at(monkeypatch, ANSWERED)
    for action in ("respond", "resolve"):
        report_transition(
            report_id=report.pk, action=action, actor=officer, note="Informasi terlampir."
        )
    report.refresh_from_db()
    return report


def _object(report, ground="d", note="Yang dikirim bukan data anggaran yang saya minta."):
    return report_transition(
        report_id=report.pk,
        action="info_objection",
        token=report.reporter_secret,
        ground=ground,
        note=note,
    )


def test_an_objection_goes_to_the_ppids_superior_within_30_working_days(
    monkeypatch, cast, agency_a, django_capture_on_commit_callbacks
):
    report = _answered(monkeypatch, agency_a, cast, cast.officer_a)
    calendar = Calendar()
    assert calendar.working_days_between(ANSWERED, report.objection_by) == 30  # art. 36(1)
    with pytest.raises(InvalidAction):  # a ground of art. 35(1) is required
        _object(report, ground="")
    mail.outbox.clear()
    _at(monkeypatch, report.objection_by - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        report = _object(report)
    # The answered request is open again, for the superior, who must answer in 30 days.
    assert report.status == Status.IN_PROGRESS
    assert calendar.working_days_between(report.objection_at, report.objection_due) == 30
    told = {m.to[0] for m in mail.outbox if "Keberatan" in m.subject}
    assert told == {cast.admin_a.email}  # the agency's admin (atasan PPID), not its officer
    with pytest.raises(InvalidAction):  # once
        _object(report)


def test_no_objection_after_the_30_working_days(monkeypatch, cast, agency_a):
    report = _answered(monkeypatch, agency_a, cast, cast.officer_a)
    _at(monkeypatch, report.objection_by + dt.timedelta(minutes=1))
    with pytest.raises(InvalidAction):
        _object(report)


def test_an_unanswered_request_past_its_limit_may_be_objected_to(monkeypatch, cast, agency_a):
    """Art. 35(1)(c) and (g): not answered, or answered beyond the time the law sets."""
    report = _request(agency_a, cast)
    with pytest.raises(InvalidAction):  # still within its 10 working days
        _object(report, ground="c", note="Belum ada jawaban.")
    Report.objects.filter(pk=report.pk).update(resolution_due=timezone.now() - dt.timedelta(days=1))
    report = _object(report, ground="c", note="Belum ada jawaban.")
    assert report.status == Status.DISPATCHED and report.objection_at is not None


def test_the_superior_answers_then_the_komisi_informasi_within_14_working_days(
    monkeypatch, client, cast, agency_a
):
    report = _answered(monkeypatch, agency_a, cast, cast.officer_a)
    report = _object(report)
    note = "Atasan PPID: data anggaran 2025 dikirim ulang."
    with pytest.raises(ActionForbidden):  # the PPID's officer is not their own superior
        report_transition(
            report_id=report.pk, action="objection_answer", actor=cast.officer_a, note=note
        )
    report = report_transition(
        report_id=report.pk, action="objection_answer", actor=cast.admin_a, note=note
    )
    assert (
        Calendar().working_days_between(report.objection_answered_at, report.commission_by) == 14
    )  # art. 37(2)

    page = client.get(f"/lacak/{report.tracking}/", {"k": report.reporter_secret})
    body = page.content.decode()
    assert 'data-testid="commission-form"' in body
    assert "Komisi Informasi Provinsi Jawa Barat" in body  # Kota Bandung: the province's
    assert 'data-testid="objection-form"' not in body
    assert "Ombudsman" not in body

    _at(monkeypatch, report.commission_by + dt.timedelta(minutes=1))
    with pytest.raises(InvalidAction):  # past the 14 working days
        report_transition(
            report_id=report.pk, action="info_to_commission", token=report.reporter_secret
        )
    _at(monkeypatch, report.commission_by - dt.timedelta(minutes=1))
    report = report_transition(
        report_id=report.pk, action="info_to_commission", token=report.reporter_secret
    )
    assert report.commission_at is not None
    event = report.events.get(action="info_to_commission")
    assert event.data == {"commission": "Komisi Informasi Provinsi Jawa Barat"}


def test_a_silent_superior_lets_the_reporter_go_to_the_komisi_informasi(monkeypatch, cast):
    kemenkes = Agency.objects.get(slug="kemenkes")
    report = _request(kemenkes, cast)
    Report.objects.filter(pk=report.pk).update(resolution_due=timezone.now() - dt.timedelta(days=1))
    report = _object(report, ground="c", note="Tidak dijawab.")
    with pytest.raises(InvalidAction):  # the superior still has time
        report_transition(
            report_id=report.pk, action="info_to_commission", token=report.reporter_secret
        )
    _at(monkeypatch, report.objection_due + dt.timedelta(minutes=1))
    report = report_transition(
        report_id=report.pk, action="info_to_commission", token=report.reporter_secret
    )
    # A central agency: the Komisi Informasi Pusat.
    assert report.events.get(action="info_to_commission").data == {
        "commission": "Komisi Informasi Pusat"
    }


def test_an_information_request_is_not_handed_to_the_ombudsman(client, cast, agency_a):
    report = _request(agency_a, cast)
    Report.objects.filter(pk=report.pk).update(resolution_due=timezone.now() - dt.timedelta(days=1))
    run_deadline_sweep()
    report.refresh_from_db()
    assert report.escalated_at is not None and report.overdue_at is not None
    assert not report.ombudsman_visible
    assert not ombudsman_eligible(report)
    body = client.get(
        reverse("complaints:track-detail", args=[report.tracking]), {"k": report.reporter_secret}
    ).content.decode()
    assert 'data-testid="objection-form"' in body
    assert 'value="ombudsman_consent"' not in body


# --- the atasan PPID the agency records (agencies.services.ppid_superior_record) -------------


def _record_superior(client, admin, agency, person):
    client.force_login(admin)
    return client.post(
        reverse("manage:home"), {"form": "ppid", "person": f"{agency.pk}:{person.pk}"}
    )


def test_without_a_recorded_superior_the_admins_answer_and_the_page_says_so(
    monkeypatch, client, cast, agency_a
):
    report = _object(_answered(monkeypatch, agency_a, cast, cast.officer_a))
    client.force_login(cast.admin_a)
    managed = client.get(reverse("manage:home")).content.decode()
    assert "belum dicatat (keberatan ke admin instansi)" in managed
    page = client.get(reverse("workspace:detail", args=[report.tracking])).content.decode()
    assert "ditanggapi admin instansi (atasan PPID belum dicatat" in page


def test_objections_go_to_the_recorded_superior_who_alone_answers(
    monkeypatch, client, cast, agency_a, django_capture_on_commit_callbacks
):
    from agencies.models import Role
    from tests.factories import make_staff

    sekda = make_staff(Role.Kind.OFFICER, agency=agency_a, full_name="Sekretaris Daerah")
    response = _record_superior(client, cast.admin_a, agency_a, sekda)
    assert response.status_code == 302
    managed = client.get(reverse("manage:home")).content.decode()
    assert f"{agency_a.name}</strong>: Sekretaris Daerah" in managed

    report = _answered(monkeypatch, agency_a, cast, cast.officer_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = _object(report)
    told = {m.to[0] for m in mail.outbox if "Keberatan" in m.subject}
    assert told == {sekda.email}  # not the admins any more
    client.force_login(sekda)
    page = client.get(reverse("workspace:detail", args=[report.tracking])).content.decode()
    assert "ditanggapi atasan PPID: Sekretaris Daerah" in page
    note = "Atasan PPID: data dikirim ulang."
    with pytest.raises(ActionForbidden):  # the admin is not the recorded superior
        report_transition(
            report_id=report.pk, action="objection_answer", actor=cast.admin_a, note=note
        )
    report = report_transition(
        report_id=report.pk, action="objection_answer", actor=sekda, note=note
    )
    assert report.objection_answered_at is not None

    # Revoked, the admins answer again.
    role = Role.objects.get(user=sekda, kind=Role.Kind.PPID_SUPERIOR)
    client.force_login(cast.admin_a)
    assert client.post(reverse("manage:revoke", args=[role.pk])).status_code == 302
    assert not Role.objects.ppid_superiors(agency_a.pk).exists()


def test_only_the_agencys_own_staff_can_be_recorded_as_its_superior(client, cast, agency_a):
    from agencies.models import Role
    from agencies.services import ppid_superior_record

    response = _record_superior(client, cast.admin_a, agency_a, cast.officer_b)
    assert response.status_code == 400  # not a choice: officer_b works for agency_b
    assert not Role.objects.ppid_superiors(agency_a.pk).exists()
    with pytest.raises(ValueError, match="not staff"):
        ppid_superior_record(agency=agency_a, user=cast.citizen)
    unit = Agency.objects.filter(parent=agency_a).first()
    with pytest.raises(ValueError, match="top-level"):
        ppid_superior_record(agency=unit, user=cast.officer_a)
