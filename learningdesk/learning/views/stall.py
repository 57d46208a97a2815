"""Stall mode (a rep signs people up in a row on their phone) and the printable A4 poster of an activity."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.pdf import pdf_response, render_pdf
from learningdesk.learning import calendar, qr, selectors
from learningdesk.learning.forms.signup import SignUpForm
from learningdesk.learning.models import Activity, SignUp
from learningdesk.learning.signups import SessionClosed, check_open
from learningdesk.learning.views.public import session_line, try_sign_up
from learningdesk.org import scoping

# A poster has room for this many dates; more say "and more dates online".
POSTER_DATES = 5


def stall_crumbs(activity: Activity) -> list[tuple[str, str | None]]:
    """Back to the activity's own page (the activities area's), if it is there, then this page."""
    try:
        crumbs: list[tuple[str, str | None]] = [
            ("Learning", reverse("learning:activities")),
            (activity.title, reverse("learning:activity_detail", args=[activity.pk])),
        ]
    except NoReverseMatch:
        crumbs = []
    return [*crumbs, ("Stall sign-up", None)] if crumbs else []


@require_http_methods(["GET", "POST"])
def stall(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The sign-up form, big and plain, that comes back empty after each person: sign up a queue in a row."""
    session = scoping.get_session_for_user(request.user, pk, to_run=True)
    activity = session.activity
    closed = ""
    try:
        check_open(session)
    except SessionClosed as error:
        closed = str(error)
    form = SignUpForm(
        request.POST if request.method == "POST" and not closed else None,
        workplaces=selectors.workplace_choices(activity.unit),
    )
    if form.is_bound and form.is_valid():
        record = try_sign_up(form, session, source=SignUp.Source.STALL, acting_user=request.user)
        if record is not None:
            messages.success(request, f"Signed up: {record.given_name} ({record.get_status_display().lower()})")
            return redirect(reverse("learning:stall", args=[session.pk]))
    session.refresh_from_db(fields=["taken", "capacity"])
    return render(
        request,
        "learning/stall/stall.html",
        {
            "session": session,
            "line": session_line(session, activity.unit.code.lower()),
            "activity": activity,
            "form": form,
            "closed": closed,
            "crumbs": stall_crumbs(activity),
            "today_count": selectors.signed_up_today(session, source=SignUp.Source.STALL),
        },
    )


@require_GET
def poster(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An A4 poster for the activity: title, a line about it, the coming dates, and a QR code to sign up."""
    activity = scoping.get_activity_for_user(request.user, pk)
    code = activity.unit.code.lower()
    upcoming = list(selectors.upcoming_sessions().filter(activity=activity)[: POSTER_DATES + 1])
    url = calendar.absolute(reverse("learn:activity", kwargs={"code": code, "pk": activity.pk}))
    description = activity.description.strip().splitlines()
    pdf = render_pdf(
        "learning/stall/poster.pdf.html",
        {
            "activity": activity,
            "summary": description[0] if description else "",
            "sessions": [session_line(session, code) for session in upcoming[:POSTER_DATES]],
            "more_dates": len(upcoming) > POSTER_DATES,
            "qr_svg": qr.qr_svg_inline(url, size_mm=72),
            "short_url": url.split("://", 1)[-1],
            "draft": not activity.is_published,
            "printed_on": timezone.localdate(),
        },
    )
    return pdf_response(pdf, f"poster-{activity.pk}.pdf")


urlpatterns: list[URLPattern] = [
    path("sessions/<int:pk>/stall/", stall, name="stall"),
    path("activities/<int:pk>/poster.pdf", poster, name="poster"),
]
public_urlpatterns: list[URLPattern] = []
