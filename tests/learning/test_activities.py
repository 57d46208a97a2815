"""The activity catalogue's staff pages: the list, adding and changing activities, the activity's page and
its helpers, and who may do what."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.learning.models import Activity, ActivityHelper
from tests.conftest import client_for
from tests.factories import PersonFactory
from tests.learning import (
    activity_type,
    derby_activity,
    derby_session,
    in_days,
    make_activity,
    make_session,
    sign_up,
    subject,
)

pytestmark = pytest.mark.django_db


def activity_post(world, **fields) -> dict:
    data = {
        "title": "Digital skills drop-in",
        "description": "Bring your phone: we help with email, forms and video calls.",
        "type": activity_type("Lunch and learn").pk,
        "subject": subject("Digital skills").pk,
        "level": "",
        "qualification": "",
        "awarding_body": "",
        "provider": "",
        "unit": world.derby.pk,
        "audience": "open",
        "funding": "free",
        "cost": "0",
        "organiser_lookup": "",
        "status": "published",
    }
    data.update(fields)
    return data


# The list -----------------------------------------------------------------------------------------


def test_the_list_shows_each_activity_with_its_type_unit_next_session_and_places(world, coordinator_client):
    session = derby_session(world)
    sign_up(session, world.derby_person)
    page = coordinator_client.get(reverse("learning:activities")).content.decode()
    assert "Maths for work" in page
    assert "Functional skills" in page
    assert "Derby City" in page
    assert f"{session.local_start:%a} {session.local_start.day} {session.local_start:%b %Y, %H:%M}" in page
    assert "1 taken, 9 left" in page
    assert "Add an activity" in page


def test_activities_with_a_session_coming_up_come_first(world, coordinator_client):
    make_activity(world.derby, title="Book swap")  # no session: newest, but nothing planned
    later = make_activity(world.derby, title="Webinar on pensions")
    make_session(later, starts=in_days(20))
    soon = make_activity(world.derby, title="Health walk")
    make_session(soon, starts=in_days(2))
    page = coordinator_client.get(reverse("learning:activities")).content.decode()
    assert page.index("Health walk") < page.index("Webinar on pensions") < page.index("Book swap")


def test_the_list_filters_by_status_type_subject_and_unit_and_searches_titles(world, coordinator_client):
    derby_activity(world)
    make_activity(world.derby, title="Draft reading challenge", status="draft", type=activity_type("Reading challenge"))
    make_activity(
        world.derby, title="ESOL conversation club", subject=subject("ESOL (English for speakers of other languages)")
    )
    url = reverse("learning:activities")

    def titles(**params) -> list[str]:
        page = coordinator_client.get(url, params).content.decode()
        return [t for t in ("Maths for work", "Draft reading challenge", "ESOL conversation club") if t in page]

    assert titles(status="draft") == ["Draft reading challenge"]
    assert titles(type=activity_type("Reading challenge").pk) == ["Draft reading challenge"]
    assert titles(subject=subject("ESOL (English for speakers of other languages)").pk) == ["ESOL conversation club"]
    assert titles(unit=world.derby.pk) == ["Maths for work", "Draft reading challenge", "ESOL conversation club"]
    assert titles(q="maths") == ["Maths for work"]
    assert "No activities match" in coordinator_client.get(url, {"q": "origami"}).content.decode()


def test_the_list_is_paginated_in_the_database_without_a_query_per_row(
    world, coordinator_client, django_assert_max_num_queries
):
    for number in range(30):
        activity = make_activity(world.derby, title=f"Course {number:02d}")
        make_session(activity, starts=in_days(1 + number))
    with django_assert_max_num_queries(10):
        response = coordinator_client.get(reverse("learning:activities"))
    page = response.content.decode()
    assert "30 activities" in page
    assert "Course 00" in page and "Course 24" in page and "Course 25" not in page
    assert "Course 25" in coordinator_client.get(reverse("learning:activities"), {"page": 2}).content.decode()


def test_the_list_shows_nothing_of_another_branch(world, outsider_client):
    derby_activity(world)
    page = outsider_client.get(reverse("learning:activities")).content.decode()
    assert "Maths for work" not in page
    assert "No activities yet" in page


def test_the_empty_list_says_what_to_do_next(world, coordinator_client):
    page = coordinator_client.get(reverse("learning:activities")).content.decode()
    assert "No activities yet" in page and "Add the first one" in page


@pytest.mark.parametrize("persona", ["ulr", "officer"])
def test_a_ulr_or_officer_sees_the_list_but_cannot_add_or_change(world, persona):
    client = client_for(getattr(world, persona))
    activity = derby_activity(world)
    page = client.get(reverse("learning:activities")).content.decode()
    assert "Maths for work" in page
    assert "Add an activity" not in page
    assert client.get(reverse("learning:activity_add")).status_code == 403
    assert client.post(reverse("learning:activity_add"), activity_post(world)).status_code == 403
    response = client.post(reverse("learning:activity_edit", args=[activity.pk]), activity_post(world, title="Changed"))
    assert response.status_code == 404
    activity.refresh_from_db()
    assert activity.title == "Maths for work"
    assert "Change details" not in client.get(reverse("learning:activity_detail", args=[activity.pk])).content.decode()


# Adding and changing ------------------------------------------------------------------------------


def test_a_coordinator_adds_an_activity_with_its_organiser_found_by_membership_number(world, coordinator_client):
    world.derby_person.membership_number = "D55501"
    world.derby_person.save()
    response = coordinator_client.post(
        reverse("learning:activity_add"), activity_post(world, organiser_lookup="d55501 ")
    )
    activity = Activity.objects.get(title="Digital skills drop-in")
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:activity_detail", args=[activity.pk])
    assert (activity.unit, activity.organiser, activity.created_by) == (
        world.derby,
        world.derby_person,
        world.coordinator,
    )
    assert AuditEvent.objects.filter(target_type="activity", target_id=activity.pk, action="created").exists()


def test_the_organiser_can_be_found_by_email(world, coordinator_client):
    coordinator_client.post(
        reverse("learning:activity_add"), activity_post(world, organiser_lookup=world.derby_person.email.upper())
    )
    assert Activity.objects.get().organiser == world.derby_person


def test_an_organiser_from_another_branch_is_not_found(world, coordinator_client):
    number = world.notts_person.membership_number
    response = coordinator_client.post(reverse("learning:activity_add"), activity_post(world, organiser_lookup=number))
    assert "No one you can see has that membership number" in response.content.decode()
    assert not Activity.objects.exists()


def test_a_qualification_needs_its_awarding_body(world, coordinator_client):
    response = coordinator_client.post(
        reverse("learning:activity_add"), activity_post(world, qualification="Functional Skills Maths Level 2")
    )
    page = response.content.decode()
    assert 'id="id_awarding_body-error"' in page
    assert "Enter the awarding body of the qualification" in page
    assert not Activity.objects.exists()


def test_a_published_activity_needs_a_description(world, coordinator_client):
    response = coordinator_client.post(reverse("learning:activity_add"), activity_post(world, description=" "))
    page = response.content.decode()
    assert 'id="id_description-error"' in page
    assert "published activities are shown to the public" in page
    assert not Activity.objects.exists()
    # A draft may wait for its description.
    coordinator_client.post(reverse("learning:activity_add"), activity_post(world, description="", status="draft"))
    assert Activity.objects.get().status == "draft"


def test_the_unit_must_be_one_the_user_organises_for(world, coordinator_client):
    response = coordinator_client.post(reverse("learning:activity_add"), activity_post(world, unit=world.notts.pk))
    assert response.status_code == 200
    assert not Activity.objects.exists()


def test_retired_types_are_not_offered_but_an_activity_keeps_its_own(world, coordinator_client):
    retired = activity_type("Newsletter")
    retired.is_active = False
    retired.save()
    assert "Newsletter" not in coordinator_client.get(reverse("learning:activity_add")).content.decode()
    activity = make_activity(world.derby, type=retired)
    page = coordinator_client.get(reverse("learning:activity_edit", args=[activity.pk])).content.decode()
    assert "Newsletter" in page


def test_a_coordinator_changes_an_activity(world, coordinator_client):
    activity = derby_activity(world)
    response = coordinator_client.post(
        reverse("learning:activity_edit", args=[activity.pk]),
        activity_post(world, title="Maths for work, part 2", level="2", qualification="FS Maths", awarding_body="NCFE"),
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.level, activity.awarding_body) == ("Maths for work, part 2", "2", "NCFE")
    event = AuditEvent.objects.get(target_type="activity", target_id=activity.pk, action="changed")
    assert "title" in event.changes["fields"]


def test_the_organiser_may_change_their_own_activity(world):
    world.ulr.person = world.derby_person
    world.ulr.save(update_fields=["person"])
    activity = make_activity(world.derby, organiser=world.derby_person)
    client = client_for(world.ulr)
    page = client.get(reverse("learning:activity_edit", args=[activity.pk])).content.decode()
    assert "Derby City" in page  # its unit stays offered, though a ULR organises for no unit
    response = client.post(
        reverse("learning:activity_edit", args=[activity.pk]),
        activity_post(world, title="Maths, by Maria", organiser_lookup=world.derby_person.membership_number),
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Maths, by Maria"


# The activity's page ------------------------------------------------------------------------------


def test_the_page_shows_details_helpers_sessions_and_sign_ups_to_those_who_run_it(world, coordinator_client):
    activity = derby_activity(world)
    ActivityHelper.objects.create(activity=activity, person=world.depot_person, task="Staffing the stall")
    session = make_session(activity, capacity=1, starts=in_days(14))
    sign_up(session, world.derby_person)
    sign_up(session, email="wait@example.org", first="Wendy", last="Waits")
    cancelled = make_session(activity, starts=in_days(21), is_cancelled=True)
    page = coordinator_client.get(reverse("learning:activity_detail", args=[activity.pk])).content.decode()
    assert "Dev Patel" in page and "Staffing the stall" in page
    assert "Council House" in page  # the first session's workplace, through session.place
    assert "1 of 1 taken, 0 left" in page
    assert "1 waiting" in page
    assert "Maria Alberts" in page and "Wendy Waits" in page
    assert "On the waiting list" in page and "Public sign-up page" in page
    assert f"session-{cancelled.pk}" in page and "Cancelled" in page


def test_an_officer_sees_the_activity_but_not_who_signed_up(world):
    sign_up(derby_session(world), world.derby_person)
    page = client_for(world.officer).get(reverse("learning:activity_detail", args=[derby_activity(world).pk]))
    assert "Maths for work" in page.content.decode()
    assert "Maria Alberts" not in page.content.decode()


def test_the_page_links_to_other_areas_pages_only_once_they_exist(world, coordinator_client):
    session = derby_session(world)
    page = coordinator_client.get(reverse("learning:activity_detail", args=[session.activity_id])).content.decode()
    try:
        register_url = reverse("learning:register", args=[session.pk])
    except NoReverseMatch:
        assert "Take the register" not in page
    else:
        assert register_url in page


# Helpers ------------------------------------------------------------------------------------------


def test_a_coordinator_finds_a_person_and_adds_them_as_a_helper(world, coordinator_client):
    activity = derby_activity(world)
    url = reverse("learning:activity_helpers", args=[activity.pk])
    found = coordinator_client.get(url, {"q": "patel"}).content.decode()
    assert f"?person={world.depot_person.pk}" in found
    chosen = coordinator_client.get(url, {"person": world.depot_person.pk}).content.decode()
    assert "Add Dev Patel as a helper" in chosen
    response = coordinator_client.post(url, {"person": world.depot_person.pk, "task": "Handing out leaflets"})
    assert response.status_code == 302
    helper = activity.helpers.get()
    assert (helper.person, helper.task) == (world.depot_person, "Handing out leaflets")
    assert (
        "Handing out leaflets"
        in coordinator_client.get(reverse("learning:activity_detail", args=[activity.pk])).content.decode()
    )


def test_the_people_search_finds_no_one_from_another_branch(world, coordinator_client):
    url = reverse("learning:activity_helpers", args=[derby_activity(world).pk])
    assert "Okafor" not in coordinator_client.get(url, {"q": "okafor"}).content.decode()
    response = coordinator_client.post(url, {"person": world.notts_person.pk, "task": ""})
    assert response.status_code == 404
    assert not ActivityHelper.objects.exists()


def test_a_helper_is_added_once(world, coordinator_client):
    activity = derby_activity(world)
    url = reverse("learning:activity_helpers", args=[activity.pk])
    coordinator_client.post(url, {"person": world.depot_person.pk})
    response = coordinator_client.post(url, {"person": world.depot_person.pk})
    assert "Dev Patel already helps with this activity" in response.content.decode()
    assert activity.helpers.count() == 1


def test_a_helper_is_removed(world, coordinator_client):
    activity = derby_activity(world)
    helper = ActivityHelper.objects.create(activity=activity, person=world.depot_person)
    response = coordinator_client.post(reverse("learning:activity_helpers", args=[activity.pk]), {"remove": helper.pk})
    assert response.status_code == 302
    assert not activity.helpers.exists()
    assert AuditEvent.objects.filter(target_type="activityhelper", action="deleted").exists()


@pytest.mark.parametrize("persona", ["ulr", "officer"])
def test_a_ulr_or_officer_cannot_change_the_helpers(world, persona):
    activity = derby_activity(world)
    helper = ActivityHelper.objects.create(activity=activity, person=world.depot_person)
    client = client_for(getattr(world, persona))
    url = reverse("learning:activity_helpers", args=[activity.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"remove": helper.pk}).status_code == 404
    assert client.post(url, {"person": world.derby_person.pk}).status_code == 404
    assert list(activity.helpers.all()) == [helper]


def test_a_helper_can_see_the_activity_they_help_with(world):
    helper_person = PersonFactory(first_name="Hal", last_name="Helper", branch=world.derby)
    world.officer.person = helper_person
    world.officer.save(update_fields=["person"])
    activity = make_activity(world.notts, title="Nottingham stall")
    ActivityHelper.objects.create(activity=activity, person=helper_person, task="Leaflets")
    response = client_for(world.officer).get(reverse("learning:activity_detail", args=[activity.pk]))
    assert response.status_code == 200
    assert "Leaflets" in response.content.decode()


def test_the_page_reads_sessions_and_sign_ups_without_a_query_per_row(
    world, coordinator_client, django_assert_max_num_queries
):
    activity = derby_activity(world)
    for day in range(8, 14):
        session = make_session(activity, starts=in_days(day))
        for number in range(3):
            sign_up(session, email=f"learner{day}-{number}@example.org", first=f"Learner{day}x{number}")
    with django_assert_max_num_queries(14):
        page = coordinator_client.get(reverse("learning:activity_detail", args=[activity.pk])).content.decode()
    assert "Learner13x2" in page
