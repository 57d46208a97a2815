"""Screens for the organisation: the tree, employers, workplaces and people."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.pagination import paginate, paginate_late
from learningdesk.employers import time_off
from learningdesk.employers.overview import employer_overview
from learningdesk.learning import records as learning_records
from learningdesk.org import scoping, selectors, services
from learningdesk.org.forms import (
    ConsentForm,
    EmployerForm,
    EqualityForm,
    PeopleFilterForm,
    PersonForm,
    UnitForm,
    UnitKindFormSet,
    WorkplaceForm,
)
from learningdesk.org.models import Consent, Employer, EqualityRecord, OrgUnit, Person, UnitKind, Workplace
from learningdesk.reps import selectors as rep_selectors
from learningdesk.surveys import invitations as survey_invitations


def people_crumbs() -> list[tuple[str, str | None]]:
    return [("People", reverse("org:person_list"))]


def unit_crumbs(user: User, unit: OrgUnit) -> list[tuple[str, str | None]]:
    """Breadcrumbs down to ``unit``, showing only the units the user may see."""
    ancestors = scoping.visible_units(user).filter(path__in=scoping.ancestor_paths((unit.path,))).order_by("path")
    crumbs: list[tuple[str, str | None]] = [("Organisation", reverse("org:unit_list"))]
    crumbs += [(ancestor.name, reverse("org:unit_detail", args=[ancestor.pk])) for ancestor in ancestors]
    return crumbs


# The tree ---------------------------------------------------------------------------------------


# The tables as files (core/exports.py): the whole filtered list, never equality data.
UNIT_COLUMNS = [
    Column("Unit", lambda unit: unit.name),
    Column("Code", lambda unit: unit.code),
    Column("Kind", lambda unit: unit.kind.name),
    Column("Part of", lambda unit: unit.parent_name),
    Column("Email", lambda unit: unit.email),
    Column("Active", lambda unit: unit.is_active),
]
WORKPLACE_COLUMNS = [
    Column("Workplace", lambda w: w.name),
    Column("Employer", lambda w: w.employer.name),
    Column("Organised by", lambda w: w.branch.name),
    Column("Address", lambda w: w.address),
    Column("Town", lambda w: w.town),
    Column("Postcode", lambda w: w.postcode),
    Column("Headcount", lambda w: w.headcount),
    Column("People", lambda w: w.people_count),
]
EMPLOYER_COLUMNS = [
    Column("Employer", lambda e: e.name),
    Column("Sector", lambda e: e.get_sector_display()),
    Column("Public sector", lambda e: e.is_public_sector),
    Column("Looked after by", lambda e: e.unit.name),
    Column("Your workplaces", lambda e: e.workplace_count),
    Column("Website", lambda e: e.website),
]
CONTACT_COLUMNS = [
    Column("Name", lambda c: c.name),
    Column("Role", lambda c: c.get_kind_display()),
    Column("Job title", lambda c: c.job_title),
    Column("Employer", lambda c: c.employer.name),
    Column("Workplace", lambda c: c.workplace.name if c.workplace else ""),
    Column("Email", lambda c: c.email),
    Column("Phone", lambda c: c.phone),
    Column("Still in post", lambda c: c.is_current),
]
PERSON_COLUMNS = [
    Column("Last name", lambda p: p.last_name),
    Column("First name", lambda p: p.first_name),
    Column("Membership number", lambda p: p.membership_number),
    Column("Status", lambda p: p.get_status_display()),
    Column("Branch", lambda p: p.branch.name),
    Column("Workplace", lambda p: p.workplace.name if p.workplace else ""),
    Column("Job title", lambda p: p.job_title),
    Column("Email", lambda p: p.email),
    Column("Phone", lambda p: p.phone),
    Column("Date joined", lambda p: p.joined_on),
]


def unit_list(request: AuthenticatedRequest) -> HttpResponse:
    """Where browsing starts: the top units of the user's scope, or units matching a search."""
    query = " ".join(request.GET.get("q", "").split())
    fmt = export_format(request)
    if fmt:  # every unit in scope (or matching the search), not only the top ones the page starts from
        units = scoping.visible_units(request.user)
        if query:
            units = units.filter(Q(name__icontains=query) | Q(code__iexact=query))
        parent = OrgUnit.objects.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - OrgUnit.steplen)
        ).values("name")[:1]
        rows = units.annotate(parent_name=Subquery(parent)).order_by("path")
        return export_response(request, name="units", columns=UNIT_COLUMNS, rows=rows, fmt=fmt)
    if query:
        units = scoping.visible_units(request.user).filter(Q(name__icontains=query) | Q(code__iexact=query))
        page = paginate(request, units.order_by("name"))
        units_on_page = list(page.object_list)
    else:
        page = None
        units_on_page = list(scoping.scope_roots(request.user).order_by("path"))
    counts = selectors.subtree_counts(user=request.user, units=units_on_page)
    rows = [(unit, counts.get(unit.pk, {})) for unit in units_on_page]
    return render(
        request,
        "org/unit_list.html",
        {"rows": rows, "page_obj": page, "query": query, "can_rename_kinds": scoping.is_national_admin(request.user)},
    )


def unit_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = scoping.get_unit_for_user(request.user, pk)
    children = list(selectors.unit_children(user=request.user, unit=unit))
    counts = selectors.subtree_counts(user=request.user, units=[unit, *children])
    workplaces = (
        scoping.visible_workplaces(request.user)
        .filter(branch=unit)
        .annotate(people_count=Count("people"))
        .order_by("name")
    )
    fmt = export_format(request)
    if fmt:
        return export_response(
            request, name="workplaces", columns=WORKPLACE_COLUMNS, rows=workplaces, fmt=fmt, unit=unit
        )
    can_edit = scoping.editable_units(request.user).filter(pk=unit.pk).exists()
    roles = selectors.active_role_assignments().filter(unit=unit).select_related("user").order_by("role")
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "child_kind": UnitKind.objects.filter(depth=unit.depth + 1).first(),
            "totals": counts.get(unit.pk, {}),
            "children": [(child, counts.get(child.pk, {})) for child in children],
            "workplaces_page": paginate(request, workplaces),
            "roles": roles,
            "can_edit": can_edit,
            "crumbs": unit_crumbs(request.user, unit),
        },
    )


@require_http_methods(["GET", "POST"])
def unit_add(request: AuthenticatedRequest, parent_pk: int) -> HttpResponse:
    parent = scoping.get_unit_for_user(request.user, parent_pk, for_change=True)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = services.unit_create(acting_user=request.user, parent=parent, data=form.cleaned_data)
        messages.success(request, f"{unit.name} added.")
        return redirect("org:unit_detail", pk=unit.pk)
    crumbs = [*unit_crumbs(request.user, parent), (parent.name, reverse("org:unit_detail", args=[parent.pk]))]
    return render(request, "org/unit_form.html", {"form": form, "parent": parent, "unit": None, "crumbs": crumbs})


@require_http_methods(["GET", "POST"])
def unit_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = scoping.get_unit_for_user(request.user, pk, for_change=True)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        services.unit_update(acting_user=request.user, unit=unit, data=form.cleaned_data)
        messages.success(request, f"{unit.name} saved.")
        return redirect("org:unit_detail", pk=unit.pk)
    crumbs = [*unit_crumbs(request.user, unit), (unit.name, reverse("org:unit_detail", args=[unit.pk]))]
    return render(request, "org/unit_form.html", {"form": form, "unit": unit, "parent": None, "crumbs": crumbs})


@require_http_methods(["GET", "POST"])
def unit_kinds(request: AuthenticatedRequest) -> HttpResponse:
    """What each level of the tree is called. National administrators only."""
    if not scoping.is_national_admin(request.user):
        raise Http404
    formset = UnitKindFormSet(request.POST or None, queryset=UnitKind.objects.order_by("depth"))
    if request.method == "POST" and formset.is_valid():
        services.unit_kinds_rename(acting_user=request.user, forms=formset.forms)
        messages.success(request, "Names saved.")
        return redirect("org:unit_list")
    return render(
        request, "org/unit_kinds.html", {"formset": formset, "crumbs": [("Organisation", reverse("org:unit_list"))]}
    )


# Employers and workplaces -----------------------------------------------------------------------


def employer_list(request: AuthenticatedRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())
    employers = scoping.visible_employers(request.user)
    if query:
        employers = employers.filter(name__icontains=query)
    employers = employers.annotate(
        workplace_count=Count(
            "workplaces", filter=Q(workplaces__in=scoping.visible_workplaces(request.user).values("pk"))
        )
    ).order_by("name")
    fmt = export_format(request)
    if fmt:
        rows = employers.select_related("unit")
        return export_response(request, name="employers", columns=EMPLOYER_COLUMNS, rows=rows, fmt=fmt)
    return render(
        request,
        "org/employer_list.html",
        {
            "page_obj": paginate(request, employers),
            "query": query,
            "can_add": scoping.editable_units(request.user).exists(),
        },
    )


def employer_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    employer = scoping.get_employer_for_user(request.user, pk)
    workplaces = (
        scoping.visible_workplaces(request.user)
        .filter(employer=employer)
        .annotate(people_count=Count("people"))
        .order_by("name")
    )
    fmt = export_format(request)
    if fmt and request.GET.get("table") == "contacts":
        contacts = scoping.visible_employer_contacts(request.user).filter(employer=employer).order_by("name", "pk")
        filters = {"employer": employer.pk}
        return export_response(
            request, name="employer contacts", columns=CONTACT_COLUMNS, rows=contacts, fmt=fmt, filters=filters
        )
    if fmt:
        filters = {"employer": employer.pk}
        return export_response(
            request, name="workplaces", columns=WORKPLACE_COLUMNS, rows=workplaces, fmt=fmt, filters=filters
        )
    return render(
        request,
        "org/employer_detail.html",
        {
            "employer": employer,
            "employer_crumbs": [("Employers", reverse("org:employer_list"))],
            "workplaces_page": paginate(request, workplaces),
            "can_edit": scoping.editable_employers(request.user).filter(pk=employer.pk).exists(),
            "can_add_workplace": scoping.editable_units(request.user).exists(),
            # Everything else the union knows about the employer, and who may add to it (employers/overview.py).
            "overview": employer_overview(request.user, employer, today=timezone.localdate()),
        },
    )


@require_http_methods(["GET", "POST"])
def employer_add(request: AuthenticatedRequest) -> HttpResponse:
    if not scoping.editable_units(request.user).exists():
        raise Http404
    form = EmployerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        employer = services.employer_create(acting_user=request.user, data=form.cleaned_data)
        messages.success(request, f"{employer.name} added. Now add its workplaces.")
        return redirect("org:employer_detail", pk=employer.pk)
    return render(request, "org/employer_form.html", {"form": form, "employer": None})


@require_http_methods(["GET", "POST"])
def employer_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    employer = scoping.get_employer_for_user(request.user, pk, for_change=True)
    form = EmployerForm(request.POST or None, instance=employer, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.employer_update(acting_user=request.user, employer=employer, data=form.cleaned_data)
        messages.success(request, f"{employer.name} saved.")
        return redirect("org:employer_detail", pk=employer.pk)
    return render(request, "org/employer_form.html", {"form": form, "employer": employer})


@require_http_methods(["GET", "POST"])
def workplace_add(request: AuthenticatedRequest, employer_pk: int) -> HttpResponse:
    employer = scoping.get_employer_for_user(request.user, employer_pk)
    if not scoping.editable_units(request.user).exists():
        raise Http404
    form = WorkplaceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        workplace = services.workplace_create(
            acting_user=request.user, data={**form.cleaned_data, "employer": employer}
        )
        messages.success(request, f"{workplace.name} added.")
        return redirect("org:workplace_detail", pk=workplace.pk)
    return render(request, "org/workplace_form.html", {"form": form, "employer": employer, "workplace": None})


@require_http_methods(["GET", "POST"])
def workplace_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    workplace = scoping.get_workplace_for_user(request.user, pk, for_change=True)
    form = WorkplaceForm(request.POST or None, instance=workplace, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.workplace_update(acting_user=request.user, workplace=workplace, data=form.cleaned_data)
        messages.success(request, f"{workplace.name} saved.")
        return redirect("org:workplace_detail", pk=workplace.pk)
    return render(
        request, "org/workplace_form.html", {"form": form, "employer": workplace.employer, "workplace": workplace}
    )


def workplace_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    workplace = scoping.get_workplace_for_user(request.user, pk)
    people = (
        scoping.visible_people(request.user)
        .filter(workplace=workplace)
        .order_by("last_name_key", "first_name_key", "id")
    )
    counts = people.aggregate(total=Count("pk"), members=Count("pk", filter=Q(status=Person.Status.MEMBER)))
    ulrs = (
        selectors.active_role_assignments()
        .filter(workplaces=workplace)
        .select_related("user")
        .order_by("user__full_name")
    )
    return render(
        request,
        "org/workplace_detail.html",
        {
            "workplace": workplace,
            "people_page": paginate(request, people),
            "counts": counts,
            "ulrs": ulrs,
            "can_edit": scoping.editable_workplaces(request.user).filter(pk=workplace.pk).exists(),
            "can_add_person": scoping.workplaces_for_people(request.user).filter(pk=workplace.pk).exists(),
        },
    )


def _confirm_delete(
    request: AuthenticatedRequest,
    *,
    record: OrgUnit | Employer | Workplace,
    unit_id: int | None,
    kind: str,
    back: str,
    after: str,
) -> HttpResponse:
    """The one delete flow: a page that says what will go (or why it cannot), then a POST that does it."""
    blockers = selectors.delete_blockers(record)
    if request.method == "POST" and not blockers:
        name = str(record)
        services.record_delete(acting_user=request.user, record=record, unit_id=unit_id)
        messages.success(request, f"{name} deleted.")
        return redirect(after)
    return render(
        request, "org/confirm_delete.html", {"record": record, "kind": kind, "blockers": blockers, "back": back}
    )


@require_http_methods(["GET", "POST"])
def unit_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = scoping.get_unit_for_user(request.user, pk, for_change=True)
    parent = OrgUnit.objects.get_parent(unit)
    after = reverse("org:unit_detail", args=[parent.pk]) if parent else reverse("org:unit_list")
    return _confirm_delete(
        request,
        record=unit,
        unit_id=parent.pk if parent else None,
        kind=unit.kind.name.lower(),
        back=reverse("org:unit_detail", args=[unit.pk]),
        after=after,
    )


@require_http_methods(["GET", "POST"])
def employer_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    employer = scoping.get_employer_for_user(request.user, pk, for_change=True)
    return _confirm_delete(
        request,
        record=employer,
        unit_id=employer.unit_id,
        kind="employer",
        back=reverse("org:employer_detail", args=[employer.pk]),
        after=reverse("org:employer_list"),
    )


@require_http_methods(["GET", "POST"])
def workplace_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    workplace = scoping.get_workplace_for_user(request.user, pk, for_change=True)
    return _confirm_delete(
        request,
        record=workplace,
        unit_id=workplace.branch_id,
        kind="workplace",
        back=reverse("org:workplace_detail", args=[workplace.pk]),
        after=reverse("org:employer_detail", args=[workplace.employer_id]),
    )


# People -----------------------------------------------------------------------------------------


@vary_on_headers("HX-Request")  # the same URL answers a whole page or only the results
def person_list(request: AuthenticatedRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None, user=request.user)
    filters = selectors.PeopleFilter()
    workplace = None
    if form.is_valid():
        data = form.cleaned_data
        workplace = data["workplace"]
        filters = selectors.PeopleFilter(
            query=data["q"] or "",
            unit=data["unit"],
            status=data["status"] or "",
            workplace_id=workplace.pk if workplace else None,
        )
    fmt = export_format(request)
    if fmt:
        people = selectors.people_list(user=request.user, filters=filters)
        return export_response(request, name="people", columns=PERSON_COLUMNS, rows=people, fmt=fmt, unit=filters.unit)
    page = paginate_late(request, selectors.people_list(user=request.user, filters=filters))
    context = {
        "form": form,
        "page_obj": page,
        "filters": filters,
        "workplace": workplace,
        "can_add": scoping.may_add_people(request.user),
        "can_import": scoping.may_import_members(request.user),
    }
    template = "org/person_list.html#results" if request.htmx and not request.htmx.boosted else "org/person_list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def person_add(request: AuthenticatedRequest) -> HttpResponse:
    if not scoping.may_add_people(request.user):
        raise Http404
    initial = {}
    workplace_pk = request.GET.get("workplace")
    if workplace_pk and workplace_pk.isdigit():
        workplace = scoping.workplaces_for_people(request.user).filter(pk=workplace_pk).first()
        if workplace:
            initial = {"workplace": workplace, "branch": workplace.branch}
    form = PersonForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        person = services.person_create(acting_user=request.user, data=form.cleaned_data)
        messages.success(request, f"{person.full_name} added.")
        return redirect("org:person_detail", pk=person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": None, "crumbs": people_crumbs()})


@require_http_methods(["GET", "POST"])
def person_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = scoping.get_person_for_user(request.user, pk, for_change=True)
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.person_update(acting_user=request.user, person=person, data=form.cleaned_data)
        messages.success(request, f"{person.full_name}'s details saved.")
        return redirect("org:person_detail", pk=person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": person, "crumbs": people_crumbs()})


def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = scoping.get_person_for_user(request.user, pk)
    services.person_viewed(acting_user=request.user, person=person)
    consents = {consent.kind: consent for consent in person.consents.select_related("recorded_by")}
    can_see_equality = scoping.can_see_equality(request.user, person)
    history = None
    if scoping.get_scope(request.user).audit:
        history = (
            scoping.visible_audit_events(request.user)
            .filter(target_type="person", target_id=person.pk)
            .exclude(action=AuditEvent.Action.VIEWED)[:10]
        )
    return render(
        request,
        "org/person_detail.html",
        {
            "person": person,
            "consent_rows": [(value, label, consents.get(value)) for value, label in Consent.Kind.choices],
            "can_edit": scoping.editable_people(request.user).filter(pk=person.pk).exists(),
            "can_see_equality": can_see_equality,
            "has_equality": EqualityRecord.objects.filter(person=person).exists() if can_see_equality else None,
            "history": history,
            "learning_roles": [
                (rep, rep_selectors.stage_tag_colour(rep.stage))
                for rep in scoping.visible_reps(request.user).filter(person=person).order_by("kind__order", "-id")
            ],
            "can_add_rep": scoping.may_manage_reps(request.user)
            and any(person.branch.path.startswith(path) for path in scoping.get_scope(request.user).edit),
            "learning_record": learning_records.learner_record(person),
            "survey_responses": survey_invitations.identified_responses(request.user, person),
            "time_off_requests": list(time_off.person_requests(request.user, person)[:10]),
            "crumbs": people_crumbs(),
        },
    )


@require_http_methods(["GET", "POST"])
def person_consent(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = scoping.get_person_for_user(request.user, pk, for_change=True)
    form = ConsentForm(request.POST or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        consent = services.consent_record(acting_user=request.user, person=person, **form.cleaned_data)
        messages.success(
            request, f"Recorded: {consent.get_kind_display().lower()}, {'yes' if consent.given else 'no'}."
        )
        return redirect("org:person_detail", pk=person.pk)
    return render(request, "org/person_consent.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
def person_equality(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """View and record equality monitoring: equality-permitted roles only; every view is logged."""
    person = scoping.get_person_for_user(request.user, pk)
    if not scoping.can_see_equality(request.user, person):
        raise Http404
    record = EqualityRecord.objects.filter(person=person).first()
    form = EqualityForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] or "" for name in EqualityForm.Meta.fields}
        services.equality_save(
            acting_user=request.user, person=person, data=data, consent_method=form.cleaned_data["consent_method"]
        )
        messages.success(request, "Equality monitoring saved.")
        return redirect("org:person_detail", pk=person.pk)
    if request.method == "GET":
        services.equality_viewed(acting_user=request.user, person=person)
    return render(request, "org/person_equality.html", {"form": form, "person": person, "record": record})


@require_POST
def person_equality_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = scoping.get_person_for_user(request.user, pk)
    if not scoping.can_see_equality(request.user, person):
        raise Http404
    services.equality_delete(acting_user=request.user, person=person)
    messages.success(request, "Equality monitoring deleted.")
    return redirect("org:person_detail", pk=person.pk)
