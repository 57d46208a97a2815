"""Factories for the tests: build records the way the app does, with sensible UK-flavoured defaults."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.org.models import Employer, OrgUnit, Person, RoleAssignment, UnitKind, Workplace

KIND_NAMES = {1: ("National", "National"), 2: ("Region", "Regions"), 3: ("Branch", "Branches")}


def unit(name: str, code: str, parent: OrgUnit | None = None) -> OrgUnit:
    """A unit in the tree (treebeard needs add_root/add_child, so this is a function, not a factory)."""
    depth = parent.depth + 1 if parent else 1
    kind_name, kind_plural = KIND_NAMES.get(depth, (f"Level {depth}", f"Level {depth}s"))
    # Browser tests flush the database, taking the kinds the migration made with it.
    kind, _ = UnitKind.objects.get_or_create(depth=depth, defaults={"name": kind_name, "name_plural": kind_plural})
    node = OrgUnit(name=name, code=code, kind=kind)
    return OrgUnit.objects.add_child(parent, instance=node) if parent else OrgUnit.objects.add_root(instance=node)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"Employer {n}")
    sector = Employer.Sector.LOCAL_GOVERNMENT
    is_public_sector = True


class WorkplaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workplace

    name = factory.Sequence(lambda n: f"Site {n}")
    employer = factory.SubFactory(EmployerFactory, unit=factory.SelfAttribute("..branch"))
    town = "Derby"
    postcode = "DE1 2FS"
    headcount = 250


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    membership_number = factory.Sequence(lambda n: f"M{n:07d}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda p: f"{p.first_name}.{p.last_name}@example.net".lower().replace(" ", ""))
    status = Person.Status.MEMBER
    workplace = None


def give_role(
    user: User,
    role: str,
    at: OrgUnit,
    *,
    workplaces: list[Workplace] | tuple = (),
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    employer: Employer | None = None,
) -> RoleAssignment:
    assignment = RoleAssignment.objects.create(
        user=user,
        role=role,
        unit=at,
        employer=employer,
        starts_on=starts_on or timezone.localdate() - datetime.timedelta(days=30),
        ends_on=ends_on,
    )
    assignment.workplaces.set(workplaces)
    return assignment
