"""The ULR network: learning reps and prospects, their path, notification and training, support, meetings
and facility time.

A rep belongs to the branch of the person who holds the role (scoping follows `person__branch`), so a
rep moved by a member import moves with them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from learningdesk.org.models import Employer, OrgUnit, Person, Workplace

# TULRCA s.168A(3)-(4): paid time off once the union has notified the employer in writing that the rep has
# been, or will within six months be, trained. The deadline is the same day six months on; where that month
# is shorter, its last day (31 August -> 28 or 29 February).
TRAINING_MONTHS = 6
# Warnings before the deadline, in days: the home page and the emails use these.
DEADLINE_WARNINGS = (60, 30, 7)
DEFAULT_NO_CONTACT_DAYS = 42


def training_deadline(notified_on: datetime.date) -> datetime.date:
    """The last day a notified ULR may complete their training (s.168A: within six months)."""
    return notified_on + relativedelta(months=TRAINING_MONTHS)


class DeadlineStatus(models.TextChoices):
    """How close a notified, untrained ULR is to their training deadline."""

    NONE = "none", "No deadline"
    ON_TRACK = "on_track", "More than 60 days left"
    DAYS_60 = "60", "60 days or fewer left"
    DAYS_30 = "30", "30 days or fewer left"
    DAYS_7 = "7", "7 days or fewer left"
    OVERDUE = "overdue", "Training overdue"


def deadline_status(due_by: datetime.date | None, today: datetime.date) -> DeadlineStatus:
    """The warning level on `today` for a deadline of `due_by` (the deadline day itself is not overdue)."""
    if due_by is None:
        return DeadlineStatus.NONE
    days_left = (due_by - today).days
    if days_left < 0:
        return DeadlineStatus.OVERDUE
    for days, status in ((7, DeadlineStatus.DAYS_7), (30, DeadlineStatus.DAYS_30), (60, DeadlineStatus.DAYS_60)):
        if days_left <= days:
            return status
    return DeadlineStatus.ON_TRACK


class RepKind(models.Model):
    """A kind of learning role, named the way this union names it (a "Learner Rep" may be a "ULR")."""

    class Code(models.TextChoices):
        ULR = "ulr", "Union learning rep"
        LEARNER_REP = "learner_rep", "Learner rep"
        LEARNER_CHAMPION = "learner_champion", "Learner champion"
        DIGITAL_CHAMPION = "digital_champion", "Digital champion"
        COORDINATOR = "coordinator", "Learning co-ordinator"
        TUTOR = "tutor", "Tutor or assessor"

    code = models.CharField(max_length=20, choices=Code.choices, unique=True, editable=False)
    name = models.CharField(max_length=60, unique=True)
    name_plural = models.CharField(max_length=60)
    description = models.CharField(max_length=250, blank=True)
    # TULRCA s.168A covers union learning representatives only; champions have no statutory time off.
    has_statutory_rights = models.BooleanField(
        "statutory rights",
        default=False,
        help_text="Notified to the employer under TULRCA s.168A, with the six-month training deadline.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    """A rep's path, in order. `Rep.stage` only moves forward, except to "stood down" from anywhere."""

    PROSPECT = "prospect", "Prospect"
    APPROACHED = "approached", "Approached"
    AGREED = "agreed", "Agreed to stand"
    NOTIFIED = "notified", "Notified to the employer"
    TRAINING_BOOKED = "training_booked", "Training booked"
    TRAINED = "trained", "Trained"
    ACTIVE = "active", "Active"
    STOOD_DOWN = "stood_down", "Stood down"


STAGE_ORDER: tuple[str, ...] = tuple(Stage.values)
# The stages a rep is "in the network" at (counted as a rep, not a prospect).
CURRENT_REP_STAGES = (Stage.NOTIFIED, Stage.TRAINING_BOOKED, Stage.TRAINED, Stage.ACTIVE)
# The date field on Rep that records when each milestone was first reached (the funnel counts them).
MILESTONE_FIELDS = {
    Stage.APPROACHED: "approached_on",
    Stage.AGREED: "agreed_on",
    Stage.NOTIFIED: "notified_on",
    Stage.TRAINED: "trained_on",
    Stage.ACTIVE: "active_on",
    Stage.STOOD_DOWN: "stood_down_on",
}


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(stage)


class Source(models.TextChoices):
    """Who the prospect is (the handbook's "who to target")."""

    ACTIVIST = "activist", "An existing activist"
    APPRENTICE = "apprentice", "An apprentice"
    NEW_MEMBER = "new_member", "A new member"
    COURSE_ATTENDEE = "course_attendee", "Attended a union course"
    EMPLOYER_TRAINING = "employer_training", "Attends the employer's training"
    LEARNING_BACKGROUND = "learning_background", "Has a learning background"
    VOLUNTEER = "volunteer", "Already volunteers (for example a welfare champion)"
    BOOK_SWAP = "book_swap", "Came to a book swap"
    NON_MEMBER_LEARNER = "non_member_learner", "A non-member interested in learning"
    SUPPORTED_MEMBER = "supported_member", "A member the branch supported"
    FEARS_STEWARDING = "fears_stewarding", "Believes in the union but is afraid of being a steward"
    UNION_CONTACT = "union_contact", "A union contact"
    OTHER = "other", "Someone else"


class Method(models.TextChoices):
    """How they were found (the handbook's "how to go about it")."""

    STALL = "stall", "At a learning stall"
    COURSE_TALK = "course_talk", "Talking to learners on a course"
    COURSE_EVALUATION = "course_evaluation", "A course evaluation"
    BRANCH = "branch", "The whole branch getting involved"
    ALL_MEMBER_EMAIL = "all_member_email", "An all-member email"
    WORKPLACE_MAPPING = "workplace_mapping", "Mapping workplaces"
    NEWSLETTER = "newsletter", "A newsletter or branch communication"
    MEETING_INVITE = "meeting_invite", "Invited to a meeting"
    INFO_SESSION = "info_session", "A ULR information session"
    EMPLOYER = "employer", "The employer helped"
    BENEFITS = "benefits", "Publicising the benefits"
    SOG_MEETING = "sog_meeting", "Speaking at a SOG meeting"
    CONVERSATION = "conversation", "A conversation with a rep"
    SIGN_UP = "sign_up", "Said so when signing up for learning"
    OTHER = "other", "Another way"


class Motivation(models.TextChoices):
    """Why people become reps (the handbook's answers): knowing it helps find the next ones."""

    STEWARD_TOO_SCARY = "steward_too_scary", "Wanted to get involved, but being a steward seemed too scary"
    HELPING_PEOPLE = "helping_people", "Loves helping people"
    UNION_COURSES = "union_courses", "Has done union courses and wants to help organise more"
    ASKED_BY_ACTIVIST = "asked_by_activist", "An activist said they would be good"
    STUCK_AT_WORK = "stuck_at_work", "Felt stuck at work"
    GIVE_BACK = "give_back", "The union helped them and they want to give something back"
    EQUALITIES = "equalities", "Already active on equalities"
    SHARE_INTEREST = "share_interest", "Wants to share an interest of their own"
    MISSED_OUT = "missed_out", "Missed out on learning themselves"
    EDUCATION_BACKGROUND = "education_background", "Has a background in education"
    ENGAGEMENT_EVENT = "engagement_event", "Came to a branch engagement event"
    EMAIL = "email", "Got an email and thought it was up their street"
    OWN_DEVELOPMENT = "own_development", "Their own development"


class Barrier(models.TextChoices):
    """Why members say no (the handbook's answers): the branch can answer the common ones."""

    DONT_KNOW_ROLE = "dont_know_role", "Doesn't know what a ULR is"
    NO_TIME = "no_time", "Doesn't have the time"
    NO_MANAGER_SUPPORT = "no_manager_support", "Won't get their manager's support"
    STRIKES = "strikes", "Thinks unions are all about strikes"
    BECOME_STEWARD = "become_steward", "Worried they will be made a steward"
    LET_TEAM_DOWN = "let_team_down", "Too much work: would let their team down"
    TOO_SCARY = "too_scary", "It's too scary"
    ALREADY_A_ULR = "already_a_ulr", "There is already a ULR"
    BAD_LEARNING = "bad_learning", "Their own experience of learning isn't good"
    ON_THEIR_OWN = "on_their_own", "Would be on their own"
    DISCRIMINATION = "discrimination", "The employer may discriminate against them"


class StandDownReason(models.TextChoices):
    LEFT_EMPLOYER = "left_employer", "Left the employer or moved job"
    NO_TIME = "no_time", "No time"
    NO_SUPPORT = "no_support", "No support from their manager"
    PERSONAL = "personal", "Personal reasons"
    OTHER_ROLE = "other_role", "Took on another union role"
    RETIRED = "retired", "Retired"
    LEFT_UNION = "left_union", "Left the union"
    NOT_TRAINED = "not_trained", "Not trained in time"
    OTHER = "other", "Another reason"


class Rep(models.Model):
    """A person holding (or being recruited to) a learning role, at one or more workplaces."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reps")
    kind = models.ForeignKey(RepKind, on_delete=models.PROTECT, related_name="reps")
    workplaces = models.ManyToManyField(Workplace, blank=True, related_name="reps")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PROSPECT)
    stage_on = models.DateField("date of the current stage", default=datetime.date.today)
    # When each milestone was first reached; a rep who skips a stage reaches it on the same day.
    approached_on = models.DateField(null=True, blank=True)
    agreed_on = models.DateField(null=True, blank=True)
    notified_on = models.DateField(null=True, blank=True, help_text="The first written notice to an employer.")
    training_due_by = models.DateField(
        null=True, blank=True, help_text="Six months after the first notice (TULRCA s.168A), until trained."
    )
    trained_on = models.DateField(null=True, blank=True)
    active_on = models.DateField(null=True, blank=True)
    stood_down_on = models.DateField(null=True, blank=True)
    stood_down_reason = models.CharField(max_length=20, choices=StandDownReason.choices, blank=True)

    # Recruiting.
    source = models.CharField("who they are", max_length=24, choices=Source.choices, blank=True)
    method = models.CharField("how they were found", max_length=24, choices=Method.choices, blank=True)
    motivation_notes = models.TextField("why they are interested, in their words", blank=True)
    barrier_notes = models.TextField("what holds them back, in their words", blank=True)

    # After training: what they learnt, ideas, concerns, what they want to do.
    skills_interests = models.TextField("skills and interests", blank=True)
    learnt = models.TextField("what they learnt", blank=True)
    ideas = models.TextField(blank=True)
    concerns = models.TextField(blank=True)
    wants_to_do = models.TextField("what they want to do", blank=True)
    further_training_wanted = models.TextField(blank=True)
    plan_reviewed_on = models.DateField("action plan last reviewed", null=True, blank=True)

    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["person__last_name", "person__first_name", "id"]
        constraints = [
            # A person holds each kind of role once at a time; after standing down they may take it up again.
            models.UniqueConstraint(
                fields=["person", "kind"], condition=~Q(stage="stood_down"), name="reps_rep_one_current_per_kind"
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "kind"], name="reps_rep_stage_kind"),
            models.Index(fields=["training_due_by"], name="reps_rep_training_due_by"),
        ]

    def __str__(self) -> str:
        return f"{self.person.full_name}, {self.kind.name}"

    @property
    def is_current(self) -> bool:
        return self.stage != Stage.STOOD_DOWN

    @property
    def is_prospect(self) -> bool:
        return stage_index(self.stage) < stage_index(Stage.NOTIFIED) and self.stage != Stage.STOOD_DOWN

    @property
    def owes_training(self) -> bool:
        """A notified ULR not yet trained: the six-month rule runs."""
        return self.training_due_by is not None and self.trained_on is None and self.is_current

    def deadline_status(self, today: datetime.date | None = None) -> DeadlineStatus:
        if not self.owes_training:
            return DeadlineStatus.NONE
        return deadline_status(self.training_due_by, today or timezone.localdate())

    def days_to_deadline(self, today: datetime.date | None = None) -> int | None:
        if not self.owes_training or self.training_due_by is None:
            return None
        return (self.training_due_by - (today or timezone.localdate())).days


class RepReason(models.Model):
    """One motivation or barrier a prospect gave: a row each, so the branch can count the common ones."""

    class Kind(models.TextChoices):
        MOTIVATION = "motivation", "Motivation"
        BARRIER = "barrier", "Barrier"

    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="reasons")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    code = models.CharField(max_length=24)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rep", "kind", "code"], name="reps_reason_once")]

    def __str__(self) -> str:
        labels = dict(Motivation.choices if self.kind == self.Kind.MOTIVATION else Barrier.choices)
        return str(labels.get(self.code, self.code))


class StageChange(models.Model):
    """One step on a rep's path: the history stays when the stage moves on."""

    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    on = models.DateField()
    note = models.CharField(max_length=250, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} on {self.on:%d/%m/%Y}"


class EmployerNotification(models.Model):
    """The union's written notice to an employer that a person is a ULR (TULRCA s.168A(3)).

    `letter` keeps what the letter said when it was recorded, so it can be produced again exactly.
    """

    class Method(models.TextChoices):
        EMAIL = "email", "By email"
        POST = "post", "By post"
        HAND = "hand", "By hand"

    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="notifications")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="rep_notifications")
    sent_on = models.DateField("date sent")
    method = models.CharField(max_length=8, choices=Method.choices, default=Method.EMAIL)
    contact_name = models.CharField("employer contact", max_length=120)
    contact_job_title = models.CharField("contact's job title", max_length=120, blank=True)
    contact_email = models.EmailField("contact's email", blank=True)
    contact_address = models.TextField("contact's postal address", blank=True)
    training_due_by = models.DateField(editable=False)
    letter = models.JSONField(default=dict, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_on", "-id"]

    def __str__(self) -> str:
        return f"Notified {self.employer} on {self.sent_on:%d/%m/%Y}"


class TrainingRecord(models.Model):
    """A course a rep booked or took."""

    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="training")
    course = models.CharField(max_length=160)
    provider = models.CharField(max_length=160, blank=True)
    on = models.DateField("date")
    completed = models.BooleanField(default=False)
    is_initial = models.BooleanField(
        "initial rep training",
        default=False,
        help_text="The course that qualifies them as a rep (for a ULR, it meets the six-month rule).",
    )
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return self.course


class SupportContact(models.Model):
    """A 1-2-1, check-in, message or meeting with a rep, tagged with the ABC(D&E) of ULR support."""

    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "1-2-1"
        CHECK_IN = "check_in", "Check-in"
        MESSAGE = "message", "Message or email"
        PHONE = "phone", "Phone call"
        MEETING = "meeting", "Meeting"

    # The ABC(D&E) of ULR support, from the handbook.
    TAGS = (
        ("appreciation", "Appreciation"),
        ("benefits", "Benefits"),
        ("communicate", "Communicate"),
        ("develop", "Develop"),
        ("empower", "Empower"),
    )

    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="support_contacts")
    on = models.DateField("date", default=datetime.date.today)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ONE_TO_ONE)
    notes = models.TextField(blank=True)
    appreciation = models.BooleanField(default=False, help_text="Recognised and thanked them")
    benefits = models.BooleanField(default=False, help_text="Talked about what motivates them")
    communicate = models.BooleanField(default=False, help_text="Kept them up to date")
    develop = models.BooleanField(default=False, help_text="Helped them explore and try things")
    empower = models.BooleanField(default=False, help_text="Let them lead, asked for their help")
    reviewed_plan = models.BooleanField("reviewed their action plan", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["rep", "-on"], name="reps_support_rep_on")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on:%d/%m/%Y}"

    @property
    def tags(self) -> list[str]:
        return [label for name, label in self.TAGS if getattr(self, name)]


class RepMeeting(models.Model):
    """A ULR meeting of a unit: reps are invited, attendance is taken, notes and actions follow."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="rep_meetings")
    title = models.CharField(max_length=160, default="ULR meeting")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=250, blank=True, help_text="A room and address, or 'Online'.")
    online_link = models.URLField(blank=True)
    agenda = models.TextField(blank=True)
    notes = models.TextField("notes of the meeting", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["unit", "starts_at"], name="reps_meeting_unit_starts")]

    def __str__(self) -> str:
        return f"{self.title}, {timezone.localtime(self.starts_at):%d/%m/%Y}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The meeting must end after it starts."})


class MeetingInvite(models.Model):
    class Attendance(models.TextChoices):
        INVITED = "invited", "Invited"
        ATTENDED = "attended", "Attended"
        APOLOGIES = "apologies", "Sent apologies"
        ABSENT = "absent", "Did not come"

    meeting = models.ForeignKey(RepMeeting, on_delete=models.CASCADE, related_name="invites")
    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="meeting_invites")
    attendance = models.CharField(max_length=12, choices=Attendance.choices, default=Attendance.INVITED)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "rep__person__last_name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "rep"], name="reps_invite_once")]

    def __str__(self) -> str:
        return f"{self.rep} at {self.meeting}"


class Action(models.Model):
    """Something someone agreed to do, by a date: from a 1-2-1, a rep's action plan or a meeting."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="rep_actions")
    rep = models.ForeignKey(Rep, null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    support_contact = models.ForeignKey(
        SupportContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    meeting = models.ForeignKey(RepMeeting, null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    is_plan = models.BooleanField("part of the rep's action plan", default=False)
    description = models.CharField("what", max_length=250)
    support_needed = models.CharField("support they need", max_length=250, blank=True)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="rep_actions_owned"
    )
    owner_name = models.CharField("who", max_length=120, blank=True, help_text="If they are not on Learning Desk.")
    due_on = models.DateField("by when", null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_on", "due_on", "id"]
        indexes = [models.Index(fields=["unit", "done_on", "due_on"], name="reps_action_open")]

    def __str__(self) -> str:
        return self.description

    @property
    def who(self) -> str:
        return self.owner.full_name if self.owner else self.owner_name

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.done_on is None and self.due_on is not None and self.due_on < (today or timezone.localdate())


class Recognition(models.Model):
    """Appreciation given: the A of the ABC(D&E). Shown on the rep's page and in the branch report."""

    class Kind(models.TextChoices):
        THANKED = "thanked", "Thanked them"
        TOLD_BRANCH = "told_branch", "Told the branch"
        TOLD_REGION = "told_region", "Told the region"
        NOMINATED = "nominated", "Nominated for an award"
        AWARD = "award", "Won an award"

    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="recognitions")
    on = models.DateField("date", default=datetime.date.today)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    note = models.CharField("what for", max_length=250, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class FacilityAllowance(models.Model):
    """Facility time agreed with an employer for a rep (later fed by the learning agreement)."""

    class Per(models.TextChoices):
        WEEK = "week", "a week"
        MONTH = "month", "a month"

    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="facility_allowances")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="facility_allowances")
    hours = models.DecimalField(
        max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(200)]
    )
    per = models.CharField(max_length=6, choices=Per.choices, default=Per.WEEK)
    agreed_on = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=250, blank=True)
    # Set when the allowance comes from a learning agreement's facility-time clause (employers/agreements.py).
    agreement = models.ForeignKey(
        "employers.LearningAgreement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facility_allowances",
    )

    class Meta:
        ordering = ["employer__name"]
        constraints = [models.UniqueConstraint(fields=["rep", "employer"], name="reps_allowance_once")]

    def __str__(self) -> str:
        return f"{self.hours} hours {self.get_per_display()}"

    @property
    def hours_per_month(self) -> Decimal:
        """Weekly hours as a monthly figure (52 weeks over 12 months), so the two can be compared."""
        if self.per == self.Per.MONTH:
            return self.hours
        return (self.hours * 52 / 12).quantize(Decimal("0.01"))


class FacilityTimeEntry(models.Model):
    """Time a rep spent on union duties, logged by them (often on a phone, straight after)."""

    class Purpose(models.TextChoices):
        # TULRCA s.168A(2): the ULR functions.
        ANALYSING = "analysing", "Analysing learning or training needs"
        ADVISING = "advising", "Advising members about learning"
        ARRANGING = "arranging", "Arranging learning or training"
        PROMOTING = "promoting", "Promoting the value of learning"
        CONSULTING = "consulting", "Consulting the employer"
        OWN_TRAINING = "own_training", "Own training as a rep"
        OTHER_UNION = "other_union", "Other union duties"
        # TULRCA s.170: union activities (branch meetings, conferences), which the 2017 Regulations count apart.
        UNION_ACTIVITIES = "activities", "Union activities (meetings, conferences)"

    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="time_entries")
    employer = models.ForeignKey(
        Employer, null=True, blank=True, on_delete=models.SET_NULL, related_name="facility_time_entries"
    )
    on = models.DateField("date", default=datetime.date.today)
    hours = models.DecimalField(
        max_digits=4, decimal_places=2, validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(24)]
    )
    purpose = models.CharField("what for", max_length=16, choices=Purpose.choices)
    note = models.CharField(max_length=250, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name_plural = "facility time entries"
        indexes = [models.Index(fields=["rep", "on"], name="reps_time_rep_on")]

    def __str__(self) -> str:
        return f"{self.hours} hours on {self.on:%d/%m/%Y}"


# The time a ULR spends on these is the time TULRCA s.168A gives them paid time off for.
ULR_FUNCTIONS = tuple(
    p
    for p in FacilityTimeEntry.Purpose
    if p not in (FacilityTimeEntry.Purpose.OTHER_UNION, FacilityTimeEntry.Purpose.UNION_ACTIVITIES)
)


class Conversation(models.Model):
    """A rep's conversation with a member or worker about learning, logged from their phone."""

    class About(models.TextChoices):
        LEARNING_NEEDS = "learning_needs", "What they would like to learn"
        COURSE = "course", "A course or activity"
        FUNCTIONAL_SKILLS = "functional_skills", "English, maths or digital skills"
        CAREER = "career", "Career or job"
        BECOMING_A_REP = "becoming_a_rep", "Becoming a rep"
        JOINING = "joining", "Joining the union"
        OTHER = "other", "Something else"

    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="conversations")
    on = models.DateField("date", default=datetime.date.today)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="rep_conversations"
    )
    name = models.CharField("who with", max_length=120, blank=True, help_text="A first name is enough.")
    about = models.CharField(max_length=20, choices=About.choices)
    notes = models.TextField(blank=True)
    follow_up = models.BooleanField("needs a follow-up", default=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["rep", "-on"], name="reps_conversation_rep_on")]

    def __str__(self) -> str:
        return f"{self.get_about_display()} on {self.on:%d/%m/%Y}"


class RecruitmentTarget(models.Model):
    """How many new reps a unit means to recruit in a period ("8 new ULRs this year")."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="rep_targets")
    kind = models.ForeignKey(
        RepKind, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Leave blank for any."
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    target = models.PositiveIntegerField("how many", validators=[MinValueValidator(1)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.target} new {self.kind.name_plural if self.kind else 'reps'}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end date must be on or after the start date."})


class BranchRepSettings(models.Model):
    """A unit's own settings for looking after its reps."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="rep_settings")
    no_contact_days = models.PositiveSmallIntegerField(
        "days without contact before a rep is flagged",
        default=DEFAULT_NO_CONTACT_DAYS,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
    )
    weekly_digest = models.BooleanField("send co-ordinators a weekly digest email", default=True)

    class Meta:
        verbose_name_plural = "branch rep settings"

    def __str__(self) -> str:
        return f"Rep settings for {self.unit}"


class SentReminder(models.Model):
    """A deadline warning or digest already emailed: running the reminders twice never sends twice."""

    class Kind(models.TextChoices):
        DEADLINE = "deadline", "Training deadline warning"
        DIGEST = "digest", "Weekly digest"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=80, help_text="What was sent: for example 'rep:12:2027-02-28:30'.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="reps_reminder_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"
