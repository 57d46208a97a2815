"""What learning cost for a period: cost per activity, learners and qualifications (the DOMAIN measures), cost per
learner and per qualification, the period presets, the CSV export, and who sees what."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.employers import funding
from learningdesk.learning.models import Outcome, SignUp
from tests.conftest import client_for
from tests.factories import PersonFactory
from tests.learning import make_activity, make_session

pytestmark = pytest.mark.django_db

COSTS = reverse("employers:costs")
EXPORT = reverse("employers:costs_export")
SPRING = {"period": "custom", "starts_on": "2026-03-01", "ends_on": "2026-05-31"}
SPRING_PERIOD = funding.Period(datetime.date(2026, 3, 1), datetime.date(2026, 5, 31))


def at(year: int, month: int, day: int, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def attended(session, *people, status=SignUp.Status.ATTENDED) -> None:
    for person in people:
        SignUp.objects.create(session=session, person=person, status=status, source=SignUp.Source.STAFF)


def qualified(activity, person, on: datetime.date) -> Outcome:
    return Outcome.objects.create(
        person=person, activity=activity, kind=Outcome.Kind.QUALIFICATION, achieved_on=on, qualification_name="FSQ"
    )


@pytest.fixture
def spring(world):
    """A worked example for 1 March to 31 May 2026, in Derby:

    - Maths (£600): two sessions in the period; Ann, Ben and Cy attend (Ann twice), Di does not come. Ann and Ben
      gain the qualification in May, Cy in June (after the period).
    - Book club (£300): one session; Ann attends. No qualification.
    - IT (£450): its only session in February, before the period: not listed. Ed gains its qualification in March.
    - Welding (£800): its only session in the period was cancelled: not listed.
    - Nottingham's course (£5,000): someone else's, never counted.

    Total £900; learners Ann, Ben, Cy = 3 (Ann once, though on two activities); qualifications Ann, Ben and Ed = 3
    (Ed's on a course not listed). £300 per learner, £300 per qualification.
    """
    ann, ben, cy, di, ed = (
        PersonFactory(first_name=name, branch=world.derby) for name in ("Ann", "Ben", "Cy", "Di", "Ed")
    )
    maths = make_activity(world.derby, title="Maths", cost=Decimal("600"))
    first = make_session(maths, starts=at(2026, 3, 10))
    second = make_session(maths, starts=at(2026, 4, 14))
    attended(first, ann, ben)
    attended(second, ann, cy)
    attended(second, di, status=SignUp.Status.NO_SHOW)
    qualified(maths, ann, datetime.date(2026, 5, 20))
    qualified(maths, ben, datetime.date(2026, 5, 31))
    qualified(maths, cy, datetime.date(2026, 6, 1))
    books = make_activity(world.derby, title="Book club", cost=Decimal("300"))
    attended(make_session(books, starts=at(2026, 5, 31, 20)), ann)
    it = make_activity(world.derby, title="IT", cost=Decimal("450"))
    attended(make_session(it, starts=at(2026, 2, 28, 20)), ed)
    qualified(it, ed, datetime.date(2026, 3, 15))
    welding = make_activity(world.derby, title="Welding", cost=Decimal("800"))
    make_session(welding, starts=at(2026, 4, 1), is_cancelled=True)
    theirs = make_activity(world.notts, title="Nottingham course", cost=Decimal("5000"))
    attended(make_session(theirs, starts=at(2026, 4, 1)), PersonFactory(branch=world.notts))
    return {"maths": maths, "books": books}


def test_costs_per_activity_with_learners_and_qualifications(world, spring):
    rows = [funding.as_cost_row(a) for a in funding.cost_rows(world.coordinator, SPRING_PERIOD)]
    assert [(r.activity.title, r.cost, r.learners, r.qualifications) for r in rows] == [
        ("Maths", Decimal("600"), 3, 2),
        ("Book club", Decimal("300"), 1, 0),
    ]
    maths, books = rows
    assert (maths.per_learner, maths.per_qualification) == (Decimal("200.00"), Decimal("300.00"))
    assert (books.per_learner, books.per_qualification) == (Decimal("300.00"), None)


def test_totals_count_each_learner_once_and_every_qualification_of_the_period(world, spring):
    totals = funding.cost_totals(world.coordinator, SPRING_PERIOD)
    assert (totals.activities, totals.cost, totals.learners) == (2, Decimal("900"), 3)
    assert (totals.qualifications, totals.qualifications_listed, totals.qualifications_unlisted) == (3, 2, 1)
    assert (totals.per_learner, totals.per_qualification) == (Decimal("300.00"), Decimal("300.00"))


def test_the_page_shows_the_figures_and_a_dash_where_there_is_nothing_to_divide_by(world, spring, coordinator_client):
    response = coordinator_client.get(COSTS, SPRING)
    page = response.content.decode()
    assert "1 March 2026 to 31 May 2026" in page
    assert "£900.00" in page and "£300.00" in page
    assert "—" in page  # the book club's cost per qualification
    assert "1 of them on courses whose sessions were all before it" in page
    assert "Nottingham course" not in page and "Welding" not in page


def test_costs_take_a_fixed_number_of_queries(world, spring, coordinator_client, django_assert_max_num_queries):
    for number in range(30):
        activity = make_activity(world.derby, title=f"Course {number}", cost=Decimal(number))
        attended(make_session(activity, starts=at(2026, 4, 2)), world.derby_person)
    with django_assert_max_num_queries(11):
        response = coordinator_client.get(COSTS, SPRING)
    assert len(response.context["page_obj"].object_list) == 25
    assert response.context["totals"].activities == 32


def test_the_period_is_this_year_so_far_unless_chosen(world, coordinator_client):
    today = timezone.localdate()
    period = coordinator_client.get(COSTS).context["period"]
    assert (period.starts_on, period.ends_on) == (datetime.date(today.year, 1, 1), today)
    last_year = coordinator_client.get(COSTS, {"period": "last_year"}).context["period"]
    assert (last_year.starts_on, last_year.ends_on) == (
        datetime.date(today.year - 1, 1, 1),
        datetime.date(today.year - 1, 12, 31),
    )


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"period": "custom", "ends_on": "2026-05-31"}, "starts_on", "Enter the first day of the period"),
        ({"period": "custom", "starts_on": "2026-05-31"}, "ends_on", "Enter the last day of the period"),
        (
            {"period": "custom", "starts_on": "2026-05-31", "ends_on": "2026-05-01"},
            "ends_on",
            "The last day must be on or after the first day",
        ),
        ({"period": "custom", "starts_on": "2026-02-30", "ends_on": "2026-05-01"}, "starts_on", "must be a real date"),
    ],
)
def test_a_wrong_custom_period_is_explained_next_to_the_field(world, coordinator_client, query, field, message):
    response = coordinator_client.get(COSTS, query)
    assert message in " ".join(response.context["form"].errors[field])
    assert "There is a problem" in response.content.decode()


def test_no_activities_in_the_period_says_what_to_do(world, coordinator_client):
    page = coordinator_client.get(COSTS, SPRING).content.decode()
    assert "No activities had a session in this period" in page


# The export ---------------------------------------------------------------------------------------


def test_export_lists_every_activity_safely_and_is_audited(world, spring, coordinator_client):
    spring["books"].title = "=HYPERLINK(evil)"
    spring["books"].save(update_fields=["title"])

    response = coordinator_client.get(EXPORT, SPRING)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "learning-costs-2026-03-01-to-2026-05-31.csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Activity", "Branch or unit", "Cost (£)"]
    assert rows[1] == ["Maths", "Derby City", "600.00", "3", "2", "200.00", "300.00"]
    assert rows[2] == ["'=HYPERLINK(evil)", "Derby City", "300.00", "1", "0", "300.00", ""]
    assert len(rows) == 3
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED, target_type="learning costs")
    assert event.actor == world.coordinator
    assert event.changes == {"format": "csv", "rows": 2, "starts_on": "2026-03-01", "ends_on": "2026-05-31"}


def test_the_page_links_to_the_export_of_its_period(world, spring, coordinator_client):
    page = coordinator_client.get(COSTS, SPRING).content.decode()
    assert f"{EXPORT}?period=custom&amp;starts_on=2026-03-01&amp;ends_on=2026-05-31" in page


def test_another_branch_exports_none_of_derby_costs(world, spring):
    response = client_for(world.outsider).get(EXPORT, SPRING)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Maths" not in text and "Nottingham course" in text


def test_the_regional_coordinator_sees_the_costs_of_all_their_branches(world, spring):
    totals = client_for(world.regional).get(COSTS, SPRING).context["totals"]
    assert (totals.activities, totals.cost, totals.learners) == (3, Decimal("5900"), 4)


def test_a_branch_officer_reads_the_costs(world, spring):
    response = client_for(world.officer).get(COSTS, SPRING)
    assert response.status_code == 200
    assert response.context["totals"].cost == Decimal("900")
