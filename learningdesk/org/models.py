"""The organisation tree, employers and workplaces, people, their consents and role assignments."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from treebeard.mp_tree import MP_Node


class UnitKind(models.Model):  # type: ignore[django-manager-missing]  # treebeard MP_Node manager
    """What a level of the tree is called in this organisation: a union's "branch" is a party's "CLP"."""

    name = models.CharField(max_length=60, unique=True)
    name_plural = models.CharField(max_length=60)
    depth = models.PositiveSmallIntegerField(
        unique=True, help_text="1 for the whole organisation, 2 for regions, 3 for branches."
    )

    class Meta:
        ordering = ["depth"]

    def __str__(self) -> str:
        return self.name


unit_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{0,19}$",
    "Use up to 20 capital letters, digits and hyphens, for example EM-DERBY.",
)


class OrgUnit(MP_Node):
    """A node of the organisation tree. Materialised path (treebeard): a subtree is one indexed prefix."""

    name = models.CharField(max_length=120)
    code = models.CharField(
        max_length=20,
        unique=True,
        validators=[unit_code_validator],
        help_text="A short code used in member files, for example EM-DERBY.",
    )
    kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, related_name="units")
    email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    node_order_by = ["name"]

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.code:
            self.code = self.code.strip().upper()


class Employer(models.Model):
    class Sector(models.TextChoices):
        HEALTH = "health", "Health"
        LOCAL_GOVERNMENT = "local_government", "Local government"
        EDUCATION = "education", "Education"
        CIVIL_SERVICE = "civil_service", "Civil service"
        POLICE_JUSTICE = "police_justice", "Police and justice"
        ENERGY_UTILITIES = "energy_utilities", "Energy and utilities"
        MANUFACTURING = "manufacturing", "Manufacturing and engineering"
        TRANSPORT = "transport", "Transport"
        RETAIL = "retail", "Retail and hospitality"
        COMMUNITY = "community", "Community and voluntary"
        FINANCE = "finance", "Finance"
        OTHER = "other", "Other"

    name = models.CharField(max_length=160)
    sector = models.CharField(max_length=32, choices=Sector.choices, default=Sector.OTHER)
    is_public_sector = models.BooleanField(
        "public sector",
        default=False,
        help_text="Public-sector employers publish facility-time figures every year (2017 Regulations).",
    )
    # The unit that looks after the relationship; units below it and units with workplaces here see it.
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="employers")
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="org_employer_name_lower")]

    def __str__(self) -> str:
        return self.name


class Workplace(models.Model):
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="workplaces")
    # The branch that organises this site: people here are in its scope.
    branch = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="workplaces")
    name = models.CharField(max_length=160)
    address = models.TextField(blank=True)
    town = models.CharField(max_length=80, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    headcount = models.PositiveIntegerField(
        "approximate headcount", null=True, blank=True, help_text="Everyone who works here, members or not."
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["branch", "name"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.postcode = " ".join(self.postcode.upper().split())


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone from the list, for example Europe/London.")


class Person(models.Model):
    """A member or a non-member the union deals with. Union membership is special category data."""

    class Status(models.TextChoices):
        MEMBER = "member", "Member"
        NON_MEMBER = "non_member", "Non-member"
        LAPSED = "lapsed", "Lapsed"
        RETIRED = "retired", "Retired"
        UNEMPLOYED = "unemployed", "Unemployed"
        LEFT = "left", "Left"

    membership_number = models.CharField(
        max_length=30, null=True, blank=True, unique=True, help_text="Leave blank for a non-member."
    )
    title = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    # Both foreign keys are indexed by the composite indexes below (they lead them).
    branch = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="people",
        help_text="The unit this person belongs to.",
        db_index=False,
    )
    workplace = models.ForeignKey(
        Workplace, null=True, blank=True, on_delete=models.SET_NULL, related_name="people", db_index=False
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.MEMBER)
    joined_on = models.DateField("date joined", null=True, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    preferred_language = models.CharField(max_length=40, blank=True, default="English")
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # A member import never silently overwrites a field someone changed here since the last import.
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)
    edited_fields = models.CharField(
        max_length=250, blank=True, editable=False, help_text="Fields changed on Learning Desk since the last import."
    )

    # Lower-cased copies kept by the database itself, for indexed prefix search.
    first_name_key = models.GeneratedField(
        expression=Lower("first_name"), output_field=models.CharField(max_length=80), db_persist=True
    )
    last_name_key = models.GeneratedField(
        expression=Lower("last_name"), output_field=models.CharField(max_length=80), db_persist=True
    )
    email_key = models.GeneratedField(
        expression=Lower("email"), output_field=models.CharField(max_length=254), db_persist=True
    )

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "people"
        indexes = [
            # Covers every search within a branch: a number or an email is checked in the index, without
            # reading each person's row (at 15,000 people a branch, that made such a search ten times slower).
            models.Index(
                fields=["branch", "last_name_key", "first_name_key", "membership_number", "email_key"],
                name="org_person_branch_search",
            ),
            models.Index(fields=["workplace", "last_name_key"], name="org_person_workplace_name"),
            # Members per workplace (the reps' workplace mapping) counted from the index alone:
            # 1.6 s -> 0.15 s for a million people on SQLite.
            models.Index(fields=["workplace", "status"], name="org_person_workplace_status"),
            # PostgreSQL only uses an index for LIKE 'abc%' with the pattern operator class; SQLite
            # ignores opclasses and gets a plain index, which serves its range queries (selectors._prefix).
            # With both names in each, a search across a region or the nation sorts by name from the indexes
            # alone and reads only the rows it shows (50 ms down to 6 ms for "wil" among a million people).
            models.Index(
                fields=["last_name_key", "first_name_key"],
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                name="org_person_last_name_like",
            ),
            models.Index(
                fields=["first_name_key", "last_name_key"],
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                name="org_person_first_name_like",
            ),
            models.Index(fields=["email_key"], opclasses=["varchar_pattern_ops"], name="org_person_email_like"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_member(self) -> bool:
        return self.status == self.Status.MEMBER

    def clean(self) -> None:
        self.membership_number = (self.membership_number or "").strip().upper() or None
        self.email = self.email.strip().lower()
        if self.workplace is not None and self.branch_id and self.workplace.branch_id != self.branch_id:
            raise ValidationError(
                {"workplace": "This workplace is organised by another branch. Choose the person's branch first."}
            )
        if self.status == self.Status.MEMBER and not self.membership_number:
            raise ValidationError({"membership_number": "Enter the membership number of a member."})


class Consent(models.Model):
    """A person's yes or no to one kind of contact. Never inferred: always recorded with how and when."""

    class Kind(models.TextChoices):
        LEARNING_NEWS = "learning_news", "News about learning opportunities"
        NEWSLETTER = "newsletter", "Newsletters"
        JOIN_UNION = "join_union", "Follow-up about joining the union"
        BECOME_REP = "become_rep", "Contact about becoming a learning rep"
        # Branch news and the image cards name only people who said yes (reports/newsitem.py).
        NAMED_IN_NEWS = "named_in_news", "Being named in branch news and on social media"

    class Method(models.TextChoices):
        IN_PERSON = "in_person", "In person (paper or at a stall)"
        ONLINE = "online", "Online form"
        EMAIL = "email", "By email"
        PHONE = "phone", "By phone"
        IMPORT = "import", "From the membership system"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    given = models.BooleanField(help_text="Yes if the person agreed, no if they refused or withdrew.")
    method = models.CharField(max_length=16, choices=Method.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(
        max_length=200, blank=True, help_text="Where it was given, for example the sign-up form of an activity."
    )

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="org_consent_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {'yes' if self.given else 'no'}"

    @property
    def is_active(self) -> bool:
        return self.given and self.withdrawn_at is None


PREFER_NOT = ("prefer_not_to_say", "Prefer not to say")


class EqualityRecord(models.Model):
    """Optional equality monitoring, one per person, recorded only with their consent (UK GDPR Art. 9).

    Readable only by roles that need it; reported only in aggregate with small numbers suppressed.
    """

    class AgeBand(models.TextChoices):
        UNDER_25 = "under_25", "Under 25"
        A25_34 = "25_34", "25 to 34"
        A35_44 = "35_44", "35 to 44"
        A45_54 = "45_54", "45 to 54"
        A55_64 = "55_64", "55 to 64"
        A65_PLUS = "65_plus", "65 or over"
        PREFER_NOT_TO_SAY = PREFER_NOT

    class Gender(models.TextChoices):
        WOMAN = "woman", "Woman"
        MAN = "man", "Man"
        NON_BINARY = "non_binary", "Non-binary"
        OTHER = "other", "In another way"
        PREFER_NOT_TO_SAY = PREFER_NOT

    class Ethnicity(models.TextChoices):
        ASIAN = "asian", "Asian or Asian British"
        BLACK = "black", "Black, Black British, Caribbean or African"
        MIXED = "mixed", "Mixed or multiple ethnic groups"
        WHITE = "white", "White"
        OTHER = "other", "Other ethnic group"
        PREFER_NOT_TO_SAY = PREFER_NOT

    class YesNo(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        PREFER_NOT_TO_SAY = PREFER_NOT

    class SexualOrientation(models.TextChoices):
        HETEROSEXUAL = "heterosexual", "Heterosexual or straight"
        GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
        BISEXUAL = "bisexual", "Bisexual"
        OTHER = "other", "Another sexual orientation"
        PREFER_NOT_TO_SAY = PREFER_NOT

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="equality")
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(max_length=20, choices=Ethnicity.choices, blank=True)
    disability = models.CharField(
        "disabled", max_length=20, choices=YesNo.choices, blank=True, help_text="Do they consider themselves disabled?"
    )
    sexual_orientation = models.CharField(max_length=20, choices=SexualOrientation.choices, blank=True)
    consent_given_at = models.DateTimeField(default=timezone.now)
    consent_method = models.CharField(max_length=16, choices=Consent.Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Equality record {self.pk}"


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", "National administrator"
    REGIONAL_COORDINATOR = "regional_coordinator", "Regional co-ordinator"
    BRANCH_COORDINATOR = "branch_coordinator", "Branch learning co-ordinator"
    ULR = "ulr", "Union learning rep"
    BRANCH_OFFICER = "branch_officer", "Branch officer (read only)"
    EQUALITY_OFFICER = "equality_officer", "Equality officer"
    # Someone on the employer's side, invited to see only what the co-ordinator shares with their employer.
    EMPLOYER_CONTACT = "employer_contact", "Employer contact (sees only what is shared)"


class RoleAssignment(models.Model):
    """A user holding a role at a unit (or, for a ULR, at workplaces) between two dates.

    Many roles are elected annually and can be job-shared: two assignments of the same role and unit
    are allowed. An ended or not-yet-started assignment gives no access.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=Role.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="role_assignments")
    workplaces = models.ManyToManyField(
        Workplace, blank=True, related_name="role_assignments", help_text="For a ULR: the workplaces they cover."
    )
    employer = models.ForeignKey(
        Employer,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contact_roles",
        help_text="For an employer contact: the employer whose shared items they see.",
    )
    starts_on = models.DateField(default=datetime.date.today)
    ends_on = models.DateField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["unit__path", "role", "starts_on"]
        indexes = [models.Index(fields=["user", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()}, {self.unit}"

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end date must be on or after the start date."})

    def is_active_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)
