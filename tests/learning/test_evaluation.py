"""Evaluation: the request email after a session, the learner's feedback form (once, by signed link), the
follow-ups it creates, and the summary for the people who run the activity."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from learningdesk.learning import evaluation, tokens
from learningdesk.learning.models import Evaluation, JoinLead, SignUp
from learningdesk.reps.models import Method, Rep
from tests.conftest import client_for
from tests.factories import PersonFactory
from tests.learning import derby_activity, sign_up, subject
from tests.learning.urls_register import attended, derby_attended, held_session, non_member
from tests.reps import rep_kind

pytestmark = pytest.mark.django_db


def feedback_url(record: SignUp) -> str:
    return reverse("learn:evaluation", args=[tokens.make(tokens.EVALUATION, record.pk)])


def answers(**fields) -> dict:
    return {"rating": "4", "learnt": "Percentages at last", "next_steps": "Level 2", **fields}


# Sending the requests ---------------------------------------------------------------------------


def test_learners_who_came_get_the_feedback_link_once(world):
    nina = non_member(world)
    session = held_session(world, (world.derby_person, world.depot_person, nina), ended_hours_ago=2)
    attended(session.sign_ups.get(person=world.derby_person))
    attended(session.sign_ups.get(person=nina))
    # Dev Patel booked but did not come: no email for him.

    assert evaluation.send_requests() == 2
    assert evaluation.send_requests() == 0

    assert sorted(message.to[0] for message in mail.outbox) == sorted([world.derby_person.email, nina.email])
    message = mail.outbox[0]
    assert "Maths for work" in message.subject
    assert message.alternatives and "Give your feedback" in message.alternatives[0][0]
    session.refresh_from_db()
    assert session.evaluation_sent_at is not None


def test_the_link_in_the_email_opens_the_form(world, client):
    session = held_session(world, (world.derby_person,), ended_hours_ago=1)
    attended(session.sign_ups.get())
    evaluation.send_requests()

    link = re.search(r"https?://\S+/learn/evaluation/\S+/", mail.outbox[0].body).group(0)
    response = client.get(urlsplit(link).path)

    assert response.status_code == 200
    assert "How was it?" in response.content.decode()


def test_sessions_still_running_or_over_a_week_ago_get_no_requests(world):
    running = held_session(world, (world.derby_person,))  # ends in half an hour
    long_ago = held_session(world, (world.depot_person,), ended_hours_ago=8 * 24)
    for session in (running, long_ago):
        attended(session.sign_ups.get())

    assert evaluation.send_requests() == 0
    assert not mail.outbox


def test_a_learner_without_an_email_is_skipped(world):
    person = PersonFactory(first_name="Pat", last_name="Nomail", email="", branch=world.derby)
    session = held_session(world, (person,), ended_hours_ago=1)
    attended(session.sign_ups.get())
    assert evaluation.send_requests() == 0
    session.refresh_from_db()
    assert session.evaluation_sent_at is not None


# The form ---------------------------------------------------------------------------------------


def test_feedback_is_saved_once_and_a_second_visit_says_thank_you(world, client):
    record = derby_attended(world)
    maths = subject()
    url = feedback_url(record)

    response = client.post(url, answers(topics=[maths.pk], other_topics="Spreadsheets"))

    assert response.status_code == 302
    saved = Evaluation.objects.get()
    assert (saved.sign_up, saved.rating, saved.other_topics) == (record, 4, "Spreadsheets")
    assert list(saved.topics.all()) == [maths]
    assert "Thank you for your feedback" in client.get(response["Location"]).content.decode()

    again = client.post(url, answers(rating="1"))
    assert "Thank you, you’ve already sent your feedback" in client.get(url).content.decode()
    assert again.status_code in (200, 302)
    assert Evaluation.objects.get().rating == 4


def test_the_rating_is_needed(world, client):
    record = derby_attended(world)
    response = client.post(feedback_url(record), answers(rating=""))
    assert "Select how it was, from 1 to 5" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_a_tampered_link_is_not_found(world, client):
    record = derby_attended(world)
    token = tokens.make(tokens.EVALUATION, record.pk)
    assert client.get(reverse("learn:evaluation", args=[token[:-2] + "xx"])).status_code == 404
    # A link of another kind (to manage a sign-up) cannot open the feedback form.
    other_kind = tokens.make(tokens.SIGN_UP, record.pk)
    assert client.get(reverse("learn:evaluation", args=[other_kind])).status_code == 404


def test_someone_who_did_not_come_has_no_feedback_form(world, client):
    session = held_session(world, (world.derby_person,))
    record = session.sign_ups.get()
    assert client.get(feedback_url(record)).status_code == 404


def test_the_form_asks_everyone_about_joining_and_shows_nothing_about_them(world, client):
    page = client.get(feedback_url(derby_attended(world))).content.decode()
    assert "I’d like to know about joining the union" in page  # members too: it gives nothing away
    assert "Alberts" not in page and "Maria" not in page


# Follow-ups -------------------------------------------------------------------------------------


def test_wanting_to_be_a_ulr_puts_them_on_the_register_as_a_prospect_from_a_course_evaluation(world, client):
    rep_kind("ulr")
    record = derby_attended(world)

    client.post(feedback_url(record), answers(wants_to_be_ulr="on"))

    rep = Rep.objects.get(person=world.derby_person)
    assert (rep.stage, rep.method) == ("prospect", Method.COURSE_EVALUATION)
    register = client_for(world.coordinator).get(reverse("reps:register")).content.decode()
    assert "Alberts, Maria" in register
    detail = client_for(world.coordinator).get(reverse("reps:detail", args=[rep.pk])).content.decode()
    assert "A course evaluation" in detail


def test_a_non_member_who_wants_to_join_becomes_a_join_lead(world, client):
    nina = non_member(world)
    session = derby_attended(world).session
    record = attended(sign_up(session, nina))

    client.post(feedback_url(record), answers(wants_to_join="on"))

    lead = JoinLead.objects.get()
    assert (lead.person, lead.source, lead.unit, lead.status) == (nina, "evaluation", world.derby, "new")


def test_a_member_who_ticks_join_makes_no_lead(world, client):
    client.post(feedback_url(derby_attended(world)), answers(wants_to_join="on"))
    assert Evaluation.objects.get().wants_to_join
    assert not JoinLead.objects.exists()


# The summary ------------------------------------------------------------------------------------


def test_the_summary_shows_the_average_topics_answers_and_who_to_follow_up(world, coordinator_client):
    rep_kind("ulr")
    maths = subject()
    session = derby_attended(world).session
    nina = non_member(world)
    attended(sign_up(session, nina))
    attended(sign_up(session, world.depot_person))
    evaluation.evaluation_submit(
        sign_up=session.sign_ups.get(person=world.derby_person),
        data={"rating": 5, "learnt": "Fractions", "wants_to_be_ulr": True, "topics": [maths]},
    )
    evaluation.evaluation_submit(
        sign_up=session.sign_ups.get(person=nina), data={"rating": 4, "wants_to_join": True, "topics": [maths]}
    )
    evaluation.evaluation_submit(sign_up=session.sign_ups.get(person=world.depot_person), data={"rating": 2})

    page = coordinator_client.get(reverse("learning:evaluations", args=[session.activity_id])).content.decode()

    assert '<span class="ld-stat__number">3.7</span>' in page
    assert f"{maths.name}: 2" in page
    assert "Fractions" in page
    rep = Rep.objects.get(person=world.derby_person)
    assert reverse("reps:detail", args=[rep.pk]) in page
    assert reverse("learning:lead_update", args=[JoinLead.objects.get().pk]) in page


def test_the_summary_needs_no_more_queries_for_more_evaluations(
    world, coordinator_client, django_assert_max_num_queries
):
    rep_kind("ulr")
    session = derby_attended(world).session
    for n in range(6):
        record = attended(sign_up(session, non_member(world, f"Nia{n}", "Learner")))
        evaluation.evaluation_submit(
            sign_up=record, data={"rating": 3, "learnt": "Lots", "wants_to_be_ulr": True, "wants_to_join": True}
        )
    with django_assert_max_num_queries(20):
        response = coordinator_client.get(reverse("learning:evaluations", args=[session.activity_id]))
    assert response.status_code == 200


def test_another_branch_cannot_see_the_evaluations(world, outsider_client):
    activity = derby_activity(world)
    assert outsider_client.get(reverse("learning:evaluations", args=[activity.pk])).status_code == 404


def test_an_activity_without_evaluations_says_what_happens_next(world, coordinator_client):
    page = coordinator_client.get(reverse("learning:evaluations", args=[derby_activity(world).pk])).content.decode()
    assert "No evaluations yet" in page


def test_requests_use_the_time_given(world):
    session = held_session(world, (world.derby_person,))
    attended(session.sign_ups.get())
    assert evaluation.send_requests(now=timezone.now() + datetime.timedelta(hours=1)) == 1
