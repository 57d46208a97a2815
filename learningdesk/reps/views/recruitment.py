"""Recruiting reps: the funnel, sources, methods, motivations and barriers, targets."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.accounts.models import User
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.pagination import paginate
from learningdesk.org import scoping
from learningdesk.reps import charts, recruitment
from learningdesk.reps.forms.recruitment import Filters, RecruitmentFilterForm, TargetForm, target_description
from learningdesk.reps.models import RecruitmentTarget, Rep

TARGETS_PER_PAGE = 10


@dataclass(frozen=True)
class TargetRow:
    progress: recruitment.TargetProgress
    bar: SafeString
    may_change: bool


def _reps(user: User, filters: Filters) -> QuerySet[Rep]:
    reps = scoping.visible_reps(user)
    if filters.unit is not None:
        reps = reps.filter(person__branch__path__startswith=filters.unit.path)
    if filters.kind is not None:
        reps = reps.filter(kind=filters.kind)
    return reps


def _target_rows(request: AuthenticatedRequest, filters: Filters) -> tuple[Page, list[TargetRow]]:
    """The page of targets overlapping the period, with their progress (one query for all of them)."""
    targets = recruitment.overlapping_targets(scoping.visible_recruitment_targets(request.user), filters.period)
    if filters.unit is not None:
        targets = targets.filter(unit__path__startswith=filters.unit.path)
    page = paginate(request, targets.order_by("-starts_on", "unit__name", "pk"), TARGETS_PER_PAGE)
    today = timezone.localdate()
    progress = recruitment.targets_progress(
        reps=scoping.visible_reps(request.user), targets=list(page.object_list), today=today
    )
    rows = [
        TargetRow(
            progress=item,
            bar=charts.progress_bar(
                chart_id=f"target-{item.target.pk}",
                title=f"{item.recruited} of {item.target.target} ({item.percent}%)",
                done=item.recruited,
                total=item.target.target,
                expected=item.expected if item.status != recruitment.TargetStatus.MET else None,
                colour=charts.GREEN if item.status == recruitment.TargetStatus.MET else charts.BRAND,
            ),
            may_change=recruitment.may_change_target(request.user, item.target),
        )
        for item in progress
    ]
    return page, rows


@require_GET
def recruitment_page(request: AuthenticatedRequest) -> HttpResponse:
    """How recruiting is going in the user's scope: the funnel, where prospects come from, why they say yes
    or no, who stood down, and the targets. Co-ordinators and officers; a rep has their own page."""
    if not scoping.get_scope(request.user).see:
        raise Http404
    today = timezone.localdate()
    form = RecruitmentFilterForm(request.GET or None, user=request.user, today=today)
    filters = form.filters()
    reps = _reps(request.user, filters)
    summary = recruitment.summary(reps=reps, period=filters.period)
    sources = recruitment.by_origin(reps=reps, period=filters.period, field="source")
    methods = recruitment.by_origin(reps=reps, period=filters.period, field="method")
    reasons = recruitment.reasons(reps=reps, period=filters.period)
    stood_down = recruitment.stood_down(reps=reps, period=filters.period)
    targets_page, target_rows = _target_rows(request, filters)
    return render(
        request,
        "reps/recruitment/index.html",
        {
            "form": form,
            "filters": filters,
            "summary": summary,
            "funnel_chart": charts.funnel_chart(
                chart_id="funnel",
                title="From prospect to active rep in the period",
                steps=[(step.label, step.count) for step in summary.funnel],
            ),
            "sources": sources,
            "sources_chart": charts.bar_chart(
                chart_id="sources",
                title="New prospects by who they are",
                bars=[(row.label, row.prospects) for row in sources],
                unit="prospects",
            ),
            "methods": methods,
            "methods_chart": charts.bar_chart(
                chart_id="methods",
                title="New prospects by how they were found",
                bars=[(row.label, row.prospects) for row in methods],
                colour=charts.BLUE,
                unit="prospects",
            ),
            "reasons": reasons,
            "barriers_chart": charts.bar_chart(
                chart_id="barriers",
                title="Why prospects hold back, most common first",
                bars=[(row.label, row.count) for row in reasons.barriers],
                colour=charts.GREY,
            ),
            "stood_down": stood_down,
            "stood_down_total": sum(row.count for row in stood_down),
            "targets_page": targets_page,
            "target_rows": target_rows,
            "may_add_target": scoping.may_manage_reps(request.user),
        },
    )


def _target_url(target: RecruitmentTarget) -> str:
    """The recruitment page for the target's period and unit, at the targets."""
    query = urlencode({"period": RecruitmentFilterForm.TARGET, "target": str(target.pk), "unit": str(target.unit_id)})
    return f"{reverse('reps:recruitment')}?{query}#targets"


@require_http_methods(["GET", "POST"])
def target_add(request: AuthenticatedRequest) -> HttpResponse:
    if not scoping.may_manage_reps(request.user):
        raise Http404
    form = TargetForm(request.POST or None, user=request.user, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        target = recruitment.target_create(acting_user=request.user, data=form.cleaned_data)
        messages.success(request, f"Target set: {target_description(target)}.")
        return redirect(_target_url(target))
    return render(request, "reps/recruitment/target_form.html", {"form": form, "target": None})


@require_http_methods(["GET", "POST"])
def target_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = scoping.get_recruitment_target_for_user(request.user, pk)
    description = target_description(target)  # before the form copies what was typed onto it
    form = TargetForm(request.POST or None, instance=target, user=request.user, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        target = recruitment.target_update(acting_user=request.user, target=target, data=form.cleaned_data)
        messages.success(request, f"Target saved: {target_description(target)}.")
        return redirect(_target_url(target))
    return render(
        request, "reps/recruitment/target_form.html", {"form": form, "target": target, "description": description}
    )


@require_http_methods(["GET", "POST"])
def target_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = scoping.get_recruitment_target_for_user(request.user, pk)
    description = target_description(target)
    if request.method == "POST":
        recruitment.target_delete(acting_user=request.user, target=target)
        messages.success(request, f"Target deleted: {description}.")
        return redirect("reps:recruitment")
    return render(request, "reps/recruitment/target_delete.html", {"target": target, "description": description})


urlpatterns: list[URLPattern] = [
    path("recruitment/", recruitment_page, name="recruitment"),
    path("recruitment/targets/add/", target_add, name="target_add"),
    path("recruitment/targets/<int:pk>/edit/", target_edit, name="target_edit"),
    path("recruitment/targets/<int:pk>/delete/", target_delete, name="target_delete"),
]
