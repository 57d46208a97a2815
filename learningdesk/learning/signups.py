"""Signing up, the waiting list and attendance: every change to a session's places goes through here.

Capacity is an invariant of the database, not of a form. A place is taken by one conditional UPDATE
(`taken = taken + 1 WHERE taken < capacity`), which PostgreSQL runs under the row's lock and SQLite under
its write lock (transactions BEGIN IMMEDIATE, settings/base.py), so two people can never both take the last
place; a CHECK constraint (`taken <= capacity`) backs it up. A place is given back by `taken - 1` in the
same transaction as the status change that frees it, and the next person on the waiting list is offered it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.learning import tasks
from learningdesk.learning.models import LIVE, PLACE_HOLDING, Session, SignUp
from learningdesk.learning.selectors import forget_activity_page
from learningdesk.org.models import Consent, OrgUnit, Person, Workplace

# How long a waiting-list offer stays open, at most (never past the session's start).
OFFER_HOURS = 24


class DuplicateSignUp(Exception):
    """The person already has a live sign-up for the session."""

    def __init__(self, existing: SignUp) -> None:
        super().__init__(f"Already signed up: {existing.get_status_display()}")
        self.existing = existing


class SessionClosed(Exception):
    """The session has started, was cancelled, or its activity is not open for sign-up."""


@dataclass
class Details:
    """What a learner (or a rep at a stall) typed into the sign-up form."""

    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    workplace: Workplace | None = None
    workplace_text: str = ""
    says_member: bool | None = None
    membership_number: str = ""
    access_needs: str = ""
    # Kinds of Consent ticked "yes"; an unticked box records nothing (consent is never inferred).
    consents: set[str] = field(default_factory=set)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def match_person(details: Details, unit: OrgUnit) -> Person | None:
    """The existing person these details name, by membership number or else by email, or None.

    Several people with one email (a shared family address): the one in the activity's subtree, else the
    oldest record. Nothing about the match is ever shown to the visitor.
    """
    number = details.membership_number.strip()
    if number:
        person = Person.objects.filter(membership_number=number).first()
        if person is not None:
            return person
    email = details.email.strip().lower()
    if not email:
        return None
    candidates = list(Person.objects.filter(email_key=email).select_related("branch").order_by("pk")[:20])
    for person in candidates:
        if person.branch.path.startswith(unit.path):
            return person
    return candidates[0] if candidates else None


def _new_contact(details: Details, unit: OrgUnit) -> Person:
    """A non-member contact in the activity's unit: whoever they are, they are not shown as a member until
    the membership system (or a co-ordinator) says so."""
    workplace = details.workplace
    return Person.objects.create(
        first_name=details.first_name.strip()[:80],
        last_name=details.last_name.strip()[:80],
        email=details.email.strip(),
        phone=details.phone.strip(),
        branch=workplace.branch if workplace is not None else unit,
        workplace=workplace,
        status=Person.Status.NON_MEMBER,
    )


def record_consents(
    *, person: Person, kinds: set[str], method: str, source: str, acting_user: User | None = None
) -> None:
    """Record each consent the person ticked as given now, with how and where (a withdrawn one is given anew)."""
    now = timezone.now()
    for kind in sorted(kinds):
        Consent.objects.update_or_create(
            person=person,
            kind=kind,
            defaults={
                "given": True,
                "method": method,
                "source": source[:200],
                "recorded_at": now,
                "withdrawn_at": None,
                "recorded_by": acting_user if acting_user is not None and acting_user.is_authenticated else None,
            },
        )


def _take_place(session: Session) -> bool:
    """Take one of the session's places if one is free: one atomic conditional UPDATE."""
    return bool(Session.objects.filter(pk=session.pk, taken__lt=F("capacity")).update(taken=F("taken") + 1))


def _give_back_place(session: Session) -> None:
    Session.objects.filter(pk=session.pk, taken__gt=0).update(taken=F("taken") - 1)


def check_open(session: Session, *, walk_in: bool = False) -> None:
    """Raise SessionClosed unless people may sign up for this session now."""
    if session.is_cancelled or session.activity.status != session.activity.Status.PUBLISHED:
        raise SessionClosed("This session is not open for sign-up.")
    if not walk_in and session.starts_at <= timezone.now():
        raise SessionClosed("This session has already started.")


def sign_up(
    *,
    session: Session,
    details: Details,
    source: str,
    acting_user: User | None = None,
    person: Person | None = None,
) -> SignUp:
    """Sign someone up: a confirmed place if one is free, else a place on the waiting list.

    The person is `person` if given (an organiser chose them), else the one the details match, else a new
    non-member contact. Raises DuplicateSignUp if they already have a live sign-up for the session, and
    SessionClosed if it is not open. A walk-in (source WALK_IN) is marked attended at once and needs a place.
    """
    walk_in = source == SignUp.Source.WALK_IN
    check_open(session, walk_in=walk_in)
    unit = session.activity.unit
    method = Consent.Method.ONLINE if source == SignUp.Source.PUBLIC else Consent.Method.IN_PERSON
    try:
        with transaction.atomic():
            # Sign-ups for one session go one at a time (PostgreSQL: the session's row lock; SQLite: its write
            # lock), so the same new learner pressing "sign up" twice is matched, not made twice.
            Session.objects.select_for_update().only("pk").get(pk=session.pk)
            person = person or match_person(details, unit) or _new_contact(details, unit)
            existing = SignUp.objects.filter(session=session, person=person, status__in=LIVE).first()
            if existing is not None:
                raise DuplicateSignUp(existing)
            placed = _take_place(session)
            if walk_in and not placed:
                raise ValidationError("The session is full: raise its capacity to add a walk-in.")
            now = timezone.now()
            if walk_in:
                status = SignUp.Status.ATTENDED
            else:
                status = SignUp.Status.CONFIRMED if placed else SignUp.Status.WAITLISTED
            record = SignUp.objects.create(
                session=session,
                person=person,
                status=status,
                source=source,
                given_name=details.full_name[:160],
                given_email=details.email.strip(),
                given_phone=details.phone.strip()[:30],
                given_workplace=(details.workplace.name if details.workplace else details.workplace_text)[:160],
                given_membership_number=details.membership_number.strip()[:30],
                says_member=details.says_member,
                access_needs=details.access_needs.strip(),
                was_member=person.status == Person.Status.MEMBER,
                created_at=now,
                created_by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
                attendance_recorded_at=now if walk_in else None,
                attendance_recorded_by=acting_user if walk_in and acting_user is not None else None,
            )
            record_consents(
                person=person,
                kinds=details.consents,
                method=method,
                source=f"Sign-up for {session.activity.title} ({session.local_start:%d %b %Y})",
                acting_user=acting_user,
            )
            from learningdesk.learning import follow_ups

            follow_ups.from_sign_up(record, details=details, acting_user=acting_user)
    except IntegrityError as error:  # the same person signing up twice at the same moment
        existing = SignUp.objects.filter(session=session, person=person, status__in=LIVE).first()
        if existing is None:
            raise
        raise DuplicateSignUp(existing) from error
    if not walk_in:
        tasks.queue(tasks.send_sign_up_email, record.pk)
    return record


def cancel(record: SignUp, *, acting_user: User | None = None) -> SignUp:
    """Cancel a sign-up (the learner's link, or the organiser): its place goes to the waiting list."""
    with transaction.atomic():
        current = SignUp.objects.select_for_update().select_related("session").get(pk=record.pk)
        if current.status not in (SignUp.Status.CONFIRMED, SignUp.Status.WAITLISTED, SignUp.Status.OFFERED):
            raise ValidationError(f"This sign-up cannot be cancelled: it is {current.get_status_display().lower()}.")
        held = current.status in PLACE_HOLDING
        current.status = SignUp.Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.save(update_fields=["status", "cancelled_at"])
        if held:
            _give_back_place(current.session)
            offer_next(current.session)
    return current


def offer_next(session: Session, *, now: datetime.datetime | None = None) -> list[SignUp]:
    """Offer free places to the people at the head of the waiting list, one place each, by email.

    Runs inside the transaction that freed the place (or on its own); the emails go once it commits.
    """
    now = now or timezone.now()
    session.refresh_from_db(fields=["starts_at", "is_cancelled", "taken", "capacity"])
    if session.is_cancelled or session.starts_at <= now:
        return []
    expires = min(now + datetime.timedelta(hours=OFFER_HOURS), session.starts_at)
    offered = []
    with transaction.atomic():
        queue = SignUp.objects.select_for_update().filter(session=session, status=SignUp.Status.WAITLISTED)
        for waiting in queue.order_by("created_at", "pk"):
            if not _take_place(session):
                break
            waiting.status = SignUp.Status.OFFERED
            waiting.offered_at = now
            waiting.offer_expires_at = expires
            waiting.save(update_fields=["status", "offered_at", "offer_expires_at"])
            offered.append(waiting)
    for record in offered:
        tasks.queue(tasks.send_offer_email, record.pk)
    return offered


def accept_offer(record: SignUp) -> SignUp:
    """The learner takes the place they were offered (it was held for them)."""
    with transaction.atomic():
        current = SignUp.objects.select_for_update().get(pk=record.pk)
        if current.status != SignUp.Status.OFFERED:
            raise ValidationError("This offer is no longer open.")
        if current.offer_expires_at is not None and current.offer_expires_at <= timezone.now():
            raise ValidationError("This offer has lapsed: the place went to the next person on the waiting list.")
        current.status = SignUp.Status.CONFIRMED
        current.save(update_fields=["status"])
    tasks.queue(tasks.send_sign_up_email, current.pk)
    return current


def expire_offers(*, now: datetime.datetime | None = None) -> int:
    """Lapse the offers past their time and offer the places to the next people. Returns how many lapsed."""
    now = now or timezone.now()
    lapsed = 0
    due = SignUp.objects.filter(status=SignUp.Status.OFFERED, offer_expires_at__lte=now).values_list("pk", flat=True)
    for pk in list(due[:1000]):
        with transaction.atomic():
            current = SignUp.objects.select_for_update().select_related("session").get(pk=pk)
            if current.status != SignUp.Status.OFFERED:
                continue
            current.status = SignUp.Status.EXPIRED
            current.save(update_fields=["status"])
            _give_back_place(current.session)
            offer_next(current.session, now=now)
            lapsed += 1
    return lapsed


def move(record: SignUp, *, to: Session, acting_user: User | None = None) -> SignUp:
    """Change a sign-up to another session of the same activity: a place there, or its waiting list."""
    if to.activity_id != record.session.activity_id or to.pk == record.session_id:
        raise ValidationError("Choose another session of the same activity.")
    check_open(to)
    details = Details(
        first_name=record.given_name or record.person.full_name,
        last_name="",
        email=record.given_email,
        phone=record.given_phone,
        workplace_text=record.given_workplace,
        says_member=record.says_member,
        membership_number=record.given_membership_number,
        access_needs=record.access_needs,
    )
    with transaction.atomic():
        cancel(record, acting_user=acting_user)
        return sign_up(session=to, details=details, source=record.source, acting_user=acting_user, person=record.person)


def mark_attendance(record: SignUp, *, attended: bool | None, acting_user: User | None = None) -> SignUp:
    """Tick a learner in the register (attended), record a no-show, or (None) take the mark off again, back to
    a confirmed place; each can be corrected later."""
    with transaction.atomic():
        current = SignUp.objects.select_for_update().get(pk=record.pk)
        if current.status not in (SignUp.Status.CONFIRMED, SignUp.Status.ATTENDED, SignUp.Status.NO_SHOW):
            raise ValidationError(
                f"Only confirmed learners go in the register: this one is {current.get_status_display().lower()}."
            )
        if attended is None:
            current.status = SignUp.Status.CONFIRMED
            current.attendance_recorded_at = None
            current.attendance_recorded_by = None
        else:
            current.status = SignUp.Status.ATTENDED if attended else SignUp.Status.NO_SHOW
            current.attendance_recorded_at = timezone.now()
            current.attendance_recorded_by = acting_user
        current.save(update_fields=["status", "attendance_recorded_at", "attendance_recorded_by"])
    return current


def change_capacity(session: Session, capacity: int) -> Session:
    """Set a session's capacity: never below the places already taken; new places go to the waiting list."""
    with transaction.atomic():
        updated = Session.objects.filter(pk=session.pk, taken__lte=capacity).update(capacity=capacity)
        session.refresh_from_db(fields=["capacity", "taken"])
        forget_activity_page(session.activity_id)
        if not updated:
            raise ValidationError(
                {"capacity": f"{session.taken} places are already taken: the capacity cannot be less than that."}
            )
        offer_next(session)
    return session
