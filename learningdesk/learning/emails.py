"""The emails learners get: confirmation with an .ics, waiting-list offers, reminders, cancellations.

(Being written: the sign-up lifecycle helper fills this module in. The signatures are fixed.)
"""

from __future__ import annotations

import datetime


def send_sign_up_confirmation(sign_up_pk: int) -> None:
    """Email the learner their confirmation (or waiting-list place) with an .ics and a link to change or cancel."""


def send_offer(sign_up_pk: int) -> None:
    """Email the next person on the waiting list their time-limited offer of a place."""


def send_session_cancelled(sign_up_pk: int) -> None:
    """Tell a learner the session they signed up for was cancelled."""


def send_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind confirmed learners of sessions starting within the next day, once each. Returns how many sessions."""
    return 0
