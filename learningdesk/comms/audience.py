"""Who a mailing goes to: the people its audience names, within the sender's scope, and how many of them will
receive it (active consent of the mailing's kind, and an email address) and how many are left out, and why.

"Survey respondents who asked for a subject" reads the surveys app as its findings do: the complete responses to
an identified survey (an anonymous one is linked to nobody) that answered a "choose subjects" question with the
subject. Those people asked to learn it; the consent of the mailing's kind still decides whether they get it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet

from learningdesk.accounts.models import User
from learningdesk.comms.models import Mailing
from learningdesk.learning.models import SignUp
from learningdesk.org import scoping
from learningdesk.org.models import Consent, Person
from learningdesk.reps.models import CURRENT_REP_STAGES, Rep
from learningdesk.surveys.models import Answer, Question, Response

AudienceKind = Mailing.AudienceKind


def active_consent(kind: str) -> Exists:
    """The person has said yes to this kind of contact and not withdrawn it (never inferred)."""
    return Exists(Consent.objects.filter(person=OuterRef("pk"), kind=kind, given=True, withdrawn_at__isnull=True))


def audience_problem(mailing: Mailing) -> str:
    """What the audience still needs before it can be counted, in words ('' when it is complete)."""
    match mailing.audience_kind:
        case "":
            return "Choose who the mailing goes to."
        case AudienceKind.UNIT if mailing.audience_unit_id is None:
            return "Choose the branch or region."
        case AudienceKind.EMPLOYERS if not mailing.audience_employers.exists():
            return "Choose at least one employer."
        case AudienceKind.WORKPLACES if not mailing.audience_workplaces.exists():
            return "Choose at least one workplace."
        case AudienceKind.LEARNERS if mailing.audience_activity_id is None:
            return "Choose the activity."
        case AudienceKind.SURVEY_SUBJECT if mailing.audience_survey_id is None or mailing.audience_subject_id is None:
            return "Choose the survey and the subject."
    return ""


def _one[M: Model](queryset: QuerySet[M], pk: int | None) -> M | None:
    """The record with this id among those allowed, or None (a choice since moved out of scope)."""
    return queryset.filter(pk__in=[pk]).first() if pk is not None else None


def _subject_askers(user: User, mailing: Mailing) -> QuerySet[Response]:
    survey = _one(scoping.mailing_audience_surveys(user), mailing.audience_survey_id)
    if survey is None or mailing.audience_subject_id is None:
        return Response.objects.none()
    asked = Answer.objects.filter(question__kind=Question.Kind.SUBJECTS, subject_id=mailing.audience_subject_id)
    return Response.objects.filter(
        survey=survey, is_complete=True, person__isnull=False, pk__in=asked.values("response_id")
    )


def audience_people(user: User, mailing: Mailing) -> QuerySet[Person]:
    """Everyone the audience names that the user may reach with a mailing of its unit (before consent and email).

    Each choice is checked against the user's scope again here: a choice saved by another co-ordinator, or a
    record moved out of scope since, reaches nobody the sender could not see.
    """
    people = scoping.mailing_people(user, mailing.unit)
    match mailing.audience_kind:
        case AudienceKind.UNIT:
            unit = _one(scoping.mailing_audience_units(user, mailing.unit), mailing.audience_unit_id)
            if unit is None:
                return Person.objects.none()
            people = people.filter(branch__path__startswith=unit.path)
        case AudienceKind.EMPLOYERS:
            employers = scoping.mailing_audience_employers(user, mailing.unit).filter(
                pk__in=mailing.audience_employers.values("pk")
            )
            people = people.filter(workplace__employer__in=employers.values("pk"))
        case AudienceKind.WORKPLACES:
            workplaces = scoping.mailing_audience_workplaces(user, mailing.unit).filter(
                pk__in=mailing.audience_workplaces.values("pk")
            )
            people = people.filter(workplace__in=workplaces.values("pk"))
        case AudienceKind.REPS:
            reps = Rep.objects.filter(stage__in=CURRENT_REP_STAGES)
            people = people.filter(pk__in=reps.values("person_id"))
        case AudienceKind.LEARNERS:
            activity = _one(scoping.visible_activities(user), mailing.audience_activity_id)
            if activity is None:
                return Person.objects.none()
            learners = SignUp.objects.filter(session__activity=activity).exclude(
                status__in=(SignUp.Status.CANCELLED, SignUp.Status.EXPIRED)
            )
            people = people.filter(pk__in=learners.values("person_id"))
        case AudienceKind.SURVEY_SUBJECT:
            people = people.filter(pk__in=_subject_askers(user, mailing).values("person_id"))
        case _:
            return Person.objects.none()
    if mailing.members_only:
        people = people.filter(status=Person.Status.MEMBER)
    return people


@dataclass(frozen=True)
class AudienceCount:
    people: int  # everyone the audience names
    receiving: int  # one message per address
    no_consent: int
    no_email: int  # agreed, but no email address recorded
    shared_email: int  # agreed, but someone earlier in the list has the same address: one message reaches both

    @property
    def left_out(self) -> int:
        return self.no_consent + self.no_email


def _with_consent(people: QuerySet[Person], mailing: Mailing) -> QuerySet[Person]:
    return people.annotate(agreed=active_consent(mailing.consent_kind))


def count_audience(user: User, mailing: Mailing) -> AudienceCount:
    """How many the mailing would reach now, and how many are left out and why. One query."""
    if audience_problem(mailing):
        return AudienceCount(0, 0, 0, 0, 0)
    agreed = Q(agreed=True)
    reachable = agreed & ~Q(email="")
    totals = (
        _with_consent(audience_people(user, mailing), mailing)
        .order_by()
        .aggregate(
            n_people=Count("pk"),
            n_agreed=Count("pk", filter=agreed),
            n_reachable=Count("pk", filter=reachable),
            n_addresses=Count("email_key", filter=reachable, distinct=True),
        )
    )
    return AudienceCount(
        people=totals["n_people"],
        receiving=totals["n_addresses"],
        no_consent=totals["n_people"] - totals["n_agreed"],
        no_email=totals["n_agreed"] - totals["n_reachable"],
        shared_email=totals["n_reachable"] - totals["n_addresses"],
    )


def receivers(user: User, mailing: Mailing, *, chunk_size: int = 2000) -> Iterator[tuple[int, str]]:
    """(person id, email) of each person who is to get the mailing: one per address, the earliest record first."""
    people = (
        _with_consent(audience_people(user, mailing), mailing)
        .filter(Q(agreed=True))
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", "email", "email_key")
    )
    seen: set[str] = set()
    for pk, email, key in people.iterator(chunk_size=chunk_size):
        if key in seen:
            continue
        seen.add(key)
        yield pk, email
