"""Time off for learners: the requests in scope with the figures per employer, logging a request and the manager's
decision, and the negotiation cases refusals open (co-ordinators take them up; a ULR follows their members')."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.employers import time_off
from learningdesk.employers.forms.time_off import (
    CaseCloseForm,
    CaseFilterForm,
    CaseNoteForm,
    CaseOwnerForm,
    CaseReopenForm,
    DecisionForm,
    TimeOffFilterForm,
    TimeOffRequestForm,
)
from learningdesk.employers.models import NegotiationCase, TimeOffRequest
from learningdesk.org import scoping
from learningdesk.org.forms import PersonSearchForm
from learningdesk.org.models import Person
from learningdesk.org.selectors import people_matching


def time_off_crumbs(here: str | None = None) -> Crumbs:
    crumbs: Crumbs = [("Time off for learners", reverse("employers:time_off_list"))]
    return [*crumbs, (here, None)] if here else crumbs


def request_crumbs(request: TimeOffRequest, here: str | None = None) -> Crumbs:
    crumbs = [
        *time_off_crumbs(),
        (f"{request.person.full_name}, {request.what}", reverse("employers:time_off_detail", args=[request.pk])),
    ]
    return [*crumbs, (here, None)] if here else crumbs


def case_crumbs(case: NegotiationCase | None = None, here: str | None = None) -> Crumbs:
    crumbs = [*time_off_crumbs(), ("Negotiation cases", reverse("employers:case_list"))]
    if case is not None:
        crumbs.append((f"{case.request.person.full_name}", reverse("employers:case_detail", args=[case.pk])))
    return [*crumbs, (here, None)] if here else crumbs


# Requests ---------------------------------------------------------------------------------------


# The lists as files (core/exports.py): hours as numbers, the whole filtered list.
TIME_OFF_COLUMNS = [
    Column("Last name", lambda r: r.person.last_name),
    Column("First name", lambda r: r.person.first_name),
    Column("Employer", lambda r: r.employer.name),
    Column("Learning", lambda r: r.what),
    Column("Asked on", lambda r: r.requested_on),
    Column("Hours asked for", lambda r: r.hours),
    Column("Manager", lambda r: r.manager.name if r.manager else r.manager_name),
    Column("Decision", lambda r: r.get_decision_display()),
    Column("Decided on", lambda r: r.decided_on),
    Column("Hours approved", lambda r: r.hours_approved),
    Column("Negotiation case", lambda r: r.case.get_status_display() if hasattr(r, "case") else ""),
]
CASE_COLUMNS = [
    Column("Last name", lambda c: c.request.person.last_name),
    Column("First name", lambda c: c.request.person.first_name),
    Column("Employer", lambda c: c.request.employer.name),
    Column("Learning", lambda c: c.request.what),
    Column("Opened on", lambda c: c.opened_on),
    Column("Taken up by", lambda c: str(c.owner) if c.owner else ""),
    Column("State", lambda c: c.get_status_display()),
    Column("Outcome", lambda c: c.get_outcome_display()),
    Column("Closed on", lambda c: c.closed_on),
]


@require_GET
def time_off_list(request: AuthenticatedRequest) -> HttpResponse:
    """Requests in scope, newest first and filtered, with the figures per employer for the period."""
    user = request.user
    form = TimeOffFilterForm(request.GET or None, user=user)
    filters = form.filters()
    fmt = export_format(request)
    if fmt:
        rows = time_off.request_list(user=user, filters=filters)
        return export_response(request, name="time-off requests", columns=TIME_OFF_COLUMNS, rows=rows, fmt=fmt)
    page = paginate(request, time_off.request_list(user=user, filters=filters))
    # An empty page says why: nothing matches, or nothing was ever logged.
    has_any = bool(page.object_list) or scoping.visible_time_off_requests(user).exists()
    figures = time_off.figures_by_employer(
        user, employer=filters.employer, starts_on=filters.starts_on, ends_on=filters.ends_on
    )
    return render(
        request,
        "employers/time_off_list.html",
        {
            "form": form,
            "filters": filters,
            "page_obj": page,
            "figures": figures,
            "total": time_off.Figures.total(figures) if len(figures) > 1 else None,
            "has_any": has_any,
            "can_add": scoping.may_add_people(user),
            "open_case_count": time_off.open_cases(user).count(),
            "crumbs": time_off_crumbs(),
        },
    )


def _choose_person(request: AuthenticatedRequest) -> HttpResponse:
    """The first step of logging a request: find the member."""
    search = PersonSearchForm(request.GET if "q" in request.GET else None, label="Find the member")
    found = None
    if search.is_valid():
        people = people_matching(scoping.editable_people(request.user), search.cleaned_data["q"])
        found = paginate(
            request, people.select_related("branch", "workplace").order_by("last_name_key", "first_name_key", "id"), 20
        )
    return render(
        request,
        "employers/time_off_person_search.html",
        {"search": search, "page_obj": found, "crumbs": time_off_crumbs("Log a time-off request")},
    )


@require_http_methods(["GET", "POST"])
def time_off_add(request: AuthenticatedRequest) -> HttpResponse:
    """Log a member's request for time off to learn: a ULR for the members at their workplaces, co-ordinators for
    their branches'. The member comes from ?person= (their page links here), else a search first."""
    user = request.user
    if not scoping.may_add_people(user):
        raise PermissionDenied("Only co-ordinators and ULRs log time-off requests.")
    if not request.GET.get("person", "").isdigit():
        return _choose_person(request)
    person: Person = scoping.get_person_for_user(user, request.GET["person"], for_change=True)
    form = TimeOffRequestForm(request.POST or None, user=user, person=person, instance=TimeOffRequest(person=person))
    if request.method == "POST" and form.is_valid():
        try:
            logged = time_off.request_log(acting_user=user, request=form.instance, fields=form.changed_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if form.cleaned_data["decided"]:
                messages.success(request, "Time-off request logged. Now record the manager's decision.")
                return redirect("employers:time_off_decide", pk=logged.pk)
            messages.success(request, "Time-off request logged. Record the manager's decision when it comes.")
            return redirect("employers:time_off_detail", pk=logged.pk)
    return render(
        request,
        "employers/time_off_form.html",
        {"form": form, "person": person, "crumbs": time_off_crumbs("Log a time-off request")},
    )


@require_GET
def time_off_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    time_off_request = scoping.get_time_off_request_for_user(user, pk)
    case = NegotiationCase.objects.filter(request=time_off_request).select_related("owner").first()
    return render(
        request,
        "employers/time_off_detail.html",
        {
            "time_off": time_off_request,
            "case": case,
            "can_decide": scoping.changeable_time_off_requests(user).filter(pk=time_off_request.pk).exists(),
            "crumbs": request_crumbs(time_off_request),
        },
    )


@require_http_methods(["GET", "POST"])
def time_off_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record the manager's decision, or their changed mind. A refusal or partial approval opens a case."""
    user = request.user
    time_off_request = scoping.get_time_off_request_for_user(user, pk, for_change=True)
    form = DecisionForm(request.POST or None, request=time_off_request)
    if request.method == "POST" and form.is_valid():
        try:
            result = time_off.request_decide(acting_user=user, request=time_off_request, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _decision_message(result))
            return redirect("employers:time_off_detail", pk=time_off_request.pk)
    return render(
        request,
        "employers/time_off_decide.html",
        {
            "form": form,
            "time_off": time_off_request,
            "crumbs": request_crumbs(time_off_request, "The manager's decision"),
        },
    )


def _decision_message(result: time_off.DecisionResult) -> str:
    decision = result.request.get_decision_display()
    case = result.case
    if result.case_opened and case is not None:
        who = f"{case.owner} to take up" if case.owner else "a co-ordinator to take up (no one is named yet)"
        return f"{decision}: recorded. A negotiation case is open for {who}."
    if result.case_reopened:
        return f"{decision}: recorded. The negotiation case is open again."
    if result.case_closed:
        return f"{decision}: recorded. The negotiation case is closed: time off given."
    return f"{decision}: recorded."


# Negotiation cases --------------------------------------------------------------------------------


@require_GET
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    """Cases in scope: the open ones first (the longest waiting first), then the closed, the latest first."""
    user = request.user
    form = CaseFilterForm(request.GET or None)
    status, mine = form.filters()
    cases = scoping.visible_negotiation_cases(user).select_related("request__activity")
    if status:
        cases = cases.filter(status=status)
    if mine:
        cases = cases.filter(owner=user)
    # "open" sorts after "closed": descending puts the open ones first; they have no closing date.
    cases = cases.order_by("-status", F("closed_on").desc(nulls_first=True), "opened_on", "id")
    fmt = export_format(request)
    if fmt:
        return export_response(request, name="negotiation cases", columns=CASE_COLUMNS, rows=cases, fmt=fmt)
    return render(
        request,
        "employers/case_list.html",
        {
            "form": form,
            "status": status,
            "mine": mine,
            "page_obj": paginate(request, cases),
            "crumbs": case_crumbs(),
        },
    )


def _case_page(
    request: AuthenticatedRequest,
    case: NegotiationCase,
    *,
    note_form: CaseNoteForm | None = None,
    owner_form: CaseOwnerForm | None = None,
) -> HttpResponse:
    user = request.user
    can_change = scoping.changeable_negotiation_cases(user).filter(pk=case.pk).exists()
    if can_change:
        note_form = note_form or CaseNoteForm()
        owner_form = owner_form or CaseOwnerForm(case=case)
    return render(
        request,
        "employers/case_detail.html",
        {
            "case": case,
            "time_off": case.request,
            "notes": list(case.notes.select_related("written_by")),
            "can_change": can_change,
            "note_form": note_form,
            "owner_form": owner_form,
            "may_take_on": can_change and case.owner_id != user.pk,
            "crumbs": case_crumbs(case),
        },
    )


@require_http_methods(["GET", "POST"])
def case_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A case: the request, its notes (newest first) and, for co-ordinators, a note to add and who takes it up."""
    user = request.user
    if request.method == "GET":
        return _case_page(request, scoping.get_negotiation_case_for_user(user, pk))
    case = scoping.get_negotiation_case_for_user(user, pk, for_change=True)
    if "take_on" in request.POST:
        time_off.case_assign(acting_user=user, case=case, owner=user)
        messages.success(request, "You are taking up this case.")
        return redirect("employers:case_detail", pk=case.pk)
    if "owner" in request.POST:
        owner_form = CaseOwnerForm(request.POST, case=case)
        if owner_form.is_valid():
            owner = owner_form.cleaned_data["owner"]
            time_off.case_assign(acting_user=user, case=case, owner=owner)
            messages.success(request, f"{owner} is taking up this case." if owner else "No one is taking up this case.")
            return redirect("employers:case_detail", pk=case.pk)
        return _case_page(request, case, owner_form=owner_form)
    note_form = CaseNoteForm(request.POST)
    if note_form.is_valid():
        try:
            time_off.case_note_add(acting_user=user, case=case, **note_form.cleaned_data)
        except ValidationError as error:
            add_service_errors(note_form, error)
        else:
            messages.success(request, "Note added.")
            return redirect("employers:case_detail", pk=case.pk)
    return _case_page(request, case, note_form=note_form)


@require_http_methods(["GET", "POST"])
def case_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Close an open case with its outcome, or open a closed one again. Co-ordinators only."""
    user = request.user
    case = scoping.get_negotiation_case_for_user(user, pk, for_change=True)
    is_open = case.status == NegotiationCase.Status.OPEN
    form: CaseCloseForm | CaseReopenForm
    form = CaseCloseForm(request.POST or None, case=case) if is_open else CaseReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if isinstance(form, CaseCloseForm):
                closed = time_off.case_close(acting_user=user, case=case, **form.cleaned_data)
                messages.success(request, f"Case closed: {closed.get_outcome_display().lower()}.")
            else:
                time_off.case_reopen(acting_user=user, case=case, **form.cleaned_data)
                messages.success(request, "The case is open again.")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("employers:case_detail", pk=case.pk)
    return render(
        request,
        "employers/case_close.html",
        {
            "form": form,
            "case": case,
            "time_off": case.request,
            "is_open": is_open,
            "crumbs": case_crumbs(case, "Close the case" if is_open else "Open the case again"),
        },
    )


urlpatterns: list[URLPattern] = [  # under /employers/, namespace "employers"
    path("time-off/", time_off_list, name="time_off_list"),
    path("time-off/add/", time_off_add, name="time_off_add"),
    path("time-off/<int:pk>/", time_off_detail, name="time_off_detail"),
    path("time-off/<int:pk>/decision/", time_off_decide, name="time_off_decide"),
    path("time-off/cases/", case_list, name="case_list"),
    path("time-off/cases/<int:pk>/", case_detail, name="case_detail"),
    path("time-off/cases/<int:pk>/close/", case_close, name="case_close"),
]
