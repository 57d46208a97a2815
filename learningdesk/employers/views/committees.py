"""The joint learning committee: its meetings and the actions agreed, sharing chosen actions with the employer's
contacts, and sharing survey findings reports with the employer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.core.pdf import pdf_response
from learningdesk.employers import committees, sharing
from learningdesk.employers.forms.committees import (
    ActionForm,
    CommitteeForm,
    FindingShareForm,
    MeetingForm,
    ShareForm,
)
from learningdesk.employers.models import CommitteeAction, CommitteeMeeting, LearningCommittee
from learningdesk.employers.views.contacts import employer_crumbs
from learningdesk.org import scoping

# The search button of the meeting form: it posts the form back to find people, without saving.
FIND = "find_people"


def committee_crumbs(committee: LearningCommittee) -> Crumbs:
    return [
        *employer_crumbs(committee.employer),
        (committee.name, reverse("employers:committee_detail", args=[committee.pk])),
    ]


def meeting_crumbs(meeting: CommitteeMeeting) -> Crumbs:
    label = f"Meeting of {meeting.held_on.day} {meeting.held_on:%B %Y}"
    return [*committee_crumbs(meeting.committee), (label, reverse("employers:meeting_detail", args=[meeting.pk]))]


# Committees -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def committee_add(request: AuthenticatedRequest, employer_pk: int) -> HttpResponse:
    employer = scoping.get_workable_employer_for_user(request.user, employer_pk)
    agreements = scoping.visible_agreements(request.user).filter(employer=employer).order_by("-signed_on", "-pk")
    form = CommitteeForm(request.POST or None, agreements=agreements, instance=LearningCommittee(employer=employer))
    if request.method == "POST" and form.is_valid():
        committee = committees.committee_add(
            acting_user=request.user,
            employer=employer,
            name=form.cleaned_data["name"],
            agreement=form.cleaned_data["agreement"],
        )
        messages.success(request, f"{committee.name} set up. Add its first meeting.")
        return redirect("employers:committee_detail", pk=committee.pk)
    return render(
        request,
        "employers/committee_form.html",
        {"form": form, "employer": employer, "crumbs": employer_crumbs(employer)},
    )


COMMITTEE_MEETING_COLUMNS = [  # the meetings as a file (core/exports.py); the minutes stay on each meeting's page
    Column("Date", lambda meeting: meeting.held_on),
    Column("Time", lambda meeting: meeting.starts_at.strftime("%H:%M") if meeting.starts_at else ""),
    Column("Where", lambda meeting: meeting.place),
    Column("Actions agreed", lambda meeting: meeting.action_count),
]


def committee_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Meetings newest first; the open actions with their owner, date and whether the employer sees them."""
    committee = scoping.get_committee_for_user(request.user, pk)
    meetings = committee.meetings.annotate(action_count=Count("actions")).order_by("-held_on", "-pk")
    fmt = export_format(request)
    if fmt:
        return export_response(
            request,
            name="learning committee meetings",
            columns=COMMITTEE_MEETING_COLUMNS,
            rows=meetings,
            fmt=fmt,
            filters={"committee": committee.pk},
        )
    today = timezone.localdate()
    return render(
        request,
        "employers/committee_detail.html",
        {
            "committee": committee,
            "employer": committee.employer,
            "page_obj": paginate(request, meetings),
            "actions": list(committees.open_actions(committee)),
            "last_meeting_on": committees.last_meeting_on(committee, today=today),
            "can_edit": scoping.may_work_with_employer(request.user, committee.employer),
            "today": today,
            "crumbs": employer_crumbs(committee.employer),
        },
    )


# Meetings ---------------------------------------------------------------------------------------


def _meeting_form(
    request: AuthenticatedRequest, committee: LearningCommittee, meeting: CommitteeMeeting
) -> HttpResponse:
    is_new = meeting.pk is None
    kwargs: dict[str, Any] = {"user": request.user, "committee": committee, "instance": meeting}
    # Enter in any field presses the first button, Search: with nothing to search for, it saves.
    if request.method == "POST" and FIND in request.POST and request.POST.get("find", "").strip():
        form = MeetingForm.after_search(request.POST, **kwargs)
    else:
        form = MeetingForm(request.POST or None, **kwargs)
        if request.method == "POST" and form.is_valid():
            saved = committees.meeting_save(
                acting_user=request.user,
                meeting=form.save(commit=False),
                union_side=form.cleaned_data["union_attendees"],
                employer_side=form.cleaned_data["employer_attendees"],
            )
            on = f"{saved.held_on.day} {saved.held_on:%B %Y}"
            messages.success(request, f"Meeting of {on} {'added' if is_new else 'saved'}.")
            return redirect("employers:meeting_detail", pk=saved.pk)
    return render(
        request,
        "employers/meeting_form.html",
        {
            "form": form,
            "committee": committee,
            "meeting": None if is_new else meeting,
            "find": FIND,
            "crumbs": committee_crumbs(committee) if is_new else meeting_crumbs(meeting),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    committee = scoping.get_committee_for_user(request.user, pk, for_change=True)
    return _meeting_form(request, committee, CommitteeMeeting(committee=committee))


@require_http_methods(["GET", "POST"])
def meeting_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = scoping.get_committee_meeting_for_user(request.user, pk, for_change=True)
    return _meeting_form(request, meeting.committee, meeting)


def _meeting_page(
    request: AuthenticatedRequest, meeting: CommitteeMeeting, action_form: ActionForm | None = None
) -> HttpResponse:
    can_edit = scoping.may_work_with_employer(request.user, meeting.committee.employer)
    if can_edit and action_form is None:
        action_form = ActionForm(
            prefix="action", meeting=meeting, user=request.user, instance=CommitteeAction(meeting=meeting)
        )
    return render(
        request,
        "employers/meeting_detail.html",
        {
            "meeting": meeting,
            "committee": meeting.committee,
            "union_side": list(meeting.union_attendees.select_related("workplace").order_by("last_name", "first_name")),
            "employer_side": list(meeting.employer_attendees.order_by("name")),
            "actions": list(
                meeting.actions.select_related("owner_person", "owner_contact").order_by("status", "due_on", "pk")
            ),
            "action_form": action_form if can_edit else None,
            "can_edit": can_edit,
            "today": timezone.localdate(),
            "crumbs": committee_crumbs(meeting.committee),
        },
    )


def meeting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _meeting_page(request, scoping.get_committee_meeting_for_user(request.user, pk))


# Actions ----------------------------------------------------------------------------------------


@require_POST
def action_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = scoping.get_committee_meeting_for_user(request.user, pk, for_change=True)
    form = ActionForm(
        request.POST, prefix="action", meeting=meeting, user=request.user, instance=CommitteeAction(meeting=meeting)
    )
    if not form.is_valid():
        return _meeting_page(request, meeting, form)
    action = committees.action_save(
        acting_user=request.user, action=form.save(commit=False), today=timezone.localdate()
    )
    messages.success(
        request,
        f"Action added: “{action.description}”. Share it with the employer from the list if they should see it.",
    )
    return redirect(reverse("employers:meeting_detail", args=[meeting.pk]) + "#actions")


@require_http_methods(["GET", "POST"])
def action_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    action = scoping.get_committee_action_for_user(request.user, pk, for_change=True)
    meeting = action.meeting
    form = ActionForm(request.POST or None, meeting=meeting, user=request.user, instance=action)
    if request.method == "POST" and form.is_valid():
        try:
            committees.action_save(acting_user=request.user, action=form.save(commit=False), today=timezone.localdate())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Action saved: “{action.description}”.")
            return redirect(reverse("employers:meeting_detail", args=[meeting.pk]) + "#actions")
    return render(
        request,
        "employers/action_form.html",
        {"form": form, "action": action, "meeting": meeting, "crumbs": meeting_crumbs(meeting)},
    )


@require_http_methods(["GET", "POST"])
def action_share(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask, then share an action with the employer's contacts (or stop sharing it)."""
    action = scoping.get_committee_action_for_user(request.user, pk, for_change=True)
    form = ShareForm(request.POST or None, initial={"share": "no" if action.is_shared else "yes"})
    if request.method == "POST" and form.is_valid():
        share = form.cleaned_data["share"]
        sharing.action_share(acting_user=request.user, action=action, share=share)
        employer = action.meeting.committee.employer
        messages.success(
            request,
            f"“{action.description}” is now shared with {employer.name}’s contacts."
            if share
            else f"{employer.name}’s contacts no longer see “{action.description}”.",
        )
        return redirect(reverse("employers:meeting_detail", args=[action.meeting_id]) + "#actions")
    sharing.name_owners_for_employer([action], today=timezone.localdate())
    return render(
        request,
        "employers/action_share.html",
        {
            "form": form,
            "action": action,
            "employer": action.meeting.committee.employer,
            "crumbs": meeting_crumbs(action.meeting),
        },
        status=400 if form.is_bound else 200,
    )


# Survey findings shared with the employer -------------------------------------------------------


@require_http_methods(["GET", "POST"])
def finding_share(request: AuthenticatedRequest, employer_pk: int) -> HttpResponse:
    """Choose a survey and share its findings report with the employer: the PDF is made now and kept."""
    employer = scoping.get_workable_employer_for_user(request.user, employer_pk)
    surveys = sharing.shareable_surveys(scoping.visible_surveys(request.user))
    form = FindingShareForm(request.POST or None, surveys=surveys)
    if request.method == "POST" and form.is_valid():
        try:
            finding = sharing.finding_share(
                acting_user=request.user,
                employer=employer,
                survey=form.cleaned_data["survey"],
                title=form.share_title(),
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{finding.title}” shared with {employer.name}’s contacts.")
            return redirect("employers:finding_share", employer_pk=employer.pk)
    shared = (
        scoping.visible_shared_findings(request.user).filter(employer=employer).order_by("withdrawn_at", "-shared_at")
    )
    return render(
        request,
        "employers/finding_share.html",
        {
            "form": form,
            "employer": employer,
            "has_surveys": surveys.exists(),
            "page_obj": paginate(request, shared.select_related("shared_by")),
            "crumbs": employer_crumbs(employer),
        },
    )


@require_GET
def finding_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    finding = scoping.get_shared_finding_for_user(request.user, pk)
    with finding.pdf.open("rb") as file:
        return pdf_response(file.read(), sharing.finding_file_name(finding))


@require_http_methods(["GET", "POST"])
def finding_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask, then stop sharing a findings report: the employer's contacts no longer see it."""
    finding = scoping.get_shared_finding_for_user(request.user, pk, for_change=True)
    if finding.withdrawn_at is not None:
        messages.info(request, f"“{finding.title}” was already withdrawn.")
        return redirect("employers:finding_share", employer_pk=finding.employer_id)
    if request.method == "POST":
        sharing.finding_withdraw(acting_user=request.user, finding=finding)
        messages.success(request, f"“{finding.title}” withdrawn: {finding.employer.name}’s contacts no longer see it.")
        return redirect("employers:finding_share", employer_pk=finding.employer_id)
    return render(
        request,
        "employers/finding_withdraw.html",
        {"finding": finding, "employer": finding.employer, "crumbs": employer_crumbs(finding.employer)},
    )


urlpatterns: list[URLPattern] = [
    path("<int:employer_pk>/committees/add/", committee_add, name="committee_add"),
    path("committees/<int:pk>/", committee_detail, name="committee_detail"),
    path("committees/<int:pk>/meetings/add/", meeting_add, name="meeting_add"),
    path("committees/meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("committees/meetings/<int:pk>/edit/", meeting_edit, name="meeting_edit"),
    path("committees/meetings/<int:pk>/actions/add/", action_add, name="action_add"),
    path("committees/actions/<int:pk>/edit/", action_edit, name="action_edit"),
    path("committees/actions/<int:pk>/share/", action_share, name="action_share"),
    path("<int:employer_pk>/findings/share/", finding_share, name="finding_share"),
    path("findings/<int:pk>/pdf/", finding_pdf, name="finding_pdf"),
    path("findings/<int:pk>/withdraw/", finding_withdraw, name="finding_withdraw"),
]
