"""The learning programme on the home page: sessions coming up, and what needs doing (full sessions with a
waiting list, join leads nobody has contacted yet)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.learning.models import JoinLead, Session, SignUp
from learningdesk.org import scoping

COMING_UP_DAYS = 14
COMING_UP_SHOWN = 6


@dataclass
class LearningHome:
    coming_up: list[Session] = field(default_factory=list)
    attention: list[dict[str, Any]] = field(default_factory=list)


def learning_home(user: User) -> LearningHome:
    """Sessions of the user's activities in the next fortnight, with their waiting lists, and what needs doing."""
    now = timezone.now()
    activities = scoping.runnable_activities(user).values("pk")
    upcoming = (
        Session.objects.filter(
            activity__in=activities,
            is_cancelled=False,
            starts_at__gte=now,
            starts_at__lt=now + datetime.timedelta(days=COMING_UP_DAYS),
        )
        .annotate(waiting=Count("sign_ups", filter=Q(sign_ups__status=SignUp.Status.WAITLISTED)))
        .select_related("activity", "workplace", "room__centre")
        .order_by("starts_at", "pk")
    )
    home = LearningHome(coming_up=list(upcoming[:COMING_UP_SHOWN]))
    full = (
        Session.objects.filter(
            activity__in=activities, is_cancelled=False, starts_at__gte=now, taken__gte=F("capacity")
        )
        .filter(sign_ups__status=SignUp.Status.WAITLISTED)
        .aggregate(sessions=Count("pk", distinct=True), waiting=Count("sign_ups"))
    )
    if full["sessions"]:
        home.attention.append(
            {
                "url": f"{reverse('learning:activities')}?show=full",
                "text": f"{full['sessions']} full session{'s' if full['sessions'] != 1 else ''} with "
                f"{full['waiting']} {'person' if full['waiting'] == 1 else 'people'} on the waiting list",
            }
        )
    if scoping.get_scope(user).edit:
        new_leads = scoping.visible_join_leads(user).filter(status=JoinLead.Status.NEW).count()
        if new_leads:
            home.attention.append(
                {
                    "url": f"{reverse('learning:leads')}?status=new",
                    "text": f"{new_leads} {'person' if new_leads == 1 else 'people'} interested in joining the union "
                    "to contact",
                }
            )
    return home
