"""Logins and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        # Email addresses are matched without regard to case: people type them every which way.
        return self.get(email__iexact=username)


class User(AbstractBaseUser):
    """A login. Access comes only from role assignments (org.RoleAssignment), never from the login."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    person = models.OneToOneField("org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="user")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class AuditEvent(models.Model):
    """Who did what to which record, and who looked at special category data.

    Holds ids and field names, never people's names or equality values, so the log itself is not a
    second copy of the special category data it protects.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Deleted"
        VIEWED = "viewed", "Viewed membership record"
        VIEWED_EQUALITY = "viewed_equality", "Viewed equality data"
        CHANGED_EQUALITY = "changed_equality", "Changed equality data"
        EXPORTED = "exported", "Exported"
        IMPORTED = "imported", "Imported members"
        ROLE_GRANTED = "role_granted", "Role granted"
        ROLE_ENDED = "role_ended", "Role ended"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    target_type = models.CharField(max_length=40)
    target_id = models.BigIntegerField(null=True, blank=True)
    # The unit the record belonged to at the time: the log is scoped by it like everything else.
    unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["unit", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.target_type} {self.target_id}"

    @property
    def changed_fields(self) -> str:
        """What changed, in words, without values that identify anyone."""
        if list(self.changes) == ["fields"]:
            return ", ".join(str(name).replace("_", " ") for name in self.changes["fields"])
        return ", ".join(str(name).replace("_", " ").replace("consent:", "consent: ") for name in self.changes)


# Sign-in security (issue 9) ----------------------------------------------------------------------------------------


class UserSession(models.Model):
    """One signed-in browser: shown on "Your sessions", where it can be ended from another one.

    The session key is kept as it is (the session table holds it anyway) so ending a session deletes it there too;
    it is never shown or exported.
    """

    class EndReason(models.TextChoices):
        SIGNED_OUT = "signed_out", "Signed out"
        IDLE = "idle", "No activity for too long"
        TOO_LONG = "too_long", "Signed in for too long"
        ENDED_BY_USER = "ended_by_user", "Ended from another session"
        ENDED_BY_ADMIN = "ended_by_admin", "Ended by an administrator"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        TWO_STEP_CHANGED = "two_step_changed", "Two-step sign-in changed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_sessions")
    session_key = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # A summary such as "Chrome on Android", never the whole user agent string.
    browser = models.CharField(max_length=60, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.browser or 'Unknown browser'}, signed in {self.created_at:%d %b %Y %H:%M}"


class SignInEvent(models.Model):
    """The sign-in and access log: every sign-in, failed sign-in, two-step check, sign-out, expiry and refused page.

    One row per event, never the request's body; the email typed is kept only for failed sign-ins (the account may
    not exist) and is blanked by retention (security.prune) like the rows themselves.
    """

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        FAILED_PASSWORD = "failed_password", "Wrong email or password"
        LOCKED_OUT = "locked_out", "Locked out after too many tries"
        TWO_STEP_PASSED = "two_step_passed", "Two-step code accepted"
        TWO_STEP_FAILED = "two_step_failed", "Two-step code refused"
        SIGNED_OUT = "signed_out", "Signed out"
        SESSION_EXPIRED = "session_expired", "Session expired"
        SESSION_ENDED = "session_ended", "Session ended"
        TWO_STEP_CHANGED = "two_step_changed", "Two-step sign-in changed"
        ACCESS_DENIED = "access_denied", "Page refused"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="sign_in_events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    email_typed = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    browser = models.CharField(max_length=60, blank=True)
    # Without the query string, and with any token in it redacted (core.logs.redact_path).
    path = models.CharField(max_length=200, blank=True)
    # A few words more, never personal values: "recovery code", "by an administrator", "inactivity".
    detail = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"]), models.Index(fields=["kind", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%d %b %Y %H:%M}"

    @property
    def is_refusal(self) -> bool:
        """Something failed or was refused: what a reviewer looks for first."""
        return self.kind in {
            self.Kind.FAILED_PASSWORD,
            self.Kind.LOCKED_OUT,
            self.Kind.TWO_STEP_FAILED,
            self.Kind.ACCESS_DENIED,
        }
