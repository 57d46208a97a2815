"""URLs of employers/views/committees.py for tests/test_every_url.py: Derby City Council's learning committee,
a meeting, an action, and survey findings shared with the council."""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile

from learningdesk.employers.models import CommitteeAction, CommitteeMeeting, LearningCommittee, SharedFinding
from learningdesk.surveys.models import Survey
from tests.conftest import World
from tests.employers import make_action, make_meeting

FAKE_PDF = b"%PDF-1.4\n% findings\n%%EOF\n"


def derby_committee(world: World) -> LearningCommittee:
    committee, _created = LearningCommittee.objects.get_or_create(
        employer=world.council, name="Joint learning committee"
    )
    return committee


def derby_meeting(world: World) -> CommitteeMeeting:
    committee = derby_committee(world)
    return committee.meetings.first() or make_meeting(committee)


def derby_action(world: World) -> CommitteeAction:
    meeting = derby_meeting(world)
    return meeting.actions.first() or make_action(meeting)


def derby_finding(world: World) -> SharedFinding:
    """A findings report of a Derby survey shared with Derby City Council."""
    found = SharedFinding.objects.filter(employer=world.council).first()
    if found is not None:
        return found
    survey = Survey.objects.create(unit=world.derby, title="Derby skills audit", status=Survey.Status.CLOSED)
    finding = SharedFinding(employer=world.council, survey=survey, title="What Derby's members want to learn")
    finding.pdf.save("findings.pdf", ContentFile(FAKE_PDF), save=False)
    finding.save()
    return finding


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "employers:committee_add": lambda w: {"employer_pk": w.council.pk},
    "employers:committee_detail": lambda w: {"pk": derby_committee(w).pk},
    "employers:meeting_add": lambda w: {"pk": derby_committee(w).pk},
    "employers:meeting_detail": lambda w: {"pk": derby_meeting(w).pk},
    "employers:meeting_edit": lambda w: {"pk": derby_meeting(w).pk},
    "employers:action_add": lambda w: {"pk": derby_meeting(w).pk},
    "employers:action_edit": lambda w: {"pk": derby_action(w).pk},
    "employers:action_share": lambda w: {"pk": derby_action(w).pk},
    "employers:finding_share": lambda w: {"employer_pk": w.council.pk},
    "employers:finding_pdf": lambda w: {"pk": derby_finding(w).pk},
    "employers:finding_withdraw": lambda w: {"pk": derby_finding(w).pk},
}
SCOPED_LISTS: set[str] = set()
