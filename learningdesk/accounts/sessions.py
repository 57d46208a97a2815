"""Signed-in sessions: one UserSession row for each, kept in step with Django's session so either can end it.

A session ends after settings.SESSION_IDLE_MINUTES without a request, SESSION_MAX_HOURS after signing in, when the
user signs out, or when they (from another session) or an administrator end it. Activity is written at most once
every SESSION_TOUCH_SECONDS, so an ordinary page costs no write.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import time
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from learningdesk.accounts.models import User, UserSession

EndReason = UserSession.EndReason

# What the session itself remembers (besides Django's own keys): its row, its key when the row was last told, when
# it signed in and when it was last seen (seconds since the epoch).
ROW = "ld_session"
KEY = "ld_session_key"
STARTED = "ld_started"
SEEN = "ld_seen"
# Why the last session of this browser ended, for the sign-in page to say (it lives in the new, empty session).
ENDED_BECAUSE = "ld_signed_out_because"

_BROWSERS = (
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")),
    ("Safari", re.compile(r"Safari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"Android")),
    ("iPhone", re.compile(r"iPhone")),
    ("iPad", re.compile(r"iPad")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Windows", re.compile(r"Windows")),
    ("Mac", re.compile(r"Macintosh|Mac OS X")),
    ("Linux", re.compile(r"Linux")),
)


def browser_summary(user_agent: str) -> str:
    """A few words a person recognises ("Chrome on Android"), never the whole user agent string."""
    user_agent = user_agent[:512]
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or ("Unknown browser" if user_agent.strip() else "")


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address (core.ClientAddressMiddleware has put it in REMOTE_ADDR behind the proxy)."""
    address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def request_browser(request: HttpRequest) -> str:
    return browser_summary(request.META.get("HTTP_USER_AGENT", ""))


def start(request: HttpRequest, user: User) -> UserSession:
    """Record a new sign-in on this request's (already cycled) session."""
    if not request.session.session_key:
        request.session.save()
    row = UserSession.objects.create(
        user=user,
        session_key=request.session.session_key or "",
        ip_address=client_ip(request),
        browser=request_browser(request),
    )
    now = time.time()
    request.session[ROW] = row.pk
    request.session[KEY] = row.session_key
    request.session[STARTED] = now
    request.session[SEEN] = now
    return row


def sync_key(request: HttpRequest) -> None:
    """After Django gave the session a new key (signing in, a password change), tell its row."""
    session = request.session
    row = session.get(ROW)
    if row is None or not session.session_key or session.get(KEY) == session.session_key:
        return
    UserSession.objects.filter(pk=row).update(session_key=session.session_key)
    session[KEY] = session.session_key


def cycle_key(request: HttpRequest) -> None:
    """A new key for this session (after passing two-step sign-in, like after the password)."""
    request.session.cycle_key()
    sync_key(request)


def _session_store(session_key: str):  # type: ignore[no-untyped-def]
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def _end(row: UserSession, reason: str) -> None:
    if row.session_key:
        _session_store(row.session_key).delete()
    row.ended_at = timezone.now()
    row.end_reason = reason
    row.save(update_fields=["ended_at", "end_reason"])


def active(user: User) -> QuerySet[UserSession]:
    """The user's sessions that are still signed in: not ended, and within both time limits."""
    now = timezone.now()
    return UserSession.objects.filter(
        user=user,
        ended_at__isnull=True,
        last_seen_at__gte=now - datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES),
        created_at__gte=now - datetime.timedelta(hours=settings.SESSION_MAX_HOURS),
    )


def end(user: User, pk: int, *, reason: str) -> bool:
    """End one of the user's sessions; False if it is not theirs or has already ended."""
    row = UserSession.objects.filter(user=user, pk=pk, ended_at__isnull=True).first()
    if row is None:
        return False
    _end(row, reason)
    return True


def end_all(user: User, *, reason: str, keep: str | None = None) -> int:
    """End every session of the user but the one whose key is `keep`; returns how many were ended."""
    rows = list(UserSession.objects.filter(user=user, ended_at__isnull=True).exclude(session_key=keep or ""))
    for row in rows:
        _end(row, reason)
    return len(rows)


def end_everywhere(*, acting_user: User, login: User) -> int:
    """An administrator signs a login out of every session (audited); returns how many were ended."""
    from learningdesk.accounts.services import audit_login_change

    with transaction.atomic():
        ended = end_all(login, reason=EndReason.ENDED_BY_ADMIN)
        audit_login_change(actor=acting_user, login=login, what="sessions_ended")
    return ended


def mark_ended(request: HttpRequest, reason: str) -> None:
    """This request's session is ending (signing out, expiry): close its row."""
    row = request.session.get(ROW)
    if row is not None:
        UserSession.objects.filter(pk=row, ended_at__isnull=True).update(ended_at=timezone.now(), end_reason=reason)


def expiry(request: HttpRequest) -> str | None:
    """Why this signed-in session must end now (a reason), or None; refreshes its last-seen time when due.

    Sessions from before this was added have no times yet: they start counting now.
    """
    session = request.session
    now = time.time()
    started, seen = session.get(STARTED), session.get(SEEN)
    if started is None or seen is None:
        session[STARTED] = session[SEEN] = now
        return None
    if now - started > settings.SESSION_MAX_HOURS * 3600:
        return EndReason.TOO_LONG
    if now - seen > settings.SESSION_IDLE_MINUTES * 60:
        return EndReason.IDLE
    if now - seen >= settings.SESSION_TOUCH_SECONDS:
        session[SEEN] = now
        row = session.get(ROW)
        if row is not None:
            still_open = UserSession.objects.filter(pk=row, ended_at__isnull=True).update(last_seen_at=timezone.now())
            if not still_open:
                return EndReason.ENDED_BY_USER
    return None
