"""Answering a survey, under /s/ with no login: by its public link or a personal invitation, on a phone.

Anonymity, as far as the web server can keep it. A personal link (/s/i/<token>/) only checks the invitation,
keeps its id in the respondent's session and redirects to the answering page, /s/answer/, which carries no
token. So the requests that send answers never have the token in their address, and the server's access logs
cannot put a token beside the time answers were sent. The invitation's id leaves the session when the answers
are sent, and when an anonymous respondent saves to finish later.

Unfinished answers. An identified survey answered by a personal link saves them in the database (an unfinished
response on the invitation) and the link resumes them. Anything else - an anonymous survey, or the public link
- keeps them only in this browser's session, under the survey and a key made in that session (never the
invitation's token), with no invitation beside them: nothing unfinished is stored that names anyone, and the
same browser resumes them.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, re_path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.core.forms import add_service_errors
from learningdesk.org.models import Workplace
from learningdesk.surveys import responses
from learningdesk.surveys.forms.answer import AnswerForm, field_name, value_for_form
from learningdesk.surveys.models import Invitation, Question, Response, Survey

# The invitation being answered in this session, by its id (never its token).
INVITATION_KEY = "surveys.invitation"
# Survey id -> a random key made in this session, under which its unfinished answers are kept.
DRAFT_KEYS = "surveys.draft_keys"

ANONYMOUS_STATEMENT = (
    "Your answers are anonymous: we do not record who you are, your email or the time you answered — only the date."
)
IDENTIFIED_STATEMENT = "Your answers will be kept with your name on your record at the union."


# Finding the survey --------------------------------------------------------------------------------


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/answer/not_found.html", status=404)


def _survey_for_token(token: str) -> Survey:
    survey = Survey.objects.select_related("unit").filter(public_token=token).first()
    if survey is None:
        raise Http404("No such survey")
    return survey


def _invitation(**lookup: Any) -> Invitation | None:
    return (
        Invitation.objects.filter(**lookup)
        .select_related("survey__unit", "person__branch", "person__workplace__employer")
        .first()
    )


def _closed_page(request: HttpRequest, survey: Survey) -> HttpResponse | None:
    """A friendly page with the dates when the survey is not open today, else None."""
    today = timezone.localdate()
    if survey.is_open_on(today):
        return None
    not_yet = survey.status == Survey.Status.DRAFT or (survey.opens_on is not None and survey.opens_on > today)
    return render(request, "surveys/answer/closed.html", {"survey": survey, "not_yet": not_yet})


def _already_answered(request: HttpRequest, survey: Survey) -> HttpResponse:
    request.session.pop(INVITATION_KEY, None)
    return render(request, "surveys/answer/already_answered.html", {"survey": survey})


# Unfinished answers kept in the browser's session ----------------------------------------------------


def _draft_name(request: HttpRequest, survey: Survey, *, create: bool = False) -> str | None:
    keys: dict[str, str] = request.session.get(DRAFT_KEYS, {})
    key = keys.get(str(survey.pk))
    if key is None and create:
        key = secrets.token_urlsafe(12)
        request.session[DRAFT_KEYS] = {**keys, str(survey.pk): key}
    return f"surveys.draft.{key}" if key else None


def _session_draft(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    name = _draft_name(request, survey)
    return dict(request.session.get(name, {})) if name else {}


def _keep_session_draft(request: HttpRequest, survey: Survey, values: dict[str, Any]) -> None:
    name = _draft_name(request, survey, create=True)
    assert name is not None
    request.session[name] = values


def _forget_session_draft(request: HttpRequest, survey: Survey) -> None:
    name = _draft_name(request, survey)
    if name:
        request.session.pop(name, None)
        keys = dict(request.session.get(DRAFT_KEYS, {}))
        keys.pop(str(survey.pk), None)
        request.session[DRAFT_KEYS] = keys


# The answering page --------------------------------------------------------------------------------


def _public_workplaces(survey: Survey) -> QuerySet[Workplace] | None:
    """The workplaces of the survey's unit and the branches below it (names only), or None if it has none."""
    workplaces = Workplace.objects.filter(branch__path__startswith=survey.unit.path).order_by("name", "pk")
    return workplaces if workplaces.exists() else None


def _saved_in_database(survey: Survey, invitation: Invitation | None) -> bool:
    """Whether unfinished answers go in the database: identified surveys answered by a personal link only."""
    return invitation is not None and not survey.is_anonymous


def _initial(
    request: HttpRequest, survey: Survey, invitation: Invitation | None, questions: list[Question]
) -> dict[str, Any]:
    if _saved_in_database(survey, invitation):
        unfinished = Response.objects.filter(invitation=invitation, is_complete=False).first()
        if unfinished is None:
            return {}
        saved = responses.saved_answers(unfinished)
        return {
            field_name(question): value_for_form(question, saved[question.pk])
            for question in questions
            if question.pk in saved
        }
    return _session_draft(request, survey)


def _statement(survey: Survey, invitation: Invitation | None) -> list[str]:
    """What the respondent is told, before the questions, about who will know what."""
    if survey.is_anonymous:
        kept = (
            "We keep your branch, workplace and job group with your answers, to count answers by them."
            if invitation is not None
            else "If you choose your workplace, we keep it with your answers, to count answers by workplace."
        )
        return [
            ANONYMOUS_STATEMENT,
            f"{kept} Results only ever show totals for groups big enough that nobody can be picked out.",
        ]
    if invitation is not None:
        return [IDENTIFIED_STATEMENT]
    return [
        "This survey is not anonymous, but this link does not ask who you are: we keep your answers with the "
        "workplace you choose and the date."
    ]


def _session_hours() -> int:
    return max(1, settings.SESSION_COOKIE_AGE // 3600)


def _save_later_note(survey: Survey, invitation: Invitation | None) -> str:
    if _saved_in_database(survey, invitation):
        return "You can save your answers and finish later: open your personal link again."
    anonymous = "Unfinished anonymous answers are" if survey.is_anonymous else "Unfinished answers are"
    return (
        f"{anonymous} kept only in this browser, not with your name or your link, so you can finish them later "
        f"only on this device, within {_session_hours()} hours."
    )


def _answer(request: HttpRequest, survey: Survey, invitation: Invitation | None) -> HttpResponse:
    """The questions, and what sending or saving them does, for either link."""
    questions = responses.survey_questions(survey)
    workplaces = _public_workplaces(survey) if invitation is None else None
    form = AnswerForm(
        request.POST or None,
        questions=questions,
        workplaces=workplaces,
        initial=_initial(request, survey, invitation, questions),
    )
    if request.method == "POST" and form.is_valid():
        later = "later" in request.POST
        if invitation is not None:
            respondent = responses.respondent_of(invitation.person)
        else:
            respondent = responses.respondent_at(form.chosen_workplace(), survey.unit)
        try:
            if later and _saved_in_database(survey, invitation):
                responses.save_response(
                    survey=survey, answers=form.answers(), respondent=respondent, invitation=invitation, complete=False
                )
            elif later:
                responses.clean_answers(questions, form.answers(), complete=False)
                _keep_session_draft(request, survey, form.draft())
                # Nothing kept in the session beside unfinished anonymous answers says whose they are.
                if survey.is_anonymous:
                    request.session.pop(INVITATION_KEY, None)
            else:
                responses.save_response(
                    survey=survey, answers=form.answers(), respondent=respondent, invitation=invitation
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except responses.AlreadyAnswered:
            return _already_answered(request, survey)
        except responses.SurveyClosed:
            return _closed_page(request, survey) or _not_found(request)
        else:
            if later:
                return redirect("survey:saved", token=survey.public_token)
            _forget_session_draft(request, survey)
            if invitation is not None:
                request.session.pop(INVITATION_KEY, None)
            return redirect("survey:thanks", token=survey.public_token)
    first_name = invitation.person.first_name if invitation is not None and not survey.is_anonymous else ""
    return render(
        request,
        "surveys/answer/form.html",
        {
            "survey": survey,
            "form": form,
            "first_name": first_name,
            "statement": _statement(survey, invitation),
            "save_later_note": _save_later_note(survey, invitation),
        },
    )


# The pages -----------------------------------------------------------------------------------------


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def public(request: HttpRequest, token: str) -> HttpResponse:
    """The public link: the survey's start page and its questions, for anyone who has the link."""
    try:
        survey = _survey_for_token(token)
    except Http404:
        return _not_found(request)
    return _closed_page(request, survey) or _answer(request, survey, invitation=None)


@login_not_required
@never_cache
@require_GET
def invited(request: HttpRequest, token: str) -> HttpResponse:
    """A personal link: check it, keep the invitation's id in the session, and go to the token-less page."""
    invitation = _invitation(token=token)
    if invitation is None:
        return _not_found(request)
    survey = invitation.survey
    if invitation.used:
        return _already_answered(request, survey)
    closed = _closed_page(request, survey)
    if closed is not None:
        return closed
    request.session[INVITATION_KEY] = invitation.pk
    return redirect("survey:invited_form")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invited_form(request: HttpRequest) -> HttpResponse:
    """The answering page for the invitation kept in the session (see the module's docstring for why)."""
    pk = request.session.get(INVITATION_KEY)
    invitation = _invitation(pk=pk) if isinstance(pk, int) else None
    if invitation is None:
        return render(request, "surveys/answer/link_needed.html")
    survey = invitation.survey
    if invitation.used:
        return _already_answered(request, survey)
    return _closed_page(request, survey) or _answer(request, survey, invitation=invitation)


@login_not_required
@require_GET
def saved(request: HttpRequest, token: str) -> HttpResponse:
    """After "Save and finish later": how to come back."""
    try:
        survey = _survey_for_token(token)
    except Http404:
        return _not_found(request)
    pk = request.session.get(INVITATION_KEY)
    by_link = (
        not survey.is_anonymous and isinstance(pk, int) and Invitation.objects.filter(pk=pk, survey=survey).exists()
    )
    return render(
        request,
        "surveys/answer/saved.html",
        {"survey": survey, "by_link": by_link, "hours": _session_hours()},
    )


@login_not_required
@require_GET
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey = _survey_for_token(token)
    except Http404:
        return _not_found(request)
    return render(request, "surveys/answer/thanks.html", {"survey": survey})


# Tokens are long (secrets.token_urlsafe), so words like "answer" never read as one.
LINK = r"(?P<token>[A-Za-z0-9_-]{20,64})"

urlpatterns: list[URLPattern] = []  # under /surveys/, namespace "surveys" (signed in)
public_urlpatterns: list[URLPattern] = [  # under /s/, namespace "survey" (no login)
    path("answer/", invited_form, name="invited_form"),
    re_path(rf"^i/{LINK}/$", invited, name="invited"),
    re_path(rf"^{LINK}/$", public, name="public"),
    re_path(rf"^{LINK}/saved/$", saved, name="saved"),
    re_path(rf"^{LINK}/thanks/$", thanks, name="thanks"),
]
