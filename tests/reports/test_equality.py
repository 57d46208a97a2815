"""Equality of participation: the figures (who is counted, shares, suppression, under-represented groups), who
may see them, the page, its audit trail and its export."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import override_settings
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.learning.models import SignUp
from learningdesk.org.models import EqualityRecord, OrgUnit, Person, Role
from learningdesk.reports import equality
from learningdesk.reports.equality import Population, participation
from learningdesk.reps.models import Stage
from learningdesk.surveys.models import Response, Survey
from tests.conftest import World, client_for
from tests.factories import PersonFactory, UserFactory, give_role
from tests.learning import make_activity, make_session
from tests.reports import aware, learner_sign_up, rep_record

YEAR = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
IN_YEAR = datetime.date(2026, 5, 12)


def person(branch: OrgUnit, *, status: str = Person.Status.MEMBER, **answers: str) -> Person:
    """A person of the branch; with equality answers, they gave equality information."""
    numbered = {} if status == Person.Status.MEMBER else {"membership_number": None}
    someone = PersonFactory(branch=branch, status=status, **numbered)
    if answers:
        EqualityRecord.objects.create(person=someone, consent_method="in_person", **answers)
    return someone


def people(branch: OrgUnit, count: int, **answers: str) -> list[Person]:
    return [person(branch, **answers) for _ in range(count)]


def attended(unit: OrgUnit, learners: list[Person], *, on: datetime.date = IN_YEAR, status: str = "attended") -> None:
    session = make_session(make_activity(unit, title=f"Course on {on}"), starts=aware(on), capacity=500)
    for learner in learners:
        learner_sign_up(session, learner, status=status)


def responded(unit: OrgUnit, respondents: list[Person | None], *, anonymous: bool = False, on=IN_YEAR) -> None:
    survey = Survey.objects.create(unit=unit, title="Learning survey", is_anonymous=anonymous, status="open")
    for respondent in respondents:
        Response.objects.create(survey=survey, person=respondent, unit=unit, is_complete=True, submitted_on=on)


def row(result: equality.Participation, field: str, value: str) -> equality.GroupRow:
    characteristic = next(c for c in result.characteristics if c.field == field)
    return next(r for r in characteristic.rows if r.value == value)


def counts(group_row: equality.GroupRow) -> dict[str, int | None]:
    return {population: cell.count for population, cell in zip(Population.values, group_row.cells, strict=True)}


def derby_figures(world: World, threshold: int = 3) -> equality.Participation:
    return participation(world.derby, starts_on=YEAR[0], ends_on=YEAR[1], threshold=threshold)


# Who is counted -----------------------------------------------------------------------------------------


def test_members_are_the_subtrees_members_who_gave_equality_information(world):
    people(world.derby, 6, gender="woman")
    people(world.derby, 4, gender="man")
    person(world.derby)  # no equality information
    person(world.derby, status=Person.Status.NON_MEMBER, gender="woman")  # not a member
    people(world.notts, 5, gender="woman")  # another branch
    result = derby_figures(world)
    assert counts(row(result, "gender", "woman"))["members"] == 6
    assert counts(row(result, "gender", "man"))["members"] == 4
    assert result.answered["members"].count == 10
    # The three world people of Derby, the one without information and the ten who gave it.
    assert result.everyone["members"] == 2 + 1 + 10
    assert row(result, "gender", "woman").cells[0].share == 60.0


def test_learners_are_people_who_attended_a_session_of_the_units_activities_in_the_period(world):
    came = people(world.derby, 4, gender="woman")
    attended(world.derby, came)
    attended(world.derby, people(world.derby, 3, gender="man"), status=SignUp.Status.WAITLISTED)
    attended(world.derby, people(world.derby, 3, gender="man"), on=datetime.date(2025, 12, 31))
    attended(world.notts, people(world.notts, 3, gender="man"))
    attended(world.derby, came[:2], on=datetime.date(2026, 9, 1))  # twice: counted once
    result = derby_figures(world)
    assert counts(row(result, "gender", "woman"))["learners"] == 4
    assert counts(row(result, "gender", "man"))["learners"] == 0
    assert result.everyone["learners"] == 4


def test_a_non_member_learner_counts_as_a_learner_not_a_member(world):
    learners = [person(world.derby, status=Person.Status.NON_MEMBER, disability="yes") for _ in range(3)]
    attended(world.derby, learners)
    result = derby_figures(world)
    assert counts(row(result, "disability", "yes")) == {"members": 0, "learners": 3, "reps": 0, "respondents": 0}


def test_reps_are_people_holding_a_learning_role_now(world):
    for stage in (Stage.ACTIVE, Stage.TRAINED, Stage.NOTIFIED):
        rep_record(person(world.derby, ethnicity="asian"), stage=stage)
    rep_record(person(world.derby, ethnicity="asian"), stage=Stage.PROSPECT)
    rep_record(person(world.derby, ethnicity="asian"), stage=Stage.STOOD_DOWN)
    two_roles = person(world.derby, ethnicity="white")
    rep_record(two_roles, stage=Stage.ACTIVE)
    rep_record(two_roles, kind="learner_champion", stage=Stage.ACTIVE)
    for someone in people(world.derby, 2, ethnicity="white"):
        rep_record(someone, stage=Stage.ACTIVE)
    result = derby_figures(world)
    assert counts(row(result, "ethnicity", "asian"))["reps"] == 3
    assert counts(row(result, "ethnicity", "white"))["reps"] == 3
    assert result.everyone["reps"] == 6


def test_respondents_are_identified_and_anonymous_responses_are_only_counted_aside(world):
    responded(world.derby, people(world.derby, 3, age_band="under_25"))
    responded(world.derby, [None, None], anonymous=True)
    responded(world.derby, people(world.derby, 3, age_band="under_25"), on=datetime.date(2025, 6, 1))
    result = derby_figures(world)
    assert counts(row(result, "age_band", "under_25"))["respondents"] == 3
    assert result.anonymous_responses == 2


def test_a_region_counts_its_branches_together(world):
    people(world.derby, 3, sexual_orientation="bisexual")
    people(world.notts, 4, sexual_orientation="bisexual")
    people(world.manchester, 5, sexual_orientation="bisexual")
    result = participation(world.region, starts_on=YEAR[0], ends_on=YEAR[1], threshold=3)
    assert counts(row(result, "sexual_orientation", "bisexual"))["members"] == 7


def test_blank_answers_are_counted_as_not_answered(world):
    people(world.derby, 5, gender="woman")
    people(world.derby, 4, gender="man", ethnicity="white")
    result = derby_figures(world)
    assert counts(row(result, "ethnicity", ""))["members"] == 5
    assert row(result, "ethnicity", "").label == "Not answered"


def test_the_figures_take_a_few_queries_however_many_people(world, django_assert_max_num_queries):
    people(world.derby, 30, gender="woman")
    attended(world.derby, people(world.derby, 20, gender="man"))
    with django_assert_max_num_queries(5):
        derby_figures(world)


# Suppression and under-representation -----------------------------------------------------------------


def test_small_counts_are_shown_as_fewer_than_the_threshold_with_no_share(world):
    people(world.derby, 40, gender="woman")
    people(world.derby, 30, gender="man")
    people(world.derby, 2, gender="non_binary")
    result = derby_figures(world, threshold=10)
    non_binary = row(result, "gender", "non_binary").cells[0]
    assert non_binary.count is None and non_binary.share is None
    assert non_binary.text == "fewer than 10"
    # One small count alone would come out of the total: the next smallest is hidden with it.
    man = row(result, "gender", "man").cells[0]
    assert man.count is None and man.text == "hidden"
    assert row(result, "gender", "woman").cells[0].text == "40"
    assert result.answered["members"].text == "72"


def test_a_small_total_is_shown_as_fewer_than_the_threshold(world):
    people(world.derby, 4, gender="woman")
    result = derby_figures(world, threshold=10)
    assert result.answered["members"].text == "fewer than 10"
    assert row(result, "gender", "woman").cells[0].share is None


def test_a_group_well_below_its_share_of_members_is_under_represented_in_words(world):
    women = people(world.derby, 50, gender="woman")
    men = people(world.derby, 50, gender="man")
    attended(world.derby, women[:10] + men[:30])
    result = derby_figures(world, threshold=3)
    women_row = row(result, "gender", "woman")
    assert women_row.notes == ("Under-represented among learners: 25.0% of learners, against 50.0% of members.",)
    assert row(result, "gender", "man").notes == ()
    assert result.under_represented == (f"Gender, Woman: {women_row.notes[0]}",)


def test_a_hidden_small_count_can_still_show_a_group_is_under_represented(world):
    people(world.derby, 40, disability="yes")
    people(world.derby, 60, disability="no")
    attended(world.derby, people(world.derby, 1, disability="yes") + people(world.derby, 99, disability="no"))
    result = derby_figures(world, threshold=10)
    assert row(result, "disability", "yes").notes == (
        "Under-represented among learners: fewer than 10 of 100 learners, against 20.5% of members.",
    )


def test_prefer_not_to_say_and_not_answered_are_never_flagged(world):
    people(world.derby, 20, gender="prefer_not_to_say")
    people(world.derby, 20)
    attended(world.derby, people(world.derby, 20, gender="woman"))
    result = derby_figures(world)
    assert row(result, "gender", "prefer_not_to_say").notes == ()
    assert row(result, "gender", "").notes == ()


def test_the_figures_keep_as_plain_data_for_the_committee_report(world):
    people(world.derby, 12, gender="woman")
    data = derby_figures(world).as_data()
    assert data["starts_on"] == "2026-01-01"
    gender = next(c for c in data["characteristics"] if c["field"] == "gender")
    assert gender["rows"][0]["cells"][0]["text"] == "12"


# Who may see them ---------------------------------------------------------------------------------------


def test_only_equality_roles_over_the_unit_may_see_its_equality_figures(world):
    assert equality.may_see_equality(world.equality, world.derby)
    assert not equality.may_see_equality(world.equality, world.notts)
    assert not equality.may_see_equality(world.equality, world.region)
    assert equality.may_see_equality(world.admin, world.notts)
    for user in (world.coordinator, world.regional, world.officer, world.ulr, world.outsider):
        assert not equality.may_see_equality(user, world.derby)


# The page -----------------------------------------------------------------------------------------------

URL = reverse("reports:equality")


@override_settings(EQUALITY_SUPPRESSION_THRESHOLD=3)
def test_the_equality_officer_sees_derbys_table_and_the_viewing_is_logged(world):
    people(world.derby, 5, gender="woman")
    people(world.derby, 4, gender="man")
    response = client_for(world.equality).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Equality of participation" in page
    assert "Derby City" in page
    assert "Non-binary" in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEWED_EQUALITY)
    assert event.actor == world.equality
    assert event.unit_id == world.derby.pk
    assert event.changes["report"] == "equality participation"


@pytest.mark.parametrize("who", ["coordinator", "regional", "officer", "ulr", "outsider"])
def test_everyone_else_gets_404(world, who):
    response = client_for(getattr(world, who)).get(URL, {"unit": world.derby.pk})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_EQUALITY).exists()


def test_anonymous_users_are_sent_to_sign_in(world, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_unit_outside_the_equality_role_answers_404(world):
    assert client_for(world.equality).get(URL, {"unit": world.notts.pk}).status_code == 404
    assert client_for(world.equality).get(URL, {"unit": world.region.pk}).status_code == 404


def test_a_national_administrator_may_choose_any_unit(world):
    people(world.notts, 3, gender="woman")
    response = client_for(world.admin).get(URL, {"unit": world.notts.pk, "period": "this_year"})
    assert response.status_code == 200
    assert "Nottingham Health" in response.content.decode()


def test_an_equality_officer_of_the_region_sees_each_branch_only_in_total(world):
    officer = UserFactory()
    give_role(officer, Role.EQUALITY_OFFICER, world.region)
    people(world.derby, 12, gender="woman")
    page = client_for(officer).get(URL, {"unit": world.derby.pk}).content.decode()
    assert "Alberts" not in page and "Patel" not in page


def test_wrong_dates_get_a_message_by_the_field_and_no_figures(world):
    response = client_for(world.equality).get(
        URL, {"unit": world.derby.pk, "period": "dates", "starts_on": "2026-06-01", "ends_on": "2026-01-01"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The last day must be on or after the first day" in page
    assert 'id="id_ends_on-error"' in page
    assert "Who the figures are about" not in page
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_EQUALITY).exists()


def test_the_page_takes_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    people(world.derby, 25, gender="woman", age_band="25_34")
    client = client_for(world.equality)
    client.get(URL)
    people(world.derby, 25, gender="man", age_band="35_44")
    with django_assert_max_num_queries(14):
        assert client.get(URL).status_code == 200


@override_settings(EQUALITY_SUPPRESSION_THRESHOLD=10)
def test_the_export_holds_the_suppressed_table_only_and_is_logged(world):
    people(world.derby, 40, gender="woman")
    people(world.derby, 30, gender="man")
    people(world.derby, 2, gender="non_binary")
    response = client_for(world.equality).get(URL, {"unit": world.derby.pk, "format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    non_binary = next(r for r in rows if r["Characteristic"] == "Gender" and r["Group"] == "Non-binary")
    assert non_binary["Members: number"] == "fewer than 10"
    assert non_binary["Members: share (%)"] == ""
    woman = next(r for r in rows if r["Characteristic"] == "Gender" and r["Group"] == "Woman")
    assert woman["Members: number"] == "40"
    assert "Alberts" not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.target_type == "equality participation"
    assert event.unit_id == world.derby.pk


def test_someone_else_cannot_export_it(world):
    response = client_for(world.coordinator).get(URL, {"unit": world.derby.pk, "format": "csv"})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


@override_settings(EQUALITY_SUPPRESSION_THRESHOLD=10)
def test_the_export_opens_in_excel_with_the_same_hidden_counts(world):
    from openpyxl import load_workbook

    people(world.derby, 40, gender="woman")
    people(world.derby, 3, gender="man")
    response = client_for(world.equality).get(URL, {"unit": world.derby.pk, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = {(row[0], row[1]): row for row in sheet.iter_rows(values_only=True)}
    assert rows[("Gender", "Man")][2] == "fewer than 10"
    assert rows[("Gender", "Woman")][2] == "hidden"
