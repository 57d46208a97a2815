"""Signing in without the sign-in form, for the test suite and the benchmarks (core/bench.py): as after the whole
sign-in, two-step sign-in included. Never used by a page."""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from learningdesk.accounts import two_factor
from learningdesk.accounts.models import User


def force_verified_login(client: Client, user: User) -> Client:
    """`client.force_login(user)`, past two-step sign-in when the user has an authenticator app or their roles require
    one (it is set up for them then)."""
    client.force_login(user)
    fresh = User.objects.get(pk=user.pk)  # not `user`: its scope would be cached, and its roles may change later
    device = two_factor.app_device(fresh)
    if device is None and two_factor.needs_two_step(fresh):
        device = TOTPDevice.objects.create(user=fresh, name=two_factor.APP_NAME, confirmed=True)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.pop(two_factor.PENDING_KEY, None)
        session.save()
    return client


def totp_code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows now (the next one if this one was used: each works once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step
    return f"{totp.token():0{device.digits}d}"
