"""The register, adding a rep, a rep's page, editing, moving along the path, training and role names."""

from __future__ import annotations

import pytest
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.reps import services
from learningdesk.reps.models import Rep, RepKind, RepReason, Stage
from tests.conftest import client_for
from tests.factories import PersonFactory, WorkplaceFactory
from tests.reps import days_ago, derby_rep, make_rep, rep_kind, rep_with_login


def _notified_ulr(world, person, notified_days_ago: int) -> Rep:
    rep = make_rep(person, stage=Stage.AGREED, on=days_ago(notified_days_ago + 10))
    services.rep_notify(
        acting_user=None,
        rep=rep,
        employer=world.council,
        sent_on=days_ago(notified_days_ago),
        contact={"contact_name": "Pat Manager"},
    )
    rep.refresh_from_db()
    return rep


def _names(response) -> str:
    return response.content.decode()


# The register -----------------------------------------------------------------------------------------


def test_register_lists_the_branchs_reps_and_prospects(world, coordinator_client):
    derby_rep(world)
    make_rep(world.depot_person, kind="learner_champion")
    page = _names(coordinator_client.get(reverse("reps:register")))
    assert "Alberts, Maria" in page
    assert "Patel, Dev" in page
    assert "Learner champion" in page


def test_register_does_not_show_another_branchs_reps(world):
    make_rep(world.notts_person)
    derby_rep(world)
    page = _names(client_for(world.outsider).get(reverse("reps:register")))
    assert "Okafor" in page
    assert "Alberts" not in page


def test_register_query_count_does_not_grow_with_reps(world, coordinator_client, django_assert_max_num_queries):
    for n in range(30):
        workplace = WorkplaceFactory(name=f"Site {n}", employer=world.council, branch=world.derby)
        person = PersonFactory(last_name=f"Rep{n:02}", branch=world.derby, workplace=workplace)
        make_rep(person, workplaces=[workplace, world.town_hall], stage=Stage.ACTIVE)
    with django_assert_max_num_queries(14):
        response = coordinator_client.get(reverse("reps:register"))
    assert response.status_code == 200
    assert "Site 3" in _names(response)


def test_register_hides_those_who_stood_down_until_asked(world, coordinator_client):
    rep = make_rep(world.derby_person, stage=Stage.ACTIVE)
    services.rep_move(acting_user=None, rep=rep, stage=Stage.STOOD_DOWN, on=days_ago(0), reason="retired")
    assert "Alberts" not in _names(coordinator_client.get(reverse("reps:register")))
    assert "Alberts" in _names(coordinator_client.get(reverse("reps:register"), {"stage": "all"}))
    assert "Alberts" in _names(coordinator_client.get(reverse("reps:register"), {"stage": "stood_down"}))


def test_register_filters_current_reps_from_prospects(world, coordinator_client):
    make_rep(world.derby_person, stage=Stage.ACTIVE)
    make_rep(world.depot_person, stage=Stage.APPROACHED)
    current = _names(coordinator_client.get(reverse("reps:register"), {"stage": "current"}))
    prospects = _names(coordinator_client.get(reverse("reps:register"), {"stage": "prospects"}))
    assert "Alberts" in current and "Patel" not in current
    assert "Patel" in prospects and "Alberts" not in prospects


def test_register_filters_by_one_stage_and_by_kind(world, coordinator_client):
    make_rep(world.derby_person, stage=Stage.ACTIVE)
    make_rep(world.depot_person, kind="learner_champion", stage=Stage.ACTIVE)
    by_kind = _names(coordinator_client.get(reverse("reps:register"), {"kind": rep_kind("learner_champion").pk}))
    assert "Patel" in by_kind and "Alberts" not in by_kind
    by_stage = _names(coordinator_client.get(reverse("reps:register"), {"stage": Stage.PROSPECT}))
    assert "Patel" not in by_stage and "Alberts" not in by_stage


def test_register_searches_by_name_and_membership_number(world, coordinator_client):
    world.derby_person.membership_number = "A123456"
    world.derby_person.save()
    make_rep(world.derby_person)
    make_rep(world.depot_person)
    by_name = _names(coordinator_client.get(reverse("reps:register"), {"q": "alb"}))
    by_number = _names(coordinator_client.get(reverse("reps:register"), {"q": "A1234"}))
    assert "Alberts" in by_name and "Patel" not in by_name
    assert "Alberts" in by_number and "Patel" not in by_number


def test_register_filters_by_workplace_and_employer(world, coordinator_client):
    make_rep(world.derby_person, workplaces=[world.town_hall])
    make_rep(world.depot_person, workplaces=[world.depot])
    at_depot = _names(coordinator_client.get(reverse("reps:register"), {"workplace": world.depot.pk}))
    at_council = _names(coordinator_client.get(reverse("reps:register"), {"employer": world.council.pk}))
    assert "Patel" in at_depot and "Alberts" not in at_depot
    assert "Patel" in at_council and "Alberts" in at_council


def test_register_filters_training_due_soon_and_overdue(world, coordinator_client):
    _notified_ulr(world, world.derby_person, notified_days_ago=150)  # due in about 30 days
    _notified_ulr(world, world.depot_person, notified_days_ago=200)  # overdue
    due = _names(coordinator_client.get(reverse("reps:register"), {"deadline": "due"}))
    overdue = _names(coordinator_client.get(reverse("reps:register"), {"deadline": "overdue"}))
    assert "Alberts" in due and "Patel" not in due
    assert "Patel" in overdue and "Alberts" not in overdue
    assert "Overdue by" in overdue


def test_register_shows_the_training_deadline_warning(world, coordinator_client):
    _notified_ulr(world, world.derby_person, notified_days_ago=179)
    page = _names(coordinator_client.get(reverse("reps:register")))
    assert "govuk-tag--red" in page
    assert "days left" in page


def test_register_offers_add_a_prospect_only_to_those_who_manage_reps(world, coordinator_client):
    assert reverse("reps:add") in _names(coordinator_client.get(reverse("reps:register")))
    officer_page = _names(client_for(world.officer).get(reverse("reps:register")))
    assert reverse("reps:add") not in officer_page


def test_register_empty_state_says_what_to_do(world, coordinator_client):
    page = _names(coordinator_client.get(reverse("reps:register")))
    assert "No reps or prospects yet" in page


def test_a_ulr_sees_only_themselves_on_the_register(world):
    own = rep_with_login(world)
    derby_rep(world)
    page = _names(client_for(world.ulr).get(reverse("reps:register")))
    assert reverse("reps:detail", args=[own.pk]) in page
    assert "Alberts" not in page


def test_anonymous_users_are_sent_to_sign_in(world, client):
    response = client.get(reverse("reps:register"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_reps_is_in_the_navigation_for_co_ordinators_not_for_a_ulr(world, coordinator_client):
    rep_with_login(world)
    assert f'href="{reverse("reps:register")}"' in _names(coordinator_client.get(reverse("home")))
    assert f'href="{reverse("reps:register")}"' not in _names(client_for(world.ulr).get(reverse("home")))


def test_a_ulr_has_my_rep_page_in_the_navigation_and_a_co_ordinator_does_not(world, coordinator_client):
    rep_with_login(world)
    assert "My rep page" in _names(client_for(world.ulr).get(reverse("home")))
    assert "My rep page" not in _names(coordinator_client.get(reverse("home")))


# Adding a rep -----------------------------------------------------------------------------------------


def test_add_finds_people_in_scope_by_name(world, coordinator_client):
    page = _names(coordinator_client.get(reverse("reps:add"), {"q": "alb"}))
    assert f"?person={world.derby_person.pk}" in page
    assert "Okafor" not in _names(coordinator_client.get(reverse("reps:add"), {"q": "oka"}))


def test_add_with_an_empty_search_asks_for_a_name(world, coordinator_client):
    page = _names(coordinator_client.get(reverse("reps:add"), {"q": ""}))
    assert "Enter their name or membership number" in page


def test_add_a_prospect_with_motivations_and_barriers(world, coordinator_client):
    url = reverse("reps:add") + f"?person={world.derby_person.pk}"
    assert coordinator_client.get(url).status_code == 200
    response = coordinator_client.post(
        url,
        {
            "kind": rep_kind("ulr").pk,
            "workplaces": [world.town_hall.pk],
            "stage": Stage.PROSPECT,
            "on": days_ago(0).isoformat(),
            "source": "book_swap",
            "method": "stall",
            "motivations": ["helping_people", "give_back"],
            "barriers": ["no_time"],
            "barrier_notes": "Works shifts",
        },
    )
    rep = Rep.objects.get(person=world.derby_person)
    assert response.status_code == 302
    assert response["Location"] == reverse("reps:detail", args=[rep.pk])
    assert (rep.stage, rep.source, rep.method, rep.barrier_notes) == (
        Stage.PROSPECT,
        "book_swap",
        "stall",
        "Works shifts",
    )
    assert list(rep.workplaces.all()) == [world.town_hall]
    assert set(rep.reasons.values_list("kind", "code")) == {
        (RepReason.Kind.MOTIVATION, "helping_people"),
        (RepReason.Kind.MOTIVATION, "give_back"),
        (RepReason.Kind.BARRIER, "no_time"),
    }
    assert AuditEvent.objects.filter(target_type="rep", target_id=rep.pk, action=AuditEvent.Action.CREATED).exists()


def test_add_defaults_to_the_persons_workplace(world, coordinator_client):
    response = coordinator_client.get(reverse("reps:add"), {"person": world.derby_person.pk})
    assert response.context["form"]["workplaces"].value() == [world.town_hall.pk]


def test_add_an_existing_active_rep(world, coordinator_client):
    coordinator_client.post(
        reverse("reps:add") + f"?person={world.derby_person.pk}",
        {"kind": rep_kind("ulr").pk, "stage": Stage.ACTIVE, "on": days_ago(300).isoformat()},
    )
    rep = Rep.objects.get(person=world.derby_person)
    assert (rep.stage, rep.active_on) == (Stage.ACTIVE, days_ago(300))


def test_add_the_same_role_twice_shows_the_error_next_to_the_role(world, coordinator_client):
    make_rep(world.derby_person)
    response = coordinator_client.post(
        reverse("reps:add") + f"?person={world.derby_person.pk}",
        {"kind": rep_kind("ulr").pk, "stage": Stage.PROSPECT, "on": days_ago(0).isoformat()},
    )
    assert response.status_code == 200
    assert "already on the register as a ULR" in response.context["form"].errors["kind"][0]
    assert Rep.objects.filter(person=world.derby_person).count() == 1


def test_add_does_not_offer_notified(world, coordinator_client):
    response = coordinator_client.post(
        reverse("reps:add") + f"?person={world.derby_person.pk}",
        {"kind": rep_kind("ulr").pk, "stage": Stage.NOTIFIED, "on": days_ago(0).isoformat()},
    )
    assert "stage" in response.context["form"].errors
    assert not Rep.objects.exists()


def test_add_refuses_a_future_date(world, coordinator_client):
    response = coordinator_client.post(
        reverse("reps:add") + f"?person={world.derby_person.pk}",
        {"kind": rep_kind("ulr").pk, "stage": Stage.PROSPECT, "on": days_ago(-2).isoformat()},
    )
    assert "on" in response.context["form"].errors


def test_add_a_person_of_another_branch_is_not_found(world, coordinator_client):
    url = reverse("reps:add") + f"?person={world.notts_person.pk}"
    assert coordinator_client.get(url).status_code == 404
    assert coordinator_client.post(url, {"kind": rep_kind().pk, "stage": "prospect"}).status_code == 404
    assert not Rep.objects.exists()


def test_an_officer_cannot_add_reps(world):
    client = client_for(world.officer)
    assert client.get(reverse("reps:add")).status_code == 404
    assert client.get(reverse("reps:add") + f"?person={world.derby_person.pk}").status_code == 404


def test_a_ulr_cannot_add_reps(world):
    rep_with_login(world)
    client = client_for(world.ulr)
    assert client.get(reverse("reps:add") + f"?person={world.derby_person.pk}").status_code == 404


# A rep's page -------------------------------------------------------------------------------------------


def test_rep_page_shows_the_path_and_milestones(world, coordinator_client):
    rep = make_rep(world.derby_person, on=days_ago(20), by=world.coordinator)
    services.rep_move(acting_user=world.coordinator, rep=rep, stage=Stage.AGREED, on=days_ago(5), note="Said yes")
    response = coordinator_client.get(reverse("reps:detail", args=[rep.pk]))
    page = _names(response)
    assert response.status_code == 200
    assert "Maria Alberts" in page and "ULR" in page
    assert "Said yes" in page
    assert "Carol Coordinator" in page
    assert days_ago(5).strftime("%B %Y") in page
    assert reverse("reps:move", args=[rep.pk]) in page
    assert reverse("reps:edit", args=[rep.pk]) in page


def test_rep_page_shows_an_overdue_training_deadline_in_red(world, coordinator_client):
    rep = _notified_ulr(world, world.derby_person, notified_days_ago=200)
    page = _names(coordinator_client.get(reverse("reps:detail", args=[rep.pk])))
    assert "Training was due by" in page
    assert "Overdue by" in page
    assert "govuk-tag--red" in page


def test_rep_page_has_no_deadline_panel_once_trained(world, coordinator_client):
    rep = _notified_ulr(world, world.derby_person, notified_days_ago=100)
    services.training_add(
        acting_user=None,
        rep=rep,
        data={"course": "ULR stage 1", "on": days_ago(1), "is_initial": True, "completed": True},
    )
    page = _names(coordinator_client.get(reverse("reps:detail", args=[rep.pk])))
    assert 'id="deadline-title"' not in page
    assert "ULR stage 1" in page


def test_an_officer_can_view_a_rep_but_not_change_them(world):
    rep = derby_rep(world)
    client = client_for(world.officer)
    page = _names(client.get(reverse("reps:detail", args=[rep.pk])))
    assert "Maria Alberts" in page
    assert reverse("reps:edit", args=[rep.pk]) not in page
    assert reverse("reps:move", args=[rep.pk]) not in page
    for name in ("reps:edit", "reps:move", "reps:training_add"):
        assert client.get(reverse(name, args=[rep.pk])).status_code == 404
    assert (
        client.post(reverse("reps:move", args=[rep.pk]), {"stage": "stood_down", "reason": "no_time"}).status_code
        == 404
    )
    rep.refresh_from_db()
    assert rep.stage == Stage.ACTIVE


def test_a_ulr_sees_their_own_page_but_not_another_reps(world):
    own = rep_with_login(world)
    other = derby_rep(world)
    client = client_for(world.ulr)
    own_page = _names(client.get(reverse("reps:detail", args=[own.pk])))
    assert "Uma Rep" in own_page
    assert reverse("reps:edit", args=[own.pk]) not in own_page
    assert client.get(reverse("reps:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("reps:edit", args=[own.pk])).status_code == 404


def test_another_branch_cannot_see_a_rep(world, outsider_client):
    rep = derby_rep(world)
    for name in ("reps:detail", "reps:edit", "reps:move", "reps:training_add"):
        assert outsider_client.get(reverse(name, args=[rep.pk])).status_code == 404


def test_rep_page_query_count(world, coordinator_client, django_assert_max_num_queries):
    rep = derby_rep(world)
    for n in range(5):
        services.training_add(acting_user=None, rep=rep, data={"course": f"Course {n}", "on": days_ago(n)})
    # The parts' sections (notify, support, meetings, facility) add their own few queries.
    with django_assert_max_num_queries(40):
        response = coordinator_client.get(reverse("reps:detail", args=[rep.pk]))
    assert "Course 4" in _names(response)


# Editing ------------------------------------------------------------------------------------------------


def test_edit_changes_details_workplaces_and_reasons(world, coordinator_client):
    rep = derby_rep(world)
    response = coordinator_client.post(
        reverse("reps:edit", args=[rep.pk]),
        {
            "workplaces": [world.depot.pk],
            "source": "activist",
            "method": "",
            "motivations": ["own_development"],
            "barriers": [],
            "learnt": "How to run a learning survey",
            "further_training_wanted": "Mental health first aid",
        },
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert (rep.source, rep.learnt, rep.further_training_wanted) == (
        "activist",
        "How to run a learning survey",
        "Mental health first aid",
    )
    assert list(rep.workplaces.all()) == [world.depot]
    assert list(rep.reasons.values_list("code", flat=True)) == ["own_development"]
    event = AuditEvent.objects.filter(target_type="rep", target_id=rep.pk, action=AuditEvent.Action.CHANGED).latest(
        "pk"
    )
    assert {"source", "learnt", "workplaces"} <= set(event.changes["fields"])


def test_edit_does_not_change_the_role(world, coordinator_client):
    rep = derby_rep(world)
    coordinator_client.post(reverse("reps:edit", args=[rep.pk]), {"kind": rep_kind("tutor").pk})
    rep.refresh_from_db()
    assert rep.kind.code == "ulr"


# Moving ---------------------------------------------------------------------------------------------------


def test_move_offers_later_stages_but_not_notified_for_a_ulr(world, coordinator_client):
    rep = make_rep(world.derby_person, stage=Stage.AGREED)
    response = coordinator_client.get(reverse("reps:move", args=[rep.pk]))
    offered = [value for value, _label in response.context["form"].fields["stage"].choices]
    assert offered == [Stage.TRAINED, Stage.ACTIVE, Stage.STOOD_DOWN]
    assert "record the notification to the employer" in _names(response)


def test_move_offers_notified_for_a_champion(world, coordinator_client):
    rep = make_rep(world.derby_person, kind="learner_champion", stage=Stage.AGREED)
    response = coordinator_client.get(reverse("reps:move", args=[rep.pk]))
    offered = [value for value, _label in response.context["form"].fields["stage"].choices]
    assert offered == [Stage.NOTIFIED, Stage.TRAINING_BOOKED, Stage.TRAINED, Stage.ACTIVE, Stage.STOOD_DOWN]


def test_move_to_the_next_stage(world, coordinator_client):
    rep = make_rep(world.derby_person, on=days_ago(10))
    response = coordinator_client.post(
        reverse("reps:move", args=[rep.pk]),
        {"stage": Stage.APPROACHED, "on": days_ago(1).isoformat(), "note": "Talked at the stall"},
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert (rep.stage, rep.approached_on) == (Stage.APPROACHED, days_ago(1))
    assert rep.stage_changes.filter(note="Talked at the stall").exists()


def test_move_to_stood_down_needs_a_reason(world, coordinator_client):
    rep = derby_rep(world)
    response = coordinator_client.post(
        reverse("reps:move", args=[rep.pk]), {"stage": Stage.STOOD_DOWN, "on": days_ago(0).isoformat()}
    )
    assert response.context["form"].errors["reason"] == ["Select why they stood down."]
    rep.refresh_from_db()
    assert rep.stage == Stage.ACTIVE


def test_move_to_stood_down_with_a_reason(world, coordinator_client):
    rep = derby_rep(world)
    coordinator_client.post(
        reverse("reps:move", args=[rep.pk]),
        {"stage": Stage.STOOD_DOWN, "reason": "left_employer", "on": days_ago(0).isoformat()},
    )
    rep.refresh_from_db()
    assert (rep.stage, rep.stood_down_reason) == (Stage.STOOD_DOWN, "left_employer")


def test_move_refuses_a_date_before_the_current_stage(world, coordinator_client):
    rep = make_rep(world.derby_person, on=days_ago(10))
    response = coordinator_client.post(
        reverse("reps:move", args=[rep.pk]), {"stage": Stage.APPROACHED, "on": days_ago(11).isoformat()}
    )
    assert "cannot be before" in response.context["form"].errors["on"][0]


def test_move_refuses_a_future_date(world, coordinator_client):
    rep = make_rep(world.derby_person, on=days_ago(10))
    response = coordinator_client.post(
        reverse("reps:move", args=[rep.pk]), {"stage": Stage.APPROACHED, "on": days_ago(-1).isoformat()}
    )
    assert response.context["form"].errors["on"] == ["The date cannot be in the future."]


def test_move_refuses_going_backward(world, coordinator_client):
    rep = derby_rep(world)
    response = coordinator_client.post(
        reverse("reps:move", args=[rep.pk]), {"stage": Stage.PROSPECT, "on": days_ago(0).isoformat()}
    )
    assert "stage" in response.context["form"].errors
    rep.refresh_from_db()
    assert rep.stage == Stage.ACTIVE


# Training -------------------------------------------------------------------------------------------------


def test_training_add_completing_the_initial_course_ends_the_deadline(world, coordinator_client):
    rep = _notified_ulr(world, world.derby_person, notified_days_ago=100)
    response = coordinator_client.post(
        reverse("reps:training_add", args=[rep.pk]),
        {
            "course": "ULR stage 1",
            "provider": "Derby College",
            "on": days_ago(1).isoformat(),
            "completed": "on",
            "is_initial": "on",
        },
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.stage == Stage.TRAINED
    assert not rep.owes_training


def test_training_add_refuses_completing_a_future_course(world, coordinator_client):
    rep = derby_rep(world)
    response = coordinator_client.post(
        reverse("reps:training_add", args=[rep.pk]),
        {"course": "ULR stage 2", "on": days_ago(-5).isoformat(), "completed": "on"},
    )
    assert response.status_code == 200
    assert "cannot be completed yet" in response.context["form"].errors["completed"][0]
    assert not rep.training.exists()


def test_training_edit_marks_a_booked_course_completed(world, coordinator_client):
    rep = _notified_ulr(world, world.derby_person, notified_days_ago=100)
    record = services.training_add(
        acting_user=None, rep=rep, data={"course": "ULR stage 1", "on": days_ago(2), "is_initial": True}
    )
    response = coordinator_client.post(
        reverse("reps:training_edit", args=[rep.pk, record.pk]),
        {"course": "ULR stage 1", "on": days_ago(2).isoformat(), "completed": "on", "is_initial": "on"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    rep.refresh_from_db()
    assert record.completed
    assert rep.stage == Stage.TRAINED
    event = AuditEvent.objects.filter(target_type="trainingrecord", target_id=record.pk).latest("pk")
    assert event.action == AuditEvent.Action.CHANGED


def test_training_edit_of_another_reps_course_is_not_found(world, coordinator_client):
    rep = derby_rep(world)
    other = make_rep(world.depot_person)
    record = services.training_add(acting_user=None, rep=other, data={"course": "ULR stage 1", "on": days_ago(2)})
    assert coordinator_client.get(reverse("reps:training_edit", args=[rep.pk, record.pk])).status_code == 404


# Role names ---------------------------------------------------------------------------------------------


def _kind_formset_data(**changes: str) -> dict[str, str]:
    kinds = list(RepKind.objects.all())
    data = {"form-TOTAL_FORMS": str(len(kinds)), "form-INITIAL_FORMS": str(len(kinds))}
    for n, kind in enumerate(kinds):
        data[f"form-{n}-id"] = str(kind.pk)
        data[f"form-{n}-name"] = changes.get(kind.code, kind.name)
        data[f"form-{n}-name_plural"] = changes.get(f"{kind.code}_plural", kind.name_plural)
        data[f"form-{n}-description"] = kind.description
    return data


def test_a_national_administrator_renames_role_kinds(world):
    rep_kind("ulr")
    client = client_for(world.admin)
    assert client.get(reverse("reps:kinds")).status_code == 200
    response = client.post(reverse("reps:kinds"), _kind_formset_data(ulr="Learning rep", ulr_plural="Learning reps"))
    assert response.status_code == 302
    kind = RepKind.objects.get(code="ulr")
    assert (kind.name, kind.name_plural) == ("Learning rep", "Learning reps")
    assert AuditEvent.objects.filter(target_type="repkind", target_id=kind.pk).exists()


@pytest.mark.parametrize("who", ["coordinator", "regional", "officer"])
def test_only_national_administrators_rename_role_kinds(world, who):
    rep_kind("ulr")
    client = client_for(getattr(world, who))
    assert client.get(reverse("reps:kinds")).status_code == 404
    assert client.post(reverse("reps:kinds"), _kind_formset_data(ulr="Hijacked")).status_code == 404
    assert RepKind.objects.get(code="ulr").name != "Hijacked"


# The person's page --------------------------------------------------------------------------------------


def test_person_page_lists_their_learning_roles(world, coordinator_client):
    rep = derby_rep(world)
    page = _names(coordinator_client.get(reverse("org:person_detail", args=[world.derby_person.pk])))
    assert "Learning roles" in page
    assert reverse("reps:detail", args=[rep.pk]) in page
    assert f"{reverse('reps:add')}?person={world.derby_person.pk}" in page


def test_person_page_offers_adding_a_rep_only_to_those_who_manage_reps(world):
    page = _names(client_for(world.officer).get(reverse("org:person_detail", args=[world.derby_person.pk])))
    assert "Learning roles" in page
    assert reverse("reps:add") not in page


def test_register_answers_htmx_with_only_the_results(world, coordinator_client):
    derby_rep(world)
    response = coordinator_client.get(reverse("reps:register"), {"q": "alb"}, headers={"HX-Request": "true"})
    page = _names(response)
    assert page.lstrip().startswith('<div id="results"')
    assert "Alberts" in page


def test_a_rep_who_stood_down_cannot_be_moved_on(world, coordinator_client):
    rep = derby_rep(world)
    services.rep_move(acting_user=None, rep=rep, stage=Stage.STOOD_DOWN, on=days_ago(0), reason="retired")
    detail_page = _names(coordinator_client.get(reverse("reps:detail", args=[rep.pk])))
    assert "retired" in detail_page
    assert reverse("reps:move", args=[rep.pk]) not in detail_page
    response = coordinator_client.post(
        reverse("reps:move", args=[rep.pk]), {"stage": Stage.ACTIVE, "on": days_ago(0).isoformat()}
    )
    assert response.status_code == 200
    rep.refresh_from_db()
    assert rep.stage == Stage.STOOD_DOWN
