"""Who a mailing reaches: the people its audience names, in the sender's scope and the mailing unit's subtree,
with active consent of its kind (never inferred) and an email address; one message per address."""

from __future__ import annotations

from learningdesk.comms import audience
from learningdesk.comms.models import Mailing
from learningdesk.learning import signups
from learningdesk.org.models import Consent, Person
from learningdesk.reps.models import Stage
from tests.comms import agree, make_mailing, refuse
from tests.factories import PersonFactory
from tests.learning import derby_activity, sign_up, subject
from tests.reps import make_rep
from tests.surveys import answer, invite, make_survey

AudienceKind = Mailing.AudienceKind


def reached(user, mailing) -> set[int]:
    return {pk for pk, _email in audience.receivers(user, mailing)}


def test_only_people_whose_consent_of_the_mailings_kind_is_active_receive_it(world):
    agree(world.derby_person, Consent.Kind.NEWSLETTER)
    agree(world.depot_person, Consent.Kind.LEARNING_NEWS)  # another kind
    withdrew = PersonFactory(branch=world.derby)
    agree(withdrew, Consent.Kind.NEWSLETTER, withdrawn=True)
    said_no = PersonFactory(branch=world.derby)
    refuse(said_no, Consent.Kind.NEWSLETTER)
    PersonFactory(branch=world.derby)  # never asked
    newsletter = make_mailing(world.derby, kind=Mailing.Kind.NEWSLETTER)
    learning_news = make_mailing(world.derby, kind=Mailing.Kind.LEARNING_NEWS, subject="Courses")
    other = make_mailing(world.derby, kind=Mailing.Kind.OTHER, subject="Learning at Work Week")

    assert reached(world.coordinator, newsletter) == {world.derby_person.pk}
    assert reached(world.coordinator, learning_news) == {world.depot_person.pk}
    assert reached(world.coordinator, other) == {world.depot_person.pk}  # learning messages need learning news
    count = audience.count_audience(world.coordinator, newsletter)
    assert (count.people, count.receiving, count.no_consent, count.no_email) == (5, 1, 4, 0)


def test_people_without_an_email_address_are_left_out_and_counted(world):
    agree(world.derby_person)
    no_email = PersonFactory(branch=world.derby, email="")
    agree(no_email)
    mailing = make_mailing(world.derby)

    count = audience.count_audience(world.coordinator, mailing)

    assert (count.receiving, count.no_email, count.no_consent) == (1, 1, 1)
    assert reached(world.coordinator, mailing) == {world.derby_person.pk}


def test_people_sharing_an_address_get_one_message(world):
    agree(world.derby_person)
    partner = PersonFactory(branch=world.derby, email=world.derby_person.email.upper())
    agree(partner)
    mailing = make_mailing(world.derby)

    count = audience.count_audience(world.coordinator, mailing)

    assert (count.people, count.receiving, count.shared_email) == (3, 1, 1)
    assert reached(world.coordinator, mailing) == {world.derby_person.pk}  # the earlier record


def test_a_region_reaches_its_branches_and_a_branch_only_its_own(world):
    for person in (world.derby_person, world.notts_person):
        agree(person)
    regional = make_mailing(world.region, by=world.regional)
    branch_to_notts = make_mailing(world.derby, audience_unit=world.notts)

    assert reached(world.regional, regional) == {world.derby_person.pk, world.notts_person.pk}
    assert reached(world.coordinator, branch_to_notts) == set()  # not under Derby, not in its scope
    # A co-ordinator of another branch reaches nobody with Derby's mailing, whatever it names.
    assert reached(world.outsider, make_mailing(world.derby)) == set()


def test_employers_and_workplaces_reach_the_people_working_there(world):
    for person in (world.derby_person, world.depot_person, world.notts_person):
        agree(person)
    by_employer = make_mailing(world.derby, audience_kind=AudienceKind.EMPLOYERS)
    by_employer.audience_employers.set([world.council])
    by_workplace = make_mailing(world.derby, audience_kind=AudienceKind.WORKPLACES)
    by_workplace.audience_workplaces.set([world.depot, world.hospital])  # the hospital is not Derby's

    assert reached(world.coordinator, by_employer) == {world.derby_person.pk, world.depot_person.pk}
    assert reached(world.coordinator, by_workplace) == {world.depot_person.pk}


def test_reps_means_current_reps(world):
    prospect = PersonFactory(branch=world.derby, workplace=world.town_hall)
    for person in (world.derby_person, prospect):
        agree(person)
    make_rep(world.derby_person, stage=Stage.ACTIVE)
    make_rep(prospect, stage=Stage.PROSPECT)
    mailing = make_mailing(world.derby, audience_kind=AudienceKind.REPS)

    assert reached(world.coordinator, mailing) == {world.derby_person.pk}


def test_learners_of_an_activity_are_those_still_signed_up(world):
    activity = derby_activity(world)
    session = activity.sessions.get()
    for person in (world.derby_person, world.depot_person):
        agree(person)
        sign_up(session, person)
    signups.cancel(session.sign_ups.get(person=world.depot_person), acting_user=world.coordinator)
    mailing = make_mailing(world.derby, audience_kind=AudienceKind.LEARNERS, audience_activity=activity)

    assert reached(world.coordinator, mailing) == {world.derby_person.pk}


def test_survey_respondents_who_asked_for_the_subject(world):
    survey = make_survey(world.derby, anonymous=False)
    maths = subject("Functional skills maths")
    languages = subject("Languages")
    asked_maths = PersonFactory(branch=world.derby, workplace=world.town_hall)
    asked_languages = PersonFactory(branch=world.derby, workplace=world.town_hall)
    for person, wanted in ((asked_maths, maths), (asked_languages, languages)):
        agree(person, Consent.Kind.LEARNING_NEWS)
        answer(survey, person, invitation=invite(survey, person), q8=[f"subject:{wanted.pk}"])
    mailing = make_mailing(
        world.derby,
        kind=Mailing.Kind.LEARNING_NEWS,
        audience_kind=AudienceKind.SURVEY_SUBJECT,
        audience_survey=survey,
        audience_subject=maths,
    )

    assert reached(world.coordinator, mailing) == {asked_maths.pk}


def test_an_anonymous_survey_reaches_nobody(world):
    survey = make_survey(world.derby, anonymous=True)
    maths = subject("Functional skills maths")
    agree(world.derby_person, Consent.Kind.LEARNING_NEWS)
    answer(survey, world.derby_person, q8=[f"subject:{maths.pk}"])
    mailing = make_mailing(
        world.derby,
        kind=Mailing.Kind.LEARNING_NEWS,
        audience_kind=AudienceKind.SURVEY_SUBJECT,
        audience_survey=survey,
        audience_subject=maths,
    )

    assert reached(world.coordinator, mailing) == set()


def test_members_only_leaves_out_non_members(world):
    agree(world.derby_person)
    contact = PersonFactory(branch=world.derby, status=Person.Status.NON_MEMBER, membership_number=None)
    agree(contact)
    mailing = make_mailing(world.derby, members_only=True)

    assert reached(world.coordinator, mailing) == {world.derby_person.pk}


def test_an_unfinished_audience_says_what_it_needs(world):
    mailing = make_mailing(world.derby, audience_kind=AudienceKind.EMPLOYERS)

    assert audience.audience_problem(mailing) == "Choose at least one employer."
    assert audience.count_audience(world.coordinator, mailing).receiving == 0
