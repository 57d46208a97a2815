"""The register on the day: ticking who came, no-shows, walk-ins, the printable sign-in sheet, and who may use them."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.learning import signups
from learningdesk.learning.models import ActivityHelper, SignUp
from learningdesk.org.models import Consent, Person, Role
from tests.conftest import client_for
from tests.factories import PersonFactory, UserFactory, give_role
from tests.learning import derby_activity, derby_session, derby_sign_up, make_session, sign_up
from tests.learning.urls_register import held_session

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    """The text of a PDF, as poppler's pdftotext reads it."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "Install poppler-utils to read the sheet's text"
    result = subprocess.run([pdftotext, "-layout", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S603 (our own PDF)
    return " ".join(result.stdout.decode().split())


def learners(world, count: int = 3) -> list[Person]:
    return [
        PersonFactory(first_name=f"Learner{n}", last_name=f"Number{n}", branch=world.derby, workplace=world.depot)
        for n in range(count)
    ]


def statuses(session) -> dict[str, str]:
    return {record.person.first_name: record.status for record in session.sign_ups.select_related("person")}


def register_url(session) -> str:
    return reverse("learning:register", args=[session.pk])


# Taking the register ----------------------------------------------------------------------------


def test_ticked_learners_are_marked_attended_and_the_others_no_show(world, coordinator_client):
    first, second, third = learners(world)
    session = held_session(world, (first, second, third))
    records = {record.person_id: record.pk for record in session.sign_ups.all()}

    response = coordinator_client.post(register_url(session), {"attended": [records[first.pk], records[third.pk]]})

    assert response.status_code == 302
    assert statuses(session) == {"Learner0": "attended", "Learner1": "no_show", "Learner2": "attended"}
    record = session.sign_ups.get(person=first)
    assert record.attendance_recorded_by == world.coordinator
    assert AuditEvent.objects.filter(target_type="session", target_id=session.pk).exists()
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "Register saved: 2 more marked as attended, 1 as not coming." in page


def test_before_the_start_unticked_learners_are_left_booked(world, coordinator_client):
    first, second = learners(world, 2)
    session = make_session(derby_activity(world))
    for person in (first, second):
        sign_up(session, person)
    ticked = session.sign_ups.get(person=first)

    coordinator_client.post(register_url(session), {"attended": [ticked.pk]})

    assert statuses(session) == {"Learner0": "attended", "Learner1": "confirmed"}


def test_before_the_start_a_learner_ticked_by_mistake_is_booked_again_when_unticked(world, coordinator_client):
    (person,) = learners(world, 1)
    session = make_session(derby_activity(world))
    record = sign_up(session, person)
    htmx = {"HX-Request": "true"}
    coordinator_client.post(register_url(session), {"attended": [record.pk], "one": record.pk}, headers=htmx)
    assert statuses(session) == {"Learner0": "attended"}

    coordinator_client.post(register_url(session), {"one": record.pk}, headers=htmx)

    assert statuses(session) == {"Learner0": "confirmed"}
    record.refresh_from_db()
    assert record.attendance_recorded_at is None


def test_a_no_show_can_be_corrected_by_ticking_them(world, coordinator_client):
    (person,) = learners(world, 1)
    session = held_session(world, (person,))
    coordinator_client.post(register_url(session), {})
    assert statuses(session) == {"Learner0": "no_show"}

    coordinator_client.post(register_url(session), {"attended": [session.sign_ups.get().pk]})

    assert statuses(session) == {"Learner0": "attended"}


def test_with_htmx_one_tick_saves_only_that_learner_and_answers_the_counts(world, coordinator_client):
    first, second = learners(world, 2)
    session = held_session(world, (first, second))
    ticked = session.sign_ups.get(person=first)

    response = coordinator_client.post(
        register_url(session), {"attended": [ticked.pk], "one": ticked.pk}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert statuses(session) == {"Learner0": "attended", "Learner1": "confirmed"}  # the other box not touched
    fragment = response.content.decode()
    assert 'id="register-counts"' in fragment
    assert "<html" not in fragment


def test_the_register_shows_counts_names_and_access_needs(world, coordinator_client):
    first, second = learners(world, 2)
    session = make_session(derby_activity(world))
    sign_up(session, first)
    sign_up(session, second, access_needs="Uses a wheelchair: ground floor please")

    page = coordinator_client.get(register_url(session)).content.decode()

    assert "Learner0 Number0" in page and "Learner1 Number1" in page
    assert "Access needs: Uses a wheelchair: ground floor please" in page
    assert page.count('name="attended"') == 2
    assert '<span class="ld-stat__number">2</span><span class="ld-stat__label">booked</span>' in page


def test_the_register_lists_only_booked_and_marked_learners(world, coordinator_client):
    (booked,) = learners(world, 1)
    session = make_session(derby_activity(world), capacity=1)
    sign_up(session, booked)
    waiting = sign_up(session, PersonFactory(first_name="Wendy", last_name="Waiting", branch=world.derby))
    assert waiting.status == SignUp.Status.WAITLISTED

    page = coordinator_client.get(register_url(session)).content.decode()

    assert "Learner0 Number0" in page
    assert "Wendy Waiting" not in page


def test_the_register_needs_no_more_queries_for_more_learners(world, coordinator_client, django_assert_max_num_queries):
    session = held_session(world, tuple(learners(world, 8)))
    with django_assert_max_num_queries(20):
        response = coordinator_client.get(register_url(session))
    assert response.status_code == 200


# Who may take it --------------------------------------------------------------------------------


def test_a_branch_officer_cannot_take_the_register(world):
    record = derby_sign_up(world)
    client = client_for(world.officer)
    for response in (
        client.get(register_url(record.session)),
        client.post(register_url(record.session), {"attended": [record.pk]}),
    ):
        assert response.status_code == 404
    record.refresh_from_db()
    assert record.status == SignUp.Status.CONFIRMED


def test_another_branch_cannot_take_the_register(world, outsider_client):
    record = derby_sign_up(world)
    response = outsider_client.post(register_url(record.session), {"attended": [record.pk]})
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.status == SignUp.Status.CONFIRMED


def test_a_ulr_of_the_branch_can_take_the_register(world):
    record = derby_sign_up(world)
    client_for(world.ulr).post(register_url(record.session), {"attended": [record.pk]})
    record.refresh_from_db()
    assert record.status == SignUp.Status.ATTENDED


def test_a_helper_from_another_branch_can_take_the_register(world):
    helper = PersonFactory(first_name="Hal", last_name="Helper", branch=world.notts)
    user = UserFactory(email="hal@example.org", person=helper)
    give_role(user, Role.ULR, world.notts, workplaces=[world.hospital])
    record = derby_sign_up(world)
    ActivityHelper.objects.create(activity=record.session.activity, person=helper)

    assert client_for(user).get(register_url(record.session)).status_code == 200


# Walk-ins ---------------------------------------------------------------------------------------


def walk_in_data(**fields) -> dict:
    return {
        "first_name": "Wally",
        "last_name": "Walker",
        "email": "wally@example.org",
        "phone": "",
        "workplace": "Stores Road Depot",
        "says_member": "no",
        "membership_number": "",
        "consents": [Consent.Kind.LEARNING_NEWS],
        **fields,
    }


def test_a_walk_in_is_added_as_attended_with_their_consents(world, coordinator_client):
    session = derby_session(world)

    response = coordinator_client.post(reverse("learning:walk_in", args=[session.pk]), walk_in_data())

    assert response.status_code == 302
    record = session.sign_ups.get(person__last_name="Walker")
    assert (record.status, record.source, record.given_workplace) == ("attended", "walk_in", "Stores Road Depot")
    assert record.person.status == Person.Status.NON_MEMBER
    assert record.person.consents.get().kind == Consent.Kind.LEARNING_NEWS
    session.refresh_from_db()
    assert session.taken == 1


def test_a_walk_in_when_the_session_is_full_is_told_to_raise_the_capacity(world, coordinator_client):
    session = make_session(derby_activity(world), capacity=1)
    sign_up(session, world.depot_person)

    response = coordinator_client.post(reverse("learning:walk_in", args=[session.pk]), walk_in_data())

    assert response.status_code == 200
    assert "The session is full: raise its capacity to add a walk-in." in response.content.decode()
    assert not session.sign_ups.filter(person__last_name="Walker").exists()
    assert not Person.objects.filter(last_name="Walker").exists()  # nothing half-written


def test_a_walk_in_who_had_booked_is_ticked_in_the_register(world, coordinator_client):
    record = derby_sign_up(world)
    person = record.person

    response = coordinator_client.post(
        reverse("learning:walk_in", args=[record.session_id]),
        walk_in_data(first_name=person.first_name, last_name=person.last_name, email=person.email),
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == SignUp.Status.ATTENDED
    assert record.session.sign_ups.count() == 1


def test_a_walk_in_needs_a_name_and_an_answer_about_membership(world, coordinator_client):
    session = derby_session(world)
    response = coordinator_client.post(
        reverse("learning:walk_in", args=[session.pk]), walk_in_data(first_name="", says_member="")
    )
    page = response.content.decode()
    assert "Enter first name" in page
    assert "Select whether they are a member" in page
    assert not session.sign_ups.exists()


def test_a_branch_officer_cannot_add_a_walk_in(world):
    session = derby_session(world)
    response = client_for(world.officer).post(reverse("learning:walk_in", args=[session.pk]), walk_in_data())
    assert response.status_code == 404
    assert not session.sign_ups.exists()


# The sign-in sheet ------------------------------------------------------------------------------


def test_the_sign_in_sheet_is_a_pdf_with_the_booked_names(world, coordinator_client):
    record = derby_sign_up(world)
    sign_up(record.session, world.depot_person)

    response = coordinator_client.get(reverse("learning:sign_in_sheet", args=[record.session_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Maria Alberts" in text and "Dev Patel" in text
    assert "Signature" in text
    assert "Walk-ins" in text


def test_a_cancelled_sign_up_is_not_on_the_sheet(world, coordinator_client):
    record = derby_sign_up(world)
    signups.cancel(record)
    response = coordinator_client.get(reverse("learning:sign_in_sheet", args=[record.session_id]))
    assert "Alberts" not in pdf_text(response.content)
