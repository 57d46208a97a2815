"""What the co-ordinator shares with the employer: chosen committee actions (owners named only when they act for
the union), and survey findings reports made at the moment of sharing, aggregate only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.employers import sharing
from learningdesk.employers.models import CommitteeAction, SharedFinding
from learningdesk.org.models import Role
from learningdesk.reps.models import Rep, RepKind, Stage
from learningdesk.surveys.models import PrivacySettings
from tests.conftest import client_for
from tests.employers import make_action, make_committee, make_contact, make_meeting
from tests.employers.urls_committees import derby_finding
from tests.factories import PersonFactory, UserFactory, give_role
from tests.surveys import answer, derby_survey, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(world) -> CommitteeAction:
    return make_action(make_meeting(make_committee(world)), description="Release staff for the maths course")


def seen(action: CommitteeAction) -> str:
    return sharing.name_owners_for_employer([action], today=timezone.localdate())[0].employer_sees  # type: ignore[attr-defined]


# Sharing actions --------------------------------------------------------------------------------


def test_the_confirm_page_shows_the_action_as_the_employer_will_see_it(world, coordinator_client, action):
    page = coordinator_client.get(reverse("employers:action_share", args=[action.pk])).content.decode()
    assert "Share this action with Derby City Council?" in page
    assert "Release staff for the maths course" in page
    assert "Check that “What” names no member" in page
    action.refresh_from_db()
    assert not action.is_shared


def test_sharing_an_action_is_recorded_and_audited_once(world, coordinator_client, action):
    url = reverse("employers:action_share", args=[action.pk])
    response = coordinator_client.post(url, {"share": "yes"})
    assert response["Location"] == reverse("employers:meeting_detail", args=[action.meeting_id]) + "#actions"
    action.refresh_from_db()
    assert action.is_shared and action.shared_by == world.coordinator
    coordinator_client.post(url, {"share": "yes"})  # a second click, or a second tab: nothing changes
    events = AuditEvent.objects.filter(target_type="committeeaction", target_id=action.pk)
    assert [event.changes for event in events] == [{"shared_with_employer": True}]


def test_stopping_sharing(world, coordinator_client, action):
    sharing.action_share(acting_user=world.coordinator, action=action, share=True)
    page = coordinator_client.get(reverse("employers:action_share", args=[action.pk])).content.decode()
    assert "Stop sharing this action?" in page
    coordinator_client.post(reverse("employers:action_share", args=[action.pk]), {"share": "no"})
    action.refresh_from_db()
    assert (action.shared_at, action.shared_by) == (None, None)


def test_a_post_without_saying_share_or_stop_changes_nothing(world, coordinator_client, action):
    response = coordinator_client.post(reverse("employers:action_share", args=[action.pk]), {"share": "maybe"})
    assert response.status_code == 400
    action.refresh_from_db()
    assert not action.is_shared


# Who the employer sees owning an action -----------------------------------------------------------


def test_the_employer_sees_their_own_contact_and_typed_employer_names(world, action):
    action.owner_contact = make_contact(world.council)
    assert seen(action) == "Tessa Trainer"
    action.owner_contact, action.side, action.owner_name = None, CommitteeAction.Side.EMPLOYER, "Head of Facilities"
    assert seen(action) == "Head of Facilities"


def test_a_rep_in_post_is_named_but_a_learner_is_not(world, action):
    kind, _created = RepKind.objects.get_or_create(code="ulr", defaults={"name": "Union learning rep"})
    rep = Rep.objects.create(person=PersonFactory(branch=world.derby, first_name="Rita", last_name="Rep"), kind=kind)
    action.owner_person = rep.person
    rep.stage = Stage.ACTIVE
    rep.save()
    assert seen(action) == "Rita Rep"
    rep.stage = Stage.PROSPECT  # only thinking about it: not acting for the union yet
    rep.save()
    assert seen(action) == sharing.THE_UNION
    action.owner_person = world.derby_person  # a member who came to learn
    assert seen(action) == sharing.THE_UNION


def test_an_officer_with_a_union_role_is_named_until_the_role_ends(world, action):
    person = PersonFactory(branch=world.derby, first_name="Bea", last_name="Secretary")
    user = UserFactory(person=person)
    role = give_role(user, Role.BRANCH_OFFICER, world.derby)
    action.owner_person = person
    assert seen(action) == "Bea Secretary"
    role.ends_on = timezone.localdate().replace(year=2020, month=1, day=1)
    role.starts_on = role.ends_on
    role.save()
    assert seen(action) == sharing.THE_UNION


def test_a_name_typed_for_the_union_side_is_not_shown(world, action):
    action.owner_name, action.side = "Maria from the depot", CommitteeAction.Side.UNION
    assert seen(action) == sharing.THE_UNION


# Survey findings --------------------------------------------------------------------------------


@pytest.fixture
def answered(world):
    """Derby's survey with a threshold of 3 and four responses."""
    PrivacySettings.objects.create(unit=world.national, threshold=3)
    survey = derby_survey(world)
    for _ in range(4):
        answer(survey)
    return survey


def test_the_coordinator_shares_a_findings_report_made_now(world, coordinator_client, answered):
    response = coordinator_client.post(
        reverse("employers:finding_share", args=[world.council.pk]),
        {"survey": answered.pk, "title": "", "summary": "Most want maths: let's plan a course together."},
    )
    assert response.status_code == 302
    finding = SharedFinding.objects.get()
    assert (finding.employer, finding.survey, finding.shared_by) == (world.council, answered, world.coordinator)
    assert finding.title == "Findings of the survey: What would you like to learn?"
    with finding.pdf.open("rb") as file:
        assert file.read(5) == b"%PDF-"
    event = AuditEvent.objects.get(target_type="sharedfinding")
    assert event.changes == {"survey": answered.pk, "responses": 4, "shared_with_employer": world.council.pk}
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "Findings of the survey: What would you like to learn?" in page
    pdf = coordinator_client.get(reverse("employers:finding_pdf", args=[finding.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_a_survey_below_its_threshold_cannot_be_shared(world, coordinator_client):
    PrivacySettings.objects.create(unit=world.national, threshold=3)
    survey = derby_survey(world)
    answer(survey)
    response = coordinator_client.post(
        reverse("employers:finding_share", args=[world.council.pk]), {"survey": survey.pk, "title": "", "summary": ""}
    )
    assert response.status_code == 200
    assert "has 1 response you may count" in response.content.decode()
    assert "at least 3 people have answered" in response.content.decode()
    assert not SharedFinding.objects.exists()


def test_only_surveys_the_user_may_see_can_be_shared(world, coordinator_client):
    notts = make_survey(world.notts, title="Nottingham survey")
    page = coordinator_client.get(reverse("employers:finding_share", args=[world.council.pk])).content.decode()
    assert "Nottingham survey" not in page
    response = coordinator_client.post(
        reverse("employers:finding_share", args=[world.council.pk]), {"survey": notts.pk, "title": "", "summary": ""}
    )
    assert "Select a valid choice" in response.content.decode()
    assert not SharedFinding.objects.exists()


@pytest.mark.parametrize("who", ["ulr", "officer"])
def test_ulrs_and_officers_cannot_share_or_withdraw_findings(world, who, answered):
    client = client_for(getattr(world, who))
    url = reverse("employers:finding_share", args=[world.council.pk])
    assert client.post(url, {"survey": answered.pk, "title": "", "summary": ""}).status_code == 404
    finding = derby_finding(world)
    assert client.post(reverse("employers:finding_withdraw", args=[finding.pk])).status_code == 404
    finding.refresh_from_db()
    assert finding.withdrawn_at is None


def test_withdrawing_a_finding_asks_first_and_is_audited(world, coordinator_client):
    finding = derby_finding(world)
    url = reverse("employers:finding_withdraw", args=[finding.pk])
    assert "Withdraw “What Derby&#x27;s members want to learn”?" in coordinator_client.get(url).content.decode()
    finding.refresh_from_db()
    assert finding.withdrawn_at is None
    response = coordinator_client.post(url)
    assert response["Location"] == reverse("employers:finding_share", args=[world.council.pk])
    finding.refresh_from_db()
    assert finding.withdrawn_at is not None
    assert AuditEvent.objects.get(target_type="sharedfinding").changes == {"withdrawn": True}
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "Withdrawn" in page
