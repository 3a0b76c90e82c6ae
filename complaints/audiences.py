"""What each audience may see of a report: one table, read by every door (the track and public
pages, the staff pages, the REST API, Open311, exports, e-mails, SMS and webhooks go through
``complaints.permissions``, which finds the audience of a user and asks here).

An audience is who is looking, relative to this report: the public (lists, the public page,
Open311), someone holding only its tracking number, its reporter (account or key), the agency
holding it (and the agencies above that unit, and their systems by API key), an agency that held
it before a transfer, a province supervisor, the Ombudsman, national triage. A view says what
that audience sees: the report's content (title, story, place), the reporter's identity, which
timeline (nothing, statuses only, the public events, every event) and which files."""

from dataclasses import dataclass
from enum import StrEnum

from .models import Report


class Audience(StrEnum):
    PUBLIC = "public"
    NUMBER_HOLDER = "number_holder"
    REPORTER = "reporter"
    HOLDER = "holder"
    FORMER_HOLDER = "former_holder"
    SUPERVISOR = "supervisor"
    OMBUDSMAN = "ombudsman"
    TRIAGE = "triage"


# Timelines and files, from least to most.
NONE, STATUSES, PUBLIC, ALL = "none", "statuses", "public", "all"


@dataclass(frozen=True)
class View:
    audience: Audience
    content: bool  # title, story, category, place
    identity: bool  # the reporter's name, e-mail and phone
    timeline: str  # NONE, STATUSES (dates and statuses, no text), PUBLIC or ALL events
    files: str  # NONE, PUBLIC (photos of a published report, re-encoded) or ALL

    @property
    def timeline_text(self) -> bool:
        return self.timeline in (PUBLIC, ALL)


def view_for(report: Report, audience: Audience) -> View:
    """The one rule of what ``audience`` sees of ``report``. Reads only the report's fields.

    - A report is public only once published (verified, never confidential, rejected or
      merged: ``Report.is_published``); before that, and always for a confidential one, the
      public and a number holder see its status history alone.
    - An anonymous reporter is named to nobody but national triage and the reporter (and the
      Ombudsman, when they chose to tell it).
    - The Ombudsman sees who filed only when the reporter, handing the report over, consented
      to share it (UU 37/2008 Pasal 24: the reporter brings the report; identity is theirs to
      give, anonymous or not).
    - An agency that held the report before sees where it went, not its content from then on."""
    published = report.is_published
    named = not report.is_anonymous
    if audience == Audience.TRIAGE:
        return View(audience, True, True, ALL, ALL)
    if audience == Audience.REPORTER:
        return View(audience, True, True, PUBLIC, ALL)
    if audience in (Audience.HOLDER, Audience.SUPERVISOR):
        return View(audience, True, named, ALL, ALL)
    if audience == Audience.OMBUDSMAN:
        return View(audience, True, report.ombudsman_share_identity, ALL, ALL)
    if audience == Audience.FORMER_HOLDER:
        return View(audience, False, False, STATUSES, NONE)
    # The public and whoever holds the tracking number.
    if published:
        return View(audience, True, False, PUBLIC, PUBLIC)
    return View(audience, False, False, STATUSES, NONE)
