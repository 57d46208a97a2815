"""Background work for the ULR network, run by the task worker (django.tasks with the database backend)."""

from __future__ import annotations

from typing import Any

from django.tasks import task


@task()
def send_rep_reminders() -> dict[str, Any]:
    """Email today's training-deadline warnings and this week's digests; safe to run as often as you like."""
    from learningdesk.reps.reminders import send_rep_reminders as send

    return send().as_dict()
