"""Facility-time figures (the 2017 Regulations): the worked example, the bands, what counts as an official's time,
inputs that are missing, and the services that start and change a set of figures."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from learningdesk.accounts.models import AuditEvent
from learningdesk.employers import facility_figures
from learningdesk.employers.models import FacilityTimeReturn, ReturnOfficial
from learningdesk.org.models import Employer, Person
from learningdesk.reps.models import FacilityAllowance, FacilityTimeEntry, Rep, Stage
from tests.conftest import World
from tests.factories import EmployerFactory, PersonFactory, WorkplaceFactory
from tests.reps import make_rep

ADVISING = FacilityTimeEntry.Purpose.ADVISING
ACTIVITIES = FacilityTimeEntry.Purpose.UNION_ACTIVITIES
YEAR = 2025
IN_PERIOD = datetime.date(2025, 10, 1)


def person(world: World, first: str, last: str, **fields) -> Person:
    fields.setdefault("workplace", world.town_hall)
    return PersonFactory(first_name=first, last_name=last, branch=world.derby, **fields)


def rep_for(world: World, first: str, last: str, *, workplaces=None, **fields) -> Rep:
    someone = person(world, first, last)
    return make_rep(
        someone, stage=Stage.ACTIVE, workplaces=workplaces if workplaces is not None else [world.town_hall], **fields
    )


def log(
    rep: Rep,
    hours: int | str,
    *,
    on: datetime.date = IN_PERIOD,
    purpose: str = ADVISING,
    employer: Employer | None = None,
    no_employer: bool = False,
) -> None:
    """Log `hours` as entries of at most 24 hours (a rep's day), against the rep's employer unless told otherwise."""
    left = Decimal(hours)
    entries = []
    while left > 0:
        chunk = min(left, Decimal(24))
        entries.append(
            FacilityTimeEntry(
                rep=rep,
                employer=None if no_employer else (employer or rep.workplaces.first().employer),
                on=on,
                hours=chunk,
                purpose=purpose,
            )
        )
        left -= chunk
    FacilityTimeEntry.objects.bulk_create(entries)


def add_official(facility_return: FacilityTimeReturn, rep: Rep, hours_per_week: str, hourly_cost: str | None):
    return ReturnOfficial.objects.create(
        facility_return=facility_return,
        rep=rep,
        hours_per_week=Decimal(hours_per_week),
        hourly_cost=None if hourly_cost is None else Decimal(hourly_cost),
        hours_checked=True,
    )


def council_return(world: World, **fields) -> FacilityTimeReturn:
    fields.setdefault("total_pay_bill", Decimal("10000000"))
    return FacilityTimeReturn.objects.create(employer=world.council, year=YEAR, **fields)


def make_worked_example(world: World) -> FacilityTimeReturn:
    """The worked example of test_the_worked_example_gives_the_hand_checked_figures."""
    facility_return = council_return(world)
    other_employer = EmployerFactory(name="Derbyshire Fire and Rescue", unit=world.derby)
    fire_station = WorkplaceFactory(name="Ascot Drive", employer=other_employer, branch=world.derby)
    a = rep_for(world, "Ann", "Ash")
    b = rep_for(world, "Ben", "Birch", workplaces=[world.town_hall, fire_station])
    c = rep_for(world, "Cat", "Cedar")
    d = rep_for(world, "Dan", "Deal")
    log(a, 60)
    log(a, 4, no_employer=True)  # counts: Ann works only at the council
    log(a, 10, purpose=ACTIVITIES)
    log(a, 8, on=datetime.date(2025, 3, 31))  # the day before the period
    log(a, 8, on=datetime.date(2026, 4, 1))  # the day after it
    log(a, 12, employer=other_employer)  # another employer's time
    log(b, 6, no_employer=True)  # does not count: Ben works at the fire service too
    log(c, 950)
    log(c, 50, purpose=ACTIVITIES)
    log(d, 1824)
    log(d, 100, purpose=ACTIVITIES, on=datetime.date(2026, 3, 31))  # the period's last day
    add_official(facility_return, a, "37", "20")
    add_official(facility_return, b, "18.5", "15")
    add_official(facility_return, c, "37", "25")
    add_official(facility_return, d, "37", "30")
    return facility_return


@pytest.fixture
def worked_example(world) -> FacilityTimeReturn:
    return make_worked_example(world)


# The worked example ------------------------------------------------------------------------------


def test_the_worked_example_gives_the_hand_checked_figures(worked_example):
    """Full time is 37 hours a week and the pay bill £10,000,000; four officials, each for 52 weeks, so a
    full-timer works 37 × 52 = 1,924 hours and Ben (18.5 a week) 18.5 × 52 = 962.

    Ann  37 h, £20 an hour,  74 h (10 on union activities):  74 ÷ 1,924 × 100 = 3.846…%   → 1–50%, cost £1,480
    Ben  18.5 h, £15 an hour, nothing:                       0 ÷ 962 = 0%                → 0%,    cost £0
    Cat  37 h, £25 an hour, 1,000 h (50 on activities):  1,000 ÷ 1,924 × 100 = 51.975…% → 51–99%, cost £25,000
    Dan  37 h, £30 an hour, 1,924 h (100 on activities): 1,924 ÷ 1,924 × 100 = 100%      → 100%,  cost £57,720

    1. 4 officials; FTE 37/37 + 18.5/37 + 37/37 + 37/37 = 1 + 0.5 + 1 + 1 = 3.50.
    2. 0%: 1 (Ben), 1–50%: 1 (Ann), 51–99%: 1 (Cat), 100%: 1 (Dan).
    3. Cost 1,480 + 0 + 25,000 + 57,720 = £84,200.00; 84,200 ÷ 10,000,000 × 100 = 0.842 → 0.84%.
    4. Paid activities 10 + 0 + 50 + 100 = 160 hours of 74 + 0 + 1,000 + 1,924 = 2,998;
       160 ÷ 2,998 × 100 = 5.3369…% → 5.34%.

    Not counted: Ann's 8 hours on 31 March 2025 and 8 on 1 April 2026 (outside the period), her 12 hours for
    the fire service, and Ben's 6 hours logged against no employer (he also works at the fire service).
    Counted: 4 of Ann's 74 hours logged against no employer, as she works only at the council.
    """
    result = facility_figures.figures(worked_example)

    assert result.officials == 4
    assert result.fte == Decimal("3.50")
    assert result.bands == [("0%", 1), ("1–50%", 1), ("51–99%", 1), ("100%", 1)]
    assert result.cost == Decimal("84200.00")
    assert result.cost_percent == Decimal("0.84")
    assert (result.activities_hours, result.facility_hours) == (Decimal("160"), Decimal("2998"))
    assert result.activities_percent == Decimal("5.34")
    rows = {row.name: row for row in result.rows}
    assert [(rows[n].facility_hours, rows[n].percent_shown, rows[n].band) for n in rows] == [
        (Decimal("74"), Decimal("3.85"), "1–50%"),
        (Decimal("0"), Decimal("0.00"), "0%"),
        (Decimal("1000"), Decimal("51.98"), "51–99%"),
        (Decimal("1924"), Decimal("100.00"), "100%"),
    ]
    assert list(rows) == ["Ann Ash", "Ben Birch", "Cat Cedar", "Dan Deal"]
    assert rows["Ben Birch"].working_hours == Decimal("962")
    assert result.is_complete


def test_the_figures_take_two_queries_however_many_officials(worked_example, world, django_assert_num_queries):
    for number in range(10):
        rep = rep_for(world, "Extra", f"Official{number}")
        log(rep, 5)
        add_official(worked_example, rep, "37", "12")
    with django_assert_num_queries(2):
        result = facility_figures.figures(worked_example)
    assert result.officials == 14


# Bands -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        ("0", "0%"),
        ("0.0001", "1–50%"),
        ("0.99", "1–50%"),
        ("50", "1–50%"),
        ("50.0001", "51–99%"),
        ("99.9999", "51–99%"),
        ("100", "100%"),
        ("180", "100%"),
    ],
)
def test_band_boundaries(percent, band):
    assert facility_figures.band_for(Decimal(percent)) == band


@given(st.decimals(min_value=0, max_value=500, places=6, allow_nan=False, allow_infinity=False))
def test_every_share_of_working_hours_falls_in_the_band_its_definition_gives(percent):
    band = facility_figures.band_for(percent)
    expected = "0%" if percent == 0 else "1–50%" if percent <= 50 else "51–99%" if percent < 100 else "100%"
    assert band == expected


hours_strategy = st.decimals(min_value=0, max_value=3000, places=2, allow_nan=False, allow_infinity=False)
official_strategy = st.tuples(
    st.decimals(min_value=Decimal("0.5"), max_value=80, places=2),  # contracted hours a week
    st.decimals(min_value=Decimal("0.1"), max_value=Decimal("52.2"), places=1),  # weeks
    st.one_of(st.none(), st.decimals(min_value=0, max_value=200, places=2)),  # hourly cost
    hours_strategy,  # facility time
)


@given(officials=st.lists(official_strategy, max_size=30), pay_bill=st.one_of(st.none(), hours_strategy))
def test_band_counts_add_up_to_the_officials_and_money_is_never_a_float(officials, pay_bill):
    facility_return = FacilityTimeReturn(year=YEAR, full_time_hours=Decimal("37"), total_pay_bill=pay_bill)
    listed, hours = [], {}
    for person_id, (hours_per_week, weeks, hourly_cost, facility_hours) in enumerate(officials, start=1):
        listed.append(
            ReturnOfficial(
                rep=Rep(person=Person(pk=person_id, first_name="Official", last_name=str(person_id))),
                hours_per_week=hours_per_week,
                weeks=weeks,
                hourly_cost=hourly_cost,
            )
        )
        hours[person_id] = (facility_hours, facility_hours / 2)

    result = facility_figures.tally(facility_return, listed, hours)

    assert sum(count for _band, count in result.bands) == result.officials == len(officials)
    for row in result.rows:
        assert row.band == facility_figures.band_for(row.facility_hours * 100 / row.working_hours)
    for value in (result.fte, result.cost, result.cost_percent, result.activities_percent):
        assert value is None or isinstance(value, Decimal)
    if result.cost is None:
        assert result.cost_percent is None and result.cost_missing
    if not pay_bill:
        assert result.cost_percent is None and result.cost_percent_missing


# Inputs that are missing ------------------------------------------------------------------------


def test_without_a_pay_bill_the_percentage_is_left_out_with_the_reason(world, worked_example):
    worked_example.total_pay_bill = None
    worked_example.save()
    result = facility_figures.figures(worked_example)
    assert result.cost == Decimal("84200.00")
    assert result.cost_percent is None
    assert result.cost_percent_missing == "No total pay bill entered."
    assert not result.is_complete


def test_an_official_with_facility_time_but_no_hourly_cost_is_named_and_no_cost_is_given(world, worked_example):
    ReturnOfficial.objects.filter(rep__person__last_name="Cedar").update(hourly_cost=None)
    ReturnOfficial.objects.filter(rep__person__last_name="Birch").update(hourly_cost=None)  # no time: costs £0
    result = facility_figures.figures(worked_example)
    assert result.cost is None and result.cost_percent is None
    assert result.cost_missing == "No hourly cost for Cat Cedar, who spent time on facility time."
    assert [row.name for row in result.without_cost] == ["Cat Cedar"]


def test_without_any_facility_time_the_activities_percentage_says_why(world):
    facility_return = council_return(world)
    add_official(facility_return, rep_for(world, "Ann", "Ash"), "37", "20")
    result = facility_figures.figures(facility_return)
    assert result.activities_percent is None
    assert result.activities_missing == "No facility time logged by these officials in the period."
    assert result.cost_percent == Decimal("0.00")


def test_an_employee_with_two_learning_roles_is_one_official_with_the_time_of_both(world):
    facility_return = council_return(world)
    ulr = rep_for(world, "Ann", "Ash")
    champion = make_rep(ulr.person, kind="digital_champion", stage=Stage.ACTIVE, workplaces=[world.town_hall])
    log(ulr, 10)
    log(champion, 5)
    add_official(facility_return, ulr, "37", "20")
    [row] = facility_figures.figures(facility_return).rows
    assert row.facility_hours == Decimal("15")


# Starting the figures ----------------------------------------------------------------------------


def test_starting_the_figures_fills_in_the_reps_who_were_officials_at_the_employer(world):
    # Ann has no workplace or agreed time on the register: the time she logged for the council makes her one.
    logged = rep_for(world, "Ann", "Ash", workplaces=[], on=datetime.date(2024, 1, 10))
    log(logged, 3, employer=world.council)
    at_workplace = rep_for(world, "Ben", "Birch", on=datetime.date(2024, 1, 10))
    elsewhere_employer = EmployerFactory(name="Derbyshire Fire and Rescue", unit=world.derby)
    with_allowance = rep_for(world, "Cat", "Cedar", workplaces=[], on=datetime.date(2024, 1, 10))
    FacilityAllowance.objects.create(rep=with_allowance, employer=world.council, hours=Decimal("2"))
    started_late = rep_for(world, "Dan", "Deal", on=datetime.date(2025, 10, 1))
    # Not officials of the council in the period:
    make_rep(person(world, "Pat", "Prospect"), stage=Stage.PROSPECT, workplaces=[world.town_hall])
    rep_for(world, "Lee", "Later", on=datetime.date(2026, 5, 1))  # only from after the period
    fire = WorkplaceFactory(name="Ascot Drive", employer=elsewhere_employer, branch=world.derby)
    rep_for(world, "Fay", "Fire", workplaces=[fire], on=datetime.date(2024, 1, 10))
    notts = make_rep(world.notts_person, stage=Stage.ACTIVE, workplaces=[world.hospital])
    log(notts, 4, employer=world.council)  # logged for the council, but a rep Derby cannot see

    facility_return = facility_figures.return_create(acting_user=world.coordinator, employer=world.council, year=YEAR)

    officials = {o.rep: o for o in facility_return.officials.select_related("rep")}
    assert set(officials) == {logged, at_workplace, with_allowance, started_late}
    assert all(o.hours_per_week == Decimal("37") and not o.hours_checked for o in officials.values())
    assert officials[at_workplace].weeks == Decimal("52.0")
    # In post from 1 October 2025 to 31 March 2026: 182 days, 26 weeks.
    assert officials[started_late].weeks == Decimal("26.0")
    event = AuditEvent.objects.get(target_type="facilitytimereturn", target_id=facility_return.pk)
    assert event.action == AuditEvent.Action.CREATED
    assert event.unit == world.derby
    assert sorted(event.changes["officials"]) == sorted(rep.pk for rep in officials)


def test_last_years_hours_and_costs_are_copied_but_still_to_be_checked(world):
    ann = rep_for(world, "Ann", "Ash", on=datetime.date(2024, 1, 10))
    last_year = FacilityTimeReturn.objects.create(employer=world.council, year=YEAR - 1)
    add_official(last_year, ann, "22.5", "18.40")

    facility_return = facility_figures.return_create(acting_user=world.coordinator, employer=world.council, year=YEAR)

    official = facility_return.officials.get()
    assert (official.hours_per_week, official.hourly_cost, official.hours_checked) == (
        Decimal("22.50"),
        Decimal("18.40"),
        False,
    )


def test_an_employer_has_one_set_of_figures_a_year(world):
    council_return(world)
    with pytest.raises(ValidationError) as error:
        facility_figures.return_create(acting_user=world.coordinator, employer=world.council, year=YEAR)
    assert "already has figures for 2025 to 2026" in str(error.value)
    assert FacilityTimeReturn.objects.count() == 1


@pytest.mark.parametrize(
    ("today", "complete", "in_progress"),
    [
        (datetime.date(2026, 3, 31), 2024, 2025),
        (datetime.date(2026, 4, 1), 2025, 2026),
        (datetime.date(2026, 12, 31), 2025, 2026),
    ],
)
def test_the_last_complete_year_turns_over_on_1_april(today, complete, in_progress):
    assert facility_figures.last_complete_year(today) == complete
    assert facility_figures.year_in_progress(today) == in_progress
    assert facility_figures.year_choices(today)[0] == (
        in_progress,
        f"{in_progress} to {in_progress + 1} (still in progress)",
    )
    assert facility_figures.year_choices(today)[-1][0] == 2017


# Changing the officials -------------------------------------------------------------------------


def test_saving_the_officials_marks_them_checked_removes_and_adds_in_one_audited_change(world):
    facility_return = council_return(world)
    ann = add_official(facility_return, rep_for(world, "Ann", "Ash"), "37", None)
    ben = add_official(facility_return, rep_for(world, "Ben", "Birch"), "37", None)
    ReturnOfficial.objects.filter(pk=ann.pk).update(hours_checked=False)
    ann.refresh_from_db()
    ann.hours_per_week = Decimal("30")
    cat = ReturnOfficial(rep=rep_for(world, "Cat", "Cedar"), hours_per_week=Decimal("20"))

    facility_figures.officials_save(
        acting_user=world.coordinator, facility_return=facility_return, changed=[ann], removed=[ben], added=cat
    )

    saved = {o.rep.person.last_name: o for o in facility_return.officials.select_related("rep__person")}
    assert set(saved) == {"Ash", "Cedar"}
    assert saved["Ash"].hours_per_week == Decimal("30") and saved["Ash"].hours_checked
    assert saved["Cedar"].hours_checked
    event = AuditEvent.objects.filter(target_type="facilitytimereturn", target_id=facility_return.pk).get()
    assert event.changes == {
        "officials_saved": [ann.rep_id],
        "officials_removed": [ben.rep_id],
        "official_added": cat.rep_id,
    }


def test_the_same_employee_cannot_be_added_twice_through_another_role(world):
    facility_return = council_return(world)
    ulr = rep_for(world, "Ann", "Ash")
    add_official(facility_return, ulr, "37", "20")
    champion = make_rep(ulr.person, kind="digital_champion", stage=Stage.ACTIVE, workplaces=[world.town_hall])
    with pytest.raises(ValidationError) as error:
        facility_figures.officials_save(
            acting_user=world.coordinator,
            facility_return=facility_return,
            changed=[],
            removed=[],
            added=ReturnOfficial(rep=champion, hours_per_week=Decimal("37")),
        )
    assert "Ann Ash is already in these figures" in str(error.value)
    assert facility_return.officials.count() == 1
    assert not AuditEvent.objects.filter(target_type="facilitytimereturn").exists()
