"""Compare units: the branches of a region (or the regions of the nation) side by side, those falling behind first.

For whoever sees the unit through a unit role (co-ordinators, officers, regional and national users); a ULR and an
employer contact get 404, and so does a unit outside the user's scope, as if it did not exist.
The home page's dashboard itself is drawn by core/views.home from reports/dashboard.py.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit
from learningdesk.reports import dashboard
from learningdesk.reports.dashboard import COMPARED, CompareRow
from learningdesk.reports.models import Measure

# The sortable columns, in order: a figure sorts largest first when first chosen, the others from the top.
HEADERS: dict[str, str] = {
    "name": "Unit",
    "members": "Members",
    **{measure: Measure(measure).label for measure in COMPARED},
    "status": "Targets",
}
NOT_FIGURES = ("name", "status")


def _unit(request: AuthenticatedRequest) -> OrgUnit:
    """The unit asked for (`?unit=`), or the user's first unit with units below it, else their first unit."""
    units = scoping.report_units(request.user)
    wanted = request.GET.get("unit", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404("No such unit.")
        return get_object_or_404(units, pk=wanted)
    roots = list(scoping.scope_roots(request.user).order_by("path"))
    if not roots:
        raise Http404
    return next((root for root in roots if root.numchild), roots[0])


def _columns(comparison: dashboard.Comparison) -> list[Column]:
    columns = [
        Column(comparison.kind_name.capitalize(), lambda row: row.unit.name),
        Column("Members", lambda row: row.members),
    ]
    columns += [
        Column(f"{Measure(measure).label} since {comparison.starts_on:%d/%m/%Y}", _value_of(measure))
        for measure in COMPARED
    ]
    columns += [
        Column("Targets", lambda row: row.status_label),
        Column("Behind on", lambda row: ", ".join(item.measure_label for item in row.behind)),
    ]
    return columns


def _value_of(measure: str) -> Callable[[CompareRow], int]:
    return lambda row: row.values[measure]


def _headers(sort: str) -> list[dict[str, object]]:
    """The sortable column headings: each a link that sorts by it (a figure largest first, then smallest first)."""
    current = sort.removeprefix("-")
    headings = []
    for column, label in HEADERS.items():
        numeric = column not in NOT_FIGURES
        if column == current:
            following = column if sort.startswith("-") else f"-{column}"
            aria = "descending" if sort.startswith("-") else "ascending"
        else:
            following = f"-{column}" if numeric else column
            aria = "none"
        headings.append({"label": label, "sort": following, "aria_sort": aria, "numeric": numeric})
    return headings


@require_GET
def compare(request: AuthenticatedRequest) -> HttpResponse:
    """The units below a unit side by side this year, sortable, the ones falling behind picked out."""
    if not scoping.get_scope(request.user).see:
        raise Http404
    unit = _unit(request)
    today = timezone.localdate()
    # Comparing the nation's regions counts a year of every member's learning: kept a minute or two, so sorting the
    # table and turning its pages is quick.
    comparison = dashboard.kept_a_while(
        request.user,
        f"compare:{unit.pk}:{today}",
        lambda: dashboard.compare_units(request.user, unit, today=today),
        only_wide=True,
    )
    sort = request.GET.get("sort", "status")
    if sort.removeprefix("-") not in dashboard.COMPARE_SORTS:
        sort = "status"
    rows: list[CompareRow] = dashboard.sort_rows(comparison.rows, sort)
    fmt = export_format(request)
    if fmt is not None:
        return export_response(
            request,
            name=f"units compared, {unit.name}",
            columns=_columns(comparison),
            rows=rows,
            fmt=fmt,
            unit=unit,
        )
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    # Back up to the unit above, when the user's scope reaches it.
    above = unit.path[: -OrgUnit.steplen]
    in_scope = any(above.startswith(path) for path in scoping.get_scope(request.user).see)
    up = OrgUnit.objects.filter(path=above).first() if above and in_scope else None
    crumbs: Crumbs = [("Home", reverse("home"))]
    if up is not None:
        crumbs.append((f"Compare units in {up.name}", f"{reverse('reports:compare')}?unit={up.pk}"))
    crumbs.append((f"Compare units in {unit.name}", None))
    return render(
        request,
        "reports/dashboard/compare.html",
        {
            "crumbs": crumbs,
            "comparison": comparison,
            "unit": unit,
            "page_obj": page,
            "rows": shown,
            "sort": sort,
            "headers": _headers(sort),
            "falling_behind": comparison.falling_behind[: dashboard.FALLING_BEHIND_SHOWN],
            "more_behind": max(0, len(comparison.falling_behind) - dashboard.FALLING_BEHIND_SHOWN),
            "chart": dashboard.compare_chart(comparison, shown, sort.removeprefix("-")) if shown else None,
        },
    )


urlpatterns: list[URLPattern] = [
    path("compare/", compare, name="compare"),
]
