"""The learning programme: activities and their sessions, sign-ups and the waiting list, attendance,
outcomes and evaluation, learning centres and the resource catalogue.

An activity belongs to a unit (scoping follows `unit`). Its sessions carry the places: `Session.taken`
counts the sign-ups that hold a place and is only ever changed by a conditional UPDATE in
`learning/signups.py`, so capacity holds even when many people take the last places at once.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from learningdesk.org.models import OrgUnit, Person, Workplace, validate_time_zone


class ActivityType(models.Model):
    """A kind of learning activity (the handbook's 23), renamed or extended by a national administrator."""

    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=250, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("in use", default=True, help_text="Types no longer in use are not offered.")

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Subject(models.Model):
    """What an activity is about. Functional skills and ESOL count as basic skills (the measures use it)."""

    name = models.CharField(max_length=80, unique=True)
    is_basic_skills = models.BooleanField(
        "basic skills", default=False, help_text="Functional skills English, maths, digital, and ESOL."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    """Entry levels 1-3 and levels 1-8 of the Regulated Qualifications Framework, in order."""

    ENTRY_1 = "e1", "Entry level 1"
    ENTRY_2 = "e2", "Entry level 2"
    ENTRY_3 = "e3", "Entry level 3"
    LEVEL_1 = "1", "Level 1"
    LEVEL_2 = "2", "Level 2 (GCSE grades 9-4)"
    LEVEL_3 = "3", "Level 3 (A level)"
    LEVEL_4 = "4", "Level 4"
    LEVEL_5 = "5", "Level 5 (foundation degree)"
    LEVEL_6 = "6", "Level 6 (degree)"
    LEVEL_7 = "7", "Level 7 (master's degree)"
    LEVEL_8 = "8", "Level 8 (doctorate)"


LEVEL_ORDER: tuple[str, ...] = tuple(Level.values)


def level_rank(level: str) -> int | None:
    """0 for entry level 1 up to 10 for level 8; None for no level (progression compares ranks)."""
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else None


class Provider(models.Model):
    """Who delivers learning: a college, the union, an online provider, the employer or a community group."""

    class Kind(models.TextChoices):
        COLLEGE = "college", "College or training provider"
        UNION = "union", "The union"
        ONLINE = "online", "Online provider"
        EMPLOYER = "employer", "Employer"
        COMMUNITY = "community", "Community organisation"
        OTHER = "other", "Other"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="learning_providers")
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField("still used", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="learning_provider_unique_name")]

    def __str__(self) -> str:
        return self.name


class ProviderContact(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=120)
    job_title = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Audience(models.TextChoices):
    MEMBERS = "members", "Members only"
    OPEN = "open", "Open to non-members"
    FAMILY = "family", "Members, non-members and their families"


class Funding(models.TextChoices):
    FREE = "free", "Free (no cost)"
    BRANCH = "branch", "Branch budget"
    UNION = "union", "Union learning fund"
    EMPLOYER = "employer", "Employer"
    PROVIDER = "provider", "Provider (funded place)"
    GRANT = "grant", "Grant or project funding"
    LEARNER = "learner", "The learner pays"
    OTHER = "other", "Other"


class Activity(models.Model):
    """A piece of learning a unit organises: a course, a stall, a book swap, a webinar, a walk."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (not shown to the public)"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="learning_activities")
    title = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    type = models.ForeignKey(ActivityType, on_delete=models.PROTECT, related_name="activities")
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="activities")
    level = models.CharField(max_length=2, choices=Level.choices, blank=True)
    qualification = models.CharField("accredited qualification", max_length=160, blank=True)
    awarding_body = models.CharField(max_length=120, blank=True)
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.MEMBERS)
    funding = models.CharField("funding source", max_length=10, choices=Funding.choices, default=Funding.FREE)
    cost = models.DecimalField(
        "cost to the branch (£)",
        max_digits=9,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    organiser = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_activities",
        help_text="The ULR or co-ordinator who runs it.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["unit", "status"], name="learning_activity_unit_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ActivityHelper(models.Model):
    """A rep or volunteer who staffs an activity: delegated work, visible."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="helpers")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="activities_helped")
    task = models.CharField(max_length=120, blank=True, help_text="For example: staffing the stall at lunchtime.")

    class Meta:
        ordering = ["person__last_name", "person__first_name"]
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="learning_helper_once")]

    def __str__(self) -> str:
        return f"{self.person} helps with {self.activity}"


class LearningCentre(models.Model):
    """A place for learning: at a workplace or a community venue, with rooms and opening hours."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="learning_centres")
    name = models.CharField(max_length=160)
    workplace = models.ForeignKey(
        Workplace,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learning_centres",
        help_text="The workplace that hosts it, if it is at one.",
    )
    address = models.TextField(blank=True, help_text="For a community venue.")
    opening_hours = models.TextField(blank=True)
    equipment = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def is_open_on(self, day: datetime.date) -> bool:
        return (self.opened_on is None or self.opened_on <= day) and (self.closed_on is None or self.closed_on > day)


class Room(models.Model):
    centre = models.ForeignKey(LearningCentre, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=80)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Seats, if it matters.")
    equipment = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="learning_room_unique_name")]

    def __str__(self) -> str:
        return f"{self.name}, {self.centre.name}"


class Session(models.Model):
    """One meeting of an activity: when, where (or online), and how many places."""

    class Venue(models.TextChoices):
        WORKPLACE = "workplace", "At a workplace"
        ROOM = "room", "In a learning centre room"
        ADDRESS = "address", "At another address"
        ONLINE = "online", "Online"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_time_zone],
        help_text="The organiser's time zone: the times are entered and shown in it.",
    )
    venue = models.CharField(max_length=10, choices=Venue.choices, default=Venue.WORKPLACE)
    workplace = models.ForeignKey(
        Workplace, null=True, blank=True, on_delete=models.SET_NULL, related_name="learning_sessions"
    )
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions")
    address = models.TextField(blank=True)
    online_url = models.URLField(
        "online link", max_length=500, blank=True, help_text="Shown only to confirmed learners, never on public pages."
    )
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(100_000)])
    # Places held (confirmed, offered, attended, no-show): changed only by the services in learning/signups.py.
    taken = models.PositiveIntegerField(default=0, editable=False)
    is_cancelled = models.BooleanField(default=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    evaluation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="learning_session_within_capacity"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="learning_session_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["activity", "starts_at"], name="learning_session_activity"),
            models.Index(fields=["starts_at"], name="learning_session_starts"),
            models.Index(fields=["room", "starts_at"], name="learning_session_room"),
        ]

    def __str__(self) -> str:
        return f"{self.activity.title}, {self.local_start:%a %d %b %Y %H:%M}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> datetime.datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime.datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def is_full(self) -> bool:
        return self.taken >= self.capacity

    @property
    def is_online(self) -> bool:
        return self.venue == self.Venue.ONLINE

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def hours(self) -> Decimal:
        return Decimal((self.ends_at - self.starts_at).total_seconds() / 3600).quantize(Decimal("0.01"))

    @property
    def place(self) -> str:
        """Where it happens, in words (never the online link)."""
        if self.venue == self.Venue.ONLINE:
            return "Online"
        if self.venue == self.Venue.ROOM and self.room_id:
            return str(self.room)
        if self.venue == self.Venue.WORKPLACE and self.workplace_id:
            return self.workplace.name  # type: ignore[union-attr]
        return self.address.replace("\n", ", ")


class SignUp(models.Model):
    """A person's place (or place in the queue) at a session."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "On the waiting list"
        OFFERED = "offered", "Offered a place"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Offer lapsed"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "Did not come"

    class Source(models.TextChoices):
        PUBLIC = "public", "Public sign-up page"
        STALL = "stall", "Signed up at a stall"
        STAFF = "staff", "Added by the organiser"
        WALK_IN = "walk_in", "Walked in on the day"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="sign_ups")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sign_ups")
    status = models.CharField(max_length=12, choices=Status.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    # What the learner told us, as they typed it: an existing person's record is never changed by a visitor.
    given_name = models.CharField(max_length=160, blank=True)
    given_email = models.EmailField(blank=True)
    given_phone = models.CharField(max_length=30, blank=True)
    given_workplace = models.CharField("workplace or employer", max_length=160, blank=True)
    given_membership_number = models.CharField(max_length=30, blank=True)
    says_member = models.BooleanField(null=True, blank=True)
    access_needs = models.TextField(blank=True)
    # For "recruited through learning": whether the person was a member when they signed up.
    was_member = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # One live sign-up per person and session, even when two arrive at once.
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=~Q(status__in=["cancelled", "expired"]),
                name="learning_signup_once_per_session",
            )
        ]
        indexes = [
            models.Index(fields=["session", "status", "created_at"], name="learning_signup_queue"),
            models.Index(fields=["person", "created_at"], name="learning_signup_person"),
            # The "learners" measure (reports/measures.py) counts distinct people among the attended sign-ups of
            # the period's sessions from this index alone: 180 ms -> 70 ms for the nation's 100,000 sign-ups.
            models.Index(fields=["session", "status", "person"], name="learning_signup_learners"),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.session}: {self.get_status_display()}"


# The statuses that hold one of a session's places (`Session.taken` counts them).
PLACE_HOLDING = (SignUp.Status.CONFIRMED, SignUp.Status.OFFERED, SignUp.Status.ATTENDED, SignUp.Status.NO_SHOW)
# The statuses of a live sign-up (a second one for the same session is a duplicate).
LIVE = (*PLACE_HOLDING, SignUp.Status.WAITLISTED)


class Outcome(models.Model):
    """What a learner achieved: completing, a qualification, or a step on (progression)."""

    class Kind(models.TextChoices):
        COMPLETED = "completed", "Completed"
        QUALIFICATION = "qualification", "Qualification achieved"
        PROGRESSION = "progression", "Progression"

    class Progression(models.TextChoices):
        LEVEL_UP = "level_up", "Moved up a level"
        NEW_ROLE = "new_role", "New role at work"
        NEW_JOB = "new_job", "New job"
        BECAME_REP = "became_rep", "Became a rep"
        BECAME_ACTIVIST = "became_activist", "Became an activist"
        JOINED_UNION = "joined_union", "Joined the union"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="learning_outcomes")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    achieved_on = models.DateField(default=datetime.date.today)
    qualification_name = models.CharField(max_length=160, blank=True)
    qualification_level = models.CharField(max_length=2, choices=Level.choices, blank=True)
    awarding_body = models.CharField(max_length=120, blank=True)
    progression = models.CharField(max_length=16, choices=Progression.choices, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-achieved_on", "-id"]
        indexes = [models.Index(fields=["person", "achieved_on"], name="learning_outcome_person")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.activity}"


class Evaluation(models.Model):
    """A learner's feedback on what they attended. "Become a ULR" and "join the union" become follow-ups."""

    sign_up = models.OneToOneField(SignUp, on_delete=models.CASCADE, related_name="evaluation")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    learnt = models.TextField("what they learnt", blank=True)
    next_steps = models.TextField("what they would like to do next", blank=True)
    wants_to_be_ulr = models.BooleanField(default=False)
    wants_to_join = models.BooleanField(default=False)
    topics = models.ManyToManyField(Subject, blank=True, related_name="+")
    other_topics = models.CharField(max_length=250, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Evaluation of {self.sign_up}"


class JoinLead(models.Model):
    """A non-member who said they are interested in joining the union: for the co-ordinator to follow up."""

    class Status(models.TextChoices):
        NEW = "new", "To contact"
        CONTACTED = "contacted", "Contacted"
        JOINED = "joined", "Joined"
        NOT_NOW = "not_now", "Not interested for now"

    class Source(models.TextChoices):
        SIGN_UP = "sign_up", "Sign-up form"
        EVALUATION = "evaluation", "Course evaluation"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="join_leads")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="join_leads")
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=12, choices=Source.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status__in=["new", "contacted"]), name="learning_one_open_join_lead"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_status_display()}"


class Resource(models.Model):
    """A learning resource in the catalogue: a recording, manual, video, link or file."""

    class Kind(models.TextChoices):
        WEBINAR = "webinar", "Webinar recording"
        MANUAL = "manual", "Manual or guide"
        VIDEO = "video", "Video"
        LINK = "link", "Link"
        FILE = "file", "File"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Anyone (shown on the public learning pages)"
        MEMBERS = "members", "Members only (signed-in users)"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="learning_resources")
    title = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    url = models.URLField("link", max_length=500, blank=True)
    file = models.FileField(upload_to="resources/%Y/%m/", blank=True)
    subjects = models.ManyToManyField(Subject, blank=True, related_name="resources")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learning_resources",
        help_text="Who keeps it up to date: they get the review reminder.",
    )
    review_by = models.DateField()
    review_reminder_sent_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["unit", "visibility"], name="learning_resource_unit")]

    def __str__(self) -> str:
        return self.title

    def is_out_of_date(self, today: datetime.date | None = None) -> bool:
        return self.review_by < (today or timezone.localdate())


class ResourceAudience(models.Model):
    """Who a resource is aimed at, beyond everyone (the union's equality strands among them)."""

    class Group(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        YOUTH = "youth", "Young members"
        WOMEN = "women", "Women"
        BME = "bme", "Black and minority ethnic members"
        LGBT = "lgbt", "LGBT+ members"
        DISABLED = "disabled", "Disabled members"
        REPS = "reps", "Reps and activists"

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="audiences")
    group = models.CharField(max_length=10, choices=Group.choices)

    class Meta:
        ordering = ["group"]
        constraints = [models.UniqueConstraint(fields=["resource", "group"], name="learning_resource_audience_once")]

    def __str__(self) -> str:
        return self.get_group_display()
