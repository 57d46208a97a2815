"""A survey's results: counts and charts per question, free-text answers, breakdowns with small numbers
suppressed, and the organisation's small-number threshold."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit, Role
from learningdesk.reps import charts
from learningdesk.surveys import results
from learningdesk.surveys.forms.results import AnswerSearchForm, BreakdownForm, PrivacySettingsForm
from learningdesk.surveys.models import PrivacySettings, Question, Survey
from learningdesk.surveys.suppression import threshold_for
from learningdesk.surveys.views.builder import survey_crumbs


def results_crumbs(survey: Survey) -> Crumbs:
    return survey_crumbs(survey, ("Results", reverse("surveys:results", args=[survey.pk])))


def _chart(result: results.QuestionResult) -> str:
    return charts.bar_chart(
        chart_id=f"question-{result.question.pk}",
        title=f"{result.question.text}: how many people gave each answer",
        bars=[(count.label, count.n) for count in result.counts],
        unit="people",
    )


@require_GET
def survey_results(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Counts and percentages for each question, a chart with its table, and links to breakdowns."""
    survey = scoping.get_survey_for_user(request.user, pk)
    found = results.survey_results(request.user, survey)
    crumbs = results_crumbs(survey)
    return render(
        request,
        "surveys/results/results.html",
        {
            "survey": survey,
            "results": found,
            "questions": [(result, _chart(result) if result.counts else "") for result in found.questions],
            "crumbs": [*crumbs[:-1], ("Results", None)],
        },
    )


@require_GET
def text_answers(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The free-text answers to one question, searchable, a page at a time. Anonymous surveys: the text only."""
    surveys = scoping.visible_surveys(request.user).values("pk")
    question = get_object_or_404(
        Question.objects.filter(section__survey__in=surveys).select_related("section__survey__unit"), pk=pk
    )
    if not question.is_text:
        raise PermissionDenied("Only text questions have answers to read.")
    survey = question.section.survey
    form = AnswerSearchForm(request.GET or None)
    search = form.search()
    page = paginate(request, results.text_answers(request.user, question, search))
    return render(
        request,
        "surveys/results/answers.html",
        {
            "survey": survey,
            "question": question,
            "form": form,
            "search": search,
            "page_obj": page,
            "crumbs": [*results_crumbs(survey), ("Answers", None)],
        },
    )


BREAKDOWN_ROWS = 50


@require_GET
def breakdown(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One question's answers by unit, employer, workplace, job group or equality group, small numbers hidden."""
    survey = scoping.get_survey_for_user(request.user, pk)
    responses = scoping.visible_responses(request.user, survey).count()
    threshold = threshold_for(survey)
    questions = results.breakdown_questions(survey)
    groupings = results.groupings_for(request.user, survey)
    form = BreakdownForm(request.GET or None, questions=questions, groupings=groupings)
    table = page = None
    if responses >= threshold and form.is_bound and form.is_valid():
        table = results.breakdown(request.user, survey, form.chosen_question(), form.cleaned_data["by"])
        # Suppression works on the whole table; a page of its rows is shown (a national view has thousands).
        page = Paginator(table.rows, BREAKDOWN_ROWS).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/results/breakdown.html",
        {
            "survey": survey,
            "responses": responses,
            "threshold": threshold,
            "form": form,
            "questions": questions,
            "breakdown": table,
            "page_obj": page,
            "crumbs": [*results_crumbs(survey), ("Breakdown", None)],
        },
    )


def _is_national_admin(user: User) -> bool:
    return any(assignment.role == Role.NATIONAL_ADMIN for assignment in scoping.get_scope(user).roles)


def _root_unit(user: User) -> OrgUnit:
    """The root of the tree the user administers nationally."""
    unit = next(a.unit for a in scoping.get_scope(user).roles if a.role == Role.NATIONAL_ADMIN)
    return OrgUnit.objects.get(path=unit.path[: unit.steplen])


@require_http_methods(["GET", "POST"])
def privacy(request: AuthenticatedRequest) -> HttpResponse:
    """The organisation's small-number threshold. National administrators only."""
    if not _is_national_admin(request.user):
        raise PermissionDenied("Only a national administrator sets the small-number threshold.")
    root = _root_unit(request.user)
    instance = PrivacySettings.objects.filter(unit=root).first() or PrivacySettings(unit=root)
    form = PrivacySettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            was_new = instance.pk is None
            saved = form.save()
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.CREATED if was_new else AuditEvent.Action.CHANGED,
                target=saved,
                unit_id=root.pk,
                changes={"fields": ["threshold"], "threshold": saved.threshold},
            )
        messages.success(request, f"Counts under {saved.threshold} are now hidden in every breakdown.")
        return redirect("surveys:privacy")
    return render(
        request,
        "surveys/results/privacy.html",
        {"form": form, "crumbs": [("Surveys", reverse("surveys:list")), ("Privacy", None)]},
    )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/results/", survey_results, name="results"),
    path("<int:pk>/breakdown/", breakdown, name="breakdown"),
    path("questions/<int:pk>/answers/", text_answers, name="answers"),
    path("privacy/", privacy, name="privacy"),
]
public_urlpatterns: list[URLPattern] = []  # under /s/, namespace "survey" (no login)
