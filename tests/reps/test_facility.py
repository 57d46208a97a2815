"""Facility time and conversations: the services' rules, who may log for whom, and the agreed-against-used report."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.org.models import Person
from learningdesk.reps import facility
from learningdesk.reps.models import Conversation, FacilityAllowance, FacilityTimeEntry, Method, Rep, Stage
from tests.conftest import client_for
from tests.factories import EmployerFactory, PersonFactory, WorkplaceFactory
from tests.reps import days_ago, derby_rep, make_rep, rep_with_login

ADVISING = FacilityTimeEntry.Purpose.ADVISING


def log(rep: Rep, *, hours: str = "1", on: datetime.date | None = None, **kwargs) -> FacilityTimeEntry:
    return facility.time_log(
        acting_user=None, rep=rep, on=on or timezone.localdate(), hours=Decimal(hours), purpose=ADVISING, **kwargs
    )


def talk(rep: Rep, **kwargs) -> facility.ConversationLogged:
    kwargs.setdefault("about", Conversation.About.LEARNING_NEEDS)
    return facility.conversation_log(acting_user=None, rep=rep, on=timezone.localdate(), **kwargs)


# Logging time: the rules ------------------------------------------------------------------------


def test_logged_time_goes_to_the_employer_of_the_reps_workplace_with_an_audit_event(world):
    rep = derby_rep(world)
    entry = log(rep, hours="1.5")
    assert (entry.employer, entry.hours, entry.purpose) == (world.council, Decimal("1.5"), ADVISING)
    event = AuditEvent.objects.get(target_type="facilitytimeentry", target_id=entry.pk)
    assert event.unit_id == world.derby.pk


@pytest.mark.parametrize("hours", ["0", "0.2", "24.25", "-1"])
def test_hours_outside_a_quarter_of_an_hour_to_24_are_refused(world, hours):
    with pytest.raises(ValidationError) as error:
        log(derby_rep(world), hours=hours)
    assert "between 0.25" in str(error.value)
    assert not FacilityTimeEntry.objects.exists()


@pytest.mark.parametrize("hours", ["0.25", "24"])
def test_hours_at_the_limits_are_accepted(world, hours):
    assert log(derby_rep(world), hours=hours).hours == Decimal(hours)


def test_time_cannot_be_logged_in_the_future(world):
    with pytest.raises(ValidationError, match="future"):
        log(derby_rep(world), on=timezone.localdate() + datetime.timedelta(days=1))


def test_time_can_be_logged_a_year_back_but_no_further(world):
    rep = derby_rep(world)
    year_ago = timezone.localdate() - relativedelta(years=1)
    assert log(rep, on=year_ago).on == year_ago
    with pytest.raises(ValidationError, match="within the last year"):
        log(rep, on=year_ago - datetime.timedelta(days=1))


def test_time_cannot_be_logged_for_a_rep_who_stood_down(world):
    rep = derby_rep(world)
    Rep.objects.filter(pk=rep.pk).update(stage=Stage.STOOD_DOWN)
    rep.refresh_from_db()
    with pytest.raises(ValidationError, match="stood down"):
        log(rep)


def test_a_rep_the_user_may_not_log_for_is_not_found(world):
    rep = derby_rep(world)
    rep_with_login(world)
    assert facility.get_loggable_rep(world.coordinator, rep.pk) == rep
    for user in (world.ulr, world.outsider, world.officer):
        with pytest.raises(Http404):
            facility.get_loggable_rep(user, rep.pk)
    with pytest.raises(Http404):
        facility.get_loggable_rep(world.coordinator, "abc")


# Conversations: the rules -----------------------------------------------------------------------


def test_someone_who_would_like_to_become_a_rep_is_added_once_as_a_prospect(world):
    rep = rep_with_login(world)
    sam = PersonFactory(first_name="Sam", last_name="Lee", branch=world.derby, workplace=world.town_hall)
    first = talk(rep, person=sam, notes="Keen on maths", wants_to_be_rep=True)
    prospect = Rep.objects.get(person=sam)
    assert first.prospect == prospect
    assert (prospect.stage, prospect.kind.code, prospect.method) == (Stage.PROSPECT, "ulr", Method.CONVERSATION)
    assert list(prospect.workplaces.all()) == [world.town_hall]
    assert "Keen on maths" in prospect.notes and "Uma Rep" in prospect.notes
    second = talk(rep, person=sam, wants_to_be_rep=True)
    assert second.prospect is None and second.already_on_register == prospect
    assert Rep.objects.filter(person=sam).count() == 1
    assert Conversation.objects.filter(person=sam).count() == 2


def test_a_non_member_who_would_like_to_become_a_rep_is_recorded_as_one(world):
    rep = rep_with_login(world)
    guest = PersonFactory(
        branch=world.derby, workplace=world.town_hall, status=Person.Status.NON_MEMBER, membership_number=None
    )
    result = talk(rep, person=guest, wants_to_be_rep=True)
    assert result.prospect is not None and result.prospect.source == "non_member_learner"


def test_a_conversation_with_just_a_name_who_would_like_to_become_a_rep_is_marked_for_follow_up(world):
    result = talk(rep_with_login(world), name="  Jo  ", wants_to_be_rep=True)
    assert (result.conversation.name, result.conversation.follow_up, result.prospect) == ("Jo", True, None)
    assert Rep.objects.count() == 1


def test_a_conversation_needs_someone_to_be_with(world):
    with pytest.raises(ValidationError, match="first name is enough"):
        talk(rep_with_login(world), name=" ")


# Agreed facility time: the rules ----------------------------------------------------------------


def test_agreeing_time_with_the_same_employer_again_replaces_the_agreement(world):
    rep = derby_rep(world)
    facility.allowance_set(acting_user=None, rep=rep, employer=world.council, hours=Decimal("2"), per="week")
    allowance = facility.allowance_set(
        acting_user=world.coordinator, rep=rep, employer=world.council, hours=Decimal("10"), per="month"
    )
    assert list(rep.facility_allowances.values_list("hours", "per")) == [(Decimal("10"), "month")]
    assert AuditEvent.objects.filter(target_type="facilityallowance", target_id=allowance.pk).count() == 2


# Logging time: the page -------------------------------------------------------------------------


def test_a_ulr_logs_time_for_themselves_on_their_phone(world):
    rep = rep_with_login(world)
    client = client_for(world.ulr)
    page = client.get(reverse("reps:time_log")).content.decode()
    assert 'inputmode="decimal"' in page and "<table" not in page
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page
    response = client.post(
        reverse("reps:time_log"),
        {"on": timezone.localdate().isoformat(), "hours_choice": "1.5", "purpose": ADVISING, "note": "Stall"},
    )
    entry = FacilityTimeEntry.objects.get()
    assert (entry.rep, entry.hours, entry.logged_by, entry.note) == (rep, Decimal("1.5"), world.ulr, "Stall")
    assert response["Location"] == f"{reverse('reps:time_log')}?rep={rep.pk}&logged={entry.pk}"
    page = client.get(response["Location"]).content.decode()
    assert re.search(r'id="logged">1.5 hours logged for \w+day', page) and "Log more time" in page
    assert re.search(r'id="used-week">\s*1.5 hours', page)
    assert "<table" not in page


def test_typed_hours_are_used_instead_of_a_quick_choice(world):
    rep_with_login(world)
    client_for(world.ulr).post(
        reverse("reps:time_log"),
        {"on": timezone.localdate().isoformat(), "hours_choice": "1", "hours_other": "0,75", "purpose": ADVISING},
    )
    assert FacilityTimeEntry.objects.get().hours == Decimal("0.75")


def test_the_log_form_says_what_is_missing(world):
    rep_with_login(world)
    response = client_for(world.ulr).post(reverse("reps:time_log"), {"on": "", "hours_other": ""})
    page = response.content.decode()
    assert "There is a problem" in page
    for message in ("Enter the date", "Select how long you spent, or type the hours", "Select what the time was for"):
        assert message in page
    assert not FacilityTimeEntry.objects.exists()


@pytest.mark.parametrize("typed", ["lots", "0.1", "25", "NaN"])
def test_typed_hours_must_be_a_quarter_of_an_hour_to_24(world, typed):
    rep_with_login(world)
    response = client_for(world.ulr).post(
        reverse("reps:time_log"), {"on": timezone.localdate().isoformat(), "hours_other": typed, "purpose": ADVISING}
    )
    assert "Enter hours between 0.25 and 24" in response.content.decode()
    assert not FacilityTimeEntry.objects.exists()


def test_a_future_date_is_refused_on_the_page(world):
    rep_with_login(world)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for(world.ulr).post(
        reverse("reps:time_log"), {"on": tomorrow.isoformat(), "hours_choice": "1", "purpose": ADVISING}
    )
    assert "The date cannot be in the future." in response.content.decode()
    assert not FacilityTimeEntry.objects.exists()


def test_a_ulr_cannot_log_time_for_another_rep(world):
    rep_with_login(world)
    maria = derby_rep(world)
    client = client_for(world.ulr)
    url = f"{reverse('reps:time_log')}?rep={maria.pk}"
    assert client.get(url).status_code == 404
    response = client.post(url, {"on": timezone.localdate().isoformat(), "hours_choice": "1", "purpose": ADVISING})
    assert response.status_code == 404
    assert not FacilityTimeEntry.objects.exists()


def test_a_coordinator_logs_time_for_a_rep_in_their_branch(world):
    maria = derby_rep(world)
    response = client_for(world.coordinator).post(
        f"{reverse('reps:time_log')}?rep={maria.pk}",
        {"on": days_ago(2).isoformat(), "hours_choice": "3", "purpose": FacilityTimeEntry.Purpose.CONSULTING},
    )
    assert response.status_code == 302
    entry = FacilityTimeEntry.objects.get()
    assert (entry.rep, entry.hours, entry.logged_by) == (maria, Decimal("3"), world.coordinator)


def test_another_branch_cannot_log_time_for_a_derby_rep(world):
    maria = derby_rep(world)
    response = client_for(world.outsider).post(
        f"{reverse('reps:time_log')}?rep={maria.pk}",
        {"on": timezone.localdate().isoformat(), "hours_choice": "1", "purpose": ADVISING},
    )
    assert response.status_code == 404
    assert not FacilityTimeEntry.objects.exists()


@pytest.mark.parametrize("name", ["reps:time_log", "reps:conversation_log", "reps:facility"])
def test_anonymous_users_are_sent_to_sign_in(world, client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_coordinator_who_is_not_a_rep_is_told_where_to_log_for_their_reps(world):
    page = client_for(world.coordinator).get(reverse("reps:time_log")).content.decode()
    assert "You are not on the register as a rep" in page
    assert reverse("reps:facility") in page


def test_someone_with_two_roles_chooses_which_one_the_time_is_for(world):
    ulr = rep_with_login(world)
    champion = make_rep(ulr.person, kind="learner_champion", stage=Stage.ACTIVE, workplaces=[world.town_hall])
    client = client_for(world.ulr)
    assert "Which of your roles is this for?" in client.get(reverse("reps:time_log")).content.decode()
    response = client.post(
        reverse("reps:time_log"),
        {"rep": champion.pk, "on": timezone.localdate().isoformat(), "hours_choice": "1", "purpose": ADVISING},
    )
    assert response.status_code == 302
    assert FacilityTimeEntry.objects.get().rep == champion


def test_a_rep_working_for_two_employers_chooses_the_employer(world):
    rep = rep_with_login(world)
    college = EmployerFactory(name="Derby College", unit=world.derby)
    rep.workplaces.add(WorkplaceFactory(name="College Campus", employer=college, branch=world.derby))
    client = client_for(world.ulr)
    page = client.get(reverse("reps:time_log")).content.decode()
    assert "Which employer?" in page and "Derby College" in page
    client.post(
        reverse("reps:time_log"),
        {"on": timezone.localdate().isoformat(), "hours_choice": "2", "purpose": ADVISING, "employer": college.pk},
    )
    assert FacilityTimeEntry.objects.get().employer == college


# Logging a conversation: the page ---------------------------------------------------------------


def conversation_data(**data) -> dict:
    return {"on": timezone.localdate().isoformat(), "about": Conversation.About.COURSE, **data}


def test_a_ulr_finds_someone_at_their_workplace_as_they_type(world):
    rep_with_login(world)
    client = client_for(world.ulr)
    response = client.get(reverse("reps:conversation_log"), {"find": "1", "name": "mar"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "Maria Alberts" in page and "<form" not in page
    assert (
        "Dev Patel"
        not in client.get(
            reverse("reps:conversation_log"), {"find": "1", "name": "dev"}, HTTP_HX_REQUEST="true"
        ).content.decode()
    )


def test_find_without_javascript_keeps_what_was_typed_and_lists_the_matches(world):
    rep_with_login(world)
    response = client_for(world.ulr).post(
        reverse("reps:conversation_log"), conversation_data(name="Maria", notes="Wants ESOL", find="1")
    )
    page = response.content.decode()
    assert "Is it one of these people?" in page and "Maria Alberts" in page and "Wants ESOL" in page
    assert "There is a problem" not in page
    assert not Conversation.objects.exists()


def test_a_ulr_logs_a_conversation_with_someone_who_would_like_to_become_a_rep(world):
    uma = rep_with_login(world)
    sam = PersonFactory(first_name="Sam", last_name="Lee", branch=world.derby, workplace=world.town_hall)
    client = client_for(world.ulr)
    response = client.post(
        reverse("reps:conversation_log"),
        conversation_data(name="Sam", person=sam.pk, wants_to_be_rep="on", notes="Would run a book swap"),
    )
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert (conversation.rep, conversation.person, conversation.logged_by) == (uma, sam, world.ulr)
    prospect = Rep.objects.get(person=sam)
    assert prospect.method == Method.CONVERSATION
    page = client.get(response["Location"]).content.decode()
    assert "Sam Lee is now on the register as a prospect ULR" in page
    assert "Would run a book swap" in page


def test_logging_a_conversation_with_someone_already_a_rep_says_so(world):
    rep_with_login(world)
    derby_rep(world)
    client = client_for(world.ulr)
    response = client.post(
        reverse("reps:conversation_log"),
        conversation_data(person=world.derby_person.pk, wants_to_be_rep="on"),
        follow=True,
    )
    assert "Maria Alberts is already on the register as a ULR (active)" in response.content.decode()
    assert Rep.objects.filter(person=world.derby_person).count() == 1


def test_a_person_away_from_the_reps_workplaces_cannot_be_chosen(world):
    rep_with_login(world)
    response = client_for(world.ulr).post(
        reverse("reps:conversation_log"), conversation_data(person=world.depot_person.pk)
    )
    assert "Choose someone from the list, or write their name" in response.content.decode()
    assert not Conversation.objects.exists()


def test_a_first_name_is_enough(world):
    rep_with_login(world)
    client_for(world.ulr).post(reverse("reps:conversation_log"), conversation_data(name="Jo", follow_up="on"))
    conversation = Conversation.objects.get()
    assert (conversation.name, conversation.person, conversation.follow_up) == ("Jo", None, True)


def test_another_branch_cannot_log_a_conversation_for_a_derby_rep(world):
    maria = derby_rep(world)
    response = client_for(world.outsider).post(
        f"{reverse('reps:conversation_log')}?rep={maria.pk}", conversation_data(name="Jo")
    )
    assert response.status_code == 404
    assert not Conversation.objects.exists()


# Agreeing facility time: the page ---------------------------------------------------------------


def test_a_coordinator_agrees_facility_time_and_changes_it_at_the_same_address(world):
    maria = derby_rep(world)
    client = client_for(world.coordinator)
    url = reverse("reps:allowance_add", args=[maria.pk])
    page = client.get(url).content.decode()
    assert "Derby City Council" in page
    data = {"employer": world.council.pk, "hours": "2", "per": "week", "agreed_on": days_ago(10).isoformat()}
    assert client.post(url, data)["Location"] == reverse("reps:detail", args=[maria.pk])
    page = client.get(url).content.decode()
    assert "Change agreed facility time" in page and 'value="2.00"' in page
    client.post(url, {**data, "hours": "3"})
    assert list(FacilityAllowance.objects.values_list("hours", "per")) == [(Decimal("3"), "week")]


def test_facility_time_is_agreed_only_with_an_employer_of_the_reps_workplaces(world):
    maria = derby_rep(world)
    other = EmployerFactory(name="Elsewhere Ltd", unit=world.derby)
    response = client_for(world.coordinator).post(
        reverse("reps:allowance_add", args=[maria.pk]), {"employer": other.pk, "hours": "2", "per": "week"}
    )
    assert response.status_code == 200
    assert not FacilityAllowance.objects.exists()


@pytest.mark.parametrize("persona", ["ulr", "officer", "outsider"])
def test_only_the_reps_coordinators_agree_facility_time(world, persona):
    maria = derby_rep(world)
    rep_with_login(world)
    client = client_for(getattr(world, persona))
    url = reverse("reps:allowance_add", args=[maria.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"employer": world.council.pk, "hours": "2", "per": "week"}).status_code == 404
    assert not FacilityAllowance.objects.exists()


# Agreed against used ----------------------------------------------------------------------------


def agree(rep: Rep, hours: str, per: str = "week", employer=None) -> FacilityAllowance:
    return facility.allowance_set(
        acting_user=None, rep=rep, employer=employer or rep.workplaces.get().employer, hours=Decimal(hours), per=per
    )


def test_the_report_shows_agreed_against_used_and_flags_reps_using_none(world):
    maria = derby_rep(world)
    agree(maria, "2")  # 2 hours a week is 8.67 a month
    log(maria, hours="1.5")
    log(maria, hours="2", on=days_ago(40))
    log(maria, hours="5", on=days_ago(120))
    dev = make_rep(world.depot_person, stage=Stage.ACTIVE, workplaces=[world.depot])
    agree(dev, "4", per="month")
    log(dev, hours="1", on=days_ago(100))
    response = client_for(world.coordinator).get(reverse("reps:facility"))
    rows = {rep.person.last_name: usage for rep, usage in response.context["rows"]}
    assert [rep.person.last_name for rep, _ in response.context["rows"]] == ["Patel", "Alberts"]
    assert (rows["Alberts"].agreed_per_month, rows["Alberts"].used_month, rows["Alberts"].used_3_months) == (
        Decimal("8.67"),
        Decimal("1.5"),
        Decimal("3.5"),
    )
    assert rows["Alberts"].percent_used == 13  # 3.5 of 26.01 hours agreed over 3 months
    assert (rows["Alberts"].using_none, rows["Patel"].using_none) == (False, True)
    page = response.content.decode()
    assert "Using none" in page and "ld-table-responsive" in page
    [(employer, usage)] = response.context["employers"]
    assert (employer, usage.agreed_per_month, usage.used_3_months, employer.reps_using_none) == (
        world.council,
        Decimal("12.67"),
        Decimal("3.5"),
        1,
    )


def test_the_report_period_and_employer_filter(world):
    maria = derby_rep(world)
    agree(maria, "10", per="month")
    log(maria, hours="5", on=days_ago(120))
    college = EmployerFactory(name="Derby College", unit=world.derby)
    client = client_for(world.coordinator)
    response = client.get(reverse("reps:facility"), {"period": "year"})
    [(_, usage)] = response.context["rows"]
    today = timezone.localdate()
    assert usage.agreed_period == Decimal("10") * today.month
    assert usage.used_period == (Decimal("5") if days_ago(120).year == today.year else Decimal("0"))
    assert client.get(reverse("reps:facility"), {"employer": college.pk}).status_code == 200  # not a choice: ignored
    FacilityAllowance.objects.create(rep=maria, employer=college, hours=Decimal("1"), per="month")
    response = client.get(reverse("reps:facility"), {"employer": college.pk})
    [(_, usage)] = response.context["rows"]
    assert usage.agreed_per_month == Decimal("1") and usage.used_3_months == 0 and usage.using_none


def test_the_report_shows_nothing_of_another_branch(world):
    maria = derby_rep(world)
    agree(maria, "2")
    log(maria)
    response = client_for(world.outsider).get(reverse("reps:facility"))
    assert response.context["rows"] == [] and response.context["employers"] == []
    assert "Alberts" not in response.content.decode()


def test_a_ulr_sees_only_their_own_time_in_the_report(world):
    agree(derby_rep(world), "2")
    uma = rep_with_login(world)
    log(uma)
    rows = client_for(world.ulr).get(reverse("reps:facility")).context["rows"]
    assert [rep for rep, _ in rows] == [uma]


def test_the_report_reads_a_fixed_number_of_queries_however_many_reps(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.coordinator)
    maria = derby_rep(world)
    agree(maria, "2")
    log(maria)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("reps:facility"))
    for n in range(6):
        person = PersonFactory(branch=world.derby, workplace=world.depot)
        rep = make_rep(person, stage=Stage.ACTIVE, workplaces=[world.depot])
        agree(rep, str(n + 1))
        log(rep, hours="2")
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(reverse("reps:facility"))
    assert len(response.context["rows"]) == 7
    assert len(before.captured_queries) <= 10


# The rep's page -----------------------------------------------------------------------------------


def test_the_reps_page_shows_agreed_and_used_time_and_the_links(world):
    maria = derby_rep(world)
    agree(maria, "2")
    log(maria, hours="1.5")
    talk(maria, name="Jo", notes="Asked about ESOL")
    page = client_for(world.coordinator).get(reverse("reps:detail", args=[maria.pk])).content.decode()
    assert "Facility time" in page and "2 hours a week" in page
    assert re.search(r'id="used-month">\s*1.5 hours of 8.67 agreed', page)
    assert f"{reverse('reps:time_log')}?rep={maria.pk}" in page
    assert reverse("reps:allowance_add", args=[maria.pk]) in page
    assert "Asked about ESOL" in page


def test_a_reader_of_the_reps_page_gets_no_log_or_agree_links(world):
    maria = derby_rep(world)
    page = client_for(world.officer).get(reverse("reps:detail", args=[maria.pk])).content.decode()
    assert "No facility time agreed yet." in page
    assert reverse("reps:time_log") not in page and reverse("reps:allowance_add", args=[maria.pk]) not in page
