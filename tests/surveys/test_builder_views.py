"""Building surveys, the screens: the list, creating from scratch or a template, the builder, questions,
preview, opening and closing, and who may do what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from learningdesk.surveys.models import Question, Survey
from tests.conftest import client_for
from tests.surveys import answer, choice, derby_survey, make_survey, q

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


# The list ---------------------------------------------------------------------------------------


def test_the_list_shows_the_branch_surveys_with_their_responses(world):
    survey = derby_survey(world)
    answer(survey)
    answer(survey, topic="English")
    response = client_for(world.coordinator).get(reverse("surveys:list"))
    assert response.status_code == 200
    html = page(response)
    assert "What would you like to learn?" in html and "Derby City" in html
    assert "Create a survey" in html
    assert response.context["page_obj"].object_list[0].response_count == 2


def test_a_national_survey_counts_only_the_responses_of_the_users_branches(world):
    national = make_survey(world.national, title="National skills audit")
    answer(national, world.derby_person)
    answer(national, world.notts_person)
    answer(national)  # by the public link: the survey's own unit
    response = client_for(world.coordinator).get(reverse("surveys:list"))
    row = response.context["page_obj"].object_list[0]
    assert (row.title, row.response_count) == ("National skills audit", 1)
    assert "Run by Learning Union" in page(response)
    admin_row = client_for(world.admin).get(reverse("surveys:list")).context["page_obj"].object_list[0]
    assert admin_row.response_count == 3


def test_another_branch_does_not_see_derby_surveys(world):
    derby_survey(world)
    html = page(client_for(world.outsider).get(reverse("surveys:list")))
    assert "What would you like to learn?" not in html
    assert "No surveys yet" in html


def test_a_branch_officer_sees_the_list_but_cannot_create(world):
    derby_survey(world)
    html = page(client_for(world.officer).get(reverse("surveys:list")))
    assert "What would you like to learn?" in html
    assert "Create a survey" not in html


def test_the_list_reads_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    for n in range(12):
        survey = make_survey(world.derby if n % 2 else world.national, title=f"Survey {n}")
        answer(survey, world.derby_person)
    client = client_for(world.coordinator)
    client.get(reverse("surveys:list"))
    with django_assert_max_num_queries(7):
        response = client.get(reverse("surveys:list"))
    assert len(response.context["page_obj"].object_list) == 12


def test_the_empty_list_says_what_to_do(world):
    html = page(client_for(world.coordinator).get(reverse("surveys:list")))
    assert "No surveys yet" in html and "Start from a ready template" in html


# Creating a survey ------------------------------------------------------------------------------


def test_a_coordinator_creates_a_survey(world):
    response = client_for(world.coordinator).post(
        reverse("surveys:add"),
        {
            "title": "Book swap interest",
            "introduction": "Two minutes.",
            "unit": world.derby.pk,
            "is_anonymous": "False",
        },
    )
    survey = Survey.objects.get(title="Book swap interest")
    assert response.status_code == 302 and response["Location"] == reverse("surveys:detail", args=[survey.pk])
    assert (survey.unit, survey.is_anonymous, survey.status, survey.created_by) == (
        world.derby,
        False,
        Survey.Status.DRAFT,
        world.coordinator,
    )


def test_a_survey_that_closes_before_it_opens_is_refused_next_to_the_date(world):
    response = client_for(world.coordinator).post(
        reverse("surveys:add"),
        {
            "title": "Skills",
            "unit": world.derby.pk,
            "is_anonymous": "True",
            "opens_on": "2026-12-10",
            "closes_on": "2026-12-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["closes_on"] == [
        "The closing date must be the same as or after the opening date"
    ]
    assert not Survey.objects.filter(title="Skills").exists()


def test_a_survey_cannot_be_created_for_another_branch(world):
    response = client_for(world.coordinator).post(
        reverse("surveys:add"), {"title": "Sneaky", "unit": world.notts.pk, "is_anonymous": "True"}
    )
    assert "unit" in response.context["form"].errors
    assert not Survey.objects.filter(title="Sneaky").exists()


@pytest.mark.parametrize("who", ["officer", "ulr"])
def test_only_coordinators_may_create_surveys(world, who):
    client = client_for(getattr(world, who))
    assert client.get(reverse("surveys:add")).status_code == 403
    assert client.get(reverse("surveys:copy_template")).status_code == 403
    response = client.post(reverse("surveys:copy_template"), {"template": "barriers", "unit": world.derby.pk})
    assert response.status_code == 403
    assert not Survey.objects.exists()


# Templates --------------------------------------------------------------------------------------


def test_the_templates_page_lists_the_five_templates_with_their_questions(world):
    html = page(client_for(world.coordinator).get(reverse("surveys:templates")))
    for title in (
        "What would you like to learn?",
        "Skills audit: what you can do, and what you could share",
        "What gets in the way of learning and CPD?",
        "How was your course?",
        "Interested in becoming a ULR?",
    ):
        assert title in html
    assert "Which subjects or kinds of learning interest you?" in html
    assert "Asked only when “Would you be willing to share a skill or an interest with other members?”" in html


def test_copying_a_template_makes_a_draft_for_the_branch(world):
    client = client_for(world.coordinator)
    html = page(client.get(reverse("surveys:copy_template") + "?template=ulr_interest"))
    assert "Use “Interested in becoming a ULR?”" in html and "What draws you to it?" in html
    response = client.post(reverse("surveys:copy_template"), {"template": "ulr_interest", "unit": world.derby.pk})
    survey = Survey.objects.get(template="ulr_interest")
    assert response["Location"] == reverse("surveys:detail", args=[survey.pk])
    assert (survey.unit, survey.status, survey.is_anonymous) == (world.derby, Survey.Status.DRAFT, False)
    assert Question.objects.filter(section__survey=survey).count() == 6


def test_a_template_cannot_be_copied_to_another_branch(world):
    response = client_for(world.coordinator).post(
        reverse("surveys:copy_template"), {"template": "barriers", "unit": world.notts.pk}
    )
    assert "unit" in response.context["form"].errors
    assert not Survey.objects.exists()


# The builder ------------------------------------------------------------------------------------


def test_the_builder_shows_the_questions_in_order_with_their_conditions(world):
    survey = derby_survey(world)
    response = client_for(world.coordinator).get(reverse("surveys:detail", args=[survey.pk]))
    html = page(response)
    assert html.index("1. Which would you most like to learn?") < html.index("8. Which subjects interest you?")
    assert "Asked only when “Has anything stopped you learning?” is answered “Yes”" in html
    assert reverse("surveys:question_edit", args=[q(survey, 1).pk]) in html
    assert "Close the survey" in html


def test_a_branch_officer_sees_the_builder_without_changing_it(world):
    survey = derby_survey(world)
    html = page(client_for(world.officer).get(reverse("surveys:detail", args=[survey.pk])))
    assert "Which would you most like to learn?" in html
    assert reverse("surveys:question_edit", args=[q(survey, 1).pk]) not in html
    assert "Close the survey" not in html


def test_a_ulr_cannot_open_the_builder(world):
    survey = derby_survey(world)
    assert client_for(world.ulr).get(reverse("surveys:detail", args=[survey.pk])).status_code == 404


@pytest.mark.parametrize("who", ["officer", "ulr", "outsider"])
def test_only_the_branch_coordinators_change_questions(world, who):
    survey = derby_survey(world)
    question = q(survey, 6)
    client = client_for(getattr(world, who))
    response = client.post(
        reverse("surveys:question_edit", args=[question.pk]), {"text": "Hijacked", "kind": "short_text"}
    )
    assert response.status_code == 404
    assert client.post(reverse("surveys:close", args=[survey.pk])).status_code == 404
    assert client.post(reverse("surveys:question_delete", args=[question.pk])).status_code == 404
    assert q(survey, 6).text == "Your job"
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN


def test_a_coordinator_changes_the_survey_details(world):
    survey = derby_survey(world)
    response = client_for(world.coordinator).post(
        reverse("surveys:edit", args=[survey.pk]),
        {"title": "Learning at the Council", "unit": world.derby.pk, "is_anonymous": "True"},
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Learning at the Council"


def test_a_section_and_a_question_with_choices_and_a_condition_are_added(world):
    survey = make_survey(world.derby, status=Survey.Status.DRAFT)
    client = client_for(world.coordinator)
    client.post(reverse("surveys:section_add", args=[survey.pk]), {"title": "Your shifts"})
    section = survey.sections.get(title="Your shifts")
    assert section.order == 2
    form = page(client.get(reverse("surveys:question_add", args=[section.pk])))
    assert "Has anything stopped you learning?" in form  # an earlier question to depend on
    response = client.post(
        reverse("surveys:question_add", args=[section.pk]),
        {
            "text": "Which shifts do you work?",
            "kind": "multiple",
            "required": "on",
            "choices": "Early\r\nLate\r\n\r\nNights",
            "condition": f"{q(survey, 4).pk}:no",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get(text="Which shifts do you work?")
    assert (question.section, question.required, question.show_if_question, question.show_if_value) == (
        section,
        True,
        q(survey, 4),
        "no",
    )
    assert [c.label for c in question.choices.all()] == ["Early", "Late", "Nights"]


def test_a_condition_on_a_later_question_is_not_offered_and_refused(world):
    survey = make_survey(world.derby, status=Survey.Status.DRAFT)
    client = client_for(world.coordinator)
    url = reverse("surveys:question_edit", args=[q(survey, 2).pk])
    assert "Has anything stopped you learning?" not in page(client.get(url))
    response = client.post(
        url,
        {
            "text": "When could you learn?",
            "kind": "multiple",
            "choices": "Lunchtime\nAfter work\nWeekends",
            "condition": f"{q(survey, 4).pk}:yes",
        },
    )
    assert response.status_code == 200
    assert "condition" in response.context["form"].errors
    assert q(survey, 2).show_if_question_id is None


def test_changing_answers_already_given_is_refused_with_a_message_next_to_the_field(world):
    survey = derby_survey(world)
    answer(survey)
    response = client_for(world.coordinator).post(
        reverse("surveys:question_edit", args=[q(survey, 1).pk]),
        {"text": "Which would you most like to learn?", "kind": "single", "choices": "Maths\nEnglish"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["choices"] == [
        "People have answered already: add a new question instead: “Digital skills” cannot be removed or changed"
    ]
    html = page(response)
    assert "People have answered already. You can improve the wording" in html
    assert q(survey, 1).choices.count() == 3


def test_removing_an_answered_question_is_refused(world):
    survey = derby_survey(world)
    answer(survey)
    response = client_for(world.coordinator).post(reverse("surveys:question_delete", args=[q(survey, 6).pk]))
    assert "People have answered already" in page(response)
    assert Question.objects.filter(pk=q(survey, 6).pk).exists()


def test_a_draft_question_is_removed_after_confirming(world):
    survey = make_survey(world.derby, status=Survey.Status.DRAFT)
    question = q(survey, 6)
    client = client_for(world.coordinator)
    assert "Remove “Your job”?" in page(client.get(reverse("surveys:question_delete", args=[question.pk])))
    response = client.post(reverse("surveys:question_delete", args=[question.pk]))
    assert response.status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()


def test_a_question_moves_up(world):
    survey = derby_survey(world)
    moving = q(survey, 3)
    client_for(world.coordinator).post(reverse("surveys:question_move", args=[moving.pk]), {"direction": "up"})
    moving.refresh_from_db()
    assert moving.order == 2
    assert q(survey, 3).text == "When could you learn?"


def test_the_preview_shows_each_kind_of_question_and_saves_nothing(world):
    survey = derby_survey(world)
    response = client_for(world.officer).get(reverse("surveys:preview", args=[survey.pk]))
    html = page(response)
    assert "Nothing you choose here is saved" in html
    assert f'value="{choice(survey, 1, "Maths").pk}"' in html
    assert f'name="q{q(survey, 7).pk}"' in html and "<textarea" in html
    assert 'value="subject:' in html and 'value="type:' in html
    assert "This survey is anonymous" in html


# Opening and closing ----------------------------------------------------------------------------


def test_a_survey_without_questions_does_not_open(world):
    survey = Survey.objects.create(unit=world.derby, title="Empty")
    client = client_for(world.coordinator)
    response = client.post(reverse("surveys:open", args=[survey.pk]), follow=True)
    assert "Add at least one question before you open the survey." in page(response)
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT


def test_a_coordinator_opens_closes_and_reopens_a_survey(world):
    survey = make_survey(world.derby, status=Survey.Status.DRAFT)
    client = client_for(world.coordinator)
    for url, status in (("surveys:open", "open"), ("surveys:close", "closed"), ("surveys:open", "open")):
        client.post(reverse(url, args=[survey.pk]))
        survey.refresh_from_db()
        assert survey.status == status


def test_open_and_close_answer_only_posts(world):
    survey = derby_survey(world)
    assert client_for(world.coordinator).get(reverse("surveys:close", args=[survey.pk])).status_code == 405
