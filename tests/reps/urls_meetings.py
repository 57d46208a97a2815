"""URLs of reps/views/meetings.py for tests/test_every_url.py: a Derby record for each URL that names one,
and the pages without a record."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from learningdesk.reps.models import MeetingInvite, RepMeeting
from tests.conftest import World
from tests.reps import derby_rep


def derby_meeting(world: World) -> RepMeeting:
    """A Derby ULR meeting next week at the Council House, with Maria Alberts invited."""
    starts_at = timezone.now().replace(microsecond=0) + datetime.timedelta(days=7)
    meeting = RepMeeting.objects.create(
        unit=world.derby,
        title="Derby ULR meeting",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        location="Council House, Committee Room 1",
        agenda="Welcome\nLearning at Work Week",
        created_by=world.coordinator,
    )
    MeetingInvite.objects.create(meeting=meeting, rep=derby_rep(world))
    return meeting


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    name: lambda w: {"pk": derby_meeting(w).pk}
    for name in (
        "reps:meeting_detail",
        "reps:meeting_edit",
        "reps:meeting_invite",
        "reps:meeting_attendance",
        "reps:meeting_action_add",
        "reps:meeting_ics",
    )
}
SCOPED_LISTS: set[str] = {"reps:meetings", "reps:meeting_add"}
