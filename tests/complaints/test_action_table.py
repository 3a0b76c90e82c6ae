"""The action table owns every rule of an action: each row fills every column, the listeners
read the columns instead of keeping their own lists of action names, and the one detour (a
looping transfer landing in triage) is declared in the table."""

import ast
import dataclasses
import pathlib

import pytest

from complaints import effects, workflow
from complaints.models import Status
from complaints.services import report_transition
from tests.factories import dispatched_report

ROOT = pathlib.Path(__file__).resolve().parents[2]

COLUMNS = [
    "name",
    "sources",
    "target",
    "actor",
    "public",
    "label",
    "needs_note",
    "effect",
    "detours",
    "citizen",
    "sms",
    "staff",
    "webhook",
]


def test_the_table_has_exactly_these_columns():
    assert [f.name for f in dataclasses.fields(workflow.Action)] == COLUMNS


@pytest.mark.parametrize("name", sorted(workflow.ACTIONS))
def test_every_row_fills_every_column(name):
    a = workflow.ACTIONS[name]
    assert a.name == name
    assert a.sources <= set(Status.values)
    assert a.target is None or a.target in Status.values
    assert a.actor in {
        workflow.TRIAGE,
        workflow.AGENCY,
        workflow.REPORTER,
        workflow.SYSTEM,
        workflow.STAFF,
    }
    assert isinstance(a.public, bool) and isinstance(a.needs_note, bool)
    assert str(a.label)
    assert callable(a.effect) and a.effect.__module__ == effects.__name__
    assert a.detours <= set(Status.values) and a.target not in a.detours
    assert isinstance(a.citizen, bool) and a.sms in ("", workflow.STATUS, workflow.NOTE)
    assert a.staff in {
        "",
        workflow.QUEUE,
        workflow.ADMINS,
        workflow.SUPERVISORS,
        workflow.VERIFIERS,
        workflow.SUPERIOR,
    }
    assert a.webhook is None or a.webhook in workflow.WEBHOOK_EVENTS
    # Nobody hears of an internal event except staff.
    assert not (a.citizen or a.sms) or a.public
    # An SMS is a shorter e-mail, never a message the citizen would not get by e-mail.
    assert not a.sms or a.citizen


def test_the_citizen_hears_of_the_steps_that_matter_to_them():
    told = {n for n, a in workflow.ACTIONS.items() if a.citizen}
    # The steps DESIGN.md's status machine shows a citizen, and their agency's answers.
    assert {"submit", "request_info", "reject", "dispatch", "respond", "resolve"} <= told
    assert not told & {"note", "assign", "mark_overdue", "mark_verify_overdue", "escalate", "claim"}


LISTENERS = [
    "complaints/notifications.py",
    "complaints/views.py",
    "integrations/sms.py",
    "integrations/webhooks.py",
    "monitoring/receivers.py",
]


@pytest.mark.parametrize("path", LISTENERS)
def test_no_listener_keeps_its_own_set_of_action_names(path):
    """A set, list or tuple literal of two or more action names outside the table is a rule
    kept in a second place."""
    names = set(workflow.ACTIONS)
    tree = ast.parse((ROOT / path).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Set | ast.List | ast.Tuple):
            strings = {e.value for e in node.elts if isinstance(e, ast.Constant)}
            assert len(strings & names) < 2, (path, node.lineno, sorted(strings & names))


def test_the_apply_chain_is_gone_from_the_services():
    source = (ROOT / "complaints/services.py").read_text()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            length = node.end_lineno - node.lineno + 1
            assert length <= 60, (node.name, length)
    assert "elif name ==" not in source


@pytest.mark.django_db
def test_a_looping_transfer_takes_the_declared_detour_to_triage(cast, agency_a, agency_b):
    assert Status.VERIFIED in workflow.ACTIONS["transfer"].detours
    report = dispatched_report(agency_a, cast.national)
    report_transition(
        report_id=report.pk,
        action="transfer",
        actor=cast.officer_a,
        note="Bukan kewenangan kami",
        agency=agency_b,
    )
    back = report_transition(
        report_id=report.pk,
        action="transfer",
        actor=cast.officer_b,
        note="Kembali ke Bandung",
        agency=agency_a,
    )
    assert back.status == Status.VERIFIED and back.agency is None
    assert back.needs_triage_decision
    event = back.events.latest("pk")
    assert (event.action, event.to_status, event.data["loop"]) == (
        "transfer",
        Status.VERIFIED,
        "returned",
    )


def test_an_effect_cannot_land_a_report_where_the_table_does_not_say(monkeypatch):
    from complaints.errors import TransitionNotAllowed
    from complaints.services import _apply

    spec = dataclasses.replace(
        workflow.ACTIONS["respond"],
        effect=lambda report, params, step: step.redirect(Status.CLOSED) or {},
    )

    class Report:
        status = Status.DISPATCHED
        rating = None
        needs_triage_decision = False

    with pytest.raises(TransitionNotAllowed):
        _apply(Report(), spec, {})
