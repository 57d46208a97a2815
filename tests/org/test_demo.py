"""The demo data builder and `seed_demo`."""

from __future__ import annotations

import dataclasses
import datetime
import re

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.org import demo, scoping
from learningdesk.org.models import Consent, Employer, EqualityRecord, OrgUnit, Person, RoleAssignment, Workplace

SMALL = dataclasses.replace(demo.SIZES["branch"], people=400)


@pytest.fixture
def small_demo(db):
    return demo.build_demo(size=SMALL)


def test_demo_logins_have_their_roles(small_demo):
    for login in demo.DEMO_LOGINS + demo.EXTRA_ULR_LOGINS:
        user = User.objects.get(email=login.email)
        assert user.full_name == login.full_name
        assert user.check_password(demo.DEMO_PASSWORD)
        (assignment,) = RoleAssignment.objects.filter(user=user)
        assert (assignment.role, assignment.unit.code) == (login.role, login.unit_code)
        assert assignment.starts_on <= timezone.localdate() - datetime.timedelta(days=365)
        assert sorted(assignment.workplaces.values_list("name", flat=True)) == sorted(login.workplaces)


def test_job_share_coordinators_hold_the_same_role_in_derby(small_demo):
    holders = RoleAssignment.objects.filter(role="branch_coordinator", unit__code="EM-DERBY", ends_on=None)
    assert sorted(holders.values_list("user__email", flat=True)) == [
        "coordinator2@example.org",
        "coordinator@example.org",
    ]


def test_former_coordinator_has_only_an_ended_role(small_demo):
    user = User.objects.get(email="former@example.org")
    (assignment,) = RoleAssignment.objects.filter(user=user)
    assert assignment.ends_on is not None and assignment.ends_on < timezone.localdate()
    assert scoping.get_scope(user).is_empty


def test_demo_has_the_promised_organisation(small_demo):
    assert sorted(OrgUnit.objects.values_list("code", flat=True)) == [
        "EM",
        "EM-DERBY",
        "EM-LEICS-EDU",
        "EM-NOTTS-HEALTH",
        "NAT",
    ]
    assert Employer.objects.count() == 12
    assert {True, False} == set(Employer.objects.values_list("is_public_sector", flat=True))
    assert Workplace.objects.count() == 40
    assert not Workplace.objects.filter(headcount__isnull=True).exists()
    spanning = Employer.objects.annotate(branches=Count("workplaces__branch", distinct=True)).filter(branches=2)
    assert spanning.count() == 1
    derby_employers = Employer.objects.filter(workplaces__branch__code="EM-DERBY").distinct()
    assert derby_employers.count() > 1


def test_demo_people_are_mostly_members_with_unique_numbers(small_demo):
    assert Person.objects.count() == SMALL.people == small_demo.people
    members = Person.objects.filter(status=Person.Status.MEMBER)
    assert 0.75 < members.count() / SMALL.people < 0.95
    numbers = list(members.values_list("membership_number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"A\d{7}", number) for number in numbers)
    assert not Person.objects.exclude(status=Person.Status.MEMBER).filter(membership_number__isnull=False).exists()
    # A person's workplace is always one their branch organises.
    assert not Person.objects.filter(workplace__isnull=False).exclude(workplace__branch=F("branch")).exists()


def test_demo_consents_and_equality_records(small_demo):
    people_with_consent = Consent.objects.values("person").distinct().count()
    assert people_with_consent > SMALL.people * 0.4
    assert set(Consent.objects.values_list("method", flat=True)) == {"import", "in_person"}
    assert 0.2 < EqualityRecord.objects.count() / SMALL.people < 0.4
    assert not EqualityRecord.objects.filter(consent_method="").exists()


def test_seed_demo_if_empty_does_nothing_the_second_time(db, capsys):
    call_command("seed_demo", "--people", "200")
    call_command("seed_demo", "--if-empty")
    assert "Demo data already loaded" in capsys.readouterr().out
    assert Person.objects.count() == 200
    assert OrgUnit.objects.filter(code="NAT").count() == 1


def test_seed_demo_refuses_a_database_with_data(small_demo):
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_seed_demo_prints_the_logins_and_password(db, capsys):
    call_command("seed_demo", "--print-logins")
    out = capsys.readouterr().out
    assert demo.DEMO_PASSWORD in out
    for login in demo.DEMO_LOGINS:
        assert login.email in out
    assert not OrgUnit.objects.exists()


def test_a_larger_size_adds_generated_regions_branches_and_workplaces(db):
    size = demo.DemoSize(regions=3, branches=9, employers=20, workplaces=60, people=900, branch_people=(30, 300))
    summary = demo.build_demo(size=size)
    assert OrgUnit.objects.filter(depth=2).count() == 3
    assert OrgUnit.objects.filter(depth=3).count() == 9
    assert (Employer.objects.count(), Workplace.objects.count()) == (20, 60)
    assert summary.people == Person.objects.count() == 900
    sizes = list(Person.objects.values("branch").annotate(n=Count("pk")).values_list("n", flat=True))
    assert len(sizes) == 9 and min(sizes) >= 30 and max(sizes) <= 300
    assert Person.objects.filter(branch__code="EM-DERBY").count() == max(sizes)


def test_branch_sizes_add_up_and_stay_within_bounds():
    import random

    sizes = demo._spread(1_000_000, 300, 50, 15_000, random.Random(1))
    assert sum(sizes) == 1_000_000
    assert min(sizes) >= 50 and max(sizes) <= 15_000


def test_a_national_size_seed_builds_the_search_indexes_once_at_the_end(db, monkeypatch):
    from learningdesk.imports import engine

    monkeypatch.setattr(engine, "BIG_LOAD", 100)  # as a million people would: drop the indexes, load, build them
    summary = demo.build_demo(size=dataclasses.replace(demo.SIZES["branch"], people=300))
    assert summary.people == Person.objects.count() == 300
    assert Person.objects.filter(last_name_key__startswith=Person.objects.first().last_name_key[:2]).exists()


def test_a_member_file_is_written_for_every_branch_with_unique_numbers(db, tmp_path):
    demo.build_demo(size=dataclasses.replace(demo.SIZES["branch"], people=0))
    path = tmp_path / "members.csv"

    assert demo.write_member_file(path, people=500) == 500

    lines = path.read_text().splitlines()
    assert lines[0].startswith("Membership No,Title,Forename,Surname")
    numbers = [line.split(",")[0] for line in lines[1:]]
    assert len(set(numbers)) == 500
    branches = {line.split(",")[6] for line in lines[1:]}
    assert branches == {plan.code for plan in demo.CORE_BRANCHES}
