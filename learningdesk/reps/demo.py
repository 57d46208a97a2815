"""Demo reps: a working ULR network for the demo organisation, so a new user sees one after `make run`.

`build_demo_reps` is called by `org.demo.build_demo` once the people exist, and by the benchmarks after
their member import. It works on any organisation:

- each demo ULR login (org/demo.py) present gets a Person at their workplace and an active or trained ULR
  record, and about 25 more reps and prospects are placed at the East Midlands workplaces that exist, at
  every stage, with the support, meetings, facility time and targets around them;
- for a national-size organisation, `NATIONAL_REPS` more are spread over every branch's workplaces,
  inserted in chunks so that memory stays bounded.

Rows are written with bulk_create, but every rep's milestone dates, StageChange history and training
deadline are what the services (rep_add, rep_move, rep_notify, training_add) would have recorded.
"""

from __future__ import annotations

import datetime
import itertools
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.org.models import OrgUnit, Person, Workplace
from learningdesk.reps.models import (
    MILESTONE_FIELDS,
    STAGE_ORDER,
    TRAINING_MONTHS,
    Action,
    Barrier,
    Conversation,
    EmployerNotification,
    FacilityAllowance,
    FacilityTimeEntry,
    MeetingInvite,
    Method,
    Motivation,
    Recognition,
    RecruitmentTarget,
    Rep,
    RepKind,
    RepMeeting,
    RepReason,
    Source,
    Stage,
    StageChange,
    StandDownReason,
    SupportContact,
    TrainingRecord,
    stage_index,
    training_deadline,
)
from learningdesk.reps.services import letter_snapshot

# A national organisation (a million members) has over a thousand reps (Amicus-AEEU aimed at 1,000 trained).
NATIONAL_REPS = 1_200
NATIONAL_PEOPLE = 100_000
CHUNK = 500
DEMO_BRANCHES = ("EM-DERBY", "EM-NOTTS-HEALTH", "EM-LEICS-EDU")
# Who records things in each demo branch (the demo logins of org/demo.py).
RECORDERS = {
    "EM-DERBY": "coordinator@example.org",
    "EM-NOTTS-HEALTH": "notts@example.org",
    "EM-LEICS-EDU": "region@example.org",
}
ULR_COURSE = ("ULR initial training (five days)", "Union education: East Midlands ULR course")
CHAMPION_COURSE = ("Learner champion course (one day)", "Union education: online")
FURTHER_COURSES = (
    ("Supporting learners with maths anxiety", "Union education: online"),
    ("Skills audits at work", "Union education: East Midlands"),
    ("Digital champions: helping colleagues online", "Good Things Foundation"),
    ("Mental health awareness for reps", "Union education: East Midlands"),
)


@dataclass(frozen=True)
class DemoRep:
    """One rep of the East Midlands demo: where, what kind, how far along, and anything special."""

    workplace: str
    kind: str
    stage: str
    special: str = ""  # due_20 | due_50 | overdue | no_contact | allowance_no_time | first_name last_name
    extra_workplaces: tuple[str, ...] = ()


# About 25 reps and prospects beyond the ULR logins, at every stage across the three demo branches.
DEMO_REPS = (
    DemoRep("Perth House Care Centre", "ulr", Stage.NOTIFIED, "due_20"),
    DemoRep("Derby Homes Repairs Centre", "ulr", Stage.TRAINING_BOOKED, "due_50"),
    DemoRep("Raynesway Waste Transfer Station", "ulr", Stage.NOTIFIED, "overdue"),
    DemoRep("Adult Learning Service", "tutor", Stage.ACTIVE),
    DemoRep("Pear Tree Library", "digital_champion", Stage.ACTIVE),
    DemoRep("Council House", "learner_champion", Stage.ACTIVE),
    DemoRep("Moorways Sports Village", "learner_champion", Stage.TRAINED),
    DemoRep("Osmaston Park Machine Shop", "ulr", Stage.AGREED),
    DemoRep("Derby Museum and Art Gallery", "ulr", Stage.PROSPECT),
    DemoRep("Alvaston Park Academy", "ulr", Stage.APPROACHED),
    DemoRep("Stores Road Depot", "ulr", Stage.STOOD_DOWN),
    DemoRep("Osmaston Local Housing Office", "ulr", Stage.ACTIVE, "no_contact"),
    DemoRep("Queen's Medical Centre", "learner_champion", Stage.ACTIVE),
    DemoRep("Nottingham City Hospital", "ulr", Stage.ACTIVE, "no_contact"),
    DemoRep("Highbury Hospital", "ulr", Stage.PROSPECT),
    DemoRep("Beeston Laboratories, Lilac Grove", "ulr", Stage.APPROACHED),
    DemoRep("Newark Hospital", "ulr", Stage.TRAINED),
    DemoRep("Nottingham Treatment Centre", "ulr", Stage.AGREED),
    DemoRep("Clifton Distribution Centre", "ulr", Stage.STOOD_DOWN),
    DemoRep("Duncan Macmillan House", "learner_rep", Stage.ACTIVE),
    DemoRep("Loughborough College, Radmoor Road", "ulr", Stage.ACTIVE, "allowance_no_time"),
    DemoRep("Magna Park Distribution Centre", "ulr", Stage.PROSPECT),
    DemoRep("Fosseway Home Stores, Fosse Park", "learner_champion", Stage.AGREED),
    DemoRep("County Hall", "ulr", Stage.TRAINING_BOOKED),
    DemoRep("Coalville Library", "ulr", Stage.APPROACHED),
    DemoRep("Beaumanor Hall Outdoor Learning Centre", "ulr", Stage.ACTIVE, "no_contact"),
)
# The logins' reps: active, but two still "trained" (just back from their course).
TRAINED_LOGINS = ("ulr3@example.org", "ulr6@example.org")

MOTIVATION_NOTES = (
    "Did an English course through the union and wants others to get the same chance.",
    "Says she is a people person and would rather help colleagues learn than be a steward.",
    "Has a teaching background and misses it.",
    "Wants to get involved but worried about the time it takes.",
    "Came to the book swap and asked how to help.",
)
BARRIER_NOTES = (
    "Manager is not keen on time away from the rota.",
    "Not sure what a ULR does: send the leaflet and invite to the next information session.",
    "Worried about being made a steward.",
    "Works nights: meetings need to be online.",
)
SUPPORT_NOTES = (
    "Talked through the stall at the canteen. Feeling more confident; wants to try a lunchtime session.",
    "Caught up after the course. Keen to run a skills audit on their team.",
    "Quick check-in by phone. Manager is still awkward about release: agreed to raise it with HR.",
    "Thanked them for the Learning at Work Week display. Told the branch committee.",
    "Went through their action plan. Two learners signed up for functional skills maths.",
)
ACTION_TEXTS = (
    ("Book a room for a lunchtime learning stall", "Leaflets and the sign-up sheet"),
    ("Ask the manager for release for the ULR meeting", "Co-ordinator to back them up if refused"),
    ("Run a skills survey in their team", "The survey link and a short script"),
    ("Put up the learning noticeboard", ""),
    ("Find out who wants the digital skills sessions", "Dates from the provider"),
    ("Meet the new starters at induction", ""),
)
FALLBACK_NAMES = (("Beverley", "Okoro"), ("Gavin", "Stokes"), ("Nadia", "Hussain"), ("Lee", "Parkin"))
CONVERSATION_NAMES = ("Sam", "Priya", "Joe", "Bea", "Kwame", "Lena", "Tom", "Mo", "Ffion", "Iqbal", "Rosa", "Dan")


@dataclass
class _Built:
    """What the builder made, for the later steps (support, meetings, facility time) to hang things on."""

    reps: list[tuple[Rep, DemoRep | None]] = field(default_factory=list)
    workplaces: dict[str, Workplace] = field(default_factory=dict)


@dataclass(frozen=True)
class RepsSummary:
    reps: int
    spread: int


def reps_for(people: int) -> int:
    """How many reps to spread over the organisation beyond the East Midlands demo ones."""
    return NATIONAL_REPS if people >= NATIONAL_PEOPLE else 0


@transaction.atomic
def build_demo_reps(*, seed: int, spread: int | None = None, log: Callable[[str], object] | None = None) -> RepsSummary:
    """Add the demo's reps to the organisation in the database (any organisation: what is missing is skipped).

    `spread`: reps to add across every branch's workplaces (by default `reps_for` the number of people).
    """
    log = log or (lambda message: None)
    rng = random.Random(seed)
    today = timezone.localdate()
    kinds = {kind.code: kind for kind in RepKind.objects.all()}
    if "ulr" not in kinds:
        return RepsSummary(reps=0, spread=0)
    built = _Built()
    _login_reps(built, kinds, rng, today)
    _demo_reps(built, kinds, rng, today)
    _support(built, rng, today)
    _meetings(built, rng, today)
    _facility_time(built, rng, today)
    _conversations(built, rng, today)
    _targets(today)
    if spread is None:
        spread = reps_for(Person.objects.count())
    spread_count = spread_reps(count=spread, rng=rng, today=today, log=log) if spread else 0
    log(f"  {len(built.reps)} demo reps and {spread_count:,} more across the branches")
    return RepsSummary(reps=len(built.reps), spread=spread_count)


# Paths: the stages a rep passed through, with dates ----------------------------------------------


Steps = list[tuple[Stage, datetime.date]]


def _path(kind: RepKind, final: str, rng: random.Random, today: datetime.date, **fixed: datetime.date) -> Steps:
    """(stage, date) for each stage the rep was moved to, oldest first, ending on or before today.

    A statutory rep reaches "notified" by the notice to the employer; other kinds go from agreed straight to
    trained. A rep who stood down got some way first. `notified_on` in `fixed` pins that step's date, `end`
    the last step's.
    """
    stood_down = final == Stage.STOOD_DOWN
    last = rng.choice((Stage.AGREED, Stage.NOTIFIED, Stage.ACTIVE)) if stood_down else final
    if not kind.has_statutory_rights and last == Stage.NOTIFIED:
        last = Stage.AGREED
    stages = [
        Stage(stage)
        for stage in STAGE_ORDER[: stage_index(last) + 1]
        if kind.has_statutory_rights or stage not in (Stage.NOTIFIED, Stage.TRAINING_BOOKED)
    ]
    if stood_down:
        stages.append(Stage.STOOD_DOWN)
    gaps = [rng.randint(7, 45) for _ in stages]
    gaps[0] = 0
    end = fixed.get("end") or today - datetime.timedelta(days=rng.randint(3, 120))
    notified_on = fixed.get("notified_on")
    if notified_on is not None and Stage.NOTIFIED in stages:
        # Count back and on from the pinned notice; steps after it stay in the past.
        at = stages.index(Stage.NOTIFIED)
        dates = [notified_on - datetime.timedelta(days=sum(gaps[i + 1 : at + 1])) for i in range(at)] + [notified_on]
        for gap in gaps[at + 1 :]:
            dates.append(min(today, dates[-1] + datetime.timedelta(days=gap)))
    else:
        start = end - datetime.timedelta(days=sum(gaps))
        dates = list(itertools.accumulate(gaps, lambda day, gap: day + datetime.timedelta(days=gap), initial=start))[1:]
    return list(zip(stages, dates, strict=True))


def _apply_path(rep: Rep, steps: Steps) -> None:
    """The rep's stage and milestone dates as the services set them (a skipped stage gets the move's date)."""
    for stage, on in steps:
        rep.stage, rep.stage_on = stage, on
        if stage == Stage.STOOD_DOWN:
            rep.stood_down_on = on
            continue
        for earlier in STAGE_ORDER[: stage_index(stage) + 1]:
            name = MILESTONE_FIELDS.get(Stage(earlier))
            if name and getattr(rep, name) is None:
                setattr(rep, name, on)
    if rep.kind.has_statutory_rights and rep.notified_on is not None:
        # rep_notify sets it from the first notice; training does not clear it (owes_training looks at trained_on).
        rep.training_due_by = training_deadline(rep.notified_on)


def _history(rep: Rep, steps: Steps, recorder: User | None) -> list[StageChange]:
    notes = {Stage.NOTIFIED: "Notified the employer", Stage.TRAINED: "Finished the initial course"}
    return [
        StageChange(rep=rep, stage=stage, on=on, note=notes.get(stage, ""), recorded_by=recorder) for stage, on in steps
    ]


def _deadline_notice(special: str, today: datetime.date) -> datetime.date | None:
    """The notice date that puts the training deadline where the demo wants it."""
    days = {"due_20": 20, "due_50": 50, "overdue": -12}.get(special)
    if days is None:
        return None
    return today + datetime.timedelta(days=days) - relativedelta(months=TRAINING_MONTHS)


# The logins' reps and the East Midlands demo reps --------------------------------------------------


def _recorders() -> dict[int, User | None]:
    """Who records things, by branch id: the demo co-ordinator of each demo branch (None elsewhere)."""
    users = {user.email: user for user in User.objects.filter(email__in=RECORDERS.values())}
    units = OrgUnit.objects.filter(code__in=RECORDERS).values_list("pk", "code")
    return {pk: users.get(RECORDERS[code]) for pk, code in units}


def _login_reps(built: _Built, kinds: dict[str, RepKind], rng: random.Random, today: datetime.date) -> None:
    """Each demo ULR login present: a Person at their first workplace (linked to the login) and a ULR record."""
    from learningdesk.org.demo import DEMO_LOGINS, EXTRA_ULR_LOGINS  # org.demo calls this module

    recorders = _recorders()
    for login in (*DEMO_LOGINS, *EXTRA_ULR_LOGINS):
        if not login.workplaces:
            continue
        user = User.objects.filter(email=login.email).select_related("person").first()
        places = list(
            Workplace.objects.filter(branch__code=login.unit_code, name__in=login.workplaces).select_related("employer")
        )
        if user is None or not places:
            continue
        places.sort(key=lambda workplace: login.workplaces.index(workplace.name))
        person = user.person or _person_for_login(login.full_name, login.email, places[0], rng)
        if user.person_id != person.pk:
            user.person = person
            user.save(update_fields=["person"])
        if Rep.objects.filter(person=person, kind=kinds["ulr"]).exclude(stage=Stage.STOOD_DOWN).exists():
            continue
        final = Stage.TRAINED if login.email in TRAINED_LOGINS else Stage.ACTIVE
        rep = _make_rep(
            person=person,
            kind=kinds["ulr"],
            final=final,
            places=places,
            rng=rng,
            today=today,
            recorder=recorders.get(places[0].branch_id),
            plan=None,
        )
        built.reps.append((rep, None))
        built.workplaces.update({place.name: place for place in places})


def _person_for_login(full_name: str, email: str, workplace: Workplace, rng: random.Random) -> Person:
    """The login's person: one with their email, or a member at their workplace who becomes them.

    Taking over a generated member (their name and email) keeps the demo's people as many as it promised,
    every one with a membership number from the membership system.
    """
    existing = Person.objects.filter(email_key=email.lower()).first()
    if existing is not None:
        return existing
    person = _member_at(workplace, set(Rep.objects.values_list("person_id", flat=True)), rng)
    person.first_name, _, person.last_name = full_name.partition(" ")
    person.email = email
    person.save(update_fields=["first_name", "last_name", "email"])
    return person


def _member_at(workplace: Workplace, taken: set[int], rng: random.Random) -> Person:
    """A member at the workplace who is not a rep or a login yet; in a small demo, where no one works at a
    small site, a member of the branch who moves there; a new member if the branch has none."""
    free = Person.objects.filter(status=Person.Status.MEMBER, user__isnull=True).exclude(pk__in=taken)
    here = list(free.filter(workplace=workplace).order_by("pk").values_list("pk", flat=True)[:40])
    if here:
        return Person.objects.get(pk=rng.choice(here))
    person = free.filter(branch_id=workplace.branch_id).order_by("pk").first()
    if person is not None:
        person.workplace = workplace
        person.save(update_fields=["workplace"])
        return person
    first_name, last_name = FALLBACK_NAMES[len(taken) % len(FALLBACK_NAMES)]
    return Person.objects.create(
        membership_number=f"D{Person.objects.filter(membership_number__startswith='D').count() + 1:07d}",
        first_name=first_name,
        last_name=last_name,
        branch_id=workplace.branch_id,
        workplace=workplace,
        status=Person.Status.MEMBER,
        joined_on=timezone.localdate() - datetime.timedelta(days=6 * 365),
    )


def _demo_reps(built: _Built, kinds: dict[str, RepKind], rng: random.Random, today: datetime.date) -> None:
    recorders = _recorders()
    names = {plan.workplace for plan in DEMO_REPS}
    places = {
        workplace.name: workplace
        for workplace in Workplace.objects.filter(branch__code__in=DEMO_BRANCHES, name__in=names).select_related(
            "employer", "branch"
        )
    }
    taken = set(Rep.objects.values_list("person_id", flat=True))
    for plan in DEMO_REPS:
        workplace = places.get(plan.workplace)
        if workplace is None or plan.kind not in kinds:
            continue
        person = _member_at(workplace, taken, rng)
        taken.add(person.pk)
        rep = _make_rep(
            person=person,
            kind=kinds[plan.kind],
            final=plan.stage,
            places=[workplace],
            rng=rng,
            today=today,
            recorder=recorders.get(workplace.branch_id),
            plan=plan,
        )
        built.reps.append((rep, plan))
        built.workplaces[workplace.name] = workplace


def _make_rep(
    *,
    person: Person,
    kind: RepKind,
    final: str,
    places: list[Workplace],
    rng: random.Random,
    today: datetime.date,
    recorder: User | None,
    plan: DemoRep | None,
) -> Rep:
    """One demo rep with their history, notice, training and reasons, as the services would record them."""
    fixed = {}
    if plan is not None and (notice := _deadline_notice(plan.special, today)):
        fixed["notified_on"] = notice
    if plan is not None and plan.special == "no_contact":  # a rep of long standing, left alone lately
        fixed["end"] = today - datetime.timedelta(days=rng.randint(100, 150))
    steps = _path(kind, final, rng, today, **fixed)
    is_prospect = stage_index(final) < stage_index(Stage.NOTIFIED)
    rep = Rep(
        person=person,
        kind=kind,
        source=rng.choice(Source.values),
        method=rng.choice(Method.values),
        motivation_notes=rng.choice(MOTIVATION_NOTES) if plan else "",
        barrier_notes=rng.choice(BARRIER_NOTES) if is_prospect else "",
        created_by=recorder,
        created_at=timezone.now() - datetime.timedelta(days=(today - steps[0][1]).days),
    )
    _apply_path(rep, steps)
    if rep.stage == Stage.STOOD_DOWN:
        rep.stood_down_reason = rng.choice((StandDownReason.NO_TIME, StandDownReason.LEFT_EMPLOYER))
    if rep.trained_on is not None:
        rep.skills_interests = "Good with people; runs the team's WhatsApp group; interested in digital skills."
        rep.learnt = "What the ULR role covers, how to run a skills survey, where the funding is."
        rep.wants_to_do = "A learning stall every quarter and a maths course for the depot."
        rep.plan_reviewed_on = min(today, rep.trained_on + datetime.timedelta(days=30))
    rep.full_clean(exclude=["workplaces"], validate_constraints=False)
    rep.save()
    rep.workplaces.set(places)
    StageChange.objects.bulk_create(_history(rep, steps, recorder))
    _reasons([rep], rng)
    if kind.has_statutory_rights and rep.notified_on is not None:
        _notify(rep, places[0], recorder)
    TrainingRecord.objects.bulk_create(_training(rep, rng, today, recorder))
    return rep


def _reasons(reps: Iterable[Rep], rng: random.Random) -> None:
    """Why they stand (everyone), and what holds back the prospects and those who stood down."""
    rows = []
    for rep in reps:
        for code in rng.sample(Motivation.values, rng.randint(1, 2)):
            rows.append(RepReason(rep=rep, kind=RepReason.Kind.MOTIVATION, code=code))
        if rep.is_prospect or rep.stage == Stage.STOOD_DOWN:
            for code in rng.sample(Barrier.values, rng.randint(1, 2)):
                rows.append(RepReason(rep=rep, kind=RepReason.Kind.BARRIER, code=code))
    RepReason.objects.bulk_create(rows)


def _notify(rep: Rep, workplace: Workplace, recorder: User | None) -> None:
    assert rep.notified_on is not None
    contact = {"contact_name": "Pat Holloway", "contact_job_title": "Head of HR"}
    rep = Rep.objects.select_related("person__branch", "kind").prefetch_related("workplaces").get(pk=rep.pk)
    EmployerNotification.objects.create(**_notification(rep, workplace, contact, recorder))


def _notification(rep: Rep, workplace: Workplace, contact: dict[str, str], recorder: User | None) -> dict[str, object]:
    """An EmployerNotification's fields; the letter says what it said then (before any training since)."""
    assert rep.notified_on is not None
    trained_on = rep.trained_on
    if trained_on is not None and trained_on > rep.notified_on:
        rep.trained_on = None
    letter = letter_snapshot(
        rep=rep, employer=workplace.employer, sent_on=rep.notified_on, contact=contact, signed_by=recorder
    )
    rep.trained_on = trained_on
    return {
        "rep": rep,
        "employer": workplace.employer,
        "sent_on": rep.notified_on,
        "method": EmployerNotification.Method.EMAIL,
        "training_due_by": training_deadline(rep.notified_on),
        "recorded_by": recorder,
        "letter": letter,
        **contact,
    }


def _training(rep: Rep, rng: random.Random, today: datetime.date, recorder: User | None) -> list[TrainingRecord]:
    """The initial course (done, or booked ahead) and, for some active reps, a further one."""
    course, provider = ULR_COURSE if rep.kind.has_statutory_rights else CHAMPION_COURSE
    records = []
    if rep.trained_on is not None:
        records.append(
            TrainingRecord(
                rep=rep, course=course, provider=provider, on=rep.trained_on, completed=True, is_initial=True,
                recorded_by=recorder,
            )
        )  # fmt: skip
    elif rep.stage == Stage.TRAINING_BOOKED:
        records.append(
            TrainingRecord(
                rep=rep, course=course, provider=provider, on=today + datetime.timedelta(days=rng.randint(5, 15)),
                completed=False, is_initial=True, recorded_by=recorder,
                created_at=timezone.make_aware(datetime.datetime.combine(rep.stage_on, datetime.time(10))),
            )
        )  # fmt: skip
    if rep.stage == Stage.ACTIVE and rng.random() < 0.5 and rep.active_on is not None:
        further, further_provider = rng.choice(FURTHER_COURSES)
        on = min(today, rep.active_on + datetime.timedelta(days=rng.randint(20, 90)))
        records.append(
            TrainingRecord(
                rep=rep, course=further, provider=further_provider, on=on, completed=True, recorded_by=recorder
            )
        )
    return records


# Support, meetings, facility time, conversations, targets ----------------------------------------------


def _support(built: _Built, rng: random.Random, today: datetime.date) -> None:
    """1-2-1s and check-ins for reps who agreed to stand (some not contacted for 60+ days), with actions."""
    recorders = _recorders()
    contacts: list[SupportContact] = []
    actions: list[Action] = []
    recognitions: list[Recognition] = []
    for number, (rep, plan) in enumerate(built.reps):
        if rep.stage == Stage.STOOD_DOWN or stage_index(rep.stage) < stage_index(Stage.AGREED):
            continue
        recorder = recorders.get(rep.person.branch_id)
        long_ago = plan is not None and plan.special == "no_contact"
        last = today - datetime.timedelta(days=rng.randint(62, 90) if long_ago else rng.randint(3, 30))
        first = min(last, max(rep.agreed_on or last, last - datetime.timedelta(days=rng.randint(30, 150))))
        between = [
            first + datetime.timedelta(days=rng.randint(0, (last - first).days)) for _ in range(rng.randint(0, 2))
        ]
        for on in sorted({first, last, *between}):
            tags = rng.sample(["appreciation", "benefits", "communicate", "develop", "empower"], rng.randint(1, 3))
            contacts.append(
                SupportContact(
                    rep=rep,
                    on=on,
                    kind=rng.choice(SupportContact.Kind.values),
                    notes=rng.choice(SUPPORT_NOTES),
                    reviewed_plan=rng.random() < 0.3,
                    recorded_by=recorder,
                    **{tag: True for tag in tags},
                )
            )
        # Actions agreed at the last contact: one overdue for every third rep, some done, some ahead.
        what, support_needed = ACTION_TEXTS[number % len(ACTION_TEXTS)]
        if number % 3 == 0:
            due, done = today - datetime.timedelta(days=rng.randint(5, 25)), None
        elif number % 3 == 1:
            due = today + datetime.timedelta(days=rng.randint(7, 40))
            done = None
        else:
            due = last + datetime.timedelta(days=14)
            done = min(today, due)
        actions.append(
            Action(
                unit_id=rep.person.branch_id,
                rep=rep,
                is_plan=number % 2 == 0,
                description=what,
                support_needed=support_needed,
                owner=rep.person,
                due_on=due,
                done_on=done,
                created_by=recorder,
            )
        )
        if rep.stage == Stage.ACTIVE and number % 4 == 0:
            kind = (Recognition.Kind.THANKED, Recognition.Kind.TOLD_BRANCH, Recognition.Kind.NOMINATED)[number % 3]
            recognitions.append(
                Recognition(
                    rep=rep,
                    on=last,
                    kind=kind,
                    note="Ran the Learning at Work Week stall: 23 sign-ups.",
                    recorded_by=recorder,
                )
            )
    SupportContact.objects.bulk_create(contacts)
    Action.objects.bulk_create(actions)
    Recognition.objects.bulk_create(recognitions)


def _meetings(built: _Built, rng: random.Random, today: datetime.date) -> None:
    """Derby's ULR meetings: one last month with attendance and actions, one coming up."""
    derby = OrgUnit.objects.filter(code=DEMO_BRANCHES[0]).first()
    if derby is None:
        return
    recorder = _recorders().get(derby.pk)
    invited = [rep for rep, _plan in built.reps if rep.person.branch_id == derby.pk and rep.is_current]
    invited = [rep for rep in invited if stage_index(rep.stage) >= stage_index(Stage.AGREED)]

    def at(day: datetime.date, hour: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    past_day = today - datetime.timedelta(days=33)
    past = RepMeeting.objects.create(
        unit=derby,
        title="Derby ULR meeting",
        starts_at=at(past_day, 17),
        ends_at=at(past_day, 19),
        location="Room 2, Council House, Corporation Street, Derby",
        agenda="1. Welcome and news\n2. Learning at Work Week\n3. Skills survey results\n4. Facility time",
        notes="Good turnout. The skills survey showed most interest in digital skills and maths.",
        created_by=recorder,
    )
    upcoming_day = today + datetime.timedelta(days=19)
    upcoming = RepMeeting.objects.create(
        unit=derby,
        title="Derby ULR meeting",
        starts_at=at(upcoming_day, 17),
        ends_at=at(upcoming_day, 19),
        location="Online",
        online_link="https://meet.example.org/derby-ulrs",
        agenda="1. Welcome\n2. New ULRs\n3. Plans for the autumn courses",
        created_by=recorder,
    )
    Attendance = MeetingInvite.Attendance
    weights = (Attendance.ATTENDED, Attendance.ATTENDED, Attendance.ATTENDED, Attendance.APOLOGIES, Attendance.ABSENT)
    MeetingInvite.objects.bulk_create(
        [MeetingInvite(meeting=past, rep=rep, attendance=rng.choice(weights)) for rep in invited]
        + [MeetingInvite(meeting=upcoming, rep=rep) for rep in invited]
    )
    Action.objects.bulk_create(
        [
            Action(
                unit=derby,
                meeting=past,
                description="Share the skills survey results with the employer",
                owner_name="Sarah Whitfield",
                due_on=past_day + datetime.timedelta(days=14),
                done_on=past_day + datetime.timedelta(days=10),
                created_by=recorder,
            ),
            Action(
                unit=derby,
                meeting=past,
                description="Ask the council for a room for digital skills sessions",
                owner_name="Tom Okafor",
                due_on=past_day + datetime.timedelta(days=21),
                created_by=recorder,
            ),
        ]
    )


def _facility_time(built: _Built, rng: random.Random, today: datetime.date) -> None:
    """Agreed facility time for trained and active ULRs, and the hours they logged over three months."""
    allowances = []
    entries = []
    purposes = FacilityTimeEntry.Purpose.values
    for rep, plan in built.reps:
        if not rep.kind.has_statutory_rights or rep.trained_on is None or not rep.is_current:
            continue
        workplace = rep.workplaces.select_related("employer").first()
        if workplace is None:
            continue
        employer = workplace.employer
        weekly = rng.random() < 0.7
        hours = Decimal(rng.choice((1, 2, 3, 4))) if weekly else Decimal(rng.choice((8, 12, 16)))
        allowances.append(
            FacilityAllowance(
                rep=rep,
                employer=employer,
                hours=hours,
                per=FacilityAllowance.Per.WEEK if weekly else FacilityAllowance.Per.MONTH,
                agreed_on=rep.notified_on or rep.trained_on,
            )
        )
        if plan is not None and plan.special == "allowance_no_time":
            continue  # blocked by a manager, perhaps: the facility page flags reps using none
        user = User.objects.filter(person=rep.person).first()
        start = max(today - datetime.timedelta(days=90), rep.trained_on)
        day = start
        while day <= today:
            if rng.random() < 0.7:
                entries.append(
                    FacilityTimeEntry(
                        rep=rep,
                        employer=employer,
                        on=day,
                        hours=Decimal(rng.choice(("0.5", "1", "1.5", "2", "3"))),
                        purpose=rng.choice(purposes),
                        logged_by=user,
                    )
                )
            day += datetime.timedelta(days=rng.randint(4, 10))
    FacilityAllowance.objects.bulk_create(allowances)
    FacilityTimeEntry.objects.bulk_create(entries)


def _conversations(built: _Built, rng: random.Random, today: datetime.date) -> None:
    """What active reps talked to colleagues about, logged from their phones."""
    rows = []
    for rep, _plan in built.reps:
        if rep.stage != Stage.ACTIVE:
            continue
        user = User.objects.filter(person=rep.person).first()
        for _ in range(rng.randint(1, 5)):
            about = rng.choice(Conversation.About.values)
            rows.append(
                Conversation(
                    rep=rep,
                    on=today - datetime.timedelta(days=rng.randint(0, 60)),
                    name=rng.choice(CONVERSATION_NAMES),
                    about=about,
                    notes="Interested in the maths course in the autumn." if about == "functional_skills" else "",
                    follow_up=rng.random() < 0.3,
                    logged_by=user,
                )
            )
    Conversation.objects.bulk_create(rows)


def _targets(today: datetime.date) -> None:
    """ "8 new ULRs this year" for each demo branch."""
    ulr = RepKind.objects.filter(code="ulr").first()
    branches = OrgUnit.objects.filter(code__in=DEMO_BRANCHES)
    recorders = _recorders()
    RecruitmentTarget.objects.bulk_create(
        [
            RecruitmentTarget(
                unit=branch,
                kind=ulr,
                starts_on=datetime.date(today.year, 1, 1),
                ends_on=datetime.date(today.year, 12, 31),
                target=8,
                created_by=recorders.get(branch.pk),
            )
            for branch in branches
        ]
    )


# Reps across a national organisation ----------------------------------------------------------------

# Where the reps of a large organisation are on their path (shares of 100).
SPREAD_STAGES = (
    (Stage.ACTIVE, 52),
    (Stage.TRAINED, 14),
    (Stage.TRAINING_BOOKED, 4),
    (Stage.NOTIFIED, 5),
    (Stage.AGREED, 6),
    (Stage.APPROACHED, 5),
    (Stage.PROSPECT, 7),
    (Stage.STOOD_DOWN, 7),
)
SPREAD_KINDS = (("ulr", 78), ("learner_champion", 10), ("learner_rep", 5), ("digital_champion", 4), ("tutor", 3))


def spread_reps(*, count: int, rng: random.Random, today: datetime.date, log: Callable[[str], object]) -> int:
    """Up to `count` reps over the workplaces of every branch, a chunk at a time: members picked at each one.

    About half the workplaces get reps (some two), so the mapping has gaps to show. Returns how many were made.
    """
    kinds = {kind.code: kind for kind in RepKind.objects.all()}
    kind_codes = [code for code, _ in SPREAD_KINDS if code in kinds]
    kind_weights = [weight for code, weight in SPREAD_KINDS if code in kinds]
    stages = [stage for stage, _ in SPREAD_STAGES]
    stage_weights = [weight for _, weight in SPREAD_STAGES]
    workplaces = list(Workplace.objects.order_by("pk").values_list("pk", flat=True))
    if not workplaces or not kind_codes:
        return 0
    rng.shuffle(workplaces)
    # Half the workplaces first, round and round (a few get two reps); the rest only if people run out there.
    half = len(workplaces) // 2 or 1
    rounds = max(1, math.ceil(count / half))
    order = itertools.chain(itertools.chain.from_iterable(itertools.repeat(workplaces[:half], rounds)), workplaces)
    taken = set(Rep.objects.values_list("person_id", flat=True))
    made = 0
    while made < count:
        plans: list[SpreadPlan] = []
        for workplace_id in order:
            person = _someone_at(workplace_id, taken, rng)
            if person is not None:
                taken.add(person[0])
                kind = kinds[rng.choices(kind_codes, kind_weights)[0]]
                plans.append((person, workplace_id, kind, rng.choices(stages, stage_weights)[0]))
            if len(plans) == min(CHUNK, count - made):
                break
        if not plans:
            break  # no one left to ask
        made += _insert_spread(plans, rng, today)
        log(f"  {made:,} of {count:,} reps across the branches")
    return made


def _someone_at(workplace_id: int, taken: set[int], rng: random.Random) -> tuple[int, int] | None:
    """A member at the workplace who is not a rep yet: (person id, branch id)."""
    # Read from the (workplace, status) index and sorted here: "order by id limit 5" makes PostgreSQL walk the
    # whole people table by id for a workplace with no members (0.4 s each, minutes for the national demo).
    members = sorted(
        Person.objects.filter(workplace_id=workplace_id, status=Person.Status.MEMBER)
        .order_by()
        .values_list("pk", "branch_id")
    )
    for offset in (rng.randrange(60), 0):
        for person in members[offset : offset + 5]:
            if person[0] not in taken:
                return person
    return None


SpreadPlan = tuple[tuple[int, int], int, RepKind, str]  # (person id, branch id), workplace id, kind, stage


def _insert_spread(plans: list[SpreadPlan], rng: random.Random, today: datetime.date) -> int:
    """One chunk of spread reps with their history, notices, training and last support contact."""
    reps, paths = [], []
    for (person_id, _branch_id), _workplace_id, kind, final in plans:
        steps = _path(kind, final, rng, today)
        rep = Rep(
            person_id=person_id,
            kind=kind,
            source=rng.choice(Source.values),
            method=rng.choice(Method.values),
            created_at=timezone.now() - datetime.timedelta(days=(today - steps[0][1]).days),
        )
        _apply_path(rep, steps)
        if rep.stage == Stage.STOOD_DOWN:
            rep.stood_down_reason = rng.choice(StandDownReason.values)
        reps.append(rep)
        paths.append(steps)
    Rep.objects.bulk_create(reps, batch_size=CHUNK)
    Through = Rep.workplaces.through
    Through.objects.bulk_create(
        [Through(rep_id=rep.pk, workplace_id=plan[1]) for rep, plan in zip(reps, plans, strict=True)],
        batch_size=CHUNK,
    )
    StageChange.objects.bulk_create(
        [change for rep, steps in zip(reps, paths, strict=True) for change in _history(rep, steps, None)],
        batch_size=CHUNK,
    )
    _reasons(reps, rng)
    notified = [rep.pk for rep in reps if rep.kind.has_statutory_rights and rep.notified_on is not None]
    contact = {"contact_name": "Human Resources"}
    notices = []
    for rep in (
        Rep.objects.filter(pk__in=notified)
        .select_related("person__branch", "kind")
        .prefetch_related("workplaces__employer")
    ):
        notices.append(EmployerNotification(**_notification(rep, rep.workplaces.all()[0], contact, None)))
    EmployerNotification.objects.bulk_create(notices, batch_size=CHUNK)
    TrainingRecord.objects.bulk_create(
        [record for rep in reps for record in _training(rep, rng, today, None)], batch_size=CHUNK
    )
    SupportContact.objects.bulk_create(
        [
            SupportContact(
                rep=rep,
                on=today - datetime.timedelta(days=rng.randint(2, 120)),
                kind=rng.choice(SupportContact.Kind.values),
                communicate=True,
            )
            for rep in reps
            if rep.is_current and stage_index(rep.stage) >= stage_index(Stage.AGREED)
        ],
        batch_size=CHUNK,
    )
    return len(reps)
