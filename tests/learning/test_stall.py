"""Stall mode (a rep signs a queue of people up on their phone) and the printable poster."""

from __future__ import annotations

import pytest
from django.urls import reverse

from learningdesk.learning.models import Activity, Session, SignUp
from learningdesk.org.models import Consent
from learningdesk.reps.models import Rep
from tests.conftest import client_for
from tests.learning import derby_activity, derby_session, in_days, make_activity, make_session, sign_up
from tests.reps import rep_kind


def stall_url(session: Session) -> str:
    return reverse("learning:stall", args=[session.pk])


def person(first: str, last: str, **changes) -> dict:
    data = {
        "first_name": first,
        "last_name": last,
        "email": f"{first.lower()}@example.org",
        "says_member": "yes",
        "workplace": "",
        "workplace_text": "",
    }
    data.update(changes)
    return data


def test_a_rep_signs_three_people_up_in_a_row(world):
    session = derby_session(world)
    client = client_for(world.ulr)  # the ULR at Derby's Council House
    assert "0" in client.get(stall_url(session)).content.decode()
    for number, (first, last) in enumerate([("Sam", "Learner"), ("Ali", "Khan"), ("Jo", "Bloggs")], start=1):
        response = client.post(stall_url(session), person(first, last), follow=True)
        page = response.content.decode()
        assert response.redirect_chain == [(stall_url(session), 302)]
        assert f"Signed up: {first} {last} (confirmed)" in page
        assert f'<span class="ld-stat__number">{number}</span>' in page
        # The form comes back empty for the next person (the whole quoted value: a CSRF token may start "Jo").
        assert f'value="{first}"' not in page
    records = SignUp.objects.filter(session=session)
    assert records.count() == 3
    assert {record.source for record in records} == {SignUp.Source.STALL}
    assert {record.created_by for record in records} == {world.ulr}


def test_stall_consents_are_recorded_as_given_in_person(world, coordinator_client):
    rep_kind()
    session = derby_session(world)
    coordinator_client.post(stall_url(session), person("Sam", "Learner", consent_rep="on", consent_learning="on"))
    record = SignUp.objects.get(session=session)
    kinds = {consent.kind: consent.method for consent in record.person.consents.all()}
    assert kinds == {Consent.Kind.BECOME_REP: "in_person", Consent.Kind.LEARNING_NEWS: "in_person"}
    assert Rep.objects.filter(person=record.person).exists()  # a ULR prospect, for the co-ordinator


def test_a_full_session_takes_the_next_person_onto_its_waiting_list(world, coordinator_client):
    session = make_session(derby_activity(world), starts=in_days(9), capacity=1)
    sign_up(session, email="first@example.org")
    response = coordinator_client.post(stall_url(session), person("Sam", "Learner"), follow=True)
    assert "Signed up: Sam Learner (on the waiting list)" in response.content.decode()


def test_a_duplicate_at_the_stall_is_explained(world, coordinator_client):
    session = derby_session(world)
    coordinator_client.post(stall_url(session), person("Sam", "Learner"))
    response = coordinator_client.post(stall_url(session), person("Sam", "Learner"))
    assert response.status_code == 200
    assert "already signed up for this session (confirmed)" in response.content.decode()
    assert SignUp.objects.filter(session=session).count() == 1


def test_mistakes_at_the_stall_are_explained(world, coordinator_client):
    response = coordinator_client.post(stall_url(derby_session(world)), person("Sam", "", email=""))
    page = response.content.decode()
    assert "Enter your last name" in page
    assert "Enter your email address or mobile number" in page
    assert not SignUp.objects.exists()


def test_a_session_that_has_started_takes_no_more_sign_ups(world, coordinator_client):
    started = make_session(derby_activity(world), starts=in_days(0, hour=0))
    response = coordinator_client.post(stall_url(started), person("Sam", "Learner"))
    assert "already started" in response.content.decode()
    assert not SignUp.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "officer"])
def test_only_those_who_run_the_activity_may_use_stall_mode(world, who):
    """The Nottingham co-ordinator, and Derby's read-only branch officer, get 404."""
    session = derby_session(world)
    client = client_for(getattr(world, who))
    assert client.get(stall_url(session)).status_code == 404
    assert client.post(stall_url(session), person("Sam", "Learner")).status_code == 404
    assert not SignUp.objects.exists()


# The poster ----------------------------------------------------------------------------------------


def test_the_poster_is_a_pdf(world, coordinator_client, tmp_path):
    activity = derby_activity(world)
    response = coordinator_client.get(reverse("learning:poster", args=[activity.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_draft_can_be_printed_but_says_so(world, coordinator_client):
    draft = make_activity(world.derby, title="Not yet", status=Activity.Status.DRAFT)
    response = coordinator_client.get(reverse("learning:poster", args=[draft.pk]))
    assert response.content.startswith(b"%PDF")


def test_another_branch_gets_no_poster(world, outsider_client):
    activity = derby_activity(world)
    assert outsider_client.get(reverse("learning:poster", args=[activity.pk])).status_code == 404
