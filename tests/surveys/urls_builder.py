"""URLs of surveys/views/builder.py for tests/test_every_url.py: a Derby record for each URL that names one,
and the pages without a record."""

from __future__ import annotations

from collections.abc import Callable

from tests.surveys import derby_survey, q

DERBY_RECORD: dict[str, Callable] = {
    "surveys:detail": lambda w: {"pk": derby_survey(w).pk},
    "surveys:edit": lambda w: {"pk": derby_survey(w).pk},
    "surveys:preview": lambda w: {"pk": derby_survey(w).pk},
    "surveys:open": lambda w: {"pk": derby_survey(w).pk},
    "surveys:close": lambda w: {"pk": derby_survey(w).pk},
    "surveys:section_add": lambda w: {"pk": derby_survey(w).pk},
    "surveys:section_edit": lambda w: {"pk": derby_survey(w).sections.get().pk},
    "surveys:question_add": lambda w: {"pk": derby_survey(w).sections.get().pk},
    "surveys:question_edit": lambda w: {"pk": q(derby_survey(w), 1).pk},
    "surveys:question_delete": lambda w: {"pk": q(derby_survey(w), 1).pk},
    "surveys:question_move": lambda w: {"pk": q(derby_survey(w), 2).pk},
}
SCOPED_LISTS: set[str] = {"surveys:list", "surveys:add", "surveys:templates", "surveys:copy_template"}
