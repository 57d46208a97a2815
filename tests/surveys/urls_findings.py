"""URLs of surveys/views/findings.py for tests/test_every_url.py: every one names a Derby survey."""

from __future__ import annotations

from collections.abc import Callable

from learningdesk.learning.models import Subject
from learningdesk.surveys.models import Survey
from tests.conftest import World
from tests.learning import subject
from tests.surveys import answer, derby_survey


def derby_survey_with_maths(world: World) -> Survey:
    """Derby's survey, with one response asking for Functional skills maths."""
    survey = derby_survey(world)
    if not survey.responses.exists():
        answer(survey, q8=[f"subject:{maths().pk}"])
    return survey


def maths() -> Subject:
    return subject("Functional skills maths")


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "surveys:export_csv": lambda w: {"pk": derby_survey(w).pk},
    "surveys:export_xlsx": lambda w: {"pk": derby_survey(w).pk},
    "surveys:findings": lambda w: {"pk": derby_survey(w).pk},
    "surveys:findings_pdf": lambda w: {"pk": derby_survey(w).pk},
    "surveys:findings_docx": lambda w: {"pk": derby_survey(w).pk},
    "surveys:demand": lambda w: {"pk": derby_survey(w).pk},
    "surveys:demand_activity": lambda w: {"pk": derby_survey_with_maths(w).pk, "subject_pk": maths().pk},
}
SCOPED_LISTS: set[str] = set()
