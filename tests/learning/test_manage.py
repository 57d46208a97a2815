"""The learner's own page from their email link (no login): cancel, change session, accept or decline an
offer, the .ics; and an organiser cancelling someone's place."""

from __future__ import annotations

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.learning import sessions, signups, tokens
from learningdesk.learning.models import Session, SignUp
from tests.conftest import client_for
from tests.learning import in_days, make_activity, make_session, sign_up

ONLINE_URL = "https://meet.example.org/maths-for-work"


@pytest.fixture
def session(world) -> Session:
    activity = make_activity(world.derby, title="Maths for work")
    return make_session(activity, capacity=1, venue=Session.Venue.ONLINE, address="", online_url=ONLINE_URL)


@pytest.fixture
def confirmed(session) -> SignUp:
    return sign_up(session, first="Sam", last="Learner", email="sam@example.org")


@pytest.fixture
def waiting(session, confirmed) -> SignUp:
    return sign_up(session, first="Wendy", last="Waiting", email="wendy@example.org")


def url(name: str, record: SignUp) -> str:
    return reverse(name, kwargs={"token": tokens.make(tokens.SIGN_UP, record.pk)})


def status_of(record: SignUp) -> str:
    record.refresh_from_db()
    return record.status


# The page ---------------------------------------------------------------------------------------


def test_the_learner_sees_their_session_and_the_online_link_once_confirmed(client, confirmed, session):
    response = client.get(url("learn:manage", confirmed))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Maths for work" in page
    assert "Place confirmed" in page
    assert f"{session.local_start:%H:%M}" in page and "UK time" in page
    assert ONLINE_URL in page
    assert "Cancel my place" in page
    assert "no-store" in response["Cache-Control"]


def test_the_online_link_stays_hidden_on_the_waiting_list(client, waiting):
    page = client.get(url("learn:manage", waiting)).content.decode()

    assert "On the waiting list: number 1" in page
    assert ONLINE_URL not in page
    assert "Leave the waiting list" in page


def test_the_page_shows_what_the_learner_typed_never_the_matched_persons_record(client, world, session):
    # Someone typing a member's email is matched to that member, but sees nothing of the member's record.
    record = sign_up(session, first="Sam", last="Visitor", email=world.derby_person.email)
    assert record.person == world.derby_person

    page = client.get(url("learn:manage", record)).content.decode()

    assert "Sam Visitor" in page
    assert "Alberts" not in page
    assert world.derby_person.membership_number not in page


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        tokens.make(tokens.SIGN_UP, 999_999),  # a sign-up that does not exist
        tokens.make(tokens.RECORD, 1),  # a link of another kind
    ],
)
def test_a_link_that_is_not_valid_gets_a_friendly_not_found_page(client, confirmed, token):
    for name in ("learn:manage", "learn:manage_cancel", "learn:manage_change", "learn:manage_ics"):
        response = client.get(reverse(name, kwargs={"token": token}))
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()


def test_a_tampered_link_reaches_nobody_elses_sign_up(client, confirmed, waiting):
    token = tokens.make(tokens.SIGN_UP, confirmed.pk)
    signature = token.split(":", 1)[1]
    forged = f"{tokens.make(tokens.SIGN_UP, waiting.pk).split(':', 1)[0]}:{signature}"
    assert forged != tokens.make(tokens.SIGN_UP, waiting.pk)

    response = client.post(reverse("learn:manage_cancel", kwargs={"token": forged}))

    assert response.status_code == 404
    assert status_of(waiting) == SignUp.Status.WAITLISTED
    assert status_of(confirmed) == SignUp.Status.CONFIRMED


# Cancelling -------------------------------------------------------------------------------------


def test_cancelling_asks_first_then_frees_the_place_for_the_next_in_the_queue(client, confirmed, waiting):
    page = client.get(url("learn:manage_cancel", confirmed)).content.decode()
    assert "Cancel your place?" in page
    assert status_of(confirmed) == SignUp.Status.CONFIRMED

    response = client.post(url("learn:manage_cancel", confirmed), follow=True)

    page = response.content.decode()
    assert "Your sign-up is cancelled" in page
    assert "This sign-up is cancelled" in page
    assert "sign up again from the activity" in page
    assert "Cancel my place" not in page
    assert status_of(confirmed) == SignUp.Status.CANCELLED
    assert status_of(waiting) == SignUp.Status.OFFERED


def test_a_cancelled_sign_up_cannot_be_cancelled_or_changed_again(client, confirmed):
    signups.cancel(confirmed)

    for name in ("learn:manage_cancel", "learn:manage_change"):
        response = client.post(url(name, confirmed))
        assert response.status_code == 302
        assert response["Location"] == url("learn:manage", confirmed)
    assert status_of(confirmed) == SignUp.Status.CANCELLED


def test_a_cancelled_session_is_shown_plainly(client, world, confirmed, session):
    sessions.session_cancel(session, acting_user=world.coordinator)

    page = client.get(url("learn:manage", confirmed)).content.decode()

    assert "The organiser cancelled this session" in page
    assert ONLINE_URL not in page
    assert "Cancel my place" not in page


# Changing session -------------------------------------------------------------------------------


def test_changing_to_another_session_moves_the_place_and_gives_a_new_link(client, confirmed, waiting, session):
    later = make_session(session.activity, starts=in_days(14), capacity=5, address="Council House")
    other_activity = make_session(make_activity(session.activity.unit, title="Other"), capacity=5)

    page = client.get(url("learn:manage_change", confirmed)).content.decode()
    assert "5 places left" in page
    assert "Other" not in page

    response = client.post(url("learn:manage_change", confirmed), {"session": later.pk})

    moved = SignUp.objects.get(session=later, person=confirmed.person)
    assert response.status_code == 302
    assert response["Location"] == url("learn:manage", moved)
    assert moved.status == SignUp.Status.CONFIRMED
    assert status_of(confirmed) == SignUp.Status.CANCELLED
    assert status_of(waiting) == SignUp.Status.OFFERED  # the old place went on
    assert not SignUp.objects.filter(session=other_activity).exists()


def test_only_sessions_of_the_same_activity_can_be_chosen(client, confirmed, session):
    make_session(session.activity, starts=in_days(14), capacity=5)
    elsewhere = make_session(make_activity(session.activity.unit, title="Other"), capacity=5)

    response = client.post(url("learn:manage_change", confirmed), {"session": elsewhere.pk})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert status_of(confirmed) == SignUp.Status.CONFIRMED


def test_changing_to_a_full_session_joins_its_waiting_list(client, confirmed, session):
    full = make_session(session.activity, starts=in_days(14), capacity=1)
    sign_up(full, email="someone@example.org")

    page = client.get(url("learn:manage_change", confirmed)).content.decode()
    assert "full, you would join the waiting list" in page
    response = client.post(url("learn:manage_change", confirmed), {"session": full.pk}, follow=True)

    assert "you are on its waiting list" in response.content.decode()
    assert SignUp.objects.get(session=full, person=confirmed.person).status == SignUp.Status.WAITLISTED


def test_choosing_no_session_says_what_to_do(client, confirmed, session):
    make_session(session.activity, starts=in_days(14), capacity=5)

    response = client.post(url("learn:manage_change", confirmed), {})

    assert response.status_code == 200
    assert "Select the session you would like instead" in response.content.decode()


# Offers -----------------------------------------------------------------------------------------


@pytest.fixture
def offered(confirmed, waiting) -> SignUp:
    signups.cancel(confirmed)
    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.OFFERED
    return waiting


def test_an_offer_is_accepted_from_the_page(client, offered, django_capture_on_commit_callbacks):
    page = client.get(url("learn:manage", offered)).content.decode()
    assert "A place has come up" in page and "Accept by" in page
    assert ONLINE_URL not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("learn:manage_accept", offered), follow=True)

    assert "Your place is confirmed" in response.content.decode()
    assert status_of(offered) == SignUp.Status.CONFIRMED
    assert [message.to for message in mail.outbox] == [["wendy@example.org"]]


def test_a_lapsed_offer_cannot_be_accepted(client, offered):
    SignUp.objects.filter(pk=offered.pk).update(offer_expires_at=offered.offered_at)

    page = client.get(url("learn:manage", offered)).content.decode()
    assert "Offer lapsed" in page
    response = client.post(url("learn:manage_accept", offered), follow=True)

    assert "This offer has lapsed" in response.content.decode()
    assert status_of(offered) == SignUp.Status.OFFERED  # the hourly command passes it on


def test_declining_an_offer_passes_the_place_on(client, offered, session):
    next_in_line = sign_up(session, email="next@example.org")

    client.post(url("learn:manage_decline", offered))

    assert status_of(offered) == SignUp.Status.CANCELLED
    assert status_of(next_in_line) == SignUp.Status.OFFERED


def test_declining_something_that_is_not_an_offer_changes_nothing(client, confirmed):
    response = client.post(url("learn:manage_decline", confirmed), follow=True)

    assert "This offer is no longer open" in response.content.decode()
    assert status_of(confirmed) == SignUp.Status.CONFIRMED


def test_accept_and_decline_by_get_just_show_the_page(client, offered):
    for name in ("learn:manage_accept", "learn:manage_decline"):
        response = client.get(url(name, offered))
        assert response["Location"] == url("learn:manage", offered)
    assert status_of(offered) == SignUp.Status.OFFERED


# The calendar file ------------------------------------------------------------------------------


def test_the_calendar_file_downloads_with_the_online_link_only_when_confirmed(client, confirmed, waiting, session):
    response = client.get(url("learn:manage_ics", confirmed))

    assert response["Content-Type"].startswith("text/calendar")
    assert f'filename="learning-{session.local_start:%Y-%m-%d}.ics"' in response["Content-Disposition"]
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == session.starts_at
    assert ONLINE_URL in str(event["DESCRIPTION"])

    waiting_file = client.get(url("learn:manage_ics", waiting)).content
    assert ONLINE_URL.encode() not in waiting_file


def test_the_page_answers_in_a_few_queries(client, waiting, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get(url("learn:manage", waiting))


# The organiser cancels a place ------------------------------------------------------------------


def test_an_organiser_cancels_a_place_and_the_learner_and_the_next_in_line_are_told(
    world, confirmed, waiting, django_capture_on_commit_callbacks
):
    client = client_for(world.coordinator)
    cancel_url = reverse("learning:sign_up_cancel", args=[confirmed.pk])
    page = client.get(cancel_url).content.decode()
    assert "Cancel Sam Learner's sign-up?" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url, {"next": "/learning/"})

    assert response.status_code == 302 and response["Location"] == "/learning/"
    assert status_of(confirmed) == SignUp.Status.CANCELLED
    assert status_of(waiting) == SignUp.Status.OFFERED
    assert sorted(message.to[0] for message in mail.outbox) == ["sam@example.org", "wendy@example.org"]
    told = next(message for message in mail.outbox if message.to == ["sam@example.org"])
    assert told.subject == "Your sign-up is cancelled: Maths for work"
    assert AuditEvent.objects.filter(target_type="signup", target_id=confirmed.pk, actor=world.coordinator).exists()


def test_the_organiser_goes_back_to_the_activity_never_off_the_site(world, confirmed):
    response = client_for(world.coordinator).post(
        reverse("learning:sign_up_cancel", args=[confirmed.pk]), {"next": "https://evil.example.com/"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("learning:activity_detail", args=[confirmed.session.activity_id])
    assert status_of(confirmed) == SignUp.Status.CANCELLED


def test_a_cancelled_place_cannot_be_cancelled_again_by_the_organiser(world, confirmed):
    signups.cancel(confirmed)

    response = client_for(world.coordinator).post(reverse("learning:sign_up_cancel", args=[confirmed.pk]), follow=True)

    assert "This sign-up cannot be cancelled: it is cancelled." in response.content.decode()


@pytest.mark.parametrize("who", ["officer", "outsider"])
def test_it_checks_scope(world, confirmed, who):
    client = client_for(getattr(world, who))
    cancel_url = reverse("learning:sign_up_cancel", args=[confirmed.pk])

    assert client.get(cancel_url).status_code == 404
    assert client.post(cancel_url).status_code == 404
    assert status_of(confirmed) == SignUp.Status.CONFIRMED
