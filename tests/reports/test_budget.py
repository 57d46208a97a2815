"""The learning budget: the year, money in from the branch and from funding, spending by activity and other lines,
what is left and when it is overspent; the pages, who may change them, and the spending as a file."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.employers.models import FundingBid
from learningdesk.reports import budget as budgets
from learningdesk.reports.models import Budget, Spend
from tests.conftest import client_for
from tests.learning import make_activity, make_session
from tests.reports import aware
from tests.reports.urls_budget import derby_spend

pytestmark = pytest.mark.django_db

YEAR = 2025
START = datetime.date(YEAR, 1, 1)
PAGE = reverse("reports:budget")


def page_for(unit, year: int = YEAR) -> str:
    return f"{PAGE}?unit={unit.pk}&year={year}"


def grant(unit, amount: str, *, status=FundingBid.Status.AWARDED, **dates) -> FundingBid:
    dates.setdefault("decided_on", datetime.date(YEAR, 2, 1))
    return FundingBid.objects.create(
        unit=unit,
        title=f"Grant of £{amount}",
        source=FundingBid.Source.UNION_LEARNING_FUND,
        amount=Decimal(amount),
        status=status,
        **dates,
    )


def held(unit, title: str, cost: str, on: datetime.date, **session_fields):
    activity = make_activity(unit, title=title, cost=Decimal(cost))
    make_session(activity, starts=aware(on), **session_fields)
    return activity


@pytest.fixture
def derby_2025(world):
    """Derby's 2025 budget, a worked example:

    - from the branch £1,000; grants awarded for 2025: £500 (awarded in February) and £250 (awarded in December
      2024 for a course starting in March 2025). Not counted: a refused bid, a bid awarded for 2026, Nottingham's.
    - Maths (£600) held in March; Book club (£0) held in June with £40 of books on it; IT (£900) held only in
      2024: not counted; Welding (£800): its only session cancelled. Nottingham's course (£5,000): not Derby's.
    - Other spending: a stall £60.

    Total £1,750; spent £600 + £40 + £60 = £700; left £1,050.
    """
    budget = Budget.objects.create(unit=world.derby, starts_on=START, from_branch=Decimal("1000.00"), notes="AGM")
    grant(world.derby, "500.00")
    grant(world.derby, "250.00", decided_on=datetime.date(YEAR - 1, 12, 10), starts_on=datetime.date(YEAR, 3, 1))
    grant(world.derby, "999.00", status=FundingBid.Status.REFUSED)
    grant(world.derby, "777.00", decided_on=datetime.date(YEAR + 1, 1, 5))
    grant(world.notts, "3000.00")
    maths = held(world.derby, "Maths for work", "600.00", datetime.date(YEAR, 3, 10))
    books = held(world.derby, "Book club", "0", datetime.date(YEAR, 6, 1))
    held(world.derby, "IT for beginners", "900.00", datetime.date(YEAR - 1, 11, 1))
    held(world.derby, "Welding", "800.00", datetime.date(YEAR, 5, 1), is_cancelled=True)
    held(world.notts, "Nottingham course", "5000.00", datetime.date(YEAR, 4, 1))
    Spend.objects.create(budget=budget, activity=books, description="Books", amount=Decimal("40.00"), spent_on=START)
    Spend.objects.create(
        budget=budget, description="Stall", amount=Decimal("60.00"), spent_on=datetime.date(YEAR, 9, 1)
    )
    return maths


# The year ---------------------------------------------------------------------------------------------------


def test_the_budget_year_is_the_calendar_year_by_default():
    assert budgets.current_year_start(datetime.date(2026, 1, 1)) == datetime.date(2026, 1, 1)
    assert budgets.current_year_start(datetime.date(2026, 12, 31)) == datetime.date(2026, 1, 1)
    assert budgets.year_end(datetime.date(2026, 1, 1)) == datetime.date(2026, 12, 31)
    assert budgets.year_label(datetime.date(2026, 1, 1)) == "2026"


def test_the_budget_year_can_start_on_another_day(settings):
    settings.LEARNING_BUDGET_YEAR_START = (4, 6)  # the UK tax year
    assert budgets.current_year_start(datetime.date(2026, 4, 5)) == datetime.date(2025, 4, 6)
    assert budgets.current_year_start(datetime.date(2026, 4, 6)) == datetime.date(2026, 4, 6)
    assert budgets.year_end(datetime.date(2026, 4, 6)) == datetime.date(2027, 4, 5)
    assert budgets.year_label(datetime.date(2026, 4, 6)) == "2026 to 2027"


def test_an_impossible_year_start_falls_back_to_1_january(settings):
    settings.LEARNING_BUDGET_YEAR_START = (2, 30)
    assert budgets.current_year_start(datetime.date(2026, 6, 1)) == datetime.date(2026, 1, 1)


# The summary ------------------------------------------------------------------------------------------------


def test_the_budget_adds_the_branch_and_the_grants_awarded_for_the_year(world, derby_2025):
    summary = budgets.budget_summary(world.derby, year_starts_on=START)
    assert summary.from_branch == Decimal("1000.00")
    assert [line.amount for line in summary.funding] == [Decimal("500.00"), Decimal("250.00")]
    assert summary.from_funding == Decimal("750.00")
    assert summary.total == Decimal("1750.00")


def test_spending_counts_activities_held_in_the_year_and_the_lines(world, derby_2025):
    summary = budgets.budget_summary(world.derby, year_starts_on=START)
    assert [(a.title, a.cost, a.extra) for a in summary.activities] == [
        ("Maths for work", Decimal("600.00"), Decimal("0.00")),
        ("Book club", Decimal("0.00"), Decimal("40.00")),
    ]
    assert [line.description for line in summary.other_lines] == ["Stall"]
    assert summary.spent == Decimal("700.00")
    assert summary.remaining == Decimal("1050.00")
    assert not summary.is_over
    assert summary.percent_spent == 40


def test_money_is_decimal_pounds_and_pence(world, derby_2025):
    summary = budgets.budget_summary(world.derby, year_starts_on=START)
    for amount in (summary.total, summary.spent, summary.remaining, summary.activities[0].cost):
        assert isinstance(amount, Decimal)
        assert amount.as_tuple().exponent == -2


def test_spending_more_than_the_budget_is_over_budget(world, derby_2025):
    budget = Budget.objects.get(unit=world.derby)
    Spend.objects.create(budget=budget, description="Tutor", amount=Decimal("1100.00"), spent_on=START)
    summary = budgets.budget_summary(world.derby, year_starts_on=START)
    assert summary.remaining == Decimal("-50.00")
    assert summary.is_over
    assert summary.over_by == Decimal("50.00")


def test_a_unit_without_a_budget_has_nothing_in_or_out(world):
    summary = budgets.budget_summary(world.derby, year_starts_on=START)
    assert summary.budget is None
    assert (summary.total, summary.spent, summary.remaining) == (0, 0, 0)
    assert summary.is_empty
    assert summary.percent_spent is None


def test_the_summary_is_four_queries_however_many_lines(world, derby_2025, django_assert_num_queries):
    budget = Budget.objects.get(unit=world.derby)
    Spend.objects.bulk_create(
        Spend(budget=budget, description=f"Line {n}", amount=Decimal("1.00"), spent_on=START) for n in range(30)
    )
    with django_assert_num_queries(4):
        summary = budgets.budget_summary(world.derby, year_starts_on=START)
    assert summary.spent == Decimal("730.00")


def test_the_figures_can_be_kept_with_a_report(world, derby_2025):
    data = budgets.budget_summary(world.derby, year_starts_on=START).as_data()
    assert data["total"] == "1750.00"
    assert data["remaining"] == "1050.00"
    assert data["other"] == [{"description": "Stall", "spent_on": f"{YEAR}-09-01", "amount": "60.00"}]


# The page ---------------------------------------------------------------------------------------------------


def test_the_coordinator_sees_the_budget_and_what_is_left(world, derby_2025):
    response = client_for(world.coordinator).get(page_for(world.derby))
    assert response.status_code == 200
    page = response.content.decode()
    for shown in ("£1,750.00", "£700.00", "£1,050.00", "Maths for work", "Stall", "Grant of £500.00", "Add spending"):
        assert shown in page
    assert "Over budget" not in page
    assert "Nottingham course" not in page


def test_an_overspent_budget_says_so_in_words(world, derby_2025):
    budget = Budget.objects.get(unit=world.derby)
    Spend.objects.create(budget=budget, description="Tutor", amount=Decimal("1100.00"), spent_on=START)
    page = client_for(world.coordinator).get(page_for(world.derby)).content.decode()
    assert "Over budget by £50.00" in page


def test_without_a_unit_the_page_shows_the_users_own_this_year(world):
    response = client_for(world.coordinator).get(PAGE)
    assert response.status_code == 200
    label = budgets.year_label(budgets.current_year_start(timezone.localdate()))
    assert f"Learning budget {label}" in response.content.decode()
    assert response.context["unit"] == world.derby


def test_the_regional_coordinator_may_look_at_a_branchs_budget(world, derby_2025):
    response = client_for(world.regional).get(page_for(world.derby))
    assert response.status_code == 200
    assert "£1,750.00" in response.content.decode()


def test_another_branch_cannot_see_derbys_budget(world, derby_2025):
    response = client_for(world.outsider).get(page_for(world.derby))
    assert response.status_code == 404


def test_a_ulr_has_no_budget_page(world):
    assert client_for(world.ulr).get(PAGE).status_code == 404


def test_an_officer_reads_the_budget_but_cannot_change_it(world, derby_2025):
    page = client_for(world.officer).get(page_for(world.derby)).content.decode()
    assert "£1,750.00" in page
    assert "Add spending" not in page
    assert reverse("reports:budget_edit", args=[world.derby.pk, YEAR]) not in page


def test_a_year_outside_the_choices_is_a_message_next_to_the_field(world):
    response = client_for(world.coordinator).get(f"{PAGE}?unit={world.derby.pk}&year=1850")
    assert response.status_code == 200
    assert response.context["form"].errors["year"]
    assert 'id="id_year-error"' in response.content.decode()


def test_the_budget_page_reads_a_bounded_number_of_queries(world, derby_2025, django_assert_max_num_queries):
    budget = Budget.objects.get(unit=world.derby)
    for n in range(20):
        activity = held(world.derby, f"Course {n}", "10.00", datetime.date(YEAR, 7, 1))
        Spend.objects.create(budget=budget, activity=activity, description=f"Extra {n}", amount=1, spent_on=START)
    client = client_for(world.coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(page_for(world.derby))
    assert response.status_code == 200


# Changing it ------------------------------------------------------------------------------------------------


def test_the_coordinator_sets_the_money_from_the_branch(world):
    url = reverse("reports:budget_edit", args=[world.derby.pk, YEAR])
    response = client_for(world.coordinator).post(url, {"from_branch": "1500", "notes": "Agreed at the AGM"})
    assert response.status_code == 302
    assert response["Location"] == page_for(world.derby)
    budget = Budget.objects.get(unit=world.derby, starts_on=START)
    assert budget.from_branch == Decimal("1500.00")
    assert budget.set_by == world.coordinator
    event = AuditEvent.objects.get(target_type="budget", target_id=budget.pk)
    assert event.action == AuditEvent.Action.CREATED
    assert event.unit == world.derby


@pytest.mark.parametrize(
    ("typed", "message"),
    [("-5", "Enter an amount of £0 or more"), ("lots", "Enter the amount in pounds"), ("", "Enter money from")],
)
def test_a_bad_amount_is_shown_next_to_the_field(world, typed, message):
    url = reverse("reports:budget_edit", args=[world.derby.pk, YEAR])
    response = client_for(world.coordinator).post(url, {"from_branch": typed})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["from_branch"])
    assert not Budget.objects.exists()


def test_the_coordinator_adds_spending_on_an_activity(world, derby_2025):
    maths = derby_2025
    url = reverse("reports:spend_add", args=[world.derby.pk, YEAR])
    data = {"description": "Room hire", "amount": "45.50", "spent_on": f"{YEAR}-03-10", "activity": maths.pk}
    response = client_for(world.coordinator).post(url, data)
    assert response.status_code == 302
    spend = Spend.objects.get(description="Room hire")
    assert (spend.amount, spend.activity, spend.recorded_by) == (Decimal("45.50"), maths, world.coordinator)
    assert AuditEvent.objects.filter(target_type="spend", target_id=spend.pk, action="created").exists()
    summary = budgets.budget_summary(world.derby, year_starts_on=START)
    assert summary.spent == Decimal("745.50")


def test_spending_before_any_budget_makes_the_years_budget(world):
    url = reverse("reports:spend_add", args=[world.derby.pk, YEAR])
    client_for(world.coordinator).post(url, {"description": "Leaflets", "amount": "12", "spent_on": f"{YEAR}-05-01"})
    budget = Budget.objects.get(unit=world.derby, starts_on=START)
    assert budget.from_branch == 0
    assert budget.spends.get().description == "Leaflets"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("spent_on", f"{YEAR + 1}-01-01", "Enter a date in this budget year"),
        ("amount", "0", "Enter an amount more than £0"),
        ("amount", "12.345", "nearest penny"),
        ("description", "", "Enter what was it for?"),
    ],
)
def test_bad_spending_is_shown_next_to_the_field(world, field, value, message):
    url = reverse("reports:spend_add", args=[world.derby.pk, YEAR])
    data = {"description": "Leaflets", "amount": "12", "spent_on": f"{YEAR}-05-01", field: value}
    response = client_for(world.coordinator).post(url, data)
    assert response.status_code == 200
    assert message.lower() in " ".join(response.context["form"].errors[field]).lower()
    assert not Spend.objects.exists()


def test_spending_cannot_go_on_another_branchs_activity(world):
    notts_course = held(world.notts, "Nottingham course", "5000.00", datetime.date(YEAR, 4, 1))
    url = reverse("reports:spend_add", args=[world.derby.pk, YEAR])
    data = {"description": "Fees", "amount": "12", "spent_on": f"{YEAR}-05-01", "activity": notts_course.pk}
    response = client_for(world.coordinator).post(url, data)
    assert response.status_code == 200
    assert "activity" in response.context["form"].errors
    assert not Spend.objects.exists()


def test_deleting_spending_asks_first_then_takes_it_off(world):
    spend = derby_spend(world)
    url = reverse("reports:spend_delete", args=[spend.pk])
    client = client_for(world.coordinator)
    confirm = client.get(url)
    assert "Delete this spending?" in confirm.content.decode()
    assert Spend.objects.filter(pk=spend.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not Spend.objects.filter(pk=spend.pk).exists()
    event = AuditEvent.objects.get(target_type="spend", target_id=spend.pk, action=AuditEvent.Action.DELETED)
    assert event.changes == {"amount": "45.00", "spent_on": "2026-03-02"}
    assert event.unit == world.derby


@pytest.mark.parametrize("who", ["officer", "outsider", "ulr"])
def test_only_the_units_editors_change_its_budget(world, who):
    spend = derby_spend(world)
    client = client_for(getattr(world, who))
    urls = [
        reverse("reports:budget_edit", args=[world.derby.pk, YEAR]),
        reverse("reports:spend_add", args=[world.derby.pk, YEAR]),
        reverse("reports:spend_delete", args=[spend.pk]),
    ]
    for url in urls:
        assert client.post(url, {"from_branch": "1", "description": "x", "amount": "1"}).status_code == 404
    assert Spend.objects.filter(pk=spend.pk).exists()
    assert Budget.objects.get().from_branch == Decimal("1500.00")


def test_a_year_out_of_range_in_the_address_is_not_found(world):
    url = reverse("reports:budget_edit", args=[world.derby.pk, 1800])
    assert client_for(world.coordinator).get(url).status_code == 404


# The spending as a file -------------------------------------------------------------------------------------


def test_the_spending_downloads_as_csv_adding_up_to_what_was_spent(world, derby_2025):
    response = client_for(world.coordinator).get(page_for(world.derby) + "&format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="budget-spending-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Kind", "What it was for", "Activity", "Date", "Amount (£)"]
    assert sum(Decimal(row[4]) for row in rows[1:]) == Decimal("700.00")
    assert ["Spending line", "Stall", "", f"{YEAR}-09-01", "60.00"] in rows
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert (event.target_type, event.unit, event.changes["rows"]) == ("budget spending", world.derby, 3)


def test_another_branch_cannot_download_derbys_spending(world, derby_2025):
    response = client_for(world.outsider).get(page_for(world.derby) + "&format=xlsx")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()
