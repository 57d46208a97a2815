"""org.scoping is the one place that decides access: test it directly."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from learningdesk.org import scoping
from learningdesk.org.models import Role
from tests.factories import UserFactory, give_role


def names(queryset):
    return sorted(str(item) for item in queryset)


def test_branch_coordinator_sees_their_branch_and_nothing_beside_it(world):
    user = world.coordinator
    assert names(scoping.visible_units(user)) == ["Derby City"]
    assert names(scoping.visible_people(user)) == ["Dev Patel", "Maria Alberts"]
    assert names(scoping.visible_workplaces(user)) == ["Council House", "Stores Road Depot"]
    assert names(scoping.visible_employers(user)) == ["Derby City Council"]


def test_regional_coordinator_sees_the_whole_region_but_not_other_regions(world):
    user = world.regional
    assert names(scoping.visible_units(user)) == ["Derby City", "East Midlands", "Nottingham Health"]
    assert names(scoping.visible_people(user)) == ["Dev Patel", "Maria Alberts", "Nia Okafor"]


def test_national_admin_sees_everything(world):
    assert scoping.visible_units(world.admin).count() == 6
    assert scoping.visible_people(world.admin).count() == 3


def test_ulr_sees_only_people_at_their_workplaces(world):
    assert names(scoping.visible_people(world.ulr)) == ["Maria Alberts"]
    assert names(scoping.visible_workplaces(world.ulr)) == ["Council House"]
    assert names(scoping.editable_people(world.ulr)) == ["Maria Alberts"]


def test_branch_officer_reads_but_cannot_change(world):
    assert scoping.visible_people(world.officer).count() == 2
    assert scoping.editable_people(world.officer).count() == 0
    assert scoping.editable_units(world.officer).count() == 0


def test_employer_looked_after_above_the_branch_is_visible_below_but_not_in_another_region(world):
    from tests.factories import EmployerFactory

    EmployerFactory(name="Regional Bus Company", unit=world.region)
    EmployerFactory(name="Manchester Trams", unit=world.other_region)
    assert "Regional Bus Company" in names(scoping.visible_employers(world.coordinator))
    assert "Manchester Trams" not in names(scoping.visible_employers(world.coordinator))


def test_ended_role_gives_no_access(db, world):
    former = UserFactory()
    give_role(former, Role.BRANCH_COORDINATOR, world.derby, ends_on=timezone.localdate() - datetime.timedelta(days=1))
    assert scoping.get_scope(former).is_empty
    assert scoping.visible_people(former).count() == 0


def test_role_not_yet_started_gives_no_access(world):
    future = UserFactory()
    give_role(future, Role.BRANCH_COORDINATOR, world.derby, starts_on=timezone.localdate() + datetime.timedelta(days=3))
    assert scoping.visible_people(future).count() == 0


def test_job_share_gives_both_people_the_same_scope(world):
    partner = UserFactory()
    give_role(partner, Role.BRANCH_COORDINATOR, world.derby)
    assert names(scoping.visible_people(partner)) == names(scoping.visible_people(world.coordinator))


def test_equality_data_is_for_equality_roles_only(world):
    assert scoping.can_see_equality(world.equality, world.derby_person)
    assert scoping.can_see_equality(world.admin, world.derby_person)
    assert not scoping.can_see_equality(world.coordinator, world.derby_person)
    assert not scoping.can_see_equality(world.equality, world.notts_person)


def test_getting_a_record_outside_scope_is_404(world):
    with pytest.raises(Http404):
        scoping.get_person_for_user(world.coordinator, world.notts_person.pk)
    with pytest.raises(Http404):
        scoping.get_person_for_user(world.officer, world.derby_person.pk, for_change=True)
    assert scoping.get_person_for_user(world.coordinator, world.derby_person.pk) == world.derby_person


def test_anonymous_user_has_an_empty_scope(world):
    from django.contrib.auth.models import AnonymousUser

    assert scoping.visible_people(AnonymousUser()).count() == 0


@pytest.mark.parametrize("persona", ["admin", "regional", "coordinator", "outsider", "ulr", "officer", "equality"])
def test_may_add_people_agrees_with_the_units_people_can_be_added_to(world, persona):
    user = getattr(world, persona)
    assert scoping.may_add_people(user) == scoping.units_for_new_people(user).exists()
