"""The employer contact's own pages: only what was shared with their employer, nothing about members, nothing
else however they guess URLs (tests/test_every_url.py walks every other URL for them)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from learningdesk.employers import contacts
from learningdesk.employers.models import CommitteeAction, EmployerContact, LearningCommittee, SharedFinding
from learningdesk.surveys.models import Survey
from tests.conftest import client_for
from tests.employers import contact_with_login, days_from_today, make_action, make_committee, make_contact, make_meeting
from tests.employers.urls_committees import FAKE_PDF, derby_finding
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tessa(world):
    return client_for(contact_with_login(world))


def share(action: CommitteeAction) -> CommitteeAction:
    action.shared_at = timezone.now()
    action.save()
    return action


def finding_for(employer, survey_unit, title: str) -> SharedFinding:
    survey = Survey.objects.create(unit=survey_unit, title=f"Survey for {title}", status=Survey.Status.CLOSED)
    finding = SharedFinding(employer=employer, survey=survey, title=title)
    finding.pdf.save("findings.pdf", ContentFile(FAKE_PDF), save=False)
    finding.save()
    return finding


def test_a_contact_sees_shared_actions_only_of_their_employer(world, tessa):
    meeting = make_meeting(make_committee(world))
    share(
        make_action(
            meeting,
            description="Release staff for the maths course",
            owner_contact=make_contact(world.council, name="Hal Manager"),
        )
    )
    make_action(meeting, description="Talk to Maria about her grievance")  # not shared
    homes = EmployerFactory(name="Derby Homes", unit=world.derby)
    other_meeting = make_meeting(LearningCommittee.objects.create(employer=homes))
    share(make_action(other_meeting, description="Another employer's action"))

    page = tessa.get(reverse("shared:home")).content.decode()

    assert "Derby City Council" in page
    assert "Release staff for the maths course" in page and "Hal Manager" in page
    assert "Talk to Maria" not in page
    assert "Another employer&#x27;s action" not in page and "Derby Homes" not in page


def test_a_contact_sees_meeting_dates_but_never_minutes_agenda_or_attendees(world, tessa):
    committee = make_committee(world)
    held = make_meeting(committee, days=-14, minutes="Maria Alberts raised a complaint.", place="Room 12")
    held.union_attendees.add(world.derby_person)
    coming = make_meeting(committee, days=21, agenda="Secret agenda item")

    page = tessa.get(reverse("shared:home")).content.decode()

    assert f"{held.held_on.day} {held.held_on:%B %Y}" in page
    assert f"{coming.held_on.day} {coming.held_on:%B %Y}" in page
    for private in ("Maria", "Alberts", "complaint", "Secret agenda", "Room 12", "Time off for the maths course"):
        assert private not in page, private


def test_a_learner_owning_a_shared_action_shows_as_the_union(world, tessa):
    share(
        make_action(make_meeting(make_committee(world)), description="Book the course", owner_person=world.derby_person)
    )
    page = tessa.get(reverse("shared:home")).content.decode()
    assert "Book the course" in page
    assert "Alberts" not in page
    assert "The union" in page


def test_a_contact_opens_a_shared_finding_but_not_a_withdrawn_one_nor_another_employers(world, tessa):
    shared = finding_for(world.council, world.derby, "What members want to learn")
    withdrawn = finding_for(world.council, world.derby, "An old report")
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save()
    elsewhere = finding_for(EmployerFactory(name="Derby Homes", unit=world.derby), world.derby, "Homes report")

    page = tessa.get(reverse("shared:home")).content.decode()
    assert "What members want to learn" in page
    assert "An old report" not in page and "Homes report" not in page

    pdf = tessa.get(reverse("shared:finding_pdf", args=[shared.pk]))
    assert pdf.status_code == 200 and pdf.content == FAKE_PDF
    assert pdf["Cache-Control"] == "private, no-store"
    assert tessa.get(reverse("shared:finding_pdf", args=[withdrawn.pk])).status_code == 404
    assert tessa.get(reverse("shared:finding_pdf", args=[elsewhere.pk])).status_code == 404


def test_the_union_side_url_of_a_shared_finding_is_not_the_contacts(world, tessa):
    finding = derby_finding(world)
    assert tessa.get(reverse("employers:finding_pdf", args=[finding.pk])).status_code == 404


def test_a_union_user_is_nobodys_contact_and_sees_nothing_here(world, coordinator_client):
    finding = derby_finding(world)
    assert coordinator_client.get(reverse("shared:home")).status_code == 404
    assert coordinator_client.get(reverse("shared:finding_pdf", args=[finding.pk])).status_code == 404


def test_a_contact_whose_access_ended_sees_nothing(world):
    user = contact_with_login(world)
    finding = derby_finding(world)
    committee = make_committee(world)
    share(make_action(make_meeting(committee), description="Send round the dates"))
    contact = EmployerContact.objects.get(user=user)
    contacts.contact_access_end(acting_user=world.coordinator, contact=contact, today=timezone.localdate())
    client = client_for(user)
    assert client.get(reverse("shared:home")).status_code == 404
    assert client.get(reverse("shared:finding_pdf", args=[finding.pk])).status_code == 404
    assert client.get(reverse("employers:committee_detail", args=[committee.pk])).status_code == 404
    for name in ("home", "org:person_list", "org:employer_list"):
        page = client.get(reverse(name)).content.decode()
        assert "Send round the dates" not in page and "Alberts" not in page and "Derby City Council" not in page


def test_an_empty_shared_page_says_what_will_appear(world, tessa):
    page = tessa.get(reverse("shared:home")).content.decode()
    assert "Actions the committee agrees appear here when the union’s co-ordinator shares them" in page
    assert "No survey findings shared yet" in page


def test_the_shared_page_takes_a_fixed_number_of_queries(world, tessa, django_assert_max_num_queries):
    committee = make_committee(world)
    for day in range(30):
        meeting = make_meeting(committee, days=-day * 7)
        share(make_action(meeting, owner_person=world.derby_person, due_on=days_from_today(-day)))
        share(make_action(meeting, owner_contact=make_contact(world.council, name=f"Manager {day}")))
    with django_assert_max_num_queries(12):
        response = tessa.get(reverse("shared:home"))
    assert "Page 1 of" in response.content.decode()


def test_overdue_shared_actions_are_marked(world, tessa):
    share(make_action(make_meeting(make_committee(world)), description="Late one", due_on=days_from_today(-2)))
    page = tessa.get(reverse("shared:home")).content.decode()
    assert "Overdue" in page
