"""Learning centres: usage figures per month, adding and changing centres and rooms, and who may."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.learning import centres
from learningdesk.learning.models import LearningCentre, Room, SignUp
from tests.conftest import client_for
from tests.factories import PersonFactory
from tests.learning import make_activity, make_session
from tests.learning.urls_centres import derby_centre, derby_room

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def held(room: Room, starts: datetime.datetime, hours: float, learners=(), **fields):
    """A session in `room` that the `learners` attended."""
    session = make_session(
        make_activity(room.centre.unit), starts=starts, hours=hours, venue="room", room=room, address="", **fields
    )
    for person in learners:
        SignUp.objects.create(session=session, person=person, status=SignUp.Status.ATTENDED, source="staff")
    return session


# Usage ------------------------------------------------------------------------------------------


def test_usage_counts_sessions_learners_and_hours_per_month(world):
    room = derby_room(world)
    other_room = Room.objects.create(centre=room.centre, name="Library")
    maria, dev = world.derby_person, world.depot_person
    held(room, at(2026, 10, 5), 2, [maria, dev])
    held(other_room, at(2026, 10, 19), 1.5, [maria])  # Maria again: still one learner in October
    held(room, at(2026, 9, 7), 3, [dev])
    no_show = held(room, at(2026, 9, 14), 1)
    SignUp.objects.create(session=no_show, person=maria, status=SignUp.Status.NO_SHOW, source="staff")
    held(room, at(2026, 9, 21), 4, [maria], is_cancelled=True)  # cancelled: not counted
    held(room, at(2025, 11, 20), 2, [maria])  # thirteen months ago: outside the window
    elsewhere = LearningCentre.objects.create(unit=world.derby, name="Depot centre", address="Stores Road")
    held(Room.objects.create(centre=elsewhere, name="IT suite"), at(2026, 10, 6), 2, [maria, dev])

    usage = centres.usage_by_month(room.centre, today=datetime.date(2026, 11, 26))

    assert usage[0].month == datetime.date(2025, 12, 1)
    assert usage[-1].month == datetime.date(2026, 11, 1)
    by_month = {month.month: (month.sessions, month.learners, month.hours) for month in usage}
    assert by_month[datetime.date(2026, 10, 1)] == (2, 2, Decimal("3.5"))
    assert by_month[datetime.date(2026, 9, 1)] == (2, 1, Decimal("4.0"))
    assert by_month[datetime.date(2026, 11, 1)] == (0, 0, Decimal("0.0"))
    assert sum(month.sessions for month in usage) == 4


def test_usage_counts_a_session_in_its_london_month(world):
    room = derby_room(world)
    # 00:30 on 1 September in London (BST) is still 31 August in UTC: it is September's.
    held(room, at(2026, 9, 1, 0) + datetime.timedelta(minutes=30), 1, [world.depot_person])
    usage = {month.month: month for month in centres.usage_by_month(room.centre, today=datetime.date(2026, 11, 26))}
    assert (usage[datetime.date(2026, 9, 1)].sessions, usage[datetime.date(2026, 9, 1)].learners) == (1, 1)
    assert usage[datetime.date(2026, 8, 1)].sessions == 0


def test_usage_takes_two_queries(world, django_assert_num_queries):
    room = derby_room(world)
    for day in range(1, 20):
        held(room, at(2026, 1 + day % 10, day), 1, [world.derby_person])
    with django_assert_num_queries(2):
        centres.usage_by_month(room.centre, today=datetime.date(2026, 11, 26))


def test_the_centre_page_shows_usage_rooms_and_bookings(world, coordinator_client):
    room = derby_room(world)
    held(room, timezone.now() - datetime.timedelta(days=3), 2, [world.derby_person, world.depot_person])
    upcoming = held(room, timezone.now() + datetime.timedelta(days=5), 1)
    page = coordinator_client.get(reverse("learning:centre_detail", args=[room.centre.pk])).content.decode()
    assert "Council House learning centre" in page
    assert "Monday to Friday, 8am to 6pm" in page
    assert "IT suite" in page
    assert upcoming.activity.title in page
    assert "<svg" in page and "Learners per month" in page
    assert "1 session held, 2 hours in all." in page


def test_another_units_booking_shows_only_as_booked(world, coordinator_client):
    """A national centre shared with Nottingham: Derby sees when its rooms are taken, not by what."""
    centre = LearningCentre.objects.create(unit=world.region, name="Regional office", address="1 Market St")
    room = Room.objects.create(centre=centre, name="Training room")
    make_session(
        make_activity(world.notts, title="Nottingham nurses' forum"),
        starts=timezone.now() + datetime.timedelta(days=2),
        venue="room",
        room=room,
        address="",
    )
    page = coordinator_client.get(reverse("learning:centre_detail", args=[centre.pk])).content.decode()
    assert "Booked by another unit" in page
    assert "nurses" not in page


def test_the_list_shows_open_and_closed_centres(world, coordinator_client, django_assert_max_num_queries):
    derby_centre(world)
    LearningCentre.objects.create(
        unit=world.derby, name="Old depot centre", address="Stores Road", closed_on=datetime.date(2025, 3, 31)
    )
    for number in range(10):
        centre = LearningCentre.objects.create(unit=world.derby, name=f"Centre {number}", workplace=world.depot)
        Room.objects.create(centre=centre, name="Room 1")
    with django_assert_max_num_queries(12):
        response = coordinator_client.get(reverse("learning:centres"))
    page = response.content.decode()
    assert "Council House learning centre" in page
    assert "Closed 31 Mar 2025" in page
    assert "12 learning centres" in page


def test_the_list_says_what_to_do_when_empty(world, coordinator_client):
    page = coordinator_client.get(reverse("learning:centres")).content.decode()
    assert "No learning centres yet." in page and "Add the first one" in page


# Adding and changing centres --------------------------------------------------------------------


def centre_data(world, **changes):
    data = {
        "unit": world.derby.pk,
        "name": "Depot learning centre",
        "workplace": world.depot.pk,
        "address": "",
        "opening_hours": "Tuesdays 7am to 9am",
        "equipment": "6 laptops",
        "notes": "",
        "opened_on": "2026-01-05",
        "closed_on": "",
    }
    return {**data, **changes}


def test_a_coordinator_adds_a_centre(world, coordinator_client):
    response = coordinator_client.post(reverse("learning:centre_add"), centre_data(world))
    centre = LearningCentre.objects.get(name="Depot learning centre")
    assert response["Location"] == reverse("learning:centre_detail", args=[centre.pk])
    assert (centre.unit, centre.workplace, centre.opened_on) == (world.derby, world.depot, datetime.date(2026, 1, 5))
    assert AuditEvent.objects.filter(target_type="learningcentre", target_id=centre.pk, action="created").exists()


def test_a_centre_needs_a_host_workplace_or_an_address(world, coordinator_client):
    response = coordinator_client.post(reverse("learning:centre_add"), centre_data(world, workplace=""))
    assert response.status_code == 200
    assert "Choose the workplace that hosts it, or enter the address of the venue" in response.content.decode()
    assert not LearningCentre.objects.exists()


def test_a_community_venue_has_an_address(world, coordinator_client):
    data = centre_data(world, workplace="", name="Library centre", address="Riverside Library\nDerby")
    coordinator_client.post(reverse("learning:centre_add"), data)
    assert LearningCentre.objects.get(name="Library centre").workplace is None


def test_closing_a_centre_sets_the_date_it_closed(world, coordinator_client):
    centre = derby_centre(world)
    data = centre_data(world, name=centre.name, workplace=world.town_hall.pk, opened_on="", closed_on="2026-11-30")
    response = coordinator_client.post(reverse("learning:centre_edit", args=[centre.pk]), data)
    assert response.status_code == 302
    centre.refresh_from_db()
    assert centre.closed_on == datetime.date(2026, 11, 30)
    assert not centre.is_open_on(datetime.date(2026, 12, 1))


def test_a_centre_cannot_close_before_it_opened(world, coordinator_client):
    centre = derby_centre(world)
    data = centre_data(world, opened_on="2026-05-01", closed_on="2026-04-01")
    response = coordinator_client.post(reverse("learning:centre_edit", args=[centre.pk]), data)
    assert "The date it closed must be on or after the date it opened" in response.content.decode()
    centre.refresh_from_db()
    assert centre.closed_on is None and centre.name == "Council House learning centre"


def test_a_centre_cannot_be_given_to_a_unit_outside_your_own(world, coordinator_client):
    response = coordinator_client.post(reverse("learning:centre_add"), centre_data(world, unit=world.notts.pk))
    assert "Select one of your units" in response.content.decode()
    assert not LearningCentre.objects.exists()


@pytest.mark.parametrize("who", ["ulr", "officer"])
def test_ulrs_and_officers_see_centres_but_cannot_change_them(world, who):
    centre = derby_centre(world)
    room = derby_room(world)
    client = client_for(getattr(world, who))
    page = client.get(reverse("learning:centre_detail", args=[centre.pk])).content.decode()
    assert centre.name in page
    assert reverse("learning:centre_edit", args=[centre.pk]) not in page
    assert client.get(reverse("learning:centre_add")).status_code == 403
    assert client.post(reverse("learning:centre_add"), centre_data(world)).status_code == 403
    for url in (
        reverse("learning:centre_edit", args=[centre.pk]),
        reverse("learning:room_add", args=[centre.pk]),
        reverse("learning:room_edit", args=[room.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {**centre_data(world), "name": "Changed"}).status_code == 404
    centre.refresh_from_db()
    room.refresh_from_db()
    assert (centre.name, room.name) == ("Council House learning centre", "IT suite")
    assert LearningCentre.objects.count() == 1


def test_another_branch_cannot_see_or_change_a_centre(world, outsider_client):
    centre = derby_centre(world)
    assert outsider_client.get(reverse("learning:centre_detail", args=[centre.pk])).status_code == 404
    response = outsider_client.post(reverse("learning:centre_edit", args=[centre.pk]), centre_data(world, name="X"))
    assert response.status_code == 404
    assert "Council House" not in outsider_client.get(reverse("learning:centres")).content.decode()
    centre.refresh_from_db()
    assert centre.name == "Council House learning centre"


# Rooms ------------------------------------------------------------------------------------------


def test_a_coordinator_adds_a_room(world, coordinator_client):
    centre = derby_centre(world)
    url = reverse("learning:room_add", args=[centre.pk])
    response = coordinator_client.post(url, {"name": " Training room ", "capacity": "14", "equipment": "Projector"})
    assert response["Location"] == reverse("learning:centre_detail", args=[centre.pk])
    room = centre.rooms.get()
    assert (room.name, room.capacity) == ("Training room", 14)


def test_room_names_are_unique_within_a_centre(world, coordinator_client):
    room = derby_room(world)
    url = reverse("learning:room_add", args=[room.centre.pk])
    response = coordinator_client.post(url, {"name": "it suite", "capacity": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This centre already has a room called “it suite”" in page
    assert 'id="id_name-error"' in page or "govuk-error-message" in page
    assert room.centre.rooms.count() == 1


def test_another_centre_may_have_a_room_of_the_same_name(world):
    other = LearningCentre.objects.create(unit=world.derby, name="Depot", address="Stores Road")
    derby_room(world)
    room = centres.room_save(Room(centre=other, name="IT suite"), acting_user=world.coordinator, fields=["name"])
    assert room.pk is not None


def test_renaming_a_room_to_another_rooms_name_is_refused(world, coordinator_client):
    room = derby_room(world)
    Room.objects.create(centre=room.centre, name="Library")
    response = coordinator_client.post(reverse("learning:room_edit", args=[room.pk]), {"name": "Library"})
    assert "This centre already has a room called “Library”" in response.content.decode()
    room.refresh_from_db()
    assert room.name == "IT suite"


def test_a_room_keeps_its_own_name_when_changed(world, coordinator_client):
    room = derby_room(world)
    response = coordinator_client.post(
        reverse("learning:room_edit", args=[room.pk]), {"name": "IT suite", "capacity": "20"}
    )
    assert response.status_code == 302
    room.refresh_from_db()
    assert room.capacity == 20


def test_the_room_service_refuses_a_duplicate_name(world):
    room = derby_room(world)
    with pytest.raises(ValidationError) as error:
        centres.room_save(Room(centre=room.centre, name="IT SUITE"), acting_user=world.coordinator, fields=["name"])
    assert "name" in error.value.error_dict


def test_a_person_at_a_centre_session_is_a_learner_once_a_month(world):
    """Two sessions in a month with the same learner: one learner, two sessions."""
    room = derby_room(world)
    sam = PersonFactory(first_name="Sam", last_name="Learner", branch=world.derby)
    held(room, at(2026, 6, 2), 1, [sam, world.derby_person])
    held(room, at(2026, 6, 9), 1, [sam])
    june = next(m for m in centres.usage_by_month(room.centre, today=datetime.date(2026, 11, 26)) if m.month.month == 6)
    assert (june.sessions, june.learners, june.hours) == (2, 2, Decimal("2.0"))
