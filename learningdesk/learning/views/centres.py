"""Learning centres: the list, a centre's page with its rooms, bookings and usage, and adding and changing
centres and rooms (co-ordinators of the centre's unit). A centre closes by setting the date it closed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.learning import centres, records
from learningdesk.learning.forms.centres import CentreForm, RoomForm
from learningdesk.learning.models import LearningCentre, Room
from learningdesk.org import scoping
from learningdesk.reps import charts


def centre_crumbs(centre: LearningCentre | None = None, here: str | None = None) -> Crumbs:
    crumbs: Crumbs = [("Learning centres", reverse("learning:centres"))]
    if centre is not None:
        crumbs.append((centre.name, reverse("learning:centre_detail", args=[centre.pk])))
    return [*crumbs, (here, None)] if here else crumbs


def _changed(form: CentreForm | RoomForm) -> list[str]:
    return sorted(form.changed_data)


CENTRE_COLUMNS = [  # the list as a file (core/exports.py)
    Column("Learning centre", lambda centre: centre.name),
    Column("Unit", lambda centre: centre.unit.name),
    Column("Workplace", lambda centre: centre.workplace.name if centre.workplace else ""),
    Column("Address", lambda centre: centre.address),
    Column("Opening hours", lambda centre: centre.opening_hours),
    Column("Equipment", lambda centre: centre.equipment),
    Column("Rooms", lambda centre: centre.room_count),
    Column("Opened on", lambda centre: centre.opened_on),
    Column("Closed on", lambda centre: centre.closed_on),
]


@require_GET
def centre_list(request: AuthenticatedRequest) -> HttpResponse:
    """The learning centres the user can see, by name, each marked open or closed."""
    today = timezone.localdate()
    centres_qs = scoping.visible_centres(request.user).annotate(room_count=Count("rooms")).order_by("name", "pk")
    fmt = export_format(request)
    if fmt:
        return export_response(request, name="learning centres", columns=CENTRE_COLUMNS, rows=centres_qs, fmt=fmt)
    page = paginate(request, centres_qs)
    return render(
        request,
        "learning/centres/centre_list.html",
        {
            "page_obj": page,
            "today": today,
            "can_add": scoping.units_for_activities(request.user).exists(),
            "crumbs": [("Learning centres", None)],
        },
    )


def _save_centre(request: AuthenticatedRequest, form: CentreForm) -> LearningCentre | None:
    try:
        return centres.centre_save(form.instance, acting_user=request.user, fields=_changed(form))
    except ValidationError as error:
        add_service_errors(form, error)
        return None


@require_http_methods(["GET", "POST"])
def centre_add(request: AuthenticatedRequest) -> HttpResponse:
    if not scoping.units_for_activities(request.user).exists():
        raise PermissionDenied
    form = CentreForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        centre = _save_centre(request, form)
        if centre is not None:
            messages.success(request, f"{centre.name} added. Now add its rooms, so sessions can book them.")
            return redirect("learning:centre_detail", pk=centre.pk)
    return render(request, "learning/centres/centre_form.html", {"form": form, "crumbs": centre_crumbs(here="Add")})


@require_http_methods(["GET", "POST"])
def centre_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    centre = scoping.get_centre_for_user(request.user, pk, for_change=True)
    form = CentreForm(request.POST or None, instance=centre, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save_centre(request, form)
        if saved is not None:
            messages.success(request, f"{saved.name} saved.")
            return redirect("learning:centre_detail", pk=saved.pk)
    return render(
        request,
        "learning/centres/centre_form.html",
        {"form": form, "centre": centre, "crumbs": centre_crumbs(centre, "Change")},
    )


@require_GET
def centre_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A centre: where and when it is open, its rooms, the sessions booked in them and its usage."""
    centre = scoping.get_centre_for_user(request.user, pk)
    bookings = list(centres.upcoming_bookings(centre))
    # Sessions of activities the user cannot see show only as "booked", so rooms can still be planned.
    visible = set(
        scoping.visible_sessions(request.user).filter(pk__in=[s.pk for s in bookings]).values_list("pk", flat=True)
    )
    usage = centres.usage_by_month(centre)
    return render(
        request,
        "learning/centres/centre_detail.html",
        {
            "centre": centre,
            "is_open": centre.is_open_on(timezone.localdate()),
            "rooms": list(centre.rooms.all()),
            "bookings": [(session, records.when(session), session.pk in visible) for session in bookings],
            "usage": usage,
            "usage_total": {
                "sessions": sum(month.sessions for month in usage),
                "hours": sum(month.hours for month in usage),
            },
            "chart": charts.bar_chart(
                chart_id="centre-usage",
                title=f"Learners per month at {centre.name}, the last 12 months",
                bars=[(month.label, month.learners) for month in usage],
                unit="learners",
            ),
            "can_edit": scoping.editable_centres(request.user).filter(pk=centre.pk).exists(),
            "crumbs": centre_crumbs(centre),
        },
    )


# Rooms ------------------------------------------------------------------------------------------


def _save_room(request: AuthenticatedRequest, form: RoomForm) -> Room | None:
    try:
        return centres.room_save(form.instance, acting_user=request.user, fields=_changed(form))
    except ValidationError as error:
        add_service_errors(form, error)
        return None


@require_http_methods(["GET", "POST"])
def room_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    centre = scoping.get_centre_for_user(request.user, pk, for_change=True)
    form = RoomForm(request.POST or None, instance=Room(centre=centre))
    if request.method == "POST" and form.is_valid():
        room = _save_room(request, form)
        if room is not None:
            messages.success(request, f"{room.name} added to {centre.name}.")
            return redirect("learning:centre_detail", pk=centre.pk)
    return render(
        request,
        "learning/centres/room_form.html",
        {"form": form, "centre": centre, "crumbs": centre_crumbs(centre, "Add a room")},
    )


@require_http_methods(["GET", "POST"])
def room_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    room = scoping.get_room_for_user(request.user, pk)
    centre, name = room.centre, room.name
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        saved = _save_room(request, form)
        if saved is not None:
            messages.success(request, f"{saved.name} saved.")
            return redirect("learning:centre_detail", pk=centre.pk)
    return render(
        request,
        "learning/centres/room_form.html",
        {"form": form, "centre": centre, "room_name": name, "crumbs": centre_crumbs(centre, f"Change {name}")},
    )


urlpatterns: list[URLPattern] = [  # under /learning/, namespace "learning" (signed in)
    path("centres/", centre_list, name="centres"),
    path("centres/add/", centre_add, name="centre_add"),
    path("centres/<int:pk>/", centre_detail, name="centre_detail"),
    path("centres/<int:pk>/edit/", centre_edit, name="centre_edit"),
    path("centres/<int:pk>/rooms/add/", room_add, name="room_add"),
    path("rooms/<int:pk>/edit/", room_edit, name="room_edit"),
]
public_urlpatterns: list[URLPattern] = []  # under /learn/, namespace "learn" (no login)
