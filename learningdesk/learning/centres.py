"""Learning centres and their rooms: saving them, the sessions booked in them, and their usage per month."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.accounts.services import save_and_audit
from learningdesk.learning.models import LearningCentre, Room, Session, SignUp

USAGE_MONTHS = 12


def clean_centre(centre: LearningCentre) -> None:
    errors = {}
    if centre.workplace_id is None and not centre.address.strip():
        errors["workplace"] = "Choose the workplace that hosts it, or enter the address of the venue"
    if centre.opened_on and centre.closed_on and centre.closed_on < centre.opened_on:
        errors["closed_on"] = "The date it closed must be on or after the date it opened"
    if errors:
        raise ValidationError(errors)


def centre_save(centre: LearningCentre, *, acting_user: User, fields: list[str]) -> LearningCentre:
    """Add or change a learning centre (closing one is setting `closed_on`), with an audit record."""
    clean_centre(centre)
    with transaction.atomic():
        save_and_audit(actor=acting_user, record=centre, unit_id=centre.unit_id, fields=fields)
    return centre


def room_name_taken(room: Room) -> bool:
    """Whether the centre has another room of that name (whatever its capitals)."""
    return Room.objects.filter(centre_id=room.centre_id, name__iexact=room.name.strip()).exclude(pk=room.pk).exists()


ROOM_NAME_TAKEN = "This centre already has a room called “{name}”. Give this room a different name"


def room_save(room: Room, *, acting_user: User, fields: list[str]) -> Room:
    """Add or change a room of a centre. Room names are unique within their centre."""
    room.name = room.name.strip()
    if room_name_taken(room):
        raise ValidationError({"name": ROOM_NAME_TAKEN.format(name=room.name)})
    is_new = room.pk is None
    try:
        with transaction.atomic():
            save_and_audit(actor=acting_user, record=room, unit_id=room.centre.unit_id, fields=fields)
    except IntegrityError as error:  # the same name added at the same moment by someone else
        if is_new:
            room.pk = None
        raise ValidationError({"name": ROOM_NAME_TAKEN.format(name=room.name)}) from error
    return room


def upcoming_bookings(centre: LearningCentre, *, limit: int = 20) -> QuerySet[Session]:
    """The next live sessions booked in the centre's rooms."""
    return (
        Session.objects.filter(room__centre=centre, is_cancelled=False, ends_at__gte=timezone.now())
        .select_related("activity", "room")
        .order_by("starts_at", "id")[:limit]
    )


@dataclass(frozen=True)
class MonthUsage:
    month: datetime.date  # the first of the month
    sessions: int
    learners: int  # different people who attended
    hours: Decimal  # of the sessions held

    @property
    def label(self) -> str:
        return f"{self.month:%b %Y}"


def _months(today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the last `count` months, the oldest first, ending with this month."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _hours(length: datetime.timedelta | None) -> Decimal:
    return Decimal((length or datetime.timedelta()).total_seconds() / 3600).quantize(Decimal("0.1"))


def usage_by_month(centre: LearningCentre, *, today: datetime.date | None = None) -> list[MonthUsage]:
    """Sessions held in the centre's rooms, the learners who attended them and the hours, per month for the
    last twelve months (this one included; sessions still to come are not counted). Two queries."""
    now = timezone.now()
    today = today or timezone.localdate()
    months = _months(today, USAGE_MONTHS)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(months[0], datetime.time(), tzinfo=zone)
    held = Session.objects.filter(room__centre=centre, is_cancelled=False, starts_at__gte=start, starts_at__lt=now)
    in_month = TruncMonth("starts_at", tzinfo=zone)
    length = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    per_month = {
        _as_date(row["month"]): row
        for row in held.annotate(month=in_month)
        .values("month")
        .annotate(sessions=Count("id"), length=Sum(length))
        .order_by()
    }
    learners = {
        _as_date(row["month"]): row["learners"]
        for row in SignUp.objects.filter(session__in=held.values("pk"), status=SignUp.Status.ATTENDED)
        .annotate(month=TruncMonth("session__starts_at", tzinfo=zone))
        .values("month")
        .annotate(learners=Count("person", distinct=True))
        .order_by()
    }
    return [
        MonthUsage(
            month=month,
            sessions=per_month[month]["sessions"] if month in per_month else 0,
            learners=learners.get(month, 0),
            hours=_hours(per_month[month]["length"] if month in per_month else None),
        )
        for month in months
    ]
