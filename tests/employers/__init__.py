"""Helpers for the employer work's tests: contacts, agreements, committees and an employer contact's login."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.employers.models import (
    AgreementElement,
    CommitteeAction,
    CommitteeMeeting,
    Element,
    EmployerContact,
    LearningAgreement,
    LearningCommittee,
    TimeOffRequest,
)
from learningdesk.org.models import Employer, Role
from tests.conftest import World
from tests.factories import UserFactory, give_role


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def make_contact(employer: Employer, *, name: str = "Tessa Trainer", **fields) -> EmployerContact:
    fields.setdefault("kind", EmployerContact.Kind.TRAINING_MANAGER)
    fields.setdefault("email", "tessa.trainer@derby.gov.example")
    return EmployerContact.objects.create(employer=employer, name=name, **fields)


def make_agreement(world: World, *, status: str = LearningAgreement.Status.SIGNED, **fields) -> LearningAgreement:
    """Derby City Council's agreement covering the Derby branch, signed a year ago unless told otherwise."""
    if status == LearningAgreement.Status.SIGNED:
        fields.setdefault("signed_on", days_from_today(-365))
        fields.setdefault("review_on", days_from_today(365))
    agreement = LearningAgreement.objects.create(employer=world.council, status=status, **fields)
    agreement.units.set([world.derby])
    AgreementElement.objects.bulk_create(AgreementElement(agreement=agreement, element=e) for e in Element)
    return agreement


def make_committee(world: World, *, agreement: LearningAgreement | None = None) -> LearningCommittee:
    return LearningCommittee.objects.create(employer=world.council, agreement=agreement)


def make_meeting(committee: LearningCommittee, *, days: int = -14, **fields) -> CommitteeMeeting:
    fields.setdefault("agenda", "1. Learning survey findings\n2. Time off for the maths course")
    return CommitteeMeeting.objects.create(committee=committee, held_on=days_from_today(days), **fields)


def make_action(
    meeting: CommitteeMeeting, *, description: str = "Send round the course dates", **fields
) -> CommitteeAction:
    fields.setdefault("due_on", days_from_today(14))
    return CommitteeAction.objects.create(meeting=meeting, description=description, **fields)


def contact_with_login(world: World, *, contact: EmployerContact | None = None) -> User:
    """Tessa, Derby City Council's training manager, invited to sign in as its employer contact."""
    contact = contact or make_contact(world.council)
    user = UserFactory(email=contact.email or "tessa.trainer@derby.gov.example", full_name=contact.name)
    give_role(user, Role.EMPLOYER_CONTACT, world.council.unit, employer=world.council)
    contact.user = user
    contact.save(update_fields=["user"])
    return user


def make_time_off(world: World, *, hours: str = "6", **fields) -> TimeOffRequest:
    fields.setdefault("learning", "Functional skills maths, level 2")
    return TimeOffRequest.objects.create(
        employer=world.council, person=world.derby_person, hours=Decimal(hours), **fields
    )
