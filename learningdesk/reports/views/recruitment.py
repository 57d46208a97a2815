"""Recruitment through learning, and the news item and image card for branch comms (part D "equality").

Whoever sees a unit through a unit role may open these for it (officers too: the communications officer wants
the news item); a ULR or an employer contact gets 404, and so does a unit outside the user's scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.pagination import paginate
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit
from learningdesk.reports import newsitem, recruitment
from learningdesk.reports.forms import Period
from learningdesk.reports.forms_equality import ReportForm

ANOTHER_BRANCH = "Someone from another branch"


def _name(row: Any, person: Any) -> str:
    return person.full_name if row.name_visible else ANOTHER_BRANCH


@dataclass(frozen=True)
class PeopleList:
    """One of the page's lists: its tab, its rows for the unit and period, and its export's columns."""

    key: str
    tab: str
    rows: Callable[..., QuerySet]
    columns: tuple[Column, ...]


LISTS = (
    PeopleList(
        "joined",
        "Joined the union",
        recruitment.joined_people,
        (
            Column("Name", lambda p: _name(p, p)),
            Column("Date joined", lambda p: p.joined_on),
            Column("First came to", lambda p: p.came_to),
        ),
    ),
    PeopleList(
        "reps",
        "Became reps",
        recruitment.new_reps_list,
        (
            Column("Name", lambda r: _name(r, r.person)),
            Column("Role", lambda r: r.kind.name),
            Column("Stage", lambda r: r.get_stage_display()),
            Column("Added as a rep", lambda r: r.created_at),
            Column("First session as a learner", lambda r: r.first_session),
        ),
    ),
    PeopleList(
        "activists",
        "Became activists",
        recruitment.new_activists_list,
        (
            Column("Name", lambda h: _name(h, h.person)),
            Column("Helped with", lambda h: h.activity.title),
            Column("Task", lambda h: h.task),
            Column("Activity started", lambda h: h.activity_starts),
        ),
    ),
    PeopleList(
        "leads",
        "Wanted to join",
        recruitment.join_leads_list,
        (
            Column("Name", lambda j: _name(j, j.person)),
            Column("Asked on", lambda j: j.created_at),
            Column("From", lambda j: j.get_source_display()),
            Column("Activity", lambda j: j.activity.title if j.activity else ""),
            Column("What happened", lambda j: j.get_status_display()),
        ),
    ),
)
LISTS_BY_KEY = {item.key: item for item in LISTS}


def _choice(request: AuthenticatedRequest, *, usual_period: str) -> tuple[ReportForm, tuple[OrgUnit, Period] | None]:
    """The unit and period asked for, among the units the user sees through a unit role; 404 for any other unit."""
    if not scoping.get_scope(request.user).see:
        raise Http404
    query = request.GET.copy()
    for ignored in ("list", "page", "format"):
        query.pop(ignored, None)
    form = ReportForm(
        query or None, units=scoping.report_units(request.user), today=timezone.localdate(), usual_period=usual_period
    )
    if form.unit_is_out_of_scope:
        raise Http404("No such unit.")
    return form, form.choice()


@require_GET
def recruitment_page(request: AuthenticatedRequest) -> HttpResponse:
    """Recruitment through learning in a unit and period: the figures, then one list of people at a time."""
    form, choice = _choice(request, usual_period="this_year")
    listed = LISTS_BY_KEY.get(request.GET.get("list", ""), LISTS[0])
    context: dict[str, Any] = {"form": form, "lists": LISTS, "listed": listed}
    if choice is None:
        return render(request, "reports/recruitment/index.html", context)
    unit, period = choice
    rows = listed.rows(unit, request.user, starts_on=period.starts_on, ends_on=period.ends_on)
    fmt = export_format(request)
    if fmt:
        return export_response(
            request,
            name=f"recruitment through learning: {listed.tab.lower()}",
            columns=listed.columns,
            rows=rows,
            fmt=fmt,
            unit=unit,
            filters={"unit": unit.pk, "from": period.starts_on.isoformat(), "to": period.ends_on.isoformat()},
        )
    context |= {
        "unit": unit,
        "period": period,
        "figures": recruitment.recruitment(unit, starts_on=period.starts_on, ends_on=period.ends_on),
        "page_obj": paginate(request, rows),
    }
    return render(request, "reports/recruitment/index.html", context)


@require_GET
def news_item_page(request: AuthenticatedRequest) -> HttpResponse:
    """A news item to copy and an image card to download, about a unit's learning in a period."""
    form, choice = _choice(request, usual_period="season")
    if choice is None:
        return render(request, "reports/recruitment/news.html", {"form": form})
    unit, period = choice
    figures = newsitem.news_figures(unit, starts_on=period.starts_on, ends_on=period.ends_on)
    return render(
        request,
        "reports/recruitment/news.html",
        {
            "form": form,
            "unit": unit,
            "period": period,
            "figures": figures,
            "text": newsitem.item_text(figures),
            "alt_text": newsitem.alt_text(figures),
            "card_query": urlencode(period.as_query()),
        },
    )


@require_GET
def news_card(request: AuthenticatedRequest, unit_pk: int) -> HttpResponse:
    """The image card as a PNG (1200 × 675), for the unit and the period of the news page."""
    _form, choice = _choice(request, usual_period="season")
    unit = get_object_or_404(scoping.report_units(request.user), pk=unit_pk)
    if choice is None:
        raise Http404("Choose the period on the news page.")
    _unit, period = choice
    png = newsitem.image_card_png(unit, starts_on=period.starts_on, ends_on=period.ends_on)
    response = HttpResponse(png, content_type="image/png")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="learning-{unit.code.lower()}-{period.starts_on}.png"'
    response["Cache-Control"] = "private, max-age=300"
    return response


urlpatterns: list[URLPattern] = [
    path("recruitment/", recruitment_page, name="recruitment"),
    path("news/", news_item_page, name="news_item"),
    path("news/<int:unit_pk>/card.png", news_card, name="news_card"),
]
