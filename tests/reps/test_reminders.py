"""What needs a co-ordinator's attention (home page), the deadline warnings and the weekly digest emails."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from learningdesk.org import selectors
from learningdesk.org.models import Role
from learningdesk.reps import reminders
from learningdesk.reps.models import Action, BranchRepSettings, Rep, SentReminder, Stage, SupportContact
from learningdesk.reps.tasks import send_rep_reminders as send_rep_reminders_task
from tests.conftest import client_for
from tests.factories import PersonFactory, UserFactory, give_role
from tests.reps import days_ago, make_rep, rep_with_login

TODAY = timezone.localdate


def ulr_due_in(world, days: int, *, name: str = "Maria Alberts", branch=None) -> Rep:
    """A notified, untrained ULR whose training deadline is `days` from today (negative: overdue)."""
    first, last = name.split(" ", 1)
    person = (
        world.derby_person
        if name == "Maria Alberts"
        else PersonFactory(first_name=first, last_name=last, branch=branch or world.derby, workplace=world.town_hall)
    )
    rep = make_rep(person, stage=Stage.NOTIFIED, workplaces=[person.workplace] if person.workplace else [])
    Rep.objects.filter(pk=rep.pk).update(training_due_by=TODAY() + datetime.timedelta(days=days))
    rep.refresh_from_db()
    return rep


def quiet_rep(world, *, days: int, name: str = "Dev Patel", contacted: bool = True, stage: str = Stage.ACTIVE) -> Rep:
    """A rep whose last support contact (or, with none, whose joining the register) was `days` ago."""
    person = (
        world.depot_person
        if name == "Dev Patel"
        else PersonFactory(
            first_name=name.split()[0], last_name=name.split()[1], branch=world.derby, workplace=world.depot
        )
    )
    rep = make_rep(person, kind="learner_rep", stage=stage, workplaces=[world.depot])
    Rep.objects.filter(pk=rep.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))
    if contacted:
        SupportContact.objects.create(rep=rep, on=days_ago(days))
    else:
        # Midday, local time: `days` ago by the calendar whatever the time of day and the clocks' change.
        added = timezone.make_aware(datetime.datetime.combine(days_ago(days), datetime.time(12)))
        Rep.objects.filter(pk=rep.pk).update(created_at=added)
    return rep


def overdue_action(world, *, days_late: int = 3, rep: Rep | None = None, text: str = "Book the ULR course") -> Action:
    return Action.objects.create(
        unit=world.derby, rep=rep, description=text, owner_name="Carol", due_on=days_ago(days_late)
    )


# The selectors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "listed"), [(61, False), (60, True), (0, True), (-1, True), (-400, True)])
def test_deadlines_within_60_days_or_overdue_are_listed(world, days, listed):
    rep = ulr_due_in(world, days)
    attention = reminders.needs_attention(world.coordinator)
    assert ([item.rep for item in attention.deadlines.items] == [rep]) is listed


def test_deadlines_are_listed_soonest_first_with_their_level(world):
    later = ulr_due_in(world, 45, name="Ann Later")
    overdue = ulr_due_in(world, -2, name="Bea Overdue")
    week = ulr_due_in(world, 5, name="Cy Week")
    items = reminders.needs_attention(world.coordinator).deadlines.items
    assert [item.rep for item in items] == [overdue, week, later]
    assert [item.label for item in items] == ["overdue by 2 days", "5 days left", "45 days left"]


def test_trained_and_stood_down_reps_owe_no_training(world):
    trained = ulr_due_in(world, 10, name="Ann Trained")
    Rep.objects.filter(pk=trained.pk).update(trained_on=days_ago(1))
    gone = ulr_due_in(world, 10, name="Bo Gone")
    Rep.objects.filter(pk=gone.pk).update(stage=Stage.STOOD_DOWN)
    assert not reminders.needs_attention(world.coordinator).deadlines


def test_another_branch_sees_none_of_derbys_reminders(world):
    rep = ulr_due_in(world, 10)
    quiet_rep(world, days=100)
    overdue_action(world, rep=rep)
    attention = reminders.needs_attention(world.outsider)
    assert attention.total == 0


@pytest.mark.parametrize(("days", "listed"), [(42, False), (43, True)])
def test_a_rep_is_flagged_after_the_default_42_days_without_contact(world, days, listed):
    rep = quiet_rep(world, days=days)
    items = reminders.needs_attention(world.coordinator).uncontacted.items
    assert ([item.rep for item in items] == [rep]) is listed


def test_a_rep_never_contacted_counts_from_the_day_they_were_added(world):
    rep = quiet_rep(world, days=50, contacted=False)
    [item] = reminders.needs_attention(world.coordinator).uncontacted.items
    assert item.rep == rep
    assert item.label == "no contact recorded since they were added 50 days ago"


def test_the_branchs_own_no_contact_days_apply(world):
    BranchRepSettings.objects.create(unit=world.derby, no_contact_days=14)
    rep = quiet_rep(world, days=15)
    [item] = reminders.needs_attention(world.coordinator).uncontacted.items
    assert (item.rep, item.days) == (rep, 15)


def test_the_latest_contact_counts(world):
    rep = quiet_rep(world, days=100)
    SupportContact.objects.create(rep=rep, on=days_ago(3))
    assert not reminders.needs_attention(world.coordinator).uncontacted


def test_prospects_not_yet_agreed_and_stood_down_reps_are_not_chased(world):
    quiet_rep(world, days=100, stage=Stage.APPROACHED)
    agreed = quiet_rep(world, days=100, name="Ann Agreed", stage=Stage.AGREED)
    assert [item.rep for item in reminders.needs_attention(world.coordinator).uncontacted.items] == [agreed]


def test_overdue_open_actions_are_listed(world):
    late = overdue_action(world, days_late=2)
    overdue_action(world, days_late=-3, text="Not due yet")
    done = overdue_action(world, days_late=5, text="Done")
    Action.objects.filter(pk=done.pk).update(done_on=days_ago(1))
    assert reminders.needs_attention(world.coordinator).overdue_actions.items == [late]


def test_long_lists_are_cut_with_a_count_of_the_rest(world):
    for n in range(12):
        ulr_due_in(world, n, name=f"Rep Number{n:02d}")
    deadlines = reminders.needs_attention(world.coordinator).deadlines
    assert (len(deadlines.items), deadlines.total, deadlines.more) == (10, 12, 2)


def test_the_ulr_count_is_of_current_ulrs_on_the_register(world):
    make_rep(world.derby_person, stage=Stage.ACTIVE, workplaces=[world.town_hall])
    make_rep(world.depot_person, stage=Stage.NOTIFIED, workplaces=[world.depot])
    make_rep(PersonFactory(branch=world.derby, workplace=world.depot), stage=Stage.AGREED, workplaces=[world.depot])
    make_rep(PersonFactory(branch=world.derby, workplace=world.depot), kind="learner_champion", stage=Stage.ACTIVE)
    make_rep(world.notts_person, stage=Stage.ACTIVE, workplaces=[world.hospital])
    assert selectors.current_ulr_count(world.coordinator) == 2
    assert selectors.current_ulr_count(world.regional) == 3


# The home page ----------------------------------------------------------------------------------


def test_the_coordinators_home_shows_what_needs_attention(world):
    due = ulr_due_in(world, 20)
    quiet = quiet_rep(world, days=60)
    overdue_action(world, rep=quiet, text="Ask about the stall")
    page = client_for(world.coordinator).get(reverse("home")).content.decode()
    assert "Training deadlines" in page
    assert reverse("reps:detail", args=[due.pk]) in page
    assert "20 days left" in page
    assert "Reps you have not contacted" in page
    assert "last contact 60 days ago" in page
    assert "Overdue actions" in page
    assert "Ask about the stall" in page
    assert reverse("reps:settings") in page


def test_an_officer_sees_the_lists_but_not_the_settings_link(world):
    ulr_due_in(world, 20)
    page = client_for(world.officer).get(reverse("home")).content.decode()
    assert "Maria Alberts" in page
    assert reverse("reps:settings") not in page


def test_a_quiet_home_says_nothing_needs_attention(world):
    page = client_for(world.coordinator).get(reverse("home")).content.decode()
    assert "Nothing needs your attention today" in page


def test_the_home_page_shows_how_many_more(world):
    for n in range(11):
        ulr_due_in(world, n, name=f"Rep Number{n:02d}")
    page = client_for(world.coordinator).get(reverse("home")).content.decode()
    assert "And 1 more" in page
    assert f"{reverse('reps:register')}?deadline=overdue" in page


def test_the_home_figure_counts_union_learning_reps_from_the_register(world):
    make_rep(world.derby_person, stage=Stage.ACTIVE, workplaces=[world.town_hall])
    response = client_for(world.coordinator).get(reverse("home"))
    assert response.context["figures"].ulrs == 1


def test_a_rep_sees_their_own_section_first(world):
    rep = rep_with_login(world)
    response = client_for(world.ulr).get(reverse("home"))
    assert response.context["own_reps"] == [rep]
    assert response.context["rep_attention"] is None


def test_the_home_page_stays_a_few_queries_with_many_reps(world, django_assert_max_num_queries):
    for n in range(15):
        rep = ulr_due_in(world, n - 5, name=f"Rep Number{n:02d}")
        SupportContact.objects.create(rep=rep, on=days_ago(50 + n))
        overdue_action(world, rep=rep, text=f"Action {n}")
    BranchRepSettings.objects.create(unit=world.derby, no_contact_days=30)
    client = client_for(world.coordinator)
    # 24: four of them the work with employers (employers/home.py), however many agreements and cases.
    with django_assert_max_num_queries(24):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert len(response.context["rep_attention"].deadlines.items) == 10


# Deadline warnings ------------------------------------------------------------------------------


def deadline_mail(mailoutbox):
    return [m for m in mailoutbox if m.subject.startswith("Training")]


@pytest.mark.parametrize(
    ("days", "subject"),
    [
        (61, None),
        (60, "Training deadline in 60 days"),
        (31, "Training deadline in 31 days"),
        (30, "Training deadline in 30 days"),
        (8, "Training deadline in 8 days"),
        (7, "Training deadline in 7 days"),
        (0, "Training deadline today"),
        (-1, "Training overdue"),
    ],
)
def test_a_deadline_warning_at_each_edge(world, mailoutbox, days, subject):
    ulr_due_in(world, days)
    reminders.send_rep_reminders()
    sent = deadline_mail(mailoutbox)
    if subject is None:
        assert sent == []
    else:
        [message] = sent
        assert message.subject.startswith(subject)
        assert "Maria Alberts" in message.subject


def test_each_warning_is_sent_once_as_the_deadline_comes_closer(world, mailoutbox):
    rep = ulr_due_in(world, 61)
    due = rep.training_due_by
    sent_by_day = {}
    for days_left in (61, 60, 59, 31, 30, 29, 8, 7, 6, 0, -1, -2, -30):
        mailoutbox.clear()
        reminders.send_rep_reminders(today=due - datetime.timedelta(days=days_left))
        sent_by_day[days_left] = [m.subject for m in deadline_mail(mailoutbox)]
    assert {day: len(subjects) for day, subjects in sent_by_day.items()} == {
        61: 0,
        60: 1,
        59: 0,
        31: 0,
        30: 1,
        29: 0,
        8: 0,
        7: 1,
        6: 0,
        0: 0,
        -1: 1,
        -2: 0,
        -30: 0,
    }
    assert set(SentReminder.objects.values_list("key", flat=True)) >= {
        f"deadline:{rep.pk}:{due}:{level}" for level in ("60", "30", "7", "overdue")
    }


def test_a_warning_goes_to_the_branch_coordinators(world, mailoutbox):
    rep = ulr_due_in(world, 30)
    reminders.send_rep_reminders()
    [message] = deadline_mail(mailoutbox)
    assert message.to == ["coordinator@example.org"]
    assert "Dear Carol" in message.body
    assert "must complete their training by" in message.body
    assert reverse("reps:detail", args=[rep.pk]) in message.body
    assert reverse("reps:training_add", args=[rep.pk]) in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Maria Alberts" in html


def test_without_a_branch_coordinator_the_regional_coordinators_are_warned(world, mailoutbox):
    world.coordinator.roles.update(ends_on=days_ago(1))
    ulr_due_in(world, 7)
    reminders.send_rep_reminders()
    assert [m.to for m in deadline_mail(mailoutbox)] == [["region@example.org"]]


def test_a_warning_with_nobody_to_send_it_to_waits_for_a_coordinator(world, mailoutbox):
    world.coordinator.roles.update(ends_on=days_ago(1))
    world.regional.roles.update(ends_on=days_ago(1))
    ulr_due_in(world, 7)
    assert reminders.send_rep_reminders().skipped_no_recipient
    assert not SentReminder.objects.filter(kind="deadline").exists()
    give_role(UserFactory(email="new@example.org", full_name="Nat New"), Role.BRANCH_COORDINATOR, world.derby)
    reminders.send_rep_reminders()
    assert [m.to for m in deadline_mail(mailoutbox)] == [["new@example.org"]]


def test_a_second_run_sends_nothing(world, mailoutbox):
    ulr_due_in(world, 7)
    quiet_rep(world, days=100)
    reminders.send_rep_reminders()
    assert mailoutbox
    mailoutbox.clear()
    assert reminders.send_rep_reminders().emails == []
    assert mailoutbox == []


def test_a_failed_send_is_tried_again(world, mailoutbox, monkeypatch):
    ulr_due_in(world, 7)

    def broken(email):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(reminders, "_send", broken)
    with pytest.raises(ConnectionRefusedError):
        reminders.send_rep_reminders()
    assert not SentReminder.objects.exists()
    monkeypatch.undo()
    reminders.send_rep_reminders()
    assert len(deadline_mail(mailoutbox)) == 1


# The weekly digest ------------------------------------------------------------------------------


def digest_mail(mailoutbox):
    return [m for m in mailoutbox if m.subject.startswith("Your ULRs this week")]


def test_the_weekly_digest_lists_the_three_lists(world, mailoutbox):
    ulr_due_in(world, 20)
    quiet = quiet_rep(world, days=60)
    overdue_action(world, rep=quiet, text="Ask about the stall")
    reminders.send_rep_reminders()
    by_recipient = {m.to[0]: m for m in digest_mail(mailoutbox)}
    assert set(by_recipient) == {"coordinator@example.org", "region@example.org"}
    message = by_recipient["coordinator@example.org"]
    assert message.subject == "Your ULRs this week: 1 training deadline, 1 rep to contact, 1 overdue action"
    for text in (
        "TRAINING DEADLINES",
        "Maria Alberts",
        "REPS YOU HAVE NOT CONTACTED",
        "Dev Patel",
        "Ask about the stall",
    ):
        assert text in message.body
    assert reverse("reps:settings") in message.body
    assert "Maria Alberts" in message.alternatives[0][0]


def test_the_digest_goes_once_a_week(world, mailoutbox):
    ulr_due_in(world, 50)
    monday = TODAY() - datetime.timedelta(days=TODAY().weekday())
    reminders.send_rep_reminders(today=monday)
    assert len(digest_mail(mailoutbox)) == 2
    mailoutbox.clear()
    reminders.send_rep_reminders(today=monday + datetime.timedelta(days=3))
    assert digest_mail(mailoutbox) == []
    reminders.send_rep_reminders(today=monday + datetime.timedelta(days=7))
    assert len(digest_mail(mailoutbox)) == 2
    week = reminders.iso_week(monday)
    assert SentReminder.objects.filter(kind="digest", key=f"digest:{world.coordinator.pk}:{week}").exists()


def test_a_branch_can_turn_the_digest_off(world, mailoutbox):
    ulr_due_in(world, 50)
    BranchRepSettings.objects.create(unit=world.derby, weekly_digest=False)
    reminders.send_rep_reminders()
    assert [m.to for m in digest_mail(mailoutbox)] == [["region@example.org"]]


def test_an_empty_week_sends_no_digest(world, mailoutbox):
    reminders.send_rep_reminders()
    assert digest_mail(mailoutbox) == []


def test_the_outsiders_digest_says_nothing_of_derby(world, mailoutbox):
    ulr_due_in(world, 20)
    reminders.send_rep_reminders()
    assert all(m.to != ["notts@example.org"] for m in mailoutbox)


# The command and the task -----------------------------------------------------------------------


def test_the_command_dry_run_prints_and_sends_nothing(world, mailoutbox):
    ulr_due_in(world, 7)
    out = StringIO()
    call_command("send_rep_reminders", "--dry-run", stdout=out)
    assert "Would send to coordinator@example.org: Training deadline in 7 days" in out.getvalue()
    assert mailoutbox == []
    assert not SentReminder.objects.exists()


def test_the_command_sends_the_reminders(world, mailoutbox):
    ulr_due_in(world, 7)
    out = StringIO()
    call_command("send_rep_reminders", stdout=out)
    assert "Sent 3 emails." in out.getvalue()  # the warning, and the digest to the branch and the region
    assert len(mailoutbox) == 3
    # What a real run prints goes to the system log: no email address, no rep's name.
    assert "@" not in out.getvalue() and "Alberts" not in out.getvalue()
    assert f"email to user {world.coordinator.pk}" in out.getvalue()


def test_the_task_sends_the_reminders(world, mailoutbox):
    ulr_due_in(world, -1)
    result = send_rep_reminders_task.enqueue()
    assert any(item["subject"].startswith("Training overdue") for item in result.return_value["sent"])
    assert len(deadline_mail(mailoutbox)) == 1


def test_the_command_can_hand_the_work_to_the_task_worker(world, mailoutbox):
    ulr_due_in(world, 30)
    out = StringIO()
    call_command("send_rep_reminders", "--enqueue", stdout=out)
    assert "Queued for the task worker" in out.getvalue()
    assert len(deadline_mail(mailoutbox)) == 1  # the tests' task backend runs it at once
