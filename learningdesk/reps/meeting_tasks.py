"""Background work for ULR meetings, run by the task worker (django.tasks with the database backend)."""

from __future__ import annotations

from django.tasks import task


@task()
def send_meeting_invites(*, invite_ids: list[int], organiser_id: int | None, site_url: str) -> int:
    """Email meeting invitations, each with the agenda and an .ics for the rep's calendar."""
    from learningdesk.reps.meetings import send_meeting_invites as send

    return send(invite_ids=invite_ids, organiser_id=organiser_id, site_url=site_url)
