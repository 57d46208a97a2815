"""Pagination in the database (core/pagination.py)."""

from __future__ import annotations

from django.test import RequestFactory

from learningdesk.core.pagination import paginate_late
from learningdesk.org.models import Person
from tests.factories import PersonFactory


def test_a_late_page_has_the_rows_of_its_ids_in_order(world, django_assert_num_queries):
    for last_name in ("Young", "Adams", "Moss", "Baker", "Zane"):
        PersonFactory(last_name=last_name, branch=world.derby)
    people = Person.objects.filter(branch=world.derby).select_related("branch").order_by("last_name_key", "id")
    request = RequestFactory().get("/", {"page": "2"})
    with django_assert_num_queries(3):  # the count, the page's ids, their rows
        page = paginate_late(request, people, per_page=2)
        names = [person.last_name for person in page.object_list]
        branches = {person.branch.code for person in page.object_list}
    expected = [person.last_name for person in people][2:4]
    assert names == expected
    assert branches == {world.derby.code}
    assert page.paginator.count == people.count()
