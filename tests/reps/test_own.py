"""A rep's own view: what a signed-in ULR sees of themselves, on their phone and on the home page."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from learningdesk.reps import facility
from learningdesk.reps.models import Action, Conversation, FacilityTimeEntry, MeetingInvite, Rep, RepMeeting, Stage
from tests.conftest import World, client_for
from tests.factories import PersonFactory
from tests.reps import days_ago, derby_rep, make_rep


def notified_ulr_with_login(world: World, notified_on: datetime.date) -> Rep:
    """Uma Rep, the world's ULR login, notified to the council on `notified_on` and not yet trained."""
    person = PersonFactory(first_name="Uma", last_name="Rep", branch=world.derby, workplace=world.town_hall)
    world.ulr.person = person
    world.ulr.save(update_fields=["person"])
    return make_rep(person, stage=Stage.NOTIFIED, workplaces=[world.town_hall], on=notified_on)


def upcoming_meeting(world: World, rep: Rep, title: str = "Spring ULR meeting") -> RepMeeting:
    starts = timezone.now() + datetime.timedelta(days=9)
    meeting = RepMeeting.objects.create(
        unit=world.derby, title=title, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), location="Room 4"
    )
    MeetingInvite.objects.create(meeting=meeting, rep=rep)
    return meeting


def test_a_ulr_sees_their_page_with_the_two_buttons_first(world):
    uma = notified_ulr_with_login(world, days_ago(30))
    facility.allowance_set(acting_user=None, rep=uma, employer=world.council, hours=Decimal("4"), per="month")
    facility.time_log(
        acting_user=None,
        rep=uma,
        on=timezone.localdate(),
        hours=Decimal("1"),
        purpose=FacilityTimeEntry.Purpose.ADVISING,
    )
    Action.objects.create(unit=world.derby, rep=uma, description="Book the stall at the canteen", due_on=days_ago(1))
    Action.objects.create(unit=world.derby, rep=uma, description="Already done", done_on=days_ago(2))
    upcoming_meeting(world, uma)
    facility.conversation_log(
        acting_user=None, rep=uma, on=timezone.localdate(), person=world.derby_person, about=Conversation.About.COURSE
    )
    page = client_for(world.ulr).get(reverse("reps:own")).content.decode()
    buttons = page.index('id="own-buttons"')
    assert buttons < page.index("My actions")
    assert reverse("reps:time_log") in page[buttons:] and reverse("reps:conversation_log") in page[buttons:]
    due_by = uma.training_due_by
    assert f"Complete your ULR training by {due_by:%-d %B %Y}: {(due_by - timezone.localdate()).days} days left" in page
    assert "Book the stall at the canteen" in page and "Overdue" in page and "Already done" not in page
    assert "Spring ULR meeting" in page and "Room 4" in page
    assert re.search(r'id="used-month">\s*1 hour of 4 agreed', page)
    assert "Council House" in page and "Derby City Council" in page
    assert "Maria Alberts" in page
    assert "<table" not in page


def test_an_overdue_training_deadline_is_a_warning_to_book_it(world):
    notified_ulr_with_login(world, timezone.localdate() - datetime.timedelta(days=200))
    page = client_for(world.ulr).get(reverse("reps:own")).content.decode()
    assert "training was due by" in page and "booking it now" in page


def test_a_trained_rep_has_no_deadline_warning(world):
    derby_rep(world)
    person = PersonFactory(first_name="Uma", last_name="Rep", branch=world.derby, workplace=world.town_hall)
    world.ulr.person = person
    world.ulr.save(update_fields=["person"])
    make_rep(person, stage=Stage.ACTIVE, workplaces=[world.town_hall])
    page = client_for(world.ulr).get(reverse("reps:own")).content.decode()
    assert "govuk-warning-text" not in page
    assert "No open actions" in page and "No ULR meeting booked yet" in page and "No conversations logged yet" in page


def test_the_done_button_ticks_off_an_action_and_comes_back(world):
    try:
        reverse("reps:action_done", args=[1])
    except NoReverseMatch:
        pytest.skip("reps:action_done is not built yet")
    uma = notified_ulr_with_login(world, days_ago(30))
    action = Action.objects.create(unit=world.derby, rep=uma, description="Ask about a learning room")
    client = client_for(world.ulr)
    page = client.get(reverse("reps:own")).content.decode()
    assert reverse("reps:action_done", args=[action.pk]) in page
    response = client.post(reverse("reps:action_done", args=[action.pk]), {"next": reverse("reps:own")})
    assert response["Location"] == reverse("reps:own")
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()


def test_someone_who_is_not_a_rep_is_told_what_the_page_is_for(world):
    for user in (world.coordinator, world.ulr, world.outsider):
        response = client_for(user).get(reverse("reps:own"))
        assert response.status_code == 200
        assert "not linked to a current rep" in response.content.decode()


def test_a_rep_who_stood_down_has_no_own_page(world):
    uma = notified_ulr_with_login(world, days_ago(30))
    Rep.objects.filter(pk=uma.pk).update(stage=Stage.STOOD_DOWN)
    assert "not linked to a current rep" in client_for(world.ulr).get(reverse("reps:own")).content.decode()


def test_anonymous_users_are_sent_to_sign_in(world, client):
    response = client.get(reverse("reps:own"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_own_page_reads_a_few_queries(world, django_assert_max_num_queries):
    uma = notified_ulr_with_login(world, days_ago(30))
    upcoming_meeting(world, uma)
    Action.objects.create(unit=world.derby, rep=uma, description="Plan a stall")
    client = client_for(world.ulr)
    with django_assert_max_num_queries(16):
        client.get(reverse("reps:own"))


def test_the_home_page_summary_has_the_buttons_deadline_meeting_and_action_count(world):
    uma = notified_ulr_with_login(world, days_ago(170))
    upcoming_meeting(world, uma)
    Action.objects.create(unit=world.derby, rep=uma, description="Plan a stall")
    Action.objects.create(unit=world.derby, owner=uma.person, description="Email the tutor")
    request = RequestFactory().get("/")
    request.user = world.ulr
    html = render_to_string("reps/own/_home.html", {"own_reps": [uma], "user": world.ulr}, request=request)
    assert reverse("reps:time_log") in html and reverse("reps:conversation_log") in html
    assert f"Complete your ULR training by {uma.training_due_by:%-d %B %Y}" in html
    assert "days left" in html
    assert "Next ULR meeting" in html and "2 open actions" in html
    assert reverse("reps:own") in html


def test_the_home_page_summary_is_empty_for_someone_who_is_not_a_rep(world):
    request = RequestFactory().get("/")
    request.user = world.coordinator
    assert render_to_string("reps/own/_home.html", {"own_reps": [], "user": world.coordinator}).strip() == ""


def test_the_home_page_of_a_rep_starts_with_their_buttons(world):
    uma = notified_ulr_with_login(world, days_ago(30))
    upcoming_meeting(world, uma)
    page = client_for(world.ulr).get(reverse("home")).content.decode()
    assert 'id="own-summary"' in page
    assert reverse("reps:time_log") in page and "Next ULR meeting" in page and "0 open actions" in page
