"""Evaluation: after a session, each learner who came gets a short feedback form by email (a signed link,
no login). "I'd like to be a ULR" and "I'd like to join the union" become follow-ups for the co-ordinator
through `follow_ups.from_evaluation`, so nobody types them twice."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from learningdesk.learning import follow_ups, tokens
from learningdesk.learning.calendar import absolute
from learningdesk.learning.models import Activity, Evaluation, JoinLead, Session, SignUp
from learningdesk.reps.models import Rep, RepKind

# Sessions that ended longer ago than this get no request: feedback weeks later says little.
REQUEST_WITHIN = datetime.timedelta(days=7)


class AlreadyEvaluated(Exception):
    """The learner has already sent their feedback on this session."""


def evaluation_url(sign_up: SignUp) -> str:
    return absolute(reverse("learn:evaluation", args=[tokens.make(tokens.EVALUATION, sign_up.pk)]))


def learner_email(sign_up: SignUp) -> str:
    """Where to write to: the address they gave when signing up, else their record's."""
    return (sign_up.given_email or sign_up.person.email).strip()


def send_requests(now: datetime.datetime | None = None) -> int:
    """Email the feedback form to each learner who attended a session that ended in the last week, once per
    session. Returns how many emails went."""
    now = now or timezone.now()
    due = Session.objects.filter(
        ends_at__lte=now, ends_at__gt=now - REQUEST_WITHIN, evaluation_sent_at__isnull=True, is_cancelled=False
    ).values_list("pk", flat=True)
    sent = 0
    for session_pk in list(due[:500]):
        # Claim the session first: a second run (or two at once) finds it claimed and sends nothing.
        if not Session.objects.filter(pk=session_pk, evaluation_sent_at__isnull=True).update(evaluation_sent_at=now):
            continue
        sent += _send_for_session(session_pk)
    return sent


def _send_for_session(session_pk: int) -> int:
    learners = SignUp.objects.filter(session_id=session_pk, status=SignUp.Status.ATTENDED).select_related(
        "person", "session__activity__unit"
    )
    messages = []
    for sign_up in learners:
        email = learner_email(sign_up)
        if not email:
            continue
        context = {
            "sign_up": sign_up,
            "session": sign_up.session,
            "activity": sign_up.session.activity,
            "first_name": sign_up.person.first_name or sign_up.given_name.split(" ")[0],
            "url": evaluation_url(sign_up),
        }
        message = EmailMultiAlternatives(
            subject=render_to_string("learning/evaluation/email_request_subject.txt", context).strip(),
            body=render_to_string("learning/evaluation/email_request.txt", context),
            to=[email],
        )
        message.attach_alternative(render_to_string("learning/evaluation/email_request.html", context), "text/html")
        messages.append(message)
    if not messages:
        return 0
    return mailers.default.send_messages(messages) or 0


def evaluation_submit(*, sign_up: SignUp, data: dict[str, Any]) -> Evaluation:
    """Save a learner's feedback, once, and turn "be a ULR" and "join" into follow-ups.

    Raises AlreadyEvaluated if they sent it before (or a moment ago, from another tab).
    """
    try:
        with transaction.atomic():
            if Evaluation.objects.filter(sign_up=sign_up).exists():
                raise AlreadyEvaluated
            evaluation = Evaluation(
                sign_up=sign_up,
                rating=data["rating"],
                learnt=(data.get("learnt") or "").strip(),
                next_steps=(data.get("next_steps") or "").strip(),
                wants_to_be_ulr=bool(data.get("wants_to_be_ulr")),
                wants_to_join=bool(data.get("wants_to_join")),
                other_topics=(data.get("other_topics") or "").strip()[:250],
                submitted_at=timezone.now(),
            )
            evaluation.full_clean(exclude=["sign_up"])
            evaluation.save()
            evaluation.topics.set(data.get("topics") or [])
            follow_ups.from_evaluation(evaluation)
    except IntegrityError as error:  # the same form sent twice at the same moment
        raise AlreadyEvaluated from error
    return evaluation


# The staff summary ----------------------------------------------------------------------------


@dataclass
class FollowUp:
    """Someone who asked, in their evaluation, to be a ULR or to join, with where it went."""

    evaluation: Evaluation
    rep: Rep | None
    lead: JoinLead | None


@dataclass
class Summary:
    count: int
    average: float | None
    topics: list[tuple[str, int]]
    follow_ups: list[FollowUp]


def evaluations_of(activity: Activity) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(sign_up__session__activity=activity)


def summary(activity: Activity) -> Summary:
    """The figures, the topics asked for and the follow-ups of an activity's evaluations."""
    evaluations = evaluations_of(activity)
    figures = evaluations.aggregate(count=Count("pk"), average=Avg("rating"))
    topics = (
        Evaluation.topics.through.objects.filter(evaluation__in=evaluations)
        .values_list("subject__name")
        .annotate(asked=Count("pk"))
        .order_by("-asked", "subject__name")  # type: ignore[misc]  # django-stubs misses the annotation
    )
    asked = list(
        evaluations.filter(Q(wants_to_be_ulr=True) | Q(wants_to_join=True))
        .select_related("sign_up__person")
        .order_by("-submitted_at", "-pk")[:200]
    )
    people = [evaluation.sign_up.person_id for evaluation in asked]
    reps = {
        rep.person_id: rep
        for rep in Rep.objects.filter(person_id__in=people, kind__code=RepKind.Code.ULR).order_by("pk")
    }
    leads: dict[int, JoinLead] = {}
    for lead in JoinLead.objects.filter(person_id__in=people, unit=activity.unit).order_by("created_at", "pk"):
        leads[lead.person_id] = lead  # the newest wins
    return Summary(
        count=figures["count"],
        average=round(figures["average"], 1) if figures["average"] is not None else None,
        topics=[(name, count) for name, count in topics],
        follow_ups=[
            FollowUp(
                evaluation=evaluation,
                rep=reps.get(evaluation.sign_up.person_id) if evaluation.wants_to_be_ulr else None,
                lead=leads.get(evaluation.sign_up.person_id) if evaluation.wants_to_join else None,
            )
            for evaluation in asked
        ],
    )
