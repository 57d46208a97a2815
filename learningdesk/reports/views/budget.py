"""The learning budget: a unit's money for a year and what was spent against it; setting the branch's amount,
adding and deleting spending lines; the spending as CSV or XLSX.

The budget is the co-ordinators' and officers' business: a ULR (no unit in their scope) gets 404, and a unit
outside the user's scope answers 404 as if it did not exist. Only editors of the unit change it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.accounts.models import User
from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.forms import GovukFormMixin, add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.learning.models import Activity
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit
from learningdesk.reports import budget as budgets
from learningdesk.reports.models import Budget

# Budget years a user can pick: a few back (last year's committee report), and the next (planning it).
YEARS_BACK, YEARS_AHEAD = 6, 1
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _check_may_see(user: User) -> None:
    if not scoping.get_scope(user).see:
        raise Http404


def _may_change(user: User, unit: OrgUnit) -> bool:
    """Known from the scope, without a query: the unit lies in one of the user's editable subtrees."""
    return any(unit.path.startswith(prefix) for prefix in scoping.get_scope(user).edit)


def _year_start(year: int) -> datetime.date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404("No such budget year.")
    return budgets.year_start_in(year)


def budget_url(unit: OrgUnit, starts_on: datetime.date) -> str:
    return f"{reverse('reports:budget')}?{urlencode({'unit': unit.pk, 'year': starts_on.year})}"


def _crumbs(unit: OrgUnit, starts_on: datetime.date, here: str | None = None) -> Crumbs:
    crumbs: Crumbs = [(f"Budget {budgets.year_label(starts_on)}, {unit.name}", budget_url(unit, starts_on))]
    return [*crumbs, (here, None)] if here else [(crumbs[0][0], None)]


# Forms ------------------------------------------------------------------------------------------------

# GOV.UK asks for money in a text box (a number box rounds, and its arrows change amounts by accident).
MONEY_INPUT = forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-10"})


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})" if obj.code else obj.name


class BudgetChoiceForm(GovukFormMixin, forms.Form):
    """Which unit's budget, for which year: a GET form that works without JavaScript."""

    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label="Branch or unit", empty_label=None)
    year = forms.TypedChoiceField(label="Budget year", coerce=int)

    def __init__(self, *args: Any, user: User, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoping.budget_units(user).order_by("path")
        current = budgets.current_year_start(today).year
        self.fields["year"].choices = [
            (year, budgets.year_label(budgets.year_start_in(year)))
            for year in range(current + YEARS_AHEAD, current - YEARS_BACK - 1, -1)
        ]


class BudgetForm(GovukFormMixin, forms.ModelForm):
    from_branch = forms.DecimalField(
        label="Money from the branch (£)",
        widget=MONEY_INPUT,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        help_text="What the branch committee gave you for learning this year, in pounds. For example, 1500.",
        error_messages={
            "invalid": "Enter the amount in pounds, like 1500 or 1500.00",
            "min_value": "Enter an amount of £0 or more",
            "max_decimal_places": "Enter the amount to the nearest penny",
            "max_digits": "Enter an amount less than £100,000,000",
        },
    )

    class Meta:
        model = Budget
        fields = ["from_branch", "notes"]
        labels = {"notes": "Notes"}
        help_texts = {"notes": "For example, what the committee agreed it is for, or when it was agreed."}


class SpendForm(GovukFormMixin, forms.Form):
    description = forms.CharField(
        label="What was it for?", max_length=200, help_text="For example: room hire for the maths course."
    )
    amount = forms.DecimalField(
        label="Amount (£)",
        widget=MONEY_INPUT,
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        error_messages={
            "invalid": "Enter the amount in pounds, like 45 or 45.50",
            "min_value": "Enter an amount more than £0",
            "max_decimal_places": "Enter the amount to the nearest penny",
            "max_digits": "Enter an amount less than £100,000,000",
        },
    )
    spent_on = forms.DateField(label="Date spent")
    activity = forms.TypedChoiceField(
        label="Which activity was it for?",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Leave it empty for spending on nothing in particular: a stall, leaflets, travel.",
    )

    def __init__(self, *args: Any, activities: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [("", "Not for one activity"), *activities]


# Pages ------------------------------------------------------------------------------------------------


@require_GET
def budget(request: AuthenticatedRequest) -> HttpResponse:
    """A unit's budget for a year: money in, spending by activity and other lines, what is left."""
    _check_may_see(request.user)
    today = timezone.localdate()
    # Without a choice: the top unit of the user's scope (a co-ordinator's branch), this budget year.
    data = request.GET.copy()
    if not data.get("unit"):
        own = scoping.scope_roots(request.user).order_by("path").first()
        data["unit"] = str(own.pk) if own else ""
    data.setdefault("year", str(budgets.current_year_start(today).year))
    form = BudgetChoiceForm(data, user=request.user, today=today)
    if not form.is_valid() and "unit" in form.errors:
        raise Http404("No such unit.")  # a unit outside the user's scope, as if it did not exist
    unit = form.cleaned_data["unit"]
    year = form.cleaned_data.get("year")  # a year that is not offered is shown as an error, this year's budget below
    starts_on = budgets.year_start_in(year) if year else budgets.current_year_start(today)
    summary = budgets.budget_summary(unit, year_starts_on=starts_on)
    fmt = export_format(request)
    if fmt:
        return export_response(
            request,
            name="budget spending",
            columns=SPENDING_COLUMNS,
            rows=spending_rows(summary),
            fmt=fmt,
            unit=unit,
            filters={"unit": unit.pk, "year": starts_on.isoformat()},
        )
    return render(
        request,
        "reports/budget/budget.html",
        {
            "form": form,
            "summary": summary,
            "unit": unit,
            "can_edit": _may_change(request.user, unit),
            "year_args": {"unit_pk": unit.pk, "year": starts_on.year},
            "previous_url": budget_url(unit, budgets.year_start_in(starts_on.year - 1)),
            "next_url": budget_url(unit, budgets.year_start_in(starts_on.year + 1)),
            "next_label": budgets.year_label(budgets.year_start_in(starts_on.year + 1)),
            "previous_label": budgets.year_label(budgets.year_start_in(starts_on.year - 1)),
            "crumbs": _crumbs(unit, starts_on),
        },
    )


@require_http_methods(["GET", "POST"])
def budget_edit(request: AuthenticatedRequest, unit_pk: int, year: int) -> HttpResponse:
    """Set what the branch gives for learning in the year."""
    unit = scoping.get_budget_unit_for_user(request.user, unit_pk, for_change=True)
    starts_on = _year_start(year)
    record = budgets.budget_for(unit, starts_on)
    form = BudgetForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        budgets.budget_set(budget=form.instance, acting_user=request.user, fields=sorted(form.changed_data))
        messages.success(request, f"Budget for {budgets.year_label(starts_on)} saved.")
        return redirect(budget_url(unit, starts_on))
    return render(
        request,
        "reports/budget/budget_form.html",
        {
            "form": form,
            "unit": unit,
            "label": budgets.year_label(starts_on),
            "back": budget_url(unit, starts_on),
            "crumbs": _crumbs(unit, starts_on, "Money from the branch"),
        },
    )


@require_http_methods(["GET", "POST"])
def spend_add(request: AuthenticatedRequest, unit_pk: int, year: int) -> HttpResponse:
    """Record money spent from the budget, on an activity or on its own."""
    unit = scoping.get_budget_unit_for_user(request.user, unit_pk, for_change=True)
    starts_on = _year_start(year)
    activities = budgets.activities_for_spending(unit, starts_on)
    today = timezone.localdate()
    ends_on = budgets.year_end(starts_on)
    initial = {"spent_on": min(max(today, starts_on), ends_on)}
    form = SpendForm(request.POST or None, activities=activities, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        activity = Activity.objects.filter(unit=unit, pk=data["activity"]).first() if data["activity"] else None
        try:
            budgets.spend_add(
                unit=unit,
                year_starts_on=starts_on,
                acting_user=request.user,
                description=data["description"],
                amount=data["amount"],
                spent_on=data["spent_on"],
                activity=activity,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"£{data['amount']:,.2f} for {data['description']} added to the budget.")
            return redirect(budget_url(unit, starts_on))
    return render(
        request,
        "reports/budget/spend_form.html",
        {
            "form": form,
            "unit": unit,
            "label": budgets.year_label(starts_on),
            "starts_on": starts_on,
            "ends_on": ends_on,
            "back": budget_url(unit, starts_on),
            "crumbs": _crumbs(unit, starts_on, "Add spending"),
        },
    )


@require_http_methods(["GET", "POST"])
def spend_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A page that says which line will go, then a POST that takes it off the budget."""
    spend = scoping.get_spend_for_user(request.user, pk, for_change=True)
    unit, starts_on = spend.budget.unit, spend.budget.starts_on
    if request.method == "POST":
        budgets.spend_delete(spend=spend, acting_user=request.user)
        messages.success(request, f"£{spend.amount:,.2f} for {spend.description} taken off the budget.")
        return redirect(budget_url(unit, starts_on))
    return render(
        request,
        "reports/budget/spend_delete.html",
        {"spend": spend, "back": budget_url(unit, starts_on), "crumbs": _crumbs(unit, starts_on, "Delete spending")},
    )


# The spending as a file: one row per activity's cost and per spending line, adding up to the total spent. -----


def spending_rows(summary: budgets.BudgetSummary) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {"kind": "Activity cost", "what": a.title, "activity": a.title, "on": None, "amount": a.cost}
        for a in summary.activities
        if a.cost
    ]
    rows += [
        {
            "kind": "Spending line",
            "what": line.description,
            "activity": line.activity_title,
            "on": line.spent_on,
            "amount": line.amount,
        }
        for line in summary.lines
    ]
    return rows


SPENDING_COLUMNS = [
    Column("Kind", lambda row: row["kind"]),
    Column("What it was for", lambda row: row["what"]),
    Column("Activity", lambda row: row["activity"]),
    Column("Date", lambda row: row["on"]),
    Column("Amount (£)", lambda row: row["amount"]),
]


urlpatterns: list[URLPattern] = [  # under /reports/, namespace "reports"
    path("budget/", budget, name="budget"),
    path("budget/<int:unit_pk>/<int:year>/edit/", budget_edit, name="budget_edit"),
    path("budget/<int:unit_pk>/<int:year>/spend/add/", spend_add, name="spend_add"),
    path("budget/spend/<int:pk>/delete/", spend_delete, name="spend_delete"),
]
