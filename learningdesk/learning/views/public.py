"""The public learning pages under /learn/<unit code>/: no login, readable on a phone, fast.

They show published activities only, and never anything about a person: a sign-up that matches someone
already known answers exactly as one that creates a new contact. Online links are never shown here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.core import ratelimit
from learningdesk.core.pagination import paginate
from learningdesk.learning import calendar, qr, selectors, signups, tokens
from learningdesk.learning.forms.signup import PublicSignUpForm, SignUpForm
from learningdesk.learning.models import Activity, Session, SignUp
from learningdesk.learning.selectors import PublicUnit

# At most this many sign-ups from one address in the window: a stall's shared phone signs up a queue of
# people, a script signing up hundreds is stopped.
SIGN_UPS_PER_ADDRESS = 20
RATE_WINDOW_SECONDS = 10 * 60
QR_MAX_AGE = 24 * 3600
# Names of types, subjects, providers and places are the only things on an activity page the fingerprint does
# not cover: a rename shows within this time.
ACTIVITY_CACHE_SECONDS = 60
CALENDAR_MAX_AGE = 15 * 60


# What the pages say about a session --------------------------------------------------------------


def session_when(session: Session) -> str:
    """'Tue 1 Dec 2026, 12:30 to 13:30' in the organiser's zone (both dates if it runs past midnight)."""
    start, end = session.local_start, session.local_end
    day = f"{start:%a} {start.day} {start:%b %Y}"
    if end.date() == start.date():
        return f"{day}, {start:%H:%M} to {end:%H:%M}"
    return f"{day}, {start:%H:%M} to {end:%a} {end.day} {end:%b %Y}, {end:%H:%M}"


def places_text(session: Session) -> str:
    if session.is_full:
        return "Full: join the waiting list"
    left = session.places_left
    return f"{left} place{'' if left == 1 else 's'} left"


@dataclass(frozen=True)
class SessionLine:
    """A session as the public pages show it (never its online link)."""

    pk: int
    when: str
    starts_iso: str
    time_zone: str
    is_online: bool
    place: str
    places: str
    is_full: bool
    sign_up_url: str


def session_line(session: Session, code: str) -> SessionLine:
    return SessionLine(
        pk=session.pk,
        when=session_when(session),
        starts_iso=session.starts_at.isoformat(),
        time_zone=session.time_zone,
        is_online=session.is_online,
        place=session.place,
        places=places_text(session),
        is_full=session.is_full,
        sign_up_url=reverse("learn:sign_up", kwargs={"code": code, "session_pk": session.pk}),
    )


def unit_links(unit: PublicUnit) -> dict[str, str]:
    """The unit page's own links: its feed, its QR code, and its resources if that page exists."""
    code = unit.code.lower()
    links = {
        "unit_url": reverse("learn:unit", kwargs={"code": code}),
        "calendar_url": reverse("learn:calendar", kwargs={"code": code}),
        "qr_url": reverse("learn:unit_qr", kwargs={"code": code}),
    }
    try:
        links["resources_url"] = reverse("learn:resources", kwargs={"code": code})
    except NoReverseMatch:  # the resources area is not there (yet)
        links["resources_url"] = ""
    return links


def activity_crumbs(unit: PublicUnit, activity: Activity | None = None) -> list[tuple[str, str | None]]:
    code = unit.code.lower()
    crumbs: list[tuple[str, str | None]] = [(f"Learning in {unit.name}", reverse("learn:unit", kwargs={"code": code}))]
    if activity is not None:
        crumbs.append((activity.title, reverse("learn:activity", kwargs={"code": code, "pk": activity.pk})))
    return crumbs


# The pages -----------------------------------------------------------------------------------------


@login_not_required
@require_GET
def unit_page(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's published learning with upcoming dates (its own and its branches'), the soonest first."""
    unit = selectors.public_unit(code)
    page = paginate(request, selectors.unit_activities(unit))
    lower = unit.code.lower()
    rows = []
    for activity in page.object_list:
        upcoming: list[Session] = activity.upcoming  # type: ignore[attr-defined]
        rows.append(
            {
                "activity": activity,
                "url": reverse("learn:activity", kwargs={"code": lower, "pk": activity.pk}),
                "next": session_line(upcoming[0], lower) if upcoming else None,
                "more": max(len(upcoming) - 1, 0),
            }
        )
    return render(
        request, "learning/public/unit.html", {"unit": unit, "page_obj": page, "rows": rows, **unit_links(unit)}
    )


def activity_content(unit: PublicUnit, pk: int) -> dict[str, object]:
    """The activity page's own part, rendered: what it is, and each upcoming session with its places."""
    activity = selectors.public_activity(unit, pk)
    lower = unit.code.lower()
    sessions = [session_line(session, lower) for session in activity.upcoming]  # type: ignore[attr-defined]
    html = render_to_string(
        "learning/public/_activity.html",
        {
            "activity": activity,
            "sessions": sessions,
            "unit_url": reverse("learn:unit", kwargs={"code": lower}),
            "qr_url": reverse("learn:activity_qr", kwargs={"code": lower, "pk": activity.pk}),
        },
    )
    return {"title": activity.title, "html": html, "has_online": any(line.is_online for line in sessions)}


@login_not_required
@require_GET
def activity_page(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """One activity: what it is, and each upcoming session with its places and a sign-up link.

    The page behind a poster's QR code, so the busiest. A visitor with no cookies at all (as from a QR code:
    not signed in, no messages waiting) gets the same page as every such visitor, kept whole; only the script
    nonce is this response's own. For a few seconds after it was made it is served without reading the
    database at all (any change to the activity, its sessions or sign-ups made by this process forgets it at
    once: `selectors.forget_activity_page`); after that, it is kept under a fingerprint of everything on it
    that changes (an edit, a session, a place taken), read in one query, so a visitor never sees a number of
    places older than those few seconds.
    """
    whole_page = not request.COOKIES
    lazy_nonce = get_nonce(request)
    nonce = "" if lazy_nonce is None else str(lazy_nonce)
    if whole_page and nonce and (recent := cache.get(selectors.recent_page_key(pk))) is not None:
        recent_code, html, kept_nonce = recent
        if recent_code == code.upper():
            return HttpResponse(html.replace(kept_nonce, nonce))
    found = selectors.activity_state(code, pk)
    if found is None:
        raise Http404("No such activity")
    unit_pk, state = found
    key = f"learn:activity:{unit_pk}:{pk}:{state}"
    if whole_page and nonce and (kept := cache.get(f"{key}:page")) is not None:
        html, kept_nonce = kept
        cache.set(selectors.recent_page_key(pk), (code.upper(), html, kept_nonce), selectors.RECENT_PAGE_SECONDS)
        return HttpResponse(html.replace(kept_nonce, nonce))
    unit = selectors.public_unit(code)
    content = cache.get(key)
    if content is None:
        content = activity_content(unit, pk)
        cache.set(key, content, ACTIVITY_CACHE_SECONDS)
    crumbs = [*activity_crumbs(unit), (content["title"], None)]
    response = render(request, "learning/public/activity.html", {**content, "crumbs": crumbs})
    if whole_page and nonce and not response.cookies:
        html = response.content.decode()
        cache.set(f"{key}:page", (html, nonce), ACTIVITY_CACHE_SECONDS)
        cache.set(selectors.recent_page_key(pk), (code.upper(), html, nonce), selectors.RECENT_PAGE_SECONDS)
    return response


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _rate_key(request: HttpRequest) -> str:
    return f"learn:sign-ups:{_address(request)}"


def over_rate_limit(request: HttpRequest) -> bool:
    return int(cache.get(_rate_key(request), 0)) >= SIGN_UPS_PER_ADDRESS


def count_attempt(request: HttpRequest) -> None:
    """One more sign-up from this address in the current window (the window starts with the first)."""
    ratelimit.count(_rate_key(request), RATE_WINDOW_SECONDS)


def duplicate_message(error: signups.DuplicateSignUp) -> str:
    status = error.existing.get_status_display().lower()
    return (
        f"This email or membership number is already signed up for this session ({status}). "
        "Your confirmation email has a link to change or cancel."
    )


def signed_up_url(record: SignUp) -> str:
    """Where a learner lands after signing up: the page to manage their sign-up if there is one, else ours."""
    token = tokens.make(tokens.SIGN_UP, record.pk)
    try:
        return reverse("learn:manage", kwargs={"token": token})
    except NoReverseMatch:
        return reverse("learn:signed_up", kwargs={"token": token})


def try_sign_up(form: SignUpForm, session: Session, *, source: str, acting_user: object = None) -> SignUp | None:
    """Sign up what the form holds; a duplicate or a closed session becomes the form's error (then None)."""
    try:
        return signups.sign_up(
            session=session,
            details=form.details(),
            source=source,
            acting_user=acting_user,  # type: ignore[arg-type]
        )
    except signups.DuplicateSignUp as error:
        form.add_error(None, duplicate_message(error))
    except signups.SessionClosed as error:
        form.add_error(None, f"{error} Choose another date.")
    except ValidationError as error:
        form.add_error(None, error)
    return None


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest, code: str, session_pk: int) -> HttpResponse:
    """The sign-up form for one session; a full session takes people onto its waiting list."""
    unit = selectors.public_unit(code)
    session = selectors.public_session(unit, session_pk)
    activity = session.activity
    closed = ""
    try:
        signups.check_open(session)
    except signups.SessionClosed as error:
        closed = str(error)
    form = PublicSignUpForm(
        request.POST if request.method == "POST" and not closed else None,
        workplaces=selectors.workplace_choices(activity.unit),
    )
    if form.is_bound and form.is_valid():
        if over_rate_limit(request):
            return render(request, "learning/public/too_many.html", {"unit": unit}, status=429)
        if form.is_robot:
            form.add_error(None, "We could not take this sign-up. Leave the last box empty and try again.")
        else:
            count_attempt(request)
            record = try_sign_up(form, session, source=SignUp.Source.PUBLIC)
            if record is not None:
                return redirect(signed_up_url(record))
    return render(
        request,
        "learning/public/sign_up.html",
        {
            "unit": unit,
            "activity": activity,
            "session": session_line(session, unit.code.lower()),
            "closed": closed,
            "form": form,
            "crumbs": [*activity_crumbs(unit, activity), ("Sign up", None)],
        },
    )


@login_not_required
@require_GET
def signed_up(request: HttpRequest, token: str) -> HttpResponse:
    """ "You're booked" (or on the waiting list), for the holder of the sign-up's link."""
    pk = tokens.read(tokens.SIGN_UP, token)
    if pk is None:
        return render(request, "learning/public/bad_link.html", status=404)
    record = selectors.sign_up_for_token(pk)
    session = record.session
    unit = session.activity.unit
    return render(
        request,
        "learning/public/signed_up.html",
        {
            "record": record,
            "activity": session.activity,
            "session": session_line(session, unit.code.lower()),
            "unit_url": reverse("learn:unit", kwargs={"code": unit.code.lower()}),
            "booked": record.status in (SignUp.Status.CONFIRMED, SignUp.Status.ATTENDED),
            "waiting": record.status == SignUp.Status.WAITLISTED,
        },
    )


def svg_response(svg: bytes) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = f"public, max-age={QR_MAX_AGE}"
    return response


@login_not_required
@require_GET
def unit_qr(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.public_unit(code)
    url = calendar.absolute(reverse("learn:unit", kwargs={"code": unit.code.lower()}))
    return svg_response(qr.qr_svg(url, title=f"QR code: learning in {unit.name}"))


@login_not_required
@require_GET
def activity_qr(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    unit = selectors.public_unit(code)
    activity = selectors.public_activity(unit, pk)
    url = calendar.absolute(reverse("learn:activity", kwargs={"code": unit.code.lower(), "pk": activity.pk}))
    return svg_response(qr.qr_svg(url, title=f"QR code: {activity.title}"))


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, code: str) -> HttpResponse:
    """The unit's sessions as an iCalendar feed that members subscribe to (no online links, ever)."""
    unit = selectors.public_unit(code)
    lower = unit.code.lower()
    events = [
        calendar.session_event(
            session,
            url=calendar.absolute(reverse("learn:activity", kwargs={"code": lower, "pk": session.activity_id})),
        )
        for session in selectors.calendar_sessions(unit)
    ]
    response = HttpResponse(
        calendar.calendar_bytes(events, name=f"Learning in {unit.name}"), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="learning-{lower}.ics"'
    response["Cache-Control"] = f"public, max-age={CALENDAR_MAX_AGE}"
    return response


urlpatterns: list[URLPattern] = []  # under /learning/, namespace "learning" (signed in): see stall.py
# The busiest first (Django tries the patterns in order). The unit's own page, /learn/<code>/, is in
# unit_urlpatterns, which public_urls.py puts after every fixed path such as /learn/my-record/.
public_urlpatterns: list[URLPattern] = [
    path("<str:code>/activities/<int:pk>/", activity_page, name="activity"),
    path("<str:code>/sessions/<int:session_pk>/sign-up/", sign_up, name="sign_up"),
    path("<str:code>/activities/<int:pk>/qr.svg", activity_qr, name="activity_qr"),
    path("<str:code>/qr.svg", unit_qr, name="unit_qr"),
    path("<str:code>/calendar.ics", calendar_feed, name="calendar"),
    path("signed-up/<str:token>/", signed_up, name="signed_up"),
]
unit_urlpatterns: list[URLPattern] = [path("<str:code>/", unit_page, name="unit")]
