"""Mailings and newsletters: what a unit sends (its blocks), to whom (the audience), and what happened to each
message (one `Recipient` row per person).

A mailing goes only to people whose recorded consent of its kind is active when it is queued and again when each
message is sent: never inferred. Each message carries its own unsubscribe link; only a hash of the link's token
is kept, so the table cannot be used to unsubscribe anyone.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from learningdesk.learning.models import Activity, Resource, Subject
from learningdesk.org.models import Consent, Employer, OrgUnit, Person, Workplace
from learningdesk.surveys.models import Survey


class Mailing(models.Model):
    """A newsletter or other email from a unit to an audience in the sender's scope."""

    class Kind(models.TextChoices):
        NEWSLETTER = "newsletter", "Newsletter"
        LEARNING_NEWS = "learning_news", "News about learning opportunities"
        OTHER = "other", "Another union learning message"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    class AudienceKind(models.TextChoices):
        UNIT = "unit", "Everyone in a branch or region"
        EMPLOYERS = "employers", "People working for employers"
        WORKPLACES = "workplaces", "People at workplaces"
        REPS = "reps", "Current reps"
        LEARNERS = "learners", "Learners of an activity"
        SURVEY_SUBJECT = "survey_subject", "Survey respondents who asked for a subject"

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="mailings", help_text="It is sent in this unit's name."
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NEWSLETTER)
    subject = models.CharField("email subject", max_length=150)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    show_in_archive = models.BooleanField(
        "show in the public archive",
        default=False,
        help_text="Once sent, anyone can read it on the unit's public newsletter page (without anyone's details).",
    )

    # Who it goes to: one kind of audience, with what that kind needs.
    audience_kind = models.CharField(max_length=16, choices=AudienceKind.choices, blank=True)
    audience_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    audience_employers = models.ManyToManyField(Employer, blank=True, related_name="+")
    audience_workplaces = models.ManyToManyField(Workplace, blank=True, related_name="+")
    audience_activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    audience_survey = models.ForeignKey(Survey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    audience_subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    members_only = models.BooleanField("members only", default=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Set when it is sent: who pressed Send, when, and how many of the audience were left out, and why.
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The chain of batch tasks now sending it (sending.py): starting again ("Resume sending") begins a new chain,
    # and a task of an older one stops, so two chains never share out the rate limit between them.
    sending_chain = models.CharField(max_length=32, blank=True, editable=False)
    last_batch_at = models.DateTimeField(null=True, blank=True, editable=False)
    left_out_no_consent = models.PositiveIntegerField(default=0)
    left_out_no_email = models.PositiveIntegerField(default=0)
    left_out_shared_email = models.PositiveIntegerField(default=0)
    # What was sent, rendered once when it was queued: every message and the public archive show exactly this,
    # however the activities and resources it names change later.
    body_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)
    archive_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "-queued_at"], name="comms_mailing_unit_status"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def consent_kind(self) -> str:
        """The consent a person must have given (and not withdrawn) to receive it.

        Other union learning messages are about learning too: they need the same consent as learning news.
        """
        if self.kind == self.Kind.NEWSLETTER:
            return Consent.Kind.NEWSLETTER
        return Consent.Kind.LEARNING_NEWS

    @property
    def consent_label(self) -> str:
        return Consent.Kind(self.consent_kind).label

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class MailingBlock(models.Model):
    """One part of a mailing, in order: upcoming activities, resources, or an article."""

    class Kind(models.TextChoices):
        ACTIVITIES = "activities", "Upcoming activities"
        RESOURCES = "resources", "Learning resources"
        ARTICLE = "article", "Article"

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="blocks")
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    heading = models.CharField(max_length=150, blank=True)
    text = models.TextField(
        blank=True,
        help_text="Plain text. Leave a blank line between paragraphs; start a line with “- ” for a list; "
        "**two stars** for bold; [words](https://link) for a link.",
    )
    activities = models.ManyToManyField(Activity, blank=True, related_name="+")
    resources = models.ManyToManyField(Resource, blank=True, related_name="+")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The heading it shows under: its own, or one for its kind."""
        return self.heading or DEFAULT_HEADINGS.get(self.kind, "")


DEFAULT_HEADINGS: dict[str, str] = {MailingBlock.Kind.ACTIVITIES: "Coming up", MailingBlock.Kind.RESOURCES: "Resources"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Recipient(models.Model):
    """One person's copy of a mailing and what became of it.

    The send claims a row (queued -> sending) before handing the message to the mail server and marks it sent
    straight after. A row still "sending" long after its claim belonged to a worker that stopped part way: the
    server may or may not have taken the message, so it becomes "not known" and is never sent again by itself.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        SKIPPED = "skipped", "Not sent"
        UNKNOWN = "unknown", "Not known if sent"

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    # Null once the person is erased (privacy): the row stays, anonymous, so the mailing's counts stay true.
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField("email address at sending", blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=250, blank=True)
    unsubscribe_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "person"], condition=Q(person__isnull=False), name="comms_recipient_once"
            )
        ]
        indexes = [
            models.Index(fields=["mailing", "status"], name="comms_recipient_status"),
        ]

    def __str__(self) -> str:
        return f"{self.mailing} to recipient {self.pk}: {self.get_status_display()}"
