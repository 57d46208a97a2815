"""Sign-in security's part of subject access and erasure (called by the privacy app), and its retention.

Covers every table of part H that can identify a login: UserSession, SignInEvent (including failed sign-ins where
the email typed was theirs), django-otp's devices and recovery codes, and django-axes' records of failed sign-ins.
Never exports a secret: no session key, authenticator key or recovery code.
"""

from __future__ import annotations

import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from learningdesk.accounts import sessions
from learningdesk.accounts.models import SignInEvent, User, UserSession


def _when(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _events_of(user: User) -> Q:
    return Q(user=user) | Q(email_typed__iexact=user.email)


def export_user(user: User) -> dict[str, list[dict[str, object]]]:
    """Everything sign-in security holds about a login, as section title → rows of plain values."""
    signed_in: list[dict[str, object]] = [
        {
            "signed in": _when(row.created_at),
            "last active": _when(row.last_seen_at),
            "ended": _when(row.ended_at),
            "why it ended": row.get_end_reason_display(),
            "address": row.ip_address,
            "browser": row.browser,
        }
        for row in UserSession.objects.filter(user=user).order_by("created_at", "pk")
    ]
    events: list[dict[str, object]] = [
        {
            "when": _when(event.at),
            "what": event.get_kind_display(),
            "detail": event.detail,
            "email typed": event.email_typed,
            "address": event.ip_address,
            "browser": event.browser,
            "page": event.path,
        }
        for event in SignInEvent.objects.filter(_events_of(user)).order_by("at", "pk")
    ]
    devices: list[dict[str, object]] = [
        {
            "kind": "Authenticator app",
            "set up": device.confirmed,
            "added": _when(device.created_at),
            "last used": _when(device.last_used_at),
        }
        for device in TOTPDevice.objects.filter(user=user).order_by("pk")
    ]
    devices += [
        {
            "kind": "Recovery codes",
            "codes left": StaticToken.objects.filter(device=device).count(),
            "added": _when(device.created_at),
            "last used": _when(device.last_used_at),
        }
        for device in StaticDevice.objects.filter(user=user).order_by("pk")
    ]
    failed: list[dict[str, object]] = [
        {
            "when": _when(attempt.attempt_time),
            "failed tries": attempt.failures_since_start,
            "address": attempt.ip_address,
        }
        for attempt in AccessAttempt.objects.filter(username__iexact=user.email).order_by("attempt_time")
    ]
    return {
        "Sign-in sessions": signed_in,
        "Sign-in and access log": events,
        "Two-step sign-in": devices,
        "Failed sign-ins being counted": failed,
    }


def forget_user(user: User) -> dict[str, int]:
    """Delete every row of sign-in security about a login, ending its sessions; returns counts by table."""
    counts: dict[str, int] = {}
    with transaction.atomic():
        sessions.end_all(user, reason=sessions.EndReason.ENDED_BY_ADMIN)
        counts["accounts.UserSession"] = UserSession.objects.filter(user=user).delete()[0]
        counts["accounts.SignInEvent"] = SignInEvent.objects.filter(_events_of(user)).delete()[0]
        counts["otp_static.StaticToken"] = StaticToken.objects.filter(device__user=user).delete()[0]
        counts["otp_static.StaticDevice"] = StaticDevice.objects.filter(user=user).delete()[0]
        counts["otp_totp.TOTPDevice"] = TOTPDevice.objects.filter(user=user).delete()[0]
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            counts[f"axes.{model.__name__}"] = model.objects.filter(username__iexact=user.email).delete()[0]
    return counts


def prune(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Retention: delete sign-in log rows and ended sessions older than settings.SIGN_IN_LOG_DAYS, and blank the
    email typed at failed sign-ins older than SIGN_IN_EMAIL_DAYS. Returns counts of what it did."""
    now = now or timezone.now()
    log_cutoff = now - datetime.timedelta(days=settings.SIGN_IN_LOG_DAYS)
    email_cutoff = now - datetime.timedelta(days=settings.SIGN_IN_EMAIL_DAYS)
    stale_session = now - datetime.timedelta(hours=settings.SESSION_MAX_HOURS)
    with transaction.atomic():
        deleted_events = SignInEvent.objects.filter(at__lt=log_cutoff).delete()[0]
        blanked = SignInEvent.objects.filter(at__lt=email_cutoff).exclude(email_typed="").update(email_typed="")
        # A session past the absolute limit has ended whether or not anyone came back to it.
        UserSession.objects.filter(ended_at__isnull=True, created_at__lt=stale_session).update(
            ended_at=now, end_reason=UserSession.EndReason.TOO_LONG
        )
        deleted_sessions = UserSession.objects.filter(ended_at__lt=log_cutoff).delete()[0]
    return {
        "sign-in log rows deleted": deleted_events,
        "emails typed at failed sign-ins blanked": blanked,
        "ended sessions deleted": deleted_sessions,
    }
