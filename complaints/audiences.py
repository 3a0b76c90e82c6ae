"""What each audience may see of a report: one table, read by every door (the track and public
pages, the staff pages, the REST API, Open311, exports, e-mails, SMS and webhooks go through
``complaints.permissions``, which finds the audience of a user and asks here).

An audience is who is looking, relative to this report: the public (lists, the public page,
Open311), someone holding only its tracking number, its reporter (account or key), the agency
holding it (and the agencies above that unit, and their systems by API key), an agency that held
it before a transfer, a province supervisor, the Ombudsman, national triage. A view says what
that audience sees: the report's content (title, story, place), the reporter's identity, which
timeline (nothing, statuses only, the public events, every event) and which files."""

from dataclasses import dataclass, replace
from enum import StrEnum

from django.db.models import QuerySet

from .models import Attachment, Report, ReportEvent


class Audience(StrEnum):
    PUBLIC = "public"
    NUMBER_HOLDER = "number_holder"
    REPORTER = "reporter"
    HOLDER = "holder"
    FORMER_HOLDER = "former_holder"
    SUPERVISOR = "supervisor"
    OMBUDSMAN = "ombudsman"
    TRIAGE = "triage"
    # An integration client whose system filed the report and no longer holds it (its app is
    # the citizen's front door): the public events, who holds it and its dates.
    CLIENT = "client"
    # An agency a citizen addressed the report to, verifying it before dispatch (SP4N-LAPOR!'s
    # Admin Instansi): the report to decide on, not yet who filed it.
    VERIFIER = "verifier"


# Timelines and files, from least to most.
NONE, STATUSES, PUBLIC, ALL = "none", "statuses", "public", "all"


@dataclass(frozen=True)
class View:
    audience: Audience
    content: bool  # title, story, category, place
    identity: bool  # the reporter's name, e-mail and phone
    timeline: str  # NONE, STATUSES (dates and statuses, no text), PUBLIC or ALL events
    files: str  # NONE, PUBLIC (photos of a published report, re-encoded) or ALL
    name: bool = False  # the reporter's name alone (the public: only when they chose it)

    @property
    def timeline_text(self) -> bool:
        return self.timeline in (PUBLIC, ALL)

    def public_part(self) -> "View":
        """This view on a citizen's page (the track page): staff who may read every event
        still see there only what the reporter sees, never an internal note."""
        return replace(self, timeline=PUBLIC) if self.timeline == ALL else self

    def shows(self, event: ReportEvent) -> bool:
        """Is ``event`` in this audience's timeline at all (text or not)?"""
        if self.timeline == ALL:
            return True
        return self.timeline != NONE and event.is_public

    def note(self, event: ReportEvent) -> str:
        """The text of ``event`` this audience may read ("" when only its status shows)."""
        if self.timeline == ALL or (self.timeline == PUBLIC and event.is_public):
            return event.note
        return ""


def timeline(report: Report, view: View) -> list[ReportEvent]:
    """The events ``view`` shows, oldest first (their text: ``view.note(event)``)."""
    if view.timeline == NONE:
        return []
    # Bounded by the filing time: only the report's monthly partitions (complaints.partitions).
    events = report.events.of_report(report).select_related("to_agency", "from_agency")
    if view.timeline != ALL:
        events = events.public()
    return list(events.order_by("created_at", "pk"))


def files(report: Report, view: View) -> QuerySet[Attachment]:
    """The attachments ``view`` may open: all of them, a published report's photos (served
    re-encoded, without EXIF or GPS: complaints.photos) or none."""
    if view.files == ALL:
        return report.attachments.order_by("pk")
    if view.files == PUBLIC:
        return report.attachments.filter(content_type__startswith="image/").order_by("pk")
    return report.attachments.none()


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
    - An agency that held the report before sees where it went, not its content from then on;
      a client whose system filed it also reads its public events (it answers the citizen)."""
    published = report.is_published
    named = not report.is_anonymous
    if audience == Audience.TRIAGE:
        return View(audience, True, True, ALL, ALL, name=True)
    if audience == Audience.REPORTER:
        return View(audience, True, True, PUBLIC, ALL, name=True)
    if audience in (Audience.HOLDER, Audience.SUPERVISOR):
        return View(audience, True, named, ALL, ALL, name=named)
    if audience == Audience.OMBUDSMAN:
        shared = report.ombudsman_share_identity
        return View(audience, True, shared, ALL, ALL, name=shared)
    if audience == Audience.VERIFIER:
        return View(audience, True, False, ALL, ALL)
    if audience == Audience.FORMER_HOLDER:
        return View(audience, False, False, STATUSES, NONE)
    if audience == Audience.CLIENT:
        return View(audience, False, False, PUBLIC, NONE)
    # The public and whoever holds the tracking number: the name only when the reporter chose
    # to show it (UU 27/2022 on personal data: consent before publishing a name).
    if published:
        return View(audience, True, False, PUBLIC, PUBLIC, name=report.show_name and named)
    return View(audience, False, False, STATUSES, NONE)
