"""Writing the audit log. Callers do it inside the same transaction as the change it records."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import models
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from learningdesk.accounts.models import AuditEvent, User


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date | datetime.datetime | Decimal):
        return str(value)
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of the named fields, as JSON-friendly values (foreign keys by id)."""
    return {name: _plain(getattr(instance, instance._meta.get_field(name).attname)) for name in fields}  # type: ignore[union-attr]


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    unit_id: int | None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event about ``target``; ``unit_id`` decides who may read it."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.model_name or "",
        target_id=target.pk,
        unit_id=unit_id,
        changes=changes or {},
    )


def save_and_audit(*, actor: User | None, record: models.Model, unit_id: int | None, fields: list[str]) -> None:
    """Validate and save a new or changed record, and log which fields were set or changed (never their values)."""
    is_new = record.pk is None
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED if is_new else AuditEvent.Action.CHANGED,
        target=record,
        unit_id=unit_id,
        changes={"fields": fields},
    )


def audit_login_change(*, actor: User, login: User, what: str) -> AuditEvent:
    """An audit row about a login's sign-in security (`what`: a name like "two_step_sign_in_reset", never a value),
    under one of its roles' units so that whoever manages the login can read it."""
    unit_id = login.roles.order_by("pk").values_list("unit_id", flat=True).first()  # type: ignore[attr-defined]
    return audit_record(
        actor=actor, action=AuditEvent.Action.CHANGED, target=login, unit_id=unit_id, changes={"fields": [what]}
    )


def send_set_password_email(*, user: User, protocol: str, domain: str) -> None:
    """Email a new user a one-time link to choose their password (Django's reset tokens)."""
    context = {
        "user": user,
        "protocol": protocol,
        "domain": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    send_mail(
        subject=render_to_string("accounts/emails/welcome_subject.txt", context).strip(),
        message=render_to_string("accounts/emails/welcome.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
