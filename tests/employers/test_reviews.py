"""Reminders before a learning agreement's review (90 and 30 days, overdue), the signs it sits in a drawer, and
the "Learning agreements to review" section of the weekly digest."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from learningdesk.employers import reviews
from learningdesk.employers.models import LearningAgreement
from learningdesk.reps import reminders
from learningdesk.reps.models import SentReminder, Stage
from tests.conftest import client_for
from tests.employers import days_from_today, make_agreement, make_committee, make_meeting
from tests.factories import EmployerFactory, WorkplaceFactory
from tests.reps import derby_rep, make_rep

pytestmark = pytest.mark.django_db

Status = LearningAgreement.Status


def today() -> datetime.date:
    return timezone.localdate()


# Review levels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "level", "label"),
    [
        (91, None, None),
        (90, "90", "review in 90 days"),
        (31, "90", "review in 31 days"),
        (30, "30", "review in 30 days"),
        (1, "30", "review in 1 day"),
        (0, "30", "review due today"),
        (-1, "overdue", "review overdue by 1 day"),
        (-40, "overdue", "review overdue by 40 days"),
    ],
)
def test_the_reminder_level_at_each_edge(world, days, level, label):
    agreement = make_agreement(world, review_on=days_from_today(days))
    due = reviews.reviews_due(world.coordinator, today=today())
    if level is None:
        assert due == []
    else:
        [item] = due
        assert (item.agreement, item.level, item.days_left, item.label) == (agreement, level, days, label)


def test_only_signed_agreements_are_reminded(world):
    make_agreement(world, status=Status.NEGOTIATING, review_on=days_from_today(10))
    make_agreement(world, status=Status.ENDED, signed_on=days_from_today(-400), review_on=days_from_today(-10))
    assert reviews.reviews_due(world.coordinator, today=today()) == []


def test_reviews_are_soonest_first_and_scoped(world):
    later = make_agreement(world, title="Later", review_on=days_from_today(60))
    late = make_agreement(world, title="Late", review_on=days_from_today(-5))
    assert [item.agreement for item in reviews.reviews_due(world.coordinator, today=today())] == [late, later]
    assert [item.agreement for item in reviews.reviews_due(world.regional, today=today())] == [late, later]
    assert reviews.reviews_due(world.outsider, today=today()) == []
    assert len(reviews.reviews_due(world.coordinator, today=today(), limit=1)) == 1


# In the drawer ----------------------------------------------------------------------------------


def test_an_unused_agreement_shows_every_sign(world):
    agreement = make_agreement(world, review_on=days_from_today(-3))
    [item] = reviews.in_the_drawer(world.coordinator, today=today())
    assert item.agreement == agreement
    assert item.signs == ["no committee meeting recorded", "no reps at its workplaces", "review overdue"]


def test_a_used_agreement_is_not_in_the_drawer(world):
    agreement = make_agreement(world)
    make_meeting(make_committee(world, agreement=agreement), days=-30)
    derby_rep(world)
    assert reviews.in_the_drawer(world.coordinator, today=today()) == []
    assert reviews.drawer_for(agreement, today=today()) is None


def test_a_committee_quiet_for_six_months_is_a_sign(world):
    agreement = make_agreement(world)
    derby_rep(world)
    committee = make_committee(world)  # the employer's committee, not linked to the agreement
    make_meeting(committee, days=-200)
    make_meeting(committee, days=+20)  # planned, not held
    [item] = reviews.in_the_drawer(world.coordinator, today=today())
    held = days_from_today(-200)
    assert item.signs == [f"no committee meeting since {held.day} {held:%B %Y}"]
    assert reviews.drawer_for(agreement, today=today()).signs == item.signs


def test_reps_count_only_at_the_employers_workplaces_in_the_units_covered(world):
    agreement = make_agreement(world)
    make_meeting(make_committee(world, agreement=agreement), days=-10)
    make_rep(world.notts_person, stage=Stage.ACTIVE, workplaces=[world.hospital])
    college = EmployerFactory(name="Derby College", unit=world.derby)
    make_rep(
        world.depot_person, stage=Stage.ACTIVE, workplaces=[WorkplaceFactory(employer=college, branch=world.derby)]
    )
    make_rep(world.derby_person, stage=Stage.PROSPECT, workplaces=[world.town_hall])
    [item] = reviews.in_the_drawer(world.coordinator, today=today())
    assert item.signs == ["no reps at its workplaces"]


def test_a_region_wide_agreement_counts_reps_in_its_branches(world):
    agreement = make_agreement(world)
    agreement.units.set([world.region])
    make_meeting(make_committee(world, agreement=agreement), days=-10)
    derby_rep(world)
    assert reviews.in_the_drawer(world.regional, today=today()) == []


def test_the_drawer_is_scoped(world):
    make_agreement(world)
    assert reviews.in_the_drawer(world.outsider, today=today()) == []


def test_the_agreement_page_warns_of_the_drawer(world):
    agreement = make_agreement(world, review_on=days_from_today(-3))
    page = client_for(world.coordinator).get(reverse("employers:agreement_detail", args=[agreement.pk]))
    html = page.content.decode()
    assert "This agreement may be sitting in a drawer" in html
    assert "no reps at its workplaces" in html
    assert "Review overdue" in html


# The weekly digest ------------------------------------------------------------------------------


def digests(mailoutbox, to: str) -> list:
    return [m for m in mailoutbox if m.subject.startswith("Your ULRs this week") and m.to == [to]]


def test_the_digest_lists_agreements_to_review(world, mailoutbox):
    make_agreement(world, title="Council learning agreement", review_on=days_from_today(25))
    reminders.send_rep_reminders()
    [message] = digests(mailoutbox, "coordinator@example.org")
    assert message.subject == "Your ULRs this week: 1 learning agreement to review"
    assert "LEARNING AGREEMENTS TO REVIEW" in message.body
    assert "Council learning agreement, Derby City Council" in message.body
    assert "review in 25 days" in message.body
    html = message.alternatives[0][0]
    assert "Learning agreements to review" in html
    # The regional co-ordinator hears of the region's agreements too; the other branch's co-ordinator does not.
    assert sorted(m.to[0] for m in mailoutbox if "learning agreement" in m.subject) == [
        "coordinator@example.org",
        "region@example.org",
    ]


def test_each_level_is_in_one_digest_only(world, mailoutbox):
    agreement = make_agreement(world, title="Council learning agreement", review_on=days_from_today(40))
    reminders.send_rep_reminders()
    assert len(digests(mailoutbox, "coordinator@example.org")) == 1
    mailoutbox.clear()
    # A week on, still in the 90-day window: nothing new to say.
    reminders.send_rep_reminders(today=today() + datetime.timedelta(days=7))
    assert digests(mailoutbox, "coordinator@example.org") == []
    # Within 30 days: told again, once.
    reminders.send_rep_reminders(today=today() + datetime.timedelta(days=14))
    [message] = digests(mailoutbox, "coordinator@example.org")
    assert "review in 26 days" in message.body
    mailoutbox.clear()
    reminders.send_rep_reminders(today=today() + datetime.timedelta(days=21))
    assert digests(mailoutbox, "coordinator@example.org") == []
    assert SentReminder.objects.filter(key__startswith=f"review:{world.coordinator.pk}:{agreement.pk}:").count() == 2


def test_a_dry_run_records_nothing(world, mailoutbox):
    make_agreement(world, review_on=days_from_today(-2))
    report = reminders.send_rep_reminders(dry_run=True)
    assert any("learning agreement" in item["subject"] for item in report.as_dict()["sent"])
    assert mailoutbox == []
    assert not SentReminder.objects.filter(key__startswith="review:").exists()


def test_another_branchs_agreement_never_reaches_its_digest(world, mailoutbox):
    make_agreement(world, title="Council learning agreement", review_on=days_from_today(-2))
    reminders.send_rep_reminders()
    assert digests(mailoutbox, "notts@example.org") == []
    assert all("Council learning agreement" not in m.body for m in mailoutbox if m.to == ["notts@example.org"])
    assert len(digests(mailoutbox, "coordinator@example.org")) == 1
