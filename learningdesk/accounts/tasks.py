"""Background work for accounts, run by the task worker (django.tasks with the database backend)."""

from __future__ import annotations

from django.tasks import task

from learningdesk.accounts.models import User


@task()
def send_welcome_email(*, user_id: int, protocol: str, domain: str) -> None:
    """Email a new user the link to choose their password."""
    from learningdesk.accounts.services import send_set_password_email

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None:
        send_set_password_email(user=user, protocol=protocol, domain=domain)


@task()
def prune_sign_in_log() -> dict[str, int]:
    """Retention of the sign-in and access log (accounts.security.prune)."""
    from learningdesk.accounts.security import prune

    return prune()
