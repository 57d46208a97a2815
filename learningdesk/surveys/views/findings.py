"""A survey's exports, its findings report for the employer, and turning what people asked for into an activity.

Every page is for those who run the survey (its unit's co-ordinators, and a branch running a national survey,
over its own responses). The findings are aggregate only; the demand pages never name a respondent.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.pdf import pdf_response
from learningdesk.learning.models import Activity, Subject
from learningdesk.org import scoping
from learningdesk.surveys import exports, findings
from learningdesk.surveys.forms.findings import CommentaryForm, DemandActivityForm
from learningdesk.surveys.models import Survey
from learningdesk.surveys.views.builder import survey_crumbs


def _findings_url(survey: Survey) -> str:
    return reverse("surveys:findings", args=[survey.pk])


def _demand_url(survey: Survey) -> str:
    return reverse("surveys:demand", args=[survey.pk])


def _may_change(request: AuthenticatedRequest, survey: Survey) -> bool:
    return scoping.editable_surveys(request.user).filter(pk=survey.pk).exists()


# Exports ----------------------------------------------------------------------------------------


@require_GET
def export_csv(request: AuthenticatedRequest, pk: int) -> StreamingHttpResponse:
    """Every completed response the user may count, as CSV, streamed."""
    survey = scoping.get_survey_for_user(request.user, pk, to_run=True)
    export = exports.SurveyExport(request.user, survey)
    exports.audit_export(user=request.user, survey=survey, file_format="csv", rows=export.responses.count())
    response = StreamingHttpResponse(exports.csv_lines(export), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{findings.file_stem(survey)}-responses.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def export_xlsx(request: AuthenticatedRequest, pk: int) -> FileResponse:
    survey = scoping.get_survey_for_user(request.user, pk, to_run=True)
    export = exports.SurveyExport(request.user, survey)
    exports.audit_export(user=request.user, survey=survey, file_format="xlsx", rows=export.responses.count())
    response = FileResponse(
        exports.xlsx_file(export),
        as_attachment=True,
        filename=f"{findings.file_stem(survey)}-responses.xlsx",
        content_type=exports.XLSX_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Findings ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def findings_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The co-ordinator's commentary, and a preview of the report the employer gets (figures only)."""
    survey = scoping.get_survey_for_user(request.user, pk, to_run=True)
    may_change = _may_change(request, survey)
    if request.method == "POST" and not may_change:
        raise PermissionDenied("Only the survey's own co-ordinators write its commentary.")
    form = CommentaryForm(request.POST or None, instance=survey) if may_change else None
    if request.method == "POST" and form is not None and form.is_valid():
        findings.commentary_save(acting_user=request.user, survey=survey, commentary=form.cleaned_data["commentary"])
        messages.success(request, "Commentary saved. It is in the report below.")
        return redirect(_findings_url(survey))
    report = findings.survey_findings(request.user, survey)
    return render(
        request,
        "surveys/findings/findings.html",
        {
            "survey": survey,
            "form": form,
            "findings": report,
            "crumbs": survey_crumbs(survey, ("Findings", None)),
        },
    )


@require_GET
def findings_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    survey = scoping.get_survey_for_user(request.user, pk, to_run=True)
    pdf = findings.findings_pdf(findings.survey_findings(request.user, survey))
    return pdf_response(pdf, f"{findings.file_stem(survey)}.pdf")


@require_GET
def findings_docx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    survey = scoping.get_survey_for_user(request.user, pk, to_run=True)
    document = findings.findings_docx(findings.survey_findings(request.user, survey))
    response = HttpResponse(document, content_type=findings.DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{findings.file_stem(survey)}.docx"'
    response["Cache-Control"] = "private, no-store"
    return response


# Demand -----------------------------------------------------------------------------------------


@require_GET
def demand(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The subjects and types of activity people asked for, most asked first, overall and where they work."""
    survey = scoping.get_survey_for_user(request.user, pk, to_run=True)
    return render(
        request,
        "surveys/findings/demand.html",
        {
            "survey": survey,
            "demand": findings.survey_demand(request.user, survey),
            "crumbs": survey_crumbs(survey, ("What people asked for", None)),
        },
    )


def _draft_from_demand(request: AuthenticatedRequest, subject: Subject, activity_pk: str) -> Activity:
    """The draft activity named in the request: one the user may change, in this subject."""
    if not activity_pk.isdigit():
        raise Http404("No such activity.")
    activity = scoping.get_activity_for_user(request.user, activity_pk, for_change=True)
    if activity.subject_id != subject.pk:
        raise Http404("That activity is not about this subject.")
    return activity


@require_http_methods(["GET", "POST"])
def demand_activity(request: AuthenticatedRequest, pk: int, subject_pk: int) -> HttpResponse:
    """Make a draft activity in a subject people asked for; then publish it and invite those who asked
    (identified respondents who agree to hear about learning)."""
    survey = scoping.get_survey_for_user(request.user, pk, to_run=True)
    subject = get_object_or_404(Subject, pk=subject_pk)  # the catalogue is shared by everyone
    asked = findings.asked_for(request.user, survey, subject)
    if not asked:
        raise Http404("Nobody asked for this subject in this survey.")
    url = reverse("surveys:demand_activity", args=[survey.pk, subject.pk])
    activity_pk = request.POST.get("activity") or request.GET.get("activity") or ""
    activity = _draft_from_demand(request, subject, activity_pk) if activity_pk else None
    form = None
    if activity is not None:
        if request.method == "POST":
            try:
                sent = findings.publish_and_invite(acting_user=request.user, survey=survey, activity=activity)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(f"{url}?activity={activity.pk}")
            invited = f"{sent} {'person' if sent == 1 else 'people'} who asked for it" if sent else "nobody"
            messages.success(request, f"“{activity.title}” is published, and we emailed {invited}.")
            return redirect(_demand_url(survey))
    else:
        form = DemandActivityForm(request.POST or None, user=request.user, survey=survey, subject=subject)
        if request.method == "POST" and form.is_valid():
            try:
                activity = findings.demand_activity_add(
                    acting_user=request.user, subject=subject, data=form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Draft activity “{activity.title}” created.")
                return redirect(f"{url}?activity={activity.pk}")
    return render(
        request,
        "surveys/findings/demand_activity.html",
        {
            "survey": survey,
            "subject": subject,
            "asked": asked,
            "threshold": findings.threshold_for(survey),
            "invitees": findings.people_to_invite(request.user, survey, subject).count(),
            "form": form,
            "activity": activity,
            # Drafts in this subject: a co-ordinator who went to add sessions comes back here to publish.
            "drafts": []
            if activity
            else list(
                scoping.editable_activities(request.user)
                .filter(subject=subject, status=Activity.Status.DRAFT)
                .select_related("unit")
                .order_by("-created_at")[:10]
            ),
            "crumbs": survey_crumbs(survey, ("What people asked for", _demand_url(survey)), (subject.name, None)),
        },
    )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/export.csv", export_csv, name="export_csv"),
    path("<int:pk>/export.xlsx", export_xlsx, name="export_xlsx"),
    path("<int:pk>/findings/", findings_page, name="findings"),
    path("<int:pk>/findings.pdf", findings_pdf, name="findings_pdf"),
    path("<int:pk>/findings.docx", findings_docx, name="findings_docx"),
    path("<int:pk>/demand/", demand, name="demand"),
    path("<int:pk>/demand/<int:subject_pk>/", demand_activity, name="demand_activity"),
]
public_urlpatterns: list[URLPattern] = []  # nothing here is public
