"""Reports driven through the status machine into a given state (for the SP4N figure tests)."""

from agencies.models import Agency, Role
from complaints.services import report_transition
from tests.factories import dispatched_report, file_report, make_staff

# The path through the status machine to each state, after filing.
PATHS = {
    "submitted": [],
    "needs_info": ["request_info"],
    "verified": ["verify"],
    "rejected": ["reject"],
    "merged": ["merge"],
    "dispatched": ["dispatch"],
    "in_progress": ["dispatch", "respond"],
    "resolved": ["dispatch", "respond", "resolve"],
    "closed": ["dispatch", "respond", "resolve", "accept"],
}


def officer_of(agency: Agency):
    return make_staff(Role.Kind.OFFICER, agency=agency)


def file_in_state(state: str, *, province: str, agency: Agency, officer, national, into=None):
    """One report of ``province`` taken to ``state`` through report_transition."""
    steps = PATHS[state]
    if "dispatch" in steps:
        report = dispatched_report(
            agency, national, province_id=province, regency_id=agency.regency_id
        )
        steps = steps[1:]
    else:
        report = file_report(province_id=province, regency_id=None)
    for action in steps:
        params: dict = {"report_id": report.pk, "action": action}
        if action in ("respond", "resolve"):
            params.update(actor=officer, note="ditindaklanjuti")
        elif action == "accept":
            params.update(token=report.reporter_secret, rating=4)
        elif action == "merge":
            params.update(actor=national, into=into)
        else:
            params.update(actor=national, note="catatan triase")
        report = report_transition(**params)
    return report


def file_states(counts: dict, *, province: str, agencies: list[Agency], national) -> list:
    """``counts`` {state: n} reports in ``province``, spread over ``agencies``. Merged
    reports are merged into the first submitted one (so "submitted" comes first)."""
    officers = {a.pk: officer_of(a) for a in agencies}
    reports: list = []
    for state, n in counts.items():
        for _ in range(n):
            agency = agencies[len(reports) % len(agencies)]
            into = next((r for r in reports if r.status == "submitted"), None)
            report = file_in_state(
                state,
                province=province,
                agency=agency,
                officer=officers[agency.pk],
                national=national,
                into=into,
            )
            reports.append(report)
    return reports
