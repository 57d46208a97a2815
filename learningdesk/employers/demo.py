"""Demo work with employers: Derby's in detail, and the other employers' in outline.

Derby (the demo branch) gets contacts with notes of their conversations, three learning agreements (the council's,
signed, its review due in about 60 days and most key elements present; Sinfin's, in negotiation with elements
missing; Derby Homes', signed long ago, its review overdue and its committee quiet for eight months: "in the
drawer"), the council's facility-time clause applied to its reps, a joint learning committee with meetings and
actions (some shared with the employer), time-off requests (approved, partly, refused with an open case and with a
closed one), the branch's facility-time figures for the council's last complete year with officials, pay inputs and
the union-activities time they rest on, two funding bids, and a demo login for the council's training manager.

Every other employer (the other core branches', and at national size hundreds more) gets an agreement in some
state, its elements, a committee and a few time-off requests, written with bulk inserts.

`build_demo_employers` is called by `org.demo.build_demo` after the reps, learning and surveys demos; it adds
nothing when the demo branch already has agreements. The same seed gives the same data.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.employers import agreements as agreement_services
from learningdesk.employers import facility_figures
from learningdesk.employers.models import (
    AgreementElement,
    CaseNote,
    CommitteeAction,
    CommitteeMeeting,
    ContactNote,
    Element,
    EmployerContact,
    FundingBid,
    LearningAgreement,
    LearningCommittee,
    NegotiationCase,
    ReturnOfficial,
    TimeOffRequest,
)
from learningdesk.learning.models import Activity
from learningdesk.org.models import Employer, OrgUnit, Person, Role, RoleAssignment, Workplace
from learningdesk.reps.models import CURRENT_REP_STAGES, FacilityAllowance, FacilityTimeEntry, Rep

DEMO_BRANCH = "EM-DERBY"
COORDINATOR = "coordinator@example.org"
# The council's training manager signs in as its employer contact: she sees only what is shared with the council.
CONTACT_LOGIN = ("tessa.trainer@example.com", "Tessa Trainer", "Derby City Council")
CONTACT_LOGIN_LINE = (
    f"{CONTACT_LOGIN[0]}: {CONTACT_LOGIN[1]}, training manager at {CONTACT_LOGIN[2]} "
    "(an employer contact: sees only what is shared with the council)."
)
BATCH = 2_000

Decision = TimeOffRequest.Decision
State = AgreementElement.State
Status = LearningAgreement.Status
Side = CommitteeAction.Side


@dataclass(frozen=True)
class EmployersSummary:
    agreements: int
    committees: int
    requests: int
    bids: int


def _days(today: datetime.date, days: int) -> datetime.date:
    return today + datetime.timedelta(days=days)


@transaction.atomic
def build_demo_employers(*, seed: int, log: Callable[[str], object] | None = None) -> EmployersSummary:
    """Add the demo's work with employers (nothing if the demo branch is missing or already has agreements)."""
    log = log or (lambda message: None)
    derby = OrgUnit.objects.filter(code=DEMO_BRANCH).first()
    if derby is None or LearningAgreement.objects.filter(units=derby).exists():
        return EmployersSummary(0, 0, 0, 0)
    rng = random.Random(seed)
    today = timezone.localdate()
    coordinator = User.objects.filter(email=COORDINATOR).first()
    employers = {employer.name: employer for employer in Employer.objects.filter(unit__path__startswith=derby.path)}
    detailed = set()
    council = employers.get("Derby City Council")
    if council is not None:
        _council(derby, council, coordinator, rng, today)
        detailed.add(council.pk)
    for name, build in (("Sinfin Precision Engineering Ltd", _sinfin), ("Derby Homes", _derby_homes)):
        if name in employers:
            build(derby, employers[name], coordinator, today)
            detailed.add(employers[name].pk)
    others = Employer.objects.exclude(pk__in=detailed).select_related("unit").order_by("pk")
    spread_employer_work(list(others), rng=rng, today=today, log=log)
    summary = EmployersSummary(
        agreements=LearningAgreement.objects.count(),
        committees=LearningCommittee.objects.count(),
        requests=TimeOffRequest.objects.count(),
        bids=FundingBid.objects.count(),
    )
    log(
        f"  {summary.agreements:,} learning agreements, {summary.committees:,} committees, "
        f"{summary.requests:,} time-off requests, {summary.bids} funding bids"
    )
    return summary


# Derby in detail --------------------------------------------------------------------------------


def _phone(name: str) -> str:
    """One of Ofcom's drama numbers (07700 900xxx), the same for the same name."""
    return f"07700 900{sum(map(ord, name)) % 1000:03d}"


def _contact(employer: Employer, name: str, kind: str, job: str, *, email: str = "", **fields) -> EmployerContact:
    return EmployerContact.objects.create(
        employer=employer, name=name, kind=kind, job_title=job, email=email, phone=_phone(name), **fields
    )


def _notes(contact: EmployerContact, recorder: User | None, today: datetime.date, *notes: tuple) -> None:
    ContactNote.objects.bulk_create(
        ContactNote(
            contact=contact,
            on=_days(today, days),
            method=method,
            summary=summary,
            next_step=next_step,
            recorded_by=recorder,
        )
        for days, method, summary, next_step in notes
    )


def _agreement(
    employer: Employer,
    units: Iterable[OrgUnit],
    states: dict[str, tuple[str, str]],
    creator: User | None,
    **fields,
) -> LearningAgreement:
    """An agreement with its key elements: present unless `states` says otherwise ((state, note) by element)."""
    agreement = LearningAgreement.objects.create(employer=employer, created_by=creator, **fields)
    agreement.units.set(units)
    AgreementElement.objects.bulk_create(
        AgreementElement(
            agreement=agreement,
            element=element,
            state=states.get(element, (State.PRESENT, ""))[0],
            notes=states.get(element, ("", ""))[1],
        )
        for element in Element.values
    )
    return agreement


def _council(
    derby: OrgUnit, council: Employer, coordinator: User | None, rng: random.Random, today: datetime.date
) -> None:
    tessa = _contact(
        council,
        "Tessa Trainer",
        EmployerContact.Kind.TRAINING_MANAGER,
        "Learning and Development Manager",
        email=CONTACT_LOGIN[0],
        workplace=Workplace.objects.filter(employer=council, name="Council House").first(),
    )
    imran = _contact(
        council, "Imran Hussain", EmployerContact.Kind.HR, "HR Business Partner", email="imran.hussain@example.com"
    )
    depot = Workplace.objects.filter(employer=council, name="Stores Road Depot").first()
    gary = _contact(council, "Gary Holt", EmployerContact.Kind.LINE_MANAGER, "Depot Supervisor", workplace=depot)
    M, P, E = ContactNote.Method.MEETING, ContactNote.Method.PHONE, ContactNote.Method.EMAIL
    _notes(
        tessa,
        coordinator,
        today,
        (
            -150,
            M,
            "Went through the maths course plan. Tessa will fund the exam entries if we find the tutor.",
            "Send her the union learning fund bid",
        ),
        (-60, P, "Learning at Work Week: the council will promote our stalls on the intranet.", ""),
        (
            -9,
            E,
            "Sent the learning survey's headline findings ahead of the committee.",
            "Discuss at the next committee meeting",
        ),
    )
    _notes(
        imran,
        coordinator,
        today,
        (
            -45,
            M,
            "The time-off policy says 'where service needs allow'. Asked for the 50% rule in the agreement to "
            "be added to the policy.",
            "Imran to take it to the policy review",
        ),
    )
    _notes(
        gary,
        coordinator,
        today,
        (
            -12,
            P,
            "Gary refused time off for the maths course: two drivers off sick. He would look again in spring.",
            "Raise at the committee: cover for depot staff",
        ),
    )
    _contact_login(derby, council, tessa)

    negotiators = list(Person.objects.filter(user__email__in=["ulr@example.org"]))
    agreement = _agreement(
        council,
        [derby],
        {
            Element.EQUALITIES: (State.WEAK, "Refers to the council's equality policy but sets no aims for learning."),
            Element.LEGISLATION: (State.MISSING, "Add TULRCA s.168A and the skills agenda at the review."),
        },
        coordinator,
        title="Derby City Council learning agreement",
        status=Status.SIGNED,
        signed_on=_days(today, -670),
        review_on=_days(today, 60),
        employer_negotiators="Tessa Trainer (Learning and Development Manager), Imran Hussain (HR)",
        ulr_hours=Decimal("2"),
        coordinator_hours=Decimal("7.5"),
        learner_hours="50% of course time in work time, up to 30 hours a year",
        notes="Signed at the joint learning committee.",
    )
    agreement.negotiated_by.set(negotiators)
    _apply_facility_time(agreement, coordinator, today)

    committee = LearningCommittee.objects.create(
        employer=council, agreement=agreement, name="Derby City Council joint learning committee"
    )
    union_side = list(
        Person.objects.filter(reps__stage__in=CURRENT_REP_STAGES, reps__workplaces__employer=council)
        .distinct()
        .order_by("pk")[:3]
    )
    meetings = [
        _meeting(committee, today, days, union_side, [tessa, imran], coordinator, agenda, minutes)
        for days, agenda, minutes in (
            (-200, "1. Learning survey plan\n2. Learning at Work Week", "Agreed the survey questions."),
            (-110, "1. Learning at Work Week\n2. IT suite bookings", "Tessa will circulate the programme."),
            (-20, "1. Survey findings\n2. Time off at the depot\n3. ESOL group", "Cover at the depot discussed."),
            (70, "1. Review of the learning agreement\n2. Actions", ""),
        )
    ]
    shared_at = timezone.now() - datetime.timedelta(days=15)
    first = union_side[0] if union_side else None
    CommitteeAction.objects.bulk_create(
        [
            CommitteeAction(
                meeting=meetings[1],
                description="Circulate the Learning at Work Week programme to managers",
                side=Side.EMPLOYER,
                owner_contact=tessa,
                due_on=_days(today, -80),
                status="done",
                done_on=_days(today, -85),
                shared_at=shared_at,
                shared_by=coordinator,
            ),
            CommitteeAction(
                meeting=meetings[1],
                description="Book the IT suite for the digital skills course",
                side=Side.UNION,
                owner_person=first,
                due_on=_days(today, -90),
                status="done",
                done_on=_days(today, -95),
            ),
            CommitteeAction(
                meeting=meetings[2],
                description="Agree cover so depot staff can attend the maths course",
                side=Side.EMPLOYER,
                owner_contact=gary,
                due_on=_days(today, -5),
                shared_at=shared_at,
                shared_by=coordinator,
            ),
            CommitteeAction(
                meeting=meetings[2],
                description="Write up the learning survey findings for the council",
                side=Side.UNION,
                owner_person=first,
                due_on=_days(today, 14),
            ),
            CommitteeAction(
                meeting=meetings[2],
                description="Confirm time off for the ESOL conversation club",
                side=Side.EMPLOYER,
                owner_contact=imran,
                due_on=_days(today, 21),
                shared_at=shared_at,
                shared_by=coordinator,
            ),
        ]
    )
    _time_off(council, derby, coordinator, gary, today)
    _facility_return(council, coordinator, rng, today)
    _funding(derby, council, coordinator, today)


def _contact_login(derby: OrgUnit, council: Employer, contact: EmployerContact) -> None:
    """Tessa signs in as the council's employer contact (the demo password, like every demo login)."""
    from learningdesk.org.demo import DEMO_PASSWORD  # the org demo imports this module

    email, full_name, _employer = CONTACT_LOGIN
    user = User.objects.create(
        email=email,
        full_name=full_name,
        password=make_password(DEMO_PASSWORD),
        date_joined=timezone.now() - datetime.timedelta(days=200),
    )
    RoleAssignment.objects.create(
        user=user,
        role=Role.EMPLOYER_CONTACT,
        unit=council.unit,
        employer=council,
        starts_on=timezone.localdate() - datetime.timedelta(days=200),
        granted_by=User.objects.filter(email=COORDINATOR).first(),
    )
    contact.user = user
    contact.save(update_fields=["user"])


def _apply_facility_time(agreement: LearningAgreement, coordinator: User | None, today: datetime.date) -> None:
    """The agreement's facility time for each ULR and the co-ordinator, as applying it from its page would set.

    The reps demo agreed some reps' time by hand; the agreement replaces that (time agreed by hand is otherwise
    kept). Reps who get time for the first time log an hour of it, so the one rep the reps demo leaves with time
    agreed but none used stays the only one.
    """
    covered = list(agreement_services.covered_reps(agreement))
    hand_agreed = FacilityAllowance.objects.filter(employer=agreement.employer, rep__in=covered, agreement=None)
    had_time = set(hand_agreed.values_list("rep_id", flat=True))
    hand_agreed.delete()
    agreement_services.facility_time_apply(acting_user=coordinator, agreement=agreement)
    logging = set(FacilityTimeEntry.objects.filter(rep__in=covered).values_list("rep_id", flat=True))
    FacilityTimeEntry.objects.bulk_create(
        FacilityTimeEntry(
            rep=rep,
            employer=agreement.employer,
            on=max(_began(rep) or today, today - datetime.timedelta(days=14)),
            hours=Decimal("1"),
            purpose=FacilityTimeEntry.Purpose.PROMOTING,
            note="Introduced myself to the team",
        )
        for rep in covered
        if rep.pk not in had_time and rep.pk not in logging
    )


def _meeting(
    committee: LearningCommittee,
    today: datetime.date,
    days: int,
    union_side: list[Person],
    employer_side: list[EmployerContact],
    creator: User | None,
    agenda: str,
    minutes: str,
) -> CommitteeMeeting:
    meeting = CommitteeMeeting.objects.create(
        committee=committee,
        held_on=_days(today, days),
        starts_at=datetime.time(14),
        place="Committee Room 2, Council House",
        agenda=agenda,
        minutes=minutes if days < 0 else "",
        created_by=creator,
    )
    if days < 0:
        meeting.union_attendees.set(union_side)
        meeting.employer_attendees.set(employer_side)
    return meeting


def _activity(unit: OrgUnit, title_start: str) -> Activity | None:
    return Activity.objects.filter(unit=unit, title__startswith=title_start).order_by("pk").first()


def _time_off(
    council: Employer, derby: OrgUnit, coordinator: User | None, manager: EmployerContact, today: datetime.date
) -> None:
    """Five members' requests: approved, partly, refused with an open case, refused and won, and one waiting."""
    members = list(
        Person.objects.filter(branch=derby, workplace__employer=council, status=Person.Status.MEMBER)
        .exclude(reps__isnull=False)
        .order_by("pk")[:5]
    )
    if len(members) < 5:
        return
    maths, esol = _activity(derby, "Maths for work"), _activity(derby, "ESOL")
    webinar = _activity(derby, "Webinar")

    def request(person: Person, hours: str, asked: int, decision: str, **fields) -> TimeOffRequest:
        return TimeOffRequest.objects.create(
            employer=council,
            person=person,
            hours=Decimal(hours),
            requested_on=_days(today, asked),
            decision=decision,
            manager=manager if "manager_name" not in fields else None,
            recorded_by=coordinator,
            **fields,
        )

    request(
        members[0],
        "9",
        -60,
        Decision.APPROVED,
        activity=maths,
        hours_approved=Decimal("9"),
        decided_on=_days(today, -55),
    )
    request(
        members[1],
        "12",
        -40,
        Decision.PARTLY,
        learning="Level 2 certificate in bookkeeping",
        hours_approved=Decimal("6"),
        decided_on=_days(today, -35),
        manager_name="Ruth Baines",
        reason="Half the sessions fall in work time; the rest are in the evening.",
    )
    refused = request(
        members[2],
        "9",
        -20,
        Decision.REFUSED,
        activity=maths,
        hours_approved=Decimal("0"),
        decided_on=_days(today, -14),
        reason="Service needs: two drivers off sick at the depot.",
    )
    case = NegotiationCase.objects.create(request=refused, opened_on=_days(today, -14), owner=coordinator)
    CaseNote.objects.bulk_create(
        [
            CaseNote(
                case=case,
                on=_days(today, -14),
                written_by=coordinator,
                text="Refused: service needs. The agreement gives 50% of course time: raise it with the manager.",
            ),
            CaseNote(
                case=case,
                on=_days(today, -10),
                written_by=coordinator,
                text="Spoke to Gary Holt: he will look again if cover can be found. On the committee's agenda.",
            ),
        ]
    )
    won = request(
        members[3],
        "7",
        -120,
        Decision.REFUSED,
        activity=esol,
        hours_approved=Decimal("7"),
        decided_on=_days(today, -115),
        reason="Not relevant to the job.",
        manager_name="Ruth Baines",
    )
    closed = NegotiationCase.objects.create(
        request=won,
        opened_on=_days(today, -115),
        owner=coordinator,
        status=NegotiationCase.Status.CLOSED,
        outcome=NegotiationCase.Outcome.WON,
        closed_on=_days(today, -90),
        hours_before_outcome=Decimal("0"),
    )
    CaseNote.objects.bulk_create(
        [
            CaseNote(
                case=closed,
                on=_days(today, -112),
                written_by=coordinator,
                text="ESOL is covered by the agreement's time off for learners, whatever the job.",
            ),
            CaseNote(
                case=closed,
                on=_days(today, -90),
                written_by=coordinator,
                text="Closed: time off given, 7 hours approved in the end.\nHR agreed after the committee.",
            ),
        ]
    )
    request(members[4], "1", -3, Decision.PENDING, activity=webinar)


def _began(rep: Rep) -> datetime.date | None:
    return min((day for day in (rep.notified_on, rep.trained_on, rep.active_on) if day), default=None)


def _facility_return(council: Employer, coordinator: User | None, rng: random.Random, today: datetime.date) -> None:
    """The council's figures for the last complete year (or, when its reps are all newer than that, the year in
    progress), with the time they rest on: ULR functions logged weekly and the monthly branch meeting (union
    activities), before the reps demo's last three months."""
    if coordinator is None or not council.is_public_sector:
        return
    reps = list(
        Rep.objects.filter(stage__in=CURRENT_REP_STAGES, workplaces__employer=council)
        .distinct()
        .select_related("person")
        .order_by("pk")
    )
    year = facility_figures.last_complete_year(today)
    if not any((began := _began(rep)) and began <= datetime.date(year + 1, 3, 31) for rep in reps):
        year = facility_figures.year_in_progress(today)
    starts_on, ends_on = datetime.date(year, 4, 1), min(datetime.date(year + 1, 3, 31), today)
    logged_by_reps_demo = today - datetime.timedelta(days=90)
    users = dict(User.objects.filter(person__in=[rep.person_id for rep in reps]).values_list("person_id", "pk"))
    functions = [p for p in FacilityTimeEntry.Purpose.values if p not in ("other_union", "activities")]
    entries = []
    for rep in reps:
        day = max(starts_on, _began(rep) or starts_on)
        while day <= ends_on:
            if day < logged_by_reps_demo and rng.random() < 0.6:
                entries.append(
                    FacilityTimeEntry(
                        rep=rep,
                        employer=council,
                        on=day,
                        hours=Decimal(rng.choice(("1", "1.5", "2", "3"))),
                        purpose=rng.choice(functions),
                        logged_by_id=users.get(rep.person_id),
                    )
                )
            if day.day <= 7 and rng.random() < 0.7:  # the branch meeting, once a month
                entries.append(
                    FacilityTimeEntry(
                        rep=rep,
                        employer=council,
                        on=day,
                        hours=Decimal("2"),
                        purpose="activities",
                        note="Branch meeting",
                        logged_by_id=users.get(rep.person_id),
                    )
                )
            day += datetime.timedelta(days=7)
    FacilityTimeEntry.objects.bulk_create(entries, batch_size=BATCH)
    facility_return = facility_figures.return_create(
        acting_user=coordinator, employer=council, year=year, total_pay_bill=Decimal("186400000")
    )
    for official in ReturnOfficial.objects.filter(facility_return=facility_return):
        official.hours_per_week = Decimal(rng.choice(("37", "37", "30", "22.5")))
        official.hourly_cost = Decimal(rng.choice(("16.80", "18.45", "21.10", "24.60")))
        official.hours_checked = True
        official.save(update_fields=["hours_per_week", "hourly_cost", "hours_checked"])


def _funding(derby: OrgUnit, council: Employer, coordinator: User | None, today: datetime.date) -> None:
    awarded = FundingBid.objects.create(
        unit=derby,
        employer=council,
        title="Functional skills at the Council House",
        source="union_fund",
        funder="Union learning fund",
        amount=Decimal("4500"),
        status=FundingBid.Status.AWARDED,
        submitted_on=_days(today, -150),
        decided_on=_days(today, -110),
        starts_on=_days(today, -100),
        ends_on=_days(today, 265),
        funds="Tutor fees and exam entries for maths and digital skills courses.",
        created_by=coordinator,
    )
    awarded.activities.set(
        [a for a in (_activity(derby, "Maths for work"), _activity(derby, "Essential digital skills")) if a]
    )
    waiting = FundingBid.objects.create(
        unit=derby,
        employer=council,
        title="ESOL and English at the depots",
        source="employer",
        funder="Derby City Council",
        amount=Decimal("2000"),
        status=FundingBid.Status.SUBMITTED,
        submitted_on=_days(today, -12),
        funds="Cover for depot staff to attend the ESOL sessions.",
        created_by=coordinator,
    )
    waiting.activities.set([a for a in (_activity(derby, "ESOL"),) if a])


def _sinfin(derby: OrgUnit, sinfin: Employer, coordinator: User | None, today: datetime.date) -> None:
    """A private employer, its agreement in negotiation with key elements still missing."""
    joanne = _contact(sinfin, "Joanne Price", EmployerContact.Kind.TRAINING_MANAGER, "Training Coordinator")
    M, V = ContactNote.Method.MEETING, ContactNote.Method.VIDEO
    _notes(
        joanne,
        coordinator,
        today,
        (
            -75,
            M,
            "First meeting about a learning agreement. The company wants apprenticeships covered.",
            "Send the model agreement",
        ),
        (
            -21,
            V,
            "Went through the draft: facility time and time off are the sticking points.",
            "Propose 2 hours a week for ULRs",
        ),
    )
    _agreement(
        sinfin,
        [derby],
        {
            Element.ROLES: (State.WEAK, "Only the company's side is set out."),
            Element.EQUALITIES: (State.MISSING, ""),
            Element.DISAGREEMENTS: (State.MISSING, ""),
            Element.COMMITTEE: (State.MISSING, "They prefer a yearly meeting."),
            Element.FACILITY_TIME: (State.WEAK, "1 hour a month offered: we are asking for 2 hours a week."),
            Element.TIME_OFF: (State.MISSING, ""),
            Element.REVIEW_DATE: (State.MISSING, ""),
        },
        coordinator,
        title="Sinfin Precision Engineering learning agreement",
        status=Status.NEGOTIATING,
        employer_negotiators="Joanne Price (Training Coordinator)",
    )


def _derby_homes(derby: OrgUnit, homes: Employer, coordinator: User | None, today: datetime.date) -> None:
    """Signed years ago, its review overdue and its committee quiet for eight months: in the drawer."""
    mark = _contact(homes, "Mark Ellis", EmployerContact.Kind.HR, "Head of HR")
    _notes(mark, coordinator, today, (-240, ContactNote.Method.MEETING, "Committee meeting: few actions agreed.", ""))
    agreement = _agreement(
        homes,
        [derby],
        {Element.EQUALITIES: (State.WEAK, ""), Element.LEGISLATION: (State.MISSING, "")},
        coordinator,
        title="Derby Homes learning agreement",
        status=Status.SIGNED,
        signed_on=_days(today, -1600),
        review_on=_days(today, -40),
        ulr_hours=Decimal("8"),
        ulr_per="month",
        employer_negotiators="Mark Ellis (Head of HR)",
    )
    committee = LearningCommittee.objects.create(employer=homes, agreement=agreement, name="Joint learning committee")
    meeting = CommitteeMeeting.objects.create(
        committee=committee,
        held_on=_days(today, -245),
        agenda="1. Review date\n2. Learning survey",
        created_by=coordinator,
    )
    CommitteeAction.objects.create(
        meeting=meeting,
        description="Agree a date to review the agreement",
        side=Side.EMPLOYER,
        owner_contact=mark,
        due_on=_days(today, -215),
    )


# Every other employer, in outline (bulk inserts) --------------------------------------------------

STATUS_WEIGHTS = (
    (Status.SIGNED, 60),
    (Status.NEGOTIATING, 15),
    (Status.DRAFT, 10),
    (Status.EXPIRED, 10),
    (Status.ENDED, 5),
)
ELEMENT_WEIGHTS: dict[str, tuple[int, int, int]] = {
    Status.SIGNED: (80, 12, 8),
    Status.EXPIRED: (70, 15, 15),
    Status.ENDED: (70, 15, 15),
    Status.NEGOTIATING: (40, 25, 35),
    Status.DRAFT: (25, 25, 50),
}
AGREEMENT_SHARE = 0.6  # of employers with an agreement
REQUESTS_PER_EMPLOYER = (0, 4)
DECISIONS = ((Decision.APPROVED, 55), (Decision.PARTLY, 15), (Decision.REFUSED, 15), (Decision.PENDING, 15))
FIRST_NAMES = ("Alison", "Ben", "Carla", "Deepak", "Emma", "Frank", "Grace", "Hassan", "Isla", "Jon", "Kiran", "Lucy")
LAST_NAMES = ("Barker", "Chowdhury", "Doyle", "Evans", "Fraser", "Gill", "Hughes", "Kaur", "Lewis", "Morgan", "Shaw")
AGENDA = "1. Learning survey\n2. Courses"
ACTIONS = (
    "Circulate the course dates",
    "Book a room for the learning stall",
    "Send the survey findings",
    "Agree time off for the maths course",
    "Promote Learning at Work Week",
)


def _pick(rng: random.Random, weighted: Iterable[tuple[str, int]]) -> str:
    choices, weights = zip(*weighted, strict=True)
    return rng.choices(choices, weights=weights)[0]


def spread_employer_work(
    employers: list[Employer], *, rng: random.Random, today: datetime.date, log: Callable[[str], object]
) -> None:
    """An agreement for most employers (in some state, with its elements and the unit that looks after the
    employer covering it), a committee with a meeting or two for the signed ones, a training manager, and a few
    time-off requests from members at its workplaces, a refusal opening a case."""
    if not employers:
        return
    states = [State.PRESENT, State.WEAK, State.MISSING]
    agreements, contacts = [], []
    for employer in employers:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        contacts.append(
            EmployerContact(
                employer=employer,
                name=name,
                kind=EmployerContact.Kind.TRAINING_MANAGER,
                job_title="Training manager",
                phone=_phone(name),
            )
        )
        if rng.random() >= AGREEMENT_SHARE:
            continue
        status = _pick(rng, STATUS_WEIGHTS)
        signed_on = (
            _days(today, -rng.randint(60, 1800)) if status in (Status.SIGNED, Status.EXPIRED, Status.ENDED) else None
        )
        agreements.append(
            LearningAgreement(
                employer=employer,
                title=f"{employer.name} learning agreement"[:160],
                status=status,
                signed_on=signed_on,
                review_on=signed_on + datetime.timedelta(days=rng.choice((730, 1095))) if signed_on else None,
                ended_on=_days(today, -rng.randint(10, 300)) if status == Status.ENDED else None,
                ulr_hours=Decimal(rng.choice((1, 2, 3))) if signed_on else None,
            )
        )
    EmployerContact.objects.bulk_create(contacts, batch_size=BATCH)
    LearningAgreement.objects.bulk_create(agreements, batch_size=BATCH)
    units = LearningAgreement.units.through
    units.objects.bulk_create(
        [units(learningagreement_id=a.pk, orgunit_id=a.employer.unit_id) for a in agreements], batch_size=BATCH
    )
    AgreementElement.objects.bulk_create(
        [
            AgreementElement(
                agreement=a, element=element, state=rng.choices(states, weights=ELEMENT_WEIGHTS[a.status])[0]
            )
            for a in agreements
            for element in Element.values
        ],
        batch_size=BATCH,
    )
    committees = [
        LearningCommittee(employer=a.employer, agreement=a, name="Joint learning committee")
        for a in agreements
        if a.status == Status.SIGNED and rng.random() < 0.7
    ]
    LearningCommittee.objects.bulk_create(committees, batch_size=BATCH)
    meetings = [
        CommitteeMeeting(committee=committee, held_on=_days(today, -rng.randint(10, 300)), agenda=AGENDA)
        for committee in committees
        for _ in range(rng.randint(1, 3))
    ]
    CommitteeMeeting.objects.bulk_create(meetings, batch_size=BATCH)
    CommitteeAction.objects.bulk_create(
        [
            CommitteeAction(
                meeting=meeting,
                description=rng.choice(ACTIONS),
                side=rng.choice(Side.values),
                due_on=meeting.held_on + datetime.timedelta(days=rng.randint(14, 60)),
                status="done" if rng.random() < 0.5 else "open",
            )
            for meeting in meetings
            if rng.random() < 0.6
        ],
        batch_size=BATCH,
    )
    requests = _spread_requests([a.employer for a in agreements if a.status == Status.SIGNED], rng, today)
    log(
        f"  {len(agreements):,} agreements, {len(committees):,} committees and {requests:,} time-off requests elsewhere"
    )


def _spread_requests(employers: list[Employer], rng: random.Random, today: datetime.date) -> int:
    """A few requests from members at each employer's workplaces (one small query per employer)."""
    rows = []
    for employer in employers:
        wanted = rng.randint(*REQUESTS_PER_EMPLOYER)
        if not wanted:
            continue
        people = list(
            Person.objects.filter(workplace__employer=employer, status=Person.Status.MEMBER)
            .order_by("pk")
            .values_list("pk", flat=True)[: wanted * 5]
        )
        for person_id in rng.sample(people, min(wanted, len(people))):
            decision = _pick(rng, DECISIONS)
            hours = Decimal(rng.choice((3, 6, 9, 12)))
            requested_on = _days(today, -rng.randint(5, 330))
            rows.append(
                TimeOffRequest(
                    employer=employer,
                    person_id=person_id,
                    hours=hours,
                    requested_on=requested_on,
                    learning=rng.choice(("Functional skills maths", "Digital skills", "ESOL", "Level 2 English")),
                    decision=decision,
                    hours_approved=hours
                    if decision == Decision.APPROVED
                    else hours / 2
                    if decision == Decision.PARTLY
                    else Decimal("0")
                    if decision == Decision.REFUSED
                    else None,
                    decided_on=None if decision == Decision.PENDING else requested_on + datetime.timedelta(days=5),
                    reason="Service needs." if decision == Decision.REFUSED else "",
                )
            )
    TimeOffRequest.objects.bulk_create(rows, batch_size=BATCH)
    NegotiationCase.objects.bulk_create(
        [
            NegotiationCase(request=row, opened_on=row.decided_on or today)
            for row in rows
            if row.decision == Decision.REFUSED
        ],
        batch_size=BATCH,
    )
    return len(rows)
