"""The learning programme on the home page: sessions coming up, full sessions with a waiting list and people
interested in joining, each only for those who look after them."""

from __future__ import annotations

from django.urls import reverse

from learningdesk.learning.models import JoinLead
from tests.conftest import client_for
from tests.learning import make_activity, make_session, sign_up


def test_the_coordinator_sees_sessions_coming_up_and_what_needs_doing(world):
    activity = make_activity(world.derby, title="Spanish for beginners")
    session = make_session(activity, capacity=1)
    sign_up(session, email="a@example.org")
    sign_up(session, email="b@example.org")  # waiting
    JoinLead.objects.create(person=world.depot_person, unit=world.derby, source=JoinLead.Source.SIGN_UP)

    page = client_for(world.coordinator).get(reverse("home")).content.decode()

    assert "Spanish for beginners" in page
    assert "1 full session with 1 person on the waiting list" in page
    assert "1 person interested in joining the union to contact" in page


def test_the_full_sessions_link_lists_only_activities_with_a_waiting_list(world):
    full = make_activity(world.derby, title="Full course")
    session = make_session(full, capacity=1)
    sign_up(session, email="a@example.org")
    sign_up(session, email="b@example.org")
    make_session(make_activity(world.derby, title="Roomy course"), capacity=20)

    page = client_for(world.coordinator).get(reverse("learning:activities") + "?show=full").content.decode()

    assert "Full course" in page
    assert "Roomy course" not in page


def test_another_branch_sees_nothing_of_derbys_learning_at_home(world):
    session = make_session(make_activity(world.derby, title="Spanish for beginners"), capacity=1)
    sign_up(session, email="a@example.org")
    sign_up(session, email="b@example.org")

    page = client_for(world.outsider).get(reverse("home")).content.decode()

    assert "Spanish for beginners" not in page
    assert "on the waiting list" not in page
    assert "Nothing in the next two weeks" in page


def test_a_branch_officer_sees_what_is_coming_up_but_is_not_asked_to_follow_up_leads(world):
    JoinLead.objects.create(person=world.depot_person, unit=world.derby, source=JoinLead.Source.SIGN_UP)
    page = client_for(world.officer).get(reverse("home")).content.decode()
    assert "interested in joining the union to contact" not in page
