"""Funding: bids and grants (the list with its totals, a bid's page, adding and changing them), and what learning
cost for a period, per activity, per learner and per qualification, with a CSV export.

Funding is the co-ordinators' and officers' business: a ULR (or anyone without a unit in their scope) gets 404.
Co-ordinators add and change the bids of their subtrees; officers read them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from operator import itemgetter
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.core.exports import XLSX_TYPE, Column, export_format, export_response, xlsx_file
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.core.spreadsheets import safe_cell
from learningdesk.employers import funding
from learningdesk.employers.forms.funding import CostsPeriodForm, FundingBidForm, FundingFilterForm
from learningdesk.employers.models import FundingBid
from learningdesk.learning.models import Activity
from learningdesk.org import scoping

EXPORT_CHUNK = 500
EXPORT_HEADERS = (
    "Activity",
    "Branch or unit",
    "Cost (£)",
    "Learners",
    "Qualifications",
    "Cost per learner (£)",
    "Cost per qualification (£)",
)


def _check_may_see(user: User) -> None:
    if not scoping.get_scope(user).see:
        raise Http404


def _may_add(user: User) -> bool:
    return scoping.editable_units(user).exists()


def funding_crumbs(bid: FundingBid | None = None, here: str | None = None) -> Crumbs:
    crumbs: Crumbs = [("Funding", reverse("employers:funding_list"))]
    if bid is not None:
        crumbs.append((bid.title, reverse("employers:funding_detail", args=[bid.pk])))
    return [*crumbs, (here, None)] if here else crumbs


# Bids and grants ----------------------------------------------------------------------------------

# The list as a file (core/exports.py): money as pounds and pence, the whole filtered list.
FUNDING_COLUMNS = [
    Column("Bid or grant", lambda bid: bid.title),
    Column("Unit", lambda bid: bid.unit.name),
    Column("Employer", lambda bid: bid.employer.name if bid.employer else ""),
    Column("Where the money comes from", lambda bid: bid.get_source_display()),
    Column("Funder", lambda bid: bid.funder),
    Column("Amount (£)", lambda bid: bid.amount),
    Column("Status", lambda bid: bid.get_status_display()),
    Column("Submitted on", lambda bid: bid.submitted_on),
    Column("Decided on", lambda bid: bid.decided_on),
    Column("Starts on", lambda bid: bid.starts_on),
    Column("Ends on", lambda bid: bid.ends_on),
]
COST_COLUMNS = [Column(header, itemgetter(position)) for position, header in enumerate(EXPORT_HEADERS)]


@require_GET
def funding_list(request: AuthenticatedRequest) -> HttpResponse:
    """The bids and grants in the user's scope, newest first, with the money awarded and waiting."""
    _check_may_see(request.user)
    form = FundingFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    bids = funding.funding_list(request.user, filters)
    fmt = export_format(request)
    if fmt:
        return export_response(request, name="funding bids", columns=FUNDING_COLUMNS, rows=bids, fmt=fmt)
    return render(
        request,
        "employers/funding_list.html",
        {
            "form": form,
            "filters": filters,
            "page_obj": paginate(request, bids),
            "totals": funding.funding_totals(bids),
            "can_add": _may_add(request.user),
            "crumbs": [("Funding", None)],
        },
    )


class _FindingForm(FundingBidForm):
    """The form as posted, shown again with the activities found: nothing is checked or saved yet."""

    def full_clean(self) -> None:
        self._errors = ErrorDict()
        self.cleaned_data = {}


def _bid_form(request: AuthenticatedRequest, bid: FundingBid) -> FundingBidForm:
    if request.method == "POST" and "find" in request.POST:
        return _FindingForm(request.POST, instance=bid, user=request.user)
    initial: dict[str, int] = {}
    if bid.pk is None and request.GET.get("employer", "").isdigit():
        # From the employer's page; the field's choices are the employers the user can see.
        initial["employer"] = int(request.GET["employer"])
    return FundingBidForm(request.POST or None, instance=bid, user=request.user, initial=initial)


def _save_bid(request: AuthenticatedRequest, form: FundingBidForm) -> FundingBid | None:
    fields = sorted(name for name in form.changed_data if name != "find_activities")
    try:
        return funding.funding_bid_save(
            form.instance, acting_user=request.user, fields=fields, activities=form.cleaned_data["activities"]
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _is_saving(request: AuthenticatedRequest, form: FundingBidForm) -> bool:
    return request.method == "POST" and not isinstance(form, _FindingForm) and form.is_valid()


@require_http_methods(["GET", "POST"])
def funding_add(request: AuthenticatedRequest) -> HttpResponse:
    _check_may_see(request.user)
    if not _may_add(request.user):
        raise PermissionDenied
    form = _bid_form(request, FundingBid())
    if _is_saving(request, form):
        bid = _save_bid(request, form)
        if bid is not None:
            messages.success(request, f"{bid.title} added.")
            return redirect("employers:funding_detail", pk=bid.pk)
    return render(
        request, "employers/funding_form.html", {"form": form, "bid": None, "crumbs": funding_crumbs(here="Add")}
    )


@require_http_methods(["GET", "POST"])
def funding_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    bid = scoping.get_funding_bid_for_user(request.user, pk, for_change=True)
    title = bid.title
    form = _bid_form(request, bid)
    if _is_saving(request, form):
        saved = _save_bid(request, form)
        if saved is not None:
            messages.success(request, f"{saved.title} saved.")
            return redirect("employers:funding_detail", pk=saved.pk)
    return render(
        request,
        "employers/funding_form.html",
        {"form": form, "bid": bid, "bid_title": title, "crumbs": funding_crumbs(bid, "Change")},
    )


@require_GET
def funding_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    bid = scoping.get_funding_bid_for_user(request.user, pk)
    # Only the activities the user can see: a regional bid may pay for courses in branches beyond theirs.
    activities = scoping.visible_activities(request.user).filter(funding_bids=bid).order_by("title", "pk")
    return render(
        request,
        "employers/funding_detail.html",
        {
            "bid": bid,
            "activities": list(activities),
            "hidden_activities": bid.activities.count() - len(activities),
            "employer_visible": bid.employer_id is not None
            and scoping.visible_employers(request.user).filter(pk=bid.employer_id).exists(),
            "can_edit": scoping.editable_units(request.user).filter(pk=bid.unit_id).exists(),
            "crumbs": funding_crumbs(bid),
        },
    )


# Costs --------------------------------------------------------------------------------------------


def _period_form(request: AuthenticatedRequest) -> CostsPeriodForm:
    today = timezone.localdate()
    return CostsPeriodForm(request.GET if "period" in request.GET else None, today=today)


@require_GET
def costs(request: AuthenticatedRequest) -> HttpResponse:
    """What learning cost in a period: each activity with a session in it, its learners and qualifications."""
    _check_may_see(request.user)
    form = _period_form(request)
    preset, period = form.chosen()
    page = paginate(request, funding.cost_rows(request.user, period))
    page.object_list = [funding.as_cost_row(activity) for activity in page.object_list]
    export_query = {"period": preset}
    if preset == funding.Preset.CUSTOM:
        export_query |= {"starts_on": period.starts_on.isoformat(), "ends_on": period.ends_on.isoformat()}
    return render(
        request,
        "employers/costs.html",
        {
            "form": form,
            "period": period,
            "page_obj": page,
            "totals": funding.cost_totals(request.user, period),
            "export_url": f"{reverse('employers:costs_export')}?{urlencode(export_query)}",
            "crumbs": funding_crumbs(here="Costs"),
        },
    )


@require_GET
def costs_export(request: AuthenticatedRequest) -> StreamingHttpResponse:
    """The costs of every activity in the period as CSV, cells safe to open in a spreadsheet; audited."""
    _check_may_see(request.user)
    form = _period_form(request)
    if not form.is_bound or not form.is_valid():  # the page's link always names its period
        raise Http404("Choose a period.")
    _preset, period = form.chosen()
    rows = funding.cost_rows(request.user, period)
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    _audit_export(request.user, period, rows=rows.count(), file_format=file_format)
    if file_format == "xlsx":
        listed = (_cost_cells(activity) for activity in rows.iterator(EXPORT_CHUNK))
        return FileResponse(
            xlsx_file(COST_COLUMNS, listed, title="Learning costs"),
            as_attachment=True,
            filename=f"learning-costs-{period.starts_on:%Y-%m-%d}-to-{period.ends_on:%Y-%m-%d}.xlsx",
            content_type=XLSX_TYPE,
        )
    response = StreamingHttpResponse(_csv_lines(rows.iterator(EXPORT_CHUNK)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="learning-costs-{period.starts_on:%Y-%m-%d}-to-{period.ends_on:%Y-%m-%d}.csv"'
    )
    return response


def _audit_export(user: User, period: funding.Period, *, rows: int, file_format: str = "csv") -> None:
    """Exports are logged like any other: who, when, what, under the top unit of the user's scope."""
    unit = scoping.scope_roots(user).order_by("path").first()
    AuditEvent.objects.create(
        actor=user,
        action=AuditEvent.Action.EXPORTED,
        target_type="learning costs",
        unit=unit,
        changes={
            "format": file_format,
            "rows": rows,
            "starts_on": period.starts_on.isoformat(),
            "ends_on": period.ends_on.isoformat(),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(activities: Iterator) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte order mark makes Excel read the file as UTF-8 rather than Windows-1252.
    yield "\ufeff" + writer.writerow(EXPORT_HEADERS)
    for activity in activities:
        yield writer.writerow([safe_cell(cell) for cell in _cost_cells(activity)])


def _cost_cells(activity: Activity) -> list[object]:
    row = funding.as_cost_row(activity)
    return [
        row.activity.title,
        row.activity.unit.name,
        row.cost,
        row.learners,
        row.qualifications,
        row.per_learner if row.per_learner is not None else "",
        row.per_qualification if row.per_qualification is not None else "",
    ]


urlpatterns: list[URLPattern] = [  # under /employers/, namespace "employers"
    path("funding/", funding_list, name="funding_list"),
    path("funding/add/", funding_add, name="funding_add"),
    path("funding/costs/", costs, name="costs"),
    path("funding/costs/export/", costs_export, name="costs_export"),
    path("funding/<int:pk>/", funding_detail, name="funding_detail"),
    path("funding/<int:pk>/edit/", funding_edit, name="funding_edit"),
]
