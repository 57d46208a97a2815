"""Targets, committee reports as issued, and the co-ordinator's budget.

The figures themselves are never stored as typed numbers: every actual value is computed from the records by
`reports/measures.py`, the one definition of each measure.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from learningdesk.learning.models import Activity
from learningdesk.org.models import OrgUnit


class Measure(models.TextChoices):
    """The network's measures (DOMAIN.md, "Measures"): targets, dashboards and reports all count these."""

    LEARNERS = "learners", "Learners engaged"
    SIGN_UPS = "sign_ups", "Sign-ups"
    COMPLETIONS = "completions", "Completions"
    QUALIFICATIONS = "qualifications", "Qualifications"
    BASIC_SKILLS = "basic_skills", "Basic-skills learners"
    REPS_RECRUITED = "reps_recruited", "Reps recruited"
    REPS_TRAINED = "reps_trained", "Reps trained"
    ACTIVE_REPS = "active_reps", "Active reps"
    LEARNER_CHAMPIONS = "learner_champions", "Learner champions"
    TUTORS = "tutors", "Tutors"
    LEARNING_CENTRES = "learning_centres", "Learning centres"
    SURVEY_RESPONSES = "survey_responses", "Survey responses"
    RECRUITED_THROUGH_LEARNING = "recruited", "Non-members recruited through learning"
    AGREEMENTS_SIGNED = "agreements_signed", "Learning agreements signed"


class Target(models.Model):
    """What a unit aims for on one measure over a period. Progress is computed live, never typed."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="targets")
    measure = models.CharField(max_length=24, choices=Measure.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    value = models.PositiveIntegerField("target")
    note = models.CharField(max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["unit__path", "starts_on", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "measure", "starts_on", "ends_on"], name="reports_target_once"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="reports_target_dates"),
        ]
        indexes = [models.Index(fields=["unit", "ends_on"], name="reports_target_unit_end")]

    def __str__(self) -> str:
        return f"{self.get_measure_display()}: {self.value} ({self.starts_on:%d %b %Y} to {self.ends_on:%d %b %Y})"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end date must be on or after the start date."})


class CommitteeReport(models.Model):
    """A report for a unit and period: a draft while it is written, then issued and kept exactly as sent."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", "Committee report"
        STEERING = "steering", "Progress report for a steering group"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="committee_reports")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMITTEE)
    title = models.CharField(max_length=200)
    starts_on = models.DateField("period from")
    ends_on = models.DateField("period to")
    commentary = models.TextField("co-ordinator's commentary", blank=True)
    budget_request = models.TextField("budget and resources asked for", blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    # The figures as they were when the report was issued (JSON), so it can be shown again unchanged.
    data = models.JSONField(default=dict, blank=True)
    pdf = models.FileField(upload_to="reports/%Y/", blank=True)
    docx = models.FileField(upload_to="reports/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    docx_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-ends_on", "-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "-ends_on"], name="reports_report_unit_end")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="reports_report_dates"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED


class Budget(models.Model):
    """The learning co-ordinator's budget for a year: what the branch gives (funding comes from FundingBid)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="learning_budgets")
    starts_on = models.DateField("year starts on")
    from_branch = models.DecimalField("from the branch (£)", max_digits=10, decimal_places=2, default=0)
    notes = models.TextField(blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["unit__path", "-starts_on"]
        constraints = [models.UniqueConstraint(fields=["unit", "starts_on"], name="reports_budget_once_a_year")]

    def __str__(self) -> str:
        return f"Budget from {self.starts_on:%d %B %Y}"


class Spend(models.Model):
    """Money spent from a budget, on an activity or on something else (a stall, materials, travel)."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="spends")
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="spends")
    description = models.CharField(max_length=200)
    amount = models.DecimalField("amount (£)", max_digits=10, decimal_places=2)
    spent_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-spent_on", "-id"]

    def __str__(self) -> str:
        return f"{self.description}: £{self.amount}"


# Part B (dashboards) ------------------------------------------------------------------------------------------


class DashboardSnapshot(models.Model):
    """A unit's home-page figures as a task last counted them (reports/dashboard.py).

    Counting a year of a national union's learning takes longer than a home page may: the page reads the last
    count and, when it is a few minutes old, asks the task worker for a fresh one. Still counted from the records
    by `reports/measures.py`, never typed.
    """

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="dashboard_snapshot")
    counted_at = models.DateTimeField()
    # This year's figures, the monthly trends and the targets' actual values (reports/dashboard.py says how).
    data = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Dashboard figures counted at {self.counted_at:%d %b %Y %H:%M}"
