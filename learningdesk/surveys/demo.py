"""Demo surveys: Derby's open learning survey with a couple of hundred answers, and at national size a national
skills audit answered 100,000 times across the branches (for the benchmarks). Responses are anonymous, as a
real learning survey's would be: unit, employer and workplace only."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.learning.models import ActivityType, Subject
from learningdesk.org.models import OrgUnit, Person, Workplace
from learningdesk.surveys.models import Answer, Choice, Question, Response, Section, Survey

NATIONAL_PEOPLE = 100_000
NATIONAL_RESPONSES = 100_000
BATCH = 5_000

TOPICS = ["English", "Maths", "Digital skills", "A language", "Health and wellbeing", "Union courses"]
WHEN = ["Lunchtime", "Before work", "After work", "Weekends", "Online, in my own time"]
BARRIERS = ["Time", "Cost", "Caring responsibilities", "Confidence", "Shift patterns", "Not knowing what's on"]


@dataclass(frozen=True)
class SurveysSummary:
    surveys: int
    responses: int


@dataclass
class _Built:
    survey: Survey
    topic: Question
    when: Question
    confidence: Question
    stopped: Question
    barriers: Question
    subjects: Question
    hours: Question
    other: Question


def _learning_survey(unit: OrgUnit, title: str, creator: User | None, *, opened: datetime.date) -> _Built:
    survey = Survey.objects.create(
        unit=unit,
        title=title,
        introduction="Tell us what you would like to learn, and what gets in the way. It takes about three minutes.",
        is_anonymous=True,
        status=Survey.Status.OPEN,
        opens_on=opened,
        closes_on=opened + datetime.timedelta(days=60),
        template="member_learning",
        created_by=creator,
    )
    learning = Section.objects.create(survey=survey, title="Your learning", order=1)
    about = Section.objects.create(survey=survey, title="What gets in the way", order=2)

    def question(section: Section, order: int, kind: str, text: str, **more: object) -> Question:
        return Question.objects.create(section=section, order=order, kind=kind, text=text, **more)

    def choices(of: Question, labels: list[str]) -> None:
        Choice.objects.bulk_create([Choice(question=of, label=label, order=n) for n, label in enumerate(labels)])

    topic = question(learning, 1, Question.Kind.SINGLE, "Which would you most like to learn?", required=True)
    choices(topic, TOPICS)
    when = question(learning, 2, Question.Kind.MULTIPLE, "When could you learn?", help_text="Tick all that apply.")
    choices(when, WHEN)
    confidence = question(learning, 3, Question.Kind.SCALE, "How confident do you feel about learning something new?")
    subjects = question(learning, 4, Question.Kind.SUBJECTS, "Which of these interest you?")
    hours = question(learning, 5, Question.Kind.NUMBER, "How many hours a month could you give to learning?")
    stopped = question(about, 1, Question.Kind.YES_NO, "Has anything stopped you learning in the last year?")
    barriers = question(
        about, 2, Question.Kind.MULTIPLE, "What stopped you?", show_if_question=stopped, show_if_value="yes"
    )
    choices(barriers, BARRIERS)
    other = question(about, 3, Question.Kind.LONG_TEXT, "Anything else you would like to tell us?")
    return _Built(survey, topic, when, confidence, stopped, barriers, subjects, hours, other)


@dataclass(frozen=True)
class _Options:
    """The ids an answer picks from."""

    topics: list[int]
    when: list[int]
    barriers: list[int]
    subjects: list[int]
    types: list[int]


def _options(built: _Built) -> _Options:
    return _Options(
        topics=list(built.topic.choices.values_list("pk", flat=True)),
        when=list(built.when.choices.values_list("pk", flat=True)),
        barriers=list(built.barriers.choices.values_list("pk", flat=True)),
        subjects=list(Subject.objects.values_list("pk", flat=True)),
        types=list(ActivityType.objects.values_list("pk", flat=True)),
    )


OTHER_ANSWERS = [
    "More courses on the late shift, please.",
    "I'd like to help run a book club.",
    "Could the learning centre open on Saturdays?",
    "I can speak Polish and would help with ESOL.",
]


def _answers(built: _Built, response: Response, rng: random.Random, options: _Options) -> list[Answer]:
    """One respondent's answers, as the survey's questions allow (the barriers only after a yes)."""
    rows = [Answer(response=response, question=built.topic, choice_id=rng.choice(options.topics))]
    rows += [
        Answer(response=response, question=built.when, choice_id=pk)
        for pk in rng.sample(options.when, rng.randint(1, 3))
    ]
    rows.append(Answer(response=response, question=built.confidence, number=Decimal(rng.choice([2, 3, 3, 4, 4, 5]))))
    rows += [
        Answer(response=response, question=built.subjects, subject_id=pk)
        for pk in rng.sample(options.subjects, rng.randint(1, 2))
    ]
    if options.types and rng.random() < 0.3:
        rows.append(Answer(response=response, question=built.subjects, activity_type_id=rng.choice(options.types)))
    rows.append(Answer(response=response, question=built.hours, number=Decimal(rng.choice([1, 2, 4, 4, 6, 8]))))
    stopped = rng.random() < 0.55
    rows.append(Answer(response=response, question=built.stopped, number=Decimal(1 if stopped else 0)))
    if stopped:
        rows += [
            Answer(response=response, question=built.barriers, choice_id=pk)
            for pk in rng.sample(options.barriers, rng.randint(1, 2))
        ]
    if rng.random() < 0.08:
        rows.append(Answer(response=response, question=built.other, text=rng.choice(OTHER_ANSWERS)))
    return rows


def _respond(
    built: _Built, places: list[tuple[int, int, int]], count: int, rng: random.Random, log: Callable[[str], object]
) -> int:
    """`count` anonymous responses from the places (branch, employer, workplace ids), in batches."""
    options = _options(built)
    opened = built.survey.opens_on or timezone.localdate()
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        batch = []
        for _ in range(size):
            unit_id, employer_id, workplace_id = rng.choice(places)
            batch.append(
                Response(
                    survey=built.survey,
                    unit_id=unit_id,
                    employer_id=employer_id,
                    workplace_id=workplace_id,
                    is_complete=True,
                    submitted_on=min(opened + datetime.timedelta(days=rng.randint(0, 30)), timezone.localdate()),
                )
            )
        Response.objects.bulk_create(batch)
        Answer.objects.bulk_create(
            [row for response in batch for row in _answers(built, response, rng, options)], batch_size=BATCH
        )
        made += size
        if made % 20_000 == 0:
            log(f"  {made:,} survey responses...")
    return made


@transaction.atomic
def build_demo_surveys(*, seed: int, log: Callable[[str], object] | None = None) -> SurveysSummary:
    """Add the demo surveys (what is missing: run it on any organisation with the demo branch)."""
    log = log or (lambda message: None)
    rng = random.Random(seed)
    derby = OrgUnit.objects.filter(code="EM-DERBY").first()
    if derby is None or Survey.objects.filter(unit=derby).exists():
        return SurveysSummary(0, 0)
    creator = User.objects.filter(email="coordinator@example.org").first()
    today = timezone.localdate()
    built = _learning_survey(derby, "Derby learning survey 2026", creator, opened=today - datetime.timedelta(days=20))
    places = list(Workplace.objects.filter(branch=derby).values_list("branch_id", "employer_id", "pk").order_by("pk"))
    total = _respond(built, places, 240, rng, log) if places else 0
    surveys = 1
    if Person.objects.count() >= NATIONAL_PEOPLE:
        national = OrgUnit.objects.filter(depth=1).first()
        admin = User.objects.filter(email="admin@example.org").first()
        if national is not None:
            audit = _learning_survey(
                national, "National skills audit 2026", admin, opened=today - datetime.timedelta(days=40)
            )
            everywhere = list(Workplace.objects.values_list("branch_id", "employer_id", "pk").order_by("pk"))
            total += _respond(audit, everywhere, NATIONAL_RESPONSES, rng, log)
            surveys += 1
    if connection.vendor == "postgresql":  # fresh statistics for the planner after a bulk load
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE surveys_response, surveys_answer")
    log(f"  {surveys} surveys, {total:,} responses")
    return SurveysSummary(surveys, total)
