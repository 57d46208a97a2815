"""Building surveys, for co-ordinators: the list, a survey's details, sections and questions, templates to copy,
a preview, and opening and closing it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from learningdesk.accounts.models import User
from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.learning import calendar, qr
from learningdesk.learning.models import ActivityType, Subject
from learningdesk.org import scoping
from learningdesk.surveys import builder
from learningdesk.surveys.forms.builder import QuestionForm, SectionForm, SurveyForm, TemplateCopyForm
from learningdesk.surveys.models import Question, Response, Section, Survey
from learningdesk.surveys.templates_data import SURVEY_TEMPLATES


def surveys_crumbs() -> Crumbs:
    return [("Surveys", reverse("surveys:list"))]


def survey_crumbs(survey: Survey, *more: tuple[str, str | None]) -> Crumbs:
    """Surveys > the survey > the pages below it, for every page of one survey."""
    return [*surveys_crumbs(), (survey.title, reverse("surveys:detail", args=[survey.pk])), *more]


def survey_url(survey: Survey) -> str:
    return reverse("surveys:detail", args=[survey.pk])


def public_link(survey: Survey) -> str:
    """The survey's public link in full."""
    return calendar.absolute(reverse("survey:public", kwargs={"token": survey.public_token}))


def _editable_section(user: User, pk: int) -> Section:
    return get_object_or_404(
        Section.objects.select_related("survey__unit").filter(survey__in=scoping.editable_surveys(user)), pk=pk
    )


def _editable_question(user: User, pk: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("section__survey__unit").filter(
            section__survey__in=scoping.editable_surveys(user)
        ),
        pk=pk,
    )


def _editable_units_or_403(user: User) -> QuerySet:
    units = scoping.editable_units(user).order_by("path")
    if not units.exists():
        raise PermissionDenied("Only co-ordinators can create surveys.")
    return units


# The list ---------------------------------------------------------------------------------------


def _with_response_counts(user: User, surveys: QuerySet[Survey]) -> QuerySet[Survey]:
    """Each survey's completed responses the user may count (as scoping.visible_responses): all of them for
    a survey of their own units, else (a national survey, say) those of respondents in their subtrees.

    A subquery per row, so only the page's rows are counted; the CASE picks one of the two counts."""
    # The same test reads the survey's unit in `owned` and the respondent's unit in `within`.
    in_subtrees = Q(pk__in=[])
    for unit_path in scoping.get_scope(user).see:
        in_subtrees |= Q(unit__path__startswith=unit_path)
    owned = within = in_subtrees
    complete = Response.objects.filter(survey=OuterRef("pk"), is_complete=True).order_by()

    def counted(responses: QuerySet[Response]) -> Subquery:
        return Subquery(responses.values("survey").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField())

    return surveys.annotate(
        response_count=Coalesce(
            Case(When(owned, then=counted(complete)), default=counted(complete.filter(within))), Value(0)
        ),
        is_owned=Case(When(owned, then=Value(1)), default=Value(0), output_field=IntegerField()),
    )


SURVEY_COLUMNS = [  # the list as a file (core/exports.py); the responses have their own export
    Column("Survey", lambda survey: survey.title),
    Column("Branch or unit", lambda survey: survey.unit.name),
    Column("Yours", lambda survey: bool(survey.is_owned)),
    Column("Anonymous", lambda survey: survey.is_anonymous),
    Column("Status", lambda survey: survey.get_status_display()),
    Column("Opens on", lambda survey: survey.opens_on),
    Column("Closes on", lambda survey: survey.closes_on),
    Column("Responses", lambda survey: survey.response_count),
]


def survey_list(request: AuthenticatedRequest) -> HttpResponse:
    """Surveys in the user's scope, newest first, with their state, dates, unit and responses."""
    surveys = _with_response_counts(request.user, scoping.visible_surveys(request.user)).order_by("-created_at", "-id")
    fmt = export_format(request)
    if fmt:
        return export_response(request, name="surveys", columns=SURVEY_COLUMNS, rows=surveys, fmt=fmt)
    return render(
        request,
        "surveys/builder/list.html",
        {
            "page_obj": paginate(request, surveys),
            "can_add": scoping.editable_units(request.user).exists(),
        },
    )


# The survey's details ---------------------------------------------------------------------------


def _survey_form(
    request: AuthenticatedRequest, form: SurveyForm, survey: Survey | None, crumbs: Crumbs
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            saved = builder.survey_save(
                acting_user=request.user, survey=form.save(commit=False), fields=form.changed_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{saved.title}” {'saved' if survey else 'created: now add its questions'}.")
            return redirect(survey_url(saved))
    return render(request, "surveys/builder/survey_form.html", {"form": form, "survey": survey, "crumbs": crumbs})


@require_http_methods(["GET", "POST"])
def survey_add(request: AuthenticatedRequest) -> HttpResponse:
    units = _editable_units_or_403(request.user)
    form = SurveyForm(request.POST or None, units=units)
    return _survey_form(request, form, None, [*surveys_crumbs(), ("Create a survey", None)])


@require_http_methods(["GET", "POST"])
def survey_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    survey = scoping.get_survey_for_user(request.user, pk, for_change=True)
    units = scoping.editable_units(request.user).order_by("path")
    form = SurveyForm(request.POST or None, instance=survey, units=units)
    return _survey_form(request, form, survey, [*survey_crumbs(survey), ("Change details", None)])


def survey_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The builder: the survey's state, link and QR code, and its sections and questions in order."""
    survey = scoping.get_survey_for_user(request.user, pk)
    can_edit = scoping.editable_surveys(request.user).filter(pk=survey.pk).exists()
    outline = builder.survey_outline(survey)
    link = public_link(survey)
    return render(
        request,
        "surveys/builder/detail.html",
        {
            "survey": survey,
            "outline": outline,
            "can_edit": can_edit,
            "answered": builder.has_responses(survey),
            "response_count": scoping.visible_responses(request.user, survey).count(),
            "public_link": link,
            "qr_svg": qr.qr_svg_inline(link, size_mm=40) if link else "",
            "template": SURVEY_TEMPLATES.get(survey.template),
            "crumbs": [*surveys_crumbs(), (survey.title, None)],
        },
    )


def survey_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The survey as a respondent sees it; nothing can be sent."""
    survey = scoping.get_survey_for_user(request.user, pk)
    outline = builder.survey_outline(survey)
    has_subjects = any(question.kind == Question.Kind.SUBJECTS for question in outline.questions)
    return render(
        request,
        "surveys/builder/preview.html",
        {
            "survey": survey,
            "outline": outline,
            "subjects": list(Subject.objects.all()) if has_subjects else [],
            "activity_types": list(ActivityType.objects.filter(is_active=True)) if has_subjects else [],
            "scale": range(1, 6),
            "crumbs": [*survey_crumbs(survey), ("Preview", None)],
        },
    )


@require_POST
def survey_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    survey = scoping.get_survey_for_user(request.user, pk, for_change=True)
    try:
        builder.survey_open(acting_user=request.user, survey=survey)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{survey.title}” is open: share its link, or invite people.")
    return redirect(survey_url(survey))


@require_POST
def survey_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    survey = scoping.get_survey_for_user(request.user, pk, for_change=True)
    try:
        builder.survey_close(acting_user=request.user, survey=survey)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{survey.title}” is closed: nobody can answer it now.")
    return redirect(survey_url(survey))


# Templates --------------------------------------------------------------------------------------


def template_list(request: AuthenticatedRequest) -> HttpResponse:
    """The ready templates, each with its sections and questions."""
    return render(
        request,
        "surveys/builder/templates.html",
        {
            "templates": list(SURVEY_TEMPLATES.values()),
            "can_add": scoping.editable_units(request.user).exists(),
            "crumbs": [*surveys_crumbs(), ("Templates", None)],
        },
    )


@require_http_methods(["GET", "POST"])
def template_copy(request: AuthenticatedRequest) -> HttpResponse:
    """Start a draft survey from a template, for one of the user's units."""
    units = _editable_units_or_403(request.user)
    initial = {"template": request.GET.get("template")} if request.GET.get("template") in SURVEY_TEMPLATES else {}
    form = TemplateCopyForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        survey = builder.template_copy(
            acting_user=request.user, template_key=form.cleaned_data["template"], unit=form.cleaned_data["unit"]
        )
        messages.success(request, f"“{survey.title}” created as a draft: change anything you like, then open it.")
        return redirect(survey_url(survey))
    chosen = SURVEY_TEMPLATES.get(str(form["template"].value() or ""))
    return render(
        request,
        "surveys/builder/template_copy.html",
        {
            "form": form,
            "chosen": chosen,
            "crumbs": [*surveys_crumbs(), ("Templates", reverse("surveys:templates")), ("Use a template", None)],
        },
    )


# Sections ---------------------------------------------------------------------------------------


def _section_form(
    request: AuthenticatedRequest, form: SectionForm, survey: Survey, section: Section | None
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.survey = survey
        try:
            builder.section_save(acting_user=request.user, section=saved, fields=form.changed_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Section “{saved.title}” saved.")
            return redirect(f"{survey_url(survey)}#section-{saved.pk}")
    return render(
        request,
        "surveys/builder/section_form.html",
        {
            "form": form,
            "survey": survey,
            "section": section,
            "crumbs": [*survey_crumbs(survey), ("Change section" if section else "Add a section", None)],
        },
    )


@require_http_methods(["GET", "POST"])
def section_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    survey = scoping.get_survey_for_user(request.user, pk, for_change=True)
    return _section_form(request, SectionForm(request.POST or None), survey, None)


@require_http_methods(["GET", "POST"])
def section_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    section = _editable_section(request.user, pk)
    return _section_form(request, SectionForm(request.POST or None, instance=section), section.survey, section)


# Questions --------------------------------------------------------------------------------------


def _question_form(request: AuthenticatedRequest, section: Section, question: Question) -> HttpResponse:
    survey = section.survey
    outline = builder.survey_outline(survey)
    if question.pk is None:
        # A new question goes at the end of its section: every question before that may be its condition.
        question.order = builder.LAST
    else:
        question = next((q for q in outline.questions if q.pk == question.pk), question)
    question.section = section
    earlier = builder.earlier_questions(outline, question)
    is_new = question.pk is None
    form = QuestionForm(request.POST or None, instance=question, earlier=earlier)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        form.apply_condition(saved)
        try:
            builder.question_save(
                acting_user=request.user, question=saved, choices=form.choice_lines(), fields=form.changed_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Question “{saved.text}” {'added' if is_new else 'saved'}.")
            return redirect(f"{survey_url(survey)}#question-{saved.pk}")
    return render(
        request,
        "surveys/builder/question_form.html",
        {
            "form": form,
            "survey": survey,
            "section": section,
            "question": None if is_new else question,
            "answered": builder.has_responses(survey),
            "crumbs": [*survey_crumbs(survey), ("Add a question" if is_new else "Change question", None)],
        },
    )


@require_http_methods(["GET", "POST"])
def question_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    section = _editable_section(request.user, pk)
    return _question_form(request, section, Question(section=section))


@require_http_methods(["GET", "POST"])
def question_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    question = _editable_question(request.user, pk)
    return _question_form(request, question.section, question)


@require_http_methods(["GET", "POST"])
def question_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    question = _editable_question(request.user, pk)
    survey = question.section.survey
    error = ""
    if request.method == "POST":
        try:
            builder.question_delete(acting_user=request.user, question=question)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, f"Question “{question.text}” removed.")
            return redirect(survey_url(survey))
    return render(
        request,
        "surveys/builder/question_delete.html",
        {
            "question": question,
            "survey": survey,
            "error": error,
            "crumbs": [*survey_crumbs(survey), ("Remove a question", None)],
        },
    )


@require_POST
def question_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    question = _editable_question(request.user, pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise Http404("Move a question up or down.")
    try:
        builder.question_move(acting_user=request.user, question=question, up=direction == "up")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{survey_url(question.section.survey)}#question-{question.pk}")


urlpatterns: list[URLPattern] = [
    path("", survey_list, name="list"),
    path("add/", survey_add, name="add"),
    path("templates/", template_list, name="templates"),
    path("templates/copy/", template_copy, name="copy_template"),
    path("<int:pk>/", survey_detail, name="detail"),
    path("<int:pk>/edit/", survey_edit, name="edit"),
    path("<int:pk>/preview/", survey_preview, name="preview"),
    path("<int:pk>/open/", survey_open, name="open"),
    path("<int:pk>/close/", survey_close, name="close"),
    path("<int:pk>/sections/add/", section_add, name="section_add"),
    path("sections/<int:pk>/edit/", section_edit, name="section_edit"),
    path("sections/<int:pk>/questions/add/", question_add, name="question_add"),
    path("questions/<int:pk>/edit/", question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", question_delete, name="question_delete"),
    path("questions/<int:pk>/move/", question_move, name="question_move"),
]
