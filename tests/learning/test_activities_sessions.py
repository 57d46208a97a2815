"""Adding, changing and cancelling an activity's sessions from its page: times in the organiser's zone,
venues, room bookings and places."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from learningdesk.learning.models import LearningCentre, Room, Session, SignUp
from tests.conftest import client_for
from tests.learning import derby_activity, derby_session, in_days, make_session, sign_up

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def session_post(**fields) -> dict:
    data = {
        "date": "2027-01-15",
        "start": "12:00",
        "end": "13:30",
        "time_zone": "Europe/London",
        "venue": "address",
        "workplace": "",
        "room": "",
        "address": "Committee Room 1, Council House, Derby",
        "online_url": "",
        "capacity": "12",
    }
    data.update(fields)
    return data


def derby_room(world) -> Room:
    centre = LearningCentre.objects.create(unit=world.derby, name="Council House Learning Centre")
    return Room.objects.create(centre=centre, name="IT suite", capacity=12)


def test_a_session_is_added_in_london_time(world, coordinator_client):
    activity = derby_activity(world)
    response = coordinator_client.post(reverse("learning:session_add", args=[activity.pk]), session_post())
    assert response.status_code == 302
    session = activity.sessions.get(address__startswith="Committee Room 1")
    # 15 January is winter: London is on UTC.
    assert session.starts_at == datetime.datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
    assert session.ends_at == datetime.datetime(2027, 1, 15, 13, 30, tzinfo=UTC)
    assert (session.capacity, session.time_zone) == (12, "Europe/London")


def test_times_are_entered_in_the_sessions_own_time_zone(world, coordinator_client):
    activity = derby_activity(world)
    coordinator_client.post(
        reverse("learning:session_add", args=[activity.pk]),
        session_post(time_zone="America/New_York", venue="online", online_url="https://meet.example.org/maths"),
    )
    session = activity.sessions.get(venue="online")
    assert session.starts_at == datetime.datetime(2027, 1, 15, 17, 0, tzinfo=UTC)
    assert session.time_zone == "America/New_York"
    assert session.address == ""  # only the chosen venue's field is kept
    page = coordinator_client.get(reverse("learning:session_edit", args=[session.pk])).content.decode()
    assert 'value="12:00"' in page  # shown back in its own zone


def test_summer_time_is_taken_into_account(world, coordinator_client):
    activity = derby_activity(world)
    coordinator_client.post(reverse("learning:session_add", args=[activity.pk]), session_post(date="2027-07-01"))
    session = activity.sessions.get(address__startswith="Committee Room 1")
    assert session.starts_at == datetime.datetime(2027, 7, 1, 11, 0, tzinfo=UTC)


def test_the_end_must_come_after_the_start(world, coordinator_client):
    activity = derby_activity(world)
    response = coordinator_client.post(
        reverse("learning:session_add", args=[activity.pk]), session_post(start="14:00", end="13:00")
    )
    page = response.content.decode()
    assert 'id="id_end-error"' in page and "The end time must be after the start time" in page
    assert activity.sessions.count() == 1


def test_the_chosen_venue_needs_its_field(world, coordinator_client):
    activity = derby_activity(world)
    response = coordinator_client.post(
        reverse("learning:session_add", args=[activity.pk]), session_post(venue="workplace")
    )
    page = response.content.decode()
    assert 'id="id_workplace-error"' in page and "Choose the workplace." in page
    assert activity.sessions.count() == 1


def test_a_session_at_a_workplace_of_the_branch(world, coordinator_client):
    activity = derby_activity(world)
    page = coordinator_client.get(reverse("learning:session_add", args=[activity.pk])).content.decode()
    assert "Stores Road Depot" in page and "Queen&#x27;s Medical Centre" not in page
    coordinator_client.post(
        reverse("learning:session_add", args=[activity.pk]), session_post(venue="workplace", workplace=world.depot.pk)
    )
    assert activity.sessions.get(workplace=world.depot).place == "Stores Road Depot"


def test_a_workplace_of_another_branch_is_refused(world, coordinator_client):
    activity = derby_activity(world)
    response = coordinator_client.post(
        reverse("learning:session_add", args=[activity.pk]),
        session_post(venue="workplace", workplace=world.hospital.pk),
    )
    assert 'id="id_workplace-error"' in response.content.decode()
    assert activity.sessions.count() == 1


def test_a_booked_room_is_refused_with_the_message_next_to_the_room(world, coordinator_client):
    room = derby_room(world)
    activity = derby_activity(world)
    start = datetime.datetime(2027, 1, 15, 11, 0, tzinfo=UTC)
    make_session(activity, starts=start, hours=2, venue="room", room=room, address="")
    response = coordinator_client.post(
        reverse("learning:session_add", args=[activity.pk]), session_post(venue="room", room=room.pk, address="")
    )
    page = response.content.decode()
    assert 'id="id_room-error"' in page
    assert "The room is booked for Maths for work from 11:00-13:00 on 15 Jan 2027" in page
    assert activity.sessions.filter(room=room).count() == 1


def test_a_room_is_booked_when_it_is_free(world, coordinator_client):
    room = derby_room(world)
    activity = derby_activity(world)
    coordinator_client.post(
        reverse("learning:session_add", args=[activity.pk]), session_post(venue="room", room=room.pk, address="")
    )
    assert activity.sessions.get(room=room).address == ""


def test_capacity_cannot_drop_below_the_places_taken(world, coordinator_client):
    session = make_session(derby_activity(world), capacity=5, starts=in_days(10))
    sign_up(session, world.derby_person)
    sign_up(session, email="b@example.org", first="Bea")
    local = session.local_start
    response = coordinator_client.post(
        reverse("learning:session_edit", args=[session.pk]),
        session_post(date=local.date().isoformat(), start=f"{local:%H:%M}", end="23:00", capacity="1"),
    )
    page = response.content.decode()
    assert 'id="id_capacity-error"' in page
    assert "2 places are already taken" in page
    session.refresh_from_db()
    assert session.capacity == 5


def test_a_session_is_changed(world, coordinator_client):
    session = derby_session(world)
    response = coordinator_client.post(
        reverse("learning:session_edit", args=[session.pk]), session_post(capacity="30", date="2027-02-01")
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.capacity, session.starts_at.date()) == (30, datetime.date(2027, 2, 1))


def test_cancelling_a_session_asks_first_then_tells_the_learners(world, coordinator_client):
    session = derby_session(world)
    first = sign_up(session, world.derby_person)
    second = sign_up(session, email="b@example.org", first="Bea")
    url = reverse("learning:session_cancel", args=[session.pk])
    page = coordinator_client.get(url).content.decode()
    assert "2 people have signed up" in page
    session.refresh_from_db()
    assert not session.is_cancelled
    response = coordinator_client.post(url, follow=True)
    assert "2 learners were told" in response.content.decode()
    session.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert session.is_cancelled and session.taken == 0
    assert first.status == second.status == SignUp.Status.CANCELLED


def test_a_session_that_has_started_cannot_be_cancelled(world, coordinator_client):
    session = make_session(derby_activity(world), starts=in_days(-1))
    response = coordinator_client.post(reverse("learning:session_cancel", args=[session.pk]))
    assert "cannot be cancelled" in response.content.decode()
    session.refresh_from_db()
    assert not session.is_cancelled


@pytest.mark.parametrize("persona", ["ulr", "officer"])
def test_a_ulr_or_officer_cannot_add_change_or_cancel_sessions(world, persona):
    client = client_for(getattr(world, persona))
    session = derby_session(world)
    assert client.post(reverse("learning:session_add", args=[session.activity_id]), session_post()).status_code == 404
    assert client.post(reverse("learning:session_edit", args=[session.pk]), session_post()).status_code == 404
    assert client.post(reverse("learning:session_cancel", args=[session.pk])).status_code == 404
    session.refresh_from_db()
    assert not session.is_cancelled
    assert Session.objects.count() == 1
