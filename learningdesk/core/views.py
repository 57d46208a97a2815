"""The home page and the small pages every app shares."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from learningdesk.core.http import AuthenticatedRequest
from learningdesk.org import scoping, selectors


def home(request: AuthenticatedRequest) -> HttpResponse:
    """The signed-in user's scope at a glance, and what needs their attention."""
    scope = scoping.get_scope(request.user)
    figures = selectors.home_figures(user=request.user) if not scope.is_empty else None
    return render(
        request,
        "core/home.html",
        {
            "figures": figures,
            "roles": scope.roles,
            "roots": scoping.scope_roots(request.user),
            # A ULR's scope is their workplaces rather than a unit.
            "own_workplaces": scoping.visible_workplaces(request.user) if scope.workplace_ids and not scope.see else (),
            # Later areas (training deadlines, agreement reviews, ...) add their items here.
            "attention": [],
        },
    )


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
