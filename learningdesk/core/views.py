"""The home page and the small pages every app shares."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache

from learningdesk.core import backups, health
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.employers.home import attention as employers_attention
from learningdesk.learning.home import learning_home
from learningdesk.org import roles, scoping, selectors
from learningdesk.reports import dashboard
from learningdesk.reps import reminders


def home(request: AuthenticatedRequest) -> HttpResponse:
    """The signed-in user's scope at a glance: its figures against targets, trends, and what needs attention."""
    user = request.user
    today = timezone.localdate()
    scope = scoping.get_scope(user)
    # Slow counts that change slowly are kept a minute or two (reports/dashboard.py says which and why).
    kept = dashboard.kept_a_while
    figures = (
        kept(user, "figures", lambda: selectors.home_figures(user=user), only_wide=True) if not scope.is_empty else None
    )
    roots = scoping.scope_root_units(user)
    # Co-ordinators and officers look after reps; a ULR's own things are in their own section.
    attention = reminders.needs_attention(user, today=today) if scope.see else None
    learning = kept(user, "learning", lambda: learning_home(user), only_wide=True) if not scope.is_empty else None
    # This year's figures against targets, the trends by month and surveys closing, for each unit at the top.
    dashboards = dashboard.dashboards_for(user, roots, today=today) if scope.see else None
    return render(
        request,
        "core/home.html",
        {
            "figures": figures,
            "roles": scope.roles,
            "roots": roots,
            # A ULR's scope is their workplaces rather than a unit.
            "own_workplaces": scoping.visible_workplaces(user) if scope.workplace_ids and not scope.see else (),
            "own_reps": list(scoping.own_reps(user)),
            "rep_attention": attention,
            "may_change_reminders": any(a.role in roles.EDITOR_ROLES for a in scope.roles),
            "learning": learning,
            # This year's figures against targets and the trends by month, for each unit at the top of the scope.
            "dashboards": dashboards,
            # Later areas add their items here.
            "attention": (learning.attention if learning is not None and scope.see else [])
            + kept(user, "employers", lambda: employers_attention(user, today=today), only_wide=True)
            + (dashboard.surveys_closing(dashboards, today=today) if dashboards is not None else [])
            + backups.backup_attention(user),
        },
    )


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: the database and the task queue answer, and every migration is applied; else 503."""
    checks = health.readiness()
    failed = [name for name, outcome in checks.items() if outcome != health.OK]
    body: dict[str, object] = {"status": "unavailable" if failed else "ok", "checks": checks}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, with the request's id for the person to quote: the same id is on the error's log line.

    Rendered without context processors (the database may be what failed), like Django's own.
    """
    page = loader.get_template("500.html").render({"request_id": getattr(request, "request_id", "")})
    return HttpResponseServerError(page)


def system(request: AuthenticatedRequest) -> HttpResponse:
    """For national administrators: the backups, the last good one and any failure since."""
    if not scoping.is_national_admin(request.user):
        raise Http404
    return render(request, "core/system.html", {"backups": backups.backup_status()})
