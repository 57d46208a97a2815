"""Employers and workplaces a member file names that are not on Learning Desk yet."""

from __future__ import annotations

from learningdesk.org.models import Employer
from tests.imports import apply, check, start


def test_an_employer_named_without_a_workplace_is_listed_and_added(world):
    header = ["Membership number", "First name", "Last name", "Employer"]
    content = ",".join(header) + "\r\nD1,Ann,Archer,Derby Community Trust\r\nD2,Bo,Baker,derby community trust\r\n"

    checked = check(start(world.derby, content.encode()))
    assert checked.new_employers == ["Derby Community Trust"]
    assert not Employer.objects.filter(name__iexact="Derby Community Trust").exists()

    apply(checked)
    employer = Employer.objects.get(name="Derby Community Trust")
    assert employer.unit == world.derby
