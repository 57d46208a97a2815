"""What needs a co-ordinator's attention, and the emails that tell them: training deadlines (TULRCA
s.168A), reps nobody has been in touch with, overdue actions.

The selectors start from the user's scope (org/scoping.py) and stay a handful of queries at national size:
the last contact is a correlated subquery on SupportContact's (rep, -on) index, the deadlines use Rep's
training_due_by index, and each list is cut to a few items with a count of the rest.

The emails (a deadline warning at 60, 30 and 7 days and when overdue; a weekly digest) are sent by
`send_rep_reminders`, which the task worker, cron or `scripts/run.sh` runs; each is recorded in
SentReminder in the same transaction, so running it twice never sends twice.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import DateField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.employers import reviews
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit, Role, RoleAssignment
from learningdesk.reps.models import (
    CURRENT_REP_STAGES,
    DEADLINE_WARNINGS,
    DEFAULT_NO_CONTACT_DAYS,
    Action,
    BranchRepSettings,
    DeadlineStatus,
    Rep,
    SentReminder,
    Stage,
    SupportContact,
    deadline_status,
)

logger = logging.getLogger(__name__)

LIST_LIMIT = 10
DEADLINE_WINDOW_DAYS = max(DEADLINE_WARNINGS)
# Reps someone should be keeping in touch with: those in the network, and prospects who said yes.
NEEDS_CONTACT_STAGES = (Stage.AGREED, *CURRENT_REP_STAGES)
COORDINATOR_ROLES = (Role.BRANCH_COORDINATOR, Role.REGIONAL_COORDINATOR)


# What needs attention ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shortlist[T]:
    """The first few of a list, and how many there are in all."""

    items: list[T]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)

    def __bool__(self) -> bool:
        return self.total > 0


def _shortlist(queryset: QuerySet[Any], limit: int) -> tuple[list[Any], int]:
    """The first `limit` rows, and the total: counted only when the first rows fill the list."""
    items = list(queryset[:limit])
    return items, (len(items) if len(items) < limit else queryset.count())


@dataclass(frozen=True)
class DeadlineItem:
    rep: Rep
    days_left: int
    status: DeadlineStatus

    @property
    def is_overdue(self) -> bool:
        return self.days_left < 0

    @property
    def label(self) -> str:
        if self.days_left < 0:
            return f"overdue by {_days(-self.days_left)}"
        if self.days_left == 0:
            return "due today"
        return f"{_days(self.days_left)} left"


@dataclass(frozen=True)
class ContactItem:
    rep: Rep
    last_contact: datetime.date
    days: int
    contacted: bool

    @property
    def label(self) -> str:
        if not self.contacted:
            return f"no contact recorded since they were added {_days(self.days)} ago"
        return f"last contact {_days(self.days)} ago"


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def owing_training(reps: QuerySet[Rep], *, today: datetime.date) -> QuerySet[Rep]:
    """Notified ULRs not yet trained whose deadline is within the warning window or past, soonest first."""
    return (
        reps.filter(training_due_by__lte=today + datetime.timedelta(days=DEADLINE_WINDOW_DAYS), trained_on__isnull=True)
        .exclude(stage=Stage.STOOD_DOWN)
        .order_by("training_due_by", "id")
    )


def with_last_contact(reps: QuerySet[Rep]) -> QuerySet[Rep]:
    """Annotate `last_contact`: the latest support contact's date, or the day the rep was added."""
    latest = SupportContact.objects.filter(rep=OuterRef("pk")).order_by("-on").values("on")[:1]
    return reps.annotate(
        latest_support=Subquery(latest, output_field=DateField()),
        last_contact=Coalesce("latest_support", TruncDate("created_at"), output_field=DateField()),
    )


def _no_contact_q(units: QuerySet[OrgUnit] | None, today: datetime.date) -> Q:
    """Reps whose last contact is older than their branch's no-contact days (default 42).

    Branches that changed the default are few, and share fewer values still: one condition per value.
    """
    changed = BranchRepSettings.objects.exclude(no_contact_days=DEFAULT_NO_CONTACT_DAYS)
    if units is not None:
        changed = changed.filter(unit__in=units)
    by_days: dict[int, list[int]] = defaultdict(list)
    for unit_id, days in changed.values_list("unit_id", "no_contact_days"):
        by_days[days].append(unit_id)
    q = Q(last_contact__lt=today - datetime.timedelta(days=DEFAULT_NO_CONTACT_DAYS))
    if by_days:
        q &= ~Q(person__branch_id__in=[unit_id for ids in by_days.values() for unit_id in ids])
    for days, unit_ids in by_days.items():
        q |= Q(person__branch_id__in=unit_ids, last_contact__lt=today - datetime.timedelta(days=days))
    return q


def uncontacted_reps(user: User, *, today: datetime.date) -> QuerySet[Rep]:
    """Reps in the user's scope nobody has been in touch with for their branch's no-contact days, longest first."""
    reps = with_last_contact(scoping.visible_reps(user).filter(stage__in=NEEDS_CONTACT_STAGES))
    return reps.filter(_no_contact_q(scoping.visible_units(user), today)).order_by(F("last_contact").asc(), "id")


def overdue_actions(user: User, *, today: datetime.date) -> QuerySet[Action]:
    return scoping.visible_actions(user).filter(done_on__isnull=True, due_on__lt=today).order_by("due_on", "id")


@dataclass(frozen=True)
class Attention:
    today: datetime.date
    deadlines: Shortlist[DeadlineItem]
    uncontacted: Shortlist[ContactItem]
    overdue_actions: Shortlist[Action]

    @property
    def total(self) -> int:
        return self.deadlines.total + self.uncontacted.total + self.overdue_actions.total


def needs_attention(user: User, *, today: datetime.date | None = None, limit: int = LIST_LIMIT) -> Attention:
    """The three lists of the co-ordinator's home page and weekly digest, for the user's scope."""
    today = today or timezone.localdate()
    reps, deadline_total = _shortlist(owing_training(scoping.visible_reps(user), today=today), limit)
    deadlines = [
        DeadlineItem(
            rep=rep, days_left=(rep.training_due_by - today).days, status=deadline_status(rep.training_due_by, today)
        )
        for rep in reps
        if rep.training_due_by is not None
    ]
    quiet, quiet_total = _shortlist(uncontacted_reps(user, today=today), limit)
    contacts = [
        ContactItem(
            rep=rep,
            last_contact=rep.last_contact,  # type: ignore[attr-defined]
            days=(today - rep.last_contact).days,  # type: ignore[attr-defined]
            contacted=rep.latest_support is not None,  # type: ignore[attr-defined]
        )
        for rep in quiet
    ]
    actions, action_total = _shortlist(overdue_actions(user, today=today), limit)
    return Attention(
        today=today,
        deadlines=Shortlist(deadlines, deadline_total),
        uncontacted=Shortlist(contacts, quiet_total),
        overdue_actions=Shortlist(actions, action_total),
    )


# A unit's settings ------------------------------------------------------------------------------


def settings_for(unit: OrgUnit) -> BranchRepSettings:
    """The unit's settings, or the defaults (unsaved) if it never changed them."""
    return BranchRepSettings.objects.filter(unit=unit).first() or BranchRepSettings(unit=unit)


@transaction.atomic
def settings_update(
    *, acting_user: User, unit: OrgUnit, no_contact_days: int, weekly_digest: bool
) -> BranchRepSettings:
    """Change how long a unit's reps may go without contact before they are flagged, and the weekly digest."""
    rep_settings, created = BranchRepSettings.objects.select_for_update().get_or_create(unit=unit)
    before = {"no_contact_days": rep_settings.no_contact_days, "weekly_digest": rep_settings.weekly_digest}
    rep_settings.no_contact_days = no_contact_days
    rep_settings.weekly_digest = weekly_digest
    rep_settings.full_clean()
    rep_settings.save()
    after = {"no_contact_days": no_contact_days, "weekly_digest": weekly_digest}
    changes = {name: [before[name], value] for name, value in after.items() if before[name] != value or created}
    audit_record(
        actor=acting_user, action=AuditEvent.Action.CHANGED, target=rep_settings, unit_id=unit.pk, changes=changes
    )
    return rep_settings


# The emails -------------------------------------------------------------------------------------


def site_url() -> str:
    """Where Learning Desk is, for links in emails sent without a request (SITE_URL, no trailing slash)."""
    return str(settings.SITE_URL).rstrip("/")


@dataclass(frozen=True)
class Email:
    """One email to send (or, in a dry run, that would be sent)."""

    kind: str
    key: str
    to: User
    subject: str = ""
    text: str = ""
    html: str = ""
    # More keys (of the same kind) to record with it: the agreement reviews a digest told of.
    also_keys: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """A digest with nothing in it: recorded for the week, never sent."""
        return not self.subject


@dataclass
class RunReport:
    """What one run sent (or would send): the command prints it, the task returns it."""

    dry_run: bool = False
    emails: list[Email] = field(default_factory=list)
    skipped_no_recipient: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "sent": [{"kind": e.kind, "key": e.key, "to": e.to.email, "subject": e.subject} for e in self.emails],
            "skipped_no_recipient": self.skipped_no_recipient,
        }


def _render(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """The subject, plain text and HTML of an email, from reps/emails/<name>_subject.txt, .txt and .html."""
    subject = " ".join(render_to_string(f"reps/emails/{name}_subject.txt", context).split())
    return (
        subject,
        render_to_string(f"reps/emails/{name}.txt", context),
        render_to_string(f"reps/emails/{name}.html", context),
    )


def _send(email: Email) -> None:
    message = EmailMultiAlternatives(subject=email.subject, body=email.text, to=[email.to.email])
    message.attach_alternative(email.html, "text/html")
    message.send()


def _deliver(emails: list[Email], report: RunReport) -> None:
    """Send each email once: the SentReminder row and the sending share a transaction, so a failed send
    is tried again on the next run and two runs at once never both send (the row's key is unique)."""
    by_key: dict[tuple[str, str], list[Email]] = defaultdict(list)
    for email in emails:
        by_key[(email.kind, email.key)].append(email)
    for (kind, key), batch in by_key.items():
        to_send = [email for email in batch if not email.is_empty]
        if report.dry_run:
            report.emails.extend(to_send)
            continue
        with transaction.atomic():
            _, created = SentReminder.objects.get_or_create(kind=kind, key=key)
            if created:
                also = [SentReminder(kind=kind, key=k) for email in batch for k in email.also_keys]
                SentReminder.objects.bulk_create(also, ignore_conflicts=True)
                for email in to_send:
                    _send(email)
                report.emails.extend(to_send)


def active_coordinators(unit_paths: dict[int, str]) -> dict[int, list[User]]:
    """For each branch (id: path), who hears about its reps: its branch co-ordinators, else the regional
    co-ordinators above it."""
    if not unit_paths:
        return {}
    today = timezone.localdate()
    wanted = Q(role=Role.BRANCH_COORDINATOR, unit_id__in=unit_paths.keys())
    ancestors = scoping.ancestor_paths(tuple(unit_paths.values()))
    if ancestors:
        wanted |= Q(role=Role.REGIONAL_COORDINATOR, unit__path__in=ancestors)
    assignments = (
        RoleAssignment.objects.filter(starts_on__lte=today, user__is_active=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .filter(wanted)
        .exclude(user__email="")
        .select_related("user", "unit")
        .order_by("user__full_name", "user_id")
    )
    branch: dict[int, list[User]] = defaultdict(list)
    regional: list[RoleAssignment] = []
    for assignment in assignments:
        if assignment.role == Role.BRANCH_COORDINATOR:
            if assignment.user not in branch[assignment.unit_id]:
                branch[assignment.unit_id].append(assignment.user)
        else:
            regional.append(assignment)
    found: dict[int, list[User]] = {}
    for unit_id, path in unit_paths.items():
        users = branch.get(unit_id) or []
        if not users:
            for assignment in regional:
                if path.startswith(assignment.unit.path) and assignment.user not in users:
                    users.append(assignment.user)
        found[unit_id] = users
    return found


def deadline_key(rep: Rep, level: str) -> str:
    return f"deadline:{rep.pk}:{rep.training_due_by}:{level}"


def deadline_warnings(*, today: datetime.date) -> tuple[list[Email], list[str]]:
    """The warnings due today that have not been sent: each rep's current level (60, 30, 7 days or overdue)
    once. A rep who passed a level while nothing ran gets only the level they are at now."""
    reps = list(owing_training(Rep.objects.select_related("person__branch", "kind"), today=today))
    levels = {}
    for rep in reps:
        status = deadline_status(rep.training_due_by, today)
        if status not in (DeadlineStatus.NONE, DeadlineStatus.ON_TRACK):
            levels[rep.pk] = status
    keys = {rep.pk: deadline_key(rep, levels[rep.pk].value) for rep in reps if rep.pk in levels}
    sent = set(
        SentReminder.objects.filter(kind=SentReminder.Kind.DEADLINE, key__in=keys.values()).values_list(
            "key", flat=True
        )
    )
    due = [rep for rep in reps if rep.pk in keys and keys[rep.pk] not in sent]
    branches = {rep.person.branch_id: rep.person.branch.path for rep in due}
    recipients = active_coordinators(branches)
    emails: list[Email] = []
    nobody: list[str] = []
    for rep in due:
        users = recipients.get(rep.person.branch_id, [])
        if not users:
            nobody.append(keys[rep.pk])
            continue
        assert rep.training_due_by is not None
        for user in users:
            context = {
                "user": user,
                "rep": rep,
                "status": levels[rep.pk],
                "item": DeadlineItem(rep=rep, days_left=(rep.training_due_by - today).days, status=levels[rep.pk]),
                "site_url": site_url(),
                "rep_url": site_url() + reverse("reps:detail", args=[rep.pk]),
                "training_url": site_url() + reverse("reps:training_add", args=[rep.pk]),
            }
            subject, text, html = _render("deadline", context)
            emails.append(Email(SentReminder.Kind.DEADLINE, keys[rep.pk], user, subject, text, html))
    return emails, nobody


def iso_week(today: datetime.date) -> str:
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def digest_recipients() -> list[User]:
    """Active co-ordinators (branch and regional) who have the weekly digest on for a unit they co-ordinate."""
    today = timezone.localdate()
    assignments = (
        RoleAssignment.objects.filter(role__in=COORDINATOR_ROLES, starts_on__lte=today, user__is_active=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id")
    )
    off = set(BranchRepSettings.objects.filter(weekly_digest=False).values_list("unit_id", flat=True))
    users: dict[int, User] = {}
    for assignment in assignments:
        if assignment.unit_id not in off:
            users.setdefault(assignment.user_id, assignment.user)
    return list(users.values())


def weekly_digests(*, today: datetime.date) -> list[Email]:
    """This ISO week's digest for each co-ordinator who has not had it: the three lists for their scope, and the
    learning agreements whose review has come within 90 or 30 days or passed since the last digest. A week with
    nothing to report is recorded without an email."""
    week = iso_week(today)
    users = digest_recipients()
    keys = {user.pk: f"digest:{user.pk}:{week}" for user in users}
    sent = set(
        SentReminder.objects.filter(kind=SentReminder.Kind.DIGEST, key__in=keys.values()).values_list("key", flat=True)
    )
    emails: list[Email] = []
    for user in users:
        if keys[user.pk] in sent:
            continue
        attention = needs_attention(user, today=today)
        # Learning agreements reaching 90 or 30 days before review, or overdue: each in one digest only.
        agreement_reviews = reviews.reviews_to_tell(user, today=today, limit=LIST_LIMIT)
        if not attention.total and not agreement_reviews:
            emails.append(Email(SentReminder.Kind.DIGEST, keys[user.pk], user))
            continue
        context = {
            "user": user,
            "attention": attention,
            "agreement_reviews": [item for item, _key in agreement_reviews],
            "week": week,
            "site_url": site_url(),
            "home_url": site_url() + reverse("home"),
            "register_url": site_url() + reverse("reps:register"),
            "actions_url": site_url() + reverse("reps:actions"),
            "settings_url": site_url() + reverse("reps:settings"),
        }
        subject, text, html = _render("digest", context)
        also_keys = tuple(key for _item, key in agreement_reviews)
        emails.append(Email(SentReminder.Kind.DIGEST, keys[user.pk], user, subject, text, html, also_keys))
    return emails


def send_rep_reminders(*, today: datetime.date | None = None, dry_run: bool = False) -> RunReport:
    """Send the deadline warnings and weekly digests due today; safe to run as often as you like."""
    today = today or timezone.localdate()
    report = RunReport(dry_run=dry_run)
    warnings, nobody = deadline_warnings(today=today)
    report.skipped_no_recipient = nobody
    for key in nobody:
        logger.warning("No co-ordinator to warn about %s", key)
    _deliver(warnings, report)
    _deliver(weekly_digests(today=today), report)
    return report
