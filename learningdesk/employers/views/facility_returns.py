"""Facility-time figures (the 2017 Regulations): the list, starting an employer's figures for a year, the figures
with each official's row, their inputs, and the figures as CSV and a one-page PDF.

Co-ordinators and officers see the figures of the employers they see; those who work with the employer change
them. A ULR sees none: the figures name reps and what they cost.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.core.pdf import pdf_response
from learningdesk.employers import facility_figures
from learningdesk.employers.forms.facility_returns import (
    AddOfficialForm,
    OfficialFormSet,
    ReturnAddForm,
    ReturnEditForm,
)
from learningdesk.employers.models import FacilityTimeReturn
from learningdesk.org import scoping

# Employers still to do, listed on the list page (the rest are counted).
TO_PRODUCE_SHOWN = 10


def return_crumbs(facility_return: FacilityTimeReturn | None = None, here: str | None = None) -> Crumbs:
    crumbs: Crumbs = [("Facility time figures", reverse("employers:return_list"))]
    if facility_return is not None:
        crumbs.append((_title(facility_return), reverse("employers:return_detail", args=[facility_return.pk])))
    return [*crumbs, (here, None)] if here else crumbs


def _title(facility_return: FacilityTimeReturn) -> str:
    return f"{facility_return.employer.name}, {facility_figures.short_period(facility_return.year)}"


def _may_change(request: AuthenticatedRequest, facility_return: FacilityTimeReturn) -> bool:
    return scoping.workable_employers(request.user).filter(pk=facility_return.employer_id).exists()


# The list as a file (core/exports.py); each return's own figures have their CSV on its page.
RETURN_COLUMNS = [
    Column("Employer", lambda r: r.employer.name),
    Column("Period", lambda r: facility_figures.short_period(r.year)),
    Column("Officials", lambda r: r.official_count),
    Column("Pay bill (£)", lambda r: r.total_pay_bill),
    Column("Added", lambda r: r.created_at),
]


@require_GET
def return_list(request: AuthenticatedRequest) -> HttpResponse:
    """The figures the user may see, newest period first, and the public-sector employers still without figures
    for the last complete period."""
    if not scoping.may_see_facility_returns(request.user):
        raise PermissionDenied("Facility time figures are for co-ordinators and branch officers.")
    returns = (
        scoping.visible_facility_returns(request.user)
        .annotate(official_count=Count("officials"))
        .order_by("-year", "employer__name", "pk")
    )
    fmt = export_format(request)
    if fmt:
        return export_response(request, name="facility time returns", columns=RETURN_COLUMNS, rows=returns, fmt=fmt)
    year = facility_figures.last_complete_year(timezone.localdate())
    can_add = scoping.may_work_with_employers(request.user)
    to_produce, to_produce_count = [], 0
    if can_add:
        waiting = facility_figures.employers_without_figures(request.user, year)
        to_produce = list(waiting[: TO_PRODUCE_SHOWN + 1])
        to_produce_count = waiting.count() if len(to_produce) > TO_PRODUCE_SHOWN else len(to_produce)
        to_produce = to_produce[:TO_PRODUCE_SHOWN]
    return render(
        request,
        "employers/return_list.html",
        {
            "page_obj": paginate(request, returns),
            "year": year,
            "period": facility_figures.short_period(year),
            "can_add": can_add,
            "to_produce": to_produce,
            "to_produce_count": to_produce_count,
            "crumbs": [("Facility time figures", None)],
        },
    )


@require_http_methods(["GET", "POST"])
def return_add(request: AuthenticatedRequest) -> HttpResponse:
    """Start an employer's figures for a period: the officials come from the register, to be checked."""
    if not scoping.may_work_with_employers(request.user):
        raise PermissionDenied("Only co-ordinators who work with employers produce their figures.")
    employers = scoping.workable_employers(request.user)
    initial = {}
    chosen = request.GET.get("employer", "")
    if chosen.isdigit():
        initial["employer"] = employers.filter(pk=chosen).first()
    form = ReturnAddForm(request.POST or None, employers=employers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            facility_return = facility_figures.return_create(
                acting_user=request.user,
                employer=data["employer"],
                year=data["year"],
                full_time_hours=data["full_time_hours"],
                total_pay_bill=data["total_pay_bill"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            found = facility_return.officials.count()
            if found:
                messages.success(
                    request,
                    f"Figures started with {found} official{'s' if found != 1 else ''} from the register. "
                    "Check each one's contracted hours and hourly cost, then save.",
                )
            else:
                messages.success(request, "Figures started. No reps were found for this employer: add its officials.")
            return redirect("employers:return_officials", pk=facility_return.pk)
    return render(
        request,
        "employers/return_form.html",
        {"form": form, "adding": True, "crumbs": return_crumbs(here="Produce figures")},
    )


@require_GET
def return_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The four figures as the employer would publish them, each official's row, and what is missing."""
    facility_return = scoping.get_facility_return_for_user(request.user, pk)
    can_edit = _may_change(request, facility_return)
    return render(
        request,
        "employers/return_detail.html",
        {
            "facility_return": facility_return,
            "figures": facility_figures.figures(facility_return, viewer=request.user),
            "period": facility_figures.period_name(facility_return.year),
            "short_period": facility_figures.short_period(facility_return.year),
            "year_ended": facility_return.ends_on < timezone.localdate(),
            "can_edit": can_edit,
            "not_listed": facility_figures.missing_officials(request.user, facility_return) if can_edit else [],
            "crumbs": return_crumbs(facility_return),
        },
    )


@require_http_methods(["GET", "POST"])
def return_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The pay bill, the full-time hours and what the employer published."""
    facility_return = scoping.get_facility_return_for_user(request.user, pk, for_change=True)
    form = ReturnEditForm(request.POST or None, instance=facility_return)
    if request.method == "POST" and form.is_valid():
        try:
            facility_figures.return_update(
                acting_user=request.user, facility_return=form.instance, fields=form.changed_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved. The figures below use what you entered.")
            return redirect("employers:return_detail", pk=facility_return.pk)
    return render(
        request,
        "employers/return_form.html",
        {
            "form": form,
            "facility_return": facility_return,
            "title": _title(facility_return),
            "crumbs": return_crumbs(facility_return, "Change the pay bill and published figures"),
        },
    )


@require_http_methods(["GET", "POST"])
def return_officials(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Each official's contracted hours, weeks and hourly cost; remove one; add a rep not listed yet.

    Only the officials who are reps the user may see are on the form; any others are kept as they are.
    """
    facility_return = scoping.get_facility_return_for_user(request.user, pk, for_change=True)
    visible_reps = scoping.visible_reps(request.user).values("pk")
    officials = facility_figures.officials_of(facility_return).filter(rep__in=visible_reps)
    others = facility_return.officials.exclude(rep__in=visible_reps).count()
    formset = OfficialFormSet(request.POST or None, queryset=officials, prefix="officials")
    reps = facility_figures.reps_to_add(request.user, facility_return)
    add_form = AddOfficialForm(request.POST or None, reps=reps) if reps.exists() else None
    # Both checked, so every mistake on the page shows at once.
    valid = request.method == "POST" and formset.is_valid() & (add_form is None or add_form.is_valid())
    if valid:
        removed = [form.instance for form in formset.deleted_forms]
        changed = [
            form.instance
            for form in formset.forms
            if form not in formset.deleted_forms and (form.has_changed() or not form.instance.hours_checked)
        ]
        try:
            facility_figures.officials_save(
                acting_user=request.user,
                facility_return=facility_return,
                changed=changed,
                removed=removed,
                added=add_form.instance if add_form is not None and add_form.has_changed() else None,
            )
        except ValidationError as error:
            if add_form is None:
                messages.error(request, " ".join(error.messages))
            else:
                add_service_errors(add_form, error)
        else:
            messages.success(request, "Officials saved. The figures below use their hours and costs.")
            return redirect("employers:return_detail", pk=facility_return.pk)
    result = facility_figures.figures(facility_return)
    rows = {row.official.pk: row for row in result.rows}
    return render(
        request,
        "employers/return_officials.html",
        {
            "facility_return": facility_return,
            "title": _title(facility_return),
            "formset": formset,
            "forms_and_rows": [(form, rows.get(form.instance.pk)) for form in formset.forms],
            "add_form": add_form,
            "others": others,
            "has_errors": bool(formset.total_error_count() or (add_form is not None and add_form.errors)),
            "crumbs": return_crumbs(facility_return, "Officials"),
        },
    )


@require_GET
def return_csv(request: AuthenticatedRequest, pk: int) -> StreamingHttpResponse:
    facility_return = scoping.get_facility_return_for_user(request.user, pk)
    result = facility_figures.figures(facility_return, viewer=request.user)
    facility_figures.audit_export(user=request.user, facility_return=facility_return, file_format="csv")
    response = StreamingHttpResponse(facility_figures.csv_lines(result), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{facility_figures.file_stem(facility_return)}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def return_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    facility_return = scoping.get_facility_return_for_user(request.user, pk)
    result = facility_figures.figures(facility_return, viewer=request.user)
    pdf = facility_figures.figures_pdf(result)
    facility_figures.audit_export(user=request.user, facility_return=facility_return, file_format="pdf")
    return pdf_response(pdf, f"{facility_figures.file_stem(facility_return)}.pdf")


urlpatterns: list[URLPattern] = [  # under /employers/, namespace "employers"
    path("facility-time/", return_list, name="return_list"),
    path("facility-time/add/", return_add, name="return_add"),
    path("facility-time/<int:pk>/", return_detail, name="return_detail"),
    path("facility-time/<int:pk>/edit/", return_edit, name="return_edit"),
    path("facility-time/<int:pk>/officials/", return_officials, name="return_officials"),
    path("facility-time/<int:pk>/figures.csv", return_csv, name="return_csv"),
    path("facility-time/<int:pk>/figures.pdf", return_pdf, name="return_pdf"),
]
