"""What a learner tells us becomes work for the co-ordinator, without anyone typing it twice.

"I'd like to know about becoming a ULR" (on the sign-up form or the evaluation) puts them on the ULR
register as a prospect, with where it came from; "I'm interested in joining the union" from a non-member
opens a join lead for the co-ordinator to follow up.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from learningdesk.accounts.models import User
from learningdesk.learning.models import Activity, Evaluation, JoinLead, SignUp
from learningdesk.org.models import Consent, Person
from learningdesk.reps import services as rep_services
from learningdesk.reps.models import Method, Rep, RepKind, Source, Stage


def ulr_prospect(
    *, person: Person, activity: Activity, method: str, note: str, acting_user: User | None = None
) -> Rep | None:
    """Put the person on the ULR register as a prospect, unless they are already on it (then None)."""
    kind = RepKind.objects.filter(code=RepKind.Code.ULR).first()
    if kind is None or Rep.objects.filter(person=person, kind=kind).exclude(stage=Stage.STOOD_DOWN).exists():
        return None
    source = Source.COURSE_ATTENDEE if person.status == Person.Status.MEMBER else Source.NON_MEMBER_LEARNER
    try:
        with transaction.atomic():
            return rep_services.rep_add(
                acting_user=acting_user,
                person=person,
                kind=kind,
                workplaces=[person.workplace] if person.workplace is not None else [],
                data={"source": source, "method": method, "notes": note},
            )
    except ValidationError:  # added by someone else a moment ago
        return None


def join_lead(*, person: Person, activity: Activity, source: str) -> JoinLead | None:
    """Open a join lead for a non-member, unless one is already open (then None)."""
    if (
        person.status == Person.Status.MEMBER
        or JoinLead.objects.filter(person=person, status__in=[JoinLead.Status.NEW, JoinLead.Status.CONTACTED]).exists()
    ):
        return None
    return JoinLead.objects.create(person=person, unit=activity.unit, activity=activity, source=source)


def from_sign_up(record: SignUp, *, details: object, acting_user: User | None = None) -> None:
    consents: set[str] = getattr(details, "consents", set())
    activity = record.session.activity
    if Consent.Kind.BECOME_REP in consents:
        method = Method.STALL if record.source == SignUp.Source.STALL else Method.SIGN_UP
        ulr_prospect(
            person=record.person,
            activity=activity,
            method=method,
            note=f"Asked about becoming a ULR when signing up for {activity.title}.",
            acting_user=acting_user,
        )
    if Consent.Kind.JOIN_UNION in consents:
        join_lead(person=record.person, activity=activity, source=JoinLead.Source.SIGN_UP)


def from_evaluation(evaluation: Evaluation) -> None:
    record = evaluation.sign_up
    activity = record.session.activity
    if evaluation.wants_to_be_ulr:
        ulr_prospect(
            person=record.person,
            activity=activity,
            method=Method.COURSE_EVALUATION,
            note=f"Said they would like to be a ULR in their evaluation of {activity.title}.",
        )
    if evaluation.wants_to_join:
        join_lead(person=record.person, activity=activity, source=JoinLead.Source.EVALUATION)
