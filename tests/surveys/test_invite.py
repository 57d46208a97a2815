"""Inviting people to a survey by email: the audience (scope and consent), the confirm step, sending once,
reminders, the command, the QR code, and identified answers on the person's page."""

from __future__ import annotations

import datetime
import io
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from learningdesk.org.models import Consent, Person
from learningdesk.surveys import invitations
from learningdesk.surveys.models import Invitation, Survey
from tests.conftest import World, client_for
from tests.factories import PersonFactory
from tests.surveys import answer, derby_survey, invite, make_survey


def agrees(person: Person, *, given: bool = True, withdrawn: bool = False) -> Person:
    Consent.objects.update_or_create(
        person=person,
        kind=Consent.Kind.LEARNING_NEWS,
        defaults={
            "given": given,
            "method": Consent.Method.ONLINE,
            "withdrawn_at": timezone.now() if withdrawn else None,
        },
    )
    return person


@pytest.fixture
def survey(world: World) -> Survey:
    return derby_survey(world)


def invitations_url(survey: Survey) -> str:
    return reverse("surveys:invitations", kwargs={"pk": survey.pk})


@pytest.fixture
def sending(django_capture_on_commit_callbacks):
    """Run the emails' task as the request commits (the test's transaction never does)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def invite_all_of(client, survey: Survey, key: str, sending=None):
    if sending is None:
        return client.post(invitations_url(survey), {"audience": key, "confirm": "yes"}, follow=True)
    with sending():
        return client.post(invitations_url(survey), {"audience": key, "confirm": "yes"}, follow=True)


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


# The audience -----------------------------------------------------------------------------------


def test_audience_is_those_in_scope_who_agreed_and_have_an_email(world, survey):
    agrees(world.derby_person)
    agrees(world.depot_person, withdrawn=True)
    agrees(PersonFactory(first_name="No", last_name="Email", email="", branch=world.derby))
    agrees(PersonFactory(first_name="Said", last_name="No", branch=world.derby), given=False)
    PersonFactory(first_name="Never", last_name="Asked", branch=world.derby)
    agrees(world.notts_person)
    region_survey = make_survey(world.region, title="Across the region")
    audience = invitations.find_audience(world.coordinator, region_survey, f"unit-{world.derby.pk}")
    assert audience is not None
    people = invitations.audience_people(world.coordinator, region_survey, audience)
    assert list(people) == [world.derby_person]


def test_another_branch_cannot_be_chosen_even_on_a_regional_survey(world):
    region_survey = make_survey(world.region, title="Across the region")
    keys = [
        key for _group, options in invitations.audience_choices(world.coordinator, region_survey) for key, _ in options
    ]
    assert f"unit-{world.derby.pk}" in keys
    assert f"unit-{world.notts.pk}" not in keys
    assert f"workplace-{world.hospital.pk}" not in keys
    assert invitations.find_audience(world.coordinator, region_survey, f"unit-{world.notts.pk}") is None
    assert invitations.find_audience(world.coordinator, region_survey, f"unit-{world.region.pk}") is None


def test_a_workplace_audience_is_only_the_people_there(world, survey):
    agrees(world.derby_person)
    agrees(world.depot_person)
    audience = invitations.find_audience(world.coordinator, survey, f"workplace-{world.depot.pk}")
    assert list(invitations.audience_people(world.coordinator, survey, audience)) == [world.depot_person]
    employer = invitations.find_audience(world.coordinator, survey, f"employer-{world.council.pk}")
    assert set(invitations.audience_people(world.coordinator, survey, employer)) == {
        world.derby_person,
        world.depot_person,
    }


def test_confirm_step_shows_how_many_will_be_invited(world, coordinator_client, survey):
    agrees(world.derby_person)
    agrees(world.depot_person)
    agrees(PersonFactory(branch=world.derby), withdrawn=True)
    response = coordinator_client.post(invitations_url(survey), {"audience": f"unit-{world.derby.pk}"})
    assert response.status_code == 200
    assert "Invite 2 people in Derby City?" in response.content.decode()
    assert "Send 2 invitations" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_choosing_nobody_gives_a_message_next_to_the_field(world, coordinator_client, survey):
    response = coordinator_client.post(invitations_url(survey), {"audience": ""})
    assert response.status_code == 200
    assert "Choose a unit, employer or workplace to invite" in response.content.decode()
    response = coordinator_client.post(invitations_url(survey), {"audience": f"unit-{world.notts.pk}"})
    assert "Select a valid choice" in response.content.decode()
    assert not Invitation.objects.exists()


# Sending ----------------------------------------------------------------------------------------


def test_sending_invites_each_person_once_with_a_working_personal_link(world, coordinator_client, survey, sending):
    agrees(world.derby_person)
    agrees(world.depot_person)
    response = invite_all_of(coordinator_client, survey, f"unit-{world.derby.pk}", sending)
    assert "Invitations are on their way to 2 people in Derby City" in response.content.decode()
    sent = {invitation.person: invitation for invitation in Invitation.objects.filter(survey=survey)}
    assert set(sent) == {world.derby_person, world.depot_person}
    assert all(invitation.sent_at for invitation in sent.values())
    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in sent)
    message = next(m for m in mail.outbox if m.to == [world.derby_person.email])
    assert "anonymous" in message.body
    assert "It takes about 3 minutes" in message.body
    link = re.search(r"https?://\S+/s/i/\S+/", message.body).group(0)
    match = resolve(urlsplit(link).path)
    assert match.view_name == "survey:invited"
    assert match.kwargs["token"] == sent[world.derby_person].token
    opened = Client().get(urlsplit(link).path, follow=True)  # the respondent needs no login
    assert opened.status_code == 200
    assert survey.title in opened.content.decode()
    html = message.alternatives[0][0]
    assert link in html
    assert "<img" not in html  # no tracking pixel

    response = invite_all_of(coordinator_client, survey, f"unit-{world.derby.pk}", sending)
    assert "Nobody in Derby City is left to invite" in response.content.decode()
    assert Invitation.objects.filter(survey=survey).count() == 2
    assert len(mail.outbox) == 2


def test_identified_survey_says_so_in_the_invitation(world, coordinator_client, sending):
    survey = make_survey(world.derby, title="Who wants to be a ULR?", anonymous=False)
    agrees(world.derby_person)
    invite_all_of(coordinator_client, survey, f"unit-{world.derby.pk}", sending)
    (message,) = mail.outbox
    assert "This survey is identified" in message.body


def test_a_closed_survey_cannot_be_sent(world, coordinator_client):
    survey = make_survey(world.derby, status=Survey.Status.CLOSED)
    agrees(world.derby_person)
    response = invite_all_of(coordinator_client, survey, f"unit-{world.derby.pk}")
    assert "This survey is not open" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_large_audience_is_sent_in_batches(world, survey, monkeypatch):
    monkeypatch.setattr(invitations, "BATCH", 2)
    for n in range(5):
        agrees(PersonFactory(branch=world.derby, first_name=f"Member{n}"))
    audience = invitations.find_audience(world.coordinator, survey, f"unit-{world.derby.pk}")
    sent = invitations.invite_people(
        survey=survey, people=invitations.audience_people(world.coordinator, survey, audience)
    )
    assert sent == 5
    assert Invitation.objects.filter(survey=survey, sent_at__isnull=False).count() == 5


# The list ---------------------------------------------------------------------------------------


def test_list_shows_counts_and_who_answered_but_not_what(world, coordinator_client, survey):
    answered = invite(survey, world.derby_person)
    invite(survey, world.depot_person)
    answer(survey, world.derby_person, invitation=answered)
    page = coordinator_client.get(invitations_url(survey)).content.decode()
    assert "Alberts" in page and "Patel" in page
    assert re.search(r"Invited</dt><dd[^>]*>2<", page)
    assert re.search(r"Answered</dt><dd[^>]*>1<", page)
    assert re.search(r"Not answered yet</dt><dd[^>]*>1<", page)
    assert "never which answers are theirs" in page


def test_list_query_count_does_not_grow_with_invitations(
    world, coordinator_client, survey, django_assert_max_num_queries
):
    for _ in range(20):
        invite(survey, PersonFactory(branch=world.derby))
    with django_assert_max_num_queries(20):
        response = coordinator_client.get(invitations_url(survey))
    assert response.status_code == 200


def test_branch_running_a_national_survey_sees_only_its_own_invitations(world):
    national = make_survey(world.national, title="National learning survey")
    invite(national, world.derby_person)
    invite(national, world.notts_person)
    page = client_for(world.coordinator).get(invitations_url(national)).content.decode()
    assert "Alberts" in page
    assert "Okafor" not in page


# Permissions ------------------------------------------------------------------------------------


def test_officer_cannot_invite(world, survey):
    agrees(world.derby_person)
    client = client_for(world.officer)
    assert client.get(invitations_url(survey)).status_code == 404
    assert invite_all_of(client, survey, f"unit-{world.derby.pk}").status_code == 404
    assert client.post(reverse("surveys:remind", kwargs={"pk": survey.pk})).status_code == 404
    assert not Invitation.objects.exists()


def test_outsider_gets_404(world, outsider_client, survey):
    agrees(world.derby_person)
    assert outsider_client.get(invitations_url(survey)).status_code == 404
    assert invite_all_of(outsider_client, survey, f"unit-{world.derby.pk}").status_code == 404
    assert outsider_client.get(reverse("surveys:qr", kwargs={"pk": survey.pk})).status_code == 404
    assert not Invitation.objects.exists()


# Reminders --------------------------------------------------------------------------------------


def test_reminders_go_only_to_those_who_have_not_answered_and_not_twice_in_3_days(
    world, coordinator_client, survey, sending
):
    answered = invite(survey, agrees(world.derby_person))
    waiting = invite(survey, agrees(world.depot_person))
    Invitation.objects.update(sent_at=days_ago(4))
    answer(survey, world.derby_person, invitation=answered)
    url = reverse("surveys:remind", kwargs={"pk": survey.pk})

    with sending():
        response = coordinator_client.post(url, follow=True)
    assert "Reminders are on their way to 1 person" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == [world.depot_person.email]
    assert message.subject.startswith("Reminder:")
    waiting.refresh_from_db()
    assert waiting.reminded_at is not None

    with sending():
        response = coordinator_client.post(url, follow=True)
    assert "Nobody to remind" in response.content.decode()
    assert len(mail.outbox) == 1


def test_no_reminder_once_consent_is_withdrawn(world, survey):
    invite(survey, world.depot_person)
    Invitation.objects.update(sent_at=days_ago(10))
    agrees(world.depot_person, withdrawn=True)
    assert invitations.send_due_reminders() == {}
    assert not mail.outbox


def test_no_reminder_the_day_after_the_invitation(world, coordinator_client, survey, sending):
    invite(survey, agrees(world.depot_person))
    with sending():
        coordinator_client.post(reverse("surveys:remind", kwargs={"pk": survey.pk}))
    assert not mail.outbox


def test_remind_needs_a_post(world, coordinator_client, survey):
    assert coordinator_client.get(reverse("surveys:remind", kwargs={"pk": survey.pk})).status_code == 405


def test_reminder_command_reminds_after_a_week_and_is_idempotent(world, survey):
    closed = make_survey(world.derby, title="Last year's survey", status=Survey.Status.CLOSED)
    week_old = invite(survey, agrees(world.depot_person))
    recent = invite(survey, agrees(world.derby_person))
    invite(closed, world.depot_person)
    Invitation.objects.filter(pk=week_old.pk).update(sent_at=days_ago(8))
    Invitation.objects.filter(pk=recent.pk).update(sent_at=days_ago(5))
    Invitation.objects.filter(survey=closed).update(sent_at=days_ago(30))

    out = io.StringIO()
    call_command("send_survey_reminders", stdout=out)
    assert [m.to for m in mail.outbox] == [[world.depot_person.email]]
    assert "Sent 1 survey reminder." in out.getvalue()
    call_command("send_survey_reminders", stdout=out)
    assert len(mail.outbox) == 1


# The QR code ------------------------------------------------------------------------------------


def test_qr_code_is_an_svg_of_the_public_link(world, coordinator_client, survey):
    response = coordinator_client.get(reverse("surveys:qr", kwargs={"pk": survey.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


# The person's page ------------------------------------------------------------------------------


def test_person_page_shows_identified_answers_but_never_anonymous_ones(world, coordinator_client):
    identified = make_survey(world.derby, title="Interested in becoming a ULR?", anonymous=False)
    anonymous = make_survey(world.derby, title="Barriers to learning")
    answer(identified, world.derby_person, invitation=invite(identified, world.derby_person))
    answer(anonymous, world.derby_person, invitation=invite(anonymous, world.derby_person))
    page = coordinator_client.get(reverse("org:person_detail", kwargs={"pk": world.derby_person.pk})).content.decode()
    assert "Interested in becoming a ULR?" in page
    assert "Barriers to learning" not in page
    assert timezone.localdate().strftime("%-d %b %Y") in page
    assert reverse("surveys:detail", args=[identified.pk]) in page
    assert reverse("surveys:detail", args=[anonymous.pk]) not in page


def test_person_page_links_the_survey_only_for_those_who_may_see_it(world):
    identified = make_survey(world.derby, title="Interested in becoming a ULR?", anonymous=False)
    answer(identified, world.derby_person, invitation=invite(identified, world.derby_person))
    ulr_page = client_for(world.ulr).get(reverse("org:person_detail", kwargs={"pk": world.derby_person.pk}))
    page = ulr_page.content.decode()
    assert "Interested in becoming a ULR?" in page
    assert reverse("surveys:detail", args=[identified.pk]) not in page


def test_person_page_without_identified_answers_says_so(world, coordinator_client):
    page = coordinator_client.get(reverse("org:person_detail", kwargs={"pk": world.depot_person.pk})).content.decode()
    assert "No identified surveys answered" in page
