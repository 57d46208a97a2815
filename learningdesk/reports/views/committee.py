"""Committee reports: the list, starting one, the draft with its live figures and the co-ordinator's words,
issuing it (frozen, with its PDF and Word file), the downloads and deleting a draft.

Officers and co-ordinators read the reports of their units; only co-ordinators (editors) start, change, issue
and delete them. A ULR and an employer contact see none of it (404).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.core.pdf import pdf_response
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit
from learningdesk.reports import committee, committee_sections, committee_services
from learningdesk.reports.forms_committee import ReportAddForm, ReportEditForm, ReportWordsForm
from learningdesk.reports.models import CommitteeReport

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LIST_LABEL = "Committee reports"


def report_crumbs(report: CommitteeReport | None = None, here: str | None = None) -> Crumbs:
    crumbs: Crumbs = [(LIST_LABEL, reverse("reports:committee_list"))]
    if report is not None:
        crumbs.append((report.title, reverse("reports:committee_detail", args=[report.pk])))
    return [*crumbs, (here, None)] if here else crumbs


def _readers_only(request: AuthenticatedRequest) -> None:
    """A ULR (workplace role only) or an employer contact has no reports: as if the pages did not exist."""
    if not scoping.may_read_committee_reports(request.user):
        raise Http404("No committee reports for this user")


def _editable(request: AuthenticatedRequest, report: CommitteeReport) -> bool:
    return scoping.editable_committee_reports(request.user).filter(pk=report.pk).exists()


@require_GET
def committee_list(request: AuthenticatedRequest) -> HttpResponse:
    """Reports of the units in scope, newest period first, drafts and issued alike."""
    _readers_only(request)
    reports = scoping.visible_committee_reports(request.user).select_related("issued_by", "created_by")
    return render(
        request,
        "reports/committee/list.html",
        {
            "page_obj": paginate(request, reports),
            "can_add": scoping.may_write_committee_reports(request.user),
            "crumbs": report_crumbs(),
        },
    )


def _initial_unit(request: AuthenticatedRequest, units: QuerySet[OrgUnit]) -> OrgUnit | None:
    """The unit asked for (?unit=), else the top one the user may write for."""
    wanted = request.GET.get("unit", "")
    found = units.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    return found or units.order_by("depth", "path").first()


@require_http_methods(["GET", "POST"])
def committee_add(request: AuthenticatedRequest) -> HttpResponse:
    """Start a report: the unit, the kind and the period (since the last report, or the last quarter)."""
    if not scoping.may_write_committee_reports(request.user):
        raise Http404("Only co-ordinators start reports")
    units = scoping.editable_units(request.user)
    initial: dict[str, Any] = {}
    if request.method == "GET":
        unit = _initial_unit(request, units)
        if unit is not None:
            starts_on, ends_on = committee.default_period(unit, today=timezone.localdate())
            kind = CommitteeReport.Kind.STEERING if unit.numchild else CommitteeReport.Kind.COMMITTEE
            initial = {"unit": unit, "starts_on": starts_on, "ends_on": ends_on, "kind": kind}
    form = ReportAddForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = committee_services.report_create(
                acting_user=request.user,
                unit=data["unit"],
                kind=data["kind"],
                title=data.get("title") or "",
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Report started. Check the figures, then add your commentary.")
            return redirect("reports:committee_detail", pk=report.pk)
    return render(request, "reports/committee/add.html", {"form": form, "crumbs": report_crumbs(here="Start a report")})


def _report_context(request: AuthenticatedRequest, report: CommitteeReport) -> dict[str, Any]:
    snapshot = committee.report_snapshot(report, user=request.user)
    charts = committee_sections.snapshot_charts(snapshot)
    return {
        "snapshot": snapshot,
        # The page says whether it is a draft in its own words, above.
        "about": committee_sections.about_line(snapshot, is_draft=False),
        "sections": committee_sections.sections(snapshot, charts=charts),
    }


@require_GET
def committee_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A draft with its figures counted now and the forms for the co-ordinator's words; an issued report as
    it was issued."""
    _readers_only(request)
    report = scoping.get_committee_report_for_user(request.user, pk)
    can_edit = not report.is_issued and _editable(request, report)
    context = {
        "report": report,
        "can_edit": can_edit,
        "can_add_equality": committee.may_add_equality(request.user, report),
        "equality_added": committee.equality_added_by(report) is not None,
        "words_form": ReportWordsForm(instance=report) if can_edit else None,
        "crumbs": report_crumbs(here=report.title),
        **_report_context(request, report),
    }
    return render(request, "reports/committee/detail.html", context)


@require_http_methods(["GET", "POST"])
def committee_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Change a draft: its title and period, or (from the draft's page) the commentary and budget request."""
    report = scoping.get_committee_report_for_user(request.user, pk, for_change=True)
    if report.is_issued:
        messages.error(request, committee_services.ISSUED_MESSAGE)
        return redirect("reports:committee_detail", pk=report.pk)
    words = request.POST.get("words", "")
    words_only = words in ("commentary", "budget_request")
    form: ReportWordsForm | ReportEditForm
    if words_only:
        form = ReportWordsForm(request.POST, instance=report, only=words)
    else:
        form = ReportEditForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            committee_services.report_update(acting_user=request.user, report=report, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved. The report shows your words as the committee will read them.")
            return redirect("reports:committee_detail", pk=report.pk)
    if words_only:  # the draft's page with the errors next to its fields
        report.refresh_from_db()
        context = {
            "report": report,
            "can_edit": True,
            "words_form": form,
            "crumbs": report_crumbs(here=report.title),
            **_report_context(request, report),
        }
        return render(request, "reports/committee/detail.html", context)
    return render(
        request,
        "reports/committee/edit.html",
        {"form": form, "report": report, "crumbs": report_crumbs(report, "Change the details")},
    )


@require_POST
def committee_equality(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The equality officer adds the unit's equality figures to a draft (include=1), or takes them out (include=0)."""
    report = scoping.get_committee_report_for_user(request.user, pk)
    if not committee.may_add_equality(request.user, report):
        raise Http404("Only the unit's equality officer adds equality figures to a draft")
    include = request.POST.get("include") == "1"
    committee_services.equality_include(acting_user=request.user, report=report, include=include)
    if include:
        messages.success(request, "Equality figures added: they will be in the report when it is issued.")
    else:
        messages.success(request, "Equality figures taken out of the report.")
    return redirect("reports:committee_detail", pk=report.pk)


@require_http_methods(["GET", "POST"])
def committee_issue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask, then issue: the figures are frozen and the PDF and Word file are made and kept."""
    report = scoping.get_committee_report_for_user(request.user, pk, for_change=True)
    if report.is_issued:
        messages.info(request, "This report was already issued.")
        return redirect("reports:committee_detail", pk=report.pk)
    if request.method == "POST":
        try:
            committee_services.report_issue(acting_user=request.user, report=report)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("reports:committee_detail", pk=report.pk)
        messages.success(request, "Report issued. Its PDF and Word file are kept exactly as they are now.")
        return redirect("reports:committee_detail", pk=report.pk)
    return render(
        request,
        "reports/committee/issue.html",
        {"report": report, "crumbs": report_crumbs(report, "Issue the report")},
    )


def _download(request: AuthenticatedRequest, pk: int, file_format: str) -> tuple[CommitteeReport, bytes]:
    _readers_only(request)
    report = scoping.get_committee_report_for_user(request.user, pk)
    if report.is_issued:
        content = committee_services.stored_file(report, file_format)
    else:
        content = committee_services.draft_file(report, file_format, user=request.user)
    committee_services.audit_download(user=request.user, report=report, file_format=file_format)
    return report, content


@require_GET
def committee_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The issued PDF byte for byte; a draft's, made now and marked as a draft."""
    report, content = _download(request, pk, "pdf")
    name = committee_services.file_stem(report) + ("" if report.is_issued else "-draft")
    return pdf_response(content, f"{name}.pdf")


@require_GET
def committee_docx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The issued Word file byte for byte; a draft's, made now and marked as a draft."""
    report, content = _download(request, pk, "docx")
    name = committee_services.file_stem(report) + ("" if report.is_issued else "-draft")
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def committee_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask, then delete a draft. An issued report is kept for good."""
    report = scoping.get_committee_report_for_user(request.user, pk, for_change=True)
    if report.is_issued:
        messages.error(request, "An issued report is kept for good: it cannot be deleted.")
        return redirect("reports:committee_detail", pk=report.pk)
    if request.method == "POST":
        committee_services.report_delete(acting_user=request.user, report=report)
        messages.success(request, f"Draft “{report.title}” deleted.")
        return redirect("reports:committee_list")
    return render(
        request,
        "reports/committee/delete.html",
        {"report": report, "crumbs": report_crumbs(report, "Delete the draft")},
    )


urlpatterns: list[URLPattern] = [
    path("committee/", committee_list, name="committee_list"),
    path("committee/add/", committee_add, name="committee_add"),
    path("committee/<int:pk>/", committee_detail, name="committee_detail"),
    path("committee/<int:pk>/edit/", committee_edit, name="committee_edit"),
    path("committee/<int:pk>/issue/", committee_issue, name="committee_issue"),
    path("committee/<int:pk>/equality/", committee_equality, name="committee_equality"),
    path("committee/<int:pk>/report.pdf", committee_pdf, name="committee_pdf"),
    path("committee/<int:pk>/report.docx", committee_docx, name="committee_docx"),
    path("committee/<int:pk>/delete/", committee_delete, name="committee_delete"),
]
