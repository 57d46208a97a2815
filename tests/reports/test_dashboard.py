"""The home page's dashboard: each role sees its own scope's figures against its targets, the trends as charts
with their figures, surveys closing soon among what needs attention; counted by a task, read in one query."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from learningdesk.learning.models import Session
from learningdesk.org.models import OrgUnit
from learningdesk.reports import dashboard
from learningdesk.reports.models import DashboardSnapshot, Measure, Target
from learningdesk.surveys.models import Survey
from tests.conftest import World, client_for
from tests.factories import PersonFactory
from tests.learning import make_activity, make_session
from tests.reports import aware, learner_sign_up
from tests.reps import derby_rep
from tests.surveys import make_survey


def today() -> datetime.date:
    return timezone.localdate()


def learners(unit: OrgUnit, count: int, *, workplace=None) -> Session:
    """`count` people of the unit who attended a session of its activity this morning."""
    session = make_session(make_activity(unit, title=f"Maths at {unit.name}"), starts=aware(today(), 0, 30))
    for _ in range(count):
        learner_sign_up(session, PersonFactory(branch=unit, workplace=workplace))
    return session


def counted(world: World) -> None:
    """Every unit's dashboard counted now, as the task does."""
    dashboard.refresh_dashboards.call([unit.pk for unit in OrgUnit.objects.all()])


def home_board(user, unit: OrgUnit | None = None) -> dashboard.UnitDashboard:
    response = client_for(user).get(reverse("home"))
    boards = response.context["dashboards"].units
    return next(board for board in boards if unit is None or board.unit == unit)


def headline(board: dashboard.UnitDashboard, measure: str) -> int:
    return next(item.value for item in board.headlines if item.measure == measure)


# Each role's scope ------------------------------------------------------------------------------------------


def test_the_derby_coordinator_sees_derbys_figures_and_not_nottinghams(world):
    learners(world.derby, 2, workplace=world.town_hall)
    learners(world.notts, 5)
    counted(world)
    board = home_board(world.coordinator)
    assert board.unit == world.derby
    assert headline(board, Measure.LEARNERS) == 2
    assert headline(board, Measure.SIGN_UPS) == 2
    nottingham = home_board(world.outsider)
    assert (nottingham.unit, headline(nottingham, Measure.LEARNERS)) == (world.notts, 5)


def test_a_region_and_the_nation_see_their_whole_subtree(world):
    learners(world.derby, 2)
    learners(world.notts, 5)
    learners(world.manchester, 1)
    counted(world)
    assert headline(home_board(world.regional), Measure.LEARNERS) == 7
    assert headline(home_board(world.admin), Measure.LEARNERS) == 8


def test_a_branch_officer_sees_the_branch_dashboard_read_only(world):
    learners(world.derby, 3)
    counted(world)
    board = home_board(world.officer)
    assert (board.unit, headline(board, Measure.LEARNERS)) == (world.derby, 3)


def test_a_ulr_keeps_their_own_home_page_without_a_dashboard(world):
    learners(world.derby, 3)
    counted(world)
    response = client_for(world.ulr).get(reverse("home"))
    assert response.context["dashboards"] is None
    assert "this year so far" not in response.content.decode()


def test_the_page_shows_the_figures_with_words_and_the_trend_charts_with_their_tables(world):
    learners(world.derby, 4)
    counted(world)
    page = client_for(world.coordinator).get(reverse("home")).content.decode()
    assert "Derby City: this year so far" in page
    assert "learners engaged" in page
    assert page.count('role="img"') == 2  # learning and reps by month
    assert "<title" in page and "<desc" in page
    assert page.count("Show the figures as a table") == 2
    this_month = today().strftime("%B %Y")
    assert this_month in page  # the month's row in the table beside the chart
    assert "Learning by month" in page and "Reps by month" in page


def test_regional_and_national_users_get_a_link_to_compare_their_units(world):
    counted(world)
    compare = reverse("reports:compare")
    assert f"{compare}?unit={world.region.pk}" in client_for(world.regional).get(reverse("home")).content.decode()
    assert f"{compare}?unit={world.national.pk}" in client_for(world.admin).get(reverse("home")).content.decode()
    assert compare not in client_for(world.coordinator).get(reverse("home")).content.decode()


# Against targets --------------------------------------------------------------------------------------------


def test_headline_figures_show_this_years_target_and_its_status_in_words(world):
    learners(world.derby, 2)
    year = today().year
    Target.objects.create(
        unit=world.derby,
        measure=Measure.LEARNERS,
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
        value=10_000,
    )
    counted(world)
    board = home_board(world.coordinator)
    learners_headline = next(item for item in board.headlines if item.measure == Measure.LEARNERS)
    assert learners_headline.progress is not None
    assert learners_headline.progress.actual == 2
    page = client_for(world.coordinator).get(reverse("home")).content.decode()
    assert "of 10,000" in page
    assert learners_headline.progress.rag_label in page
    assert "Targets running today" in page  # part A's table of progress


def test_a_target_not_running_today_is_not_shown(world):
    Target.objects.create(
        unit=world.derby,
        measure=Measure.LEARNERS,
        starts_on=today() + datetime.timedelta(days=10),
        ends_on=today() + datetime.timedelta(days=100),
        value=50,
    )
    counted(world)
    assert home_board(world.coordinator).progress == []


def test_without_targets_the_page_says_how_to_set_them(world):
    counted(world)
    page = client_for(world.coordinator).get(reverse("home")).content.decode()
    assert "Set targets for Derby City" in page


# Counted by a task ------------------------------------------------------------------------------------------


def test_the_first_visit_asks_for_a_count_and_the_next_shows_it(world, django_capture_on_commit_callbacks):
    learners(world.derby, 2)
    client = client_for(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(reverse("home"))
    assert response.context["dashboards"].counting == [world.derby]
    assert "The figures for Derby City are being counted" in response.content.decode()
    assert len(callbacks) == 1
    assert DashboardSnapshot.objects.get(unit=world.derby).data["figures"][Measure.LEARNERS] == 2
    board = home_board(world.coordinator)
    assert headline(board, Measure.LEARNERS) == 2
    assert not board.recounting


def test_an_old_count_is_shown_while_a_fresh_one_is_asked_for_once(world, django_capture_on_commit_callbacks):
    learners(world.derby, 2)
    counted(world)
    DashboardSnapshot.objects.update(counted_at=timezone.now() - datetime.timedelta(minutes=10))
    learners(world.derby, 1)
    client = client_for(world.coordinator)
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.get(reverse("home"))
        client.get(reverse("home"))
    board = first.context["dashboards"].units[0]
    assert (headline(board, Measure.LEARNERS), board.recounting) == (2, True)
    assert "being counted again" in first.content.decode()
    assert len(callbacks) == 1  # the second visit a moment later does not queue another count
    callbacks[0]()
    assert headline(home_board(world.coordinator), Measure.LEARNERS) == 3


def test_a_target_changed_since_the_count_asks_for_a_fresh_one(world, django_capture_on_commit_callbacks):
    counted(world)
    Target.objects.create(
        unit=world.derby,
        measure=Measure.SIGN_UPS,
        starts_on=datetime.date(today().year, 1, 1),
        ends_on=datetime.date(today().year, 12, 31),
        value=100,
        updated_at=timezone.now() + datetime.timedelta(seconds=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.coordinator).get(reverse("home"))
    assert response.context["dashboards"].units[0].recounting
    assert [p.target.measure for p in home_board(world.coordinator).progress] == [Measure.SIGN_UPS]


def test_yesterdays_count_is_counted_again(world):
    counted(world)
    snapshot = DashboardSnapshot.objects.get(unit=world.derby)
    snapshot.data["counted_on"] = (today() - datetime.timedelta(days=1)).isoformat()
    snapshot.save()
    assert home_board(world.coordinator).recounting


def test_asking_again_waits_for_the_last_ask_to_be_done(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        dashboard.ask_for_count([world.derby, world.notts])
        dashboard.ask_for_count([world.derby])
    assert len(callbacks) == 1
    callbacks[0]()  # counted: the next ask goes through
    assert cache.get(dashboard.ASKED_KEY.format(pk=world.derby.pk)) is None
    assert set(DashboardSnapshot.objects.values_list("unit", flat=True)) == {world.derby.pk, world.notts.pk}


def test_the_counts_are_the_measures_own(world):
    learners(world.derby, 2)
    derby_rep(world)
    snapshot = dashboard.refresh(world.derby, today=today())
    data = snapshot.data
    assert set(data["figures"]) == set(dashboard.HEADLINE)
    assert set(data["trends"]) == set(dashboard.LEARNING_TRENDS + dashboard.REP_TRENDS)
    months = data["trends"][Measure.LEARNERS]
    assert len(months) == dashboard.TREND_MONTHS
    assert months[-1] == [today().replace(day=1).isoformat(), 2]


@pytest.mark.parametrize(
    ("day", "first"),
    [
        (datetime.date(2026, 11, 26), datetime.date(2025, 12, 1)),
        (datetime.date(2026, 12, 31), datetime.date(2026, 1, 1)),
        (datetime.date(2027, 1, 1), datetime.date(2026, 2, 1)),
    ],
)
def test_the_trends_cover_twelve_months_with_this_one(day, first):
    assert dashboard.trend_start(day) == first


# Query counts -----------------------------------------------------------------------------------------------


def test_the_dashboard_is_read_in_one_query_however_many_targets(world, django_assert_max_num_queries):
    derby_rep(world)
    year = today().year
    for measure in (Measure.LEARNERS, Measure.SIGN_UPS, Measure.COMPLETIONS, Measure.REPS_TRAINED):
        Target.objects.create(
            unit=world.derby,
            measure=measure,
            starts_on=datetime.date(year, 1, 1),
            ends_on=datetime.date(year, 12, 31),
            value=10,
        )
    learners(world.derby, 3)
    counted(world)
    client = client_for(world.coordinator)
    # The home page's 24 (tests/org/test_org_views.py), the dashboard and surveys closing included.
    with django_assert_max_num_queries(24):
        response = client.get(reverse("home"))
    assert len(response.context["dashboards"].units[0].progress) == 4


def test_the_national_home_page_stays_a_few_queries(world, django_assert_max_num_queries):
    for code in range(6):
        learners(world.notts, 1)
        make_survey(world.derby, title=f"Survey {code}", closes_on=today() + datetime.timedelta(days=2))
    counted(world)
    client = client_for(world.admin)
    with django_assert_max_num_queries(28):
        response = client.get(reverse("home"))
    assert headline(response.context["dashboards"].units[0], Measure.LEARNERS) == 6


# Needs your attention: surveys closing ------------------------------------------------------------------------


def attention_texts(user) -> list[str]:
    """What needs the user's attention, once the dashboards (which find the surveys closing) are counted."""
    dashboard.refresh_dashboards.call([unit.pk for unit in OrgUnit.objects.all()])
    return [item["text"] for item in client_for(user).get(reverse("home")).context["attention"]]


def test_surveys_closing_in_the_next_week_need_attention(world):
    make_survey(world.derby, title="Skills audit", closes_on=today() + datetime.timedelta(days=3))
    make_survey(world.derby, title="Tomorrow's", closes_on=today() + datetime.timedelta(days=1))
    make_survey(world.derby, title="Today's", closes_on=today())
    make_survey(world.derby, title="Next month's", closes_on=today() + datetime.timedelta(days=30))
    make_survey(world.derby, title="Closed already", status=Survey.Status.CLOSED, closes_on=today())
    make_survey(world.derby, title="Not open yet", status=Survey.Status.DRAFT, closes_on=today())
    texts = [text for text in attention_texts(world.coordinator) if text.startswith("The survey")]
    assert [text.split("” ")[0] for text in texts] == [
        "The survey “Today's",
        "The survey “Tomorrow's",
        "The survey “Skills audit",
    ]
    assert texts[0].startswith("The survey “Today's” closes today (")
    assert texts[1].startswith("The survey “Tomorrow's” closes tomorrow (")
    assert texts[2].startswith("The survey “Skills audit” closes in 3 days (")


def test_a_survey_closing_links_to_it(world):
    survey = make_survey(world.derby, title="Skills audit", closes_on=today() + datetime.timedelta(days=3))
    counted(world)
    items = client_for(world.coordinator).get(reverse("home")).context["attention"]
    assert {"url": reverse("surveys:detail", args=[survey.pk]), "text": items[-1]["text"]} in items


def test_many_surveys_closing_are_cut_short_with_a_link_to_the_rest(world):
    for number in range(5):
        make_survey(world.derby, title=f"Survey {number}", closes_on=today() + datetime.timedelta(days=2))
    texts = attention_texts(world.coordinator)
    assert len([text for text in texts if text.startswith("The survey")]) == dashboard.CLOSING_SHOWN
    assert "More surveys close in the next 7 days" in texts


def test_another_branchs_survey_closing_is_not_shown(world):
    make_survey(world.notts, title="Nottingham audit", closes_on=today() + datetime.timedelta(days=2))
    assert not any("Nottingham audit" in text for text in attention_texts(world.coordinator))
    assert any("Nottingham audit" in text for text in attention_texts(world.outsider))


def test_a_national_survey_closing_is_shown_to_the_branches_that_run_it(world):
    make_survey(world.national, title="National skills audit", closes_on=today() + datetime.timedelta(days=6))
    assert any("National skills audit" in text for text in attention_texts(world.coordinator))


def test_a_ulr_is_not_told_about_surveys_closing(world):
    make_survey(world.derby, title="Skills audit", closes_on=today() + datetime.timedelta(days=3))
    assert not any("Skills audit" in text for text in attention_texts(world.ulr))


def test_a_survey_closed_since_the_count_is_not_listed_the_next_day(world):
    make_survey(world.derby, title="Skills audit", closes_on=today())
    counted(world)
    boards = client_for(world.coordinator).get(reverse("home")).context["dashboards"]
    tomorrow = today() + datetime.timedelta(days=1)
    assert dashboard.surveys_closing(boards, today=today())
    assert dashboard.surveys_closing(boards, today=tomorrow) == []


def test_nothing_to_do_mentions_surveys_closing(world):
    page = client_for(world.coordinator).get(reverse("home")).content.decode()
    assert "surveys closing soon" in page


def test_people_outside_a_role_get_no_dashboard(world, db):
    from tests.factories import UserFactory

    response = client_for(UserFactory()).get(reverse("home"))
    assert response.context["dashboards"] is None
