"""Supporting reps: the support log with its ABC(D&E) tags and agreed actions, the action plan, actions and
recognition (services, then screens and who may use them)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.reps import support
from learningdesk.reps.models import Action, BranchRepSettings, Recognition, Rep, SupportContact
from tests.conftest import client_for
from tests.factories import PersonFactory
from tests.reps import days_ago, derby_rep, make_rep, rep_with_login

pytestmark = pytest.mark.django_db


def log_contact(world, rep: Rep, actions=(), **data) -> SupportContact:
    return support.support_contact_add(
        acting_user=world.coordinator,
        rep=rep,
        data={"on": timezone.localdate(), "kind": SupportContact.Kind.ONE_TO_ONE, **data},
        actions=actions,
    )


def plan_step(world, rep: Rep, description: str = "Run a learning stall", **data) -> Action:
    return support.plan_action_add(acting_user=world.coordinator, rep=rep, data={"description": description, **data})


# Services ---------------------------------------------------------------------------------------


def test_a_contact_keeps_its_tags_and_agreed_actions(world):
    rep = derby_rep(world)
    contact = support.support_contact_add(
        acting_user=world.coordinator,
        rep=rep,
        data={"on": days_ago(1), "kind": SupportContact.Kind.PHONE, "appreciation": True, "develop": True},
        actions=[
            {"description": "Book the Level 2 course", "who": support.OWNER_REP, "due_on": days_ago(-14)},
            {"description": "Ask the manager about time off", "who": support.OWNER_ME, "due_on": None},
        ],
    )
    assert contact.tags == ["Appreciation", "Develop"]
    rep_action, my_action = contact.actions.order_by("id")
    assert (rep_action.owner, rep_action.rep, rep_action.unit) == (rep.person, rep, world.derby)
    assert rep_action.due_on == days_ago(-14)
    # The co-ordinator's login has no person: the action is theirs by name.
    assert (my_action.owner, my_action.owner_name) == (None, "Carol Coordinator")


def test_an_action_for_a_coordinator_with_a_person_is_owned_by_that_person(world):
    world.coordinator.person = PersonFactory(first_name="Carol", last_name="Coordinator", branch=world.derby)
    world.coordinator.save(update_fields=["person"])
    contact = log_contact(world, derby_rep(world), actions=[{"description": "Send the dates", "who": "me"}])
    assert contact.actions.get().owner == world.coordinator.person


def test_reviewing_the_plan_dates_the_review(world):
    rep = derby_rep(world)
    log_contact(world, rep, on=days_ago(3), reviewed_plan=True)
    rep.refresh_from_db()
    assert rep.plan_reviewed_on == days_ago(3)


def test_logging_an_older_review_does_not_move_the_review_date_back(world):
    rep = derby_rep(world)
    log_contact(world, rep, on=days_ago(3), reviewed_plan=True)
    log_contact(world, rep, on=days_ago(20), reviewed_plan=True)
    rep.refresh_from_db()
    assert rep.plan_reviewed_on == days_ago(3)


def test_a_contact_without_review_leaves_the_plan_date_alone(world):
    rep = derby_rep(world)
    log_contact(world, rep, on=days_ago(3))
    rep.refresh_from_db()
    assert rep.plan_reviewed_on is None


def test_a_contact_cannot_be_in_the_future(world):
    with pytest.raises(ValidationError):
        log_contact(world, derby_rep(world), on=days_ago(-1))
    assert not SupportContact.objects.exists()


def test_a_contact_is_audited_for_the_reps_branch(world):
    contact = log_contact(world, derby_rep(world), communicate=True)
    event = AuditEvent.objects.get(target_type="supportcontact", target_id=contact.pk)
    assert (event.actor, event.unit, event.changes["tags"]) == (world.coordinator, world.derby, ["communicate"])


def test_a_plan_step_belongs_to_the_rep(world):
    rep = derby_rep(world)
    step = plan_step(world, rep, due_on=days_ago(-30), support_needed="Time off agreed")
    assert (step.is_plan, step.owner, step.unit, step.rep) == (True, rep.person, world.derby, rep)


def test_ticking_an_action_marks_it_done_today_and_ticking_again_opens_it(world):
    step = plan_step(world, derby_rep(world))
    assert support.action_toggle(acting_user=world.coordinator, action=step).done_on == timezone.localdate()
    assert support.action_toggle(acting_user=world.coordinator, action=step).done_on is None


def test_recognition_is_recorded(world):
    recognition = support.recognition_add(
        acting_user=world.coordinator,
        rep=derby_rep(world),
        data={"kind": Recognition.Kind.NOMINATED, "on": days_ago(2), "note": "Learning at Work Week"},
    )
    assert recognition.recorded_by == world.coordinator


def test_no_contact_days_default_to_42(world):
    assert support.no_contact_days(world.derby) == 42


def test_a_rep_is_flagged_after_the_branchs_own_no_contact_days(world):
    BranchRepSettings.objects.create(unit=world.derby, no_contact_days=14)
    rep = derby_rep(world)
    log_contact(world, rep, on=days_ago(14))
    assert support.contact_status(rep).level == "ok"
    SupportContact.objects.update(on=days_ago(15))
    assert support.contact_status(rep).level == "amber"
    SupportContact.objects.update(on=days_ago(29))
    assert support.contact_status(rep).level == "red"


# Logging a contact ------------------------------------------------------------------------------


def support_post(**fields) -> dict:
    data = {
        "on": timezone.localdate().isoformat(),
        "kind": "one_to_one",
        "notes": "Went well",
        "action-TOTAL_FORMS": "3",
        "action-INITIAL_FORMS": "0",
        "action-MIN_NUM_FORMS": "0",
        "action-MAX_NUM_FORMS": "3",
    }
    for index in range(3):
        data[f"action-{index}-who"] = "rep"
    data.update(fields)
    return data


def test_the_support_form_offers_the_abcde_with_the_handbooks_hints(world, coordinator_client):
    page = coordinator_client.get(reverse("reps:support_add", args=[derby_rep(world).pk])).content.decode()
    for words in ("Appreciation", "What motivates them", "Let them lead, ask for their help", "Action 3"):
        assert words in page
    assert f'value="{timezone.localdate().isoformat()}"' in page


def test_a_coordinator_logs_a_1_2_1_with_two_actions(world, coordinator_client):
    rep = derby_rep(world)
    response = coordinator_client.post(
        reverse("reps:support_add", args=[rep.pk]),
        support_post(
            benefits="on",
            reviewed_plan="on",
            **{
                "action-0-description": "Book the course",
                "action-0-due_on": days_ago(-7).isoformat(),
                "action-1-description": "Ask about time off",
                "action-1-who": "me",
            },
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reps:detail", args=[rep.pk])
    contact = rep.support_contacts.get()
    assert contact.benefits and contact.tags == ["Benefits"]
    assert sorted(contact.actions.values_list("description", flat=True)) == ["Ask about time off", "Book the course"]
    rep.refresh_from_db()
    assert rep.plan_reviewed_on == timezone.localdate()


def test_blank_actions_are_skipped(world, coordinator_client):
    rep = derby_rep(world)
    data = {key: value for key, value in support_post().items() if not key.endswith("-who")}
    response = coordinator_client.post(reverse("reps:support_add", args=[rep.pk]), data)
    assert response.status_code == 302
    assert rep.support_contacts.get().actions.count() == 0


def test_a_future_date_is_refused_with_a_message(world, coordinator_client):
    rep = derby_rep(world)
    response = coordinator_client.post(
        reverse("reps:support_add", args=[rep.pk]), support_post(on=days_ago(-1).isoformat())
    )
    assert response.status_code == 200
    assert "must be today or in the past" in response.content.decode()
    assert not rep.support_contacts.exists()


def test_an_action_with_a_date_but_no_what_is_refused(world, coordinator_client):
    rep = derby_rep(world)
    response = coordinator_client.post(
        reverse("reps:support_add", args=[rep.pk]), support_post(**{"action-2-due_on": days_ago(-3).isoformat()})
    )
    page = response.content.decode()
    assert "Action 3: Enter what was agreed" in page
    assert 'href="#id_action-2-description"' in page
    assert not rep.support_contacts.exists()


def test_a_plan_step_is_added_from_its_form(world, coordinator_client):
    rep = derby_rep(world)
    response = coordinator_client.post(
        reverse("reps:plan_add", args=[rep.pk]),
        {"description": "Run a book swap", "due_on": days_ago(-20).isoformat(), "support_needed": "Posters"},
    )
    assert response.status_code == 302
    step = rep.actions.get()
    assert (step.is_plan, step.support_needed, step.owner) == (True, "Posters", rep.person)


def test_a_plan_step_needs_what_they_will_do(world, coordinator_client):
    response = coordinator_client.post(reverse("reps:plan_add", args=[derby_rep(world).pk]), {"description": ""})
    assert "Enter what they will do" in response.content.decode()


def test_recognition_is_added_from_its_form(world, coordinator_client):
    rep = derby_rep(world)
    response = coordinator_client.post(
        reverse("reps:recognition_add", args=[rep.pk]),
        {"kind": "told_branch", "on": timezone.localdate().isoformat(), "note": "Ran the stall"},
    )
    assert response.status_code == 302
    assert rep.recognitions.get().kind == Recognition.Kind.TOLD_BRANCH


def test_recognition_needs_what_was_done(world, coordinator_client):
    response = coordinator_client.post(
        reverse("reps:recognition_add", args=[derby_rep(world).pk]), {"on": timezone.localdate().isoformat()}
    )
    assert "Select what you did to recognise them" in response.content.decode()
    assert not Recognition.objects.exists()


# Who may do what --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["reps:support_add", "reps:plan_add", "reps:recognition_add"])
def test_another_branch_cannot_add_to_a_derby_rep(world, outsider_client, name):
    rep = derby_rep(world)
    url = reverse(name, args=[rep.pk])
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, support_post(description="x", kind="thanked")).status_code == 404
    assert not (SupportContact.objects.exists() or Action.objects.exists() or Recognition.objects.exists())


@pytest.mark.parametrize("name", ["reps:support_add", "reps:plan_add", "reps:recognition_add"])
def test_a_branch_officer_cannot_add(world, name):
    assert client_for(world.officer).get(reverse(name, args=[derby_rep(world).pk])).status_code == 404


def test_a_branch_officer_sees_the_support_section_without_buttons(world):
    rep = derby_rep(world)
    log_contact(world, rep, appreciation=True)
    page = client_for(world.officer).get(reverse("reps:detail", args=[rep.pk])).content.decode()
    assert "Last contact" in page
    assert "Log a 1-2-1 or contact" not in page


def test_anonymous_users_are_sent_to_sign_in(world, client):
    response = client.get(reverse("reps:support_add", args=[derby_rep(world).pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_ulr_can_tick_their_own_action(world):
    own = rep_with_login(world)
    step = plan_step(world, own)
    response = client_for(world.ulr).post(reverse("reps:action_done", args=[step.pk]))
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.done_on == timezone.localdate()


def test_a_ulr_cannot_tick_another_reps_action(world):
    rep_with_login(world)
    step = plan_step(world, derby_rep(world))
    assert client_for(world.ulr).post(reverse("reps:action_done", args=[step.pk])).status_code == 404
    step.refresh_from_db()
    assert step.done_on is None


def test_a_branch_officer_cannot_tick_an_action(world):
    step = plan_step(world, derby_rep(world))
    assert client_for(world.officer).post(reverse("reps:action_done", args=[step.pk])).status_code == 404


def test_another_branch_cannot_tick_a_derby_action(world, outsider_client):
    step = plan_step(world, derby_rep(world))
    assert outsider_client.post(reverse("reps:action_done", args=[step.pk])).status_code == 404
    step.refresh_from_db()
    assert step.done_on is None


def test_ticking_needs_a_post(world, coordinator_client):
    step = plan_step(world, derby_rep(world))
    assert coordinator_client.get(reverse("reps:action_done", args=[step.pk])).status_code == 405


# Ticking actions --------------------------------------------------------------------------------


def test_ticking_goes_back_to_a_local_next_page(world, coordinator_client):
    step = plan_step(world, derby_rep(world))
    response = coordinator_client.post(
        reverse("reps:action_done", args=[step.pk]), {"next": reverse("reps:actions") + "?show=mine"}
    )
    assert response["Location"] == reverse("reps:actions") + "?show=mine"


def test_ticking_ignores_a_next_page_on_another_site(world, coordinator_client):
    rep = derby_rep(world)
    step = plan_step(world, rep)
    response = coordinator_client.post(reverse("reps:action_done", args=[step.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("reps:detail", args=[rep.pk])


def test_ticking_with_htmx_answers_just_the_row(world, coordinator_client):
    step = plan_step(world, derby_rep(world), description="Run a book swap")
    response = coordinator_client.post(reverse("reps:action_done", args=[step.pk]), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.strip().startswith(f'<tr class="govuk-table__row" id="action-{step.pk}">')
    assert "Done " in page and "Not done" in page
    assert "<html" not in page


# The list of actions ----------------------------------------------------------------------------


def test_actions_list_overdue_first_then_by_date(world, coordinator_client):
    rep = derby_rep(world)
    plan_step(world, rep, "Later", due_on=days_ago(-30))
    plan_step(world, rep, "No date")
    plan_step(world, rep, "Overdue", due_on=days_ago(2))
    plan_step(world, rep, "Soon", due_on=days_ago(-2))
    support.action_toggle(acting_user=world.coordinator, action=plan_step(world, rep, "Finished"))
    page = coordinator_client.get(reverse("reps:actions")).content.decode()
    positions = [page.index(words) for words in ("Overdue", "Soon", "Later", "No date")]
    assert positions == sorted(positions)
    assert "Finished" not in page


def test_actions_list_filters_overdue(world, coordinator_client):
    rep = derby_rep(world)
    plan_step(world, rep, "Late one", due_on=days_ago(2))
    plan_step(world, rep, "On time", due_on=days_ago(-2))
    page = coordinator_client.get(reverse("reps:actions") + "?show=overdue").content.decode()
    assert "Late one" in page and "On time" not in page


def test_actions_list_filters_mine(world, coordinator_client):
    rep = derby_rep(world)
    log_contact(world, rep, actions=[{"description": "Mine to do", "who": "me"}, {"description": "Maria's"}])
    page = coordinator_client.get(reverse("reps:actions") + "?show=mine").content.decode()
    assert "Mine to do" in page and "Maria&#x27;s" not in page


def test_a_ulr_sees_and_can_tick_their_own_actions_only(world):
    own = rep_with_login(world)
    plan_step(world, own, "Uma's stall")
    plan_step(world, derby_rep(world), "Maria's stall")
    page = client_for(world.ulr).get(reverse("reps:actions")).content.decode()
    assert "Uma&#x27;s stall" in page and "Maria&#x27;s stall" not in page
    assert "Done<span" in page


def test_a_branch_officer_sees_actions_without_done_buttons(world):
    plan_step(world, derby_rep(world), "Maria's stall")
    page = client_for(world.officer).get(reverse("reps:actions")).content.decode()
    assert "Maria&#x27;s stall" in page
    assert "Done<span" not in page


def test_actions_list_shows_nothing_of_another_branch(world, outsider_client):
    plan_step(world, derby_rep(world), "Maria's stall")
    page = outsider_client.get(reverse("reps:actions")).content.decode()
    assert "stall" not in page
    assert "No open actions" in page


def test_actions_list_query_count_does_not_grow_with_actions(world, coordinator_client, django_assert_max_num_queries):
    for index in range(30):
        person = PersonFactory(branch=world.derby, workplace=world.town_hall)
        rep = make_rep(person, stage="active")
        plan_step(world, rep, f"Step {index}", due_on=days_ago(index - 10))
    with django_assert_max_num_queries(12):
        response = coordinator_client.get(reverse("reps:actions"))
    assert response.status_code == 200
    assert response.content.decode().count('class="govuk-table__row" id="action-') == 25


# The rep's page ---------------------------------------------------------------------------------


def test_the_reps_page_shows_last_contact_tags_plan_and_recognition(world, coordinator_client):
    rep = derby_rep(world)
    log_contact(world, rep, on=days_ago(50), empower=True, reviewed_plan=True, notes="Talked about the stall")
    plan_step(world, rep, "Run a learning stall", support_needed="Posters")
    support.recognition_add(
        acting_user=world.coordinator, rep=rep, data={"kind": "thanked", "on": days_ago(1), "note": "The book swap"}
    )
    page = coordinator_client.get(reverse("reps:detail", args=[rep.pk])).content.decode()
    last_on = days_ago(50)
    assert f"Last contact {last_on.day} {last_on:%B %Y} (50 days ago)" in page
    assert "No contact for 50 days" in page and "govuk-tag--yellow" in page
    assert '<strong class="govuk-tag govuk-tag--light-blue govuk-!-margin-top-1">Empower</strong>' in page
    assert f"Last reviewed {last_on.day} {last_on:%B %Y}" in page
    assert "Run a learning stall" in page and "Support they need: Posters" in page
    assert "Thanked them" in page and "The book swap" in page
    for button in ("Log a 1-2-1 or contact", "Add to their action plan", "Record thanks or recognition"):
        assert button in page


def test_a_rep_never_contacted_is_said_to_be_so(world, coordinator_client):
    page = coordinator_client.get(reverse("reps:detail", args=[derby_rep(world).pk])).content.decode()
    assert "No contact logged yet" in page
    assert "No action plan yet" in page


def test_a_rep_long_without_contact_is_flagged_red(world, coordinator_client):
    rep = derby_rep(world)
    log_contact(world, rep, on=days_ago(100))
    page = coordinator_client.get(reverse("reps:detail", args=[rep.pk])).content.decode()
    assert '<strong class="govuk-tag govuk-tag--red">No contact for 100 days</strong>' in page


def test_the_ulr_sees_done_buttons_on_their_own_page(world):
    own = rep_with_login(world)
    plan_step(world, own, "Uma's stall")
    page = client_for(world.ulr).get(reverse("reps:detail", args=[own.pk])).content.decode()
    assert "Uma&#x27;s stall" in page
    assert reverse("reps:action_done", args=[own.actions.get().pk]) in page
    assert "Log a 1-2-1 or contact" not in page


def test_a_contact_today_says_today(world, coordinator_client):
    rep = derby_rep(world)
    log_contact(world, rep)
    page = coordinator_client.get(reverse("reps:detail", args=[rep.pk])).content.decode()
    assert "(today)" in page
