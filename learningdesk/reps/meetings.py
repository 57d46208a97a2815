"""ULR meetings: scheduling, invitations (an email with an .ics a calendar accepts), attendance, notes and
actions. The handbook: reps want "dates of ULR meetings", and meetings should be enjoyable and involving.

Writes validate, save and audit in one transaction; invitation emails go out from a background task
(reps/meeting_tasks.py) once the invitations are committed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from functools import partial
from typing import Any

import icalendar
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.org.models import OrgUnit, Person
from learningdesk.reps.models import CURRENT_REP_STAGES, Action, MeetingInvite, Rep, RepMeeting, Stage
from learningdesk.reps.services import user_or_none

ICS_PRODID = "-//Learning Desk//ULR meetings//EN"


def _audit(*, acting_user: User | None, action: str, target: Any, meeting: RepMeeting, changes: dict) -> None:
    audit_record(actor=acting_user, action=action, target=target, unit_id=meeting.unit_id, changes=changes)


# Scheduling -------------------------------------------------------------------------------------


@transaction.atomic
def meeting_add(*, acting_user: User | None, unit: OrgUnit, data: dict[str, Any]) -> RepMeeting:
    """Schedule a ULR meeting of `unit`. `data` holds RepMeeting's fields (title, starts_at, ends_at, ...)."""
    meeting = RepMeeting(unit=unit, created_by=user_or_none(acting_user), **data)
    meeting.full_clean()
    meeting.save()
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED,
        target=meeting,
        meeting=meeting,
        changes={"title": meeting.title, "starts_at": meeting.starts_at.isoformat()},
    )
    return meeting


@transaction.atomic
def meeting_update(*, acting_user: User | None, meeting: RepMeeting, data: dict[str, Any]) -> RepMeeting:
    """Change a meeting's details or its notes."""
    changed = sorted(name for name, value in data.items() if getattr(meeting, name) != value)
    for name, value in data.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    meeting.save()
    if changed:
        _audit(
            acting_user=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=meeting,
            meeting=meeting,
            changes={"fields": changed},
        )
    return meeting


# Invitations ------------------------------------------------------------------------------------


def invitable_reps(meeting: RepMeeting) -> QuerySet[Rep]:
    """Reps and prospects of the meeting's unit and the units below it (not those who stood down).

    Callers narrow this to the reps the user may change (scoping.editable_reps)."""
    subtree = OrgUnit.objects.filter(path__startswith=meeting.unit.path).values("pk")
    return (
        Rep.objects.filter(person__branch__in=subtree)
        .exclude(stage=Stage.STOOD_DOWN)
        .select_related("person", "kind")
        .order_by("person__last_name", "person__first_name", "id")
    )


def is_current_rep(rep: Rep) -> bool:
    """A rep in the network (notified or later), invited by default; prospects may be invited too."""
    return rep.stage in CURRENT_REP_STAGES


@transaction.atomic
def meeting_invite(
    *, acting_user: User | None, meeting: RepMeeting, reps: Iterable[Rep], site_url: str
) -> list[MeetingInvite]:
    """Invite reps to a meeting and email each of them (with an email address) the agenda and an .ics.

    Inviting someone twice keeps their one invitation (and its attendance) and emails them again: after
    a change of time, their calendar updates the event it already has (same UID).
    `site_url` ("https://learning.example.org") makes the link in the email.
    """
    reps = list(reps)
    existing = {invite.rep_id: invite for invite in meeting.invites.filter(rep__in=reps)}
    new = [MeetingInvite(meeting=meeting, rep=rep) for rep in reps if rep.pk not in existing]
    for invite in new:
        invite.full_clean(validate_constraints=False)
    # Two co-ordinators inviting at once: the unique constraint keeps one invitation each.
    MeetingInvite.objects.bulk_create(new, ignore_conflicts=True)
    invites = list(meeting.invites.filter(rep__in=reps).select_related("rep__person"))
    to_email = [invite.pk for invite in invites if invite.rep.person.email]
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CHANGED,
        target=meeting,
        meeting=meeting,
        changes={"invited": sorted(rep.pk for rep in reps), "new": len(invites) - len(existing)},
    )
    if to_email:
        from learningdesk.reps.meeting_tasks import send_meeting_invites

        organiser = user_or_none(acting_user)
        organiser_id = organiser.pk if organiser is not None else None
        transaction.on_commit(
            partial(
                send_meeting_invites.enqueue,
                invite_ids=to_email,
                organiser_id=organiser_id,
                site_url=site_url,
            )
        )
    return invites


@dataclass(frozen=True)
class Organiser:
    name: str
    email: str


def organiser_for(meeting: RepMeeting, user: User | None) -> Organiser:
    """Who the calendar names as organiser (replies go there): the inviting co-ordinator, else the
    meeting's creator, else the branch's address, else the site's sender."""
    for candidate in (user, meeting.created_by):
        if candidate is not None and candidate.email:
            return Organiser(name=candidate.full_name, email=candidate.email)
    if meeting.unit.email:
        return Organiser(name=meeting.unit.name, email=meeting.unit.email)
    name, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return Organiser(name=name or "Learning Desk", email=email)


def meeting_uid(meeting: RepMeeting) -> str:
    """The calendar UID: the same for every email and download of this meeting, unique across sites."""
    return f"ulr-meeting-{meeting.pk}-{meeting.created_at:%Y%m%dT%H%M%S}@learningdesk"


def meeting_place(meeting: RepMeeting) -> str:
    return ", ".join(part for part in (meeting.location, meeting.online_link) if part)


def meeting_ics(meeting: RepMeeting, *, organiser: Organiser, attendee: Person | None = None, url: str = "") -> bytes:
    """The meeting as an iCalendar REQUEST (RFC 5546), times in UTC, for an email or a download."""
    now = timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", ICS_PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", now.astimezone(datetime.UTC))
    # A later send must carry a higher SEQUENCE for calendars to take it as an update of the same event:
    # minutes since the meeting was created only ever grow.
    event.add("sequence", max(0, int((now - meeting.created_at).total_seconds() // 60)))
    event.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
    event.add("dtend", meeting.ends_at.astimezone(datetime.UTC))
    event.add("summary", meeting.title)
    if meeting_place(meeting):
        event.add("location", meeting_place(meeting))
    description = meeting.agenda.strip()
    if meeting.online_link:
        description = f"{description}\n\nJoin online: {meeting.online_link}".strip()
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CONFIRMED")
    organizer = icalendar.vCalAddress(f"mailto:{organiser.email}")
    organizer.params["cn"] = organiser.name
    event.add("organizer", organizer)
    if attendee is not None and attendee.email:
        address = icalendar.vCalAddress(f"mailto:{attendee.email}")
        address.params.update(
            {"cn": attendee.full_name, "role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION", "rsvp": "TRUE"}
        )
        event.add("attendee", address)
    calendar.add_component(event)
    return calendar.to_ical()


def ics_filename(meeting: RepMeeting) -> str:
    return f"ulr-meeting-{timezone.localtime(meeting.starts_at):%Y-%m-%d}.ics"


def send_meeting_invites(*, invite_ids: Iterable[int], organiser_id: int | None, site_url: str) -> int:
    """Email each invitation (with the agenda and an .ics) and record when it went. Returns how many."""
    from django.urls import reverse

    invites = list(
        MeetingInvite.objects.filter(pk__in=list(invite_ids))
        .exclude(rep__person__email="")
        .select_related("rep__person", "meeting__unit", "meeting__created_by")
    )
    if not invites:
        return 0
    organiser_user = User.objects.filter(pk=organiser_id).first() if organiser_id else None
    messages = []
    for invite in invites:
        meeting, person = invite.meeting, invite.rep.person
        url = f"{site_url}{reverse('reps:meeting_detail', args=[meeting.pk])}"
        organiser = organiser_for(meeting, organiser_user)
        context = {"meeting": meeting, "person": person, "url": url, "organiser": organiser}
        message = EmailMultiAlternatives(
            subject=render_to_string("reps/emails/meeting_invite_subject.txt", context).strip(),
            body=render_to_string("reps/emails/meeting_invite.txt", context),
            to=[person.email],
            reply_to=[organiser.email],
        )
        message.attach_alternative(render_to_string("reps/emails/meeting_invite.html", context), "text/html")
        message.attach(
            ics_filename(meeting),
            meeting_ics(meeting, organiser=organiser, attendee=person, url=url),
            "text/calendar; method=REQUEST; charset=utf-8",
        )
        messages.append(message)
    sent = mailers.default.send_messages(messages) or 0
    MeetingInvite.objects.filter(pk__in=[invite.pk for invite in invites]).update(emailed_at=timezone.now())
    return sent


# After the meeting ------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(
    *, acting_user: User | None, meeting: RepMeeting, attendance: dict[int, str]
) -> list[MeetingInvite]:
    """Record who came: `attendance` maps an invitation's id to attended, apologies or absent."""
    allowed = set(MeetingInvite.Attendance.values)
    changed = []
    for invite in meeting.invites.select_for_update().filter(pk__in=list(attendance)):
        value = attendance[invite.pk]
        if value not in allowed:
            raise ValueError(f"Not an attendance: {value!r}")
        if invite.attendance != value:
            invite.attendance = value
            changed.append(invite)
    MeetingInvite.objects.bulk_update(changed, ["attendance"])
    if changed:
        _audit(
            acting_user=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=meeting,
            meeting=meeting,
            changes={"attendance": {str(invite.rep_id): invite.attendance for invite in changed}},
        )
    return changed


@transaction.atomic
def meeting_action_add(
    *,
    acting_user: User | None,
    meeting: RepMeeting,
    description: str,
    due_on: datetime.date | None,
    rep: Rep | None = None,
    owner_name: str = "",
) -> Action:
    """An action agreed at a meeting: for one of its reps (it shows on their page), for the user, or for
    someone named."""
    action = Action(
        unit=meeting.unit,
        meeting=meeting,
        description=description,
        due_on=due_on,
        created_by=user_or_none(acting_user),
    )
    if rep is not None:
        action.rep = rep
        action.owner = rep.person
    elif owner_name:
        action.owner_name = owner_name
    else:
        user = user_or_none(acting_user)
        if user is not None and user.person_id:
            action.owner_id = user.person_id
        else:
            action.owner_name = user.full_name if user is not None else ""
    action.full_clean()
    action.save()
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED,
        target=action,
        meeting=meeting,
        changes={"meeting": meeting.pk, "description": description, "rep": rep.pk if rep else None},
    )
    return action


# The rep's page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepMeetingRecord:
    attended: int
    missed: int
    recent: list[MeetingInvite]
    next_invite: MeetingInvite | None


def rep_meeting_record(rep: Rep, *, now: datetime.datetime | None = None, recent: int = 5) -> RepMeetingRecord:
    """Meetings a rep attended and missed (apologies or did not come), the last few, and the next one."""
    now = now or timezone.now()
    invites = rep.meeting_invites.select_related("meeting")
    past = invites.filter(meeting__starts_at__lt=now)
    counts = past.aggregate(
        attended=Count("pk", filter=Q(attendance=MeetingInvite.Attendance.ATTENDED)),
        missed=Count(
            "pk", filter=Q(attendance__in=[MeetingInvite.Attendance.APOLOGIES, MeetingInvite.Attendance.ABSENT])
        ),
    )
    return RepMeetingRecord(
        attended=counts["attended"],
        missed=counts["missed"],
        recent=list(past.order_by("-meeting__starts_at")[:recent]),
        next_invite=invites.filter(meeting__starts_at__gte=now).order_by("meeting__starts_at").first(),
    )
