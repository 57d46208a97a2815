"""Learning agreements that do not sit in a drawer: reminders before a review falls due, and the signs that an
agreement is not being used.

The handbook's warning about learning agreements: one "could just sit in a drawer unused" and "may not get
reviewed - gets out of date". A signed agreement is flagged 90 and 30 days before its review date and once the
date has passed (the home page, the employer page and the weekly digest), and shows three signs of the drawer:
no committee meeting for six months, no reps at its workplaces, the review overdue.

Both reads start from the user's scope (org/scoping.py) and are a fixed number of queries whatever the number of
agreements: the signs are correlated subqueries, not a loop.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import DateField, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from learningdesk.accounts.models import User
from learningdesk.employers.models import CommitteeMeeting, LearningAgreement
from learningdesk.org import scoping
from learningdesk.reps.models import CURRENT_REP_STAGES, Rep, SentReminder

# Reminders go out this many days before the review date, and again once it has passed.
REVIEW_WARNINGS = (90, 30)
# A joint learning committee that has not met for this long is a sign the agreement is in the drawer.
COMMITTEE_QUIET_MONTHS = 6


class Level:
    """How close a review is: within 90 days, within 30 days, or past."""

    DAYS_90 = "90"
    DAYS_30 = "30"
    OVERDUE = "overdue"


def review_level(days_left: int) -> str | None:
    """The reminder level for a review `days_left` away (negative: past), or None when it is further off."""
    if days_left < 0:
        return Level.OVERDUE
    if days_left <= REVIEW_WARNINGS[1]:
        return Level.DAYS_30
    if days_left <= REVIEW_WARNINGS[0]:
        return Level.DAYS_90
    return None


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class ReviewDue:
    """A signed agreement whose review is within 90 days or past."""

    agreement: LearningAgreement
    days_left: int
    level: str

    @property
    def is_overdue(self) -> bool:
        return self.level == Level.OVERDUE

    @property
    def label(self) -> str:
        """ "review overdue by 3 days", "review due today", "review in 30 days"."""
        if self.days_left < 0:
            return f"review overdue by {_days(-self.days_left)}"
        if self.days_left == 0:
            return "review due today"
        return f"review in {_days(self.days_left)}"


def review_of(agreement: LearningAgreement, *, today: datetime.date) -> ReviewDue | None:
    """One agreement's reminder, or None when it is not signed, has no review date or its review is far off."""
    if not agreement.is_live or agreement.review_on is None:
        return None
    days_left = (agreement.review_on - today).days
    level = review_level(days_left)
    return ReviewDue(agreement=agreement, days_left=days_left, level=level) if level else None


def agreements_to_review(agreements: QuerySet[LearningAgreement], *, today: datetime.date) -> QuerySet:
    """The live agreements among `agreements` whose review is within 90 days or past, soonest (most overdue) first."""
    return (
        agreements.filter(status=LearningAgreement.Status.SIGNED, review_on__isnull=False)
        .filter(review_on__lte=today + datetime.timedelta(days=REVIEW_WARNINGS[0]))
        .order_by("review_on", "pk")
    )


def reviews_due(user: User, *, today: datetime.date, limit: int | None = None) -> list[ReviewDue]:
    """Signed agreements in the user's scope whose review is within 90 days, within 30 days, or overdue, with
    the level ("90", "30", "overdue") and the days left, soonest first (at most `limit` of them)."""
    agreements = agreements_to_review(scoping.visible_agreements(user), today=today)
    if limit is not None:
        agreements = agreements[:limit]
    return [item for item in (review_of(agreement, today=today) for agreement in agreements) if item is not None]


# In the drawer ----------------------------------------------------------------------------------


def quiet_since(today: datetime.date) -> datetime.date:
    return today - relativedelta(months=COMMITTEE_QUIET_MONTHS)


def _covered_workplaces_with_reps() -> Exists:
    """Whether a current rep works at one of the agreement's employer's workplaces in the units it covers
    (a unit covers its whole subtree: an agreement of the region covers its branches)."""
    reps_at_covered_workplace = Rep.workplaces.through.objects.filter(
        rep__stage__in=CURRENT_REP_STAGES,
        workplace__employer_id=OuterRef("learningagreement__employer_id"),
        workplace__branch__path__startswith=OuterRef("orgunit__path"),
    )
    covered_units = LearningAgreement.units.through.objects.filter(learningagreement_id=OuterRef("pk"))
    return Exists(covered_units.filter(Exists(reps_at_covered_workplace)))


def with_drawer_signs(agreements: QuerySet[LearningAgreement], *, today: datetime.date) -> QuerySet:
    """Annotate `last_meeting` (the latest committee meeting held, of a committee set up by the agreement or of
    the employer's) and `has_reps` (a current rep at its workplaces in the units covered)."""
    latest = (
        CommitteeMeeting.objects.filter(held_on__lte=today)
        .filter(Q(committee__agreement_id=OuterRef("pk")) | Q(committee__employer_id=OuterRef("employer_id")))
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    return agreements.annotate(
        last_meeting=Subquery(latest, output_field=DateField()),
        has_reps=_covered_workplaces_with_reps(),
    )


@dataclass(frozen=True)
class InTheDrawer:
    """A signed agreement with signs it is not being used."""

    agreement: LearningAgreement
    last_meeting: datetime.date | None
    no_meeting: bool
    no_reps: bool
    review_overdue: bool

    @property
    def signs(self) -> list[str]:
        """The signs, in words."""
        signs = []
        if self.no_meeting:
            if self.last_meeting is None:
                signs.append("no committee meeting recorded")
            else:
                signs.append(f"no committee meeting since {self.last_meeting.day} {self.last_meeting:%B %Y}")
        if self.no_reps:
            signs.append("no reps at its workplaces")
        if self.review_overdue:
            signs.append("review overdue")
        return signs


def drawer_item(agreement: LearningAgreement, today: datetime.date) -> InTheDrawer:
    """The signs of an agreement annotated by `with_drawer_signs` (empty `signs`: none)."""
    last_meeting = agreement.last_meeting  # type: ignore[attr-defined]
    return InTheDrawer(
        agreement=agreement,
        last_meeting=last_meeting,
        no_meeting=last_meeting is None or last_meeting < quiet_since(today),
        no_reps=not agreement.has_reps,  # type: ignore[attr-defined]
        review_overdue=agreement.review_on is not None and agreement.review_on < today,
    )


def drawer_signs_q(today: datetime.date) -> Q:
    """For a queryset annotated by `with_drawer_signs`: agreements showing at least one sign."""
    return (
        Q(last_meeting__isnull=True)
        | Q(last_meeting__lt=quiet_since(today))
        | Q(has_reps=False)
        | Q(review_on__lt=today)
    )


def in_the_drawer(user: User, *, today: datetime.date, limit: int | None = None) -> list[InTheDrawer]:
    """Signed agreements in the user's scope showing signs they are "in the drawer": no committee meeting in the
    last six months, no current reps at its workplaces in the units covered, the review overdue. Oldest
    review first (at most `limit` of them)."""
    agreements = with_drawer_signs(
        scoping.visible_agreements(user).filter(status=LearningAgreement.Status.SIGNED), today=today
    ).filter(drawer_signs_q(today))
    agreements = agreements.order_by(Coalesce("review_on", F("signed_on")).asc(nulls_last=True), "pk")
    if limit is not None:
        agreements = agreements[:limit]
    return [drawer_item(agreement, today) for agreement in agreements]


def drawer_for(agreement: LearningAgreement, *, today: datetime.date) -> InTheDrawer | None:
    """The signs for one agreement (on its page), or None when it is not signed or shows none."""
    if not agreement.is_live:
        return None
    annotated = with_drawer_signs(LearningAgreement.objects.filter(pk=agreement.pk), today=today).get()
    item = drawer_item(annotated, today)
    return item if item.signs else None


# The weekly digest ------------------------------------------------------------------------------


def digest_key(user: User, item: ReviewDue) -> str:
    """What the digest records once it has told a user of a review reaching a level (a new review date starts
    again)."""
    return f"review:{user.pk}:{item.agreement.pk}:{item.agreement.review_on}:{item.level}"


def reviews_to_tell(user: User, *, today: datetime.date, limit: int) -> list[tuple[ReviewDue, str]]:
    """The reviews in the user's scope that have reached 90 days, 30 days or overdue since the digest last told
    them, with the key to record once told: each level is in one digest only."""
    items = [(item, digest_key(user, item)) for item in reviews_due(user, today=today)]
    told = set(
        SentReminder.objects.filter(kind=SentReminder.Kind.DIGEST, key__in=[key for _, key in items]).values_list(
            "key", flat=True
        )
    )
    return [(item, key) for item, key in items if key not in told][:limit]
