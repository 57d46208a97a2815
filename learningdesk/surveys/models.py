"""Learning surveys and skills audits: surveys of sections and questions, invitations, responses and answers.

Anonymous means anonymous in the tables too. An anonymous `Response` has no person, no invitation and no time
of day (only the date), and its invitation records only that it was used (`Invitation.used`, no time), so
nothing in the database joins the two. Breakdowns read the unit, employer, workplace and job group copied on
to the response when it is made, and are shown only in aggregate with small numbers suppressed
(`surveys/suppression.py`).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from learningdesk.org.models import Employer, OrgUnit, Person, Workplace

DEFAULT_THRESHOLD = 10


def new_token() -> str:
    return secrets.token_urlsafe(24)


class PrivacySettings(models.Model):
    """The organisation's small-number threshold: cells under it are suppressed in every breakdown."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="privacy_settings")
    threshold = models.PositiveSmallIntegerField(
        "small-number threshold",
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(3), MaxValueValidator(100)],
        help_text="Counts under this are shown as “fewer than N”, and nothing is broken down until a survey "
        "has at least this many responses.",
    )

    def __str__(self) -> str:
        return f"Threshold {self.threshold}"


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="surveys",
        help_text="A survey of a national or regional unit can be run by every branch below it and rolled up.",
    )
    title = models.CharField(max_length=160)
    introduction = models.TextField(blank=True, help_text="Shown to respondents before they start.")
    is_anonymous = models.BooleanField(
        "anonymous",
        default=True,
        help_text="Anonymous: answers are never linked to anyone. Identified: answers show on the person's page.",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    template = models.CharField(max_length=40, blank=True, editable=False)
    public_token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    commentary = models.TextField(
        "the co-ordinator's commentary", blank=True, help_text="Goes in the findings report, with the figures."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def is_open_on(self, day: object) -> bool:
        """Whether people may answer on that day: open, and between its dates."""
        return (
            self.status == self.Status.OPEN
            and (self.opens_on is None or self.opens_on <= day)  # type: ignore[operator]
            and (self.closes_on is None or self.closes_on >= day)  # type: ignore[operator]
        )


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Choose one"
        MULTIPLE = "multiple", "Choose any"
        SCALE = "scale", "Scale of 1 to 5"
        YES_NO = "yes_no", "Yes or no"
        NUMBER = "number", "A number"
        SHORT_TEXT = "short_text", "Short text"
        LONG_TEXT = "long_text", "Long text"
        SUBJECTS = "subjects", "Choose subjects (learning subjects and activity types)"

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=False)
    # Shown only when an earlier question's answer is this value (a choice's id, "yes"/"no", or "1".."5").
    show_if_question = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="dependants"
    )
    show_if_value = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["section__order", "order", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)

    @property
    def is_text(self) -> bool:
        return self.kind in (self.Kind.SHORT_TEXT, self.Kind.LONG_TEXT)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class Invitation(models.Model):
    """A personal link to a survey. For an anonymous survey it records only that it was used, never when or
    which response it gave."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="survey_invitations")
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    used = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "person"], name="surveys_invite_once")]

    def __str__(self) -> str:
        return f"Invitation to {self.survey}"


class Response(models.Model):
    """One respondent's answers. Anonymous: no person, no invitation, the date only."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # Identified surveys only.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses"
    )
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    # For breakdowns (copied when the response is made; never enough on its own to name anyone).
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    employer = models.ForeignKey(Employer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    workplace = models.ForeignKey(Workplace, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    job_group = models.CharField(max_length=120, blank=True)
    is_complete = models.BooleanField(default=False)  # an identified respondent can save and come back
    submitted_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["survey", "is_complete"], name="surveys_response_survey"),
            models.Index(fields=["survey", "unit"], name="surveys_response_unit"),
            # The "survey responses" measure (reports/measures.py) counts a subtree's completed responses of a
            # period from this index alone: 800 ms -> 220 ms for eight regions' 100,000 responses.
            models.Index(fields=["unit", "is_complete", "submitted_on"], name="surveys_response_unit_day"),
        ]

    def __str__(self) -> str:
        return f"Response to {self.survey}"


class Answer(models.Model):
    """One answer: a choice (one row per chosen option), a subject or activity type, a number, or text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice = models.ForeignKey(Choice, null=True, blank=True, on_delete=models.PROTECT, related_name="answers")
    subject = models.ForeignKey(
        "learning.Subject", null=True, blank=True, on_delete=models.PROTECT, related_name="survey_answers"
    )
    activity_type = models.ForeignKey(
        "learning.ActivityType", null=True, blank=True, on_delete=models.PROTECT, related_name="survey_answers"
    )
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        # Each holds what a count reads (the option and the response it belongs to), so results and breakdowns
        # of 100,000 responses are counted from the indexes without reading the answers' rows.
        indexes = [
            models.Index(fields=["question", "choice", "response"], name="surveys_answer_choice"),
            models.Index(fields=["question", "subject", "activity_type", "response"], name="surveys_answer_subject"),
            models.Index(fields=["question", "number", "response"], name="surveys_answer_number"),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question}"
