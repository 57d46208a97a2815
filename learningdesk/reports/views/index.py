"""The Reports page: where a co-ordinator, officer or the regional and national office find every report."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from learningdesk.core.http import AuthenticatedRequest
from learningdesk.org import scoping


def index(request: AuthenticatedRequest) -> HttpResponse:
    scope = scoping.get_scope(request.user)
    if not scope.see:
        raise Http404
    roots = list(scoping.scope_roots(request.user))
    return render(
        request,
        "reports/index.html",
        {
            # Comparing units side by side is for someone whose scope has units below it: a region or the nation.
            "may_compare": any(root.numchild for root in roots),
            "may_see_equality": bool(scope.equality),
            "may_edit": bool(scope.edit),
        },
    )


urlpatterns: list[URLPattern] = [path("", index, name="index")]
