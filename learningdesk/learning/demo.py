"""Demo learning: Derby's programme in detail (courses, a stall, a book swap, a webinar, a full union course
with a waiting list, a learning centre, resources), and at national size enough activity across every branch
for the benchmarks: about 100,000 sign-ups and 20,000 learners a year.

Places are counted as the services count them (`Session.taken` = sign-ups holding a place), so the demo
data keeps the invariants the tests check.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.learning.catalogue import ensure_catalogue
from learningdesk.learning.models import (
    Activity,
    ActivityHelper,
    ActivityType,
    Audience,
    Evaluation,
    Funding,
    JoinLead,
    LearningCentre,
    Level,
    Outcome,
    Provider,
    Resource,
    ResourceAudience,
    Room,
    Session,
    SignUp,
    Subject,
)
from learningdesk.org.models import Consent, OrgUnit, Person, Workplace

DEMO_BRANCH = "EM-DERBY"
# National size: activities spread over the branches, two sessions each, about 20 sign-ups a session.
NATIONAL_PEOPLE = 100_000
NATIONAL_ACTIVITIES = 2_900
SIGN_UPS_PER_SESSION = (8, 30)


@dataclass(frozen=True)
class LearningSummary:
    activities: int
    sessions: int
    sign_ups: int


@dataclass(frozen=True)
class DemoActivity:
    title: str
    type: str
    subject: str | None
    description: str
    sessions: tuple[tuple[int, int, float], ...]  # (days from today, hour, length in hours)
    capacity: int
    venue: str  # a workplace name, "room:<name>", "online" or an address
    level: str = ""
    qualification: str = ""
    awarding_body: str = ""
    provider: str = ""
    audience: str = Audience.MEMBERS
    funding: str = Funding.FREE
    cost: str = "0"
    status: str = Activity.Status.PUBLISHED
    booked: int = -1  # sign-ups per session (-1: most of the places)
    time_zone: str = "Europe/London"
    helpers: tuple[str, ...] = ()


DERBY_ACTIVITIES = (
    DemoActivity(
        "Maths for work: Functional Skills Level 1",
        "Functional skills",
        "Functional skills maths",
        "Six friendly lunchtime sessions to brush up everyday maths, with the Functional Skills Level 1 "
        "qualification at the end if you want it. Paid time off agreed with the council.",
        ((-35, 12, 1.5), (-28, 12, 1.5), (-21, 12, 1.5), (7, 12, 1.5), (14, 12, 1.5), (21, 12, 1.5)),
        12,
        "room:IT suite",
        level=Level.LEVEL_1,
        qualification="Functional Skills Qualification in Mathematics",
        awarding_body="City & Guilds",
        provider="Derby College",
        audience=Audience.OPEN,
        funding=Funding.UNION,
    ),
    DemoActivity(
        "Quick Reads book swap",
        "Quick Reads and book swap",
        "Creative and personal interest",
        "Bring a book, take a book. This year's Quick Reads are free to take away, and we'll tell you about "
        "the Reading Ahead challenge.",
        ((5, 12, 2),),
        60,
        "Council House",
        audience=Audience.FAMILY,
        booked=9,
        helpers=("Dev Patel",),
    ),
    DemoActivity(
        "Learning stall at Stores Road Depot",
        "Learning stall",
        None,
        "Come and talk to your union learning reps about courses, time off for learning and our learning survey.",
        ((3, 7, 3),),
        200,
        "Stores Road Depot",
        audience=Audience.OPEN,
        booked=4,
    ),
    DemoActivity(
        "Webinar: Understanding your pension",
        "Webinar",
        "Money and pensions",
        "An hour with a pensions expert from the union: how the Local Government Pension Scheme works and what "
        "to check before you retire. Questions welcome.",
        ((10, 18, 1),),
        100,
        "online",
        provider="Learning Union Education",
        audience=Audience.MEMBERS,
        booked=37,
    ),
    DemoActivity(
        "Political education evening for members abroad",
        "Online learning",
        "Political education",
        "An online evening for members living and working abroad: the union's history and how to organise "
        "where you are. Times are shown in Madrid time and in yours.",
        ((12, 19, 1.5),),
        80,
        "online",
        time_zone="Europe/Madrid",
        booked=14,
    ),
    DemoActivity(
        "Digital skills drop-in",
        "Digital champions",
        "Digital skills",
        "Help with email, online forms, the council's HR system and staying safe online, from our digital champions.",
        ((-7, 13, 1), (0, 13, 1), (7, 13, 1)),
        8,
        "room:Quiet room",
        audience=Audience.OPEN,
    ),
    DemoActivity(
        "ESOL conversation club",
        "Course by a local provider",
        "ESOL (English for speakers of other languages)",
        "Practise everyday English over a cup of tea, with a tutor from Derby College.",
        ((9, 16, 1.5), (16, 16, 1.5)),
        10,
        "room:Quiet room",
        level=Level.ENTRY_3,
        provider="Derby College",
        audience=Audience.FAMILY,
        booked=6,
    ),
    DemoActivity(
        "Introduction to being a ULR",
        "Union course",
        "Union education",
        "The union's two-day introductory course for new union learning reps: your role, your rights under "
        "s.168A, learning surveys and talking to members. Counts as your initial ULR training.",
        ((18, 9, 7),),
        8,
        "Council House",
        provider="Learning Union Education",
        funding=Funding.UNION,
        booked=11,  # three on the waiting list
    ),
    DemoActivity(
        "Lunch and learn: mental health awareness",
        "Lunch and learn",
        "Health and wellbeing",
        "Spotting the signs of stress in yourself and colleagues, and where to get help.",
        ((-14, 12, 1),),
        25,
        "Council House",
        audience=Audience.OPEN,
        booked=21,
    ),
    DemoActivity(
        "Essential digital skills: Entry level 3 certificate",
        "Accredited qualification",
        "Digital skills",
        "Three evening sessions in the IT suite, ending with the Essential Digital Skills qualification.",
        ((-70, 17, 2), (-63, 17, 2), (-56, 17, 2)),
        12,
        "room:IT suite",
        level=Level.ENTRY_3,
        qualification="Essential Digital Skills Qualification",
        awarding_body="NCFE",
        provider="Derby College",
        audience=Audience.OPEN,
        funding=Funding.UNION,
        booked=9,
    ),
    DemoActivity(
        "Health walk round Markeaton Park",
        "Informative or health walk",
        "Health and wellbeing",
        "A gentle hour's walk with a local historian. Planned for the spring.",
        ((60, 12, 1),),
        20,
        "Markeaton Park main car park, Derby DE22 3BG",
        status=Activity.Status.DRAFT,
        booked=0,
    ),
)

PROVIDERS = (
    (
        "Derby College",
        Provider.Kind.COLLEGE,
        DEMO_BRANCH,
        "https://www.derby-college.ac.uk",
        "adult.learning@example.org",
    ),
    ("Learning Union Education", Provider.Kind.UNION, "NAT", "", "education@example.org"),
    ("LearnMyWay", Provider.Kind.ONLINE, "NAT", "https://www.learnmyway.com", ""),
    ("Derby City Council Learning and Development", Provider.Kind.EMPLOYER, DEMO_BRANCH, "", "ld@example.org"),
)

RESOURCES = (
    ("Quick Reads 2026: the list", Resource.Kind.LINK, "https://readingagency.org.uk/quick-reads/", ("everyone",), 300),
    (
        "Pensions explained (webinar recording)",
        Resource.Kind.WEBINAR,
        "https://video.example.org/pensions",
        ("everyone",),
        200,
    ),
    (
        "Women in the union: a learning guide",
        Resource.Kind.MANUAL,
        "https://www.example.org/women-guide",
        ("women",),
        120,
    ),
    (
        "Get online: a digital skills starter",
        Resource.Kind.LINK,
        "https://www.learnmyway.com",
        ("everyone", "disabled"),
        90,
    ),
    (
        "Young members' guide to apprenticeships",
        Resource.Kind.MANUAL,
        "https://www.example.org/apprenticeships",
        ("youth",),
        150,
    ),
    ("ULR handbook (2019 edition)", Resource.Kind.MANUAL, "https://www.example.org/ulr-handbook", ("reps",), -30),
)


def _aware(day: datetime.date, hour: int, zone: str) -> datetime.datetime:
    import zoneinfo

    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zoneinfo.ZoneInfo(zone))


@transaction.atomic
def build_demo_learning(
    *, seed: int, spread: int | None = None, log: Callable[[str], object] | None = None
) -> LearningSummary:
    """Add the demo learning programme (what is missing: run it on any organisation with the demo branch)."""
    log = log or (lambda message: None)
    ensure_catalogue(ActivityType, Subject)
    rng = random.Random(seed)
    derby = OrgUnit.objects.filter(code=DEMO_BRANCH).first()
    if derby is None or Activity.objects.filter(unit=derby).exists():
        return LearningSummary(0, 0, 0)
    types = {t.name: t for t in ActivityType.objects.all()}
    subjects = {s.name: s for s in Subject.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[DEMO_BRANCH, "NAT"])}
    providers = {
        name: Provider.objects.create(unit=units[unit], name=name, kind=kind, website=site, email=email)
        for name, kind, unit, site, email in PROVIDERS
        if unit in units
    }
    workplaces = {w.name: w for w in Workplace.objects.filter(branch=derby)}
    centre = _centre(derby, workplaces.get("Council House"))
    rooms = {room.name: room for room in centre.rooms.all()}
    coordinator = User.objects.filter(email="coordinator@example.org").first()
    organiser = Person.objects.filter(user__email="ulr@example.org").first()
    members = list(
        Person.objects.filter(branch=derby, status=Person.Status.MEMBER, workplace__isnull=False)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", flat=True)[:400]
    )
    rng.shuffle(members)
    pool = iter(members)
    today = timezone.localdate()
    sessions = sign_ups = 0
    for plan in DERBY_ACTIVITIES:
        activity = Activity.objects.create(
            unit=derby,
            title=plan.title,
            description=plan.description,
            type=types[plan.type],
            subject=subjects.get(plan.subject or ""),
            level=plan.level,
            qualification=plan.qualification,
            awarding_body=plan.awarding_body,
            provider=providers.get(plan.provider),
            audience=plan.audience,
            funding=plan.funding,
            cost=Decimal(plan.cost),
            organiser=organiser,
            status=plan.status,
            created_by=coordinator,
        )
        for name in plan.helpers:
            first, last = name.split(" ", 1)
            helper = Person.objects.filter(branch=derby, first_name=first, last_name=last).first()
            if helper is not None:
                ActivityHelper.objects.create(activity=activity, person=helper, task="Staffing the stall")
        wanted = plan.booked if plan.booked >= 0 else plan.capacity - 2
        people = [pk for pk in (next(pool, None) for _ in range(wanted)) if pk is not None]
        last_past = None
        for days, hour, length in plan.sessions:
            session = _session(activity, plan, today + datetime.timedelta(days=days), hour, length, workplaces, rooms)
            sessions += 1
            sign_ups += _book(session, people, rng, coordinator)
            if session.ends_at < timezone.now():
                last_past = session
        if last_past is not None and not activity.sessions.filter(starts_at__gt=timezone.now()).exists():
            _outcomes(last_past, rng, coordinator)  # outcomes once a course is over
    _follow_ups(derby, rng)
    _resources(derby, coordinator, today)
    spread = spread if spread is not None else (NATIONAL_ACTIVITIES if Person.objects.count() >= NATIONAL_PEOPLE else 0)
    if spread:
        more = spread_learning(count=spread, rng=rng, today=today, types=types, subjects=subjects, log=log)
        sessions += more.sessions
        sign_ups += more.sign_ups
    if connection.vendor == "postgresql":  # fresh statistics for the planner after a bulk load
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE learning_activity, learning_session, learning_signup")
    log(f"  {Activity.objects.count():,} activities, {sessions:,} sessions, {sign_ups:,} sign-ups")
    return LearningSummary(Activity.objects.count(), sessions, sign_ups)


def _centre(derby: OrgUnit, council_house: Workplace | None) -> LearningCentre:
    centre = LearningCentre.objects.create(
        unit=derby,
        name="Council House Learning Centre",
        workplace=council_house,
        opening_hours="Monday to Friday, 8am to 6pm; Thursdays until 8pm",
        equipment="12 computers with headsets, a printer, a projector, Quick Reads library",
        opened_on=timezone.localdate() - datetime.timedelta(days=700),
    )
    Room.objects.create(centre=centre, name="IT suite", capacity=12, equipment="12 computers, projector")
    Room.objects.create(centre=centre, name="Quiet room", capacity=8, equipment="Round table, whiteboard")
    return centre


def _session(
    activity: Activity,
    plan: DemoActivity,
    day: datetime.date,
    hour: int,
    length: float,
    workplaces: dict[str, Workplace],
    rooms: dict[str, Room],
) -> Session:
    starts = _aware(day, hour, plan.time_zone)
    session = Session(
        activity=activity,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=length),
        time_zone=plan.time_zone,
        capacity=plan.capacity,
    )
    if plan.venue == "online":
        session.venue = Session.Venue.ONLINE
        session.online_url = f"https://meet.example.org/learning-{activity.pk}"
    elif plan.venue.startswith("room:"):
        session.venue = Session.Venue.ROOM
        session.room = rooms[plan.venue.removeprefix("room:")]
    elif plan.venue in workplaces:
        session.venue = Session.Venue.WORKPLACE
        session.workplace = workplaces[plan.venue]
    else:
        session.venue = Session.Venue.ADDRESS
        session.address = plan.venue
    session.save()
    return session


def _book(session: Session, people: list[int], rng: random.Random, recorder: User | None) -> int:
    """Sign the people up (in order: places first, then the waiting list), with attendance if it is past."""
    past = session.ends_at < timezone.now()
    rows = []
    for number, person_id in enumerate(people):
        created = session.starts_at - datetime.timedelta(days=rng.randint(3, 20), minutes=number)
        if number >= session.capacity:
            status = SignUp.Status.WAITLISTED
        elif past:
            status = SignUp.Status.ATTENDED if rng.random() < 0.85 else SignUp.Status.NO_SHOW
        else:
            status = SignUp.Status.CONFIRMED
        rows.append(
            SignUp(
                session=session,
                person_id=person_id,
                status=status,
                source=rng.choice([SignUp.Source.PUBLIC, SignUp.Source.PUBLIC, SignUp.Source.STALL]),
                was_member=True,
                created_at=created,
                attendance_recorded_at=session.ends_at if past else None,
                attendance_recorded_by=recorder if past else None,
            )
        )
    SignUp.objects.bulk_create(rows)
    Session.objects.filter(pk=session.pk).update(taken=min(len(people), session.capacity))
    if past:  # the evaluation requests went out the day after
        Session.objects.filter(pk=session.pk).update(
            evaluation_sent_at=session.ends_at, reminder_sent_at=session.starts_at
        )
    return len(rows)


def _outcomes(session: Session, rng: random.Random, recorder: User | None) -> None:
    activity = session.activity
    attended = list(session.sign_ups.filter(status=SignUp.Status.ATTENDED).select_related("person"))
    outcomes = []
    for record in attended:
        if activity.qualification and rng.random() < 0.3:
            outcomes.append(
                Outcome(
                    person=record.person,
                    activity=activity,
                    kind=Outcome.Kind.QUALIFICATION,
                    achieved_on=session.ends_at.date(),
                    qualification_name=activity.qualification,
                    qualification_level=activity.level,
                    awarding_body=activity.awarding_body,
                    recorded_by=recorder,
                )
            )
        elif not activity.qualification and rng.random() < 0.5:
            outcomes.append(
                Outcome(
                    person=record.person,
                    activity=activity,
                    kind=Outcome.Kind.COMPLETED,
                    achieved_on=session.ends_at.date(),
                    recorded_by=recorder,
                )
            )
    Outcome.objects.bulk_create(outcomes)
    for record in attended[:4]:
        if not Evaluation.objects.filter(sign_up=record).exists():
            Evaluation.objects.create(
                sign_up=record,
                rating=rng.choice([4, 5, 5]),
                learnt=rng.choice(["Where to get help", "That I can do more than I thought", "Lots"]),
                next_steps=rng.choice(["Level 2", "A computer course", "Come to the next one"]),
                submitted_at=session.ends_at + datetime.timedelta(days=1),
            )


def _follow_ups(derby: OrgUnit, rng: random.Random) -> None:
    """Two non-members signed up for the book swap and said they are interested in joining the union."""
    swap = Activity.objects.filter(unit=derby, title="Quick Reads book swap").first()
    session = swap.sessions.first() if swap is not None else None
    if swap is None or session is None:
        return
    contacts = list(
        Person.objects.filter(branch=derby, status=Person.Status.NON_MEMBER)
        .exclude(sign_ups__session=session)
        .order_by("pk")[:2]
    )
    for person in contacts:
        Consent.objects.update_or_create(
            person=person,
            kind=Consent.Kind.JOIN_UNION,
            defaults={"given": True, "method": Consent.Method.IN_PERSON, "source": f"Sign-up for {swap.title}"},
        )
        JoinLead.objects.get_or_create(person=person, unit=derby, activity=swap, source=JoinLead.Source.SIGN_UP)
        if session.taken < session.capacity:
            SignUp.objects.create(
                session=session, person=person, status=SignUp.Status.CONFIRMED, source=SignUp.Source.STALL
            )
            session.taken += 1
    Session.objects.filter(pk=session.pk).update(taken=session.taken)


def _resources(derby: OrgUnit, owner: User | None, today: datetime.date) -> None:
    national = OrgUnit.objects.filter(code="NAT").first()
    subjects = {s.name: s for s in Subject.objects.all()}
    for number, (title, kind, url, groups, review_days) in enumerate(RESOURCES):
        resource = Resource.objects.create(
            unit=national if number % 2 and national else derby,
            title=title,
            description=f"{title}: chosen by the branch's learning reps.",
            kind=kind,
            url=url,
            visibility=Resource.Visibility.MEMBERS if "reps" in groups else Resource.Visibility.PUBLIC,
            owner=owner,
            review_by=today + datetime.timedelta(days=review_days),
        )
        ResourceAudience.objects.bulk_create([ResourceAudience(resource=resource, group=group) for group in groups])
        if "digital" in title.lower():
            resource.subjects.add(subjects["Digital skills"])


# National size ------------------------------------------------------------------------------------


def spread_learning(
    *,
    count: int,
    rng: random.Random,
    today: datetime.date,
    types: dict[str, ActivityType],
    subjects: dict[str, Subject],
    log: Callable[[str], object],
) -> LearningSummary:
    """`count` activities over every branch, two sessions each (one past, one to come), about 20 sign-ups
    a session from the branch's own people: bulk inserts, with places counted as the services count them."""
    branches = list(OrgUnit.objects.filter(numchild=0).exclude(code=DEMO_BRANCH).values_list("pk", flat=True))
    if not branches:
        return LearningSummary(0, 0, 0)
    type_list, subject_list = list(types.values()), list(subjects.values())
    titles = (
        "Maths for work",
        "English for work",
        "Digital skills",
        "Spanish for beginners",
        "Pensions explained",
        "Mental health first aid",
        "Book swap",
        "CV writing",
        "Introduction to the union",
        "British Sign Language",
    )
    activities = []
    for number in range(count):
        activities.append(
            Activity(
                unit_id=branches[number % len(branches)],
                title=f"{rng.choice(titles)} ({number + 1})",
                description="A course for members and their colleagues.",
                type=rng.choice(type_list),
                subject=rng.choice(subject_list),
                audience=rng.choice(Audience.values),
                status=Activity.Status.PUBLISHED,
            )
        )
    Activity.objects.bulk_create(activities, batch_size=2_000)
    sessions = []
    for activity in activities:
        for days in (-rng.randint(2, 300), rng.randint(1, 90)):
            starts = _aware(today + datetime.timedelta(days=days), rng.choice([9, 12, 13, 17, 18]), "Europe/London")
            sessions.append(
                Session(
                    activity=activity,
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=rng.choice([1, 1.5, 2])),
                    venue=Session.Venue.ADDRESS,
                    address="Branch office",
                    capacity=rng.randint(*SIGN_UPS_PER_SESSION) + 5,
                )
            )
    Session.objects.bulk_create(sessions, batch_size=2_000)
    log(f"  {len(activities):,} activities and {len(sessions):,} sessions across {len(branches):,} branches...")
    people_by_branch: dict[int, list[int]] = {}
    now = timezone.now()
    total = 0
    batch: list[SignUp] = []
    taken: dict[int, int] = {}
    for session in sessions:
        branch_id = session.activity.unit_id
        if branch_id not in people_by_branch:
            people_by_branch[branch_id] = list(
                Person.objects.filter(branch_id=branch_id).order_by("pk").values_list("pk", flat=True)[:120]
            )
        pool = people_by_branch[branch_id]
        if not pool:
            continue
        low, high = SIGN_UPS_PER_SESSION
        chosen = rng.sample(pool, min(len(pool), session.capacity, rng.randint(low, high)))
        past = session.ends_at < now
        for person_id in chosen:
            status = (
                (SignUp.Status.ATTENDED if rng.random() < 0.85 else SignUp.Status.NO_SHOW)
                if past
                else SignUp.Status.CONFIRMED
            )
            batch.append(
                SignUp(
                    session=session,
                    person_id=person_id,
                    status=status,
                    source=SignUp.Source.PUBLIC,
                    was_member=True,
                    created_at=session.starts_at - datetime.timedelta(days=rng.randint(1, 30)),
                )
            )
        taken[session.pk] = len(chosen)
        total += len(chosen)
        if len(batch) >= 10_000:
            SignUp.objects.bulk_create(batch)
            batch = []
    SignUp.objects.bulk_create(batch)
    for places, ids in _grouped(taken).items():
        Session.objects.filter(pk__in=ids).update(taken=places)
    return LearningSummary(len(activities), len(sessions), total)


def _grouped(taken: dict[int, int]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for pk, places in taken.items():
        grouped.setdefault(places, []).append(pk)
    return grouped
