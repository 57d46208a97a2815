"""Negotiation cases a refusal opens: notes, who takes them up, closing with an outcome (and the hours it won),
reopening, the list, and who may change them (co-ordinators; a ULR and a branch officer only read)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.employers import time_off
from learningdesk.employers.models import NegotiationCase, TimeOffRequest
from learningdesk.org.models import Role
from tests.conftest import World, client_for
from tests.employers import days_from_today, make_time_off
from tests.factories import PersonFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db

Outcome = NegotiationCase.Outcome


def refused(world: World, *, hours: str = "6", person=None, **fields) -> NegotiationCase:
    """Maria's (or `person`'s) request, refused: its case is open, owned by Carol Coordinator."""
    if person is None:
        request = make_time_off(world, hours=hours, **fields)
    else:
        request = TimeOffRequest.objects.create(
            employer=world.council, person=person, hours=Decimal(hours), learning="Spreadsheets", **fields
        )
    result = time_off.request_decide(
        acting_user=world.coordinator,
        request=request,
        decision=TimeOffRequest.Decision.REFUSED,
        hours_approved=None,
        reason="Short-staffed",
        decided_on=days_from_today(0),
    )
    assert result.case is not None
    return result.case


def case_url(case: NegotiationCase) -> str:
    return reverse("employers:case_detail", args=[case.pk])


def close_url(case: NegotiationCase) -> str:
    return reverse("employers:case_close", args=[case.pk])


def closing(outcome: str, **fields) -> dict:
    return {"outcome": outcome, "note": "Met HR with the member", "closed_on": days_from_today(0).isoformat(), **fields}


# Reading and who may change --------------------------------------------------------------------------


def test_the_case_page_shows_the_request_and_the_notes_newest_first(world, coordinator_client):
    case = refused(world)
    time_off.case_note_add(
        acting_user=world.coordinator, case=case, text="Rang the manager, no answer", on=days_from_today(0)
    )
    page = coordinator_client.get(case_url(case)).content.decode()
    assert "Time off for Maria Alberts" in page
    assert "Short-staffed" in page
    assert page.index("Rang the manager, no answer") < page.index("Derby City Council refused the 6 hours")
    assert "Add the note" in page


def test_a_ulr_sees_their_members_case_but_cannot_change_it(world):
    case = refused(world)
    client = client_for(world.ulr)
    page = client.get(case_url(case)).content.decode()
    assert "Time off for Maria Alberts" in page
    assert "Add the note" not in page
    assert "Close the case" not in page

    assert client.post(case_url(case), {"text": "Sneaky note", "on": days_from_today(0)}).status_code == 404
    assert client.post(case_url(case), {"take_on": "1"}).status_code == 404
    assert client.get(close_url(case)).status_code == 404
    assert client.post(close_url(case), closing("won")).status_code == 404
    case.refresh_from_db()
    assert (case.status, case.owner, case.notes.count()) == (NegotiationCase.Status.OPEN, world.coordinator, 1)


def test_a_branch_officer_reads_cases_but_cannot_change_them(world):
    case = refused(world)
    client = client_for(world.officer)
    assert client.get(case_url(case)).status_code == 200
    assert client.post(case_url(case), {"text": "A note", "on": days_from_today(0)}).status_code == 404
    assert client.post(close_url(case), closing("lost")).status_code == 404
    assert case.notes.count() == 1


def test_a_ulr_cannot_see_the_case_of_someone_outside_their_workplaces(world):
    case = refused(world, person=world.depot_person)
    assert client_for(world.ulr).get(case_url(case)).status_code == 404


# Notes and owners -----------------------------------------------------------------------------------


def test_a_coordinator_adds_a_note_which_is_audited(world, coordinator_client):
    case = refused(world)
    response = coordinator_client.post(
        case_url(case), {"text": "Meeting with HR on Friday", "on": days_from_today(-1).isoformat()}
    )
    assert response.status_code == 302
    note = case.notes.get(text="Meeting with HR on Friday")
    assert (note.written_by, note.on) == (world.coordinator, days_from_today(-1))
    assert AuditEvent.objects.filter(target_type="casenote", target_id=note.pk, unit=world.derby).exists()


def test_an_empty_note_says_what_to_fix(world, coordinator_client):
    case = refused(world)
    page = coordinator_client.post(case_url(case), {"text": "  ", "on": days_from_today(0).isoformat()})
    assert "Enter what happened" in page.content.decode()
    assert case.notes.count() == 1


def test_the_regional_coordinator_takes_the_case_on(world):
    case = refused(world)
    client = client_for(world.regional)
    assert "Take it on" in client.get(case_url(case)).content.decode()
    response = client.post(case_url(case), {"take_on": "1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner == world.regional
    assert "Rhys Regional took the case on." in case.notes.first().text


def test_a_case_is_passed_to_another_coordinator_who_is_emailed(
    world, coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    case = refused(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(case_url(case), {"owner": world.regional.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner == world.regional
    (message,) = mailoutbox
    assert message.to == ["region@example.org"]


def test_a_case_cannot_be_passed_to_someone_outside_the_members_branch(world, coordinator_client):
    case = refused(world)
    stranger = UserFactory(full_name="Nina Notts")
    give_role(stranger, Role.BRANCH_COORDINATOR, world.notts)
    page = coordinator_client.get(case_url(case)).content.decode()
    assert "Nina Notts" not in page
    assert "Owen Outsider" not in page
    response = coordinator_client.post(case_url(case), {"owner": stranger.pk})
    assert "Select one of the co-ordinators listed" in response.content.decode()
    case.refresh_from_db()
    assert case.owner == world.coordinator


# Closing and reopening ------------------------------------------------------------------------------


def test_closing_as_won_gives_the_member_all_the_hours(world, coordinator_client):
    case = refused(world, hours="6")
    response = coordinator_client.post(close_url(case), closing("won"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_on) == (
        NegotiationCase.Status.CLOSED,
        Outcome.WON,
        days_from_today(0),
    )
    case.request.refresh_from_db()
    assert case.request.hours_approved == Decimal("6")
    assert case.request.decision == TimeOffRequest.Decision.REFUSED  # what the manager did stays on record
    assert "Closed: time off given, 6 hours approved in the end.\nMet HR with the member" in case.notes.first().text
    assert AuditEvent.objects.filter(target_type="negotiationcase", action="changed").exists()


def test_closing_as_partly_asks_for_the_hours_given(world, coordinator_client):
    case = refused(world, hours="6")
    page = coordinator_client.post(close_url(case), closing("partly")).content.decode()
    assert "Enter how many of the 6 hours asked for the member got in the end" in page
    page = coordinator_client.post(close_url(case), closing("partly", hours="6")).content.decode()
    assert "Enter fewer than the 6 hours asked for" in page
    coordinator_client.post(close_url(case), closing("partly", hours="4"))
    case.refresh_from_db()
    case.request.refresh_from_db()
    assert (case.outcome, case.request.hours_approved) == (Outcome.PARTLY, Decimal("4"))


def test_closing_needs_an_outcome_and_a_note(world, coordinator_client):
    case = refused(world)
    page = coordinator_client.post(close_url(case), {"note": "", "closed_on": days_from_today(0)}).content.decode()
    assert "Select how the case ended" in page
    assert "Enter a closing note" in page
    case.refresh_from_db()
    assert case.status == NegotiationCase.Status.OPEN


def test_a_lost_case_leaves_the_hours_as_the_manager_decided(world):
    case = refused(world)
    with pytest.raises(ValidationError) as error:
        time_off.case_close(acting_user=world.coordinator, case=case, outcome="lost", note="No", hours=Decimal("2"))
    assert "hours" in error.value.message_dict
    time_off.case_close(acting_user=world.coordinator, case=case, outcome="lost", note="They would not move")
    case.request.refresh_from_db()
    assert case.request.hours_approved == Decimal("0")


def test_reopening_puts_back_the_hours_approved_before_the_case_closed(world, coordinator_client):
    case = refused(world, hours="6")
    time_off.case_close(acting_user=world.coordinator, case=case, outcome="won", note="HR agreed")
    page = coordinator_client.get(close_url(case)).content.decode()
    assert "Open the case again" in page

    page = coordinator_client.post(close_url(case), {"note": ""}).content.decode()
    assert "Enter why the case is open again" in page
    response = coordinator_client.post(close_url(case), {"note": "The manager went back on it"})

    assert response.status_code == 302
    case.refresh_from_db()
    case.request.refresh_from_db()
    assert (case.status, case.outcome, case.request.hours_approved) == (NegotiationCase.Status.OPEN, "", Decimal("0"))
    assert "Opened again.\nThe manager went back on it" in case.notes.first().text
    time_off.case_close(acting_user=world.coordinator, case=case, outcome="withdrawn", note="Left the job")
    case.request.refresh_from_db()
    assert case.request.hours_approved == Decimal("0")


# The list -------------------------------------------------------------------------------------------


def test_the_list_shows_open_cases_first_and_filters_to_mine(world, coordinator_client):
    closed = refused(world, person=PersonFactory(branch=world.derby, last_name="Closedcase"))
    time_off.case_close(acting_user=world.coordinator, case=closed, outcome="lost", note="No")
    mine = refused(world, person=PersonFactory(branch=world.derby, last_name="Minecase"))
    theirs = refused(world, person=PersonFactory(branch=world.derby, last_name="Theircase"))
    time_off.case_assign(acting_user=world.coordinator, case=theirs, owner=world.regional)

    page = coordinator_client.get(reverse("employers:case_list")).content.decode()
    assert page.index("Minecase") < page.index("Closedcase")
    assert page.index("Theircase") < page.index("Closedcase")

    page = coordinator_client.get(reverse("employers:case_list"), {"status": "open", "mine": "on"}).content.decode()
    assert "Minecase" in page
    assert "Theircase" not in page
    assert "Closedcase" not in page
    assert mine.pk


def test_the_list_pages_in_the_database_with_few_queries(world, coordinator_client, django_assert_max_num_queries):
    for _ in range(30):
        refused(world, person=PersonFactory(branch=world.derby, workplace=world.town_hall))
    with django_assert_max_num_queries(7):
        response = coordinator_client.get(reverse("employers:case_list"))
    page = response.content.decode()
    assert "30 cases" in page
    assert "Page 1 of 2" in page


def test_another_branch_sees_none_of_derbys_cases(world):
    refused(world)
    page = client_for(world.outsider).get(reverse("employers:case_list")).content.decode()
    assert "Alberts" not in page
    assert "No negotiation cases" in page
    assert not time_off.open_cases(world.outsider).exists()


def test_open_cases_are_those_in_scope_still_open(world):
    first = refused(world)
    second = refused(world, person=world.depot_person)
    time_off.case_close(acting_user=world.coordinator, case=second, outcome="withdrawn", note="Member changed job")
    assert list(time_off.open_cases(world.coordinator)) == [first]
    assert list(time_off.open_cases(world.ulr)) == [first]
    assert list(time_off.open_cases(world.regional)) == [first]


def test_the_close_page_asks_how_it_ended_and_explains_the_hours(world, coordinator_client):
    case = refused(world, hours="7.5")
    page = coordinator_client.get(close_url(case)).content.decode()
    assert "How did it end?" in page
    assert "Only when some time off was given: how many of the 7.5 hours asked for." in page
    for label in ("Time off given", "Some time off given", "Refusal stood", "Member withdrew"):
        assert label in page
