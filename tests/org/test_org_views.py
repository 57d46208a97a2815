from __future__ import annotations

from django.urls import reverse

from learningdesk.org.models import Employer, OrgUnit, Workplace
from tests.conftest import client_for
from tests.factories import WorkplaceFactory
from tests.reps import derby_rep


def test_home_shows_the_scope_figures(world, coordinator_client, django_assert_max_num_queries):
    derby_rep(world)  # an active ULR on the register
    # 24: four of them the work with employers (employers/home.py), however many agreements and cases.
    with django_assert_max_num_queries(24):
        response = coordinator_client.get(reverse("home"))
    figures = response.context["figures"]
    assert (figures.members, figures.workplaces, figures.employers, figures.ulrs) == (2, 2, 1, 1)


def test_home_of_a_user_without_a_current_role_explains_why_it_is_empty(world, db):
    from tests.factories import UserFactory

    response = client_for(UserFactory()).get(reverse("home"))
    assert "You have no current role" in response.content.decode()


def test_tree_starts_at_the_users_units_with_rolled_up_counts(world):
    response = client_for(world.regional).get(reverse("org:unit_list"))
    rows = response.context["rows"]
    assert [(unit.name, counts["members"]) for unit, counts in rows] == [("East Midlands", 3)]
    detail = client_for(world.regional).get(reverse("org:unit_detail", args=[world.region.pk]))
    assert [child.name for child, _ in detail.context["children"]] == ["Derby City", "Nottingham Health"]


def test_tree_search_finds_units_in_scope_only(world):
    response = client_for(world.coordinator).get(reverse("org:unit_list"), {"q": "nott"})
    assert response.context["rows"] == []


def test_unit_page_query_count_does_not_grow_with_units(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PersonFactory, unit

    client = client_for(world.admin)
    url = reverse("org:unit_detail", args=[world.region.pk])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(5):
        branch = unit(f"Branch {n}", f"EM-B{n}", world.region)
        PersonFactory.create_batch(3, branch=branch)
        WorkplaceFactory(branch=branch)
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(url)
    assert len(response.context["children"]) == 7
    assert len(before.captured_queries) <= 15


def test_coordinator_adds_a_unit_below_their_branch(world, coordinator_client):
    response = coordinator_client.post(
        reverse("org:unit_add", args=[world.derby.pk]),
        {"name": "Derby Schools", "code": "em-derby-sch", "is_active": "on"},
    )
    unit = OrgUnit.objects.get(code="EM-DERBY-SCH")
    assert response["Location"] == reverse("org:unit_detail", args=[unit.pk])
    assert OrgUnit.objects.get_parent(unit) == world.derby


def test_unit_code_must_be_unique_and_well_formed(world, coordinator_client):
    response = coordinator_client.post(
        reverse("org:unit_add", args=[world.derby.pk]), {"name": "X", "code": "EM-NOTTS"}
    )
    assert "already exists" in response.content.decode()
    response = coordinator_client.post(
        reverse("org:unit_add", args=[world.derby.pk]), {"name": "X", "code": "no spaces"}
    )
    assert "capital letters, digits and hyphens" in response.content.decode()


def test_coordinator_adds_an_employer_and_a_workplace(world, coordinator_client):
    response = coordinator_client.post(
        reverse("org:employer_add"),
        {"name": "Royal Derby Hospital Trust", "sector": "health", "is_public_sector": "on", "unit": world.derby.pk},
    )
    employer = Employer.objects.get(name="Royal Derby Hospital Trust")
    assert response["Location"] == reverse("org:employer_detail", args=[employer.pk])
    response = coordinator_client.post(
        reverse("org:workplace_add", args=[employer.pk]),
        {"name": "Royal Derby Hospital", "branch": world.derby.pk, "postcode": "de22  3ne", "headcount": "4000"},
    )
    workplace = Workplace.objects.get(name="Royal Derby Hospital")
    assert workplace.postcode == "DE22 3NE"
    assert workplace.employer == employer


def test_employer_list_paginates_and_counts_only_workplaces_in_scope(world, django_assert_max_num_queries):
    WorkplaceFactory(employer=world.council, branch=world.notts)
    client = client_for(world.coordinator)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("org:employer_list"))
    [employer] = response.context["page_obj"].object_list
    assert employer.workplace_count == 2


def test_workplace_page_lists_its_people_and_reps(world, coordinator_client):
    response = coordinator_client.get(reverse("org:workplace_detail", args=[world.town_hall.pk]))
    body = response.content.decode()
    assert "Alberts" in body and "Patel" not in body
    assert "Uma Rep" in body


def test_workplace_without_a_rep_is_flagged(world, coordinator_client):
    response = coordinator_client.get(reverse("org:workplace_detail", args=[world.depot.pk]))
    assert "No learning rep" in response.content.decode()


def test_national_admin_renames_branches_to_local_associations(world):
    from learningdesk.org.models import UnitKind

    client = client_for(world.admin)
    kinds = list(UnitKind.objects.order_by("depth"))
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "3"}
    for i, kind in enumerate(kinds):
        data |= {f"form-{i}-id": kind.pk, f"form-{i}-name": kind.name, f"form-{i}-name_plural": kind.name_plural}
    data |= {"form-2-name": "Local association", "form-2-name_plural": "Local associations"}
    response = client.post(reverse("org:unit_kinds"), data)
    assert response.status_code == 302
    page = client.get(reverse("org:unit_detail", args=[world.derby.pk])).content.decode()
    assert "Local association · EM-DERBY" in page


def test_only_national_admins_rename_unit_kinds(world, coordinator_client):
    assert coordinator_client.get(reverse("org:unit_kinds")).status_code == 404


def test_a_ulr_sees_counts_of_their_own_workplaces_only(world):
    response = client_for(world.ulr).get(reverse("org:unit_detail", args=[world.derby.pk]))
    assert response.context["totals"]["members"] == 1
    assert response.context["totals"]["workplaces"] == 1


def test_an_empty_workplace_can_be_deleted_and_the_log_keeps_its_name(world, coordinator_client):
    from learningdesk.accounts.models import AuditEvent

    spare = WorkplaceFactory(name="Old Annexe", employer=world.council, branch=world.derby)
    url = reverse("org:workplace_delete", args=[spare.pk])
    assert "This cannot be undone" in coordinator_client.get(url).content.decode()
    response = coordinator_client.post(url)
    assert response["Location"] == reverse("org:employer_detail", args=[world.council.pk])
    assert not Workplace.objects.filter(pk=spare.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETED)
    assert event.changes == {"name": "Old Annexe"} and event.unit == world.derby


def test_a_workplace_with_people_cannot_be_deleted_and_the_page_says_why(world, coordinator_client):
    url = reverse("org:workplace_delete", args=[world.town_hall.pk])
    page = coordinator_client.get(url).content.decode()
    assert "1 person works here." in page and "1 role covers it." in page
    coordinator_client.post(url)
    assert Workplace.objects.filter(pk=world.town_hall.pk).exists()


def test_units_and_employers_are_deleted_only_when_empty(world, coordinator_client):
    from tests.factories import EmployerFactory, unit

    empty_unit = unit("Derby Schools", "EM-DERBY-SCH", world.derby)
    coordinator_client.post(reverse("org:unit_delete", args=[empty_unit.pk]))
    assert not OrgUnit.objects.filter(code="EM-DERBY-SCH").exists()
    world.derby.refresh_from_db()
    assert world.derby.numchild == 0
    coordinator_client.post(reverse("org:unit_delete", args=[world.derby.pk]))
    assert OrgUnit.objects.filter(pk=world.derby.pk).exists()
    empty_employer = EmployerFactory(name="Defunct Ltd", unit=world.derby)
    coordinator_client.post(reverse("org:employer_delete", args=[empty_employer.pk]))
    assert not Employer.objects.filter(name="Defunct Ltd").exists()
    coordinator_client.post(reverse("org:employer_delete", args=[world.council.pk]))
    assert Employer.objects.filter(pk=world.council.pk).exists()


def test_branch_officer_cannot_delete(world):
    spare = WorkplaceFactory(employer=world.council, branch=world.derby)
    assert client_for(world.officer).post(reverse("org:workplace_delete", args=[spare.pk])).status_code == 404
    assert Workplace.objects.filter(pk=spare.pk).exists()


def test_breadcrumbs_show_only_the_units_the_user_may_see(world):
    regional = client_for(world.regional).get(reverse("org:unit_detail", args=[world.derby.pk]))
    assert [label for label, _ in regional.context["crumbs"]] == ["Organisation", "East Midlands"]
    branch = client_for(world.coordinator).get(reverse("org:unit_detail", args=[world.derby.pk]))
    assert [label for label, _ in branch.context["crumbs"]] == ["Organisation"]


def test_a_ulrs_home_names_their_workplaces(world):
    body = client_for(world.ulr).get(reverse("home")).content.decode()
    assert "Union learning rep, Derby City (Council House)" in body
    assert f'href="{reverse("org:workplace_detail", args=[world.town_hall.pk])}"' in body
