"""A rep's own view: their workplaces, actions, next meeting, training deadline."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from learningdesk.core.http import AuthenticatedRequest
from learningdesk.org import scoping
from learningdesk.reps import facility
from learningdesk.reps.models import Conversation


def own(request: AuthenticatedRequest) -> HttpResponse:
    """What a signed-in rep needs, phone first: the two buttons, then deadlines, actions, meetings, time."""
    reps = list(scoping.own_reps(request.user).select_related("person__branch").order_by("kind__order", "pk"))
    if not reps:
        return render(request, "reps/own/not_a_rep.html", {"may_manage": scoping.may_manage_reps(request.user)})
    today = timezone.localdate()
    summary = facility.own_summary(request.user, reps, today)
    roles = [
        {
            "rep": rep,
            "workplaces": list(rep.workplaces.select_related("employer").order_by("name")),
            "time": facility.rep_facility(rep, today),
        }
        for rep in reps
    ]
    conversations = list(Conversation.objects.filter(rep__in=reps).select_related("person")[:10])
    return render(
        request,
        "reps/own/own.html",
        {
            "summary": summary,
            "roles": roles,
            "conversations": conversations,
            "today": today,
            "several": len(reps) > 1,
        },
    )


urlpatterns: list[URLPattern] = [
    path("me/", own, name="own"),
]
