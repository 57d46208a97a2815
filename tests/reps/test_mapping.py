"""Workplace mapping: members, reps and the workplaces with no rep, its filters, scope and exports."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from learningdesk.accounts.models import AuditEvent
from learningdesk.org.models import Employer, Person, Workplace
from learningdesk.reps import mapping
from learningdesk.reps.models import Stage
from tests.conftest import World, client_for
from tests.factories import EmployerFactory, PersonFactory, UserFactory, WorkplaceFactory
from tests.reps import derby_rep, make_rep, rep_with_login


@dataclass
class Mapped:
    world: World
    museum: Workplace
    homes: Employer
    housing_office: Workplace


def members_at(workplace: Workplace, count: int) -> list[Person]:
    return [PersonFactory(branch=workplace.branch, workplace=workplace) for _ in range(count)]


@pytest.fixture
def mapped(world) -> Mapped:
    """Council House: 5 members and an active rep. Depot: 8 members, a ULR still waiting for training.
    Museum: 2 members, a trained learner champion. Housing office (Derby Homes): 3 members, no rep.
    Queen's Medical Centre (Nottingham): 1 member. A library with only non-members."""
    members_at(world.town_hall, 4)  # and Maria Alberts
    PersonFactory(
        branch=world.derby, workplace=world.town_hall, status=Person.Status.NON_MEMBER, membership_number=None
    )
    derby_rep(world)
    prospect = PersonFactory(
        branch=world.derby, workplace=world.town_hall, status=Person.Status.NON_MEMBER, membership_number=None
    )
    make_rep(prospect, stage=Stage.APPROACHED, workplaces=[world.town_hall])

    depot_people = members_at(world.depot, 7)  # and Dev Patel
    make_rep(depot_people[0], stage=Stage.NOTIFIED, workplaces=[world.depot])

    museum = WorkplaceFactory(name="Derby Museum", employer=world.council, branch=world.derby)
    museum_people = members_at(museum, 2)
    make_rep(museum_people[0], kind="learner_champion", stage=Stage.TRAINED, workplaces=[museum])

    homes = EmployerFactory(name="Derby Homes", unit=world.derby)
    housing_office = WorkplaceFactory(name="Osmaston Housing Office", employer=homes, branch=world.derby)
    members_at(housing_office, 3)

    library = WorkplaceFactory(name="Pear Tree Library", employer=world.council, branch=world.derby)
    PersonFactory(branch=world.derby, workplace=library, status=Person.Status.LAPSED, membership_number=None)
    return Mapped(world=world, museum=museum, homes=homes, housing_office=housing_office)


def figures_for(user, **filters) -> dict[str, mapping.WorkplaceFigures]:
    figures = mapping.workplace_figures(user=user, filters=mapping.MappingFilter(**filters))
    return {row.name: row for row in figures.rows}


@pytest.fixture(autouse=True)
def no_member_snapshot():
    cache.delete(mapping.SNAPSHOT_KEY)
    yield
    cache.delete(mapping.SNAPSHOT_KEY)


def listed_names(response) -> list[str]:
    return [row.workplace.name for row in response.context["page_obj"].object_list]


# The figures -----------------------------------------------------------------------------------


def test_members_are_people_with_the_status_member_at_the_workplace(mapped):
    figures = figures_for(mapped.world.coordinator)
    assert figures["Council House"].members == 5
    assert figures["Stores Road Depot"].members == 8
    assert "Pear Tree Library" not in figures  # only a lapsed member works there


def test_only_trained_or_active_reps_count_at_a_workplace(mapped):
    figures = figures_for(mapped.world.coordinator)
    assert figures["Council House"].reps == 1  # the active ULR, not the prospect
    assert figures["Derby Museum"].reps == 1  # a trained champion counts: every kind of rep does
    assert figures["Stores Road Depot"].reps == 0  # notified, not yet trained


def test_members_per_rep_divides_members_by_reps(mapped):
    world = mapped.world
    make_rep(PersonFactory(branch=world.derby, workplace=world.town_hall), stage=Stage.TRAINED)
    council_house = figures_for(world.coordinator)["Council House"]
    assert (council_house.members, council_house.reps, council_house.members_per_rep) == (6, 2, 3.0)
    assert figures_for(world.coordinator)["Stores Road Depot"].members_per_rep is None


def test_a_rep_who_stood_down_no_longer_counts(mapped):
    from learningdesk.reps import services

    rep = derby_rep(mapped.world)
    services.rep_move(acting_user=None, rep=rep, stage=Stage.STOOD_DOWN, on=rep.stage_on, reason="no_time")
    assert figures_for(mapped.world.coordinator)["Council House"].reps == 0


def test_summary_counts_workplaces_with_members_gaps_and_members_there(mapped):
    response = client_for(mapped.world.coordinator).get(reverse("reps:mapping"))
    summary = response.context["summary"]
    assert (summary.workplaces, summary.without_rep, summary.members_without_rep) == (4, 2, 11)
    page = response.content.decode()
    assert "with no rep" in page and "members at workplaces with no rep" in page


# The page -------------------------------------------------------------------------------------


def test_the_page_lists_workplaces_with_members_but_no_rep_largest_first(mapped):
    response = client_for(mapped.world.coordinator).get(reverse("reps:mapping"))
    assert response.status_code == 200
    assert listed_names(response) == ["Stores Road Depot", "Osmaston Housing Office"]
    assert "No rep" in response.content.decode()


def test_the_page_says_who_counts_as_a_rep(mapped):
    page = client_for(mapped.world.coordinator).get(reverse("reps:mapping")).content.decode()
    assert "<strong>trained</strong> or <strong>active</strong>" in page


def test_show_all_lists_every_workplace_with_members_and_names_its_reps(mapped):
    response = client_for(mapped.world.coordinator).get(reverse("reps:mapping"), {"show": "all"})
    assert listed_names(response) == ["Stores Road Depot", "Council House", "Osmaston Housing Office", "Derby Museum"]
    assert "Maria Alberts" in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Council House", "Derby Museum", "Osmaston Housing Office", "Stores Road Depot"]),
        ("-name", ["Stores Road Depot", "Osmaston Housing Office", "Derby Museum", "Council House"]),
        ("members", ["Derby Museum", "Osmaston Housing Office", "Council House", "Stores Road Depot"]),
        ("-per_rep", ["Stores Road Depot", "Osmaston Housing Office", "Council House", "Derby Museum"]),
        ("per_rep", ["Derby Museum", "Council House", "Stores Road Depot", "Osmaston Housing Office"]),
        ("-reps", ["Council House", "Derby Museum", "Stores Road Depot", "Osmaston Housing Office"]),
    ],
)
def test_the_list_sorts_by_each_column(mapped, sort, expected):
    response = client_for(mapped.world.coordinator).get(reverse("reps:mapping"), {"show": "all", "sort": sort})
    assert listed_names(response) == expected


def test_a_column_heading_turns_its_order_round(mapped):
    response = client_for(mapped.world.coordinator).get(reverse("reps:mapping"), {"show": "all", "sort": "-members"})
    links = response.context["sort_links"]
    assert links["members"]["state"] == "descending"
    assert "sort=members" in links["members"]["href"] and "show=all" in links["members"]["href"]
    assert links["name"]["state"] == "none"


def test_filter_by_employer(mapped):
    client = client_for(mapped.world.coordinator)
    response = client.get(reverse("reps:mapping"), {"show": "all", "employer": mapped.homes.pk})
    assert listed_names(response) == ["Osmaston Housing Office"]
    assert response.context["summary"].workplaces == 1


def test_filter_by_unit(mapped):
    world = mapped.world
    client = client_for(world.regional)
    everywhere = listed_names(client.get(reverse("reps:mapping")))
    assert "Queen's Medical Centre" in everywhere
    in_derby = listed_names(client.get(reverse("reps:mapping"), {"unit": world.derby.pk}))
    assert in_derby == ["Stores Road Depot", "Osmaston Housing Office"]


def test_every_workplace_covered_says_so_and_offers_the_full_list(world):
    derby_rep(world)
    make_rep(world.depot_person, stage=Stage.TRAINED)
    page = client_for(world.coordinator).get(reverse("reps:mapping")).content.decode()
    assert "Every workplace with members has a trained or active rep" in page


def test_the_list_is_paginated(world):
    for number in range(30):
        workplace = WorkplaceFactory(name=f"Site {number:02d}", employer=world.council, branch=world.derby)
        members_at(workplace, 1)
    client = client_for(world.coordinator)
    first = client.get(reverse("reps:mapping"), {"sort": "name"})
    assert first.context["page_obj"].paginator.count == 32
    assert len(first.context["page_obj"].object_list) == 25
    second = client.get(reverse("reps:mapping"), {"sort": "name", "page": 2})
    assert listed_names(second) == [f"Site {number:02d}" for number in range(24, 30)] + ["Stores Road Depot"]


def test_the_page_needs_few_queries_however_many_workplaces(world, django_assert_max_num_queries):
    for number in range(40):
        workplace = WorkplaceFactory(name=f"Site {number:02d}", employer=world.council, branch=world.derby)
        people = members_at(workplace, 2)
        if number % 2:
            make_rep(people[0], stage=Stage.ACTIVE, workplaces=[workplace])
    client = client_for(world.coordinator)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("reps:mapping"), {"show": "all"})
    assert len(response.context["page_obj"].object_list) == 25


def test_across_many_workplaces_members_come_from_a_snapshot_a_few_minutes_old(mapped, monkeypatch):
    monkeypatch.setattr(mapping, "SNAPSHOT_ABOVE", 3)
    world = mapped.world
    before = figures_for(world.coordinator)
    members_at(world.depot, 2)
    assert figures_for(world.coordinator)["Stores Road Depot"].members == before["Stores Road Depot"].members == 8
    page = client_for(world.coordinator).get(reverse("reps:mapping")).content.decode()
    assert "members are counted every few minutes" in page
    cache.delete(mapping.SNAPSHOT_KEY)
    assert figures_for(world.coordinator)["Stores Road Depot"].members == 10


def test_a_branch_is_counted_live(mapped):
    world = mapped.world
    figures_for(world.coordinator)
    members_at(world.depot, 2)
    assert figures_for(world.coordinator)["Stores Road Depot"].members == 10
    assert mapping.workplace_figures(user=world.coordinator, filters=mapping.MappingFilter()).members_as_of is None


# Who sees what ---------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client, world):
    response = client.get(reverse("reps:mapping"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_another_branch_sees_none_of_derbys_workplaces(mapped):
    response = client_for(mapped.world.outsider).get(reverse("reps:mapping"), {"show": "all"})
    assert listed_names(response) == ["Queen's Medical Centre"]
    page = response.content.decode()
    assert "Council House" not in page and "Stores Road Depot" not in page and "Derby City Council" not in page


def test_another_branch_cannot_filter_by_a_derby_employer(mapped):
    response = client_for(mapped.world.outsider).get(reverse("reps:mapping"), {"employer": mapped.homes.pk})
    assert response.context["form"].errors
    assert "Osmaston Housing Office" not in response.content.decode()


def test_a_ulr_sees_only_the_workplaces_they_cover(mapped):
    rep_with_login(mapped.world)
    response = client_for(mapped.world.ulr).get(reverse("reps:mapping"), {"show": "all"})
    assert listed_names(response) == ["Council House"]
    assert response.context["summary"].workplaces == 1


def test_a_ulr_sees_how_many_reps_share_their_workplace_but_only_their_own_name(mapped):
    rep_with_login(mapped.world)
    page = client_for(mapped.world.ulr).get(reverse("reps:mapping"), {"show": "all"}).content.decode()
    assert "Uma Rep" in page and "and 1 more" in page
    assert "Maria Alberts" not in page


def test_someone_without_a_role_sees_an_empty_map(mapped):
    response = client_for(UserFactory()).get(reverse("reps:mapping"))
    assert response.status_code == 200
    assert response.context["summary"].workplaces == 0
    assert "has members yet" in response.content.decode()


# Exports ---------------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_export_has_the_listed_workplaces_with_their_figures(mapped):
    response = client_for(mapped.world.coordinator).get(
        reverse("reps:mapping_export"), {"format": "csv", "show": "all"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:3] == ["Workplace", "Employer", "Branch"]
    assert [row[0] for row in rows] == ["Stores Road Depot", "Council House", "Osmaston Housing Office", "Derby Museum"]
    depot, council_house = rows[0], rows[1]
    assert depot[5:] == ["8", "0", "", "No"]
    assert council_house[1:3] == ["Derby City Council", "Derby City"]
    assert council_house[5:] == ["5", "1", "5.0", "Yes"]


def test_export_follows_the_filters_like_the_page(mapped):
    response = client_for(mapped.world.coordinator).get(reverse("reps:mapping_export"), {"format": "csv"})
    assert [row[0] for row in csv_rows(response)[1:]] == ["Stores Road Depot", "Osmaston Housing Office"]


def test_csv_export_neutralises_formulas(mapped):
    mapped.housing_office.name = "=cmd|' /C calc'!A0"
    mapped.housing_office.save()
    response = client_for(mapped.world.coordinator).get(reverse("reps:mapping_export"), {"format": "csv"})
    names = [row[0] for row in csv_rows(response)[1:]]
    assert "'=cmd|' /C calc'!A0" in names
    assert "=cmd|' /C calc'!A0" not in names


def test_xlsx_export_has_the_rows_and_no_formulas(mapped):
    mapped.housing_office.name = '=HYPERLINK("http://example.com")'
    mapped.housing_office.save()
    response = client_for(mapped.world.coordinator).get(
        reverse("reps:mapping_export"), {"format": "xlsx", "show": "all"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Workplace"
    assert rows[1][:2] == ["Stores Road Depot", "Derby City Council"]
    assert rows[1][5:] == [8, 0, None, "No"]
    assert rows[2][5:] == [5, 1, 5, "Yes"]
    assert '\'=HYPERLINK("http://example.com")' in [row[0] for row in rows]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_export_is_written_to_the_audit_log(mapped):
    world = mapped.world
    client_for(world.coordinator).get(reverse("reps:mapping_export"), {"format": "xlsx"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.actor == world.coordinator
    assert event.unit == world.derby
    assert event.changes["format"] == "xlsx" and event.changes["rows"] == 2


def test_export_without_a_format_is_not_found(mapped):
    assert client_for(mapped.world.coordinator).get(reverse("reps:mapping_export")).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_another_branch_exports_none_of_derby(mapped):
    response = client_for(mapped.world.outsider).get(reverse("reps:mapping_export"), {"format": "csv", "show": "all"})
    assert [row[0] for row in csv_rows(response)[1:]] == ["Queen's Medical Centre"]


def test_another_branch_cannot_export_with_a_derby_employer(mapped):
    response = client_for(mapped.world.outsider).get(
        reverse("reps:mapping_export"), {"format": "csv", "employer": mapped.homes.pk}
    )
    assert response.status_code == 404
