"""Erasure (UK GDPR Art. 17): remove a person and everything about them, or anonymise them where their records
must still count.

Remove deletes the person and every record about them (personal_data.COVERED, ABOUT), giving back the places
their sign-ups held. Anonymise keeps the person's row as a placeholder with nothing left to tell who they were,
so that what they took part in still counts: their sign-ups keep their status and session (attendance stays
counted), their outcomes, learning roles and survey responses stay, emptied of every name, contact detail, link
to a workplace and piece of free text; their consents and equality record go. Either way their login, if they have
one, is deleted once sign-in security has forgotten it (accounts.security.forget_user), and the mailings sent to
them are erased by the mailings' own module (comms.personal_data.erase).

The audit log keeps one entry, "person N removed" or "anonymised", with counts of records by kind and nothing
else; earlier entries about the person and their records keep their ids and the names of the fields that changed,
never a value. Both run in one transaction: an erasure is done completely or not at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.employers.models import (
    CaseNote,
    CommitteeAction,
    CommitteeMeeting,
    EmployerContact,
    LearningAgreement,
    TimeOffRequest,
)
from learningdesk.imports.models import ImportProblem, ImportRow
from learningdesk.learning import signups
from learningdesk.learning.models import (
    PLACE_HOLDING,
    Activity,
    ActivityHelper,
    Evaluation,
    JoinLead,
    Outcome,
    Session,
    SignUp,
)
from learningdesk.org import scoping
from learningdesk.org.models import Consent, EqualityRecord, Person
from learningdesk.privacy import personal_data
from learningdesk.privacy.models import AnonymisedPerson
from learningdesk.reps.models import (
    Action,
    Conversation,
    EmployerNotification,
    FacilityAllowance,
    FacilityTimeEntry,
    Recognition,
    Rep,
    StageChange,
    StandDownReason,
    SupportContact,
    TrainingRecord,
)
from learningdesk.reps.models import (
    Stage as RepStage,
)
from learningdesk.surveys.models import Answer, Response

REMOVED = "removed"
ANONYMISED = "anonymised"
PLACEHOLDER_FIRST_NAME = "Anonymised"
PLACEHOLDER_LAST_NAME = "person"
ACTION_REMOVED = "(Removed when the person was anonymised)"
LIVE_TO_CANCEL = (SignUp.Status.CONFIRMED, SignUp.Status.WAITLISTED, SignUp.Status.OFFERED)
REP_TEXT_FIELDS = (
    "motivation_notes",
    "barrier_notes",
    "skills_interests",
    "learnt",
    "ideas",
    "concerns",
    "wants_to_do",
    "further_training_wanted",
    "notes",
)


class ErasureRefused(Exception):
    """The person cannot be erased yet; the message says why and what to do first."""


def is_anonymised(person: Person) -> bool:
    return AnonymisedPerson.objects.filter(person=person).exists()


def blockers(*, acting_user: User | None, person: Person) -> list[str]:
    """Why the person cannot be removed or anonymised now, in words; empty when they can."""
    reasons = []
    if acting_user is not None and acting_user.person_id == person.pk:
        reasons.append("You cannot erase your own record. Ask another co-ordinator.")
    user = User.objects.filter(person=person).first()
    if user is not None and scoping.active_roles(user).exists():
        reasons.append(
            "They sign in to Learning Desk with a role. End their roles on the team page first, so that nobody "
            "loses access by surprise."
        )
    return reasons


@dataclass(frozen=True)
class Held:
    """How many records of one kind are held about the person: what the confirmation page lists."""

    title: str
    count: int


def held(person: Person) -> list[Held]:
    return [Held(s.title, len(s.rows)) for s in personal_data.everything(person) if s.rows and s.key != "authored"]


# Shared by both -------------------------------------------------------------------------------------


def _forget_login(person: Person, counts: Counter[str], *, removing: bool) -> None:
    """Sign-in security forgets the login, then the login goes (keys to it elsewhere are SET_NULL).

    A login that was also an employer's contact (someone who moved from the union side) takes the contact record
    with it, or, anonymising, leaves it without a name or contact details (the employer's records still name it).
    """
    user = User.objects.filter(person=person).first()
    if user is None:
        return
    contacts = EmployerContact.objects.filter(user=user)
    if removing:
        counts["employers.employercontact"] += contacts.delete()[0]
    else:
        counts["employers.employercontact"] += contacts.update(
            name="Former contact", job_title="", email="", phone="", notes="", user=None, is_current=False
        )
    security = personal_data.delegate(personal_data.SECURITY_MODULE)
    if security is not None:
        counts.update({f"accounts.{name}": n for name, n in security.forget_user(user).items()})
    counts.update(_forget_sign_in_attempts({user.email, person.email}))
    user.delete()
    counts["accounts.user"] += 1


def _forget_sign_in_attempts(emails: set[str]) -> Counter[str]:
    """django-axes keeps the email typed at each sign-in attempt."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    counts: Counter[str] = Counter()
    q = Q(pk__in=[])
    for email in filter(None, emails):
        q |= Q(username__iexact=email)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        deleted, _ = model.objects.filter(q).delete()
        if deleted:
            counts[f"axes.{model._meta.model_name}"] += deleted
    return counts


def _erase_mailings(person: Person, counts: Counter[str]) -> None:
    comms = personal_data.delegate(personal_data.COMMS_MODULE)
    if comms is not None:
        counts.update({f"comms.{name}": n for name, n in comms.erase(person).items()})


def _scrub_audit(targets: dict[str, set[int]]) -> int:
    """Earlier audit entries about the person and their records keep ids and field names, never values."""
    scrubbed = 0
    for event in personal_data.audit_about(targets).exclude(changes={}):
        names = sorted(event.changes["fields"]) if list(event.changes) == ["fields"] else sorted(event.changes)
        if event.changes != {"fields": names}:
            AuditEvent.objects.filter(pk=event.pk).update(changes={"fields": names})
            scrubbed += 1
    return scrubbed


def _forget_import_rows(person: Person, counts: Counter[str]) -> None:
    """A member import's checked rows and problems copy the file's values, by person id or not at all."""
    rows = Q(person_id=person.pk)
    problems = Q(person_id=person.pk)
    if person.membership_number:
        rows |= Q(membership_number__iexact=person.membership_number)
        problems |= Q(value__iexact=person.membership_number)
    if person.email:
        rows |= Q(email__iexact=person.email)
        problems |= Q(value__iexact=person.email)
    counts["imports.importrow"] += ImportRow.objects.filter(rows).delete()[0]
    counts["imports.importproblem"] += ImportProblem.objects.filter(problems).delete()[0]


def _forget_task_arguments(person: Person, counts: Counter[str]) -> None:
    """Background tasks keep their arguments (an email asked a learning record link for, say)."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if not person.email:
        return
    matching = DBTaskResult.objects.annotate(arguments=Cast("args_kwargs", TextField())).filter(
        arguments__icontains=person.email
    )
    deleted, _ = matching.exclude(status=TaskResultStatus.RUNNING).delete()
    counts["django_tasks_db.dbtaskresult"] += deleted


def _unname(person: Person, counts: Counter[str]) -> None:
    """Actions and committee actions owned by the person only by name (typed in, not chosen) lose the name."""
    name = person.full_name
    if not name:
        return
    counts["reps.action"] += Action.objects.filter(owner_name__iexact=name).update(owner_name="")
    counts["employers.committeeaction"] += CommitteeAction.objects.filter(owner_name__iexact=name).update(owner_name="")


def _cancel_live_sign_ups(person: Person, *, upcoming_only: bool) -> int:
    """Cancel the person's confirmed, waiting and offered sign-ups: their places go to the waiting list."""
    live = SignUp.objects.filter(person=person, status__in=LIVE_TO_CANCEL)
    if upcoming_only:
        live = live.filter(session__starts_at__gt=timezone.now())
    cancelled = 0
    for record in live:
        signups.cancel(record)
        cancelled += 1
    return cancelled


def _audit(*, acting_user: User | None, person_id: int, unit_id: int, what: str, counts: Counter[str]) -> None:
    """The one entry about the erasure: which person, how, and how many records by kind; nothing else."""
    AuditEvent.objects.create(
        actor=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        action=AuditEvent.Action.DELETED if what == REMOVED else AuditEvent.Action.CHANGED,
        target_type="person",
        target_id=person_id,
        unit_id=unit_id,
        changes={"data_rights": what, "records": dict(sorted((k, v) for k, v in counts.items() if v))},
    )


def _check(acting_user: User | None, person: Person) -> None:
    if reasons := blockers(acting_user=acting_user, person=person):
        raise ErasureRefused(" ".join(reasons))


# Remove ---------------------------------------------------------------------------------------------


@transaction.atomic
def remove(*, acting_user: User | None, person: Person) -> dict[str, int]:
    """Delete the person and every record about them. Returns how many records went, by kind."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check(acting_user, person)
    person_id, unit_id = person.pk, person.branch_id
    targets = personal_data.audit_targets(personal_data.own_sections(person))
    counts: Counter[str] = Counter()
    counts["accounts.auditevent"] += _scrub_audit(targets)
    _erase_mailings(person, counts)
    _forget_login(person, counts, removing=True)
    counts["learning.signup"] += _cancel_live_sign_ups(person, upcoming_only=False)
    # Attended and missed sign-ups of past sessions held places too: `Session.taken` counts every one.
    for session_id in SignUp.objects.filter(person=person, status__in=PLACE_HOLDING).values_list(
        "session_id", flat=True
    ):
        Session.objects.filter(pk=session_id, taken__gt=0).update(taken=F("taken") - 1)
    counts["surveys.response"] += Response.objects.filter(person=person).delete()[1].get("surveys.Response", 0)
    counts["reps.conversation"] += Conversation.objects.filter(person=person).delete()[0]
    deleted_reps = Rep.objects.filter(person=person).delete()[1]
    counts.update({label.lower(): n for label, n in deleted_reps.items()})
    _unname(person, counts)
    _forget_import_rows(person, counts)
    _forget_task_arguments(person, counts)
    for label, n in Person.objects.filter(pk=person.pk).delete()[1].items():
        counts[label.lower()] += n
    _audit(acting_user=acting_user, person_id=person_id, unit_id=unit_id, what=REMOVED, counts=counts)
    return dict(counts)


# Anonymise ------------------------------------------------------------------------------------------


def _blank(queryset, fields: tuple[str, ...], value: str = "") -> int:  # type: ignore[no-untyped-def]
    """Empty the text fields of the rows that have any of them filled."""
    filled = Q(pk__in=[])
    for name in fields:
        filled |= ~Q(**{name: ""})
    return queryset.filter(filled).update(**dict.fromkeys(fields, value))


@transaction.atomic
def anonymise(*, acting_user: User | None, person: Person) -> dict[str, int]:
    """Keep the person as an anonymous placeholder, with what must still count. Returns counts by kind."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check(acting_user, person)
    if is_anonymised(person):
        return {}
    targets = personal_data.audit_targets(personal_data.own_sections(person))
    counts: Counter[str] = Counter()
    counts["accounts.auditevent"] += _scrub_audit(targets)
    _erase_mailings(person, counts)
    _forget_login(person, counts, removing=False)
    _unname(person, counts)
    _forget_import_rows(person, counts)
    _forget_task_arguments(person, counts)

    # Their contact with the union: nothing of it is needed for a count.
    counts["org.consent"] += Consent.objects.filter(person=person).delete()[0]
    counts["org.equalityrecord"] += EqualityRecord.objects.filter(person=person).delete()[0]
    counts["learning.activityhelper"] += ActivityHelper.objects.filter(person=person).delete()[0]
    counts["learning.activity"] += Activity.objects.filter(organiser=person).update(organiser=None)

    # Learning: sign-ups keep their status and session; what the learner typed goes.
    counts["learning.signup"] += _cancel_live_sign_ups(person, upcoming_only=True)
    counts["learning.signup"] += _blank(
        SignUp.objects.filter(person=person),
        (
            "given_name",
            "given_email",
            "given_phone",
            "given_workplace",
            "given_membership_number",
            "access_needs",
        ),
    )
    counts["learning.evaluation"] += _blank(
        Evaluation.objects.filter(sign_up__person=person), ("learnt", "next_steps", "other_topics")
    )
    counts["learning.outcome"] += _blank(Outcome.objects.filter(person=person), ("notes",))
    counts["learning.joinlead"] += _blank(JoinLead.objects.filter(person=person), ("notes",))

    # Learning roles: the path and its dates still count; everything said about them goes, and a current rep
    # stands down (nobody can reach them now).
    reps = Rep.objects.filter(person=person)
    today = timezone.localdate()
    for rep in reps.exclude(stage=RepStage.STOOD_DOWN):
        rep.stage, rep.stage_on = RepStage.STOOD_DOWN, today
        rep.stood_down_on = rep.stood_down_on or today
        rep.stood_down_reason = StandDownReason.OTHER
        rep.save(update_fields=["stage", "stage_on", "stood_down_on", "stood_down_reason"])
    for rep in reps:
        rep.workplaces.clear()
    counts["reps.rep"] += _blank(reps, REP_TEXT_FIELDS)
    of_reps = Q(rep__person=person)
    counts["reps.stagechange"] += _blank(StageChange.objects.filter(of_reps), ("note",))
    counts["reps.employernotification"] += (
        EmployerNotification.objects.filter(of_reps).exclude(letter={}).update(letter={})
    )
    counts["reps.trainingrecord"] += _blank(TrainingRecord.objects.filter(of_reps), ("notes",))
    counts["reps.supportcontact"] += _blank(SupportContact.objects.filter(of_reps), ("notes",))
    counts["reps.recognition"] += _blank(Recognition.objects.filter(of_reps), ("note",))
    counts["reps.facilityallowance"] += _blank(FacilityAllowance.objects.filter(of_reps), ("notes",))
    counts["reps.facilitytimeentry"] += _blank(FacilityTimeEntry.objects.filter(of_reps), ("note",))
    counts["reps.conversation"] += _blank(Conversation.objects.filter(of_reps), ("name", "notes"))
    counts["reps.action"] += Action.objects.filter(of_reps).update(
        description=ACTION_REMOVED, support_needed="", owner=None
    )
    counts["reps.action"] += Action.objects.filter(owner=person).update(owner=None)
    counts["reps.conversation"] += Conversation.objects.filter(person=person).update(person=None, name="", notes="")

    # Surveys: a response still counts, linked to nobody; what they wrote in their own words goes.
    responses = Response.objects.filter(person=person)
    counts["surveys.answer"] += Answer.objects.filter(response__in=responses).exclude(text="").update(text="")
    counts["surveys.response"] += responses.update(person=None, invitation=None)

    # Working with the employer.
    counts["employers.timeoffrequest"] += _blank(TimeOffRequest.objects.filter(person=person), ("reason",))
    counts["employers.casenote"] += CaseNote.objects.filter(case__request__person=person).update(
        text="(Removed when the person was anonymised)"
    )
    counts["employers.committeeaction"] += CommitteeAction.objects.filter(owner_person=person).update(owner_person=None)
    for meeting in CommitteeMeeting.objects.filter(union_attendees=person):
        meeting.union_attendees.remove(person)
        counts["employers.committeemeeting"] += 1
    for agreement in LearningAgreement.objects.filter(negotiated_by=person):
        agreement.negotiated_by.remove(person)
        counts["employers.learningagreement"] += 1

    # The placeholder: the unit and member status still count (roll-ups, recruitment through learning).
    Person.objects.filter(pk=person.pk).update(
        membership_number=None,
        title="",
        first_name=PLACEHOLDER_FIRST_NAME,
        last_name=PLACEHOLDER_LAST_NAME,
        email="",
        phone="",
        workplace=None,
        joined_on=None,
        job_title="",
        preferred_language="",
        time_zone="Europe/London",
        edited_fields="",
        imported_at=None,
        updated_at=timezone.now(),
    )
    counts["org.person"] += 1
    AnonymisedPerson.objects.create(person=person)
    _audit(acting_user=acting_user, person_id=person.pk, unit_id=person.branch_id, what=ANONYMISED, counts=counts)
    return dict(counts)


# What the confirmation pages say will happen, in the same order as the code above.
REMOVE_SAYS = (
    "Their record is deleted, with everything about them: consents, equality monitoring, sign-ups, outcomes, "
    "evaluations, learning roles and everything recorded about them as a rep, identified survey responses, time "
    "off requests and cases, and the mailings sent to them.",
    "Places they held on upcoming sessions go to the next people on the waiting list.",
    "Their login, if they have one, is deleted with its sign-in history and sessions.",
    "Anything they did as a learning rep (facility time, conversations they logged) is deleted too, so branch "
    "totals of past facility time and attendance go down.",
)
ANONYMISE_SAYS = (
    "Their name, email, phone, membership number, workplace, job title and date joined are removed. They are "
    "shown as “Anonymised person” wherever they are still counted.",
    "Their consents, equality monitoring and any login (with its sign-in history) are deleted.",
    "Their sign-ups keep their status and session, so attendance still counts; what they typed when signing up, "
    "their evaluations' comments and notes about them are removed. Upcoming places go to the waiting list.",
    "Their learning roles keep their dates (a current rep stands down); every note about them as a rep is removed.",
    "Identified survey responses stay in the results, linked to nobody, without the text they wrote.",
)
