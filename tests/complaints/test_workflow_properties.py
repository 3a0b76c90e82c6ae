"""Properties of the status machine under random use: any sequence of actions, legal or not, by
any member of the cast, keeps a report in exactly one queue, never leaves an agency status
without an agency, and leaves an unbroken audit trail (one event per success, none per
failure)."""

import itertools

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from agencies.models import Agency, Role
from complaints import workflow
from complaints.errors import DomainError
from complaints.models import AGENCY_STATUSES, Report, ReportEvent, Status
from complaints.permissions import reports_visible_to
from complaints.queues import inbox_for, triage_queue
from complaints.services import report_transition
from tests.factories import file_report, make_staff

pytestmark = pytest.mark.django_db

S = Status
FINAL = (S.CLOSED, S.REJECTED, S.MERGED, S.ARCHIVED)  # archived: not completed by its reporter
NOTE = "Keterangan acak."

# "right" stands for whoever the action is meant for in the report's current state, so that
# random sequences get past triage often enough to reach transfers, disputes and closing.
ACTORS = ["right"] * 16 + [
    "citizen",
    "officer_a",
    "officer_b",
    "officer_c",
    "admin_a",
    "supervisor",
    "national",
    "ombudsman",
    "stranger",
    "system",
    "token",
    "nobody",
]
TARGETS = ["agency_a", "agency_b", "agency_c", "unit_a", "unit_b", "none"]

steps = st.lists(
    st.fixed_dictionaries(
        {
            # Mostly a move the status allows that keeps the report open (so sequences get
            # deep), else any allowed action, or any action at all.
            "mode": st.sampled_from(["move"] * 4 + ["allowed", "allowed", "any"]),
            "pick": st.integers(0, 100),
            "action": st.sampled_from(sorted(workflow.ACTIONS)),
            "actor": st.sampled_from(ACTORS),
            "note": st.sampled_from([NOTE] * 5 + [""]),
            "target": st.sampled_from(TARGETS),
            "rating": st.integers(0, 6),
            "version": st.sampled_from(["none"] * 4 + ["current", "stale"]),
            "into": st.sampled_from(["earlier", "self"]),
        }
    ),
    min_size=6,
    max_size=30,
)


# Where a random sequence starts, reached through legal actions: from a new report, or from
# deeper in the machine so that transfers, disputes and closing get their share of examples.
_DISPATCH = [("verify", "national", {}), ("dispatch", "national", {"agency": "agency_a"})]
START = {
    S.SUBMITTED: [],
    S.DISPATCHED: _DISPATCH,
    S.IN_PROGRESS: [*_DISPATCH, ("respond", "officer_a", {})],
    S.RESOLVED: [*_DISPATCH, ("respond", "officer_a", {}), ("resolve", "officer_a", {})],
}


@pytest.fixture
def world(cast, agency_a, agency_b):
    agency_c = Agency.objects.get(slug="pemprov-32")
    officer_c = make_staff(Role.Kind.OFFICER, agency=agency_c)
    targets = {
        "agency_a": agency_a,
        "agency_b": agency_b,
        "agency_c": agency_c,
        "unit_a": Agency.objects.get(slug=f"{agency_a.slug}-dinas-kesehatan"),
        "unit_b": Agency.objects.get(slug=f"{agency_b.slug}-dinas-pupr"),
        "none": None,
    }
    users = {name: getattr(cast, name) for name in vars(cast)} | {"officer_c": officer_c}
    officer_of = {agency_a.pk: cast.officer_a, agency_b.pk: cast.officer_b, agency_c.pk: officer_c}
    earlier = file_report(reporter=cast.stranger, title="Laporan yang lebih dulu")
    return {"users": users, "targets": targets, "officer_of": officer_of, "earlier": earlier}


def right_actor(world, report: Report, spec: workflow.Action) -> str:
    if spec.actor in (workflow.TRIAGE, workflow.STAFF):
        return "national"
    if spec.actor == workflow.REPORTER:
        return "citizen"
    if spec.actor == workflow.SYSTEM:
        return "system"
    officer = world["officer_of"].get(report.owner_agency_id, world["users"]["officer_a"])
    return next(k for k, u in world["users"].items() if u == officer)


def call(world, report: Report, step: dict) -> None:
    action = step["action"]
    if step["mode"] != "any":
        allowed = workflow.allowed_actions(report.status)
        if step["mode"] == "move":
            allowed = [a for a in allowed if a.target and a.target not in FINAL] or allowed
        action = allowed[step["pick"] % len(allowed)].name
    spec = workflow.ACTIONS[action]
    who = step["actor"]
    if who == "right":
        who = right_actor(world, report, spec)
    kwargs = {"note": step["note"]}
    if who == "system":
        kwargs["system"] = True
    elif who == "token":
        kwargs["token"] = report.reporter_secret
    elif who != "nobody":
        kwargs["actor"] = world["users"][who]
    if step["version"] == "current":
        kwargs["expected_version"] = report.version
    elif step["version"] == "stale":
        kwargs["expected_version"] = report.version - 1
    if step["rating"]:
        kwargs["rating"] = step["rating"]
    kwargs.update(
        agency=world["targets"][step["target"]],
        into=world["earlier"] if step["into"] == "earlier" else report,
        assignee=world["users"]["officer_a"],
        user=world["users"]["citizen"],
    )
    report_transition(report_id=report.pk, action=action, **kwargs)


def queues_holding(world, report: Report) -> list[str]:
    """The queues the report is in, asked through the querysets the pages use."""
    found = []
    if triage_queue().filter(pk=report.pk).exists():
        found.append("triage")
    officer = world["officer_of"].get(report.owner_agency_id)
    if (
        officer is not None
        and report.status in AGENCY_STATUSES
        and reports_visible_to(officer).filter(pk=report.pk, agency__isnull=False).exists()
        and inbox_for(officer).filter(pk=report.pk).exists()
    ):
        found.append("agency")
    if Report.objects.filter(pk=report.pk, status=S.NEEDS_INFO).exists():
        found.append("reporter")
    if Report.objects.filter(pk=report.pk, status__in=FINAL).exists():
        found.append("final")
    return found


def check_invariants(world, report: Report, successes: int) -> None:
    report.refresh_from_db()
    # An agency status always has an agency, consistent with its owner and path.
    if report.status in AGENCY_STATUSES:
        assert report.agency_id is not None, report.status
    if report.agency_id is not None:
        assert report.agency_path == report.agency.path
        assert report.owner_agency_id == report.agency.root_id
    else:
        assert report.owner_agency_id is None and report.agency_path == ""
    # One event per success, none per failure; one version bump per success.
    events = list(ReportEvent.objects.filter(report=report).order_by("pk"))
    assert len(events) == 1 + successes
    assert report.version == 1 + successes
    # The chain of events is unbroken and ends where the report is.
    assert (events[0].action, events[0].from_status) == ("submit", "")
    for prev, this in itertools.pairwise(events):
        assert this.from_status == prev.to_status, (prev, this)
    assert events[-1].to_status == report.status
    # Never lost: exactly one queue holds it.
    queues = queues_holding(world, report)
    assert len(queues) == 1, (report.status, report.agency_id, queues)
    if report.needs_triage_decision:
        assert queues == ["triage"]
    # Only the holder's officers see it; a former holder does not.
    for agency_id, officer in world["officer_of"].items():
        sees = reports_visible_to(officer).filter(pk=report.pk).exists()
        assert sees == (report.owner_agency_id == agency_id)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(start=st.sampled_from(list(START)), sequence=steps)
def test_random_sequences_keep_the_report_in_one_queue_with_a_clean_trail(world, start, sequence):
    report = file_report(reporter=world["users"]["citizen"])  # a fresh report per example
    for action, who, params in START[start]:
        report_transition(
            report_id=report.pk,
            action=action,
            actor=world["users"][who],
            note=NOTE,
            **{k: world["targets"][v] for k, v in params.items()},
        )
    successes = len(START[start])
    check_invariants(world, report, successes)
    for step in sequence:
        before = (report.status, report.version, report.agency_id)
        try:
            call(world, report, step)
        except DomainError:
            report.refresh_from_db()
            assert (report.status, report.version, report.agency_id) == before
        else:
            successes += 1
        check_invariants(world, report, successes)
        event(f"visited {report.status}")


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    moves=st.lists(
        st.tuples(st.sampled_from(["agency_a", "agency_b", "agency_c", "unit_a"]), st.booleans()),
        min_size=1,
        max_size=7,
    )
)
def test_transfers_never_bounce_forever(world, moves):
    """However officers pass a report around, a loop or a fourth move lands it in national
    triage; until then it sits with exactly one agency."""
    report = file_report(reporter=world["users"]["citizen"])
    report_transition(report_id=report.pk, action="verify", actor=world["users"]["national"])
    report_transition(
        report_id=report.pk,
        action="dispatch",
        actor=world["users"]["national"],
        agency=world["targets"]["agency_a"],
    )
    held = {world["targets"]["agency_a"].pk}
    for target, respond_first in moves:
        report.refresh_from_db()
        if report.status == S.VERIFIED:
            break
        officer = world["officer_of"][report.owner_agency_id]
        if respond_first and report.status == S.DISPATCHED:
            report_transition(report_id=report.pk, action="respond", actor=officer, note=NOTE)
        agency = world["targets"][target]
        try:
            report_transition(
                report_id=report.pk, action="transfer", actor=officer, note=NOTE, agency=agency
            )
        except DomainError:
            assert agency.root_id == report.owner_agency_id  # only a move to itself is refused
            continue
        report.refresh_from_db()
        looped = agency.root_id in held or report.transfer_count > 3
        held.add(agency.root_id)
        if looped:
            assert report.status == S.VERIFIED and report.needs_triage_decision
        else:
            assert report.status == S.DISPATCHED and report.owner_agency_id == agency.root_id
        assert report.transfer_count <= 4
        check_invariants(world, report, ReportEvent.objects.filter(report=report).count() - 1)
