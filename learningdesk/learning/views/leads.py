"""Join leads: non-members who said they are interested in joining the union, for the co-ordinator to follow up."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.pagination import paginate
from learningdesk.learning import leads
from learningdesk.learning.forms.leads import FILTERS, LeadUpdateForm
from learningdesk.learning.models import JoinLead
from learningdesk.org import scoping

OPEN = (JoinLead.Status.NEW, JoinLead.Status.CONTACTED)


def list_crumbs() -> list[tuple[str, str | None]]:
    return [("Join leads", reverse("learning:leads"))]


LEAD_COLUMNS = [  # the list as a file (core/exports.py)
    Column("Last name", lambda lead: lead.person.last_name),
    Column("First name", lambda lead: lead.person.first_name),
    Column("Email", lambda lead: lead.person.email),
    Column("Phone", lambda lead: lead.person.phone),
    Column("Unit", lambda lead: lead.unit.name),
    Column("Where it came from", lambda lead: lead.get_source_display()),
    Column("Activity", lambda lead: lead.activity.title if lead.activity else ""),
    Column("Came in", lambda lead: lead.created_at),
    Column("Status", lambda lead: lead.get_status_display()),
    Column("Followed up by", lambda lead: lead.handled_by.full_name if lead.handled_by else ""),
    Column("Followed up on", lambda lead: lead.handled_at),
]


@require_GET
def lead_list(request: AuthenticatedRequest) -> HttpResponse:
    """Join leads in the user's scope, newest first; those still to follow up unless another filter is chosen."""
    show = request.GET.get("status", "open")
    show = show if show in FILTERS else "open"
    found = scoping.visible_join_leads(request.user).select_related("person", "activity", "handled_by")
    if show == "open":
        found = found.filter(status__in=OPEN)
    elif show != "all":
        found = found.filter(status=show)
    fmt = export_format(request)
    if fmt:
        rows = found.select_related("unit").order_by("-created_at", "-id")
        return export_response(request, name="join leads", columns=LEAD_COLUMNS, rows=rows, fmt=fmt)
    page = paginate(request, found.order_by("-created_at", "-id"))
    return render(
        request,
        "learning/leads/list.html",
        {"page_obj": page, "show": show, "filters": FILTERS, "may_update": bool(scoping.get_scope(request.user).edit)},
    )


@require_http_methods(["GET", "POST"])
def lead_update(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record how following up a lead went: contacted, joined or not now, with notes."""
    lead = scoping.get_join_lead_for_user(request.user, pk)
    form = LeadUpdateForm(request.POST or None, lead=lead)
    if request.method == "POST" and form.is_valid():
        try:
            leads.lead_update(
                acting_user=request.user,
                lead=lead,
                status=form.cleaned_data["status"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Lead for {lead.person.full_name} updated: {lead.get_status_display().lower()}.")
            return redirect("learning:leads")
    return render(
        request,
        "learning/leads/update.html",
        {"form": form, "lead": lead, "crumbs": [*list_crumbs(), (lead.person.full_name, None)]},
    )


urlpatterns: list[URLPattern] = [
    path("join-leads/", lead_list, name="leads"),
    path("join-leads/<int:pk>/", lead_update, name="lead_update"),
]
public_urlpatterns: list[URLPattern] = []
