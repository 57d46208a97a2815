"""Evaluation: the learner's feedback form (public, from the signed link in their email) and the summary of
an activity's evaluations for the people who run it."""

from __future__ import annotations

import contextlib

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.pagination import paginate
from learningdesk.learning import evaluation, tokens
from learningdesk.learning.forms.evaluation import EvaluationForm
from learningdesk.learning.models import Evaluation, SignUp
from learningdesk.learning.views.register_parts import activity_crumbs, when
from learningdesk.org import scoping


def _sign_up_for_token(token: str) -> SignUp:
    """The attended sign-up a feedback link was made for; 404 for a tampered link or anyone else."""
    pk = tokens.read(tokens.EVALUATION, token)
    record = (
        SignUp.objects.filter(pk=pk, status=SignUp.Status.ATTENDED).select_related("session__activity__unit").first()
        if pk is not None
        else None
    )
    if record is None:
        raise Http404("No such feedback form")
    return record


@login_not_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The learner's feedback form: once only; a second visit thanks them."""
    record = _sign_up_for_token(token)
    session = record.session
    context = {"session": session, "activity": session.activity, "when": when(session)}
    if Evaluation.objects.filter(sign_up=record).exists():
        return render(request, "learning/evaluation/thanks.html", {**context, "just_sent": "sent" in request.GET})
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Sent twice at once (two taps, two tabs): the first one counts, both end on the thank-you page.
        with contextlib.suppress(evaluation.AlreadyEvaluated):
            evaluation.evaluation_submit(sign_up=record, data=form.cleaned_data)
        return redirect(reverse("learn:evaluation", args=[token]) + "?sent=1")
    return render(request, "learning/evaluation/form.html", {**context, "form": form})


@require_GET
def summary(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An activity's evaluations: the figures, what learners wrote, the topics they want, who to follow up."""
    activity = scoping.get_activity_for_user(request.user, pk)
    answers = (
        evaluation.evaluations_of(activity)
        .exclude(learnt="", next_steps="", other_topics="")
        .order_by("-submitted_at", "-pk")
    )
    return render(
        request,
        "learning/evaluation/summary.html",
        {
            "activity": activity,
            "summary": evaluation.summary(activity),
            "page_obj": paginate(request, answers),
            "crumbs": [*activity_crumbs(activity), ("Evaluations", None)],
        },
    )


# Listed in views/register.py's urlpatterns (learning/urls.py takes the staff pages from there).
urlpatterns: list[URLPattern] = [
    path("activities/<int:pk>/evaluations/", summary, name="evaluations"),
]
public_urlpatterns: list[URLPattern] = [
    path("evaluation/<str:token>/", feedback, name="evaluation"),
]
