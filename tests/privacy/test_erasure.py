"""Erasure: removing a person, or anonymising them, leaves nothing that identifies them in any table."""

from __future__ import annotations

import pytest

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.learning.models import Outcome, Session, SignUp
from learningdesk.org.models import Consent, EqualityRecord, Person, Role
from learningdesk.privacy import erasure
from learningdesk.privacy.models import AnonymisedPerson
from learningdesk.reps.models import Rep, Stage
from learningdesk.surveys.models import Answer, Response
from tests.factories import give_role
from tests.privacy import NEEDLES, leftovers, zebedee


def _erasure_entry(person_id: int) -> AuditEvent:
    return AuditEvent.objects.get(target_type="person", target_id=person_id, changes__has_key="data_rights")


@pytest.mark.slow
def test_removing_a_person_leaves_nothing_of_theirs_in_any_table(world):
    z = zebedee(world)
    assert leftovers(), "the scan must find Zebedee before the erasure, or it proves nothing"

    erasure.remove(acting_user=world.coordinator, person=z.person)

    assert leftovers() == []
    assert not Person.objects.filter(pk=z.person.pk).exists()
    assert not User.objects.filter(pk=z.user.pk).exists()


@pytest.mark.slow
def test_anonymising_a_person_leaves_nothing_of_theirs_in_any_table(world):
    z = zebedee(world)
    assert leftovers()

    erasure.anonymise(acting_user=world.coordinator, person=z.person)

    assert leftovers() == []
    assert not User.objects.filter(pk=z.user.pk).exists()


def test_anonymising_keeps_what_counts_and_nothing_that_tells_who(world):
    z = zebedee(world)
    attended_before = SignUp.objects.filter(session=z.attended.session, status=SignUp.Status.ATTENDED).count()
    taken_before = Session.objects.get(pk=z.attended.session_id).taken

    erasure.anonymise(acting_user=world.coordinator, person=z.person)

    placeholder = Person.objects.get(pk=z.person.pk)
    assert placeholder.full_name == "Anonymised person"
    assert (placeholder.email, placeholder.phone, placeholder.membership_number) == ("", "", None)
    assert placeholder.workplace is None and placeholder.branch == world.derby
    assert AnonymisedPerson.objects.filter(person=placeholder).exists()
    # Attendance still counts, against the same session, with nothing the learner typed.
    attended = SignUp.objects.get(pk=z.attended.pk)
    assert (attended.status, attended.session_id, attended.person_id) == (
        "attended",
        z.attended.session_id,
        z.person.pk,
    )
    assert (attended.given_name, attended.given_email, attended.access_needs) == ("", "", "")
    assert SignUp.objects.filter(session=z.attended.session, status="attended").count() == attended_before
    assert Session.objects.get(pk=z.attended.session_id).taken == taken_before
    assert Outcome.objects.filter(person=placeholder).count() == 1
    # Consents and equality data go; the rep's path keeps its dates, stood down.
    assert not Consent.objects.filter(person=placeholder).exists()
    assert not EqualityRecord.objects.filter(person=placeholder).exists()
    rep = Rep.objects.get(pk=z.rep.pk)
    assert rep.stage == Stage.STOOD_DOWN and rep.notified_on is not None and rep.notes == ""
    assert not rep.workplaces.exists()
    # A survey response still counts, linked to nobody, without their words; anonymous answers are untouched.
    assert Response.objects.filter(survey__title="Skills audit", person=None, is_complete=True).count() == 1
    assert Answer.objects.get(pk=z.anonymous_answer.pk).text == "More evening courses please"


def test_their_upcoming_places_go_to_the_waiting_list(world):
    z = zebedee(world)

    erasure.anonymise(acting_user=world.coordinator, person=z.person)

    assert SignUp.objects.get(pk=z.waiting.pk).status == SignUp.Status.CANCELLED
    wanda = SignUp.objects.get(session=z.waiting.session, person__first_name="Wanda")
    assert wanda.status == SignUp.Status.OFFERED
    assert SignUp.objects.get(pk=z.upcoming.pk).status == SignUp.Status.CANCELLED
    assert Session.objects.get(pk=z.upcoming.session_id).taken == 0


def test_removing_gives_back_every_place_their_sign_ups_held(world):
    z = zebedee(world)
    past = z.attended.session

    erasure.remove(acting_user=world.coordinator, person=z.person)

    assert Session.objects.get(pk=past.pk).taken == 0
    assert SignUp.objects.get(session=z.waiting.session, person__first_name="Wanda").status == "offered"
    assert not Rep.objects.filter(pk=z.rep.pk).exists()
    assert Rep.objects.filter(pk=z.other_rep.pk).exists()  # the rep who talked to them keeps their own record


@pytest.mark.parametrize("erase", [erasure.remove, erasure.anonymise])
def test_the_erasure_is_logged_without_the_erased_data(world, erase):
    z = zebedee(world)
    person_id = z.person.pk

    erase(acting_user=world.coordinator, person=z.person)

    entry = _erasure_entry(person_id)
    assert entry.actor == world.coordinator
    assert entry.unit == world.derby
    assert entry.changes["data_rights"] in ("removed", "anonymised")
    assert all(isinstance(count, int) for count in entry.changes["records"].values())
    # Older entries about them keep ids and the names of the fields that changed, never a value.
    for event in AuditEvent.objects.filter(target_type="person", target_id=person_id).exclude(pk=entry.pk):
        assert set(event.changes) <= {"fields"}
        assert not any(needle in str(event.changes).lower() for needle in NEEDLES)


def test_a_person_who_signs_in_with_a_role_is_not_erased(world):
    z = zebedee(world)
    give_role(z.user, Role.BRANCH_OFFICER, world.derby)

    with pytest.raises(erasure.ErasureRefused, match="End their roles"):
        erasure.remove(acting_user=world.coordinator, person=z.person)

    assert Person.objects.filter(pk=z.person.pk, first_name="Zebedee").exists()


def test_nobody_erases_their_own_record(world):
    z = zebedee(world)

    reasons = erasure.blockers(acting_user=z.user, person=z.person)

    assert "You cannot erase your own record. Ask another co-ordinator." in reasons


@pytest.mark.parametrize("erase", [erasure.remove, erasure.anonymise])
def test_an_erasure_that_fails_part_way_changes_nothing(world, erase, monkeypatch):
    z = zebedee(world)

    def breaks(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(erasure, "_forget_import_rows", breaks)
    with pytest.raises(RuntimeError):
        erase(acting_user=world.coordinator, person=z.person)

    person = Person.objects.get(pk=z.person.pk)
    assert person.first_name == "Zebedee" and person.email == "zq@quux.example"
    assert User.objects.filter(pk=z.user.pk).exists()
    assert Consent.objects.filter(person=person).exists()
    assert SignUp.objects.get(pk=z.upcoming.pk).status == SignUp.Status.CONFIRMED
    assert not AuditEvent.objects.filter(changes__has_key="data_rights").exists()


def test_anonymising_twice_does_nothing_more(world):
    z = zebedee(world)
    erasure.anonymise(acting_user=world.coordinator, person=z.person)

    assert erasure.anonymise(acting_user=world.coordinator, person=z.person) == {}
    assert AuditEvent.objects.filter(changes__has_key="data_rights").count() == 1
