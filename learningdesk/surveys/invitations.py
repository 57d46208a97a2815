"""Asking people to answer a survey: the audience, personal invitations by email, reminders, and the
identified surveys a person answered (for their page).

Only people who agreed to hear about learning (an active `learning_news` consent) and have an email are
invited, once each, and only those in the user's own editable scope and the survey's subtree. Emails go out
from a background task, in batches of `BATCH`, so an audience of 100,000 never sits in memory. The emails
carry no tracking: the personal link is the only thing that tells the system an invitation was used, and for
an anonymous survey that is all it records.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from itertools import batched

from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.learning.calendar import absolute
from learningdesk.org import scoping
from learningdesk.org.models import Consent, Employer, OrgUnit, Person, Workplace
from learningdesk.surveys.models import Invitation, Question, Response, Survey

BATCH = 1000
# A co-ordinator may remind people by hand at most every 3 days; the hourly job reminds them after a week.
MANUAL_REMINDER_GAP = datetime.timedelta(days=3)
AUTOMATIC_REMINDER_GAP = datetime.timedelta(days=7)
SECONDS_PER_QUESTION = 20


def is_open_now(survey: Survey) -> bool:
    return survey.is_open_on(timezone.localdate())


def open_surveys(today: datetime.date | None = None) -> QuerySet[Survey]:
    today = today or timezone.localdate()
    return (
        Survey.objects.filter(status=Survey.Status.OPEN)
        .filter(Q(opens_on__isnull=True) | Q(opens_on__lte=today))
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=today))
    )


# The audience -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """A unit (and the units below it), an employer or a workplace."""

    kind: str  # "unit", "employer" or "workplace"
    pk: int
    name: str

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.pk}"

    @property
    def description(self) -> str:
        where = {"unit": "in", "employer": "working for", "workplace": "working at"}[self.kind]
        return f"{where} {self.name}"


def audience_units(user: User, survey: Survey) -> QuerySet[OrgUnit]:
    """Units the user may invite people of: their editable units within the survey's subtree."""
    return scoping.editable_units(user).filter(path__startswith=survey.unit.path).order_by("path")


def audience_workplaces(user: User, survey: Survey) -> QuerySet[Workplace]:
    return (
        scoping.editable_workplaces(user)
        .filter(branch__path__startswith=survey.unit.path)
        .order_by("name", "employer__name", "id")
    )


def audience_employers(user: User, survey: Survey) -> QuerySet[Employer]:
    """Employers with a workplace the user may invite people at."""
    workplaces = audience_workplaces(user, survey).values("employer")
    return scoping.visible_employers(user).filter(pk__in=workplaces).order_by("name", "id")


def audience_choices(user: User, survey: Survey) -> list[tuple[str, list[tuple[str, str]]]]:
    """The audiences to choose from, grouped for a select's optgroups."""
    groups = [
        ("Branches and other units", [(f"unit-{u.pk}", u.name) for u in audience_units(user, survey)]),
        ("Employers", [(f"employer-{e.pk}", e.name) for e in audience_employers(user, survey)]),
        (
            "Workplaces",
            [(f"workplace-{w.pk}", f"{w.name} ({w.employer.name})") for w in audience_workplaces(user, survey)],
        ),
    ]
    return [(label, options) for label, options in groups if options]


def find_audience(user: User, survey: Survey, key: str) -> Audience | None:
    """The audience a choice's key names, if the user may invite it."""
    kind, _, pk = key.partition("-")
    if not pk.isdigit():
        return None
    lookups: dict[str, QuerySet] = {
        "unit": audience_units(user, survey),
        "employer": audience_employers(user, survey),
        "workplace": audience_workplaces(user, survey),
    }
    if kind not in lookups:
        return None
    found = lookups[kind].filter(pk=int(pk)).first()
    return Audience(kind=kind, pk=found.pk, name=found.name) if found is not None else None


def may_be_asked(person: str = "pk") -> Exists:
    """An active consent to news about learning (given and not withdrawn) of the `person` field's person."""
    return Exists(
        Consent.objects.filter(
            person=OuterRef(person), kind=Consent.Kind.LEARNING_NEWS, given=True, withdrawn_at__isnull=True
        )
    )


def audience_people(user: User, survey: Survey, audience: Audience) -> QuerySet[Person]:
    """The people to invite: in the audience and the user's editable scope and the survey's subtree, with an
    email and an active learning-news consent, and not invited to this survey yet."""
    people = scoping.editable_people(user).filter(branch__path__startswith=survey.unit.path)
    if audience.kind == "unit":
        unit = OrgUnit.objects.get(pk=audience.pk)
        people = people.filter(branch__path__startswith=unit.path)
    elif audience.kind == "employer":
        people = people.filter(workplace__employer_id=audience.pk)
    else:
        people = people.filter(workplace_id=audience.pk)
    already = Invitation.objects.filter(survey=survey, person=OuterRef("pk"))
    return people.exclude(email="").filter(may_be_asked()).exclude(Exists(already))


# Sending ----------------------------------------------------------------------------------------


def invitations_send(*, acting_user: User, survey: Survey, audience: Audience) -> int:
    """Invite the audience: audits and hands the sending to the task worker. Returns how many will be invited."""
    count = audience_people(acting_user, survey, audience).count()
    if count:
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=survey,
            unit_id=survey.unit_id,
            changes={"invited": count, "audience": audience.key},
        )
        transaction.on_commit(
            partial(
                send_invitations_task.enqueue, survey_id=survey.pk, user_id=acting_user.pk, audience_key=audience.key
            )
        )
    return count


@task()
def send_invitations_task(*, survey_id: int, user_id: int, audience_key: str) -> int:
    """Create and email the invitations of an audience (worked out again, with the user's scope now)."""
    survey = Survey.objects.select_related("unit").get(pk=survey_id)
    user = User.objects.get(pk=user_id)
    audience = find_audience(user, survey, audience_key)
    if audience is None or not is_open_now(survey):
        return 0
    return invite_people(survey=survey, people=audience_people(user, survey, audience))


def invite_people(*, survey: Survey, people: QuerySet[Person]) -> int:
    """Create an invitation for each person (once: the unique constraint keeps the first) and email those
    not yet emailed, a batch at a time. Returns how many emails went."""
    sent = 0
    for person_ids in batched(people.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=BATCH), BATCH):
        Invitation.objects.bulk_create(
            [Invitation(survey=survey, person_id=person_id) for person_id in person_ids], ignore_conflicts=True
        )
        fresh = Invitation.objects.filter(survey=survey, person_id__in=person_ids, sent_at__isnull=True)
        sent += _email(survey, fresh.select_related("person"), reminder=False)
    return sent


def minutes_to_answer(survey: Survey) -> int:
    questions = Question.objects.filter(section__survey=survey).count()
    return max(2, math.ceil(questions * SECONDS_PER_QUESTION / 60))


def _email(survey: Survey, invitations: Iterable[Invitation], *, reminder: bool) -> int:
    """Email each invitation its personal link, and record when (sent_at, or reminded_at for a reminder)."""
    invitations = [invitation for invitation in invitations if invitation.person.email]
    if not invitations:
        return 0
    name = "reminder" if reminder else "invitation"
    base = {"survey": survey, "minutes": minutes_to_answer(survey), "unit": survey.unit}
    messages = []
    for invitation in invitations:
        context = {
            **base,
            "person": invitation.person,
            "url": absolute(reverse("survey:invited", kwargs={"token": invitation.token})),
        }
        message = EmailMultiAlternatives(
            subject=render_to_string(f"surveys/invite/email_{name}_subject.txt", context).strip(),
            body=render_to_string(f"surveys/invite/email_{name}.txt", context),
            to=[invitation.person.email],
        )
        message.attach_alternative(render_to_string(f"surveys/invite/email_{name}.html", context), "text/html")
        messages.append(message)
    sent = mailers.default.send_messages(messages) or 0
    field = "reminded_at" if reminder else "sent_at"
    Invitation.objects.filter(pk__in=[invitation.pk for invitation in invitations]).update(**{field: timezone.now()})
    return sent


# Reminders --------------------------------------------------------------------------------------


def due_reminders(invitations: QuerySet[Invitation], *, gap: datetime.timedelta) -> QuerySet[Invitation]:
    """Invitations not used yet whose last email (the invitation or a reminder) went `gap` or longer ago, to
    people who still agree to hear about learning."""
    return (
        invitations.filter(used=False, sent_at__isnull=False)
        .filter(may_be_asked("person"))
        .alias(last_emailed=Coalesce("reminded_at", "sent_at"))
        .filter(last_emailed__lte=timezone.now() - gap)
    )


def remind(*, survey: Survey, invitations: QuerySet[Invitation], gap: datetime.timedelta) -> int:
    """Remind those due a reminder, a batch at a time. Returns how many emails went."""
    if not is_open_now(survey):
        return 0
    sent = 0
    due = due_reminders(invitations.filter(survey=survey), gap=gap)
    for ids in batched(due.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=BATCH), BATCH):
        # Read again: a respondent may have answered since the batch was listed.
        batch = due_reminders(Invitation.objects.filter(pk__in=ids), gap=gap).select_related("person")
        sent += _email(survey, batch, reminder=True)
    return sent


def reminders_send(*, acting_user: User, survey: Survey) -> int:
    """Remind the people the user may see who have not answered (at most every 3 days). Returns how many."""
    count = due_reminders(scoping.visible_invitations(acting_user, survey), gap=MANUAL_REMINDER_GAP).count()
    if count:
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=survey,
            unit_id=survey.unit_id,
            changes={"reminded": count},
        )
        transaction.on_commit(partial(send_reminders_task.enqueue, survey_id=survey.pk, user_id=acting_user.pk))
    return count


@task()
def send_reminders_task(*, survey_id: int, user_id: int) -> int:
    survey = Survey.objects.select_related("unit").get(pk=survey_id)
    user = User.objects.get(pk=user_id)
    return remind(survey=survey, invitations=scoping.visible_invitations(user, survey), gap=MANUAL_REMINDER_GAP)


def send_due_reminders() -> dict[str, int]:
    """Remind, for every open survey, those who have not answered a week after their last email. Each
    reminder goes once however often this runs. Returns emails sent by survey title and id."""
    report = {}
    for survey in open_surveys().select_related("unit").order_by("pk"):
        sent = remind(survey=survey, invitations=Invitation.objects.all(), gap=AUTOMATIC_REMINDER_GAP)
        if sent:
            report[f"{survey.title} ({survey.pk})"] = sent
    return report


# On the person's page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentifiedResponse:
    survey: Survey
    submitted_on: datetime.date | None
    url: str | None  # the survey's page, for those who may see it


def identified_responses(user: User, person: Person) -> list[IdentifiedResponse]:
    """The identified surveys the person answered, newest first. Anonymous responses have no person and are
    never listed (the survey's own flag is checked too)."""
    answered = list(
        Response.objects.filter(person=person, is_complete=True, survey__is_anonymous=False)
        .select_related("survey")
        .order_by("-submitted_on", "-id")
    )
    visible = set(
        scoping.visible_surveys(user).filter(pk__in=[r.survey_id for r in answered]).values_list("pk", flat=True)
    )
    return [
        IdentifiedResponse(
            survey=response.survey,
            submitted_on=response.submitted_on,
            url=reverse("surveys:detail", args=[response.survey_id]) if response.survey_id in visible else None,
        )
        for response in answered
    ]
