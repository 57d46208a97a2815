"""After signing up: the learner's own page from their email link (no login) to cancel, change session,
accept or decline an offer and download the .ics; and an organiser cancelling someone's place.

The learner's pages find the sign-up only through its signed token, so nobody reaches another person's
sign-up by changing a number in the address; a tampered link gets a friendly "not valid" page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from learningdesk.accounts.models import AuditEvent
from learningdesk.accounts.services import audit_record
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.learning import emails, signups, tokens
from learningdesk.learning.forms.manage import ChangeSessionForm
from learningdesk.learning.models import Session, SignUp
from learningdesk.org import scoping

# The statuses a learner can still cancel or change (attendance is the organiser's to record).
CHANGEABLE = (SignUp.Status.CONFIRMED, SignUp.Status.WAITLISTED, SignUp.Status.OFFERED)

LearnerView = Callable[[HttpRequest, SignUp, str], HttpResponse]


def _sign_up_for_token(token: str) -> SignUp | None:
    pk = tokens.read(tokens.SIGN_UP, token)
    if pk is None:
        return None
    return (
        SignUp.objects.select_related(
            "person", "session__activity__unit", "session__workplace", "session__room__centre"
        )
        .filter(pk=pk)
        .first()
    )


def from_link(view: LearnerView) -> Callable[[HttpRequest, str], HttpResponse]:
    """Find the sign-up the link was made for, or answer the "not valid" page (404)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        record = _sign_up_for_token(token)
        if record is None:
            return render(request, "learning/manage/invalid_link.html", status=404)
        return view(request, record, token)

    return wrapper


def _manage(token: str) -> HttpResponse:
    return redirect("learn:manage", token=token)


def other_sessions(record: SignUp) -> QuerySet[Session]:
    """Upcoming sessions of the same activity, open for sign-up, that the learner could change to."""
    return (
        Session.objects.filter(activity_id=record.session.activity_id, is_cancelled=False, starts_at__gt=timezone.now())
        .exclude(pk=record.session_id)
        .select_related("workplace", "room__centre")
        .order_by("starts_at", "pk")
    )


def _can_change(record: SignUp) -> bool:
    return record.status in CHANGEABLE and not record.session.has_started and not record.session.is_cancelled


def _offer_open(record: SignUp) -> bool:
    return record.status == SignUp.Status.OFFERED and (
        record.offer_expires_at is None or record.offer_expires_at > timezone.now()
    )


def _activity_page(record: SignUp) -> str:
    """The public page of the activity, to sign up again ('' once it is no longer published)."""
    activity = record.session.activity
    if not activity.is_published:
        return ""
    return reverse("learn:activity", kwargs={"code": activity.unit.code.lower(), "pk": activity.pk})


def _page_context(record: SignUp, token: str) -> dict:
    session = record.session
    return {
        "activity_url": _activity_page(record),
        "sign_up": record,
        "session": session,
        "activity": session.activity,
        "token": token,
        "when": emails.session_when(session),
        "show_online_link": record.status == SignUp.Status.CONFIRMED and bool(session.online_url),
        "can_change": _can_change(record),
        "offer_open": _offer_open(record),
        "deadline": emails.offer_deadline(record),
        "position": emails.waiting_list_position(record) if record.status == SignUp.Status.WAITLISTED else None,
        "has_other_sessions": _can_change(record) and other_sessions(record).exists(),
    }


# The learner's pages ----------------------------------------------------------------------------------


@login_not_required
@never_cache
@require_http_methods(["GET"])
@from_link
def manage(request: HttpRequest, record: SignUp, token: str) -> HttpResponse:
    """The learner's sign-up: when and where, its status, and what they can do about it."""
    return render(request, "learning/manage/sign_up.html", _page_context(record, token))


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
@from_link
def manage_cancel(request: HttpRequest, record: SignUp, token: str) -> HttpResponse:
    """Cancel my place (or leave the waiting list): a confirmation page, then POST."""
    if not _can_change(record):
        return _manage(token)
    if request.method == "POST":
        try:
            signups.cancel(record)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Your sign-up is cancelled. Thank you for letting us know.")
        return _manage(token)
    return render(request, "learning/manage/cancel.html", _page_context(record, token))


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
@from_link
def manage_change(request: HttpRequest, record: SignUp, token: str) -> HttpResponse:
    """Change to another upcoming session of the same activity: a place there, or its waiting list."""
    if not _can_change(record):
        return _manage(token)
    form = ChangeSessionForm(request.POST if request.method == "POST" else None, sessions=other_sessions(record))
    if request.method == "POST" and form.is_valid():
        try:
            moved = signups.move(record, to=form.cleaned_data["session"])
        except signups.DuplicateSignUp:
            form.add_error("session", "You are already signed up for that session: choose another.")
        except signups.SessionClosed as error:
            form.add_error("session", str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if moved.status == SignUp.Status.CONFIRMED:
                messages.success(request, "You have changed session: your new place is confirmed.")
            else:
                messages.success(request, "You have changed session: you are on its waiting list.")
            return _manage(tokens.make(tokens.SIGN_UP, moved.pk))
    context = _page_context(record, token) | {"form": form}
    return render(request, "learning/manage/change.html", context)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
@from_link
def manage_accept(request: HttpRequest, record: SignUp, token: str) -> HttpResponse:
    """Take the place offered from the waiting list (the button is on the sign-up page)."""
    if request.method == "POST":
        try:
            signups.accept_offer(record)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Your place is confirmed. We have emailed you the details.")
    return _manage(token)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
@from_link
def manage_decline(request: HttpRequest, record: SignUp, token: str) -> HttpResponse:
    """Turn down the place offered: it goes to the next person on the waiting list."""
    if request.method == "POST":
        if record.status != SignUp.Status.OFFERED:
            messages.error(request, "This offer is no longer open.")
        else:
            try:
                signups.cancel(record)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "You have declined the place. Thank you for letting us know.")
    return _manage(token)


@login_not_required
@never_cache
@require_http_methods(["GET"])
@from_link
def manage_ics(request: HttpRequest, record: SignUp, token: str) -> HttpResponse:
    """The session as a calendar file (with the online link once the place is confirmed)."""
    response = HttpResponse(emails.sign_up_ics(record), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{emails.ics_filename(record.session)}"'
    return response


# The organiser ----------------------------------------------------------------------------------------


def _back_to(request: HttpRequest, record: SignUp) -> str:
    """Where the organiser came from (a safe `next`), else the activity's page."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("learning:activity_detail", args=[record.session.activity_id])


@require_http_methods(["GET", "POST"])
def sign_up_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Cancel someone's place (or their place on the waiting list): a confirmation page, then POST.
    The next person on the waiting list is offered the place, and the learner is told by email."""
    record = scoping.get_sign_up_for_user(request.user, pk, to_run=True)
    back = _back_to(request, record)
    if record.status not in CHANGEABLE:
        messages.error(request, f"This sign-up cannot be cancelled: it is {record.get_status_display().lower()}.")
        return redirect(back)
    if request.method == "POST":
        try:
            with transaction.atomic():
                cancelled = signups.cancel(record, acting_user=request.user)
                audit_record(
                    actor=request.user,
                    action=AuditEvent.Action.CHANGED,
                    target=cancelled,
                    unit_id=record.session.activity.unit_id,
                    changes={"fields": ["status"], "status": cancelled.status},
                )
                transaction.on_commit(functools.partial(emails.send_place_cancelled, cancelled.pk))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        messages.success(request, f"{record.given_name or record.person.full_name}'s sign-up is cancelled.")
        return redirect(back)
    activity = record.session.activity
    return render(
        request,
        "learning/manage/staff_cancel.html",
        {
            "sign_up": record,
            "session": record.session,
            "activity": activity,
            "when": emails.session_when(record.session),
            "back": back,
            "crumbs": [
                ("Learning", reverse("learning:activities")),
                (activity.title, reverse("learning:activity_detail", args=[activity.pk])),
                ("Cancel a sign-up", None),
            ],
        },
    )


public_urlpatterns: list[URLPattern] = [  # under /learn/, namespace "learn" (no login)
    path("sign-ups/<str:token>/", manage, name="manage"),
    path("sign-ups/<str:token>/cancel/", manage_cancel, name="manage_cancel"),
    path("sign-ups/<str:token>/change/", manage_change, name="manage_change"),
    path("sign-ups/<str:token>/accept/", manage_accept, name="manage_accept"),
    path("sign-ups/<str:token>/decline/", manage_decline, name="manage_decline"),
    path("sign-ups/<str:token>/calendar.ics", manage_ics, name="manage_ics"),
]
urlpatterns: list[URLPattern] = [  # under /learning/, namespace "learning" (signed in)
    path("sign-ups/<int:pk>/cancel/", sign_up_cancel, name="sign_up_cancel"),
]
