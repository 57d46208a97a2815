"""Whatever is typed into the search box, it never fails and never finds anyone outside the user's scope."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from learningdesk.org import scoping, selectors
from learningdesk.org.scoping import _collapse

typed = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60) | st.sampled_from(
    ["alb", "maria alb", "M00", "@", "%", "_", "\\", "' OR 1=1 --", "okafor", "nia okafor", "  "]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=typed)
@example(query="alb\x00")  # PostgreSQL refuses NUL in a parameter: found by this test
def test_search_never_fails_and_stays_in_scope(world, query):
    people = list(selectors.people_list(user=world.coordinator, filters=selectors.PeopleFilter(query=query))[:50])
    visible = set(scoping.visible_people(world.coordinator).values_list("pk", flat=True))
    assert {person.pk for person in people} <= visible


@given(st.lists(st.text(alphabet="0123", min_size=1, max_size=4).map(lambda s: s * 4), max_size=8))
def test_collapsed_paths_cover_the_same_subtrees_without_overlap(paths):
    kept = _collapse(paths)
    for path in paths:
        assert any(path.startswith(outer) for outer in kept)
    for outer in kept:
        assert not any(outer != other and outer.startswith(other) for other in kept)
