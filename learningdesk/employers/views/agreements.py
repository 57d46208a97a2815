"""Learning agreements: the list with the key elements matrix, recording and changing an agreement, its checklist,
versions of its text (uploaded and downloaded), and applying its facility-time clause to the reps it covers."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.employers import agreements, reviews
from learningdesk.employers.forms.agreements import (
    AgreementFilterForm,
    AgreementForm,
    ChooseEmployerForm,
    DocumentForm,
    ElementsForm,
)
from learningdesk.employers.models import AgreementDocument, Element, LearningAgreement, LearningCommittee
from learningdesk.org import scoping

CONTENT_TYPES: dict[str, str] = {
    AgreementDocument.Kind.PDF: "application/pdf",
    AgreementDocument.Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def list_crumbs() -> Crumbs:
    return [("Learning agreements", reverse("employers:agreement_list"))]


def agreement_crumbs(agreement: LearningAgreement) -> Crumbs:
    return [*list_crumbs(), (agreement.title, reverse("employers:agreement_detail", args=[agreement.pk]))]


def url_or_none(name: str, *args: object) -> str | None:
    """A link to another part's page, or None while that part has no such page."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _may_change(request: AuthenticatedRequest, agreement: LearningAgreement) -> bool:
    return scoping.changeable_agreements(request.user).filter(pk=agreement.pk).exists()


# The list and the elements matrix ---------------------------------------------------------------


def _element_state(agreement: LearningAgreement, *, position: int) -> str:
    return agreements.elements_in_order(agreement)[position].get_state_display()


# The list as a file (core/exports.py): each agreement, and where each key element stands.
AGREEMENT_COLUMNS = [
    Column("Agreement", lambda a: a.title),
    Column("Employer", lambda a: a.employer.name),
    Column("Units covered", lambda a: ", ".join(unit.name for unit in a.units.all())),
    Column("Status", lambda a: a.get_status_display()),
    Column("Signed on", lambda a: a.signed_on),
    Column("Review date", lambda a: a.review_on),
    Column("Ended on", lambda a: a.ended_on),
    *(
        Column(agreements.ELEMENT_SHORT_NAMES[element], partial(_element_state, position=position))
        for position, element in enumerate(Element)
    ),
]


@require_GET
def agreement_list(request: AuthenticatedRequest) -> HttpResponse:
    """Every agreement in the user's scope, filtered, and which of them lack which key elements."""
    today = timezone.localdate()
    form = AgreementFilterForm(request.GET or None)
    filters = form.filters()
    found = agreements.filter_agreements(scoping.visible_agreements(request.user), filters, today=today)
    fmt = export_format(request)
    if fmt:
        listed = found.prefetch_related("elements", "units")
        return export_response(request, name="learning agreements", columns=AGREEMENT_COLUMNS, rows=listed, fmt=fmt)
    page = paginate(request, found.prefetch_related("elements", "units"))
    rows = []
    for agreement in page.object_list:
        review = reviews.review_of(agreement, today=today)
        rows.append((agreement, review.level if review else None, agreements.elements_in_order(agreement)))
    return render(
        request,
        "employers/agreement_list.html",
        {
            "form": form,
            "filters": filters,
            "page_obj": page,
            "rows": rows,
            "today": today,
            "element_columns": [(element, agreements.ELEMENT_SHORT_NAMES[element]) for element in Element],
            "totals": agreements.element_totals(found) if page.paginator.count else [],
            "may_add": scoping.may_work_with_employers(request.user),
        },
    )


# Recording and changing an agreement ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def agreement_add(request: AuthenticatedRequest) -> HttpResponse:
    """Record an agreement: choose the employer (skipped with ?employer=<pk>, or when there is only one), then
    the agreement. Co-ordinators only: others get 403."""
    if not scoping.may_work_with_employers(request.user):
        raise PermissionDenied("Only co-ordinators record learning agreements")
    employers = scoping.workable_employers(request.user)
    employer_pk = request.GET.get("employer", "")
    if not employer_pk:
        only = list(employers.order_by("name")[:2])
        if len(only) != 1:
            # "Continue" without choosing comes back here with an empty ?employer=: say so.
            choose = ChooseEmployerForm(request.GET if "employer" in request.GET else None, user=request.user)
            choose.is_valid()
            return render(
                request,
                "employers/agreement_choose_employer.html",
                {"form": choose, "has_employers": bool(only), "crumbs": list_crumbs()},
            )
        employer = only[0]
    else:
        if not employer_pk.isdigit():
            raise Http404("No such employer")
        employer = scoping.get_workable_employer_for_user(request.user, employer_pk)
    form = AgreementForm(request.POST or None, user=request.user, employer=employer)
    if request.method == "POST" and form.is_valid():
        try:
            saved = agreements.agreement_save(acting_user=request.user, employer=employer, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _saved_messages(request, saved, f"“{saved.agreement.title}” recorded. Now go through its key elements.")
            return redirect("employers:agreement_elements", pk=saved.agreement.pk)
    return render(
        request, "employers/agreement_form.html", {"form": form, "employer": employer, "crumbs": list_crumbs()}
    )


def _saved_messages(request: AuthenticatedRequest, saved: agreements.Saved, text: str) -> None:
    if saved.applied is not None:
        text += f" {saved.applied.summary()}"
    messages.success(request, text)


@require_http_methods(["GET", "POST"])
def agreement_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agreement = scoping.get_agreement_for_user(request.user, pk, for_change=True)
    form = AgreementForm(request.POST or None, instance=agreement, user=request.user, employer=agreement.employer)
    if request.method == "POST" and form.is_valid():
        try:
            saved = agreements.agreement_save(acting_user=request.user, agreement=agreement, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _saved_messages(request, saved, f"“{saved.agreement.title}” saved.")
            return redirect("employers:agreement_detail", pk=agreement.pk)
    return render(
        request,
        "employers/agreement_form.html",
        {"form": form, "agreement": agreement, "employer": agreement.employer, "crumbs": agreement_crumbs(agreement)},
    )


# One agreement ----------------------------------------------------------------------------------


@require_GET
def agreement_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Everything about one agreement: where it stands, its checklist, its versions, its committee and the
    facility time it set, with the signs that it is sitting in a drawer."""
    agreement = scoping.get_agreement_for_user(request.user, pk)
    today = timezone.localdate()
    elements = agreements.elements_in_order(agreement)
    review = reviews.review_of(agreement, today=today)
    committees = list(LearningCommittee.objects.filter(agreement=agreement).order_by("name", "pk"))
    employer_committees = (
        []
        if committees
        else list(LearningCommittee.objects.filter(employer_id=agreement.employer_id).order_by("name", "pk"))
    )
    allowances = agreement.facility_allowances.select_related("rep__person", "rep__kind").order_by(
        "rep__person__last_name", "rep__person__first_name", "pk"
    )
    visible_allowances = list(allowances.filter(rep__in=scoping.visible_reps(request.user).values("pk")))
    may_change = _may_change(request, agreement)
    return render(
        request,
        "employers/agreement_detail.html",
        {
            "agreement": agreement,
            "today": today,
            "units": list(agreement.units.select_related("kind").order_by("path")),
            "negotiators": list(agreement.negotiated_by.order_by("last_name", "first_name")),
            "elements": elements,
            "element_counts": agreements.element_counts(elements),
            "documents": list(agreement.documents.select_related("uploaded_by")),
            "review": review,
            "drawer": reviews.drawer_for(agreement, today=today),
            "committees": [(c, url_or_none("employers:committee_detail", c.pk)) for c in committees],
            "employer_committees": [(c, url_or_none("employers:committee_detail", c.pk)) for c in employer_committees],
            "committee_add_url": url_or_none("employers:committee_add", agreement.employer_id) if may_change else None,
            "allowances": visible_allowances,
            "other_allowances": allowances.count() - len(visible_allowances),
            "may_change": may_change,
            "crumbs": list_crumbs(),
        },
    )


@require_http_methods(["GET", "POST"])
def agreement_elements(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The key elements checklist: each present, weak or missing, with notes."""
    agreement = scoping.get_agreement_for_user(request.user, pk, for_change=True)
    form = ElementsForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        changed = agreements.elements_save(acting_user=request.user, agreement=agreement, states=form.states())
        if changed:
            n = len(changed)
            messages.success(request, f"Key elements saved: {n} changed.")
        else:
            messages.info(request, "Nothing changed in the key elements.")
        return redirect(reverse("employers:agreement_detail", args=[agreement.pk]) + "#elements")
    return render(
        request,
        "employers/agreement_elements.html",
        {"form": form, "agreement": agreement, "crumbs": agreement_crumbs(agreement)},
    )


# Versions of the text ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def agreement_document_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agreement = scoping.get_agreement_for_user(request.user, pk, for_change=True)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = agreements.document_add(
                acting_user=request.user,
                agreement=agreement,
                uploaded=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Version {document.version} uploaded: {document.original_name}.")
            return redirect(reverse("employers:agreement_detail", args=[agreement.pk]) + "#documents")
    return render(
        request,
        "employers/agreement_document_form.html",
        {"form": form, "agreement": agreement, "crumbs": agreement_crumbs(agreement)},
    )


@require_GET
def agreement_document(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """A version of an agreement, as an attachment with its original name, to whoever may see the agreement."""
    document = scoping.get_agreement_document_for_user(request.user, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing") from error
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=CONTENT_TYPES[document.kind]
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Applying the facility-time clause --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def agreement_apply_time(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What applying the agreement's facility time would do for each rep it covers (GET), and doing it (POST,
    co-ordinators only)."""
    if request.method == "POST":
        agreement = scoping.get_agreement_for_user(request.user, pk, for_change=True)
        try:
            applied = agreements.facility_time_apply(acting_user=request.user, agreement=agreement)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("employers:agreement_apply_time", pk=agreement.pk)
        messages.success(request, applied.summary())
        return redirect(reverse("employers:agreement_detail", args=[agreement.pk]) + "#facility-time")
    agreement = scoping.get_agreement_for_user(request.user, pk)
    plan = agreements.facility_time_plan(agreement)
    visible = set(
        scoping.visible_reps(request.user).filter(pk__in=[c.rep.pk for c in plan]).values_list("pk", flat=True)
    )
    try:
        agreements.check_can_apply(agreement)
        problem = ""
    except ValidationError as error:
        problem = " ".join(error.messages)
    shown = [change for change in plan if change.rep.pk in visible]
    return render(
        request,
        "employers/agreement_apply_time.html",
        {
            "agreement": agreement,
            "plan": shown,
            "hidden": len(plan) - len(shown),
            "changes": sum(1 for change in plan if change.changes),
            "problem": problem,
            "may_change": _may_change(request, agreement),
            "crumbs": agreement_crumbs(agreement),
        },
    )


urlpatterns: list[URLPattern] = [
    path("agreements/", agreement_list, name="agreement_list"),
    path("agreements/add/", agreement_add, name="agreement_add"),
    path("agreements/<int:pk>/", agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/elements/", agreement_elements, name="agreement_elements"),
    path("agreements/<int:pk>/documents/add/", agreement_document_add, name="agreement_document_add"),
    path("agreements/documents/<int:pk>/", agreement_document, name="agreement_document"),
    path("agreements/<int:pk>/facility-time/", agreement_apply_time, name="agreement_apply_time"),
]
