"""A survey's findings, made to be shared with the employer, and the demand for learning it shows.

Findings are aggregate only: counts and percentages of the choice questions, never free text and nothing
about anyone. Every count under the threshold shows as "fewer than N", and nothing is shown at all until the
survey has at least the threshold of responses. Counting happens in the database, over the responses the user
may count (`scoping.visible_responses`).

Demand: the subjects and activity types people asked for in "choose subjects" questions, and from a subject a
new activity, whose publication invites the identified respondents who asked for it and agreed to hear about
learning.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.core.pdf import render_pdf
from learningdesk.learning import activities as learning_activities
from learningdesk.learning.calendar import absolute
from learningdesk.learning.emails import session_when
from learningdesk.learning.models import Activity, ActivityType, Session, Subject
from learningdesk.org import scoping
from learningdesk.org.models import Consent, Person
from learningdesk.reps import charts
from learningdesk.surveys.models import Answer, Question, Response, Survey
from learningdesk.surveys.responses import survey_questions
from learningdesk.surveys.suppression import threshold_for

BRAND = "4b2a6b"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHOICE_KINDS = (
    Question.Kind.SINGLE,
    Question.Kind.MULTIPLE,
    Question.Kind.SCALE,
    Question.Kind.YES_NO,
    Question.Kind.SUBJECTS,
)
# One answer each: the answers (and "no answer") add up to every response, so one hidden cell could be worked
# out from the others.
ONE_ANSWER_KINDS = (Question.Kind.SINGLE, Question.Kind.SCALE, Question.Kind.YES_NO)
DEMAND_ROWS = 100  # per breakdown table: the most asked first


def hidden_cells(counts: Sequence[int], threshold: int, *, adds_up: bool) -> list[bool]:
    """Which counts to hide: every one under the threshold and, where the counts add up to a known total and
    only one is hidden, the next smallest too, so the hidden one cannot be worked out by subtraction."""
    hidden = [count < threshold for count in counts]
    if adds_up and sum(hidden) == 1 and len(counts) > 1:
        shown = [index for index, is_hidden in enumerate(hidden) if not is_hidden]
        hidden[min(shown, key=lambda index: counts[index])] = True
    return hidden


@dataclass(frozen=True)
class Cell:
    label: str
    count: int
    hidden: bool
    percent: int | None  # of every response; None when hidden

    @property
    def shown(self) -> str:
        return "" if self.hidden else f"{self.count:,}"


@dataclass(frozen=True)
class QuestionFigures:
    number: int
    question: Question
    cells: list[Cell]
    chart: SafeString
    any_hidden: bool


@dataclass(frozen=True)
class Findings:
    survey: Survey
    responses: int
    threshold: int
    questions: list[QuestionFigures] = field(default_factory=list)

    @property
    def enough(self) -> bool:
        """Whether the survey has enough responses for any figure to be shown."""
        return self.responses >= self.threshold


def _cells(labels_counts: list[tuple[str, int]], responses: int, threshold: int, *, adds_up: bool) -> list[Cell]:
    hidden = hidden_cells([count for _label, count in labels_counts], threshold, adds_up=adds_up)
    return [
        Cell(
            label=label,
            count=count,
            hidden=is_hidden,
            percent=None if is_hidden or not responses else round(100 * count / responses),
        )
        for (label, count), is_hidden in zip(labels_counts, hidden, strict=True)
    ]


def survey_findings(user: User, survey: Survey) -> Findings:
    """The figures of the survey's choice questions over the responses the user may count (three queries)."""
    threshold = threshold_for(survey)
    visible = scoping.visible_responses(user, survey)
    total = visible.count()
    if total < threshold:
        return Findings(survey=survey, responses=total, threshold=threshold)
    questions = [question for question in survey_questions(survey) if question.kind in CHOICE_KINDS]
    answers = Answer.objects.filter(response__in=visible.values("pk"), question__in=[q.pk for q in questions])
    counts: dict[int, dict[tuple[Any, ...], int]] = defaultdict(dict)
    # One row per option a response chose: counting rows counts people, without a DISTINCT to sort.
    for row in answers.values("question_id", "choice_id", "number", "subject_id", "activity_type_id").annotate(
        people=Count("id")
    ):
        key = (row["choice_id"], row["number"], row["subject_id"], row["activity_type_id"])
        counts[row["question_id"]][key] = row["people"]
    answered = dict(answers.values_list("question_id").annotate(people=Count("response_id", distinct=True)))
    names = _wish_names(counts)
    figures = []
    for number, question in enumerate(questions, start=1):
        found = counts.get(question.pk, {})
        rows = _question_rows(question, found, names)
        no_answer = total - answered.get(question.pk, 0)
        adds_up = question.kind in ONE_ANSWER_KINDS
        if adds_up and (no_answer or not question.required or question.show_if_question_id):
            rows.append(("No answer", no_answer))
        cells = _cells(rows, total, threshold, adds_up=adds_up)
        chart = charts.bar_chart(
            chart_id=f"question-{question.pk}",
            title=f"{question.text}: people per answer"
            + (
                f" (answers given by fewer than {threshold} people are not drawn)"
                if any(c.hidden for c in cells)
                else ""
            ),
            bars=[(cell.label, cell.count) for cell in cells if not cell.hidden],
            unit="people",
        )
        figures.append(
            QuestionFigures(
                number=number, question=question, cells=cells, chart=chart, any_hidden=any(c.hidden for c in cells)
            )
        )
    return Findings(survey=survey, responses=total, threshold=threshold, questions=figures)


def _wish_names(counts: dict[int, dict[tuple[Any, ...], int]]) -> dict[str, dict[int, str]]:
    subject_ids = {key[2] for found in counts.values() for key in found if key[2]}
    type_ids = {key[3] for found in counts.values() for key in found if key[3]}
    return {
        "subject": dict(Subject.objects.filter(pk__in=subject_ids).values_list("pk", "name")),
        "type": dict(ActivityType.objects.filter(pk__in=type_ids).values_list("pk", "name")),
    }


def _question_rows(
    question: Question, found: dict[tuple[Any, ...], int], names: dict[str, dict[int, str]]
) -> list[tuple[str, int]]:
    """(label, people) for every answer of the question, in the question's order (subjects: most asked first)."""
    by_choice = {key[0]: people for key, people in found.items() if key[0]}
    by_number = {int(key[1]): people for key, people in found.items() if key[1] is not None}
    if question.has_choices:
        return [(choice.label, by_choice.get(choice.pk, 0)) for choice in question.choices.all()]
    if question.kind == Question.Kind.SCALE:
        return [(str(point), by_number.get(point, 0)) for point in range(1, 6)]
    if question.kind == Question.Kind.YES_NO:
        return [("Yes", by_number.get(1, 0)), ("No", by_number.get(0, 0))]
    wishes = []
    for (_choice, _number, subject_id, type_id), people in found.items():
        if subject_id:
            wishes.append((names["subject"].get(subject_id, "A subject no longer offered"), people))
        elif type_id:
            wishes.append((names["type"].get(type_id, "An activity type no longer offered"), people))
    return sorted(wishes, key=lambda wish: (-wish[1], wish[0]))


@transaction.atomic
def commentary_save(*, acting_user: User, survey: Survey, commentary: str) -> Survey:
    """Save the co-ordinator's commentary for the findings report."""
    survey.commentary = commentary.strip()
    survey.save(update_fields=["commentary"])
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CHANGED,
        target=survey,
        unit_id=survey.unit_id,
        changes={"fields": ["commentary"]},
    )
    return survey


# The report as files --------------------------------------------------------------------------------


def file_stem(survey: Survey) -> str:
    """survey-findings-What-would-you-like-to-learn-2026-11-26"""
    plain = unicodedata.normalize("NFKD", survey.title).encode("ascii", "ignore").decode()
    words = "-".join(re.findall(r"[A-Za-z0-9]+", plain))[:60].strip("-") or "survey"
    return f"survey-findings-{words}-{timezone.localdate():%Y-%m-%d}"


def report_context(findings: Findings) -> dict[str, Any]:
    return {"findings": findings, "survey": findings.survey, "printed_on": timezone.localdate()}


def findings_pdf(findings: Findings) -> bytes:
    return render_pdf("surveys/findings/report_pdf.html", report_context(findings))


def _shade(cell: Any, colour: str) -> None:
    shading = OxmlElement("w:shd")
    for name, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", colour)):
        shading.set(qn(name), value)
    cell._tc.get_or_add_tcPr().append(shading)


def findings_docx(findings: Findings) -> bytes:
    """The findings as an editable Word document: headings, the commentary and a table of counts per question."""
    survey = findings.survey
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    normal = document.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(11)
    for level in (1, 2):
        style = document.styles[f"Heading {level}"]
        style.font.name = "Liberation Sans"
        style.font.color.rgb = RGBColor.from_string(BRAND)

    document.add_heading(f"Survey findings: {survey.title}", level=1)
    document.add_paragraph(_about(findings))
    document.add_heading("Commentary", level=2)
    for paragraph in [part.strip() for part in survey.commentary.split("\n\n") if part.strip()] or [
        "(No commentary yet.)"
    ]:
        document.add_paragraph(paragraph)
    document.add_heading("Findings", level=2)
    if not findings.enough:
        document.add_paragraph(_too_few(findings))
    else:
        document.add_paragraph(_privacy_note(findings))
        for figures in findings.questions:
            document.add_heading(f"{figures.number}. {figures.question.text}", level=3)
            table = document.add_table(rows=1, cols=3)
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, ("Answer", "People", "Share"), strict=True):
                cell.text = text
                cell.paragraphs[0].runs[0].bold = True
                _shade(cell, "EDE8F1")
            for row in figures.cells:
                cells = table.add_row().cells
                cells[0].text = row.label
                cells[1].text = f"Fewer than {findings.threshold}" if row.hidden else f"{row.count:,}"
                cells[2].text = "" if row.percent is None else f"{row.percent}%"
    document.core_properties.title = f"Survey findings: {survey.title}"
    document.core_properties.author = survey.unit.name
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _about(findings: Findings) -> str:
    survey = findings.survey
    answered = f"{findings.responses:,}" if findings.enough else f"Fewer than {findings.threshold}"
    dates = ""
    if survey.opens_on and survey.closes_on:
        dates = f" from {survey.opens_on:%-d %B %Y} to {survey.closes_on:%-d %B %Y}"
    return (
        f"A survey by {survey.unit.name}{dates}. {answered} people answered. Printed {timezone.localdate():%-d %B %Y}."
    )


def _privacy_note(findings: Findings) -> str:
    return (
        f"Figures only: nothing here is about any one person. Any count under {findings.threshold} is shown as "
        f"“fewer than {findings.threshold}”, and percentages are of everyone who answered the survey."
    )


def _too_few(findings: Findings) -> str:
    return f"Figures appear once at least {findings.threshold} people have answered."


# Demand -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wish:
    """A subject or activity type people asked for, and how many asked (here: overall, a unit or a workplace)."""

    label: str
    people: int
    hidden: bool
    subject_id: int | None = None
    place: str = ""


@dataclass(frozen=True)
class Demand:
    survey: Survey
    responses: int
    threshold: int
    subjects: list[Wish]
    types: list[Wish]
    by_unit: list[Wish]
    by_workplace: list[Wish]

    @property
    def enough(self) -> bool:
        return self.responses >= self.threshold


def subject_answers(user: User, survey: Survey) -> QuerySet[Answer]:
    return Answer.objects.filter(
        response__in=scoping.visible_responses(user, survey).values("pk"), question__kind=Question.Kind.SUBJECTS
    )


def _wishes(rows: Sequence[Any], threshold: int, names: dict[str, dict[int, str]], place: str = "") -> list[Wish]:
    wishes = []
    for row in rows:
        if row["subject_id"]:
            label = names["subject"].get(row["subject_id"], "")
        else:
            label = names["type"].get(row["activity_type_id"], "")
        wishes.append(
            Wish(
                label=label,
                people=row["people"],
                hidden=row["people"] < threshold,
                subject_id=row["subject_id"],
                place=(row.get(place) or "Not known") if place else "",
            )
        )
    return sorted(wishes, key=lambda wish: (-wish.people, wish.place, wish.label))


def survey_demand(user: User, survey: Survey) -> Demand:
    """What people asked to learn, most asked first: overall, and (once the survey has enough responses) per
    unit and per workplace. A few grouped queries, whatever the number of responses."""
    threshold = threshold_for(survey)
    total = scoping.visible_responses(user, survey).count()
    answers = subject_answers(user, survey)
    overall = list(answers.values("subject_id", "activity_type_id").annotate(people=Count("id")))
    names = {
        "subject": dict(Subject.objects.filter(pk__in={r["subject_id"] for r in overall}).values_list("pk", "name")),
        "type": dict(
            ActivityType.objects.filter(pk__in={r["activity_type_id"] for r in overall}).values_list("pk", "name")
        ),
    }
    wishes = _wishes(overall, threshold, names)
    by_unit: list[Wish] = []
    by_workplace: list[Wish] = []
    if total >= threshold:
        for place, target in (("response__unit__name", by_unit), ("response__workplace__name", by_workplace)):
            rows = (
                answers.values(place, "subject_id", "activity_type_id")
                .annotate(people=Count("id"))
                .order_by("-people", place)[:DEMAND_ROWS]
            )
            target.extend(_wishes(list(rows), threshold, names, place=place))
    return Demand(
        survey=survey,
        responses=total,
        threshold=threshold,
        subjects=[wish for wish in wishes if wish.subject_id],
        types=[wish for wish in wishes if not wish.subject_id],
        by_unit=by_unit,
        by_workplace=by_workplace,
    )


def asked_for(user: User, survey: Survey, subject: Subject) -> int:
    """How many of the responses the user may count asked for the subject."""
    return subject_answers(user, survey).filter(subject=subject).values("response_id").distinct().count()


def people_to_invite(user: User, survey: Survey, subject: Subject) -> QuerySet[Person]:
    """The identified respondents who asked for the subject, have an email address and agree to hear about
    learning. Nobody, for an anonymous survey: its answers are not linked to anyone."""
    if survey.is_anonymous:
        return Person.objects.none()
    asked = Response.objects.filter(
        pk__in=subject_answers(user, survey).filter(subject=subject).values("response_id"), person__isnull=False
    )
    agreed = Consent.objects.filter(
        person=OuterRef("pk"), kind=Consent.Kind.LEARNING_NEWS, given=True, withdrawn_at__isnull=True
    )
    return (
        Person.objects.filter(pk__in=asked.values("person_id"))
        .exclude(Q(email="") | Q(status=Person.Status.LEFT))
        .filter(Exists(agreed))
        .order_by("pk")
    )


def demand_activity_add(*, acting_user: User, subject: Subject, data: dict[str, Any]) -> Activity:
    """A draft activity in the subject people asked for (title, description, type and unit from the form)."""
    activity = Activity(
        unit=data["unit"],
        title=data["title"].strip(),
        description=data["description"].strip(),
        type=data["type"],
        subject=subject,
        status=Activity.Status.DRAFT,
    )
    return learning_activities.activity_save(
        acting_user=acting_user, activity=activity, fields=["title", "description", "type", "subject", "unit"]
    )


def publish_and_invite(*, acting_user: User, survey: Survey, activity: Activity) -> int:
    """Publish a draft activity made from the survey's demand and email the people who asked for its subject
    (`people_to_invite`). Returns how many were emailed."""
    if activity.status != Activity.Status.DRAFT:
        raise ValidationError("This activity is already published: people who asked were invited then.")
    if activity.subject is None:
        raise ValidationError("This activity has no subject.")
    with transaction.atomic():
        activity.status = Activity.Status.PUBLISHED
        learning_activities.activity_save(acting_user=acting_user, activity=activity, fields=["status"])
    people = list(people_to_invite(acting_user, survey, activity.subject))
    if not people:
        return 0
    sent = send_activity_invitations(activity=activity, people=people)
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CHANGED,
        target=activity,
        unit_id=activity.unit_id,
        changes={"fields": ["status"], "invited_from_survey": survey.pk, "invited": sent},
    )
    return sent


def send_activity_invitations(*, activity: Activity, people: list[Person]) -> int:
    """Email each person about the new activity: its next session if it has one, else "dates to follow"."""
    code = activity.unit.code.lower()
    session = (
        Session.objects.filter(activity=activity, is_cancelled=False, starts_at__gte=timezone.now())
        .order_by("starts_at")
        .first()
    )
    if session is not None:
        url = absolute(reverse("learn:activity", kwargs={"code": code, "pk": activity.pk}))
    else:
        url = absolute(reverse("learn:unit", kwargs={"code": code}))
    messages = []
    for person in people:
        context = {
            "person": person,
            "activity": activity,
            "when": session_when(session) if session is not None else "",
            "url": url,
        }
        message = EmailMultiAlternatives(
            subject=render_to_string("surveys/findings/email_activity_subject.txt", context).strip(),
            body=render_to_string("surveys/findings/email_activity.txt", context),
            to=[person.email],
        )
        message.attach_alternative(render_to_string("surveys/findings/email_activity.html", context), "text/html")
        messages.append(message)
    return mailers.default.send_messages(messages) or 0
