"""The status machine, action by action: every action from each of its source statuses with the
right actor, and from every other status refused without a trace; wrong actors, missing notes,
stale versions; transfers, loops, returns to triage and disputes ("no wrong door")."""

import datetime as dt
import itertools
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.utils import timezone

from agencies.models import Agency, Role
from complaints import workflow
from complaints.errors import (
    ActionForbidden,
    InvalidAction,
    StaleReport,
    TransitionNotAllowed,
)
from complaints.models import Kind, Report, ReportEvent, Status
from complaints.permissions import reports_visible_to
from complaints.queues import triage_queue
from complaints.services import report_transition, report_verify_and_route
from tests.factories import file_report, make_staff

pytestmark = pytest.mark.django_db

S = Status
NOTE = "Keterangan petugas untuk tindakan ini."

# How to reach each status from a fresh report through legal actions: (action, actor key).
PATHS: dict[str, list[tuple[str, str]]] = {
    S.SUBMITTED: [],
    S.NEEDS_INFO: [("request_info", "national")],
    S.VERIFIED: [("verify", "national")],
    S.DISPATCHED: [("verify", "national"), ("dispatch", "national")],
    S.IN_PROGRESS: [("verify", "national"), ("dispatch", "national"), ("respond", "officer_a")],
    S.RESOLVED: [
        ("verify", "national"),
        ("dispatch", "national"),
        ("respond", "officer_a"),
        ("resolve", "officer_a"),
    ],
    S.CLOSED: [
        ("verify", "national"),
        ("dispatch", "national"),
        ("respond", "officer_a"),
        ("resolve", "officer_a"),
        ("accept", "citizen"),
    ],
    S.REJECTED: [("reject", "national")],
    S.MERGED: [("merge", "national")],
    S.ARCHIVED: [("request_info", "national"), ("expire_info", "system")],
}


@dataclass
class World:
    cast: SimpleNamespace
    agency_a: Agency
    agency_b: Agency
    unit_a: Agency  # a work unit of agency A (Dinas Kesehatan Kota Bandung)
    earlier: Report  # an earlier open report to merge into
    extra: dict = field(default_factory=dict)

    def user(self, key: str):
        return getattr(self.cast, key)


@pytest.fixture
def world(cast, agency_a, agency_b) -> World:
    return World(
        cast=cast,
        agency_a=agency_a,
        agency_b=agency_b,
        unit_a=Agency.objects.get(slug=f"{agency_a.slug}-dinas-kesehatan"),
        earlier=file_report(reporter=cast.stranger, title="Laporan yang lebih dulu"),
    )


def step_params(w: World, action: str) -> dict:
    """The extra arguments an action needs to succeed (targets, ratings)."""
    return {
        "merge": {"into": w.earlier},
        "dispatch": {"agency": w.agency_a},
        "transfer": {"agency": w.agency_b},
        "assign_unit": {"agency": w.unit_a},
        "assign": {"assignee": w.cast.officer_a},
        "rate": {"rating": 4},
        "claim": {"user": w.cast.citizen},
        "reissue_key": {"via": "email"},
        "tag": {"tags": ["banjir"]},
        "recategorize": {"kind": "aspiration"},
        "survey": {"answers": [4, 3, 3, 4, 3, 3, 4, 3, 3]},
        "info_objection": {"ground": "d"},
    }.get(action, {})


def act(w: World, report: Report, action: str, actor_key: str | None, **extra) -> Report:
    spec = workflow.ACTIONS[action]
    kwargs = {**step_params(w, action), **extra}
    if action in ("followup_fixed", "reopen"):  # the answer to the report's open question
        kwargs.setdefault("followup", _question(report))
    if actor_key == "system":
        kwargs["system"] = True
    elif actor_key is not None:
        kwargs["actor"] = w.user(actor_key)
    if spec.needs_note:
        kwargs.setdefault("note", NOTE)
    return report_transition(report_id=report.pk, action=action, **kwargs)


def _question(report: Report):
    from complaints.models import FollowUp

    moment = report.resolved_at or report.created_at
    return FollowUp.objects.get_or_create(report=report, resolved_at=moment)[0]


def drive(w: World, status: str, **filing) -> Report:
    """A fresh report filed by the citizen and moved to ``status`` through legal actions."""
    report = file_report(reporter=w.cast.citizen, **filing)
    for action, actor_key in PATHS[status]:
        report = act(w, report, action, actor_key)
    report.refresh_from_db()
    assert report.status == status
    return report


# For each action: the actor key that may take it, how the report must be filed, and any
# set-up needed once it is in the source status.
@dataclass(frozen=True)
class Right:
    actor: str | None
    filing: dict = field(default_factory=dict)
    setup: object = None


def _overdue(report: Report) -> None:
    # The Ombudsman may be asked once the agency is overdue (or its answer disputed).
    Report.objects.filter(pk=report.pk).update(overdue_at=timezone.now())


def _addressed_to_a(report: Report) -> None:
    # The citizen named Kota Bandung (officer_a's agency): it may verify the report itself.
    from agencies.models import Agency

    Report.objects.filter(pk=report.pk).update(
        requested_agency=Agency.objects.get(slug="pemkot-3273")
    )


def _verify_late(report: Report) -> None:
    Report.objects.filter(pk=report.pk).update(verify_due=timezone.now() - dt.timedelta(days=1))


def _objectable(report: Report) -> None:
    # UU 14/2008 art. 35-36: held unanswered past its limit, or within 30 days of the answer.
    Report.objects.filter(pk=report.pk).update(
        resolution_due=timezone.now() - dt.timedelta(days=1),
        objection_by=timezone.now() + dt.timedelta(days=1),
    )


def _objected(report: Report) -> None:
    Report.objects.filter(pk=report.pk).update(
        objection_at=timezone.now(), objection_due=timezone.now() + dt.timedelta(days=30)
    )


def _objection_answered(report: Report) -> None:
    Report.objects.filter(pk=report.pk).update(
        objection_at=timezone.now(),
        objection_answered_at=timezone.now(),
        commission_by=timezone.now() + dt.timedelta(days=14),
    )


INFO = {"kind": Kind.INFORMATION_REQUEST}

RIGHT: dict[str, Right] = {
    "verify": Right("national"),
    "agency_verify": Right("officer_a", setup=_addressed_to_a),
    "attach": Right("national"),
    "request_info": Right("national"),
    "provide_info": Right("citizen"),
    "expire_info": Right("system"),
    "reject": Right("national"),
    "merge": Right("national"),
    "unmerge": Right("national"),
    "dispatch": Right("national"),
    "respond": Right("officer_a"),
    "progress": Right("officer_a"),
    "resolve": Right("officer_a"),
    "extend": Right("officer_a", filing={"kind": Kind.INFORMATION_REQUEST}),
    "transfer": Right("officer_a"),
    "return_to_triage": Right("officer_a"),
    "assign_unit": Right("admin_a"),
    "assign": Right("admin_a"),
    "ask_info": Right("officer_a"),
    "note": Right("national"),
    "tag": Right("national"),
    "recategorize": Right("national"),
    "reply": Right("citizen"),
    "accept": Right("citizen"),
    "dispute": Right("citizen"),
    "rate": Right("citizen"),
    "followup_fixed": Right("citizen"),
    "reopen": Right("citizen"),
    "auto_close": Right("system"),
    "mark_overdue": Right("system"),
    "escalate": Right("system"),
    "claim": Right("system"),
    "reissue_key": Right("system"),
    "ombudsman_consent": Right("citizen", setup=_overdue),
    "mark_verify_overdue": Right("system", setup=_verify_late),
    "survey": Right("citizen"),
    "info_objection": Right("citizen", filing=INFO, setup=_objectable),
    "objection_answer": Right("admin_a", filing=INFO, setup=_objected),
    "info_to_commission": Right("citizen", filing=INFO, setup=_objection_answered),
    "submit": Right("citizen"),  # filing itself: taken from no status, only by report_submit
}

STATUSES = list(S.values)
ALLOWED_CASES = [(n, s) for n, a in workflow.ACTIONS.items() for s in STATUSES if s in a.sources]
REFUSED_CASES = [
    (n, s) for n, a in workflow.ACTIONS.items() for s in STATUSES if s not in a.sources
]


def snapshot(report: Report) -> tuple:
    report.refresh_from_db()
    return (
        report.status,
        report.version,
        report.agency_id,
        report.transfer_count,
        report.reopen_count,
        ReportEvent.objects.filter(report=report).count(),
    )


def prepared(w: World, action: str, status: str) -> Report:
    right = RIGHT[action]
    report = drive(w, status, **right.filing)
    if right.setup is not None:
        right.setup(report)
        report.refresh_from_db()
    return report


def test_every_action_has_a_test_spec():
    assert set(RIGHT) == set(workflow.ACTIONS), "a new action needs its row in RIGHT"


def test_allowed_derives_from_actions():
    for status in STATUSES:
        targets = set().union(*[workflow.targets(a) for a in workflow.allowed_actions(status)])
        assert workflow.ALLOWED[status] == targets


@pytest.mark.parametrize(("action", "status"), ALLOWED_CASES)
def test_action_succeeds_from_its_source(world, action, status):
    spec = workflow.ACTIONS[action]
    report = prepared(world, action, status)
    version = report.version
    last = ReportEvent.objects.filter(report=report).order_by("pk").last()

    result = act(world, report, action, RIGHT[action].actor)

    report.refresh_from_db()
    if (
        spec.target is None and spec.detours
    ):  # an undo goes back to where the undone action started (the path came through it);
        # an objection opens an answered request again and leaves a held one where it is
        assert report.status in workflow.targets(spec) | {status}
        assert report.status == result.status
    else:
        assert report.status == (spec.target or status) == result.status
    assert report.version == version + 1
    new = list(ReportEvent.objects.filter(report=report, pk__gt=last.pk))
    assert len(new) == 1
    event = new[0]
    actor_key = RIGHT[action].actor
    expected_actor = None if actor_key == "system" else world.user(actor_key)
    assert (event.action, event.from_status, event.to_status) == (action, status, report.status)
    assert event.actor == expected_actor
    assert event.is_public is spec.public
    assert event.note == (NOTE if spec.needs_note else "")
    if actor_key == "system":
        assert event.actor_label == "LAPOR"


@pytest.mark.parametrize(("action", "status"), REFUSED_CASES)
def test_action_refused_from_other_status_changes_nothing(world, action, status):
    report = prepared(world, action, status)
    before = snapshot(report)

    with pytest.raises(TransitionNotAllowed):
        act(world, report, action, RIGHT[action].actor)

    assert snapshot(report) == before


# --- the wrong actor ------------------------------------------------------------------------

PREFERRED = [S.IN_PROGRESS, S.DISPATCHED, S.RESOLVED, S.SUBMITTED, S.NEEDS_INFO, S.VERIFIED]
PREFERRED += [S.CLOSED, S.REJECTED, S.MERGED, S.ARCHIVED]


def a_source(action: str) -> str:
    sources = workflow.ACTIONS[action].sources
    return next(s for s in PREFERRED if s in sources)


WRONG: dict[str, list[str]] = {
    workflow.TRIAGE: ["officer_a", "admin_a", "supervisor", "ombudsman", "stranger", "citizen"],
    workflow.AGENCY: ["officer_b", "supervisor", "ombudsman", "national", "stranger", "citizen"],
    workflow.REPORTER: ["stranger", "officer_a", "supervisor", "national"],
    workflow.STAFF: ["officer_b", "supervisor", "ombudsman", "stranger", "citizen"],
    workflow.SYSTEM: ["national", "officer_a", "citizen", None],
}
WRONG_CASES = [
    (name, who)
    for name, a in workflow.ACTIONS.items()
    if a.sources  # filing ("submit") is taken from no status: nobody can take it again
    for who in WRONG.get(a.actor, [])
]


@pytest.mark.parametrize(("action", "who"), WRONG_CASES)
def test_wrong_actor_is_forbidden_and_changes_nothing(world, action, who):
    report = prepared(world, action, a_source(action))
    before = snapshot(report)
    kwargs = step_params(world, action)
    if workflow.ACTIONS[action].needs_note:
        kwargs["note"] = NOTE
    actor = world.user(who) if who else None

    with pytest.raises(ActionForbidden):
        report_transition(report_id=report.pk, action=action, actor=actor, **kwargs)

    assert snapshot(report) == before


def test_officer_of_holding_agency_may_act_on_its_unit_but_not_the_other_way(world):
    report = drive(world, S.IN_PROGRESS)
    unit_officer = make_staff(Role.Kind.OFFICER, agency=world.unit_a)
    with pytest.raises(ActionForbidden):
        act(world, report, "progress", None, actor=unit_officer)
    act(world, report, "assign_unit", "admin_a")
    act(world, report, "progress", None, actor=unit_officer)
    act(world, report, "progress", "officer_a")  # the parent still covers its unit


def test_system_action_needs_system_flag_even_for_national_admin(world):
    report = drive(world, S.NEEDS_INFO)
    with pytest.raises(ActionForbidden):
        report_transition(report_id=report.pk, action="expire_info", actor=world.cast.national)
    report = report_transition(report_id=report.pk, action="expire_info", system=True)
    assert report.status == S.ARCHIVED


# --- notes, versions, unknown actions -------------------------------------------------------

NOTE_ACTIONS = [n for n, a in workflow.ACTIONS.items() if a.needs_note]


@pytest.mark.parametrize("action", NOTE_ACTIONS)
@pytest.mark.parametrize("note", ["", "   \n "])
def test_note_required_actions_refuse_an_empty_note(world, action, note):
    report = prepared(world, action, a_source(action))
    before = snapshot(report)
    with pytest.raises(InvalidAction):
        act(world, report, action, RIGHT[action].actor, note=note)
    assert snapshot(report) == before


def test_unknown_action_is_invalid(world):
    report = drive(world, S.SUBMITTED)
    with pytest.raises(InvalidAction):
        report_transition(report_id=report.pk, action="delete", actor=world.cast.national)


def test_stale_version_is_refused_and_current_one_accepted(world):
    report = drive(world, S.IN_PROGRESS)
    seen = report.version
    act(world, report, "progress", "officer_a", expected_version=seen)
    before = snapshot(report)

    with pytest.raises(StaleReport):
        act(world, report, "resolve", "admin_a", expected_version=seen)

    assert snapshot(report) == before
    act(world, report, "resolve", "admin_a", expected_version=seen + 1)
    report.refresh_from_db()
    assert report.status == S.RESOLVED


def test_stale_version_wins_over_status_check(world):
    """A form from before a change gets "reload", not "not allowed in this status"."""
    report = drive(world, S.IN_PROGRESS)
    seen = report.version
    act(world, report, "resolve", "officer_a")
    with pytest.raises(StaleReport):
        act(world, report, "resolve", "admin_a", expected_version=seen)


# --- transfers and "no wrong door" ----------------------------------------------------------


def backdate_clocks(report: Report, days: int = 10) -> Report:
    past = timezone.now() - dt.timedelta(days=days)
    Report.objects.filter(pk=report.pk).update(
        dispatched_at=past,
        agency_received_at=past,
        response_due=past + dt.timedelta(days=7),
        resolution_due=past + dt.timedelta(days=60),
    )
    report.refresh_from_db()
    return report


def test_transfer_restarts_first_response_clock_not_resolution(world):
    report = backdate_clocks(drive(world, S.IN_PROGRESS))
    old = (report.dispatched_at, report.resolution_due, report.response_due)

    report = act(world, report, "transfer", "officer_a")

    report.refresh_from_db()
    assert report.status == S.DISPATCHED
    assert report.agency == world.agency_b and report.owner_agency == world.agency_b
    assert report.transfer_count == 1
    assert report.dispatched_at == old[0]
    assert report.resolution_due == old[1]
    assert report.response_due > old[2]
    assert report.response_due > timezone.now()
    assert timezone.now() - report.agency_received_at < dt.timedelta(minutes=1)
    event = report.events.order_by("pk").last()
    assert event.from_agency == world.agency_a and event.to_agency == world.agency_b


def test_transfer_moves_the_report_between_inboxes(world):
    report = drive(world, S.DISPATCHED)
    a_sees = reports_visible_to(world.cast.officer_a)
    assert a_sees.filter(pk=report.pk).exists()
    assert not reports_visible_to(world.cast.officer_b).filter(pk=report.pk).exists()

    act(world, report, "transfer", "officer_a")

    assert not reports_visible_to(world.cast.officer_a).filter(pk=report.pk).exists()
    assert reports_visible_to(world.cast.officer_b).filter(pk=report.pk).exists()
    with pytest.raises(ActionForbidden):
        act(world, report, "respond", "officer_a")
    act(world, report, "respond", "officer_b")


def test_transfer_to_own_agency_or_inactive_one_is_invalid(world):
    report = drive(world, S.IN_PROGRESS)
    before = snapshot(report)
    with pytest.raises(InvalidAction):
        act(world, report, "transfer", "officer_a", agency=world.unit_a)
    with pytest.raises(InvalidAction):
        act(world, report, "transfer", "officer_a", agency=None)
    Agency.objects.filter(pk=world.agency_b.pk).update(is_active=False)
    world.agency_b.refresh_from_db()
    with pytest.raises(InvalidAction):
        act(world, report, "transfer", "officer_a")
    assert snapshot(report) == before


def _in_triage_for_decision(report: Report) -> None:
    report.refresh_from_db()
    assert report.status == S.VERIFIED
    assert report.needs_triage_decision is True
    assert report.agency_id is None and report.owner_agency_id is None
    assert report.agency_path == ""
    assert triage_queue().filter(pk=report.pk).exists()


def test_transfer_back_to_a_previous_holder_goes_to_national_triage(world):
    report = drive(world, S.IN_PROGRESS)
    act(world, report, "transfer", "officer_a")  # A -> B
    act(world, report, "transfer", "officer_b", agency=world.agency_a)  # B -> A again: a loop

    _in_triage_for_decision(report)
    assert report.transfer_count == 2
    event = report.events.order_by("pk").last()
    assert (event.action, event.from_status, event.to_status) == (
        "transfer",
        "dispatched",
        "verified",
    )
    assert event.data["loop"] == "returned"
    assert event.data["proposed_agency"] == world.agency_a.pk
    for officer in (world.cast.officer_a, world.cast.officer_b):
        assert not reports_visible_to(officer).filter(pk=report.pk).exists()

    # Triage decides; the new dispatch clears the flag.
    report = act(world, report, "dispatch", "national", agency=world.agency_b)
    assert report.status == S.DISPATCHED and report.needs_triage_decision is False


def test_transfer_back_to_a_unit_of_a_previous_holder_is_a_loop(world):
    report = drive(world, S.IN_PROGRESS)
    act(world, report, "transfer", "officer_a")  # A -> B
    act(world, report, "transfer", "officer_b", agency=world.unit_a)  # B -> A's health office
    _in_triage_for_decision(report)


def test_fourth_move_goes_to_national_triage(world):
    govs = list(
        Agency.objects.filter(kind__in=["pemkab", "pemkot"], is_active=True)
        .exclude(pk__in=[world.agency_a.pk, world.agency_b.pk])
        .order_by("pk")[:3]
    )
    chain = [world.agency_a, world.agency_b, *govs]
    officers = {a.pk: make_staff(Role.Kind.OFFICER, agency=a) for a in chain}
    report = drive(world, S.IN_PROGRESS)
    for n, (src, dst) in enumerate(itertools.pairwise(chain), start=1):
        report = act(world, report, "transfer", None, actor=officers[src.pk], agency=dst)
        report.refresh_from_db()
        assert report.transfer_count == n
        if n <= 3:
            assert report.status == S.DISPATCHED and report.agency == dst
    _in_triage_for_decision(report)
    assert report.events.order_by("pk").last().data["loop"] == "too_many_moves"


def test_return_to_triage_clears_the_agency(world):
    report = drive(world, S.IN_PROGRESS)
    act(world, report, "assign", "admin_a")
    act(world, report, "return_to_triage", "officer_a")

    _in_triage_for_decision(report)
    assert report.assigned_to is None
    assert not reports_visible_to(world.cast.officer_a).filter(pk=report.pk).exists()
    event = report.events.order_by("pk").last()
    assert event.from_agency == world.agency_a and event.to_agency is None


def test_dispute_reopens_and_counts(world):
    report = drive(world, S.RESOLVED)
    assert report.dispute_due is not None
    act(world, report, "dispute", "citizen")
    report.refresh_from_db()
    assert report.status == S.IN_PROGRESS
    assert report.reopen_count == 1
    assert report.resolved_at is None and report.dispute_due is None
    assert report.agency == world.agency_a
    act(world, report, "resolve", "officer_a")
    act(world, report, "dispute", "citizen")
    report.refresh_from_db()
    assert report.reopen_count == 2


# --- the guest reporter's token -------------------------------------------------------------


def test_guest_token_allows_reporter_actions(world):
    report = file_report()  # a guest: no account
    report = act(world, report, "verify", "national")
    act(world, report, "dispatch", "national")
    act(world, report, "respond", "officer_a")
    act(world, report, "resolve", "officer_a")
    report.refresh_from_db()

    with pytest.raises(ActionForbidden):
        report_transition(report_id=report.pk, action="accept", token="bukan-token-yang-benar")
    with pytest.raises(ActionForbidden):
        report_transition(report_id=report.pk, action="accept")
    report_transition(
        report_id=report.pk, action="reply", note="Terima kasih", token=report.reporter_secret
    )
    report = report_transition(
        report_id=report.pk, action="accept", rating=5, token=report.reporter_secret
    )

    assert report.status == S.CLOSED and report.rating == 5
    event = report.events.order_by("pk").last()
    assert event.actor is None and event.actor_label == "Pelapor"


def test_reporter_token_of_another_report_does_not_open_this_one(world):
    mine = drive(world, S.NEEDS_INFO)
    other = file_report()
    with pytest.raises(ActionForbidden):
        report_transition(
            report_id=mine.pk, action="provide_info", note=NOTE, token=other.reporter_secret
        )


@pytest.mark.parametrize(
    ("decision", "params"),
    [("reject", {}), ("merge", {}), ("dispatch", {}), ("request_info", None)],
)
def test_a_triage_decision_settles_the_needs_decision_flag(world, decision, params):
    """Found by the property test: a report returned to triage and then rejected or merged kept
    its "needs a national decision" badge for ever."""
    report = drive(world, S.IN_PROGRESS)
    act(world, report, "return_to_triage", "officer_a")
    report.refresh_from_db()
    assert report.needs_triage_decision is True
    if params is None:  # not a move from verified: refused, flag untouched
        with pytest.raises(TransitionNotAllowed):
            act(world, report, decision, "national")
        report.refresh_from_db()
        assert report.needs_triage_decision is True
        return
    act(world, report, decision, "national", **params)
    report.refresh_from_db()
    assert report.needs_triage_decision is False


# --- verify and route -------------------------------------------------------------------------


def test_verify_and_route_sends_to_the_rule_target(world):
    report = file_report(reporter=world.cast.citizen, category_id=_category("kesehatan").pk)
    report = report_verify_and_route(report_id=report.pk, actor=world.cast.national)
    assert report.status == S.DISPATCHED
    assert report.agency == world.unit_a  # Dinas Kesehatan Kota Bandung
    assert report.routing_rule_id is not None
    assert f"#{report.routing_rule_id}" in report.routing_explanation


def test_verify_and_route_honours_the_agency_the_citizen_named(world):
    report = file_report(
        category_id=_category("kesehatan").pk, requested_agency_id=world.agency_b.pk
    )
    report = report_verify_and_route(report_id=report.pk, actor=world.cast.national)
    assert report.status == S.DISPATCHED and report.agency == world.agency_b
    assert report.routing_rule_id is None


def test_named_agency_no_longer_active_falls_back_to_the_rules(world):
    """A citizen named an agency that has since been deactivated: verifying must not fail (it
    used to raise InvalidAction and roll the verification back, leaving the report stuck in
    triage); the rules decide instead, and the explanation says so."""
    report = file_report(
        category_id=_category("kesehatan").pk, requested_agency_id=world.agency_b.pk
    )
    Agency.objects.filter(pk=world.agency_b.pk).update(is_active=False)
    report = report_verify_and_route(report_id=report.pk, actor=world.cast.national)
    assert report.status == S.DISPATCHED
    assert report.agency == world.unit_a
    assert report.verified_at is not None


def _category(code: str):
    from routing.models import Category

    return Category.objects.get(code=code)


def test_named_agency_inactive_keeps_the_rule_on_record(world):
    report = file_report(
        category_id=_category("kesehatan").pk, requested_agency_id=world.agency_b.pk
    )
    Agency.objects.filter(pk=world.agency_b.pk).update(is_active=False)
    report = report_verify_and_route(report_id=report.pk, actor=world.cast.national)
    assert report.routing_rule_id is not None
    assert f"#{report.routing_rule_id}" in report.routing_explanation
