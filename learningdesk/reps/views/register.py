"""The register: list, add a prospect, a rep's page, edit, moving along the path, training, role names."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.org import scoping
from learningdesk.org.forms import PersonSearchForm
from learningdesk.org.models import Person
from learningdesk.reps import kinds, selectors, services
from learningdesk.reps.forms.register import (
    RepAddForm,
    RepEditForm,
    RepFilterForm,
    RepKindFormSet,
    RepMoveForm,
    TrainingForm,
)
from learningdesk.reps.models import Rep, RepKind, Stage


def register_crumbs() -> Crumbs:
    return [("Reps", reverse("reps:register"))]


def rep_crumbs(rep: Rep) -> Crumbs:
    return [*register_crumbs(), (rep.person.full_name, reverse("reps:detail", args=[rep.pk]))]


def _may_add_to(request: AuthenticatedRequest, person: Person) -> bool:
    """Whether the user may add this person to the register (their reps are ones the user may change)."""
    return any(person.branch.path.startswith(path) for path in scoping.get_scope(request.user).edit)


# The register -----------------------------------------------------------------------------------


# The register as a file (core/exports.py): the whole filtered list.
REGISTER_COLUMNS = [
    Column("Last name", lambda rep: rep.person.last_name),
    Column("First name", lambda rep: rep.person.first_name),
    Column("Role", lambda rep: rep.kind.name),
    Column("Stage", lambda rep: rep.get_stage_display()),
    Column("Since", lambda rep: rep.stage_on),
    Column("Workplaces", lambda rep: ", ".join(w.name for w in rep.workplaces.all())),
    Column("Employers", lambda rep: ", ".join(sorted({w.employer.name for w in rep.workplaces.all()}))),
    Column("Notified on", lambda rep: rep.notified_on),
    Column("Training due by", lambda rep: rep.training_due_by),
    Column("Trained on", lambda rep: rep.trained_on),
    Column("Email", lambda rep: rep.person.email),
    Column("Phone", lambda rep: rep.person.phone),
]


@vary_on_headers("HX-Request")  # the same URL answers a whole page or only the results
def register(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    form = RepFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    fmt = export_format(request)
    if fmt:
        reps = selectors.rep_register(user=request.user, filters=filters, today=today)
        return export_response(request, name="reps register", columns=REGISTER_COLUMNS, rows=reps, fmt=fmt)
    page = paginate(request, selectors.rep_register(user=request.user, filters=filters, today=today))
    context = {
        "form": form,
        "filters": filters,
        "page_obj": page,
        "rows": selectors.register_rows(page.object_list, today),
        "can_add": scoping.may_manage_reps(request.user),
        "can_rename_kinds": scoping.is_national_admin(request.user),
    }
    htmx = getattr(request, "htmx", None)
    template = "reps/register/list.html#results" if htmx and not htmx.boosted else "reps/register/list.html"
    return render(request, template, context)


# Adding a rep -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def add(request: AuthenticatedRequest) -> HttpResponse:
    """Two steps that work without JavaScript: find the person (a search, not a select of thousands),
    then say which role, where and how far along they are."""
    if not scoping.may_manage_reps(request.user):
        raise Http404
    person_pk = request.GET.get("person", "")
    if not person_pk:
        return _find_person(request)
    person = scoping.get_person_for_user(request.user, person_pk, for_change=True)
    if not _may_add_to(request, person):
        raise Http404
    form = RepAddForm(request.POST or None, user=request.user, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rep = services.rep_add(
                acting_user=request.user,
                person=person,
                kind=data["kind"],
                workplaces=data["workplaces"],
                stage=data["stage"],
                on=data["on"],
                data=form.rep_data(),
                motivations=data["motivations"],
                barriers=data["barriers"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{person.full_name} added to the register as {rep.get_stage_display().lower()}.")
            return redirect("reps:detail", pk=rep.pk)
    current = scoping.visible_reps(request.user).filter(person=person).exclude(stage=Stage.STOOD_DOWN)
    return render(
        request,
        "reps/register/add.html",
        {"form": form, "person": person, "current": list(current), "crumbs": register_crumbs()},
    )


def _find_person(request: AuthenticatedRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET if "q" in request.GET else None, label="Who are you adding?")
    page = None
    if form.is_valid():
        page = paginate(request, selectors.people_search(user=request.user, query=form.cleaned_data["q"]), 20)
    return render(
        request,
        "reps/register/add_find.html",
        {
            "form": form,
            "page_obj": page,
            "can_add_people": scoping.may_add_people(request.user),
            "crumbs": register_crumbs(),
        },
    )


# A rep's page -----------------------------------------------------------------------------------


def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rep = get_object_or_404(
        scoping.visible_reps(request.user).select_related("person__branch", "person__workplace"), pk=pk
    )
    today = timezone.localdate()
    context = {
        "rep": rep,
        "today": today,
        "stage_colour": selectors.stage_tag_colour(rep.stage),
        "deadline": selectors.deadline_for(rep, today),
        "workplaces": list(rep.workplaces.select_related("employer").order_by("name")),
        "can_edit": scoping.editable_reps(request.user).filter(pk=rep.pk).exists(),
        "can_see_person": scoping.visible_people(request.user).filter(pk=rep.person_id).exists(),
        "crumbs": register_crumbs(),
        **selectors.rep_page(rep=rep),
    }
    return render(request, "reps/register/detail.html", context)


@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rep = scoping.get_rep_for_user(request.user, pk, for_change=True)
    form = RepEditForm(request.POST or None, user=request.user, rep=rep)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rep_update(
                acting_user=request.user,
                rep=rep,
                data=form.rep_data(),
                workplaces=data["workplaces"],
                motivations=data["motivations"],
                barriers=data["barriers"],
            )
        except ValidationError as error:
            rep.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, f"{rep.person.full_name}'s details saved.")
            return redirect("reps:detail", pk=rep.pk)
    return render(request, "reps/register/edit.html", {"form": form, "rep": rep, "crumbs": rep_crumbs(rep)})


@require_http_methods(["GET", "POST"])
def move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rep = scoping.get_rep_for_user(request.user, pk, for_change=True)
    form = RepMoveForm(request.POST or None, rep=rep)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.rep_move(
                acting_user=request.user,
                rep=rep,
                stage=data["stage"],
                on=data["on"],
                note=data["note"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{rep.person.full_name} is now: {moved.get_stage_display().lower()}.")
            return redirect("reps:detail", pk=rep.pk)
    return render(request, "reps/register/move.html", {"form": form, "rep": rep, "crumbs": rep_crumbs(rep)})


# Training ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def training_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rep = scoping.get_rep_for_user(request.user, pk, for_change=True)
    form = TrainingForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            record = services.training_add(acting_user=request.user, rep=rep, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{record.course} added to {rep.person.full_name}'s training.")
            return redirect("reps:detail", pk=rep.pk)
    return render(
        request,
        "reps/register/training_form.html",
        {"form": form, "rep": rep, "record": None, "crumbs": rep_crumbs(rep)},
    )


@require_http_methods(["GET", "POST"])
def training_edit(request: AuthenticatedRequest, pk: int, training_pk: int) -> HttpResponse:
    rep = scoping.get_rep_for_user(request.user, pk, for_change=True)
    record = get_object_or_404(rep.training.all(), pk=training_pk)
    # The form works on a copy: the service compares and saves the record itself.
    form = TrainingForm(request.POST or None, instance=copy.copy(record))
    if request.method == "POST" and form.is_valid():
        try:
            services.training_update(acting_user=request.user, record=record, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{record.course} saved.")
            return redirect("reps:detail", pk=rep.pk)
    return render(
        request,
        "reps/register/training_form.html",
        {"form": form, "rep": rep, "record": record, "crumbs": rep_crumbs(rep)},
    )


# Role names -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def kinds_rename(request: AuthenticatedRequest) -> HttpResponse:
    """What each learning role is called. National administrators only."""
    if not scoping.is_national_admin(request.user):
        raise Http404
    formset = RepKindFormSet(request.POST or None, queryset=RepKind.objects.all())
    if request.method == "POST" and formset.is_valid():
        kinds.rep_kinds_rename(acting_user=request.user, forms=formset.forms)
        messages.success(request, "Role names saved.")
        return redirect("reps:register")
    return render(request, "reps/register/kinds.html", {"formset": formset, "crumbs": register_crumbs()})


urlpatterns: list[URLPattern] = [
    path("", register, name="register"),
    path("add/", add, name="add"),
    path("kinds/", kinds_rename, name="kinds"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("<int:pk>/stage/", move, name="move"),
    path("<int:pk>/training/add/", training_add, name="training_add"),
    path("<int:pk>/training/<int:training_pk>/edit/", training_edit, name="training_edit"),
]
