"""A learner's record: every sign-up of a person with what became of it, their outcomes and qualifications,
and the totals; as a page, a PDF, and a signed link the learner asks for by email.

The record is the person's own: it shows everything they did, whichever unit organised it. Whoever may
see the person (scoping.get_person_for_user) may see their learning record, as on the person's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.mail import EmailMultiAlternatives, mailers
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from learningdesk.core import ratelimit
from learningdesk.core.pdf import render_pdf
from learningdesk.learning import tokens
from learningdesk.learning.calendar import absolute
from learningdesk.learning.models import Outcome, Session, SignUp
from learningdesk.org.models import Person

# What a sign-up came to, in the four words the record uses, with a GOV.UK tag colour for each.
ATTENDED, NO_SHOW, BOOKED, CANCELLED = "attended", "no_show", "booked", "cancelled"
STATE_LABELS = {ATTENDED: "Attended", NO_SHOW: "Did not come", BOOKED: "Booked", CANCELLED: "Cancelled"}
STATE_COLOURS = {
    ATTENDED: "govuk-tag--green",
    NO_SHOW: "govuk-tag--red",
    BOOKED: "govuk-tag--blue",
    CANCELLED: "govuk-tag--grey",
}
_STATES = {
    SignUp.Status.ATTENDED: ATTENDED,
    SignUp.Status.NO_SHOW: NO_SHOW,
    SignUp.Status.CONFIRMED: BOOKED,
    SignUp.Status.OFFERED: BOOKED,
    SignUp.Status.WAITLISTED: BOOKED,
    SignUp.Status.CANCELLED: CANCELLED,
    SignUp.Status.EXPIRED: CANCELLED,
}


@dataclass(frozen=True)
class Entry:
    """One sign-up in the record."""

    sign_up: SignUp
    state: str
    detail: str  # the finer status where it says more than the state: "On the waiting list", "Session cancelled"

    @property
    def session(self) -> Session:
        return self.sign_up.session

    @property
    def activity_title(self) -> str:
        return self.sign_up.session.activity.title

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def colour(self) -> str:
        return STATE_COLOURS[self.state]

    @property
    def hours(self) -> Decimal:
        return self.sign_up.session.hours

    @property
    def hours_text(self) -> str:
        return hours_text(self.hours)

    @property
    def when(self) -> str:
        """ "Tue 1 Dec 2026, 12:30", in the session's own time zone (named when it is not the UK's)."""
        return when(self.sign_up.session)


def hours_text(hours: Decimal) -> str:
    """1.5, 2, 1.25: no trailing zeros."""
    return f"{hours.normalize():f}"


def when(session: Session) -> str:
    start = session.local_start
    text = f"{start:%a} {start.day} {start:%b %Y}, {start:%H:%M}"
    return text if session.time_zone == "Europe/London" else f"{text} ({session.time_zone})"


@dataclass(frozen=True)
class LearnerRecord:
    person: Person
    entries: list[Entry]  # the most recent session first
    outcomes: list[Outcome]  # the most recent first
    activities_attended: int
    hours: Decimal  # of the sessions attended

    @property
    def qualifications(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.kind == Outcome.Kind.QUALIFICATION]

    @property
    def hours_text(self) -> str:
        return hours_text(self.hours)

    @property
    def qualification_count(self) -> int:
        return len(self.qualifications)

    @property
    def is_empty(self) -> bool:
        return not self.entries and not self.outcomes


def _entry(sign_up: SignUp) -> Entry:
    state = _STATES[SignUp.Status(sign_up.status)]
    detail = ""
    if state == BOOKED and sign_up.session.is_cancelled:
        state, detail = CANCELLED, "Session cancelled"
    elif sign_up.status in (SignUp.Status.WAITLISTED, SignUp.Status.OFFERED, SignUp.Status.EXPIRED):
        detail = sign_up.get_status_display()
    return Entry(sign_up=sign_up, state=state, detail=detail)


def learner_record(person: Person) -> LearnerRecord:
    """Everything `person` signed up for and achieved, with the totals. Two queries, however long the record."""
    sign_ups = (
        SignUp.objects.filter(person=person)
        .select_related("session__activity__provider", "session__room__centre", "session__workplace")
        .order_by("-session__starts_at", "-id")
    )
    entries = [_entry(sign_up) for sign_up in sign_ups]
    outcomes = list(Outcome.objects.filter(person=person).select_related("activity").order_by("-achieved_on", "-id"))
    attended = [entry for entry in entries if entry.state == ATTENDED]
    return LearnerRecord(
        person=person,
        entries=entries,
        outcomes=outcomes,
        activities_attended=len({entry.session.activity_id for entry in attended}),
        hours=sum((entry.hours for entry in attended), Decimal("0.00")),
    )


def record_pdf(record: LearnerRecord) -> bytes:
    """The record as an A4 PDF headed "Learning record of <name>", with page numbers."""
    return render_pdf("learning/records/record_pdf.html", {"record": record, "printed_on": timezone.localdate()})


def record_file_name(person: Person) -> str:
    name = "-".join("".join(ch for ch in part if ch.isalnum()) for part in person.full_name.lower().split())
    return f"learning-record-{name or person.pk}.pdf"


# The learner's own link ---------------------------------------------------------------------------

# Each address, and each visitor's IP address, may ask this many times an hour: enough for a learner
# who mistyped, too few to use the form to fill someone's inbox.
REQUESTS_PER_HOUR = 5
_WINDOW = 3600


def _over_limit(key: str) -> bool:
    """Count one more request for `key`; true once it has asked more than the limit within the hour."""
    return ratelimit.count(key, _WINDOW) > REQUESTS_PER_HOUR


def record_request_allowed(*, email: str, ip_address: str) -> bool:
    """Whether a request for record links may go ahead (both counts go up either way)."""
    by_email = _over_limit(f"learning:record-request:email:{email.strip().lower()}")
    by_ip = _over_limit(f"learning:record-request:ip:{ip_address}")
    return not (by_email or by_ip)


def record_link(person: Person) -> str:
    return absolute(reverse("learn:record", args=[tokens.make(tokens.RECORD, person.pk)]))


def send_record_links(email: str) -> int:
    """Email a link to their own record to each person whose email is `email`. Returns how many were sent."""
    key = email.strip().lower()
    people = list(Person.objects.filter(email_key=key).exclude(email="").order_by("pk"))
    days = tokens.RECORD_MAX_AGE // (24 * 3600)
    messages = []
    for person in people:
        context = {"person": person, "url": record_link(person), "days": days}
        message = EmailMultiAlternatives(
            subject=render_to_string("learning/records/email_record_link_subject.txt", context).strip(),
            body=render_to_string("learning/records/email_record_link.txt", context),
            to=[person.email],
        )
        message.attach_alternative(render_to_string("learning/records/email_record_link.html", context), "text/html")
        messages.append(message)
    if not messages:
        return 0
    return mailers.default.send_messages(messages) or 0


@task()
def send_record_links_task(*, email: str) -> int:
    """Email record links in the background: the page answers at once, whether or not the address is known."""
    return send_record_links(email)
