"""Working with the employer: contacts and conversations, learning agreements and their key elements, the joint
learning committee, time off for learners (and the negotiation a refusal opens), facility-time publication
figures, and funding.

Everything here belongs to an employer; scoping (`org/scoping.py`, "Employers" section) follows the employer's
visibility, and an employer contact signed in sees only what was shared with their employer.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from learningdesk.learning.models import Activity
from learningdesk.org.models import Employer, OrgUnit, Person, Workplace
from learningdesk.reps.models import Rep


def money(verbose_name: str, **options: object) -> models.DecimalField:
    """An amount in pounds and pence, never negative."""
    return models.DecimalField(
        verbose_name,
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        **options,  # type: ignore[arg-type]
    )


class Per(models.TextChoices):
    WEEK = "week", "a week"
    MONTH = "month", "a month"


# Contacts -----------------------------------------------------------------------------------------


class EmployerContact(models.Model):
    """Someone on the employer's side: the training manager, HR, a line manager."""

    class Kind(models.TextChoices):
        TRAINING_MANAGER = "training_manager", "Training manager"
        HR = "hr", "HR"
        LINE_MANAGER = "line_manager", "Line manager"
        SENIOR_MANAGER = "senior_manager", "Senior manager"
        OTHER = "other", "Other"

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=120)
    kind = models.CharField("role", max_length=20, choices=Kind.choices, default=Kind.TRAINING_MANAGER)
    job_title = models.CharField(max_length=120, blank=True)
    workplace = models.ForeignKey(
        Workplace, null=True, blank=True, on_delete=models.SET_NULL, related_name="employer_contacts"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    notes = models.TextField(blank=True)
    # Set when the co-ordinator invites them to sign in: they then see what is shared with their employer.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="employer_contact"
    )
    is_current = models.BooleanField("still in post", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_current", "name"]
        indexes = [models.Index(fields=["employer", "name"])]

    def __str__(self) -> str:
        return self.name


class ContactNote(models.Model):
    """A conversation with an employer contact: what was said and what happens next."""

    class Method(models.TextChoices):
        MEETING = "meeting", "Meeting"
        PHONE = "phone", "Phone call"
        EMAIL = "email", "Email"
        VIDEO = "video", "Video call"
        OTHER = "other", "Other"

    contact = models.ForeignKey(EmployerContact, on_delete=models.CASCADE, related_name="conversations")
    on = models.DateField("date", default=datetime.date.today)
    method = models.CharField("how", max_length=10, choices=Method.choices, default=Method.MEETING)
    summary = models.TextField("what was said")
    next_step = models.CharField("what happens next", max_length=250, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} on {self.on:%d/%m/%Y}"


# Learning agreements -----------------------------------------------------------------------------


class Element(models.TextChoices):
    """The key elements of a learning agreement, from the co-ordinators' handbook."""

    PURPOSE = "purpose", "An introduction: the purpose"
    DEFINITIONS = "definitions", "Definitions"
    ROLES = "roles", "Roles, responsibilities and commitments"
    EQUALITIES = "equalities", "Equalities"
    DISAGREEMENTS = "disagreements", "Resolution of disagreements"
    COMMITTEE = "committee", "A joint learning committee"
    FACILITY_TIME = "facility_time", "Facility time for ULRs and the learning co-ordinator"
    TIME_OFF = "time_off", "Time off for learners"
    REVIEW_DATE = "review_date", "A review date"
    LEGISLATION = "legislation", "References to legislation and the skills agenda"


class LearningAgreement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        NEGOTIATING = "negotiating", "In negotiation"
        SIGNED = "signed", "Signed"
        EXPIRED = "expired", "Expired"
        ENDED = "ended", "Ended"

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="learning_agreements")
    title = models.CharField(max_length=160, default="Learning agreement")
    # The branches (or region) whose members it covers; reps at the employer's workplaces in them get its time.
    units = models.ManyToManyField(OrgUnit, related_name="learning_agreements", verbose_name="units covered")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    signed_on = models.DateField(null=True, blank=True)
    review_on = models.DateField("review date", null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    negotiated_by = models.ManyToManyField(
        Person, blank=True, related_name="negotiated_agreements", verbose_name="negotiated for the union by"
    )
    employer_negotiators = models.CharField("negotiated for the employer by", max_length=250, blank=True)
    # The agreed facility time (TULRCA s.168A for ULRs): it feeds each rep's allowance in the ULR register.
    ulr_hours = models.DecimalField(
        "facility time for each ULR (hours)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(200)],
    )
    ulr_per = models.CharField(max_length=6, choices=Per.choices, default=Per.WEEK)
    coordinator_hours = models.DecimalField(
        "facility time for the learning co-ordinator (hours)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(200)],
    )
    coordinator_per = models.CharField(max_length=6, choices=Per.choices, default=Per.WEEK)
    learner_hours = models.CharField(
        "time off for learners", max_length=250, blank=True, help_text="What it says, e.g. 50% of course time."
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["employer__name", "-signed_on", "-id"]
        indexes = [models.Index(fields=["status", "review_on"], name="employers_agreement_review")]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True)
                | Q(review_on__isnull=True)
                | Q(review_on__gte=models.F("signed_on")),
                name="employers_agreement_review_after_signing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.employer})"

    @property
    def is_live(self) -> bool:
        """Signed and not ended: the agreement the workplace runs on."""
        return self.status == self.Status.SIGNED


class AgreementElement(models.Model):
    """One key element of an agreement, as the agreement has it."""

    class State(models.TextChoices):
        PRESENT = "present", "Present"
        WEAK = "weak", "Weak"
        MISSING = "missing", "Missing"

    agreement = models.ForeignKey(LearningAgreement, on_delete=models.CASCADE, related_name="elements")
    element = models.CharField(max_length=16, choices=Element.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.MISSING)
    notes = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["agreement", "id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "element"], name="employers_element_once")]

    def __str__(self) -> str:
        return f"{self.get_element_display()}: {self.get_state_display()}"


def agreement_document_path(instance: AgreementDocument, filename: str) -> str:
    """A random name: the uploader's file name is kept in the database, never used on disk."""
    return f"agreements/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class AgreementDocument(models.Model):
    """A version of the agreement's text, as uploaded (PDF or DOCX, checked by content)."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word document"

    agreement = models.ForeignKey(LearningAgreement, on_delete=models.CASCADE, related_name="documents")
    version = models.PositiveIntegerField()
    file = models.FileField(upload_to=agreement_document_path)
    original_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField("what changed", max_length=250, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreement", "-version"]
        constraints = [models.UniqueConstraint(fields=["agreement", "version"], name="employers_document_version")]

    def __str__(self) -> str:
        return f"Version {self.version}: {self.original_name}"


# The joint learning committee -------------------------------------------------------------------


class LearningCommittee(models.Model):
    """The joint learning committee an agreement sets up: union and employer side, meeting regularly."""

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="learning_committees")
    agreement = models.ForeignKey(
        LearningAgreement, null=True, blank=True, on_delete=models.SET_NULL, related_name="committees"
    )
    name = models.CharField(max_length=160, default="Joint learning committee")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["employer__name", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.employer}"


class CommitteeMeeting(models.Model):
    committee = models.ForeignKey(LearningCommittee, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField("date")
    starts_at = models.TimeField("time", null=True, blank=True)
    place = models.CharField(max_length=160, blank=True)
    union_attendees = models.ManyToManyField(
        Person, blank=True, related_name="committee_meetings", verbose_name="union side"
    )
    employer_attendees = models.ManyToManyField(
        EmployerContact, blank=True, related_name="committee_meetings", verbose_name="employer side"
    )
    other_attendees = models.CharField("others present", max_length=250, blank=True)
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["committee", "held_on"])]

    def __str__(self) -> str:
        return f"{self.committee.name}, {self.held_on:%d/%m/%Y}"


class CommitteeAction(models.Model):
    """An action agreed at a committee meeting, owned by someone on either side.

    Kept apart from the rep network's actions: its owner may be on the employer's side, and the co-ordinator
    chooses which ones the employer's contacts see.
    """

    class Side(models.TextChoices):
        UNION = "union", "Union"
        EMPLOYER = "employer", "Employer"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    meeting = models.ForeignKey(CommitteeMeeting, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField("what", max_length=250)
    side = models.CharField("whose action", max_length=8, choices=Side.choices, default=Side.UNION)
    owner_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="committee_actions"
    )
    owner_contact = models.ForeignKey(
        EmployerContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="committee_actions"
    )
    owner_name = models.CharField("who", max_length=120, blank=True, help_text="If they are not listed.")
    due_on = models.DateField("by when", null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(null=True, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["status", "due_on", "id"]
        indexes = [models.Index(fields=["meeting", "status"])]

    def __str__(self) -> str:
        return self.description

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None

    @property
    def who(self) -> str:
        if self.owner_person_id:
            return self.owner_person.full_name  # type: ignore[union-attr]
        if self.owner_contact_id:
            return self.owner_contact.name  # type: ignore[union-attr]
        return self.owner_name

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.due_on is not None
            and self.due_on < (today or timezone.localdate())
        )


def shared_findings_path(instance: SharedFinding, filename: str) -> str:
    return f"shared-findings/{uuid.uuid4().hex}.pdf"


class SharedFinding(models.Model):
    """A survey's findings report shared with an employer: the PDF as it was when shared (aggregate only)."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="shared_findings")
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="shared_findings")
    title = models.CharField(max_length=200)
    summary = models.TextField("a few lines for the employer", blank=True)
    pdf = models.FileField(upload_to=shared_findings_path)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-shared_at"]

    def __str__(self) -> str:
        return self.title


# Time off for learners ---------------------------------------------------------------------------


class TimeOffRequest(models.Model):
    """A member's request for paid time off to learn, and the manager's decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        PARTLY = "partly", "Partly approved"
        REFUSED = "refused", "Refused"

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="time_off_requests")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="time_off_requests")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="time_off_requests"
    )
    learning = models.CharField(
        "the learning", max_length=200, blank=True, help_text="If it is not an activity on Learning Desk."
    )
    hours = models.DecimalField(
        "hours asked for", max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    requested_on = models.DateField(default=datetime.date.today)
    manager = models.ForeignKey(
        EmployerContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="time_off_decisions"
    )
    manager_name = models.CharField("manager", max_length=120, blank=True, help_text="If they are not listed.")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    hours_approved = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    reason = models.TextField("the manager's reason", blank=True)
    decided_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-requested_on", "-id"]
        indexes = [models.Index(fields=["employer", "requested_on"])]

    def __str__(self) -> str:
        return f"{self.hours} hours for {self.person}"

    @property
    def what(self) -> str:
        return self.activity.title if self.activity_id else self.learning  # type: ignore[union-attr]


class NegotiationCase(models.Model):
    """A refused request taken up with the employer: "negotiation — they have refused time off"."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        WON = "won", "Time off given"
        PARTLY = "partly", "Some time off given"
        LOST = "lost", "Refusal stood"
        WITHDRAWN = "withdrawn", "Member withdrew"

    request = models.OneToOneField(TimeOffRequest, on_delete=models.CASCADE, related_name="case")
    opened_on = models.DateField(default=datetime.date.today)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="negotiation_cases"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    # Closing as won or partly changes the request's hours approved; reopening the case puts these back.
    hours_before_outcome = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["status", "-opened_on", "-id"]

    def __str__(self) -> str:
        return f"Time off for {self.request.person}"


class CaseNote(models.Model):
    case = models.ForeignKey(NegotiationCase, on_delete=models.CASCADE, related_name="notes")
    on = models.DateField("date", default=datetime.date.today)
    text = models.TextField("what happened")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"Note of {self.on:%d/%m/%Y}"


# Facility time publication figures ---------------------------------------------------------------


class FacilityTimeReturn(models.Model):
    """The branch's own version of a public-sector employer's yearly facility-time figures.

    The Trade Union (Facility Time Publication Requirements) Regulations 2017: a relevant period runs from
    1 April to 31 March. The pay inputs are the user's (the pay bill and each official's hourly cost); the
    hours come from the facility time reps logged.
    """

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="facility_time_returns")
    year = models.PositiveSmallIntegerField(
        "year starting 1 April", validators=[MinValueValidator(2017), MaxValueValidator(2100)]
    )
    total_pay_bill = money("the employer's total pay bill (£)", null=True, blank=True)
    full_time_hours = models.DecimalField(
        "full-time hours a week",
        max_digits=5,
        decimal_places=2,
        default=Decimal("37.00"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(80)],
    )
    employer_figures = models.TextField(
        "what the employer published", blank=True, help_text="To compare with the branch's own figures."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["employer__name", "-year"]
        constraints = [models.UniqueConstraint(fields=["employer", "year"], name="employers_return_once")]

    def __str__(self) -> str:
        return f"{self.employer}, {self.period_name}"

    @property
    def starts_on(self) -> datetime.date:
        return datetime.date(self.year, 4, 1)

    @property
    def ends_on(self) -> datetime.date:
        return datetime.date(self.year + 1, 3, 31)

    @property
    def period_name(self) -> str:
        return f"1 April {self.year} to 31 March {self.year + 1}"


class ReturnOfficial(models.Model):
    """A relevant union official in a return, with the pay inputs their figures need."""

    facility_return = models.ForeignKey(FacilityTimeReturn, on_delete=models.CASCADE, related_name="officials")
    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="facility_returns")
    hours_per_week = models.DecimalField(
        "contracted hours a week",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(80)],
    )
    weeks = models.DecimalField(
        "weeks as an official in the year",
        max_digits=4,
        decimal_places=1,
        default=Decimal("52.0"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("52.2"))],
    )
    hourly_cost = money(
        "hourly cost to the employer (£)", help_text="Pay plus on-costs, per hour.", null=True, blank=True
    )
    # Officials filled in from the register when the return is made start with full-time hours, a guess until
    # someone saves the officials' form (employers/facility_figures.py).
    hours_checked = models.BooleanField("contracted hours checked", default=False)

    class Meta:
        ordering = ["facility_return", "rep__person__last_name"]
        constraints = [models.UniqueConstraint(fields=["facility_return", "rep"], name="employers_official_once")]

    def __str__(self) -> str:
        return str(self.rep)


# Funding -----------------------------------------------------------------------------------------


class FundingBid(models.Model):
    """A bid or grant for learning: where from, how much, what it pays for."""

    class Source(models.TextChoices):
        UNION_LEARNING_FUND = "union_fund", "Union learning fund"
        EMPLOYER = "employer", "Employer"
        BRANCH = "branch", "Branch"
        REGION = "region", "Region or national office"
        GOVERNMENT = "government", "Government or devolved skills fund"
        CHARITY = "charity", "Charity or trust"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        SUBMITTED = "submitted", "Submitted"
        AWARDED = "awarded", "Awarded"
        REFUSED = "refused", "Refused"
        SPENT = "spent", "Spent and closed"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="funding_bids")
    employer = models.ForeignKey(
        Employer, null=True, blank=True, on_delete=models.SET_NULL, related_name="funding_bids"
    )
    title = models.CharField(max_length=160)
    source = models.CharField(max_length=12, choices=Source.choices)
    funder = models.CharField("funder's name", max_length=160, blank=True)
    amount = money("amount (£)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    submitted_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    funds = models.TextField("what it pays for", blank=True)
    activities = models.ManyToManyField(Activity, blank=True, related_name="funding_bids")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return self.title
