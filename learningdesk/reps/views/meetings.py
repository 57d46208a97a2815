"""ULR meetings: schedule, invite (email with .ics), attendance, notes and actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.pagination import paginate
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit
from learningdesk.reps import meetings
from learningdesk.reps.forms.meetings import (
    AttendanceForm,
    InviteForm,
    MeetingActionForm,
    MeetingEditForm,
    MeetingForm,
)
from learningdesk.reps.models import MeetingInvite, RepMeeting


def meetings_crumbs(meeting: RepMeeting | None = None) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [("ULR meetings", reverse("reps:meetings"))]
    if meeting is not None:
        crumbs.append((meeting.title, reverse("reps:meeting_detail", args=[meeting.pk])))
    return crumbs


def _count(invites: Q | None = None) -> Coalesce:
    """Invitations of each meeting (a subquery, so the scoping's join on invitations cannot multiply it)."""
    matching = MeetingInvite.objects.filter(meeting=OuterRef("pk"))
    if invites is not None:
        matching = matching.filter(invites)
    return Coalesce(Subquery(matching.values("meeting").annotate(n=Count("pk")).values("n")[:1]), 0)


SHOW = {"upcoming": "Upcoming", "past": "Past"}
MEETING_COLUMNS = [  # the list as a file (core/exports.py)
    Column("Meeting", lambda meeting: meeting.title),
    Column("Unit", lambda meeting: meeting.unit.name),
    Column("Starts", lambda meeting: meeting.starts_at),
    Column("Ends", lambda meeting: meeting.ends_at),
    Column("Where", lambda meeting: meeting.location),
    Column("Online link", lambda meeting: meeting.online_link),
    Column("Invited", lambda meeting: meeting.invited),
    Column("Came", lambda meeting: meeting.attended),
]


def meeting_list(request: AuthenticatedRequest) -> HttpResponse:
    show = request.GET.get("show", "upcoming")
    show = show if show in SHOW else "upcoming"
    now = timezone.now()
    found = scoping.visible_rep_meetings(request.user).annotate(
        invited=_count(), attended=_count(Q(attendance=MeetingInvite.Attendance.ATTENDED))
    )
    if show == "upcoming":
        found = found.filter(ends_at__gte=now).order_by("starts_at", "pk")
    else:
        found = found.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    fmt = export_format(request)
    if fmt:
        return export_response(request, name="rep meetings", columns=MEETING_COLUMNS, rows=found, fmt=fmt)
    return render(
        request,
        "reps/meetings/meeting_list.html",
        {
            "page_obj": paginate(request, found),
            "show": show,
            "tabs": SHOW,
            "can_add": scoping.may_manage_reps(request.user),
        },
    )


def _default_unit(request: AuthenticatedRequest, units: Any) -> OrgUnit | None:
    """The user's own branch if they may call its meetings, else the unit of their first editing role."""
    person = request.user.person
    if person is not None:
        own = units.filter(pk=person.branch_id).first()
        if own is not None:
            return own
    return units.filter(path__in=scoping.get_scope(request.user).edit).order_by("path").first()


@require_http_methods(["GET", "POST"])
def meeting_add(request: AuthenticatedRequest) -> HttpResponse:
    units = scoping.editable_units(request.user).order_by("path")
    if not units.exists():
        raise Http404
    form = MeetingForm(request.POST or None, units=units, initial={"unit": _default_unit(request, units)})
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data.get("unit") or units[0]
        meeting = meetings.meeting_add(acting_user=request.user, unit=unit, data=form.meeting_data())
        on = date_format(timezone.localtime(meeting.starts_at), "j F Y")
        messages.success(request, f"{meeting.title} on {on} added. Now invite the reps.")
        return redirect("reps:meeting_invite", pk=meeting.pk)
    return render(
        request, "reps/meetings/meeting_form.html", {"form": form, "meeting": None, "crumbs": meetings_crumbs()}
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = scoping.get_rep_meeting_for_user(request.user, pk, for_change=True)
    form = MeetingEditForm(request.POST or None, units=OrgUnit.objects.none(), meeting=meeting)
    if request.method == "POST" and form.is_valid():
        meetings.meeting_update(acting_user=request.user, meeting=meeting, data=form.meeting_data())
        messages.success(request, f"{meeting.title} saved.")
        return redirect("reps:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "reps/meetings/meeting_form.html",
        {"form": form, "meeting": meeting, "crumbs": meetings_crumbs(meeting)},
    )


def _invites(meeting: RepMeeting) -> list[MeetingInvite]:
    return list(
        meeting.invites.select_related("rep__person", "rep__kind").order_by(
            "rep__person__last_name", "rep__person__first_name", "pk"
        )
    )


def _detail(
    request: AuthenticatedRequest, meeting: RepMeeting, action_form: MeetingActionForm | None = None
) -> HttpResponse:
    can_edit = scoping.editable_rep_meetings(request.user).filter(pk=meeting.pk).exists()
    invites = _invites(meeting)
    if can_edit and action_form is None:
        action_form = MeetingActionForm(reps=[invite.rep for invite in invites], prefix="action")
    actions = list(meeting.actions.select_related("owner", "rep__person").order_by("done_on", "due_on", "pk"))
    tickable = set(
        scoping.changeable_actions(request.user).filter(pk__in=[a.pk for a in actions]).values_list("pk", flat=True)
    )
    for action in actions:
        action.can_tick = action.pk in tickable  # type: ignore[attr-defined]
    counts = {value: 0 for value in MeetingInvite.Attendance.values}
    for invite in invites:
        counts[invite.attendance] += 1
    return render(
        request,
        "reps/meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "invites": invites,
            "counts": counts,
            "actions": actions,
            "action_form": action_form,
            "can_edit": can_edit,
            "is_past": meeting.starts_at < timezone.now(),
            "today": timezone.localdate(),
            "crumbs": meetings_crumbs(),
        },
    )


def meeting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail(request, scoping.get_rep_meeting_for_user(request.user, pk))


@require_POST
def meeting_action_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = scoping.get_rep_meeting_for_user(request.user, pk, for_change=True)
    form = MeetingActionForm(request.POST, reps=[invite.rep for invite in _invites(meeting)], prefix="action")
    if not form.is_valid():
        return _detail(request, meeting, form)
    action = meetings.meeting_action_add(acting_user=request.user, meeting=meeting, **form.action_data())
    messages.success(request, f"Action added: “{action.description}”.")
    return redirect(reverse("reps:meeting_detail", args=[meeting.pk]) + "#actions")


@require_http_methods(["GET", "POST"])
def meeting_invite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Choose reps to invite; each with an email address gets the agenda and a calendar invitation."""
    meeting = scoping.get_rep_meeting_for_user(request.user, pk, for_change=True)
    reps = meetings.invitable_reps(meeting).filter(pk__in=scoping.editable_reps(request.user).values("pk"))
    invited = set(meeting.invites.values_list("rep_id", flat=True))
    choices = list(reps)
    initial = [rep.pk for rep in choices if meetings.is_current_rep(rep) or rep.pk in invited]
    form = InviteForm(request.POST if request.method == "POST" else None, reps=reps, initial={"reps": initial})
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["reps"])
        site_url = f"{request.scheme}://{request.get_host()}"
        meetings.meeting_invite(acting_user=request.user, meeting=meeting, reps=chosen, site_url=site_url)
        no_email = [rep.person.full_name for rep in chosen if not rep.person.email]
        emailed = len(chosen) - len(no_email)
        messages.success(
            request,
            f"{len(chosen)} rep{'s' if len(chosen) != 1 else ''} invited"
            + (f"; {emailed} invitation{'s' if emailed != 1 else ''} emailed." if emailed else ".")
            + (f" No email address for {', '.join(no_email)}: please tell them yourself." if no_email else ""),
        )
        return redirect("reps:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "reps/meetings/meeting_invite.html",
        {
            "form": form,
            "meeting": meeting,
            "has_reps": bool(choices),
            "invited": invited,
            "crumbs": meetings_crumbs(meeting),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_attendance(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = scoping.get_rep_meeting_for_user(request.user, pk, for_change=True)
    invites = _invites(meeting)
    form = AttendanceForm(request.POST if request.method == "POST" else None, invites=invites)
    if request.method == "POST" and form.is_valid():
        meetings.attendance_record(acting_user=request.user, meeting=meeting, attendance=form.attendance())
        messages.success(request, "Attendance saved.")
        return redirect("reps:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "reps/meetings/meeting_attendance.html",
        {"form": form, "meeting": meeting, "crumbs": meetings_crumbs(meeting)},
    )


@require_GET
def meeting_ics(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The meeting as a calendar file, to add to any calendar."""
    meeting = scoping.get_rep_meeting_for_user(request.user, pk)
    url = request.build_absolute_uri(reverse("reps:meeting_detail", args=[meeting.pk]))
    body = meetings.meeting_ics(meeting, organiser=meetings.organiser_for(meeting, None), url=url)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{meetings.ics_filename(meeting)}"'
    return response


urlpatterns: list[URLPattern] = [
    path("meetings/", meeting_list, name="meetings"),
    path("meetings/add/", meeting_add, name="meeting_add"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/invite/", meeting_invite, name="meeting_invite"),
    path("meetings/<int:pk>/attendance/", meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/actions/add/", meeting_action_add, name="meeting_action_add"),
    path("meetings/<int:pk>/meeting.ics", meeting_ics, name="meeting_ics"),
]
