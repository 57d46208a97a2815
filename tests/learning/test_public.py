"""The public learning pages (no login): a unit's learning, an activity, QR codes and the calendar feed."""

from __future__ import annotations

import datetime
import re
from xml.etree import ElementTree

import icalendar
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from learningdesk.learning import selectors, signups
from learningdesk.learning.models import Activity, Session
from tests.conftest import client_for
from tests.learning import in_days, make_activity, make_session, sign_up

SVG = "{http://www.w3.org/2000/svg}svg"


def unit_url(code: str = "em-derby") -> str:
    return reverse("learn:unit", kwargs={"code": code})


def activity_url(activity: Activity, code: str = "em-derby") -> str:
    return reverse("learn:activity", kwargs={"code": code, "pk": activity.pk})


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def maths(world) -> Activity:
    activity = make_activity(world.derby, title="Maths for work")
    make_session(activity, starts=in_days(7), capacity=10)
    return activity


# The unit's page -----------------------------------------------------------------------------------


def test_a_units_page_lists_its_own_and_its_branches_published_learning_without_signing_in(world, client, maths):
    regional = make_activity(world.region, title="Regional book swap")
    make_session(regional, starts=in_days(3))
    draft = make_activity(world.derby, title="Secret draft course", status=Activity.Status.DRAFT)
    make_session(draft)
    past = make_activity(world.derby, title="Last year's walk")
    make_session(past, starts=in_days(-10))
    cancelled = make_activity(world.derby, title="Called-off webinar", status=Activity.Status.CANCELLED)
    make_session(cancelled)
    cancelled_session = make_activity(world.derby, title="Only a cancelled date")
    make_session(cancelled_session, is_cancelled=True)
    notts = make_activity(world.notts, title="Nottingham ESOL")
    make_session(notts)

    region_page = client.get(unit_url("em")).content.decode()
    assert "Maths for work" in region_page and "Regional book swap" in region_page and "Nottingham ESOL" in region_page
    assert region_page.index("Regional book swap") < region_page.index("Maths for work")  # soonest first

    derby_page = client.get(unit_url()).content.decode()
    assert "Maths for work" in derby_page
    for hidden in ("Regional book swap", "Secret draft course", "Last year", "Called-off", "Only a cancelled", "ESOL"):
        assert hidden not in derby_page


def test_the_unit_code_may_be_typed_in_any_case(world, client, maths):
    assert client.get(unit_url("EM-DERBY")).status_code == 200
    assert client.get(unit_url("Em-Derby")).status_code == 200
    assert client.get(unit_url("no-such-unit")).status_code == 404


def test_a_unit_with_nothing_coming_up_says_what_to_do_next(world, client):
    response = client.get(unit_url())
    assert response.status_code == 200
    assert "Nothing coming up just now" in response.content.decode()
    assert reverse("learn:calendar", kwargs={"code": "em-derby"}) in response.content.decode()


def test_a_units_page_shows_the_next_date_and_how_many_more(world, client, maths):
    make_session(maths, starts=in_days(14))
    make_session(maths, starts=in_days(21))
    page = client.get(unit_url()).content.decode()
    assert "and 2 more dates" in page
    assert activity_url(maths) in page


def test_a_units_page_reads_the_same_few_queries_however_many_activities(world, client, django_assert_max_num_queries):
    for number in range(30):
        activity = make_activity(world.derby, title=f"Course {number}")
        make_session(activity, starts=in_days(1 + number), workplace=world.town_hall, venue="workplace", address="")
        make_session(activity, starts=in_days(40 + number))
    with django_assert_max_num_queries(5):
        response = client.get(unit_url())
    assert response.status_code == 200
    assert "Council House" in response.content.decode()
    second = client.get(unit_url() + "?page=2").content.decode()
    assert "Course 29" in second


# An activity's page --------------------------------------------------------------------------------


def test_an_activity_page_says_what_it_is_and_the_places_left(world, client, maths):
    maths.level = "2"
    maths.qualification = "Functional Skills Maths"
    maths.awarding_body = "City & Guilds"
    maths.save()
    full = make_session(maths, starts=in_days(14), capacity=1)
    sign_up(full, email="first@example.org")
    page = client.get(activity_url(maths)).content.decode()
    assert "Maths for work" in page
    assert "Brush up your maths" in page
    assert "Functional skills maths" in page
    assert "Level 2" in page and "Functional Skills Maths" in page and "City &amp; Guilds" in page
    assert "Members only" in page
    assert "10 places left" in page
    assert "Full: join the waiting list" in page
    assert reverse("learn:sign_up", kwargs={"code": "em-derby", "session_pk": full.pk}) in page


def test_an_activity_page_never_shows_the_online_link_or_who_signed_up(world, client, maths):
    online = make_session(
        maths,
        starts=in_days(10, hour=19),
        venue=Session.Venue.ONLINE,
        address="",
        online_url="https://meet.example.org/secret-room",
        time_zone="Europe/London",
    )
    sign_up(online, world.derby_person)
    page = client.get(activity_url(maths)).content.decode()
    assert "Online" in page
    for secret in ("meet.example.org", "secret-room", "Alberts", "Maria", world.derby_person.email):
        assert secret not in page


def test_an_online_session_shows_the_organisers_time_and_zone_for_the_visitors_browser_to_convert(world, client, maths):
    online = make_session(maths, starts=in_days(10, hour=19), venue=Session.Venue.ONLINE, address="")
    page = client.get(activity_url(maths)).content.decode()
    assert f'<time datetime="{online.starts_at.isoformat()}" data-local-time data-zone="Europe/London">' in page
    assert "19:00 to 20:00" in page
    assert "(Europe/London time)" in page
    assert "learning/local-times.js" in page


def test_a_page_without_online_sessions_loads_no_script_for_them(world, client, maths):
    assert "local-times.js" not in client.get(activity_url(maths)).content.decode()


def test_drafts_cancelled_activities_and_other_units_activities_are_not_found(world, client, maths):
    draft = make_activity(world.derby, title="Draft", status=Activity.Status.DRAFT)
    cancelled = make_activity(world.derby, title="Cancelled", status=Activity.Status.CANCELLED)
    notts = make_activity(world.notts, title="Nottingham ESOL")
    assert client.get(activity_url(draft)).status_code == 404
    assert client.get(activity_url(cancelled)).status_code == 404
    assert client.get(activity_url(notts)).status_code == 404  # not Derby's
    assert client.get(activity_url(notts, "em-notts")).status_code == 200
    assert client.get(activity_url(maths, "em")).status_code == 200  # the region's page shows its branches'


def test_an_activity_page_takes_a_few_queries_however_many_sessions(world, client, maths, django_assert_num_queries):
    for days in range(8, 30):
        make_session(maths, starts=in_days(days), workplace=world.depot, venue="workplace", address="")
    with django_assert_num_queries(4):  # what may have changed (with the unit), the unit, the activity, sessions
        first = client.get(activity_url(maths))
    with django_assert_num_queries(0):  # made a moment ago: the page is served as it was
        second = client.get(activity_url(maths))
    cache.delete(selectors.recent_page_key(maths.pk))  # a few seconds later
    with django_assert_num_queries(1):  # nothing changed: the page is reused whole
        third = client.get(activity_url(maths))
    assert first.status_code == second.status_code == third.status_code == 200
    assert "Stores Road Depot" in second.content.decode()
    assert "Stores Road Depot" in third.content.decode()


def test_a_page_reused_whole_carries_this_responses_own_script_nonce(world, client, maths):
    client.get(activity_url(maths))
    response = client.get(activity_url(maths))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}">' in response.content.decode()


def test_a_signed_in_visitor_gets_the_page_with_their_own_header(world, maths, django_assert_max_num_queries):
    visitor = client_for(world.coordinator)
    Client().get(activity_url(maths))  # a visitor without cookies leaves the page kept whole
    page = visitor.get(activity_url(maths)).content.decode()
    assert world.coordinator.email in page
    assert "Sign out" in page


def test_the_places_left_are_right_the_moment_someone_signs_up(world, client, maths):
    session = maths.sessions.get()
    assert "10 places left" in client.get(activity_url(maths)).content.decode()
    sign_up(session, email="someone@example.org")
    assert "9 places left" in client.get(activity_url(maths)).content.decode()
    signups.change_capacity(session, 1)
    assert "Full: join the waiting list" in client.get(activity_url(maths)).content.decode()


def test_a_change_made_by_another_process_shows_within_seconds(world, client, maths):
    session = maths.sessions.get()
    assert "10 places left" in client.get(activity_url(maths)).content.decode()
    Session.objects.filter(pk=session.pk).update(capacity=1)  # as another web process would, unseen here
    cache.delete(selectors.recent_page_key(maths.pk))  # RECENT_PAGE_SECONDS later
    assert "1 place left" in client.get(activity_url(maths)).content.decode()


def test_an_activity_unpublished_a_moment_ago_is_gone(world, client, maths):
    assert client.get(activity_url(maths)).status_code == 200
    maths.status = Activity.Status.DRAFT
    maths.save()
    assert client.get(activity_url(maths)).status_code == 404


# QR codes and the calendar -------------------------------------------------------------------------


def test_qr_codes_are_cacheable_svg_images(world, client, maths):
    for url in (
        reverse("learn:unit_qr", kwargs={"code": "em-derby"}),
        reverse("learn:activity_qr", kwargs={"code": "em-derby", "pk": maths.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert "max-age" in response["Cache-Control"]
        root = ElementTree.fromstring(response.content)  # noqa: S314 (our own SVG)
        assert root.tag == SVG
        assert int(root.get("width")) > 100


def test_a_drafts_qr_code_is_not_found(world, client):
    draft = make_activity(world.derby, status=Activity.Status.DRAFT)
    assert client.get(reverse("learn:activity_qr", kwargs={"code": "em-derby", "pk": draft.pk})).status_code == 404


def test_the_calendar_feed_has_the_units_published_sessions_of_the_last_month_and_to_come(world, client, maths):
    make_session(maths, starts=in_days(-10))
    make_session(maths, starts=in_days(-45))
    make_session(
        maths, starts=in_days(3), venue=Session.Venue.ONLINE, address="", online_url="https://meet.example.org/x"
    )
    draft = make_activity(world.derby, title="Secret draft", status=Activity.Status.DRAFT)
    make_session(draft)
    notts = make_activity(world.notts, title="Nottingham ESOL")
    make_session(notts)

    response = client.get(reverse("learn:calendar", kwargs={"code": "em-derby"}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    feed = icalendar.Calendar.from_ical(response.content)
    events = list(feed.walk("VEVENT"))
    assert len(events) == 3  # in 7 days, in 3 days (online), 10 days ago; not 45 days ago
    assert {str(event["summary"]) for event in events} == {"Maths for work"}
    assert str(feed["x-wr-calname"]) == "Learning in Derby City"
    assert b"meet.example.org" not in response.content
    starts = sorted(event.decoded("dtstart") for event in events)
    assert starts[0] < datetime.datetime.now(datetime.UTC) < starts[-1]
    assert all(str(event["url"]).endswith(activity_url(maths)) for event in events)
