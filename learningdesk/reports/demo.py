"""The demo's targets and budget (issue 11): what a branch, its neighbours and the national office aim for this year.

Actual figures are never stored: they come from the demo's learning, reps, surveys and employer records.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.org.models import OrgUnit, Person
from learningdesk.reports.models import Budget, Measure, Spend, Target

DEMO_BRANCH = "EM-DERBY"
COORDINATOR = "coordinator@example.org"
NATIONAL_ADMIN = "admin@example.org"

# What the demo branches aim for in a calendar year.
BRANCH_TARGETS = {
    "EM-DERBY": {
        Measure.LEARNERS: 150,
        Measure.SIGN_UPS: 260,
        Measure.COMPLETIONS: 110,
        Measure.QUALIFICATIONS: 40,
        Measure.BASIC_SKILLS: 30,
        Measure.REPS_RECRUITED: 6,
        Measure.REPS_TRAINED: 6,
        Measure.ACTIVE_REPS: 12,
        Measure.LEARNER_CHAMPIONS: 2,
        Measure.SURVEY_RESPONSES: 200,
        Measure.RECRUITED_THROUGH_LEARNING: 10,
        Measure.AGREEMENTS_SIGNED: 1,
    },
    "EM-NOTTS-HEALTH": {Measure.LEARNERS: 80, Measure.SIGN_UPS: 120, Measure.REPS_TRAINED: 3, Measure.ACTIVE_REPS: 6},
    "EM-LEICS-EDU": {Measure.LEARNERS: 60, Measure.SIGN_UPS: 90, Measure.REPS_TRAINED: 2, Measure.ACTIVE_REPS: 4},
}
# The Amicus-AEEU national figures (the reports' template), for a demo the size of a national union.
NATIONAL_TARGETS = {
    Measure.LEARNERS: 20_000,
    Measure.REPS_TRAINED: 1_000,
    Measure.LEARNER_CHAMPIONS: 50,
    Measure.BASIC_SKILLS: 1_000,
    Measure.TUTORS: 20,
    Measure.LEARNING_CENTRES: 12,
}
NATIONAL_SIZE = 100_000  # people: below this the demo is one branch's neighbourhood, too small for national targets

OTHER_SPENDING = (
    ("Stall at the staff health and wellbeing day", Decimal("85.00"), 40),
    ("Printing posters and leaflets for Learning at Work Week", Decimal("42.50"), 120),
    ("Refreshments for the ULR network meeting", Decimal("36.80"), 75),
)


@transaction.atomic
def build_demo_reports(*, log: Callable[[str], object] | None = None) -> int:
    """Add this year's targets and the demo branch's budget (nothing if there are targets already)."""
    log = log or (lambda message: None)
    if Target.objects.exists():
        return 0
    today = timezone.localdate()
    starts_on, ends_on = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    coordinator = User.objects.filter(email=COORDINATOR).first()
    admin = User.objects.filter(email=NATIONAL_ADMIN).first()
    units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=[*BRANCH_TARGETS, "NAT"])}
    targets = [
        Target(unit=units[code], measure=measure, starts_on=starts_on, ends_on=ends_on, value=value, set_by=coordinator)
        for code, values in BRANCH_TARGETS.items()
        if code in units
        for measure, value in values.items()
    ]
    if "NAT" in units and Person.objects.count() >= NATIONAL_SIZE:
        targets += [
            Target(unit=units["NAT"], measure=measure, starts_on=starts_on, ends_on=ends_on, value=value, set_by=admin)
            for measure, value in NATIONAL_TARGETS.items()
        ]
    Target.objects.bulk_create(targets)
    derby = units.get(DEMO_BRANCH)
    if derby is not None:
        budget = Budget.objects.create(
            unit=derby,
            starts_on=starts_on,
            from_branch=Decimal("2500.00"),
            notes="Agreed at the branch committee in January: £2,500 for learning, reviewed at the half year.",
            set_by=coordinator,
        )
        Spend.objects.bulk_create(
            Spend(
                budget=budget,
                description=description,
                amount=amount,
                spent_on=min(today, starts_on + datetime.timedelta(days=day)),
                recorded_by=coordinator,
            )
            for description, amount, day in OTHER_SPENDING
        )
    log(f"  {len(targets):,} targets for {starts_on.year} and the demo branch's budget")
    return len(targets)
