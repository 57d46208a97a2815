"""Time off for learners: logging requests, the manager's decision (a refusal opens a case), the figures per
employer, the list, and who may do what."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.employers import time_off
from learningdesk.employers.models import CaseNote, NegotiationCase, TimeOffRequest
from learningdesk.learning.models import Activity
from learningdesk.org import scoping
from tests.conftest import World, client_for
from tests.employers import days_from_today, make_contact, make_time_off
from tests.factories import EmployerFactory, PersonFactory, UserFactory, WorkplaceFactory, give_role
from tests.learning import make_activity

pytestmark = pytest.mark.django_db

Decision = TimeOffRequest.Decision


def decide(world: World, request: TimeOffRequest, decision: str, *, user=None, **fields) -> time_off.DecisionResult:
    fields.setdefault("hours_approved", None)
    fields.setdefault("reason", "Short-staffed on Tuesdays" if decision == Decision.REFUSED else "")
    fields.setdefault("decided_on", days_from_today(0))
    return time_off.request_decide(acting_user=user or world.coordinator, request=request, decision=decision, **fields)


def request_of(world: World, person, **fields) -> TimeOffRequest:
    """A request to Derby City Council by someone other than Maria."""
    fields.setdefault("learning", "Functional skills maths, level 2")
    return TimeOffRequest.objects.create(employer=world.council, person=person, hours=Decimal("6"), **fields)


def add_url(world: World) -> str:
    return f"{reverse('employers:time_off_add')}?person={world.derby_person.pk}"


def request_form(**overrides) -> dict:
    data = {
        "learning": "Functional skills maths, level 2",
        "hours": "6",
        "requested_on": days_from_today(-2).isoformat(),
        "manager_name": "Pat Manager",
    }
    return {**data, **overrides}


# Logging a request ----------------------------------------------------------------------------------


def test_the_employer_offered_first_is_the_members_workplaces(world, coordinator_client):
    # Another employer with a site in the branch is offered too; the member's workplace's comes chosen.
    other = EmployerFactory(name="Derby Hospitals", unit=world.derby)
    WorkplaceFactory(name="Royal Derby", employer=other, branch=world.derby)
    page = coordinator_client.get(add_url(world)).content.decode()
    assert f'<option value="{world.council.pk}" selected>Derby City Council</option>' in page
    assert f'<option value="{other.pk}">Derby Hospitals</option>' in page
    assert "Nottingham University Hospitals" not in page


def test_a_ulr_logs_a_request_for_a_member_at_their_workplace(world):
    client = client_for(world.ulr)
    assert client.get(add_url(world)).status_code == 200

    response = client.post(add_url(world), request_form(employer=world.council.pk))

    request = TimeOffRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("employers:time_off_detail", args=[request.pk])
    assert (request.person, request.employer, request.hours) == (world.derby_person, world.council, Decimal("6"))
    assert request.decision == Decision.PENDING
    assert request.recorded_by == world.ulr
    event = AuditEvent.objects.get(target_type="timeoffrequest", target_id=request.pk)
    assert (event.action, event.actor, event.unit_id) == (AuditEvent.Action.CREATED, world.ulr, world.derby.pk)


def test_logging_and_then_the_decision_goes_on_to_the_decision(world, coordinator_client):
    response = coordinator_client.post(add_url(world), request_form(employer=world.council.pk, decided="on"))
    request = TimeOffRequest.objects.get()
    assert response["Location"] == reverse("employers:time_off_decide", args=[request.pk])


def test_a_request_needs_the_learning_named(world, coordinator_client):
    response = coordinator_client.post(add_url(world), request_form(employer=world.council.pk, learning=""))
    assert response.status_code == 200
    assert "Choose the activity, or type what the learning is" in response.content.decode()
    assert not TimeOffRequest.objects.exists()


def test_an_activity_on_learning_desk_can_be_the_learning(world, coordinator_client):
    activity = make_activity(world.derby, title="Maths for work")
    response = coordinator_client.post(
        add_url(world), request_form(employer=world.council.pk, learning="", activity=activity.pk)
    )
    assert response.status_code == 302
    assert TimeOffRequest.objects.get().what == "Maths for work"


def test_activities_of_another_branch_cannot_be_chosen(world, coordinator_client):
    elsewhere = make_activity(world.notts, title="Nottingham course")
    response = coordinator_client.post(
        add_url(world), request_form(employer=world.council.pk, learning="", activity=elsewhere.pk)
    )
    assert "Select one of the activities listed" in response.content.decode()
    assert not TimeOffRequest.objects.exists()


def test_the_manager_must_work_for_the_employer_chosen(world, coordinator_client):
    # Another employer with a site in the Derby branch: both are offered, with their managers.
    other = EmployerFactory(name="Derby Hospitals", unit=world.derby)
    WorkplaceFactory(name="Royal Derby", employer=other, branch=world.derby)
    their_manager = make_contact(other, name="Harriet Head", kind="line_manager")
    response = coordinator_client.post(
        add_url(world), request_form(employer=world.council.pk, manager=their_manager.pk, manager_name="")
    )
    assert "Choose a manager who works for the employer you chose" in response.content.decode()
    assert not TimeOffRequest.objects.exists()


def test_the_manager_can_be_one_of_the_employers_contacts(world, coordinator_client):
    manager = make_contact(world.council, name="Lee Line", kind="line_manager", job_title="Team leader")
    page = coordinator_client.get(add_url(world)).content.decode()
    assert "Lee Line (Team leader, Derby City Council)" in page
    coordinator_client.post(add_url(world), request_form(employer=world.council.pk, manager=manager.pk))
    assert TimeOffRequest.objects.get().manager == manager


def test_hours_and_dates_are_checked_with_clear_messages(world, coordinator_client):
    tomorrow = days_from_today(1).isoformat()
    page = coordinator_client.post(
        add_url(world), request_form(employer=world.council.pk, hours="six", requested_on=tomorrow)
    ).content.decode()
    assert "Enter the hours as a number, like 6 or 7.5" in page
    assert "The date they asked must be today or in the past" in page
    page = coordinator_client.post(add_url(world), request_form(employer=world.council.pk, hours="0.1")).content
    assert "Enter at least a quarter of an hour (0.25)" in page.decode()


def test_without_a_member_the_page_finds_one_first(world, coordinator_client):
    page = coordinator_client.get(reverse("employers:time_off_add"), {"q": "alberts"}).content.decode()
    assert f"{reverse('employers:time_off_add')}?person={world.derby_person.pk}" in page
    assert "Alberts, Maria" in page


def test_a_ulr_cannot_log_a_request_for_someone_outside_their_workplaces(world):
    client = client_for(world.ulr)
    url = f"{reverse('employers:time_off_add')}?person={world.depot_person.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, request_form(employer=world.council.pk)).status_code == 404
    # Nor do they find them in the search.
    page = client.get(reverse("employers:time_off_add"), {"q": "patel"}).content.decode()
    assert "Patel, Dev" not in page


def test_a_branch_officer_reads_requests_but_cannot_log_or_decide(world):
    request = make_time_off(world)
    client = client_for(world.officer)
    assert client.get(reverse("employers:time_off_detail", args=[request.pk])).status_code == 200
    assert client.get(add_url(world)).status_code == 403
    decision_url = reverse("employers:time_off_decide", args=[request.pk])
    assert client.get(decision_url).status_code == 404
    client.post(decision_url, {"decision": "refused", "reason": "No", "decided_on": days_from_today(0)})
    request.refresh_from_db()
    assert request.decision == Decision.PENDING


# The decision ---------------------------------------------------------------------------------------


def test_a_refusal_opens_a_case_for_the_branch_coordinator_who_is_emailed(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    request = make_time_off(world, manager_name="Pat Manager", requested_on=days_from_today(-3))
    with django_capture_on_commit_callbacks(execute=True):
        result = decide(world, request, Decision.REFUSED, user=world.ulr, reason="Short-staffed on Tuesdays")

    case = NegotiationCase.objects.get()
    assert result.case_opened and result.case == case
    assert (case.request, case.owner, case.status) == (request, world.coordinator, NegotiationCase.Status.OPEN)
    request.refresh_from_db()
    assert (request.decision, request.hours_approved) == (Decision.REFUSED, Decimal("0"))
    (note,) = case.notes.all()
    assert note.written_by == world.ulr
    assert "Derby City Council refused the 6 hours asked for: “Functional skills maths, level 2”" in note.text
    assert "Manager: Pat Manager." in note.text
    assert "Reason given: Short-staffed on Tuesdays" in note.text
    (message,) = mailoutbox
    assert message.to == ["coordinator@example.org"]
    assert message.subject == "Time off refused: Maria Alberts, Derby City Council"
    assert reverse("employers:case_detail", args=[case.pk]) in message.body
    assert {e.target_type for e in AuditEvent.objects.all()} >= {"timeoffrequest", "negotiationcase"}


def test_the_coordinator_who_records_a_refusal_owns_the_case_without_an_email_to_themselves(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    second = UserFactory(email="second@example.org", full_name="Aaron Another")
    give_role(second, "branch_coordinator", world.derby)
    with django_capture_on_commit_callbacks(execute=True):
        decide(world, make_time_off(world), Decision.REFUSED, user=world.coordinator)
    assert NegotiationCase.objects.get().owner == world.coordinator
    assert mailoutbox == []


def test_with_no_branch_coordinator_the_case_waits_for_someone_to_take_it_on(world):
    world.coordinator.roles.all().delete()
    result = decide(world, make_time_off(world), Decision.REFUSED, user=world.ulr)
    assert result.case is not None and result.case.owner is None


def test_a_refusal_needs_the_managers_reason(world, coordinator_client):
    request = make_time_off(world)
    response = coordinator_client.post(
        reverse("employers:time_off_decide", args=[request.pk]),
        {"decision": "refused", "reason": " ", "decided_on": days_from_today(0).isoformat()},
    )
    assert "Enter the reason the manager gave for refusing" in response.content.decode()
    assert not NegotiationCase.objects.exists()


def test_a_partial_approval_needs_fewer_hours_than_asked_and_opens_a_case(world, coordinator_client):
    request = make_time_off(world, hours="6")
    url = reverse("employers:time_off_decide", args=[request.pk])
    today = days_from_today(0).isoformat()
    page = coordinator_client.post(url, {"decision": "partly", "decided_on": today}).content.decode()
    assert "Enter how many of the 6 hours asked for were approved" in page
    page = coordinator_client.post(url, {"decision": "partly", "hours_approved": "6", "decided_on": today}).content
    assert "Enter fewer than the 6 hours asked for" in page.decode()

    response = coordinator_client.post(url, {"decision": "partly", "hours_approved": "3.5", "decided_on": today})

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.decision, request.hours_approved) == (Decision.PARTLY, Decimal("3.5"))
    assert "approved 3.5 of the 6 hours asked for" in CaseNote.objects.get().text


def test_an_approval_gives_all_the_hours_and_opens_no_case(world, coordinator_client):
    request = make_time_off(world, hours="7.5")
    response = coordinator_client.post(
        reverse("employers:time_off_decide", args=[request.pk]),
        {"decision": "approved", "decided_on": days_from_today(0).isoformat()},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.decision, request.hours_approved) == (Decision.APPROVED, Decimal("7.5"))
    assert not NegotiationCase.objects.exists()


def test_a_decision_cannot_come_before_the_request_or_in_the_future(world):
    request = make_time_off(world, requested_on=datetime.date(2026, 3, 3))
    with pytest.raises(ValidationError) as error:
        decide(world, request, Decision.APPROVED, decided_on=datetime.date(2026, 3, 2))
    assert error.value.message_dict["decided_on"] == [
        "The date of the decision must be on or after the request (3 March 2026)"
    ]
    with pytest.raises(ValidationError, match="today or in the past"):
        decide(world, request, Decision.APPROVED, decided_on=days_from_today(1))


def test_the_manager_changing_their_mind_never_opens_a_second_case(world):
    request = make_time_off(world)
    first = decide(world, request, Decision.REFUSED).case
    assert first is not None

    approved = decide(world, request, Decision.APPROVED)  # they give it after all

    assert approved.case == first and approved.case_closed
    first.refresh_from_db()
    assert (first.status, first.outcome) == (NegotiationCase.Status.CLOSED, NegotiationCase.Outcome.WON)
    assert "was: refused" in first.notes.first().text

    refused_again = decide(world, request, Decision.REFUSED, reason="Changed their mind again")

    assert refused_again.case == first and refused_again.case_reopened
    first.refresh_from_db()
    assert (first.status, first.outcome, first.closed_on) == (NegotiationCase.Status.OPEN, "", None)
    assert NegotiationCase.objects.count() == 1
    request.refresh_from_db()
    assert request.hours_approved == Decimal("0")


def test_the_decision_page_shows_the_result(world, coordinator_client):
    request = make_time_off(world)
    response = coordinator_client.post(
        reverse("employers:time_off_decide", args=[request.pk]),
        {"decision": "refused", "reason": "No cover", "decided_on": days_from_today(0).isoformat()},
        follow=True,
    )
    page = response.content.decode()
    assert "Refused: recorded. A negotiation case is open for Carol Coordinator to take up." in page
    assert reverse("employers:case_detail", args=[NegotiationCase.objects.get().pk]) in page


# Figures --------------------------------------------------------------------------------------------


def worked_example(world: World) -> None:
    """Derby City Council, this year: five requests of 6, 6, 4, 3 and 7.5 hours.

    One approved (6), one partly (2 of 6; the case is still open), one refused and won back in full through the
    case (4), one refused and lost (0), one waiting. A request made last year and one to another employer are
    not in the council's figures for the period.
    """
    today = days_from_today(0)
    approved = make_time_off(world, hours="6", requested_on=today)
    decide(world, approved, Decision.APPROVED)
    decide(world, make_time_off(world, hours="6", requested_on=today), Decision.PARTLY, hours_approved=Decimal("2"))
    won = decide(world, make_time_off(world, hours="4", requested_on=today), Decision.REFUSED).case
    time_off.case_close(acting_user=world.coordinator, case=won, outcome="won", note="HR agreed")  # type: ignore[arg-type]
    lost = decide(world, make_time_off(world, hours="3", requested_on=today), Decision.REFUSED).case
    time_off.case_close(acting_user=world.coordinator, case=lost, outcome="lost", note="They would not move")  # type: ignore[arg-type]
    make_time_off(world, hours="7.5", requested_on=today)
    make_time_off(world, hours="10", requested_on=today - datetime.timedelta(days=400))
    hospital = TimeOffRequest.objects.create(
        employer=world.hospital.employer, person=world.notts_person, hours=Decimal("5"), learning="ESOL"
    )
    assert hospital.pk


def test_figures_per_employer_for_the_period(world, django_assert_num_queries):
    worked_example(world)
    starts_on, ends_on = time_off.last_twelve_months()
    scoping.get_scope(world.coordinator)  # once a request, before any page's queries
    with django_assert_num_queries(1):
        (figures,) = time_off.figures_by_employer(world.coordinator, starts_on=starts_on, ends_on=ends_on)
    assert figures.employer_name == "Derby City Council"
    assert (figures.requested, figures.hours_requested) == (5, Decimal("26.5"))
    assert (figures.approved, figures.partly, figures.refused, figures.pending) == (1, 1, 2, 1)
    assert figures.hours_approved == Decimal("12")  # 6 + 2 + 4 won back + 0
    assert (figures.cases_won, figures.cases_partly, figures.cases_lost, figures.cases_withdrawn) == (1, 0, 1, 0)
    assert (figures.cases_open, figures.cases) == (1, 3)


def test_the_region_sees_each_employers_figures_and_their_total(world):
    worked_example(world)
    rows = time_off.figures_by_employer(world.regional)
    assert [row.employer_name for row in rows] == ["Derby City Council", world.hospital.employer.name]
    total = time_off.Figures.total(rows)
    # Waiting: the council's 7.5 and last year's 10 hours, and the hospital's.
    assert (total.requested, total.hours_requested, total.pending) == (7, Decimal("41.5"), 3)


def test_employer_figures_for_the_employer_page(world):
    worked_example(world)
    figures = time_off.employer_figures(
        world.coordinator, world.council, starts_on=days_from_today(-30), ends_on=days_from_today(0)
    )
    assert (figures.requested, figures.refused) == (5, 2)
    other = EmployerFactory(name="Quiet Ltd", unit=world.derby)
    nothing = time_off.employer_figures(world.coordinator, other, starts_on=None, ends_on=None)
    assert (nothing.employer_name, nothing.requested, nothing.is_empty) == ("Quiet Ltd", 0, True)


def test_the_outsider_gets_no_figures_for_derby(world):
    worked_example(world)
    assert time_off.employer_figures(world.outsider, world.council, starts_on=None, ends_on=None).is_empty


# The list -------------------------------------------------------------------------------------------


def test_the_list_shows_the_figures_and_filters_by_decision_and_period(world, coordinator_client):
    worked_example(world)
    page = coordinator_client.get(reverse("employers:time_off_list")).content.decode()
    assert "5 requests" in page  # the last twelve months by default: not last year's
    assert "26.5" in page
    page = coordinator_client.get(
        reverse("employers:time_off_list"), {"decision": "refused", "starts_on": "", "ends_on": ""}
    ).content.decode()
    assert "2 requests" in page
    page = coordinator_client.get(
        reverse("employers:time_off_list"), {"decision": "", "starts_on": "", "ends_on": ""}
    ).content.decode()
    assert "6 requests" in page  # all time


def test_the_list_says_when_the_period_is_back_to_front(world, coordinator_client):
    page = coordinator_client.get(
        reverse("employers:time_off_list"), {"starts_on": "2026-05-01", "ends_on": "2026-04-01"}
    ).content.decode()
    assert "The end of the period must be on or after its start" in page


def test_the_list_pages_in_the_database_with_few_queries(world, coordinator_client, django_assert_max_num_queries):
    activity = make_activity(world.derby, title="Maths for work")
    for number in range(30):
        person = PersonFactory(branch=world.derby, workplace=world.town_hall)
        request = request_of(world, person, activity=activity if number % 2 else None)
        if number % 3 == 0:
            decide(world, request, Decision.REFUSED)
    with django_assert_max_num_queries(11):
        response = coordinator_client.get(reverse("employers:time_off_list"))
    page = response.content.decode()
    assert "30 requests" in page
    assert page.count('href="/employers/time-off/') >= 25
    assert "Page 1 of 2" in page


def test_a_ulr_sees_only_the_requests_of_their_workplaces(world):
    make_time_off(world, learning="Town hall course")
    request_of(world, world.depot_person, learning="Depot course")
    page = client_for(world.ulr).get(reverse("employers:time_off_list")).content.decode()
    assert "Town hall course" in page
    assert "Depot course" not in page


def test_another_branch_sees_nothing_of_derbys_requests(world):
    worked_example(world)
    page = client_for(world.outsider).get(reverse("employers:time_off_list")).content.decode()
    assert "Alberts" not in page
    assert "Derby City Council" not in page
    assert "1 request" in page  # their own, at the hospital


def test_an_empty_list_says_what_to_do(world, coordinator_client):
    page = coordinator_client.get(reverse("employers:time_off_list")).content.decode()
    assert "No time-off requests yet. When a member asks their manager for time off to learn" in page


# The person's page ----------------------------------------------------------------------------------


def test_the_persons_page_lists_their_requests_and_links_to_log_one(world, coordinator_client):
    decide(world, make_time_off(world, learning="Spreadsheets course"), Decision.REFUSED)
    page = coordinator_client.get(reverse("org:person_detail", args=[world.derby_person.pk])).content.decode()
    assert "Spreadsheets course" in page
    assert "Case open" in page
    assert f"{reverse('employers:time_off_add')}?person={world.derby_person.pk}" in page
    officer_page = client_for(world.officer).get(reverse("org:person_detail", args=[world.derby_person.pk]))
    assert "Log a time-off request" not in officer_page.content.decode()


def test_cancelled_activities_are_not_offered(world, coordinator_client):
    make_activity(world.derby, title="Cancelled course", status=Activity.Status.CANCELLED)
    make_activity(world.derby, title="Running course")
    page = coordinator_client.get(add_url(world)).content.decode()
    assert "Running course" in page
    assert "Cancelled course" not in page


def test_changing_the_decision_starts_from_the_one_recorded(world, coordinator_client):
    request = make_time_off(world)
    decide(world, request, Decision.PARTLY, hours_approved=Decimal("2.5"), reason="Only mornings")
    page = coordinator_client.get(reverse("employers:time_off_decide", args=[request.pk])).content.decode()
    assert "Change the manager's decision" in page
    assert 'value="partly" class="govuk-radios__input" id="id_decision_1" required checked' in page
    assert 'value="2.50"' in page
    assert "Only mornings" in page
