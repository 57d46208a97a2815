"""A survey's responses as CSV or XLSX: one row per completed response the user may count, one column per question.

An anonymous survey's file carries only the answers, the respondent's branch and the month: nothing finer (no
workplace, employer, job group or day) that could pick someone out. Every cell goes through `safe_cell`, so an
answer typed as "=HYPERLINK(...)" opens as text. Both files are written a chunk of responses at a time, so a
survey with 100,000 responses does not sit in memory.
"""

from __future__ import annotations

import csv
import itertools
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.core.spreadsheets import safe_cell
from learningdesk.org import scoping
from learningdesk.surveys.models import Answer, Question, Survey
from learningdesk.surveys.responses import survey_questions

CHUNK = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ANONYMOUS_COLUMNS = ("Branch", "Month")
IDENTIFIED_COLUMNS = ("Unit", "Employer", "Workplace", "Job group", "Submitted on")


def _number(value: Decimal | None) -> int | float | str:
    if value is None:
        return ""
    return int(value) if value == value.to_integral_value() else float(value)


class SurveyExport:
    """The columns and rows of one user's export of a survey."""

    def __init__(self, user: User, survey: Survey) -> None:
        self.survey = survey
        self.questions = survey_questions(survey)
        self.responses = scoping.visible_responses(user, survey)
        self.choices = {choice.pk: choice for question in self.questions for choice in question.choices.all()}

    def headers(self) -> list[object]:
        about = ANONYMOUS_COLUMNS if self.survey.is_anonymous else IDENTIFIED_COLUMNS
        cells = [*about, *(f"{number}. {q.text}" for number, q in enumerate(self.questions, start=1))]
        return [safe_cell(cell) for cell in cells]

    def _about(self, row: dict[str, Any]) -> list[object]:
        on = row["submitted_on"]
        if self.survey.is_anonymous:
            return [row["unit__name"] or "", f"{on:%Y-%m}" if on else ""]
        return [
            row["unit__name"] or "",
            row["employer__name"] or "",
            row["workplace__name"] or "",
            row["job_group"],
            on.isoformat() if on else "",
        ]

    def rows(self) -> Iterator[list[object]]:
        """One row per response, in the order they came, reading a chunk of responses (and their answers) at a time."""
        fields = ["pk", "unit__name", "submitted_on"]
        if not self.survey.is_anonymous:
            fields += ["employer__name", "workplace__name", "job_group"]
        listed = self.responses.order_by("pk").values(*fields).iterator(chunk_size=CHUNK)
        for chunk in itertools.batched(listed, CHUNK):
            answers = self._answers([row["pk"] for row in chunk])
            for row in chunk:
                given = answers.get(row["pk"], {})
                cells = [*self._about(row), *(self._value(q, given.get(q.pk, [])) for q in self.questions)]
                yield [safe_cell(cell) for cell in cells]

    def _answers(self, response_ids: list[int]) -> dict[int, dict[int, list[tuple[Any, ...]]]]:
        found: dict[int, dict[int, list[tuple[Any, ...]]]] = defaultdict(lambda: defaultdict(list))
        for response_id, question_id, *rest in Answer.objects.filter(response_id__in=response_ids).values_list(
            "response_id", "question_id", "choice_id", "subject__name", "activity_type__name", "number", "text"
        ):
            found[response_id][question_id].append(tuple(rest))
        return found

    def _value(self, question: Question, given: list[tuple[Any, ...]]) -> object:
        if not given:
            return ""
        kind = question.kind
        if question.has_choices:
            chosen = sorted((self.choices[choice_id] for choice_id, *_rest in given), key=lambda c: (c.order, c.pk))
            return "; ".join(choice.label for choice in chosen)
        if kind == Question.Kind.SUBJECTS:
            return "; ".join(sorted(subject or activity_type for _c, subject, activity_type, *_rest in given))
        number, text = given[0][3], given[0][4]
        if kind == Question.Kind.YES_NO:
            return "Yes" if number == 1 else "No"
        if kind in (Question.Kind.SCALE, Question.Kind.NUMBER):
            return _number(number)
        return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(export: SurveyExport) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte order mark makes Excel read the file as UTF-8 (names with accents) rather than Windows-1252.
    yield "\ufeff" + writer.writerow(export.headers())
    for cells in export.rows():
        yield writer.writerow(cells)


def xlsx_file(export: SurveyExport) -> IO[bytes]:
    """The workbook in a temporary file (openpyxl's write-only mode keeps only the current row in memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Responses")
    sheet.append(export.headers())
    for cells in export.rows():
        sheet.append(cells)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    workbook.save(spool)
    spool.seek(0)
    return spool


def audit_export(*, user: User, survey: Survey, file_format: str, rows: int) -> None:
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORTED,
        target=survey,
        unit_id=survey.unit_id,
        changes={"format": file_format, "rows": rows, "anonymous": survey.is_anonymous},
    )
