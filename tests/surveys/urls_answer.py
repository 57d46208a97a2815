"""URLs of surveys/views/answer.py for tests/test_every_url.py: the answering pages need no login, so they are
public, opened with real tokens of Derby's survey."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import World
from tests.surveys import derby_survey, invite


def _invitation_token(world: World) -> str:
    survey = derby_survey(world)
    existing = survey.invitations.filter(person=world.derby_person).first()
    return (existing or invite(survey, world.derby_person)).token


DERBY_RECORD: dict[str, Callable[[World], dict]] = {}
SCOPED_LISTS: set[str] = set()
PUBLIC: set[str] = {"survey:public", "survey:invited", "survey:invited_form", "survey:saved", "survey:thanks"}
PUBLIC_ARGS: dict[str, Callable[[World], dict]] = {
    "survey:public": lambda w: {"token": derby_survey(w).public_token},
    "survey:invited": lambda w: {"token": _invitation_token(w)},
    "survey:saved": lambda w: {"token": derby_survey(w).public_token},
    "survey:thanks": lambda w: {"token": derby_survey(w).public_token},
}
