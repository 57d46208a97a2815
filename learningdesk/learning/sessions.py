"""Adding, changing and cancelling sessions: where and when, and the rooms they book."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.learning import tasks
from learningdesk.learning.models import PLACE_HOLDING, Room, Session, SignUp


def clean_venue(session: Session) -> None:
    """The venue fields that go with the kind of venue: a workplace, a room, an address or a link."""
    needs: dict[str, tuple[str, str]] = {
        Session.Venue.WORKPLACE: ("workplace", "Choose the workplace."),
        Session.Venue.ROOM: ("room", "Choose the learning centre room."),
        Session.Venue.ADDRESS: ("address", "Enter the address."),
        Session.Venue.ONLINE: ("online_url", "Enter the link learners use to join."),
    }
    name, message = needs[session.venue]
    if not getattr(session, name if name in ("address", "online_url") else f"{name}_id"):
        raise ValidationError({name: message})
    # Keep only what belongs to the chosen venue, so an old room booking does not linger.
    if session.venue != Session.Venue.WORKPLACE:
        session.workplace = None
    if session.venue != Session.Venue.ROOM:
        session.room = None
    if session.venue != Session.Venue.ADDRESS:
        session.address = ""
    if session.venue != Session.Venue.ONLINE:
        session.online_url = ""


def room_clash(session: Session) -> Session | None:
    """Another live session in the same room whose time overlaps this one's, if any."""
    if session.room_id is None:
        return None
    return (
        Session.objects.filter(
            room_id=session.room_id, is_cancelled=False, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at
        )
        .exclude(pk=session.pk)
        .select_related("activity")
        .first()
    )


def session_save(session: Session, *, acting_user: User | None = None) -> Session:
    """Save a new or changed session. A room is never double-booked, and capacity never drops below the
    places taken (new places go to the waiting list)."""
    clean_venue(session)
    if session.ends_at <= session.starts_at:
        raise ValidationError({"ends_at": "The end must be after the start."})
    is_new = session.pk is None
    with transaction.atomic():
        if session.room_id is not None:
            # Lock the room, so two people booking it at once are checked one after the other.
            Room.objects.select_for_update().filter(pk=session.room_id).first()
            clash = room_clash(session)
            if clash is not None:
                when = clash.local_start.strftime("%H:%M") + "-" + clash.local_end.strftime("%H:%M on %d %b %Y")
                raise ValidationError({"room": f"The room is booked for {clash.activity.title} from {when}."})
        if is_new:
            session.taken = 0
            session.full_clean()
            session.save()
        else:
            current = Session.objects.select_for_update().get(pk=session.pk)
            if session.capacity < current.taken:
                raise ValidationError(
                    {"capacity": f"{current.taken} places are already taken: the capacity cannot be less than that."}
                )
            session.taken = current.taken
            session.full_clean()
            session.save()
            if session.capacity > current.capacity:
                from learningdesk.learning.signups import offer_next

                offer_next(session)
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CREATED if is_new else AuditEvent.Action.CHANGED,
            target=session,
            unit_id=session.activity.unit_id,
            changes={"fields": ["starts_at", "ends_at", "venue", "capacity"]} if is_new else {},
        )
    return session


def session_cancel(session: Session, *, acting_user: User | None = None) -> int:
    """Cancel a session: every live sign-up is cancelled and the learner told. Returns how many were told."""
    if session.starts_at <= timezone.now():
        raise ValidationError("A session that has started cannot be cancelled: take the register instead.")
    with transaction.atomic():
        current = Session.objects.select_for_update().get(pk=session.pk)
        if current.is_cancelled:
            return 0
        live = list(
            SignUp.objects.select_for_update()
            .filter(session=current, status__in=[*PLACE_HOLDING, SignUp.Status.WAITLISTED])
            .values_list("pk", flat=True)
        )
        SignUp.objects.filter(pk__in=live).update(status=SignUp.Status.CANCELLED, cancelled_at=timezone.now())
        current.is_cancelled = True
        current.taken = 0
        current.save(update_fields=["is_cancelled", "taken"])
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=current,
            unit_id=current.activity.unit_id,
            changes={"fields": ["cancelled"]},
        )
        for pk in live:
            tasks.queue(tasks.send_session_cancelled_email, pk)
    session.is_cancelled = True
    return len(live)
