"""The joint learning committee: setting it up, meetings with both sides, the actions agreed, and who may do what."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.employers import committees
from learningdesk.employers.models import CommitteeAction, CommitteeMeeting, LearningCommittee
from learningdesk.reps.models import Rep, RepKind, Stage
from tests.conftest import client_for
from tests.employers import days_from_today, make_action, make_agreement, make_committee, make_contact, make_meeting
from tests.factories import EmployerFactory, PersonFactory

pytestmark = pytest.mark.django_db


def meeting_data(**changes) -> dict:
    data = {
        "held_on": days_from_today(-1).isoformat(),
        "starts_at": "14:00",
        "place": "Council House, room 2",
        "other_attendees": "",
        "agenda": "1. Survey findings",
        "minutes": "Agreed to run a maths course.",
        "find": "",
    }
    return {**data, **changes}


def action_data(who: str, **changes) -> dict:
    data = {
        "action-description": "Send round the course dates",
        "action-who": who,
        "action-owner_name": "",
        "action-side": CommitteeAction.Side.UNION,
        "action-due_on": days_from_today(14).isoformat(),
    }
    return {**data, **changes}


def current_rep(world, person) -> Rep:
    kind, _created = RepKind.objects.get_or_create(code="ulr", defaults={"name": "Union learning rep"})
    rep = Rep.objects.create(person=person, kind=kind, stage=Stage.ACTIVE)
    rep.workplaces.set([person.workplace])
    return rep


# Setting up the committee -------------------------------------------------------------------------


def test_the_coordinator_sets_up_the_committee_of_an_agreement(world, coordinator_client):
    agreement = make_agreement(world)
    response = coordinator_client.post(
        reverse("employers:committee_add", args=[world.council.pk]),
        {"name": "Joint learning committee", "agreement": agreement.pk},
    )
    committee = LearningCommittee.objects.get()
    assert response["Location"] == reverse("employers:committee_detail", args=[committee.pk])
    assert (committee.employer, committee.agreement) == (world.council, agreement)
    assert AuditEvent.objects.filter(target_type="learningcommittee", action=AuditEvent.Action.CREATED).exists()


def test_an_agreement_of_another_employer_cannot_be_linked(world, coordinator_client):
    other = make_agreement(world)
    other.employer = EmployerFactory(name="Derby Homes", unit=world.derby)
    other.save()
    response = coordinator_client.post(
        reverse("employers:committee_add", args=[world.council.pk]), {"name": "Committee", "agreement": other.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not LearningCommittee.objects.exists()


@pytest.mark.parametrize("who", ["ulr", "officer"])
def test_ulrs_and_officers_read_the_committee_but_change_nothing(world, who):
    committee = make_committee(world)
    meeting = make_meeting(committee)
    action = make_action(meeting)
    client = client_for(getattr(world, who))
    page = client.get(reverse("employers:committee_detail", args=[committee.pk])).content.decode()
    assert "Send round the course dates" in page and "Add a meeting" not in page
    assert "Add an action" not in client.get(reverse("employers:meeting_detail", args=[meeting.pk])).content.decode()
    for name, pk, data in [
        ("employers:committee_add", world.council.pk, {"name": "X"}),
        ("employers:meeting_add", committee.pk, meeting_data()),
        ("employers:meeting_edit", meeting.pk, meeting_data(minutes="Changed")),
        ("employers:action_add", meeting.pk, action_data("other", **{"action-owner_name": "X"})),
        ("employers:action_edit", action.pk, {"description": "Changed", "who": "other", "owner_name": "X"}),
        ("employers:action_share", action.pk, {"share": "yes"}),
    ]:
        assert client.post(reverse(name, args=[pk]), data).status_code == 404, name
    assert LearningCommittee.objects.count() == 1 and CommitteeMeeting.objects.count() == 1
    action.refresh_from_db()
    assert (action.description, action.is_shared) == ("Send round the course dates", False)


def test_the_regional_coordinator_may_hold_a_meeting_of_a_branchs_employer(world):
    committee = make_committee(world)
    response = client_for(world.regional).post(reverse("employers:meeting_add", args=[committee.pk]), meeting_data())
    assert response.status_code == 302
    assert committee.meetings.count() == 1


# Meetings ---------------------------------------------------------------------------------------


def test_a_meeting_records_who_came_from_both_sides(world, coordinator_client):
    committee = make_committee(world)
    rep = current_rep(world, world.derby_person)
    tessa = make_contact(world.council)
    form = coordinator_client.get(reverse("employers:meeting_add", args=[committee.pk])).content.decode()
    assert "Maria Alberts, Council House" in form  # a rep at the council is offered without a search
    response = coordinator_client.post(
        reverse("employers:meeting_add", args=[committee.pk]),
        meeting_data(union_attendees=[rep.person.pk], employer_attendees=[tessa.pk]),
    )
    meeting = CommitteeMeeting.objects.get()
    assert response["Location"] == reverse("employers:meeting_detail", args=[meeting.pk])
    assert list(meeting.union_attendees.all()) == [world.derby_person]
    assert list(meeting.employer_attendees.all()) == [tessa]
    assert meeting.created_by == world.coordinator
    event = AuditEvent.objects.get(target_type="committeemeeting")
    assert event.changes["union_side"] == [world.derby_person.pk]
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "Maria Alberts" in page and "Tessa Trainer" in page and "Agreed to run a maths course." in page


def test_searching_for_someone_adds_them_to_the_list_without_saving(world, coordinator_client):
    committee = make_committee(world)
    response = coordinator_client.post(
        reverse("employers:meeting_add", args=[committee.pk]),
        meeting_data(held_on="", find="patel", find_people="1"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Dev Patel, Stores Road Depot" in page
    assert "1 person found for “patel”" in page
    assert "There is a problem" not in page  # the date is still empty, but the user only searched
    assert 'value="Agreed to run a maths course."' in page or "Agreed to run a maths course." in page
    assert not CommitteeMeeting.objects.exists()


def test_the_search_finds_only_people_the_user_may_see(world, coordinator_client):
    committee = make_committee(world)
    response = coordinator_client.post(
        reverse("employers:meeting_add", args=[committee.pk]), meeting_data(find="okafor", find_people="1")
    )
    assert "Nia Okafor" not in response.content.decode()
    posted = coordinator_client.post(
        reverse("employers:meeting_add", args=[committee.pk]), meeting_data(union_attendees=[world.notts_person.pk])
    )
    assert posted.status_code == 200
    assert not CommitteeMeeting.objects.exists()


def test_the_employer_side_is_the_employers_own_contacts(world, coordinator_client):
    committee = make_committee(world)
    stranger = make_contact(EmployerFactory(name="Derby Homes", unit=world.derby), name="Sam Stranger")
    response = coordinator_client.post(
        reverse("employers:meeting_add", args=[committee.pk]), meeting_data(employer_attendees=[stranger.pk])
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not CommitteeMeeting.objects.exists()


def test_a_meeting_needs_its_date(world, coordinator_client):
    committee = make_committee(world)
    response = coordinator_client.post(reverse("employers:meeting_add", args=[committee.pk]), meeting_data(held_on=""))
    assert "Enter the date of the meeting" in response.content.decode()


def test_the_minutes_are_added_after_the_meeting(world, coordinator_client):
    meeting = make_meeting(make_committee(world))
    response = coordinator_client.post(
        reverse("employers:meeting_edit", args=[meeting.pk]),
        meeting_data(held_on=meeting.held_on.isoformat(), minutes="We agreed two courses."),
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "We agreed two courses."
    assert AuditEvent.objects.filter(target_type="committeemeeting", action=AuditEvent.Action.CHANGED).exists()


def test_the_committee_page_lists_meetings_newest_first_and_marks_overdue_and_shared_actions(world, coordinator_client):
    committee = make_committee(world)
    old = make_meeting(committee, days=-200)
    recent = make_meeting(committee, days=-10)
    make_action(old, description="Write to the managers", due_on=days_from_today(-5))
    make_action(recent, description="Book the room", shared_at=timezone.now())
    make_action(recent, description="Long finished", status=CommitteeAction.Status.DONE)
    page = coordinator_client.get(reverse("employers:committee_detail", args=[committee.pk])).content.decode()
    meetings = page[page.index('<h2 class="govuk-heading-m">Meetings') :]
    assert meetings.index(f"{recent.held_on.day} {recent.held_on:%B %Y}") < meetings.index(
        f"{old.held_on.day} {old.held_on:%B %Y}"
    )
    actions = page[page.index('id="actions"') : page.index('<h2 class="govuk-heading-m">Meetings')]
    assert "Long finished" not in actions
    write_row = actions[actions.index("Write to the managers") :]
    assert "Overdue" in write_row[: write_row.index("</tr>")]
    book_row = actions[actions.index("Book the room") :]
    assert "Shared" in book_row[: book_row.index("</tr>")]
    assert f'Last met</dt><dd class="govuk-summary-list__value">{recent.held_on.day} {recent.held_on:%B %Y}' in page


def test_the_committee_page_takes_a_fixed_number_of_queries(world, coordinator_client, django_assert_max_num_queries):
    committee = make_committee(world)
    for days in range(1, 40):
        meeting = make_meeting(committee, days=-days * 20)
        make_action(meeting, owner_person=world.derby_person)
        make_action(meeting, owner_contact=make_contact(world.council, name=f"Contact {days}"))
    with django_assert_max_num_queries(11):
        response = coordinator_client.get(reverse("employers:committee_detail", args=[committee.pk]))
    assert "Page 1 of 2" in response.content.decode()


# Actions ----------------------------------------------------------------------------------------


def test_an_action_owned_by_someone_from_the_union_side(world, coordinator_client):
    meeting = make_meeting(make_committee(world))
    meeting.union_attendees.add(world.derby_person)
    response = coordinator_client.post(
        reverse("employers:action_add", args=[meeting.pk]), action_data(f"person-{world.derby_person.pk}")
    )
    assert response.status_code == 302
    action = CommitteeAction.objects.get()
    assert (action.owner_person, action.side, action.status, action.is_shared) == (
        world.derby_person,
        CommitteeAction.Side.UNION,
        CommitteeAction.Status.OPEN,
        False,
    )
    assert AuditEvent.objects.filter(target_type="committeeaction", action=AuditEvent.Action.CREATED).exists()


def test_an_action_owned_by_an_employer_contact_is_the_employers(world, coordinator_client):
    meeting = make_meeting(make_committee(world))
    tessa = make_contact(world.council)
    coordinator_client.post(reverse("employers:action_add", args=[meeting.pk]), action_data(f"contact-{tessa.pk}"))
    action = CommitteeAction.objects.get()
    assert (action.owner_contact, action.side, action.who) == (tessa, CommitteeAction.Side.EMPLOYER, "Tessa Trainer")


def test_an_action_for_someone_not_listed_needs_their_name_and_side(world, coordinator_client):
    meeting = make_meeting(make_committee(world))
    response = coordinator_client.post(reverse("employers:action_add", args=[meeting.pk]), action_data("other"))
    assert response.status_code == 200
    assert "Enter the name of who will do it" in response.content.decode()
    assert not CommitteeAction.objects.exists()
    coordinator_client.post(
        reverse("employers:action_add", args=[meeting.pk]),
        action_data("other", **{"action-owner_name": "Head of Facilities", "action-side": "employer"}),
    )
    action = CommitteeAction.objects.get()
    assert (action.owner_name, action.side, action.owner_person, action.owner_contact) == (
        "Head of Facilities",
        CommitteeAction.Side.EMPLOYER,
        None,
        None,
    )


def test_someone_not_at_the_meeting_cannot_be_made_owner_by_guessing_their_id(world, coordinator_client):
    meeting = make_meeting(make_committee(world))
    response = coordinator_client.post(
        reverse("employers:action_add", args=[meeting.pk]), action_data(f"person-{world.notts_person.pk}")
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not CommitteeAction.objects.exists()


def test_marking_an_action_done_records_the_day_and_opening_it_again_clears_it(world, coordinator_client):
    action = make_action(make_meeting(make_committee(world)), owner_name="Carol", side="union")
    url = reverse("employers:action_edit", args=[action.pk])
    data = {"description": action.description, "who": "other", "owner_name": "Carol", "side": "union", "due_on": ""}
    coordinator_client.post(url, {**data, "status": "done", "done_on": ""})
    action.refresh_from_db()
    assert (action.status, action.done_on) == (CommitteeAction.Status.DONE, timezone.localdate())
    coordinator_client.post(url, {**data, "status": "open", "done_on": timezone.localdate().isoformat()})
    action.refresh_from_db()
    assert (action.status, action.done_on) == (CommitteeAction.Status.OPEN, None)
    tomorrow = days_from_today(1).isoformat()
    response = coordinator_client.post(url, {**data, "status": "done", "done_on": tomorrow})
    assert "The date it was done must be today or in the past" in response.content.decode()


# Reads other parts use ----------------------------------------------------------------------------


def test_overdue_actions_are_open_past_their_date_and_in_scope(world):
    meeting = make_meeting(make_committee(world))
    late = make_action(meeting, description="Late", due_on=days_from_today(-1))
    make_action(meeting, description="Due today", due_on=days_from_today(0))
    make_action(meeting, description="Done late", due_on=days_from_today(-9), status=CommitteeAction.Status.DONE)
    make_action(meeting, description="No date", due_on=None)
    today = timezone.localdate()
    assert list(committees.overdue_actions(world.coordinator, today=today)) == [late]
    assert list(committees.overdue_actions(world.ulr, today=today)) == [late]
    assert not committees.overdue_actions(world.outsider, today=today).exists()


def test_the_last_meeting_is_the_last_one_held(world):
    committee = make_committee(world)
    assert committees.last_meeting_on(committee) is None
    held = make_meeting(committee, days=-30)
    make_meeting(committee, days=+30)
    assert committees.last_meeting_on(committee, today=timezone.localdate()) == held.held_on


def test_people_suggested_for_the_union_side_are_current_reps_at_the_employer(world):
    committee = make_committee(world)
    current_rep(world, world.derby_person)
    prospect = current_rep(world, PersonFactory(branch=world.derby, workplace=world.depot, last_name="Prospect"))
    prospect.stage = Stage.PROSPECT
    prospect.save()
    assert list(committees.union_side_suggestions(world.coordinator, committee)) == [world.derby_person]
    assert not committees.union_side_suggestions(world.outsider, committee).exists()
