"""Retention (UK GDPR Art. 5(1)(e), storage limitation): records kept no longer than they are needed.

Each kind of record has a period (settings.RETENTION, in days; None switches a kind off) and what happens when it
has passed: deleted, or, for people, anonymised (privacy/erasure.py) so that what they took part in still counts.
A daily task applies every rule (`manage.py apply_retention --if-due`, run hourly, queues it once a day) and stores
what it did as a `RetentionRun`; `--dry-run` counts without changing anything. Each rule runs in its own
transaction, so a rule that fails leaves the others done and is tried again the next day.

The kinds, and why:
- inactive_contacts: a non-member contact (no login, not a rep) with nothing happening for 3 years (no sign-up,
  session, consent, survey, lead, outcome, time-off request or conversation) is anonymised, not deleted: the
  learning they did still counts. Members are kept: their record follows the membership list.
- cancelled_sign_ups: cancelled sign-ups and lapsed waiting-list offers, 2 years after they were made: they never
  count as attendance, and they hold what the learner typed.
- survey_invitations: personal survey links, 1 year after the survey closed: the response rate is reported by then.
- member_import_details: the checked rows and problems of a finished member import (copies of the file's names and
  addresses), after 90 days: long enough to look into a question about the import.
- finished_tasks: background tasks' records, 30 days after they finished: their arguments can hold an email address.
- mailing_recipients: who was sent each mailing, 2 years after it was sent (the mailings themselves stay).
- sign_in_events: the sign-in and access log and ended sessions, after settings.SIGN_IN_LOG_DAYS (1 year), applied
  by sign-in security itself (accounts.security.prune, which also blanks emails typed at failed sign-ins sooner).
- sign_in_attempts: django-axes' record of each attempt (the email typed, the address it came from), after 1 year.
mailing_recipients reads the mailings' table by name: a rule whose table is not there shows as "not in use".
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.employers.models import TimeOffRequest
from learningdesk.imports.models import ImportFileChunk, ImportProblem, ImportRow, MemberImport
from learningdesk.learning.models import Activity, ActivityHelper, JoinLead, Outcome, SignUp
from learningdesk.org.models import Consent, Person
from learningdesk.privacy import erasure, personal_data
from learningdesk.privacy.models import AnonymisedPerson, RetentionRun
from learningdesk.reps.models import Conversation, Rep
from learningdesk.surveys.models import Invitation, Response, Survey

logger = logging.getLogger(__name__)

DELETE = "delete"
ANONYMISE = "anonymise"
# People anonymised in one run at most: each is a few dozen queries. A backlog clears over the following days.
ANONYMISE_BATCH = 200
DUE_AFTER = datetime.timedelta(hours=23)  # daily, from an hourly check that drifts by minutes
STALE_AFTER = datetime.timedelta(hours=6)  # a queued or running run this old lost its worker

DEFAULT_DAYS: dict[str, int] = {
    "inactive_contacts": 3 * 365,
    "cancelled_sign_ups": 2 * 365,
    "survey_invitations": 365,
    "member_import_details": 90,
    "finished_tasks": 30,
    "mailing_recipients": 2 * 365,
    "sign_in_attempts": 365,
}


@dataclass(frozen=True)
class Rule:
    kind: str
    title: str  # the kind of record, in words
    action: str  # DELETE or ANONYMISE
    after: str  # from when the period runs, in words
    # The records past their period on `cutoff` (now - the period), as querysets; None if the table is not in use.
    past: Callable[[datetime.datetime], list[QuerySet] | None] | None = None
    # Or a part's own function that applies its retention: (now, dry_run) -> how many, or None if not in use.
    apply: Callable[[datetime.datetime, bool], int | None] | None = None
    # The setting holding its period in days, when it is not settings.RETENTION[kind].
    setting: str = ""

    @property
    def days(self) -> int | None:
        if self.setting:
            return getattr(settings, self.setting, None) or None
        configured = getattr(settings, "RETENTION", {})
        return configured[self.kind] if self.kind in configured else DEFAULT_DAYS[self.kind]

    @property
    def period(self) -> str:
        return period_in_words(self.days)

    def in_use(self) -> bool:
        if self.days is None:
            return False
        if self.past is not None:
            return self.past(timezone.now()) is not None
        return personal_data.delegate(personal_data.SECURITY_MODULE) is not None

    def run(self, now: datetime.datetime, *, dry_run: bool) -> int | None:
        """Apply the rule (or count, for a dry run); None when it is not in use."""
        if self.days is None:
            return None
        if self.apply is not None:
            return self.apply(now, dry_run)
        assert self.past is not None
        querysets = self.past(now - datetime.timedelta(days=self.days))
        if querysets is None:
            return None
        if self.action == ANONYMISE:
            people = querysets[0]
            if dry_run:
                return people.count()
            done = 0
            for person in list(people[:ANONYMISE_BATCH]):
                erasure.anonymise(acting_user=None, person=person)
                done += 1
            return done
        if dry_run:
            return sum(queryset.count() for queryset in querysets)
        return sum(queryset.delete()[0] for queryset in querysets)


def described(run: RetentionRun) -> list[tuple[str, int]]:
    """What a run did (or, checking only, found), by kind of record in words; kinds with nothing left out."""
    return [
        (RULES_BY_KIND[kind].title if kind in RULES_BY_KIND else kind, int(count))
        for kind, count in run.counts.items()
        if count
    ]


def period_in_words(days: int | None) -> str:
    if not days:
        return "Kept (no limit)"
    if days % 365 == 0:
        years = days // 365
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{days} day{'s' if days != 1 else ''}"


# The kinds --------------------------------------------------------------------------------------------


def inactive_contacts(cutoff: datetime.datetime) -> list[QuerySet]:
    """Non-member contacts with no login, no learning role and nothing happening since `cutoff`."""
    day = timezone.localtime(cutoff).date()
    person = OuterRef("pk")
    recent = (
        SignUp.objects.filter(Q(created_at__gte=cutoff) | Q(session__starts_at__gte=cutoff), person=person),
        Consent.objects.filter(Q(recorded_at__gte=cutoff) | Q(withdrawn_at__gte=cutoff), person=person),
        JoinLead.objects.filter(Q(created_at__gte=cutoff) | Q(handled_at__gte=cutoff), person=person),
        Outcome.objects.filter(achieved_on__gte=day, person=person),
        Invitation.objects.filter(created_at__gte=cutoff, person=person),
        Response.objects.filter(submitted_on__gte=day, person=person),
        TimeOffRequest.objects.filter(requested_on__gte=day, person=person),
        Conversation.objects.filter(on__gte=day, person=person),
        ActivityHelper.objects.filter(activity__created_at__gte=cutoff, person=person),
        Activity.objects.filter(created_at__gte=cutoff, organiser=person),
    )
    people = Person.objects.filter(status=Person.Status.NON_MEMBER, created_at__lt=cutoff, updated_at__lt=cutoff)
    people = people.exclude(Exists(User.objects.filter(person=person)))
    people = people.exclude(Exists(Rep.objects.filter(person=person)))
    people = people.exclude(Exists(AnonymisedPerson.objects.filter(person=person)))
    for activity in recent:
        people = people.exclude(Exists(activity))
    return [people.order_by("pk")]


def cancelled_sign_ups(cutoff: datetime.datetime) -> list[QuerySet]:
    return [SignUp.objects.filter(status__in=(SignUp.Status.CANCELLED, SignUp.Status.EXPIRED), created_at__lt=cutoff)]


def survey_invitations(cutoff: datetime.datetime) -> list[QuerySet]:
    """Invitations to surveys that closed before `cutoff`: by their closing date, or their status when undated."""
    day = timezone.localtime(cutoff).date()
    closed = Survey.objects.filter(
        Q(closes_on__lt=day) | Q(closes_on__isnull=True, status=Survey.Status.CLOSED, created_at__lt=cutoff)
    )
    return [Invitation.objects.filter(survey__in=closed)]


def member_import_details(cutoff: datetime.datetime) -> list[QuerySet]:
    finished = MemberImport.objects.annotate(ended=Coalesce("imported_at", "checked_at", "created_at")).filter(
        status__in=MemberImport.FINISHED, ended__lt=cutoff
    )
    return [
        ImportRow.objects.filter(member_import__in=finished),
        ImportProblem.objects.filter(member_import__in=finished),
        ImportFileChunk.objects.filter(member_import__in=finished),
    ]


def finished_tasks(cutoff: datetime.datetime) -> list[QuerySet]:
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    finished = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
    return [DBTaskResult.objects.filter(status__in=finished, finished_at__lt=cutoff)]


def by_date(label: str, date_path: str) -> Callable[[datetime.datetime], list[QuerySet] | None]:
    """Rows of another part's table older than the cutoff by `date_path`; None while the table is not there."""

    def past(cutoff: datetime.datetime) -> list[QuerySet] | None:
        try:
            model = apps.get_model(label)
            return [model._default_manager.filter(**{f"{date_path}__lt": cutoff})]
        except (LookupError, FieldError):
            return None

    return past


def sign_in_log(now: datetime.datetime, dry_run: bool) -> int | None:
    """Sign-in security keeps its own log and applies its own retention (accounts.security.prune)."""
    security = personal_data.delegate(personal_data.SECURITY_MODULE)
    if security is None:
        return None
    if dry_run:
        cutoff = now - datetime.timedelta(days=settings.SIGN_IN_LOG_DAYS)
        events = apps.get_model("accounts", "SignInEvent")._default_manager.filter(at__lt=cutoff).count()
        ended = apps.get_model("accounts", "UserSession")._default_manager.filter(ended_at__lt=cutoff).count()
        return events + ended
    return sum(security.prune(now=now).values())


def sign_in_attempts(cutoff: datetime.datetime) -> list[QuerySet]:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return [model.objects.filter(attempt_time__lt=cutoff) for model in (AccessAttempt, AccessFailureLog, AccessLog)]


RULES: tuple[Rule, ...] = (
    Rule(
        "inactive_contacts",
        "Non-member contacts with nothing happening",
        ANONYMISE,
        "their last sign-up, session, consent, survey, lead, outcome or conversation",
        past=inactive_contacts,
    ),
    Rule(
        "cancelled_sign_ups",
        "Cancelled sign-ups and lapsed offers",
        DELETE,
        "the sign-up was made",
        past=cancelled_sign_ups,
    ),
    Rule("survey_invitations", "Personal survey links", DELETE, "the survey closed", past=survey_invitations),
    Rule(
        "member_import_details",
        "Checked rows and problems of member imports",
        DELETE,
        "the import finished",
        past=member_import_details,
    ),
    Rule("finished_tasks", "Background tasks' records", DELETE, "the task finished", past=finished_tasks),
    Rule(
        "mailing_recipients",
        "Who each mailing was sent to",
        DELETE,
        "the mailing was sent",
        past=by_date("comms.Recipient", "mailing__finished_at"),
    ),
    Rule(
        "sign_in_events",
        "Sign-in and access log, and ended sessions",
        DELETE,
        "the event (emails typed at failed sign-ins are blanked sooner)",
        apply=sign_in_log,
        setting="SIGN_IN_LOG_DAYS",
    ),
    Rule("sign_in_attempts", "Sign-in attempts (django-axes)", DELETE, "the attempt", past=sign_in_attempts),
)
RULES_BY_KIND = {rule.kind: rule for rule in RULES}


# Applying them ----------------------------------------------------------------------------------------


def perform(run: RetentionRun, *, now: datetime.datetime | None = None) -> RetentionRun:
    """Apply every rule in use (or count, for a dry run) and record what was done on `run`."""
    now = now or timezone.now()
    run.status, run.started_at = RetentionRun.Status.RUNNING, run.started_at or timezone.now()
    run.save(update_fields=["status", "started_at"])
    counts: dict[str, int] = {}
    errors: list[str] = []
    for rule in RULES:
        try:
            with transaction.atomic():
                done = rule.run(now, dry_run=run.dry_run)
        except Exception as error:  # one rule failing must not stop the others; it is tried again tomorrow
            logger.exception("Retention rule %s failed", rule.kind)
            errors.append(f"{rule.title}: {type(error).__name__}: {error}")
            continue
        if done is not None:
            counts[rule.kind] = done
    run.counts = counts
    run.error = "\n".join(errors)
    run.status = RetentionRun.Status.FAILED if errors else RetentionRun.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "error", "status", "finished_at"])
    return run


def run_now(*, dry_run: bool, trigger: str, now: datetime.datetime | None = None) -> RetentionRun:
    """Apply the rules in this process (the command, a dry run from the page)."""
    run = RetentionRun.objects.create(trigger=trigger, dry_run=dry_run, status=RetentionRun.Status.QUEUED)
    return perform(run, now=now)


UNFINISHED = (RetentionRun.Status.QUEUED, RetentionRun.Status.RUNNING)
STOPPED = "The task worker stopped before it finished."


def _give_up_on_stale(now: datetime.datetime) -> None:
    stale = RetentionRun.objects.filter(status__in=UNFINISHED, queued_at__lt=now - STALE_AFTER)
    stale.update(status=RetentionRun.Status.FAILED, error=STOPPED, finished_at=now)


def is_due(now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    scheduled = RetentionRun.objects.filter(trigger=RetentionRun.Trigger.SCHEDULED, dry_run=False)
    return not scheduled.filter(
        Q(status__in=UNFINISHED) | Q(status=RetentionRun.Status.DONE, queued_at__gt=now - DUE_AFTER)
    ).exists()


def queue_if_due(*, now: datetime.datetime | None = None) -> RetentionRun | None:
    """Queue the daily run for the task worker if it is due; the queued run, or None if not due."""
    from learningdesk.privacy.tasks import apply_retention

    now = now or timezone.now()
    _give_up_on_stale(now)
    if not is_due(now):
        return None
    run = RetentionRun.objects.create(trigger=RetentionRun.Trigger.SCHEDULED, queued_at=now)
    apply_retention.enqueue(run_id=run.pk)
    run.refresh_from_db()  # the immediate backend (tests) has run it already
    return run


def run_queued(*, run_id: int) -> RetentionRun | None:
    """Run a queued run (the task worker); None if it is not waiting any more."""
    with transaction.atomic():
        run = RetentionRun.objects.select_for_update().filter(pk=run_id, status=RetentionRun.Status.QUEUED).first()
        if run is None:
            return None
        run.status, run.started_at = RetentionRun.Status.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
    return perform(run)


def run_stopped(*, run_id: int) -> None:
    """The worker running it died: the run failed, and the next hourly check queues another."""
    unfinished = RetentionRun.objects.filter(pk=run_id, status__in=UNFINISHED)
    unfinished.update(status=RetentionRun.Status.FAILED, error=STOPPED, finished_at=timezone.now())
