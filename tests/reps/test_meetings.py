"""ULR meetings: scheduling, invitations by email with an .ics a calendar accepts, attendance, notes and
actions, and what a rep's page shows of them."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import icalendar
import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.reps import meetings
from learningdesk.reps.models import Action, MeetingInvite, RepMeeting, Stage
from tests.conftest import client_for
from tests.factories import PersonFactory
from tests.reps import derby_rep, make_rep, rep_with_login

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


def schedule(world, *, days: int = 7, hour: int = 18, title: str = "ULR meeting", unit=None) -> RepMeeting:
    day = timezone.localdate() + datetime.timedelta(days=days)
    starts_at = datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)
    return meetings.meeting_add(
        acting_user=world.coordinator,
        unit=unit or world.derby,
        data={
            "title": title,
            "starts_at": starts_at,
            "ends_at": starts_at + datetime.timedelta(hours=2),
            "location": "Council House, Room 1",
            "agenda": "Welcome\nLearning at Work Week",
        },
    )


def invite(world, meeting: RepMeeting, reps) -> list[MeetingInvite]:
    """Invite, then run what waits for the commit (the email task; ImmediateBackend runs it at once)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return meetings.meeting_invite(
            acting_user=world.coordinator, meeting=meeting, reps=reps, site_url="http://testserver"
        )


def checkbox(page: str, value: int) -> str:
    """The <input> tag of the checkbox with this value."""
    (tag,) = re.findall(rf'<input[^>]*value="{value}"[^>]*>', page)
    return tag


def depot_rep(world):
    return make_rep(world.depot_person, stage=Stage.ACTIVE, workplaces=[world.depot])


# Scheduling -------------------------------------------------------------------------------------


def test_a_coordinator_schedules_a_meeting_in_uk_time(world, coordinator_client):
    day = datetime.date(2027, 7, 14)  # summer time: 18:00 in London is 17:00 UTC
    response = coordinator_client.post(
        reverse("reps:meeting_add"),
        {
            "title": "ULR meeting",
            "date": day.isoformat(),
            "starts": "18:00",
            "ends": "19:30",
            "location": "Council House",
            "agenda": "Welcome",
        },
    )
    meeting = RepMeeting.objects.get()
    assert response["Location"] == reverse("reps:meeting_invite", args=[meeting.pk])
    assert meeting.unit == world.derby
    assert meeting.starts_at == datetime.datetime(2027, 7, 14, 17, 0, tzinfo=datetime.UTC)
    assert meeting.ends_at - meeting.starts_at == datetime.timedelta(minutes=90)


def test_the_meeting_form_suggests_a_title_and_needs_a_place(world, coordinator_client):
    url = reverse("reps:meeting_add")
    assert 'value="ULR meeting"' in coordinator_client.get(url).content.decode()
    response = coordinator_client.post(
        url, {"title": "ULR meeting", "date": "2027-03-03", "starts": "18:00", "ends": "17:00"}
    )
    page = response.content.decode()
    assert "The end time must be after the start time" in page
    assert "Enter where the meeting is, or an online meeting link" in page
    assert not RepMeeting.objects.exists()


def test_a_regional_coordinator_chooses_the_unit(world):
    client = client_for(world.regional)
    page = client.get(reverse("reps:meeting_add")).content.decode()
    assert "Whose meeting" in page and "Derby City" in page
    client.post(
        reverse("reps:meeting_add"),
        {
            "unit": world.notts.pk,
            "title": "Notts ULRs",
            "date": "2027-03-03",
            "starts": "18:00",
            "ends": "19:00",
            "online_link": "https://meet.example.org/ulr",
        },
    )
    assert RepMeeting.objects.get().unit == world.notts


def test_a_meeting_is_edited_with_its_notes(world, coordinator_client):
    meeting = schedule(world)
    local = timezone.localtime(meeting.starts_at)
    response = coordinator_client.post(
        reverse("reps:meeting_edit", args=[meeting.pk]),
        {
            "title": "Summer ULR meeting",
            "date": local.date().isoformat(),
            "starts": "17:00",
            "ends": "19:00",
            "location": "Council House",
            "notes": "Agreed to run stalls in May",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title, meeting.notes) == ("Summer ULR meeting", "Agreed to run stalls in May")
    assert timezone.localtime(meeting.starts_at).hour == 17


# Invitations ------------------------------------------------------------------------------------


def test_invitations_are_emailed_with_an_ics_a_calendar_reads(world, mailoutbox):
    rep = derby_rep(world)
    meeting = schedule(world, title="Derby ULR meeting")
    invite(world, meeting, [rep])
    (message,) = mailoutbox
    assert message.to == [world.derby_person.email]
    assert message.subject.startswith("Invitation: Derby ULR meeting")
    assert "Learning at Work Week" in message.body
    (ics,) = [attachment for attachment in message.attachments if attachment.filename.endswith(".ics")]
    assert ics.mimetype.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(ics.content)
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert event.decoded("DTEND") == meeting.ends_at
    assert str(event["SUMMARY"]) == "Derby ULR meeting"
    assert str(event["LOCATION"]) == "Council House, Room 1"
    assert "Learning at Work Week" in str(event["DESCRIPTION"])
    assert str(event["ORGANIZER"]) == "mailto:coordinator@example.org"
    assert str(event["UID"]) == meetings.meeting_uid(meeting)
    assert MeetingInvite.objects.get().emailed_at is not None


def test_only_reps_with_an_email_address_are_emailed(world, mailoutbox):
    no_email = make_rep(
        PersonFactory(branch=world.derby, workplace=world.depot, email=""), stage=Stage.ACTIVE, workplaces=[]
    )
    meeting = schedule(world)
    invite(world, meeting, [derby_rep(world), no_email])
    assert [message.to for message in mailoutbox] == [[world.derby_person.email]]
    assert meeting.invites.count() == 2
    assert meeting.invites.get(rep=no_email).emailed_at is None


def test_inviting_again_keeps_one_invitation_each_and_sends_the_same_uid(world, mailoutbox):
    rep = derby_rep(world)
    meeting = schedule(world)
    invite(world, meeting, [rep])
    meeting.invites.update(attendance=MeetingInvite.Attendance.APOLOGIES)
    invite(world, meeting, [rep, depot_rep(world)])
    assert meeting.invites.count() == 2
    assert meeting.invites.get(rep=rep).attendance == MeetingInvite.Attendance.APOLOGIES
    uids = {
        str(icalendar.Calendar.from_ical(message.attachments[0].content).walk("VEVENT")[0]["UID"])
        for message in mailoutbox
    }
    assert len(mailoutbox) == 3 and uids == {meetings.meeting_uid(meeting)}


def test_inviting_is_audited(world):
    meeting = schedule(world)
    invite(world, meeting, [derby_rep(world)])
    assert AuditEvent.objects.filter(target_type="repmeeting", target_id=meeting.pk, unit=world.derby).count() == 2


def test_the_invite_page_ticks_current_reps_not_prospects(world, coordinator_client):
    rep = derby_rep(world)
    prospect = make_rep(world.depot_person, stage=Stage.PROSPECT)
    meeting = schedule(world)
    page = coordinator_client.get(reverse("reps:meeting_invite", args=[meeting.pk])).content.decode()
    assert "checked" in checkbox(page, rep.pk)
    assert "checked" not in checkbox(page, prospect.pk)
    assert "Dev Patel, ULR (prospect)" in page


def test_the_invite_page_sends_the_ticked_reps(
    world, coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    rep = derby_rep(world)
    other = depot_rep(world)
    meeting = schedule(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("reps:meeting_invite", args=[meeting.pk]), {"reps": [rep.pk]})
    assert response["Location"] == reverse("reps:meeting_detail", args=[meeting.pk])
    assert list(meeting.invites.values_list("rep", flat=True)) == [rep.pk]
    assert len(mailoutbox) == 1
    assert not meeting.invites.filter(rep=other).exists()


def test_inviting_nobody_asks_who_to_invite(world, coordinator_client):
    derby_rep(world)
    meeting = schedule(world)
    response = coordinator_client.post(reverse("reps:meeting_invite", args=[meeting.pk]), {})
    assert "Select the reps to invite" in response.content.decode()
    assert not meeting.invites.exists()


def test_the_invite_page_does_not_offer_reps_of_another_branch(world):
    notts_rep = make_rep(world.notts_person, stage=Stage.ACTIVE)
    meeting = schedule(world, unit=world.derby)
    client = client_for(world.regional)
    page = client.get(reverse("reps:meeting_invite", args=[meeting.pk])).content.decode()
    assert "Okafor" not in page
    client.post(reverse("reps:meeting_invite", args=[meeting.pk]), {"reps": [notts_rep.pk]})
    assert not meeting.invites.exists()


def test_the_ics_downloads(world, coordinator_client):
    meeting = schedule(world, title="Derby ULR meeting")
    response = coordinator_client.get(reverse("reps:meeting_ics", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == meeting.starts_at
    assert str(event["SUMMARY"]) == "Derby ULR meeting"


# Attendance, notes and actions ------------------------------------------------------------------


def test_attendance_is_saved_from_one_radio_group_each(world, coordinator_client):
    maria, dev = derby_rep(world), depot_rep(world)
    meeting = schedule(world, days=-7)
    maria_invite, dev_invite = invite(world, meeting, [maria, dev])
    url = reverse("reps:meeting_attendance", args=[meeting.pk])
    page = coordinator_client.get(url).content.decode()
    assert page.count('type="radio"') == 6 and "Sent apologies" in page
    response = coordinator_client.post(
        url, {f"invite_{maria_invite.pk}": "attended", f"invite_{dev_invite.pk}": "apologies"}
    )
    assert response.status_code == 302
    assert dict(meeting.invites.values_list("rep", "attendance")) == {maria.pk: "attended", dev.pk: "apologies"}


def test_every_invitee_needs_an_answer(world, coordinator_client):
    meeting = schedule(world, days=-7)
    (only,) = invite(world, meeting, [derby_rep(world)])
    response = coordinator_client.post(reverse("reps:meeting_attendance", args=[meeting.pk]), {})
    assert "Select whether Maria Alberts came" in response.content.decode()
    only.refresh_from_db()
    assert only.attendance == MeetingInvite.Attendance.INVITED


def test_an_action_for_a_rep_from_the_meeting_shows_on_their_page(world, coordinator_client):
    rep = derby_rep(world)
    meeting = schedule(world, days=-1)
    invite(world, meeting, [rep])
    response = coordinator_client.post(
        reverse("reps:meeting_action_add", args=[meeting.pk]),
        {"action-description": "Book the room for May", "action-who": str(rep.pk), "action-due_on": "2027-05-01"},
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.meeting, action.rep, action.owner, action.unit) == (meeting, rep, rep.person, world.derby)
    assert "Book the room for May" in coordinator_client.get(reverse("reps:detail", args=[rep.pk])).content.decode()


def test_an_action_for_someone_else_needs_their_name(world, coordinator_client):
    meeting = schedule(world, days=-1)
    url = reverse("reps:meeting_action_add", args=[meeting.pk])
    response = coordinator_client.post(url, {"action-description": "Speak to HR", "action-who": "other"})
    assert "Enter who will do it" in response.content.decode()
    coordinator_client.post(
        url, {"action-description": "Speak to HR", "action-who": "other", "action-owner_name": "Sam Steward"}
    )
    assert Action.objects.get().who == "Sam Steward"


def test_the_meeting_page_shows_agenda_invitees_notes_and_actions(world, coordinator_client):
    rep = derby_rep(world)
    meeting = schedule(world, days=-1)
    invite(world, meeting, [rep])
    meeting.invites.update(attendance=MeetingInvite.Attendance.ATTENDED)
    meetings.meeting_update(acting_user=world.coordinator, meeting=meeting, data={"notes": "Stalls agreed"})
    meetings.meeting_action_add(
        acting_user=world.coordinator, meeting=meeting, description="Order leaflets", due_on=None
    )
    page = coordinator_client.get(reverse("reps:meeting_detail", args=[meeting.pk])).content.decode()
    for words in (
        "Learning at Work Week",
        "Maria Alberts",
        "Attended",
        "Stalls agreed",
        "Order leaflets",
        "Add action",
    ):
        assert words in page


# Who may do what --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["reps:meeting_detail", "reps:meeting_edit", "reps:meeting_invite", "reps:meeting_attendance", "reps:meeting_ics"],
)
def test_another_branch_cannot_reach_a_derby_meeting(world, outsider_client, name):
    meeting = schedule(world)
    assert outsider_client.get(reverse(name, args=[meeting.pk])).status_code == 404


def test_another_branch_cannot_add_an_action_to_a_derby_meeting(world, outsider_client):
    meeting = schedule(world)
    url = reverse("reps:meeting_action_add", args=[meeting.pk])
    assert outsider_client.post(url, {"action-description": "x", "action-who": "me"}).status_code == 404
    assert not Action.objects.exists()


def test_a_branch_officer_sees_a_meeting_but_cannot_change_it(world):
    meeting = schedule(world)
    client = client_for(world.officer)
    page = client.get(reverse("reps:meeting_detail", args=[meeting.pk])).content.decode()
    assert "ULR meeting" in page and "Add action" not in page
    assert client.get(reverse("reps:meeting_edit", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("reps:meeting_invite", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("reps:meeting_add")).status_code == 404


def test_an_invited_ulr_sees_the_meeting_and_an_uninvited_one_does_not(world):
    own = rep_with_login(world)
    invited = schedule(world, title="Invited one")
    other = schedule(world, title="Other one")
    invite(world, invited, [own])
    client = client_for(world.ulr)
    assert client.get(reverse("reps:meeting_detail", args=[invited.pk])).status_code == 200
    assert client.get(reverse("reps:meeting_detail", args=[other.pk])).status_code == 404
    page = client.get(reverse("reps:meetings")).content.decode()
    assert "Invited one" in page and "Other one" not in page


def test_anonymous_users_are_sent_to_sign_in(world, client):
    response = client.get(reverse("reps:meetings"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# The list of meetings ---------------------------------------------------------------------------


def test_the_list_shows_upcoming_then_past_meetings(world, coordinator_client):
    schedule(world, days=3, title="Next week's meeting")
    schedule(world, days=-30, title="Last month's meeting")
    upcoming = coordinator_client.get(reverse("reps:meetings")).content.decode()
    past = coordinator_client.get(reverse("reps:meetings") + "?show=past").content.decode()
    assert "Next week&#x27;s meeting" in upcoming and "Last month" not in upcoming
    assert "Last month&#x27;s meeting" in past and "Next week" not in past


def test_the_list_of_meetings_shows_nothing_of_another_branch(world, outsider_client):
    schedule(world, title="Derby only")
    assert "Derby only" not in outsider_client.get(reverse("reps:meetings")).content.decode()


def test_the_list_query_count_does_not_grow_with_meetings(world, coordinator_client, django_assert_max_num_queries):
    rep = derby_rep(world)
    for days in range(1, 31):
        invite(world, schedule(world, days=days), [rep])
    with django_assert_max_num_queries(8):
        response = coordinator_client.get(reverse("reps:meetings"))
    assert response.content.decode().count('href="/reps/meetings/') >= 25


# The rep's page ---------------------------------------------------------------------------------


def test_the_reps_page_shows_meetings_attended_missed_and_next(world, coordinator_client):
    rep = derby_rep(world)
    for days, attendance in ((-60, "attended"), (-30, "absent"), (-10, "attended"), (-5, "apologies")):
        meeting = schedule(world, days=days, title=f"Meeting {-days}")
        invite(world, meeting, [rep])
        meeting.invites.update(attendance=attendance)
    invite(world, schedule(world, days=14, title="Next one"), [rep])
    page = coordinator_client.get(reverse("reps:detail", args=[rep.pk])).content.decode()
    assert "Attended 2, missed 2." in page
    assert "Next meeting:" in page and "Next one" in page
    assert "Meeting 5" in page and "Sent apologies" in page


def test_a_rep_never_invited_is_said_to_be_so(world, coordinator_client):
    page = coordinator_client.get(reverse("reps:detail", args=[derby_rep(world).pk])).content.decode()
    assert "Not invited to any meetings yet." in page
