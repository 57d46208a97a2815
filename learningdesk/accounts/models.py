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
