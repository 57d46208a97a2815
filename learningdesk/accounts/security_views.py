"""Your account: two-step sign-in and your sessions; the sign-in and access log; administrators' help with a lost
phone (reset two-step sign-in, end a login's sessions)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.accounts import sessions, sign_in_log, two_factor
from learningdesk.accounts.forms import ConfirmForm, ConfirmPasswordForm, SecurityLogFilterForm, TwoStepCodeForm
from learningdesk.accounts.models import SignInEvent
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.org import scoping

Kind = SignInEvent.Kind
# Recovery codes just made, shown once on the next page until the user says they have saved them.
NEW_CODES = "ld_new_recovery_codes"
WRONG_CODE = "That code is not right. Enter the code your app shows now: it changes every 30 seconds"
WRONG_RECOVERY_CODE = "That recovery code is not right, or it has been used already"
TOO_MANY = "You have entered too many codes. Wait 15 minutes, then try again"


def _next_url(request: AuthenticatedRequest, default: str = "home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


def _account_crumbs(title: str) -> Crumbs:
    return [("Home", reverse("home")), ("Your account", reverse("accounts:account")), (title, None)]


# Your account ------------------------------------------------------------------------------------------------------


@require_GET
def account(request: AuthenticatedRequest) -> HttpResponse:
    """Your account: password, two-step sign-in, sessions and your latest sign-ins."""
    user = request.user
    device = two_factor.app_device(user)
    return render(
        request,
        "accounts/account.html",
        {
            "device": device,
            "codes_left": two_factor.recovery_codes_left(user) if device else 0,
            "required": two_factor.needs_two_step(user),
            "session_count": sessions.active(user).count(),
            "recent": list(SignInEvent.objects.filter(user=user).exclude(kind=Kind.ACCESS_DENIED)[:5]),
            "crumbs": [("Home", reverse("home")), ("Your account", None)],
        },
    )


# Two-step sign-in --------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def two_step_verify(request: AuthenticatedRequest) -> HttpResponse:
    """The second step of signing in: the code from the app, or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if not request.session.get(two_factor.PENDING_KEY):
        # Nothing owed (the code was entered already, or this login has no two-step sign-in).
        return render(request, "accounts/two_step_verify.html", {"done": True, "next": next_url})
    recovery = (request.POST.get("recovery") or request.GET.get("recovery")) == "1"
    form = TwoStepCodeForm(request.POST or None, recovery=recovery)
    if request.method == "POST" and form.is_valid():
        try:
            result = two_factor.check_code(user, form.cleaned_data["code"], recovery=recovery)
        except two_factor.TooManyTries:
            form.add_error("code", TOO_MANY)
            sign_in_log.record(request, Kind.TWO_STEP_FAILED, user=user, detail="too many tries")
        else:
            if result.device is None:
                form.add_error("code", WRONG_RECOVERY_CODE if recovery else WRONG_CODE)
                sign_in_log.record(request, Kind.TWO_STEP_FAILED, user=user, detail="recovery code" if recovery else "")
            else:
                two_factor.mark_verified(request, result.device)
                sign_in_log.record(request, Kind.TWO_STEP_PASSED, user=user, detail="recovery code" if recovery else "")
                if recovery:
                    left = two_factor.recovery_codes_left(user)
                    messages.warning(
                        request,
                        f"You signed in with a recovery code. You have {left} left: get new ones from your account "
                        "page, and set up your app again if you have lost your phone.",
                    )
                return redirect(next_url)
    return render(request, "accounts/two_step_verify.html", {"form": form, "recovery": recovery, "next": next_url})


@require_http_methods(["GET", "POST"])
def two_step_setup(request: AuthenticatedRequest) -> HttpResponse:
    """Set up (or move to a new phone) the authenticator app: scan, type the first code, then save recovery codes."""
    user = request.user
    next_url = _next_url(request)
    replacing = two_factor.has_two_step(user)
    if replacing and not user.is_verified():  # type: ignore[attr-defined]
        # Owed a code at sign-in: a new app cannot stand in for it.
        return redirect(f"{reverse('accounts:two_step_verify')}?{urlencode({'next': next_url})}")
    device = two_factor.unconfirmed_app_device(user)
    form = TwoStepCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_app(request, user=user, device=device, code=form.cleaned_data["code"])
        except two_factor.TooManyTries:
            form.add_error("code", TOO_MANY)
        else:
            if codes is None:
                form.add_error("code", WRONG_CODE)
            else:
                request.session[NEW_CODES] = codes
                messages.success(request, "Two-step sign-in is set up.")
                return redirect(f"{reverse('accounts:recovery_codes')}?{urlencode({'next': next_url})}")
    return render(
        request,
        "accounts/two_step_setup.html",
        {
            "form": form,
            "qr": two_factor.qr_svg(device),
            "key": two_factor.typed_key(device),
            "required": two_factor.needs_two_step(user),
            "replacing": replacing,
            "next": next_url,
            "crumbs": _account_crumbs("Set up two-step sign-in"),
        },
    )


@require_http_methods(["GET", "POST"])
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """The new recovery codes, shown once: they are kept only until the user says they have saved them."""
    codes = request.session.get(NEW_CODES)
    if request.method == "POST" and codes:
        del request.session[NEW_CODES]
        return redirect(_next_url(request, "accounts:account"))
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": [f"{code[:4]} {code[4:]}" for code in codes or ()], "next": _next_url(request, "accounts:account")},
    )


@require_http_methods(["GET", "POST"])
def recovery_codes_new(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not two_factor.has_two_step(user):
        raise Http404
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        request.session[NEW_CODES] = two_factor.new_recovery_codes(request, user=user)
        return redirect("accounts:recovery_codes")
    return render(
        request,
        "accounts/recovery_codes_new.html",
        {"form": form, "codes_left": two_factor.recovery_codes_left(user), "crumbs": _account_crumbs("New codes")},
    )


@require_http_methods(["GET", "POST"])
def two_step_off(request: AuthenticatedRequest) -> HttpResponse:
    """Turn two-step sign-in off, with the password; refused when a role requires it."""
    user = request.user
    if not two_factor.has_two_step(user):
        return render(
            request, "accounts/two_step_off.html", {"already_off": True, "crumbs": _account_crumbs("Two-step sign-in")}
        )
    required = two_factor.needs_two_step(user)
    form = ConfirmPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and not required and form.is_valid():
        two_factor.turn_off(request, user=user)
        messages.success(request, "Two-step sign-in is off. You sign in with your password only.")
        return redirect("accounts:account")
    context = {"form": form, "required": required, "crumbs": _account_crumbs("Turn off two-step sign-in")}
    status = 403 if required and request.method == "POST" else 200
    return render(request, "accounts/two_step_off.html", context, status=status)


# Your sessions -----------------------------------------------------------------------------------------------------


@require_GET
def session_list(request: AuthenticatedRequest) -> HttpResponse:
    rows = list(sessions.active(request.user))
    current = request.session.get(sessions.ROW)
    rows.sort(key=lambda row: row.pk != current)  # this one first
    return render(
        request,
        "accounts/sessions.html",
        {
            "rows": rows,
            "current": current,
            "idle": _duration(settings.SESSION_IDLE_MINUTES),
            "limit": _duration(settings.SESSION_MAX_HOURS * 60),
            "crumbs": _account_crumbs("Your sessions"),
        },
    )


def _duration(minutes: int) -> str:
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


@require_http_methods(["GET", "POST"])
def session_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Sign out one other session (this one ends by signing out)."""
    row = sessions.active(request.user).filter(pk=pk).first()
    if row is None or row.pk == request.session.get(sessions.ROW):
        raise Http404
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if sessions.end(request.user, row.pk, reason=sessions.EndReason.ENDED_BY_USER):
            sign_in_log.record(request, Kind.SESSION_ENDED, user=request.user, detail="one other session")
        messages.success(request, "That session has been signed out.")
        return redirect("accounts:sessions")
    return render(request, "accounts/session_end.html", {"form": form, "row": row})


@require_http_methods(["GET", "POST"])
def sessions_end_others(request: AuthenticatedRequest) -> HttpResponse:
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "GET" or not form.is_valid():
        return render(request, "accounts/sessions_end_others.html", {"form": form})
    ended = sessions.end_all(request.user, reason=sessions.EndReason.ENDED_BY_USER, keep=request.session.session_key)
    if ended:
        sign_in_log.record(request, Kind.SESSION_ENDED, user=request.user, detail="every other session")
    messages.success(
        request,
        f"Signed out everywhere else ({ended} session{'s' if ended != 1 else ''})."
        if ended
        else "You were not signed in anywhere else.",
    )
    return redirect("accounts:sessions")


# The sign-in and access log ----------------------------------------------------------------------------------------


@require_GET
def security_log(request: AuthenticatedRequest) -> HttpResponse:
    """Sign-ins, failed sign-ins, two-step checks and refused pages of the logins in the user's scope."""
    if not scoping.get_scope(request.user).audit:
        raise Http404
    form = SecurityLogFilterForm(request.GET or None)
    events = scoping.visible_sign_in_events(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["email"]:
            events = events.filter(Q(user__email__iexact=data["email"]) | Q(email_typed__iexact=data["email"]))
        if data["since"]:
            events = events.filter(at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(at__date__lte=data["until"])
    return render(
        request,
        "accounts/security_log.html",
        {
            "form": form,
            "page_obj": paginate(request, events),
            "crumbs": [("Home", reverse("home")), ("Security log", None)],
        },
    )


# Administrators: a login's sign-in security ------------------------------------------------------------------------


@require_GET
def login_security(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    login = scoping.get_login_for_user(request.user, pk)
    return render(
        request,
        "accounts/login_security.html",
        {
            "login": login,
            "has_two_step": two_factor.has_two_step(login),
            "required": two_factor.needs_two_step(login),
            "active": list(sessions.active(login)),
            "events": list(SignInEvent.objects.filter(user=login)[:10]),
            "may_read_log": bool(scoping.get_scope(request.user).audit),
            "crumbs": [("Home", reverse("home")), ("Team", reverse("accounts:team")), (str(login), None)],
        },
    )


@require_http_methods(["GET", "POST"])
def login_reset_two_step(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """For a lost phone: the login sets up two-step sign-in again at its next sign-in."""
    login = scoping.get_login_for_user(request.user, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        two_factor.reset(request, acting_user=request.user, user=login)
        messages.success(request, f"Two-step sign-in for {login} has been reset, and they have been signed out.")
        return redirect("accounts:login_security", pk=login.pk)
    return render(
        request,
        "accounts/login_reset_two_step.html",
        {"form": form, "login": login, "required": two_factor.needs_two_step(login)},
    )


@require_http_methods(["GET", "POST"])
def login_end_sessions(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    login = scoping.get_login_for_user(request.user, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        ended = sessions.end_everywhere(acting_user=request.user, login=login)
        sign_in_log.record(request, Kind.SESSION_ENDED, user=login, detail="by an administrator")
        messages.success(
            request, f"{login} has been signed out everywhere ({ended} session{'s' if ended != 1 else ''})."
        )
        return redirect("accounts:login_security", pk=login.pk)
    return render(request, "accounts/login_end_sessions.html", {"form": form, "login": login})
