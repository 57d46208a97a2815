"""A person sees and corrects their own contact details and consents through a link sent to their email address.

The link (/my-details/<token>) is signed (django.core.signing, its own salt) and works for `LINK_DAYS` days. It is
made for the email address it was sent to: it carries a keyed fingerprint of that address (never the address),
and stops working as soon as the address on the record changes, so whoever reads an old mailbox loses access.

A new email address is not taken on the person's word: we send a confirmation link to the new address, and the
record changes only when it is opened there (and the button pressed: mail scanners open links too). That proves
the person reads the new mailbox before any later link goes to it. Name, phone and preferred language change at
once. Every change is audited with no actor, marked as made by the person themself, with field names only.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from learningdesk.accounts.models import AuditEvent
from learningdesk.accounts.services import audit_record
from learningdesk.core import ratelimit
from learningdesk.org.models import Consent, Person

LINK_SALT = "privacy.my-details"
CONFIRM_SALT = "privacy.confirm-email"
LINK_DAYS = 7
CONFIRM_DAYS = 2
LINK_MAX_AGE = LINK_DAYS * 24 * 3600
CONFIRM_MAX_AGE = CONFIRM_DAYS * 24 * 3600
# Each address, and each visitor's address, may ask this many times an hour: enough for someone who mistyped,
# too few to fill someone's inbox with our emails.
REQUESTS_PER_HOUR = 5
WINDOW = 3600
# Fields the person may correct themself, in the order the page shows them.
FIELDS = ("first_name", "last_name", "email", "phone", "preferred_language")
SELF = "by the person themself"
CONSENT_SOURCE = "Their own details page (link by email)"


def absolute(path: str) -> str:
    from django.conf import settings

    return f"{settings.SITE_URL.rstrip('/')}{path}"


def fingerprint(email: str) -> str:
    """A keyed digest of an address: a link made for it stops working when the address changes."""
    return salted_hmac("privacy.email", email.strip().lower(), algorithm="sha256").hexdigest()[:24]


def make_token(person: Person) -> str:
    return signing.dumps([person.pk, fingerprint(person.email)], salt=LINK_SALT, compress=False)


def person_for_token(token: str) -> Person | None:
    """The person a details link was made for; None if it was altered, has expired, or their address changed."""
    try:
        value = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        return None
    person = Person.objects.select_related("branch").filter(pk=value[0]).exclude(email="").first()
    if person is None or fingerprint(person.email) != value[1]:
        return None
    return person


def details_url(person: Person) -> str:
    return absolute(reverse("privacy_public:details", args=[make_token(person)]))


# Sending the link -------------------------------------------------------------------------------------


def _over_limit(key: str) -> bool:
    return ratelimit.count(key, WINDOW) > REQUESTS_PER_HOUR


def request_allowed(*, email: str, ip_address: str) -> bool:
    """Whether a request for a link may go ahead (both counts go up either way)."""
    by_email = _over_limit(f"privacy:request:email:{email.strip().lower()}")
    by_ip = _over_limit(f"privacy:request:ip:{ip_address}")
    return not (by_email or by_ip)


def people_with_email(email: str) -> list[int]:
    """The people with this address (one may be on record twice, at two workplaces); anonymised people have none."""
    key = email.strip().lower()
    if not key:
        return []
    return list(Person.objects.filter(email_key=key).exclude(email="").order_by("pk").values_list("pk", flat=True))


def _send(template: str, context: dict[str, Any], to: str) -> int:
    message = EmailMultiAlternatives(
        subject=render_to_string(f"privacy/emails/{template}_subject.txt", context).strip(),
        body=render_to_string(f"privacy/emails/{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"privacy/emails/{template}.html", context), "text/html")
    return mailers.default.send_messages([message]) or 0


def send_links(person_ids: list[int]) -> int:
    """Email each person a link to their details page. Returns how many were sent."""
    sent = 0
    for person in Person.objects.filter(pk__in=person_ids).exclude(email="").select_related("branch"):
        context = {"person": person, "url": details_url(person), "days": LINK_DAYS}
        sent += _send("details_link", context, person.email)
    return sent


@transaction.atomic
def link_sent_by_staff(*, acting_user: Any, person: Person) -> None:
    """Queue the link to the person's details page, sent by a co-ordinator; logged."""
    from learningdesk.privacy.tasks import send_details_links

    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CHANGED,
        target=person,
        unit_id=person.branch_id,
        changes={"self_service_link": "sent"},
    )
    transaction.on_commit(lambda: send_details_links.enqueue(person_ids=[person.pk]))


# Changing the details ---------------------------------------------------------------------------------


def consent_states(person: Person) -> dict[str, str]:
    """Kind -> "yes" (given and not withdrawn), "no" (refused or withdrawn); kinds never asked are left out."""
    return {consent.kind: "yes" if consent.is_active else "no" for consent in Consent.objects.filter(person=person)}


@transaction.atomic
def update_details(*, person: Person, data: dict[str, Any], consents: dict[str, str]) -> dict[str, Any]:
    """Apply the person's own corrections (all but a new email address) and consent answers; audited.

    `consents` maps a kind to "yes" or "no" (kinds left unanswered are not recorded). Returns the audit changes.
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    now = timezone.now()
    changes: dict[str, Any] = {}
    for name in FIELDS:
        if name == "email" or name not in data:
            continue
        if getattr(person, name) != data[name]:
            setattr(person, name, data[name])
            changes[name] = "changed"
    if changes:
        # The form checked each field; a record's other rules (a member's number, say) are not the person's to fix.
        person.updated_at = now
        # A member import shows these as changed here instead of overwriting them with the file's values.
        person.edited_fields = " ".join(sorted(set(person.edited_fields.split()) | set(changes)))
        person.save(update_fields=[*changes, "updated_at", "edited_fields"])
    current = consent_states(person)
    for kind, answer in consents.items():
        if answer not in ("yes", "no") or current.get(kind) == answer:
            continue
        consent = Consent.objects.select_for_update().filter(person=person, kind=kind).first()
        was_given = consent is not None and consent.is_active
        consent = consent or Consent(person=person, kind=kind)
        consent.given = answer == "yes"
        consent.method = Consent.Method.ONLINE
        consent.recorded_by = None
        consent.recorded_at = now
        consent.withdrawn_at = now if was_given and not consent.given else None
        consent.source = CONSENT_SOURCE
        consent.full_clean()
        consent.save()
        changes[f"consent:{kind}"] = "given" if consent.given else ("withdrawn" if was_given else "refused")
    if changes:
        changes["self_service"] = SELF
        audit_record(
            actor=None, action=AuditEvent.Action.CHANGED, target=person, unit_id=person.branch_id, changes=changes
        )
    return changes


# A new email address ----------------------------------------------------------------------------------


def make_confirm_token(person: Person, new_email: str) -> str:
    return signing.dumps([person.pk, fingerprint(person.email), new_email], salt=CONFIRM_SALT, compress=False)


def read_confirm_token(token: str) -> tuple[Person, str] | None:
    """The person and the new address a confirmation link was made for; None if altered, expired or outdated."""
    try:
        value = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], int)):
        return None
    person = Person.objects.select_related("branch").filter(pk=value[0]).exclude(email="").first()
    if person is None or fingerprint(person.email) != value[1]:
        return None
    return person, str(value[2])


def confirm_allowed(person: Person) -> bool:
    """A confirmation email a few times an hour per person: the form cannot be used to mail anyone at will."""
    return not _over_limit(f"privacy:confirm-email:{person.pk}")


def send_email_confirmation(*, person: Person, new_email: str) -> int:
    url = absolute(reverse("privacy_public:confirm_email", args=[make_confirm_token(person, new_email)]))
    context = {"person": person, "url": url, "days": CONFIRM_DAYS, "new_email": new_email}
    return _send("confirm_email", context, new_email)


@transaction.atomic
def change_email(*, person: Person, new_email: str) -> Person:
    """Take the new address, confirmed from its own mailbox; audited like any correction by the person."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.email = new_email.strip().lower()
    person.updated_at = timezone.now()
    person.edited_fields = " ".join(sorted(set(person.edited_fields.split()) | {"email"}))
    person.save(update_fields=["email", "updated_at", "edited_fields"])
    person.refresh_from_db(fields=["email_key"])
    audit_record(
        actor=None,
        action=AuditEvent.Action.CHANGED,
        target=person,
        unit_id=person.branch_id,
        changes={"email": "changed", "self_service": SELF},
    )
    return person
