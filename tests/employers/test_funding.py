"""Funding: adding and changing bids and grants with the activities they pay for, the list with its totals and
filters, and who may see and change what."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.employers.models import FundingBid
from tests.conftest import client_for
from tests.employers.urls_funding import derby_bid
from tests.learning import make_activity

pytestmark = pytest.mark.django_db

ADD = reverse("employers:funding_add")
LIST = reverse("employers:funding_list")


def bid_data(world, **changes) -> dict:
    data = {
        "title": "Maths at the depots",
        "unit": world.derby.pk,
        "source": FundingBid.Source.UNION_LEARNING_FUND,
        "funder": "Union learning fund",
        "amount": "2500.00",
        "status": FundingBid.Status.PLANNED,
        "funds": "A tutor for two terms",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def make_bid(world, *, title: str = "A bid", unit=None, **fields) -> FundingBid:
    fields.setdefault("source", FundingBid.Source.UNION_LEARNING_FUND)
    fields.setdefault("amount", Decimal("1000"))
    return FundingBid.objects.create(unit=unit or world.derby, title=title, **fields)


# Adding and changing ------------------------------------------------------------------------------


def test_coordinator_adds_a_bid_with_the_activities_it_pays_for(world, coordinator_client):
    maths = make_activity(world.derby, title="Maths for work")
    make_activity(world.derby, title="Book swap")

    response = coordinator_client.post(ADD, bid_data(world, activities=[maths.pk], employer=world.council.pk))

    bid = FundingBid.objects.get(title="Maths at the depots")
    assert response["Location"] == reverse("employers:funding_detail", args=[bid.pk])
    assert list(bid.activities.all()) == [maths]
    assert (bid.amount, bid.employer, bid.created_by) == (Decimal("2500.00"), world.council, world.coordinator)
    event = AuditEvent.objects.get(target_type="fundingbid", target_id=bid.pk)
    assert event.action == AuditEvent.Action.CREATED
    assert event.unit == world.derby
    assert "activities" in event.changes["fields"]
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "Maths for work" in page and "Book swap" not in page


def test_the_form_offers_the_branch_when_it_is_the_only_one(world, coordinator_client):
    form = coordinator_client.get(ADD).context["form"]
    assert form["unit"].value() == world.derby.pk


def test_finding_an_activity_keeps_what_was_typed_and_saves_nothing(world, coordinator_client):
    spanish = make_activity(world.derby, title="Spanish for beginners")
    ticked = make_activity(world.derby, title="Maths for work")
    # More activities than the form lists at once: Spanish is among the oldest, so only finding it shows it.
    for number in range(35):
        make_activity(world.derby, title=f"Stall {number}")
    spanish.created_at = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    spanish.save(update_fields=["created_at"])
    assert "Spanish for beginners" not in coordinator_client.get(ADD).content.decode()

    response = coordinator_client.post(
        ADD, bid_data(world, title="Languages", amount="", activities=[ticked.pk], find_activities="spanish", find="1")
    )

    assert response.status_code == 200
    assert not FundingBid.objects.exists()
    page = response.content.decode()
    assert "Spanish for beginners" in page
    assert f'value="{ticked.pk}"' in page and "checked" in page  # still ticked
    assert 'value="Languages"' in page
    assert "There is a problem" not in page  # the blank amount is not complained about until saving


def test_an_activity_of_another_branch_cannot_be_ticked(world, coordinator_client):
    theirs = make_activity(world.notts, title="Nottingham course")
    response = coordinator_client.post(ADD, bid_data(world, activities=[theirs.pk]))
    assert response.status_code == 200
    assert not FundingBid.objects.exists()
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"status": "awarded"}, "decided_on", "Enter the date the funder decided"),
        ({"status": "submitted"}, "submitted_on", "Enter the date the bid was submitted"),
        ({"status": "planned", "decided_on": "2027-02-01"}, "decided_on", "A planned bid has not been decided yet"),
        (
            {"status": "refused", "submitted_on": "2027-03-01", "decided_on": "2027-02-01"},
            "decided_on",
            "The date decided must be on or after the date submitted",
        ),
        ({"starts_on": "2027-09-01", "ends_on": "2027-08-31"}, "ends_on", "on or after the date it starts"),
        ({"amount": "-5"}, "amount", "greater than or equal to 0"),
    ],
)
def test_dates_that_do_not_fit_the_status_are_explained_next_to_the_field(
    world, coordinator_client, changes, field, message
):
    response = coordinator_client.post(ADD, bid_data(world, **changes))
    assert response.status_code == 200
    assert not FundingBid.objects.exists()
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])


def test_coordinator_changes_a_bid_when_it_is_awarded(world, coordinator_client):
    bid = derby_bid(world)
    url = reverse("employers:funding_edit", args=[bid.pk])
    response = coordinator_client.post(
        url,
        bid_data(
            world,
            title=bid.title,
            amount="4000",
            status="awarded",
            submitted_on="2027-01-10",
            decided_on="2027-02-20",
        ),
    )
    assert response["Location"] == reverse("employers:funding_detail", args=[bid.pk])
    bid.refresh_from_db()
    assert (bid.status, bid.amount, bid.decided_on) == ("awarded", Decimal("4000.00"), datetime.date(2027, 2, 20))
    event = AuditEvent.objects.get(target_type="fundingbid", target_id=bid.pk, action=AuditEvent.Action.CHANGED)
    assert {"amount", "status", "decided_on"} <= set(event.changes["fields"])
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "20 February 2027" in page


# The list -----------------------------------------------------------------------------------------


def test_list_shows_the_money_awarded_waiting_and_planned(world, coordinator_client):
    make_bid(world, title="Won", amount=Decimal("1500"), status="awarded", decided_on=datetime.date(2027, 1, 5))
    make_bid(world, title="Spent", amount=Decimal("500"), status="spent")
    make_bid(world, title="Sent", amount=Decimal("2000"), status="submitted")
    make_bid(world, title="Idea", amount=Decimal("750"), status="planned")
    make_bid(world, title="Lost", amount=Decimal("9999"), status="refused")
    make_bid(world, title="Not ours", unit=world.notts, amount=Decimal("12345"), status="awarded")

    response = coordinator_client.get(LIST)

    totals = response.context["totals"]
    assert (totals.bids, totals.awarded, totals.pending, totals.planned) == (5, 2000, 2000, 750)
    page = response.content.decode()
    assert "£2,000.00" in page and "£750.00" in page
    assert "Not ours" not in page


def test_list_filters_by_status_source_and_employer(world, coordinator_client):
    make_bid(world, title="Council money", source="employer", employer=world.council, status="awarded")
    make_bid(world, title="Fund bid", source="union_fund", status="submitted")

    by_source = coordinator_client.get(LIST, {"source": "employer"}).content.decode()
    by_status = coordinator_client.get(LIST, {"status": "submitted"}).content.decode()
    by_employer = coordinator_client.get(LIST, {"employer": world.council.pk}).content.decode()

    assert "Council money" in by_source and "Fund bid" not in by_source
    assert "Fund bid" in by_status and "Council money" not in by_status
    assert "Council money" in by_employer and "Fund bid" not in by_employer


def test_an_empty_list_says_how_to_start(world, coordinator_client):
    page = coordinator_client.get(LIST).content.decode()
    assert "No bids or grants yet" in page and reverse("employers:funding_add") in page


def test_list_is_paginated_in_the_database(world, coordinator_client, django_assert_max_num_queries):
    for number in range(30):
        make_bid(world, title=f"Bid {number}", employer=world.council)
    with django_assert_max_num_queries(10):
        response = coordinator_client.get(LIST)
    assert len(response.context["page_obj"].object_list) == 25
    assert response.context["totals"].bids == 30


# Who may do what ----------------------------------------------------------------------------------


def test_branch_officer_reads_bids_but_cannot_add_or_change_them(world):
    bid = derby_bid(world)
    officer = client_for(world.officer)
    listing = officer.get(LIST).content.decode()
    assert bid.title in listing and "Add a bid or grant" not in listing
    detail = officer.get(reverse("employers:funding_detail", args=[bid.pk])).content.decode()
    assert reverse("employers:funding_edit", args=[bid.pk]) not in detail
    assert officer.get(ADD).status_code == 403
    assert officer.post(reverse("employers:funding_edit", args=[bid.pk]), bid_data(world)).status_code == 404
    bid.refresh_from_db()
    assert bid.title == "Maths and English at the Council House"


def test_a_ulr_has_no_funding_pages(world):
    bid = derby_bid(world)
    ulr = client_for(world.ulr)
    assert ulr.get(LIST).status_code == 404
    assert ulr.get(reverse("employers:funding_detail", args=[bid.pk])).status_code == 404
    assert ulr.get(reverse("employers:costs")).status_code == 404


def test_regional_coordinator_sees_and_changes_the_bids_of_their_branches(world):
    derby = derby_bid(world)
    make_bid(world, title="Nottingham bid", unit=world.notts)
    make_bid(world, title="Manchester bid", unit=world.manchester)
    regional = client_for(world.regional)
    page = regional.get(LIST).content.decode()
    assert derby.title in page and "Nottingham bid" in page and "Manchester bid" not in page
    assert regional.get(reverse("employers:funding_edit", args=[derby.pk])).status_code == 200


def test_a_bid_shows_only_the_activities_the_user_can_see(world):
    # Ticked by the regional co-ordinator: Derby's bid also pays for a course in Nottingham.
    bid = make_bid(world, title="Shared tutor")
    bid.activities.set([make_activity(world.derby, title="Derby maths"), make_activity(world.notts, title="Notts IT")])
    page = client_for(world.coordinator).get(reverse("employers:funding_detail", args=[bid.pk])).content.decode()
    assert "Derby maths" in page and "Notts IT" not in page
    assert "And 1 activity in other branches" in page
