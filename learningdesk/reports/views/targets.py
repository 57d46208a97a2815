"""Targets: a unit's targets for a period with progress and red/amber/green, adding, changing and deleting them,
the Amicus-AEEU template, and the drill-down from the nation to regions, branches and workplaces.

Whoever sees a unit through a unit role reads its targets (a ULR or an employer contact gets 404); co-ordinators
set the targets of their editable subtrees, officers only read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.accounts.models import User
from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit, UnitKind
from learningdesk.reports import targets
from learningdesk.reports.forms import Period, TargetForm, TargetsViewForm, TemplateForm, preset_period
from learningdesk.reports.measures import MEASURE_HELP
from learningdesk.reports.models import Measure, Target

MEASURE_HELP_ROWS = [(Measure(measure).label, MEASURE_HELP[measure]) for measure in Measure.values]
# Shown side by side in the drill-down when the unit has no targets for the period: the figures still tell a story.
DRILLDOWN_MEASURES = (
    Measure.LEARNERS,
    Measure.SIGN_UPS,
    Measure.COMPLETIONS,
    Measure.REPS_TRAINED,
    Measure.ACTIVE_REPS,
)


def _check_may_see(user: User) -> None:
    """Reports are for unit roles: a ULR (workplaces only) or an employer contact gets 404."""
    if not scoping.get_scope(user).see:
        raise Http404


def _may_edit(user: User, unit: OrgUnit) -> bool:
    return any(unit.path.startswith(path) for path in scoping.get_scope(user).edit)


def _may_edit_anywhere(user: User) -> bool:
    return bool(scoping.get_scope(user).edit)


def _page_url(name: str, unit: OrgUnit, period: Period) -> str:
    return f"{reverse(name)}?{urlencode({'unit': unit.pk, **period.as_query()})}"


@dataclass(frozen=True)
class Choice:
    """The unit and period a targets page shows, and the form that chose them."""

    form: TargetsViewForm
    unit: OrgUnit
    period: Period


def _choice(request: AuthenticatedRequest) -> Choice:
    """The unit and period from the query string: by default the top of the user's scope and this year."""
    _check_may_see(request.user)
    data = request.GET.copy()
    if not data.get("unit"):
        top = scoping.scope_roots(request.user).order_by("path").first()
        if top is None:
            raise Http404
        data["unit"] = str(top.pk)
    data.setdefault("period", "this_year")
    form = TargetsViewForm(data, user=request.user, today=timezone.localdate())
    if form.unit_is_out_of_scope:
        raise Http404("No such unit.")
    return Choice(form=form, unit=form.cleaned_data["unit"], period=form.chosen_period())


def _crumbs(user: User, unit: OrgUnit, period: Period, here: str | None = None) -> Crumbs:
    """Targets, then the units from the top of the user's scope down to this one (each its drill-down)."""
    crumbs: Crumbs = [("Targets", _page_url("reports:targets", unit, period))]
    roots = scoping.get_scope(user).see
    above = [
        unit.path[:end]
        for end in range(OrgUnit.steplen, len(unit.path) + 1, OrgUnit.steplen)
        if any(unit.path[:end].startswith(root) for root in roots)
    ]
    for ancestor in OrgUnit.objects.filter(path__in=above).order_by("path"):
        is_this_page = here is None and ancestor.pk == unit.pk
        crumbs.append(
            (ancestor.name, None if is_this_page else _page_url("reports:target_drilldown", ancestor, period))
        )
    if here:
        crumbs.append((here, None))
    return crumbs


# A unit's targets -----------------------------------------------------------------------------------------


PROGRESS_COLUMNS = (
    Column("Unit", lambda p: p.target.unit.name),
    Column("Measure", lambda p: p.measure_label),
    Column("From", lambda p: p.target.starts_on),
    Column("To", lambda p: p.target.ends_on),
    Column("Target", lambda p: p.target.value),
    Column("Set for", lambda p: f"Added up from {p.from_below}" if p.from_below else "This unit"),
    Column("Actual", lambda p: p.actual),
    Column("Expected by today", lambda p: p.expected),
    Column("Progress (%)", lambda p: p.percent),
    Column("Status", lambda p: p.rag_label),
)


@require_GET
def target_list(request: AuthenticatedRequest) -> HttpResponse:
    """The unit's targets whose period overlaps the one chosen, each with its actual, expected and status."""
    choice = _choice(request)
    unit, period = choice.unit, choice.period
    today = timezone.localdate()
    progress = targets.progress_for_units([unit], on=today, within=(period.starts_on, period.ends_on))[unit.pk]
    if (fmt := export_format(request)) is not None:
        return export_response(request, name="targets", columns=PROGRESS_COLUMNS, rows=progress, fmt=fmt, unit=unit)
    can_edit = _may_edit(request.user, unit)
    return render(
        request,
        "reports/targets/list.html",
        {
            "form": choice.form,
            "unit": unit,
            "period": period,
            "progress": progress,
            "today": today,
            "can_edit": can_edit,
            "may_edit_anywhere": _may_edit_anywhere(request.user),
            "has_children": unit.numchild > 0,
            "has_workplaces": unit.workplaces.exists(),
            "add_url": _page_url("reports:target_add", unit, period),
            "template_url": _page_url("reports:targets_template", unit, period),
            "drilldown_url": _page_url("reports:target_drilldown", unit, period),
            "measure_help": MEASURE_HELP_ROWS,
            "crumbs": [("Targets", None)],
        },
    )


# Adding, changing and deleting ----------------------------------------------------------------------------


def _initial_period(request: AuthenticatedRequest) -> Period:
    """The period the user came from (the targets page's), else this year."""
    form = TargetsViewForm(request.GET, user=request.user, today=timezone.localdate())
    form.fields.pop("unit")
    return form.chosen_period() if "period" in request.GET else preset_period("this_year", timezone.localdate())


def _initial_unit(request: AuthenticatedRequest) -> int | None:
    """The unit the user came from if they may set its targets, else the top one they may."""
    units = scoping.target_units(request.user, for_change=True)
    wanted = request.GET.get("unit", "")
    if wanted.isdigit() and units.filter(pk=wanted).exists():
        return int(wanted)
    return units.order_by("path").values_list("pk", flat=True).first()


def _check_may_add(user: User) -> None:
    _check_may_see(user)
    if not _may_edit_anywhere(user):
        raise PermissionDenied("Only co-ordinators set targets.")


@require_http_methods(["GET", "POST"])
def target_add(request: AuthenticatedRequest) -> HttpResponse:
    _check_may_add(request.user)
    period = _initial_period(request)
    initial: dict[str, object] = {
        "unit": _initial_unit(request),
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
    }
    if request.GET.get("measure") in Measure.values:
        initial["measure"] = request.GET["measure"]
    form = TargetForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        target = _save(request, form, fields=sorted(form.changed_data))
        if target is not None:
            messages.success(request, f"Target added: {target}.")
            return redirect(_page_url("reports:targets", target.unit, Period(target.starts_on, target.ends_on)))
    return render(
        request,
        "reports/targets/form.html",
        {
            "form": form,
            "target": None,
            "measure_help": MEASURE_HELP_ROWS,
            "crumbs": [("Targets", reverse("reports:targets")), ("Add a target", None)],
        },
    )


def _save(request: AuthenticatedRequest, form: TargetForm, *, fields: list[str]) -> Target | None:
    try:
        return targets.target_save(form.instance, acting_user=request.user, fields=fields)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


@require_http_methods(["GET", "POST"])
def target_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = scoping.get_target_for_user(request.user, pk, for_change=True)
    before = Target.objects.get(pk=target.pk)  # the page's title and links keep the saved values
    form = TargetForm(request.POST or None, instance=target, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, fields=sorted(form.changed_data))
        if saved is not None:
            messages.success(request, f"Target saved: {saved}.")
            return redirect(_page_url("reports:targets", saved.unit, Period(saved.starts_on, saved.ends_on)))
    period = Period(before.starts_on, before.ends_on)
    return render(
        request,
        "reports/targets/form.html",
        {
            "form": form,
            "target": before,
            "measure_help": MEASURE_HELP_ROWS,
            "back_url": _page_url("reports:targets", before.unit, period),
            "crumbs": _crumbs(request.user, before.unit, period, "Change a target"),
        },
    )


@require_http_methods(["GET", "POST"])
def target_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = scoping.get_target_for_user(request.user, pk, for_change=True)
    period = Period(target.starts_on, target.ends_on)
    back = _page_url("reports:targets", target.unit, period)
    if request.method == "POST":
        described = str(target)
        targets.target_delete(target, acting_user=request.user)
        messages.success(request, f"Target deleted: {described}.")
        return redirect(back)
    return render(
        request,
        "reports/targets/delete.html",
        {"target": target, "back_url": back, "crumbs": _crumbs(request.user, target.unit, period, "Delete a target")},
    )


@require_http_methods(["GET", "POST"])
def targets_template(request: AuthenticatedRequest) -> HttpResponse:
    """The Amicus-AEEU national figures, pre-filled: the user adapts them and saves them all at once, or none."""
    _check_may_add(request.user)
    period = _initial_period(request)
    form = TemplateForm(
        request.POST or None, user=request.user, period=period, initial={"unit": _initial_unit(request)}
    )
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"]
        chosen = Period(form.cleaned_data["starts_on"], form.cleaned_data["ends_on"])
        try:
            saved = targets.targets_add_many(
                acting_user=request.user,
                unit=unit,
                starts_on=chosen.starts_on,
                ends_on=chosen.ends_on,
                values=form.chosen_values(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{len(saved)} target{'s' if len(saved) != 1 else ''} saved for {unit.name}.")
            return redirect(_page_url("reports:targets", unit, chosen))
    return render(
        request,
        "reports/targets/template.html",
        {
            "form": form,
            "crumbs": [("Targets", reverse("reports:targets")), ("Start from the Amicus-AEEU template", None)],
        },
    )


# The drill-down -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    key: targets.Key
    label: str
    period_label: str  # "" when it is the chosen period


def _headings(keys: list[targets.Key], period: Period) -> list[Heading]:
    return [
        Heading(
            key=key,
            label=Measure(key[0]).label,
            period_label="" if (key[1], key[2]) == (period.starts_on, period.ends_on) else Period(key[1], key[2]).label,
        )
        for key in keys
    ]


def _drilldown_columns(headings: list[Heading], *, with_targets: bool) -> list[Column]:
    columns = [Column("Name", lambda row: row.name)]
    for index, heading in enumerate(headings):
        name = f"{heading.label} ({heading.period_label})" if heading.period_label else heading.label
        if with_targets:
            columns.append(Column(f"{name}: target", _cell_value(index, "target")))
        columns.append(Column(f"{name}: actual", _cell_value(index, "actual")))
        if with_targets:
            columns.append(Column(f"{name}: status", _cell_value(index, "status")))
    return columns


def _cell_value(index: int, what: str):  # type: ignore[no-untyped-def]
    def value(row: targets.Row) -> object:
        cell = row.cells[index]
        if what == "actual":
            return cell.actual
        if cell.progress is None:
            return None
        return cell.progress.target.value if what == "target" else cell.progress.rag_label

    return value


@require_GET
def target_drilldown(request: AuthenticatedRequest) -> HttpResponse:
    """The unit's children side by side (each measure's target, own or added up, actual and status), with links
    down; at a branch, its workplaces' figures."""
    choice = _choice(request)
    unit, period = choice.unit, choice.period
    today = timezone.localdate()
    own = targets.progress_for_units([unit], on=today, within=(period.starts_on, period.ends_on))[unit.pk]
    keys = [(p.target.measure, p.target.starts_on, p.target.ends_on) for p in own]
    if not keys:
        keys = [(measure, period.starts_on, period.ends_on) for measure in DRILLDOWN_MEASURES]
    headings = _headings(keys, period)
    children = OrgUnit.objects.get_children(unit).select_related("kind")
    fmt = export_format(request)
    showing_workplaces = unit.numchild == 0
    if showing_workplaces:
        workplaces = unit.workplaces.order_by("name", "pk")
        if fmt is not None:
            rows = targets.workplace_rows(unit, list(workplaces), keys)
            columns = _drilldown_columns(headings, with_targets=False)
            return export_response(
                request, name=f"{unit.name} workplaces", columns=columns, rows=rows, fmt=fmt, unit=unit
            )
        page = paginate(request, workplaces)
        page.object_list = targets.workplace_rows(unit, list(page.object_list), keys)
    else:
        if fmt is not None:
            rows = targets.unit_rows(list(children), keys, on=today)
            columns = _drilldown_columns(headings, with_targets=True)
            return export_response(
                request, name=f"{unit.name} units below", columns=columns, rows=rows, fmt=fmt, unit=unit
            )
        page = Paginator(children, settings.PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = targets.unit_rows(list(page.object_list), keys, on=today)
    behind = [row for row in page.object_list if row.worst in ("red", "amber")] if not showing_workplaces else []
    return render(
        request,
        "reports/targets/drilldown.html",
        {
            "form": choice.form,
            "unit": unit,
            "period": period,
            "progress": own,
            "headings": headings,
            "page_obj": page,
            "showing_workplaces": showing_workplaces,
            "behind": behind,
            "child_kind": _child_kind(unit),
            "can_edit": _may_edit(request.user, unit),
            "period_query": urlencode(period.as_query()),
            "targets_url": _page_url("reports:targets", unit, period),
            "measure_help": MEASURE_HELP_ROWS,
            "crumbs": _crumbs(request.user, unit, period),
        },
    )


def _child_kind(unit: OrgUnit) -> str:
    """What the units below are called ("branches"), for headings."""
    kind = UnitKind.objects.filter(depth=unit.depth + 1).first()
    return kind.name_plural.lower() if kind else "units below"


urlpatterns: list[URLPattern] = [  # under /reports/, namespace "reports"
    path("targets/", target_list, name="targets"),
    path("targets/add/", target_add, name="target_add"),
    path("targets/template/", targets_template, name="targets_template"),
    path("targets/drilldown/", target_drilldown, name="target_drilldown"),
    path("targets/<int:pk>/edit/", target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", target_delete, name="target_delete"),
]
