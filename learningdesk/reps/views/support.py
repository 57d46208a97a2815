"""Supporting reps: the support log, action plans, actions and recognition."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.pagination import paginate
from learningdesk.org import scoping
from learningdesk.reps import support
from learningdesk.reps.forms.support import AgreedActionFormSet, PlanActionForm, RecognitionForm, SupportContactForm
from learningdesk.reps.models import Action, Rep
from learningdesk.reps.views.register import rep_crumbs


def rep_url(rep: Rep) -> str:
    return reverse("reps:detail", args=[rep.pk])


# The support log --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def support_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Log a 1-2-1 or other contact with a rep, with up to three agreed actions. Co-ordinators only."""
    rep = scoping.get_rep_for_user(request.user, pk, for_change=True)
    form = SupportContactForm(request.POST or None)
    actions = AgreedActionFormSet(request.POST or None, rep=rep, prefix="action")
    if request.method == "POST" and all([form.is_valid(), actions.is_valid()]):
        try:
            support.support_contact_add(
                acting_user=request.user, rep=rep, data=form.cleaned_data, actions=actions.agreed()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            agreed = len(actions.agreed())
            extra = f" and {agreed} action{'s' if agreed != 1 else ''}" if agreed else ""
            messages.success(request, f"Contact with {rep.person.full_name} logged{extra}.")
            return redirect(rep_url(rep))
    return render(
        request,
        "reps/support/support_form.html",
        {"form": form, "actions": actions, "rep": rep, "crumbs": rep_crumbs(rep)},
    )


# The action plan --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rep = scoping.get_rep_for_user(request.user, pk, for_change=True)
    form = PlanActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            support.plan_action_add(acting_user=request.user, rep=rep, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added to {rep.person.full_name}'s action plan.")
            return redirect(rep_url(rep))
    return render(request, "reps/support/plan_form.html", {"form": form, "rep": rep, "crumbs": rep_crumbs(rep)})


# Recognition ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def recognition_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rep = scoping.get_rep_for_user(request.user, pk, for_change=True)
    form = RecognitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            support.recognition_add(acting_user=request.user, rep=rep, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Recognition of {rep.person.full_name} recorded.")
            return redirect(rep_url(rep))
    return render(request, "reps/support/recognition_form.html", {"form": form, "rep": rep, "crumbs": rep_crumbs(rep)})


# Actions ----------------------------------------------------------------------------------------


def _action_home(action: Action) -> str:
    """Where an action lives: its rep's page, else its meeting, else the list of actions."""
    if action.rep_id:
        return reverse("reps:detail", args=[action.rep_id])
    if action.meeting_id:
        return reverse("reps:meeting_detail", args=[action.meeting_id])
    return reverse("reps:actions")


@require_POST
def action_done(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Tick an action done (today), or open it again. With htmx, answers just the action's row."""
    action = scoping.get_action_for_user(request.user, pk, for_change=True)
    action = support.action_toggle(acting_user=request.user, action=action)
    next_url = request.POST.get("next", "")
    if request.htmx:
        action = Action.objects.select_related("owner", "rep__person", "meeting").get(pk=action.pk)
        return render(
            request,
            "reps/support/_action_row.html",
            {
                "action": action,
                "today": timezone.localdate(),
                "can_tick": True,
                "next_url": next_url,
                "show_context": request.POST.get("show_context") == "1",
            },
        )
    done = "done" if action.done_on else "not done"
    messages.success(request, f"“{action.description}” marked as {done}.")
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(next_url if next_url and safe else _action_home(action))


ACTION_FILTERS = {"all": "All open actions", "mine": "Mine", "overdue": "Overdue"}
ACTION_COLUMNS = [  # the list as a file (core/exports.py)
    Column("What", lambda action: action.description),
    Column("Who", lambda action: action.who),
    Column("By when", lambda action: action.due_on),
    Column("Support they need", lambda action: action.support_needed),
    Column("Rep", lambda action: action.rep.person.full_name if action.rep else ""),
    Column("Meeting", lambda action: action.meeting.title if action.meeting else ""),
    Column("Unit", lambda action: action.unit.name),
    Column("Part of an action plan", lambda action: action.is_plan),
]


@vary_on_headers("HX-Request")
def action_list(request: AuthenticatedRequest) -> HttpResponse:
    """Open actions in the user's scope, overdue first, then by the date they are due."""
    show = request.GET.get("show", "all")
    show = show if show in ACTION_FILTERS else "all"
    today = timezone.localdate()
    actions = scoping.visible_actions(request.user).filter(done_on__isnull=True).select_related("meeting")
    if show == "mine":
        user = request.user
        mine = Q(owner_id=user.person_id) if user.person_id else Q(pk__in=[])
        mine |= Q(owner__isnull=True, created_by=user, owner_name=user.full_name)
        actions = actions.filter(mine)
    elif show == "overdue":
        actions = actions.filter(due_on__lt=today)
    actions = actions.annotate(
        overdue_first=Case(When(due_on__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("overdue_first", F("due_on").asc(nulls_last=True), "id")
    fmt = export_format(request)
    if fmt:
        rows = actions.select_related("unit")
        return export_response(request, name="rep actions", columns=ACTION_COLUMNS, rows=rows, fmt=fmt)
    page = paginate(request, actions)
    on_page = [action.pk for action in page.object_list]
    tickable = set(scoping.changeable_actions(request.user).filter(pk__in=on_page).values_list("pk", flat=True))
    for action in page.object_list:
        action.can_tick = action.pk in tickable  # type: ignore[attr-defined]
    return render(
        request,
        "reps/support/action_list.html",
        {
            "page_obj": page,
            "show": show,
            "caption": f"{page.paginator.count:,} {'overdue' if show == 'overdue' else 'open'} "
            f"action{'' if page.paginator.count == 1 else 's'}",
            "filters": ACTION_FILTERS,
            "today": today,
        },
    )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/support/add/", support_add, name="support_add"),
    path("<int:pk>/plan/add/", plan_add, name="plan_add"),
    path("<int:pk>/recognition/add/", recognition_add, name="recognition_add"),
    path("actions/", action_list, name="actions"),
    path("actions/<int:pk>/done/", action_done, name="action_done"),
]
