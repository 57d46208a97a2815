"""Two-step sign-in: an authenticator app (TOTP) and single-use recovery codes, with django-otp's devices.

Required for anyone whose roles reach equality data or a whole region or nation; optional for everyone else.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from learningdesk.accounts import sessions
from learningdesk.accounts.models import SignInEvent, User
from learningdesk.accounts.services import audit_login_change
from learningdesk.core import ratelimit
from learningdesk.org import roles, scoping
from learningdesk.org.models import Role

# Roles that see equality data about individuals, or a whole region or the nation.
TWO_STEP_ROLES = roles.EQUALITY_ROLES | {Role.REGIONAL_COORDINATOR, Role.NATIONAL_ADMIN}
# A role held at a unit this high up (1 the nation, 2 a region) sees a whole region or more, whatever its name.
REGION_DEPTH = 2
RECOVERY_CODES = 10
APP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
# Where the session remembers whether this sign-in still owes a code (set when the password is accepted).
PENDING_KEY = "ld_two_step_pending"


def needs_two_step(user: User) -> bool:
    """Whether the user's current roles make two-step sign-in compulsory (known from the scope: no extra query)."""
    for assignment in scoping.get_scope(user).roles:
        if assignment.role in TWO_STEP_ROLES:
            return True
        if assignment.role in roles.WORKPLACE_ROLES or assignment.role in roles.EMPLOYER_ROLES:
            continue
        if assignment.unit.depth <= REGION_DEPTH:
            return True
    return False


def app_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_step(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def unconfirmed_app_device(user: User) -> TOTPDevice:
    """The device being set up: the same key until it is confirmed, so reloading the page keeps the QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)
    return device


def typed_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app that cannot scan."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// link as an inline <svg> QR code (no inline styles: the CSP allows none)."""
    code = segno.make(device.config_url, error="m", micro=False)
    svg = code.svg_inline(scale=1, border=4, svgclass="ld-qr", lineclass=None, omitsize=True)
    return svg.replace(
        "<svg ", '<svg width="200" height="200" role="img" aria-label="QR code to scan with your authenticator app" ', 1
    )


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


class TooManyTries(Exception):
    """More than settings.TWO_STEP_TRIES codes tried in 15 minutes: every code is refused until the window ends."""


def _count_try(user: User) -> None:
    # On top of django-otp's own growing wait after each wrong code, which is per device.
    if ratelimit.count(f"two-step:{user.pk}", 15 * 60) > settings.TWO_STEP_TRIES:
        raise TooManyTries


@dataclass(frozen=True)
class CheckResult:
    device: TOTPDevice | StaticDevice | None
    used_recovery_code: bool = False


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def check_code(user: User, code: str, *, recovery: bool = False) -> CheckResult:
    """Check a 6-digit code from the app, or a recovery code (used up if it matches). Raises TooManyTries."""
    _count_try(user)
    code = _normalise(code)
    with transaction.atomic():
        if not recovery:
            for device in TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update():
                if device.verify_token(code):
                    return CheckResult(device)
        else:
            for static in StaticDevice.objects.filter(user=user, confirmed=True).select_for_update():
                if static.verify_token(code):
                    return CheckResult(static, used_recovery_code=True)
    return CheckResult(None)


def confirm_app(request: HttpRequest, *, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm a new authenticator app with its first code; returns the new recovery codes, or None if wrong.

    The app replaces any earlier one; this session counts as verified by it and every other session of the user
    is ended, since they were signed in without it. Raises TooManyTries.
    """
    from learningdesk.accounts import sign_in_log

    _count_try(user)
    with transaction.atomic():
        if device.user_id != user.pk or device.confirmed or not device.verify_token(_normalise(code)):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit_login_change(actor=user, login=user, what="two_step_sign_in_set_up")
        sign_in_log.record(request, SignInEvent.Kind.TWO_STEP_CHANGED, user=user, detail="set up")
        mark_verified(request, device)
        sessions.end_all(user, reason=sessions.EndReason.TWO_STEP_CHANGED, keep=request.session.session_key)
    return codes


def mark_verified(request: HttpRequest, device: TOTPDevice | StaticDevice) -> None:
    """This session has passed two-step sign-in with `device` (a new session key, as after any sign-in)."""
    otp_login(request, device)
    request.session.pop(PENDING_KEY, None)
    sessions.cycle_key(request)


def new_recovery_codes(request: HttpRequest, *, user: User) -> list[str]:
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit_login_change(actor=user, login=user, what="recovery_codes_replaced")
    return codes


def turn_off(request: HttpRequest, *, user: User) -> None:
    """Remove the user's app and recovery codes (the caller checks that two-step sign-in is optional for them)."""
    from learningdesk.accounts import sign_in_log

    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit_login_change(actor=user, login=user, what="two_step_sign_in_turned_off")
        sign_in_log.record(request, SignInEvent.Kind.TWO_STEP_CHANGED, user=user, detail="turned off")
    request.session.pop(PENDING_KEY, None)


def reset(request: HttpRequest, *, acting_user: User, user: User) -> None:
    """For a lost phone: remove the user's app and recovery codes and end all their sessions. They set up a new app
    at their next sign-in (required roles) or may do so from their account page."""
    from learningdesk.accounts import sign_in_log

    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit_login_change(actor=acting_user, login=user, what="two_step_sign_in_reset")
        sign_in_log.record(request, SignInEvent.Kind.TWO_STEP_CHANGED, user=user, detail="reset by an administrator")
        sessions.end_all(user, reason=sessions.EndReason.TWO_STEP_CHANGED)
