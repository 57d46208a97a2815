"""Taking the register: ticked learners came, and once the session has started the others did not."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.learning import signups
from learningdesk.learning.models import Session, SignUp

# Who is in the register: everyone holding a confirmed place, and those already marked.
IN_REGISTER = (SignUp.Status.CONFIRMED, SignUp.Status.ATTENDED, SignUp.Status.NO_SHOW)


def register_learners(session: Session) -> list[SignUp]:
    return list(
        session.sign_ups.filter(status__in=IN_REGISTER)
        .select_related("person__workplace")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def register_save(
    *, acting_user: User, session: Session, learners: Iterable[SignUp], ticked: set[int]
) -> tuple[list[SignUp], list[SignUp]]:
    """Mark the ticked learners attended and, once the session has started, the others as no-shows.

    Before the start an unticked learner may still come: one ticked by mistake goes back to a booked place,
    and the others are left as they are. Only changes are written.
    Returns the learners newly marked attended and newly marked as no-shows.
    """
    came: list[SignUp] = []
    missed: list[SignUp] = []
    unmarked: list[SignUp] = []
    with transaction.atomic():
        for record in learners:
            attended: bool | None = record.pk in ticked
            if not attended and not session.has_started:
                if record.status != SignUp.Status.ATTENDED:
                    continue
                attended = None  # ticked by mistake before the start: booked again
            wanted = {True: SignUp.Status.ATTENDED, False: SignUp.Status.NO_SHOW, None: SignUp.Status.CONFIRMED}[
                attended
            ]
            if record.status == wanted:
                continue
            try:
                updated = signups.mark_attendance(record, attended=attended, acting_user=acting_user)
            except ValidationError:  # cancelled a moment ago: no longer in the register
                continue
            record.status = updated.status
            {True: came, False: missed, None: unmarked}[attended].append(record)
        if came or missed or unmarked:
            audit_record(
                actor=acting_user,
                action=AuditEvent.Action.CHANGED,
                target=session,
                unit_id=session.activity.unit_id,
                changes={
                    "fields": ["attendance"],
                    "attended": [record.pk for record in came],
                    "no_show": [record.pk for record in missed],
                    "booked_again": [record.pk for record in unmarked],
                },
            )
    return came, missed
