"""The emails learners get: confirmation with an .ics, their place on the waiting list, waiting-list offers,
reminders the day before, and cancellations.

Each email is a triple of templates under learning/emails/ (subject, text, HTML) and carries the learner's
own link to change or cancel (a signed token, no login). They go to the address the learner typed, else
the person's; someone with no email address gets nothing. The functions send at once (the sign-up services
call them once their transaction commits): a mail server that is down is logged and never undoes a sign-up.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from learningdesk.learning import calendar, tokens
from learningdesk.learning.models import Activity, Session, SignUp

logger = logging.getLogger(__name__)

# Reminders go for sessions starting within this long ("the day before").
REMINDER_AHEAD = datetime.timedelta(hours=24)


# What every email (and the learner's page) says -----------------------------------------------------


def format_time(moment: datetime.datetime, zone: datetime.tzinfo) -> str:
    """'Tue 1 Dec 2026, 12:30' in the given zone."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def zone_label(session: Session) -> str:
    return "UK time" if session.time_zone == "Europe/London" else f"{session.time_zone.replace('_', ' ')} time"


def session_when(session: Session) -> str:
    """When a session happens, in the organiser's time zone: 'Tue 1 Dec 2026, 12:30 to 13:30 (UK time)'."""
    start, end = session.local_start, session.local_end
    until = f"{end:%H:%M}" if end.date() == start.date() else format_time(end, session.zone)
    return f"{format_time(start, session.zone)} to {until} ({zone_label(session)})"


def offer_deadline(record: SignUp) -> str:
    """When an offer must be accepted by, in the session's time zone ('' if it has no limit)."""
    if record.offer_expires_at is None:
        return ""
    return f"{format_time(record.offer_expires_at, record.session.zone)} ({zone_label(record.session)})"


def manage_path(record: SignUp) -> str:
    return reverse("learn:manage", kwargs={"token": tokens.make(tokens.SIGN_UP, record.pk)})


def manage_url(record: SignUp) -> str:
    """The learner's own page for this sign-up, in full, for emails."""
    return calendar.absolute(manage_path(record))


def recipient(record: SignUp) -> str:
    """The address the learner gave, else the one on their record; '' when there is none."""
    return (record.given_email or record.person.email or "").strip()


def learner_name(record: SignUp) -> str:
    """The first name the learner typed (the matched person's record may be a family member's)."""
    typed = record.given_name.strip()
    return typed.split()[0] if typed else record.person.first_name


def waiting_list_position(record: SignUp) -> int:
    """1 for the head of the queue: who signed up earlier and is still waiting."""
    earlier = SignUp.objects.filter(session_id=record.session_id, status=SignUp.Status.WAITLISTED).filter(
        Q(created_at__lt=record.created_at) | Q(created_at=record.created_at, pk__lt=record.pk)
    )
    return earlier.count() + 1


def ics_filename(session: Session) -> str:
    return f"learning-{session.local_start:%Y-%m-%d}.ics"


def sign_up_ics(record: SignUp) -> bytes:
    """The session as a calendar file for this learner: the online link only once their place is confirmed."""
    event = calendar.session_event(
        record.session, with_online_link=record.status == SignUp.Status.CONFIRMED, url=manage_url(record)
    )
    return calendar.calendar_bytes([event], method="PUBLISH")


def _load(sign_up_pk: int) -> SignUp | None:
    return (
        SignUp.objects.select_related(
            "person",
            "session__activity__unit",
            "session__activity__organiser",
            "session__workplace",
            "session__room__centre",
        )
        .filter(pk=sign_up_pk)
        .first()
    )


def _reply_to(activity: Activity) -> list[str]:
    """Replies go to whoever runs the activity, else to its unit's address."""
    organiser = activity.organiser
    if organiser is not None and organiser.email:
        return [organiser.email]
    return [activity.unit.email] if activity.unit.email else []


def _message(record: SignUp, name: str, *, extra: dict[str, Any] | None = None) -> EmailMultiAlternatives | None:
    """The email `name` (templates learning/emails/<name>…) to this learner, or None if they have no address."""
    to = recipient(record)
    if not to:
        return None
    session = record.session
    context = {
        "sign_up": record,
        "session": session,
        "activity": session.activity,
        "name": learner_name(record),
        "when": session_when(session),
        "manage_url": manage_url(record),
        **(extra or {}),
    }
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string(f"learning/emails/{name}_subject.txt", context).split()),
        body=render_to_string(f"learning/emails/{name}.txt", context),
        to=[to],
        reply_to=_reply_to(session.activity),
    )
    message.attach_alternative(render_to_string(f"learning/emails/{name}.html", context), "text/html")
    return message


def _deliver(messages: Iterable[EmailMultiAlternatives | None], *, what: str) -> int:
    """Send the messages; a failing mail server is logged, never raised (the sign-up it follows stands)."""
    batch = [message for message in messages if message is not None]
    if not batch:
        return 0
    try:
        return mailers.default.send_messages(batch) or 0
    except Exception:  # any mail server failure: SMTP errors, refused connections, timeouts
        logger.exception("Could not send %s to %d learner(s)", what, len(batch))
        return 0


# The emails -------------------------------------------------------------------------------------------


def send_sign_up_confirmation(sign_up_pk: int) -> None:
    """Email the learner their confirmation (or waiting-list place) with an .ics and a link to change or cancel."""
    record = _load(sign_up_pk)
    if record is None:
        return
    if record.status == SignUp.Status.CONFIRMED:
        message = _message(record, "confirmation")
        if message is not None:
            message.attach(ics_filename(record.session), sign_up_ics(record), "text/calendar; charset=utf-8")
        _deliver([message], what="a sign-up confirmation")
    elif record.status == SignUp.Status.WAITLISTED:
        message = _message(record, "waitlisted", extra={"position": waiting_list_position(record)})
        _deliver([message], what="a waiting-list confirmation")
    # Any other status: the sign-up changed before this ran (cancelled at once, say); that change has its email.


def send_offer(sign_up_pk: int) -> None:
    """Email the next person on the waiting list their time-limited offer of a place."""
    record = _load(sign_up_pk)
    if record is None or record.status != SignUp.Status.OFFERED:
        return
    _deliver([_message(record, "offer", extra={"deadline": offer_deadline(record)})], what="a waiting-list offer")


def send_session_cancelled(sign_up_pk: int) -> None:
    """Tell a learner the session they signed up for was cancelled."""
    record = _load(sign_up_pk)
    if record is None:
        return
    _deliver([_message(record, "session_cancelled")], what="a session cancellation")


def send_place_cancelled(sign_up_pk: int) -> None:
    """Tell a learner the organiser cancelled their place (or their place on the waiting list)."""
    record = _load(sign_up_pk)
    if record is None or record.status != SignUp.Status.CANCELLED:
        return
    _deliver([_message(record, "place_cancelled")], what="a cancelled place")


def send_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind confirmed learners of sessions starting within the next day, once each. Returns how many sessions."""
    now = now or timezone.now()
    due = Session.objects.filter(
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_AHEAD,
        is_cancelled=False,
        reminder_sent_at__isnull=True,
        activity__status=Activity.Status.PUBLISHED,
    ).values_list("pk", flat=True)
    claimed = []
    for pk in list(due[:1000]):
        # Claimed one at a time by a conditional UPDATE: two runs at once never remind a session twice.
        if Session.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
            claimed.append(pk)
    if not claimed:
        return 0
    learners = (
        SignUp.objects.filter(session_id__in=claimed, status=SignUp.Status.CONFIRMED)
        .select_related("person", "session__activity__unit", "session__activity__organiser")
        .select_related("session__workplace", "session__room__centre")
        .order_by("session_id", "pk")
    )
    _deliver((_message(record, "reminder") for record in learners.iterator(chunk_size=500)), what="reminders")
    return len(claimed)
