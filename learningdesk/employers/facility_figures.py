"""Facility-time publication figures, worked out from the branch's own records to check what an employer publishes.

The Trade Union (Facility Time Publication Requirements) Regulations 2017, Schedule 2: for each relevant period
(1 April to 31 March) a public-sector employer publishes
1. how many employees were relevant union officials, and their full-time equivalent;
2. how many of them spent 0%, 1–50%, 51–99% and 100% of their working hours on facility time;
3. the cost of facility time as a percentage of the total pay bill;
4. hours on paid trade union activities as a percentage of total paid facility time hours.

The pay inputs are the user's (the pay bill, each official's contracted hours and hourly cost); the hours come
from the facility time reps logged (`reps.FacilityTimeEntry`), added up in the database. Everything logged counts
as paid facility time. Arithmetic is in Decimal throughout: a figure that cannot be worked out is None, with the
reason, never a wrong number.
"""

from __future__ import annotations

import csv
import datetime
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import dateformat, timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.core.pdf import render_pdf
from learningdesk.core.spreadsheets import safe_cell
from learningdesk.employers.models import FacilityTimeReturn, ReturnOfficial
from learningdesk.org import scoping
from learningdesk.org.models import Employer, Workplace
from learningdesk.reps.models import FacilityAllowance, FacilityTimeEntry, Rep

# The Regulations apply to relevant periods from 1 April 2017.
FIRST_YEAR = 2017
HUNDRED = Decimal(100)
PENNY = Decimal("0.01")
ZERO = Decimal(0)
FULL_YEAR_WEEKS = Decimal("52.0")
# The bands of Schedule 2, paragraph 2, in the order the Regulations list them.
BANDS = ("0%", "1–50%", "51–99%", "100%")
# Rows of officials the one-page PDF has room for, less a few when it also carries the employer's own figures or
# warnings; the CSV always has every official.
PDF_ROWS = 18
PDF_ROWS_PUBLISHED = 6


def two_places(value: Decimal) -> Decimal:
    """To 2 decimal places, halves rounded up (0.845 -> 0.85)."""
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def band_for(percent: Decimal) -> str:
    """The band of an official's share of working hours spent on facility time (the exact share, not a rounded
    one): none at all is 0%, above 0 up to 50 is 1–50%, above 50 and below 100 is 51–99%, 100 or more is 100%."""
    if percent <= ZERO:
        return BANDS[0]
    if percent <= 50:
        return BANDS[1]
    if percent < HUNDRED:
        return BANDS[2]
    return BANDS[3]


# Relevant periods ---------------------------------------------------------------------------------


def year_in_progress(today: datetime.date) -> int:
    """The year (its April) of the relevant period `today` falls in."""
    return today.year if today.month >= 4 else today.year - 1


def last_complete_year(today: datetime.date) -> int:
    """The year of the latest relevant period that has ended: the one employers publish figures for."""
    return year_in_progress(today) - 1


def period_name(year: int) -> str:
    return f"1 April {year} to 31 March {year + 1}"


def short_period(year: int) -> str:
    """2025 to 2026: how the figures are usually titled."""
    return f"{year} to {year + 1}"


def year_choices(today: datetime.date) -> list[tuple[int, str]]:
    """Relevant periods to choose from, newest first: the one in progress, then every complete one since 2017."""
    current = year_in_progress(today)
    return [
        (year, f"{short_period(year)}{' (still in progress)' if year == current else ''}")
        for year in range(current, FIRST_YEAR - 1, -1)
    ]


# Reads ------------------------------------------------------------------------------------------


def returns_for(user: User, employer: Employer) -> QuerySet[FacilityTimeReturn]:
    """The employer's facility-time figures the user may see, newest year first."""
    return scoping.visible_facility_returns(user).filter(employer=employer).order_by("-year", "-pk")


def employers_without_figures(user: User, year: int) -> QuerySet[Employer]:
    """Public-sector employers the user works with that have no figures yet for the year."""
    made = FacilityTimeReturn.objects.filter(employer=OuterRef("pk"), year=year)
    return scoping.workable_employers(user).filter(is_public_sector=True).exclude(Exists(made)).order_by("name", "pk")


def counted_entries(employer: Employer, year: int) -> QuerySet[FacilityTimeEntry]:
    """The facility time that counts for an employer's period: entries logged against the employer, and entries
    logged against no employer by a rep whose workplaces are all at this employer."""
    here = Workplace.objects.filter(reps=OuterRef("rep_id"), employer=employer)
    elsewhere = Workplace.objects.filter(reps=OuterRef("rep_id")).exclude(employer=employer)
    return FacilityTimeEntry.objects.filter(
        Q(employer=employer) | (Q(employer__isnull=True) & Exists(here) & ~Exists(elsewhere)),
        on__gte=datetime.date(year, 4, 1),
        on__lte=datetime.date(year + 1, 3, 31),
    )


def _in_post(starts_on: datetime.date, ends_on: datetime.date) -> Q:
    """Reps who were reps (past the prospect stages) at some time in the period."""
    started = Q(notified_on__lte=ends_on) | Q(trained_on__lte=ends_on) | Q(active_on__lte=ends_on)
    return started & (Q(stood_down_on__isnull=True) | Q(stood_down_on__gte=starts_on))


def official_candidates(user: User, employer: Employer, year: int) -> QuerySet[Rep]:
    """Reps the user may see who were officials at the employer in the period: they logged time for it, or
    were in post with agreed time there or at one of its workplaces."""
    starts_on, ends_on = datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)
    logged = FacilityTimeEntry.objects.filter(rep=OuterRef("pk"), employer=employer, on__gte=starts_on, on__lte=ends_on)
    allowance = FacilityAllowance.objects.filter(rep=OuterRef("pk"), employer=employer)
    works_here = Workplace.objects.filter(reps=OuterRef("pk"), employer=employer)
    return scoping.visible_reps(user).filter(
        Q(Exists(logged)) | ((Q(Exists(allowance)) | Q(Exists(works_here))) & _in_post(starts_on, ends_on))
    )


def reps_to_add(user: User, facility_return: FacilityTimeReturn) -> QuerySet[Rep]:
    """Reps the user may see whose person is not yet an official in the figures (one row per employee)."""
    listed = ReturnOfficial.objects.filter(facility_return=facility_return).values("rep__person_id")
    return (
        scoping.visible_reps(user)
        .exclude(person_id__in=listed)
        .select_related("person__branch", "kind")
        .order_by("person__last_name", "person__first_name", "kind__order", "pk")
    )


def officials_of(facility_return: FacilityTimeReturn) -> QuerySet[ReturnOfficial]:
    return facility_return.officials.select_related("rep__person__branch", "rep__kind").order_by(
        "rep__person__last_name", "rep__person__first_name", "pk"
    )


# The figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficialFigures:
    """One relevant union official's row."""

    official: ReturnOfficial
    fte: Decimal
    working_hours: Decimal
    facility_hours: Decimal
    activities_hours: Decimal
    percent: Decimal  # of working hours, exact; shown to 2 places
    band: str
    cost: Decimal | None  # None when they have facility time but no hourly cost
    name_withheld: bool = False

    @property
    def name(self) -> str:
        if self.name_withheld:
            return "A rep in another branch"
        return self.official.rep.person.full_name

    @property
    def percent_shown(self) -> Decimal:
        return two_places(self.percent)

    @property
    def over_working_hours(self) -> bool:
        """More facility time logged than their working hours: the contracted hours or weeks are likely wrong."""
        return self.facility_hours > self.working_hours

    @property
    def lacks_cost(self) -> bool:
        return self.cost is None


@dataclass(frozen=True)
class Figures:
    """The four figures of Schedule 2 for one return, and each official's row."""

    facility_return: FacilityTimeReturn
    rows: list[OfficialFigures]
    fte: Decimal
    bands: list[tuple[str, int]]
    facility_hours: Decimal
    activities_hours: Decimal
    cost: Decimal | None
    cost_percent: Decimal | None
    activities_percent: Decimal | None

    @property
    def officials(self) -> int:
        return len(self.rows)

    @property
    def pay_bill(self) -> Decimal | None:
        return self.facility_return.total_pay_bill

    @property
    def without_cost(self) -> list[OfficialFigures]:
        return [row for row in self.rows if row.lacks_cost]

    @property
    def unchecked(self) -> list[OfficialFigures]:
        return [row for row in self.rows if not row.official.hours_checked]

    @property
    def over_working_hours(self) -> list[OfficialFigures]:
        return [row for row in self.rows if row.over_working_hours]

    @property
    def cost_missing(self) -> str:
        """Why the cost cannot be worked out ("" when it can)."""
        if self.without_cost:
            names = ", ".join(row.name for row in self.without_cost)
            return f"No hourly cost for {names}, who spent time on facility time."
        return ""

    @property
    def cost_percent_missing(self) -> str:
        """Why the cost as a percentage of the pay bill cannot be worked out ("" when it can)."""
        if self.cost_missing:
            return self.cost_missing
        if self.pay_bill is None:
            return "No total pay bill entered."
        if self.pay_bill == ZERO:
            return "The total pay bill is £0."
        return ""

    @property
    def activities_missing(self) -> str:
        if not self.rows:
            return "No officials in these figures."
        if self.facility_hours == ZERO:
            return "No facility time logged by these officials in the period."
        return ""

    @property
    def is_complete(self) -> bool:
        """Every figure worked out, from inputs someone has checked."""
        return bool(self.rows) and self.cost_percent is not None and not self.unchecked


def figures(facility_return: FacilityTimeReturn, *, viewer: User | None = None) -> Figures:
    """The Schedule 2 figures of a return (two queries: its officials, and their hours grouped by person).

    With `viewer`, officials who are not reps the viewer may see are counted but not named.
    """
    officials = list(officials_of(facility_return))
    hours: dict[int, tuple[Decimal, Decimal]] = {}
    if officials:
        grouped = (
            counted_entries(facility_return.employer, facility_return.year)
            .filter(rep__person_id__in={official.rep.person_id for official in officials})
            .values("rep__person_id")
            .annotate(
                logged=Sum("hours"),
                activities=Sum("hours", filter=Q(purpose=FacilityTimeEntry.Purpose.UNION_ACTIVITIES)),
            )
            .order_by()
        )
        # By person: an employee holding two learning roles is one official, with the time of both.
        hours = {row["rep__person_id"]: (row["logged"] or ZERO, row["activities"] or ZERO) for row in grouped}
    withheld: set[int] = set()
    if viewer is not None and officials:
        rep_ids = [official.rep_id for official in officials]
        seen = set(scoping.visible_reps(viewer).filter(pk__in=rep_ids).values_list("pk", flat=True))
        withheld = set(rep_ids) - seen
    return tally(facility_return, officials, hours, withheld=withheld)


def official_figures(
    official: ReturnOfficial, *, full_time_hours: Decimal, facility_hours: Decimal, activities_hours: Decimal
) -> OfficialFigures:
    """One official's row, from their inputs and the hours they logged."""
    working_hours = official.hours_per_week * official.weeks
    percent = facility_hours * HUNDRED / working_hours
    if official.hourly_cost is not None:
        cost: Decimal | None = two_places(official.hourly_cost * facility_hours)
    else:
        # No facility time costs nothing, whatever they are paid; otherwise the cost is not known.
        cost = ZERO if facility_hours == ZERO else None
    return OfficialFigures(
        official=official,
        fte=two_places(official.hours_per_week / full_time_hours),
        working_hours=working_hours,
        facility_hours=facility_hours,
        activities_hours=activities_hours,
        percent=percent,
        band=band_for(percent),
        cost=cost,
    )


def tally(
    facility_return: FacilityTimeReturn,
    officials: list[ReturnOfficial],
    hours: dict[int, tuple[Decimal, Decimal]],
    *,
    withheld: Collection[int] = (),
) -> Figures:
    """The figures from the officials and their (facility, union activities) hours by person id: no queries."""
    rows = []
    for official in officials:
        facility_hours, activities_hours = hours.get(official.rep.person_id, (ZERO, ZERO))
        row = official_figures(
            official,
            full_time_hours=facility_return.full_time_hours,
            facility_hours=facility_hours,
            activities_hours=activities_hours,
        )
        rows.append(replace(row, name_withheld=official.rep_id in withheld))
    facility_total = sum((row.facility_hours for row in rows), ZERO)
    activities_total = sum((row.activities_hours for row in rows), ZERO)
    costs = [row.cost for row in rows]
    cost_total = None if None in costs else sum((cost for cost in costs if cost is not None), ZERO)
    pay_bill = facility_return.total_pay_bill
    return Figures(
        facility_return=facility_return,
        rows=rows,
        # The column of each official's FTE adds up to the total shown.
        fte=sum((row.fte for row in rows), ZERO),
        bands=[(band, sum(1 for row in rows if row.band == band)) for band in BANDS],
        facility_hours=facility_total,
        activities_hours=activities_total,
        cost=cost_total,
        cost_percent=two_places(cost_total * HUNDRED / pay_bill) if cost_total is not None and pay_bill else None,
        activities_percent=two_places(activities_total * HUNDRED / facility_total) if facility_total else None,
    )


def missing_officials(user: User, facility_return: FacilityTimeReturn) -> list[Rep]:
    """Reps the user may see who logged time for the employer in the period but are not in the figures."""
    listed = facility_return.officials.values("rep__person_id")
    logged = counted_entries(facility_return.employer, facility_return.year).filter(rep=OuterRef("pk"))
    return list(
        scoping.visible_reps(user)
        .filter(Exists(logged))
        .exclude(person_id__in=listed)
        .order_by("person__last_name", "person__first_name", "pk")[:20]
    )


# Services ---------------------------------------------------------------------------------------


def _weeks_in_post(rep: Rep, year: int) -> Decimal:
    """Weeks of the period the rep was in post, from the dates on the register (the whole year when not known)."""
    starts_on, ends_on = datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)
    began = min((day for day in (rep.notified_on, rep.trained_on, rep.active_on) if day), default=None)
    first = max(starts_on, began) if began else starts_on
    last = min(ends_on, rep.stood_down_on) if rep.stood_down_on else ends_on
    if last < first:
        return FULL_YEAR_WEEKS
    weeks = (Decimal((last - first).days + 1) / 7).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return min(max(weeks, Decimal("0.1")), FULL_YEAR_WEEKS)


def _prefilled_officials(acting_user: User, facility_return: FacilityTimeReturn) -> list[ReturnOfficial]:
    """One official per person among the candidates, their inputs copied from last year's figures if the
    employer has them, else full-time hours (unchecked) and the weeks they were in post."""
    employer, year = facility_return.employer, facility_return.year
    candidates = official_candidates(acting_user, employer, year).order_by("person_id", "kind__order", "pk")
    last_year = {
        official.rep.person_id: official
        for official in ReturnOfficial.objects.filter(
            facility_return__employer=employer, facility_return__year=year - 1
        ).select_related("rep")
    }
    officials: dict[int, ReturnOfficial] = {}
    for rep in candidates:
        if rep.person_id in officials:
            continue
        before = last_year.get(rep.person_id)
        officials[rep.person_id] = ReturnOfficial(
            facility_return=facility_return,
            rep=rep,
            hours_per_week=before.hours_per_week if before else facility_return.full_time_hours,
            weeks=_weeks_in_post(rep, year),
            hourly_cost=before.hourly_cost if before else None,
            hours_checked=False,
        )
    return list(officials.values())


def already_made_error(employer: Employer, year: int) -> ValidationError:
    return ValidationError(
        {
            "year": f"{employer.name} already has figures for {short_period(year)}. "
            "Open them to change them, or choose another period."
        }
    )


@transaction.atomic
def return_create(
    *,
    acting_user: User,
    employer: Employer,
    year: int,
    full_time_hours: Decimal = Decimal("37"),
    total_pay_bill: Decimal | None = None,
) -> FacilityTimeReturn:
    """Start an employer's figures for a year, with its officials filled in from the register (see
    `_prefilled_officials`): one set of figures per employer and year."""
    if FacilityTimeReturn.objects.filter(employer=employer, year=year).exists():
        raise already_made_error(employer, year)
    facility_return = FacilityTimeReturn(
        employer=employer,
        year=year,
        full_time_hours=full_time_hours,
        total_pay_bill=total_pay_bill,
        created_by=acting_user,
    )
    facility_return.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            facility_return.save()
    except IntegrityError:  # someone else started the same figures a moment ago
        raise already_made_error(employer, year) from None
    officials = _prefilled_officials(acting_user, facility_return)
    ReturnOfficial.objects.bulk_create(officials)
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CREATED,
        target=facility_return,
        unit_id=employer.unit_id,
        changes={
            "fields": ["employer", "year", "full_time_hours", "total_pay_bill"],
            "officials": [official.rep_id for official in officials],
        },
    )
    return facility_return


@transaction.atomic
def return_update(*, acting_user: User, facility_return: FacilityTimeReturn, fields: list[str]) -> FacilityTimeReturn:
    """Save the changed inputs of a return (pay bill, full-time hours, the employer's own figures)."""
    if not fields:
        return facility_return
    facility_return.full_clean(validate_constraints=False)
    facility_return.save(update_fields=fields)
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CHANGED,
        target=facility_return,
        unit_id=facility_return.employer.unit_id,
        changes={"fields": sorted(fields)},
    )
    return facility_return


@transaction.atomic
def officials_save(
    *,
    acting_user: User,
    facility_return: FacilityTimeReturn,
    changed: Iterable[ReturnOfficial],
    removed: Iterable[ReturnOfficial],
    added: ReturnOfficial | None = None,
) -> None:
    """Save the officials' inputs as the user checked them, remove some and add one, in one audited change.

    Every saved row counts as checked: the user has seen its contracted hours.
    """
    changed, removed = list(changed), list(removed)
    for official in changed:
        official.hours_checked = True
        official.full_clean(validate_constraints=False)
        official.save()
    if removed:
        ReturnOfficial.objects.filter(facility_return=facility_return, pk__in=[o.pk for o in removed]).delete()
    if added is not None:
        if facility_return.officials.filter(rep__person_id=added.rep.person_id).exists():
            raise ValidationError({"rep": f"{added.rep.person.full_name} is already in these figures."})
        added.facility_return = facility_return
        added.hours_checked = True
        added.full_clean(validate_constraints=False)
        added.save()
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CHANGED,
        target=facility_return,
        unit_id=facility_return.employer.unit_id,
        changes={
            "officials_saved": sorted(official.rep_id for official in changed),
            "officials_removed": sorted(official.rep_id for official in removed),
            **({"official_added": added.rep_id} if added is not None else {}),
        },
    )


# The figures as files ---------------------------------------------------------------------------


def file_stem(facility_return: FacilityTimeReturn) -> str:
    """facility-time-Derby-City-Council-2025-to-2026"""
    plain = unicodedata.normalize("NFKD", facility_return.employer.name).encode("ascii", "ignore").decode()
    words = "-".join(re.findall(r"[A-Za-z0-9]+", plain))[:60].strip("-") or "employer"
    return f"facility-time-{words}-{facility_return.year}-to-{facility_return.year + 1}"


def audit_export(*, user: User, facility_return: FacilityTimeReturn, file_format: str) -> None:
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORTED,
        target=facility_return,
        unit_id=facility_return.employer.unit_id,
        changes={"format": file_format},
    )


def _shown(value: Decimal | None, reason: str = "") -> str:
    if value is None:
        return f"— ({reason})" if reason else "—"
    return f"{value:f}"


def csv_rows(result: Figures) -> Iterator[list[object]]:
    """The figures in the order of Schedule 2, then each official; every cell through `safe_cell`."""
    facility_return = result.facility_return
    rows: list[list[object]] = [
        ["Facility time figures", facility_return.employer.name],
        ["Relevant period", period_name(facility_return.year)],
        ["Worked out from", "The branch's own records of facility time, on Learning Desk"],
        ["Produced on", dateformat.format(timezone.localdate(), "j F Y")],
        [],
        ["1. Relevant union officials"],
        ["Number of employees who were relevant union officials during the relevant period", result.officials],
        ["Full-time equivalent employee number", _shown(result.fte)],
        [],
        ["2. Percentage of time spent on facility time", "Number of employees"],
        *([band, count] for band, count in result.bands),
        [],
        ["3. Percentage of pay bill spent on facility time"],
        ["Total cost of facility time (£)", _shown(result.cost, result.cost_missing)],
        ["Total pay bill (£)", _shown(result.pay_bill, "not entered")],
        [
            "Percentage of the total pay bill spent on facility time: "
            "(total cost of facility time ÷ total pay bill) × 100",
            _shown(result.cost_percent, result.cost_percent_missing),
        ],
        [],
        ["4. Paid trade union activities"],
        [
            "Time spent on paid trade union activities as a percentage of total paid facility time hours: "
            "(hours on paid trade union activities ÷ total paid facility time hours) × 100",
            _shown(result.activities_percent, result.activities_missing),
        ],
        ["Hours on paid trade union activities", _shown(result.activities_hours)],
        ["Total paid facility time hours", _shown(result.facility_hours)],
        [],
        [
            "Official",
            "Contracted hours a week",
            "Weeks as an official",
            "Full-time equivalent",
            "Working hours",
            "Facility time hours",
            "Of which paid trade union activities",
            "Percentage of working hours",
            "Band",
            "Hourly cost (£)",
            "Cost of facility time (£)",
        ],
    ]
    for row in result.rows:
        official = row.official
        rows.append(
            [
                row.name,
                f"{official.hours_per_week:f}",
                f"{official.weeks:f}",
                f"{row.fte:f}",
                f"{row.working_hours:f}",
                f"{row.facility_hours:f}",
                f"{row.activities_hours:f}",
                f"{row.percent_shown:f}",
                row.band,
                "" if official.hourly_cost is None else f"{official.hourly_cost:f}",
                "" if row.cost is None else f"{row.cost:f}",
            ]
        )
    for cells in rows:
        yield [safe_cell(cell) for cell in cells]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(result: Figures) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for number, cells in enumerate(csv_rows(result)):
        line = writer.writerow(cells)
        # The byte order mark makes Excel read the file as UTF-8 (the en dashes of the bands, names with accents).
        yield "\ufeff" + line if number == 0 else line


def pdf_warnings(result: Figures) -> list[str]:
    warnings = []
    if result.unchecked:
        count = len(result.unchecked)
        warnings.append(f"The contracted hours of {count} official{'s' if count != 1 else ''} have not been checked.")
    if result.cost_percent_missing:
        warnings.append(result.cost_percent_missing)
    if result.over_working_hours:
        count = len(result.over_working_hours)
        warnings.append(f"{count} official{'s' if count != 1 else ''} logged more facility time than working hours.")
    return warnings


def pdf_context(result: Figures) -> dict[str, Any]:
    warnings = pdf_warnings(result)
    room = PDF_ROWS - (PDF_ROWS_PUBLISHED if result.facility_return.employer_figures else 0)
    room -= len(warnings) + 1 if warnings else 0
    return {
        "figures": result,
        "facility_return": result.facility_return,
        "warnings": warnings,
        "rows": result.rows[:room],
        "rows_left_out": max(0, len(result.rows) - room),
        "printed_on": timezone.localdate(),
    }


def figures_pdf(result: Figures) -> bytes:
    """The figures on one A4 page, to hand to the committee or send to the employer."""
    return render_pdf("employers/pdf/facility_figures.html", pdf_context(result))
