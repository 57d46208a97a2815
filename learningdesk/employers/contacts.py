"""Employer contacts (the training manager, HR, line managers), the notes of each conversation with them, and
their own sign-in: invited by a co-ordinator, they then see only what is shared with their employer.

A contact's login is an employer contact's and nothing else. Someone who already signs in as a union user is
never given employer-contact access on top (they would see both sides), and an employer contact's role is never
granted from the team page: only from here, where the employer is known.
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Q, QuerySet
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.employers.models import ContactNote, EmployerContact
from learningdesk.org import roles
from learningdesk.org.models import Employer, Role, RoleAssignment

CONTACT_FIELDS = ["name", "kind", "job_title", "workplace", "email", "phone", "notes", "is_current"]


def _audit(*, acting_user: User | None, action: str, target: Any, employer: Employer, changes: dict) -> None:
    audit_record(actor=acting_user, action=action, target=target, unit_id=employer.unit_id, changes=changes)


# Contacts and conversations -----------------------------------------------------------------------


@transaction.atomic
def contact_save(*, acting_user: User, contact: EmployerContact, today: datetime.date) -> EmployerContact:
    """Add or change a contact. One who is no longer in post loses their sign-in the same moment."""
    is_new = contact.pk is None
    if not is_new:
        before = EmployerContact.objects.filter(pk=contact.pk).values(*_attnames(CONTACT_FIELDS)).get()
    contact.full_clean()
    contact.save()
    changed = (
        CONTACT_FIELDS
        if is_new
        else [
            name
            for name, attname in zip(CONTACT_FIELDS, _attnames(CONTACT_FIELDS), strict=True)
            if before[attname] != getattr(contact, attname)
        ]
    )
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED if is_new else AuditEvent.Action.CHANGED,
        target=contact,
        employer=contact.employer,
        changes={"fields": changed},
    )
    if not contact.is_current and access_role(contact, today=today) is not None:
        contact_access_end(acting_user=acting_user, contact=contact, today=today)
    return contact


def _attnames(fields: list[str]) -> list[str]:
    return [EmployerContact._meta.get_field(name).attname for name in fields]  # type: ignore[union-attr]


@transaction.atomic
def contact_note_add(*, acting_user: User, contact: EmployerContact, note: ContactNote) -> ContactNote:
    """Record a conversation with a contact: when, how, what was said and what happens next."""
    note.contact = contact
    note.recorded_by = acting_user
    note.full_clean()
    note.save()
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED,
        target=note,
        employer=contact.employer,
        changes={"contact": contact.pk, "on": str(note.on)},
    )
    return note


# Signing in ---------------------------------------------------------------------------------------


def _current(assignments: QuerySet[RoleAssignment], today: datetime.date) -> QuerySet[RoleAssignment]:
    """Roles that give access today or will later: not ended."""
    return assignments.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))


def access_role(contact: EmployerContact, *, today: datetime.date) -> RoleAssignment | None:
    """The contact's employer-contact role for their employer that is not ended, if they have one."""
    if contact.user_id is None:
        return None
    return (
        _current(RoleAssignment.objects.filter(user_id=contact.user_id, role=Role.EMPLOYER_CONTACT), today)
        .filter(employer_id=contact.employer_id)
        .order_by("starts_on", "pk")
        .first()
    )


def invite_problem(contact: EmployerContact, *, today: datetime.date) -> str:
    """Why this contact cannot be invited to sign in, in words for the co-ordinator; "" if they can."""
    if not contact.is_current:
        return f"{contact.name} is no longer in post. Change their details first if they are back."
    if not contact.email:
        return f"Add {contact.name}’s email address first: the invitation goes there."
    user = login_for(contact)
    if user is None:
        return ""
    if not user.is_active:
        return (
            f"The login {user.email} has been switched off. Ask a national administrator, or use another email "
            "address for the contact."
        )
    linked = EmployerContact.objects.filter(user=user).exclude(pk=contact.pk).select_related("employer").first()
    if linked is not None:
        return (
            f"{user.email} already signs in as {linked.name}, a contact of {linked.employer.name}. One login "
            "is one contact: use another email address."
        )
    union_roles = _current(RoleAssignment.objects.filter(user=user), today).exclude(role__in=roles.EMPLOYER_ROLES)
    if union_roles.exists():
        return (
            f"{user.email} already signs in to Learning Desk as a union user, so it cannot also be an employer "
            "contact’s login: they would see the union’s records. Use another email address for the contact "
            "(their work address at the employer)."
        )
    other_employer = _current(RoleAssignment.objects.filter(user=user, role__in=roles.EMPLOYER_ROLES), today).exclude(
        employer_id=contact.employer_id
    )
    if other_employer.exists():
        return f"{user.email} already signs in as a contact of another employer. Use another email address."
    return ""


def login_for(contact: EmployerContact) -> User | None:
    """The login the contact would sign in with: the one linked already, else one with their email address."""
    if contact.user_id is not None:
        return contact.user
    if not contact.email:
        return None
    return User.objects.filter(email__iexact=contact.email.strip()).first()


@transaction.atomic
def contact_invite(
    *, acting_user: User, contact: EmployerContact, today: datetime.date, site_url: str
) -> RoleAssignment:
    """Let a contact sign in and see what is shared with their employer, and email them a link to choose a
    password. Inviting someone who can already sign in sends the link again.

    `site_url` ("https://learning.example.org") makes the link in the email.
    """
    # Lock the contact: two co-ordinators inviting at once give them one login and one role.
    contact = (
        EmployerContact.objects.select_for_update(of=("self",)).select_related("employer", "user").get(pk=contact.pk)
    )
    problem = invite_problem(contact, today=today)
    if problem:
        raise ValidationError(problem)
    user = login_for(contact)
    created_user = user is None
    if user is None:
        user = User.objects.create_user(email=contact.email.strip(), full_name=contact.name)
    if contact.user_id != user.pk:
        contact.user = user
        contact.save(update_fields=["user"])
    assignment = access_role(contact, today=today)
    if assignment is None:
        assignment = RoleAssignment(
            user=user,
            role=Role.EMPLOYER_CONTACT,
            unit=contact.employer.unit,
            employer=contact.employer,
            starts_on=today,
            granted_by=acting_user,
        )
        assignment.full_clean()
        assignment.save()
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.ROLE_GRANTED,
            target=assignment,
            unit_id=contact.employer.unit_id,
            changes={
                "user": user.pk,
                "role": Role.EMPLOYER_CONTACT,
                "employer": contact.employer_id,
                "contact": contact.pk,
            },
        )
    else:
        _audit(
            acting_user=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=contact,
            employer=contact.employer,
            changes={"invitation": "sent again", "new_login": created_user},
        )
    transaction.on_commit(
        partial(send_contact_invitation.enqueue, contact_id=contact.pk, inviter_id=acting_user.pk, site_url=site_url)
    )
    return assignment


@transaction.atomic
def contact_access_end(*, acting_user: User, contact: EmployerContact, today: datetime.date) -> RoleAssignment | None:
    """End the contact's sign-in at once: from now they see nothing. The login and the record of the role stay."""
    assignment = access_role(contact, today=today)
    if assignment is None:
        return None
    # A role gives access through its end date, so access that ends now ended yesterday; a role that only
    # started today (or has yet to start) never gave access and is closed on the same day.
    ends_on = today - datetime.timedelta(days=1)
    assignment.starts_on = min(assignment.starts_on, ends_on)
    assignment.ends_on = ends_on
    assignment.full_clean()
    assignment.save(update_fields=["starts_on", "ends_on"])
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.ROLE_ENDED,
        target=assignment,
        unit_id=contact.employer.unit_id,
        changes={"ends_on": str(ends_on), "contact": contact.pk},
    )
    return assignment


# The invitation email -----------------------------------------------------------------------------


def invitation_context(contact: EmployerContact, *, inviter: User | None, site_url: str) -> dict[str, Any]:
    user = contact.user
    assert user is not None
    token_path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return {
        "contact": contact,
        "employer": contact.employer,
        "inviter": inviter,
        "set_password_url": f"{site_url}{token_path}",
        "sign_in_url": f"{site_url}{reverse('login')}",
        "email": user.email,
        # Someone reusing a login they had before already has a password: the link lets them choose a new one.
        "has_password": user.has_usable_password(),
    }


def send_invitation_now(*, contact_id: int, inviter_id: int | None, site_url: str) -> bool:
    """Email the contact the link to choose their password and what they will see. False if there is no one
    to email (their access ended, or their login was switched off, before it went)."""
    contact = EmployerContact.objects.select_related("employer", "user").filter(pk=contact_id).first()
    today = timezone.localdate()
    if (
        contact is None
        or contact.user is None
        or not contact.user.is_active
        or access_role(contact, today=today) is None
    ):
        return False
    inviter = User.objects.filter(pk=inviter_id).first() if inviter_id else None
    context = invitation_context(contact, inviter=inviter, site_url=site_url)
    message = EmailMultiAlternatives(
        subject=render_to_string("employers/emails/contact_invitation_subject.txt", context).strip(),
        body=render_to_string("employers/emails/contact_invitation.txt", context),
        to=[contact.user.email],
        reply_to=[inviter.email] if inviter is not None and inviter.email else None,
    )
    message.attach_alternative(render_to_string("employers/emails/contact_invitation.html", context), "text/html")
    return bool(mailers.default.send_messages([message]))


@task()
def send_contact_invitation(*, contact_id: int, inviter_id: int | None, site_url: str) -> bool:
    """Background: email an employer contact their invitation to sign in."""
    return send_invitation_now(contact_id=contact_id, inviter_id=inviter_id, site_url=site_url)
