"""Personas, as in healthchecks' tests: a Derby branch co-ordinator and the people around them,
and an outsider from the Nottingham branch who must never see Derby's records."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from learningdesk.accounts.models import User
from learningdesk.accounts.testing import force_verified_login
from learningdesk.org.models import Employer, OrgUnit, Person, Role, Workplace
from tests.factories import EmployerFactory, PersonFactory, UserFactory, WorkplaceFactory, give_role, unit


@dataclass
class World:
    national: OrgUnit
    region: OrgUnit
    derby: OrgUnit
    notts: OrgUnit
    other_region: OrgUnit
    manchester: OrgUnit
    council: Employer
    town_hall: Workplace
    depot: Workplace
    hospital: Workplace
    derby_person: Person
    depot_person: Person
    notts_person: Person
    admin: User
    regional: User
    coordinator: User
    outsider: User
    ulr: User
    officer: User
    equality: User


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: no page kept, no rate limit counted, by an earlier test."""
    cache.clear()


@pytest.fixture
def world(db) -> World:
    national = unit("Learning Union", "NAT")
    region = unit("East Midlands", "EM", national)
    derby = unit("Derby City", "EM-DERBY", region)
    notts = unit("Nottingham Health", "EM-NOTTS", region)
    other_region = unit("North West", "NW", national)
    manchester = unit("Manchester", "NW-MANC", other_region)

    council = EmployerFactory(name="Derby City Council", unit=derby)
    town_hall = WorkplaceFactory(name="Council House", employer=council, branch=derby)
    depot = WorkplaceFactory(name="Stores Road Depot", employer=council, branch=derby)
    trust = EmployerFactory(name="Nottingham University Hospitals", unit=notts, sector=Employer.Sector.HEALTH)
    hospital = WorkplaceFactory(name="Queen's Medical Centre", employer=trust, branch=notts, town="Nottingham")

    derby_person = PersonFactory(first_name="Maria", last_name="Alberts", branch=derby, workplace=town_hall)
    depot_person = PersonFactory(first_name="Dev", last_name="Patel", branch=derby, workplace=depot)
    notts_person = PersonFactory(first_name="Nia", last_name="Okafor", branch=notts, workplace=hospital)

    admin = UserFactory(email="admin@example.org", full_name="Ada Admin")
    give_role(admin, Role.NATIONAL_ADMIN, national)
    regional = UserFactory(email="region@example.org", full_name="Rhys Regional")
    give_role(regional, Role.REGIONAL_COORDINATOR, region)
    coordinator = UserFactory(email="coordinator@example.org", full_name="Carol Coordinator")
    give_role(coordinator, Role.BRANCH_COORDINATOR, derby)
    outsider = UserFactory(email="notts@example.org", full_name="Owen Outsider")
    give_role(outsider, Role.BRANCH_COORDINATOR, notts)
    ulr = UserFactory(email="ulr@example.org", full_name="Uma Rep")
    give_role(ulr, Role.ULR, derby, workplaces=[town_hall])
    officer = UserFactory(email="officer@example.org", full_name="Olu Officer")
    give_role(officer, Role.BRANCH_OFFICER, derby)
    equality = UserFactory(email="equality@example.org", full_name="Eve Equality")
    give_role(equality, Role.EQUALITY_OFFICER, derby)
    return World(**{name: value for name, value in locals().items() if name in World.__dataclass_fields__})


def verified_login(client: Client, user: User) -> Client:
    """Sign `user` in on `client` as after the whole sign-in, two-step sign-in included (accounts/testing.py)."""
    return force_verified_login(client, user)


def client_for(user: User) -> Client:
    return verified_login(Client(), user)


@pytest.fixture
def coordinator_client(world: World) -> Client:
    return client_for(world.coordinator)


@pytest.fixture
def outsider_client(world: World) -> Client:
    return client_for(world.outsider)
