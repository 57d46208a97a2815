"""The committee report: what a unit's learning network did in a period, gathered into one snapshot.

The snapshot is a plain JSON-serialisable dict. A draft's is gathered afresh each time it is shown, so the
co-ordinator sees the figures as they will appear; issuing freezes it into `CommitteeReport.data` and renders
the PDF and the Word file from it, so an issued report opens again exactly as it was sent, whatever happens to
the records afterwards. The page, the PDF and the DOCX all draw on the snapshot alone.

Aggregates only: counts from grouped queries, never a loop over records. The only people named are reps
thanked in the period (the register already names them on union pages); activities, employers and surveys are
named, members never.

The other parts of issue 11 supply the figures: `measures` (every count of the network's measures), `targets`
(progress and red/amber/green), `equality`, `recruitment` and `budget`; this module only gathers them.
committee_sections.py lays a snapshot out (for the page, the PDF and committee_docx.py's Word file), and
committee_services.py starts, changes, issues and deletes reports.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, is_dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.employers.models import CommitteeMeeting, LearningAgreement, NegotiationCase, TimeOffRequest
from learningdesk.learning.models import Session, SignUp
from learningdesk.org import scoping
from learningdesk.org.models import Employer, OrgUnit, Workplace
from learningdesk.reports import budget, equality, measures, recruitment, targets
from learningdesk.reports.models import CommitteeReport, Measure
from learningdesk.reps.models import Recognition, SupportContact
from learningdesk.surveys import findings as survey_findings_module
from learningdesk.surveys.models import Survey

SNAPSHOT_VERSION = 1
# The figures of the period, in the order the report lists them.
HEADLINE_MEASURES: tuple[str, ...] = tuple(Measure.values)
# The trends drawn month by month: learning taken up, and reps trained.
TREND_MEASURES: tuple[str, ...] = (Measure.LEARNERS, Measure.SIGN_UPS, Measure.COMPLETIONS, Measure.REPS_TRAINED)
TREND_MONTHS = 12
# What is coming up: the three months after the period (or after today, for a period already past).
COMING_UP_MONTHS = 3
# Lists are kept short enough to read at a committee table; the rest are counted ("and 12 more").
ACTIVITIES_LISTED = 25
THANKED_LISTED = 40
EMPLOYER_ROWS_LISTED = 20
SURVEYS_LISTED = 8
# The measures compared unit by unit in a steering group's progress report.
COMPARED_MEASURES: tuple[str, ...] = (
    Measure.LEARNERS,
    Measure.SIGN_UPS,
    Measure.COMPLETIONS,
    Measure.QUALIFICATIONS,
    Measure.REPS_TRAINED,
    Measure.ACTIVE_REPS,
    Measure.AGREEMENTS_SIGNED,
)
# The longest period a report may cover: longer ones are a different question (and a slow one).
LONGEST_PERIOD_DAYS = 3 * 366
RAG_ORDER = {"red": 0, "amber": 1, "green": 2, "met": 3}


# Periods -----------------------------------------------------------------------------------------


def last_quarter(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last complete calendar quarter before `today` (January to March, April to June, ...)."""
    this_quarter = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    starts = this_quarter - relativedelta(months=3)
    return starts, this_quarter - datetime.timedelta(days=1)


def default_period(unit: OrgUnit, *, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Since the unit's last report, up to today; without one (or when it ran up to today), the last quarter."""
    last_end = CommitteeReport.objects.filter(unit=unit).aggregate(last=Max("ends_on"))["last"]
    if last_end is not None and last_end < today:
        return last_end + datetime.timedelta(days=1), today
    return last_quarter(today)


def period_label(starts_on: datetime.date, ends_on: datetime.date) -> str:
    """ "July to September 2026" for whole months, else "3 July to 26 November 2026"; years shown where needed."""
    whole_months = starts_on.day == 1 and (ends_on + datetime.timedelta(days=1)).day == 1
    if whole_months:
        if (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month):
            return f"{ends_on:%B %Y}"
        first = f"{starts_on:%B}" if starts_on.year == ends_on.year else f"{starts_on:%B %Y}"
        return f"{first} to {ends_on:%B %Y}"
    first = (
        f"{starts_on.day} {starts_on:%B}" if starts_on.year == ends_on.year else f"{starts_on.day} {starts_on:%B %Y}"
    )
    return f"{first} to {ends_on.day} {ends_on:%B %Y}"


def default_title(kind: str, starts_on: datetime.date, ends_on: datetime.date) -> str:
    if kind == CommitteeReport.Kind.STEERING:
        return f"Progress report to the steering group, {period_label(starts_on, ends_on)}"
    return f"Learning report to the committee, {period_label(starts_on, ends_on)}"


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _iso(day: datetime.date | datetime.datetime | None) -> str | None:
    if day is None:
        return None
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date()
    return day.isoformat()


def plain(value: Any) -> Any:
    """A value of another part's result as JSON: dataclasses as dicts, dates as ISO text, money as text."""
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return _iso(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


# Gathering ---------------------------------------------------------------------------------------


def _subtree(unit: OrgUnit) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(path__startswith=unit.path).values("pk")  # type: ignore[return-value]


def _in(field: str, unit: OrgUnit) -> Q:
    """Records whose `field` (a unit) lies in the unit's subtree. The whole organisation needs no filter: at a
    million members, joining every record to its person's branch only to keep them all costs seconds (as in
    `scoping._units_in`)."""
    if unit.is_root():
        return Q()
    return Q(**{f"{field}__in": _subtree(unit)})


def headline_figures(unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date) -> list[dict[str, Any]]:
    """Each measure's value for the unit's subtree over the period, with what it counts."""
    values = measures.measure_values([unit], HEADLINE_MEASURES, starts_on=starts_on, ends_on=ends_on).get(unit.pk, {})
    labels = dict(Measure.choices)
    return [
        {
            "measure": code,
            "label": str(labels[code]),
            "help": measures.MEASURE_HELP.get(code, ""),
            "value": int(values.get(code, 0)),
        }
        for code in HEADLINE_MEASURES
    ]


def _progress_row(progress: Any) -> dict[str, Any]:
    target = progress.target
    return {
        "measure": target.measure,
        "label": str(Measure(target.measure).label),
        "starts_on": _iso(target.starts_on),
        "ends_on": _iso(target.ends_on),
        "target": int(target.value),
        "actual": int(progress.actual),
        "expected": int(progress.expected),
        "percent": int(progress.percent),
        "rag": str(progress.rag),
        "rag_label": str(progress.rag_label),
        "from_below": str(progress.from_below),
    }


def target_progress(unit: OrgUnit, *, on: datetime.date) -> list[dict[str, Any]]:
    """The unit's targets running on `on`, with the actual so far, what was expected by then and the status."""
    return [_progress_row(progress) for progress in targets.progress_for(unit, on=on)]


def trend_window(starts_on: datetime.date, ends_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve months up to the period's last month (or the whole period, if longer), from a month's start."""
    earliest = ends_on.replace(day=1) - relativedelta(months=TREND_MONTHS - 1)
    return min(starts_on.replace(day=1), earliest), ends_on


def monthly_trends(unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date) -> dict[str, Any]:
    """Learners, sign-ups, completions and reps trained, month by month."""
    first, last = trend_window(starts_on, ends_on)
    series = measures.monthly_values(unit, TREND_MEASURES, starts_on=first, ends_on=last)
    months = [_iso(month) for month, _value in series.get(TREND_MEASURES[0], [])]
    return {
        "starts_on": _iso(first),
        "ends_on": _iso(last),
        "months": months,
        "series": [
            {
                "measure": code,
                "label": str(Measure(code).label),
                "values": [int(value) for _month, value in series.get(code, [])],
            }
            for code in TREND_MEASURES
        ],
    }


def _sessions_between(unit: OrgUnit, first: datetime.date, last: datetime.date) -> QuerySet[Session]:
    return Session.objects.filter(
        _in("activity__unit", unit),
        starts_at__gte=_day_start(first),
        starts_at__lt=_day_start(last + datetime.timedelta(days=1)),
        is_cancelled=False,
    )


def activities_held(unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date) -> dict[str, Any]:
    """Activities with a session in the period: the best attended first, each with its sessions and learners."""
    sessions = _sessions_between(unit, starts_on, ends_on)
    attended = Count(
        "sign_ups__person", filter=Q(sign_ups__status=SignUp.Status.ATTENDED), distinct=True
    )  # learners: people who came
    rows = (
        sessions.values(
            "activity_id", "activity__title", "activity__type__name", "activity__subject__name", "activity__unit__name"
        )
        .annotate(sessions=Count("id", distinct=True), learners=attended, first=Min("starts_at"), last=Max("starts_at"))
        .order_by("-learners", "first", "activity_id")
    )
    listed = list(rows[:ACTIVITIES_LISTED])
    total = len(listed) if len(listed) < ACTIVITIES_LISTED else sessions.values("activity_id").distinct().count()
    return {
        "count": total,
        "sessions": sessions.count(),
        "rows": [
            {
                "title": row["activity__title"],
                "type": row["activity__type__name"] or "",
                "subject": row["activity__subject__name"] or "",
                "unit": row["activity__unit__name"],
                "sessions": row["sessions"],
                "learners": row["learners"],
                "first_on": _iso(row["first"]),
                "last_on": _iso(row["last"]),
            }
            for row in listed
        ],
    }


def coming_up_window(ends_on: datetime.date, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = max(ends_on, today) + datetime.timedelta(days=1)
    return first, first + relativedelta(months=COMING_UP_MONTHS) - datetime.timedelta(days=1)


def activities_coming_up(unit: OrgUnit, *, ends_on: datetime.date, today: datetime.date) -> dict[str, Any]:
    """Published activities with a session in the three months after the period, soonest first."""
    first, last = coming_up_window(ends_on, today)
    sessions = _sessions_between(unit, first, last).filter(activity__status="published")
    rows = (
        sessions.values("activity_id", "activity__title", "activity__type__name", "activity__unit__name")
        .annotate(sessions=Count("id"), next=Min("starts_at"), places=Sum(F("capacity") - F("taken")))
        .order_by("next", "activity_id")
    )
    listed = list(rows[:ACTIVITIES_LISTED])
    total = len(listed) if len(listed) < ACTIVITIES_LISTED else sessions.values("activity_id").distinct().count()
    return {
        "starts_on": _iso(first),
        "ends_on": _iso(last),
        "count": total,
        "rows": [
            {
                "title": row["activity__title"],
                "type": row["activity__type__name"] or "",
                "unit": row["activity__unit__name"],
                "sessions": row["sessions"],
                "next_on": _iso(row["next"]),
                "places_left": max(0, int(row["places"] or 0)),
            }
            for row in listed
        ],
    }


def reps_thanked(unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date) -> dict[str, Any]:
    """Reps recognised in the period: support contacts tagged Appreciation and recognitions (told the branch,
    nominated for an award...), per rep, the most thanked first. Reps are named: the register names them."""
    in_period = _in("rep__person__branch", unit) & Q(on__gte=starts_on, on__lte=ends_on)
    person = ("rep_id", "rep__person__first_name", "rep__person__last_name", "rep__kind__name")
    thanks = SupportContact.objects.filter(in_period, appreciation=True).values(*person).annotate(n=Count("id"))
    recognitions = Recognition.objects.filter(in_period).values(*person, "kind").annotate(n=Count("id"))
    kinds = dict(Recognition.Kind.choices)
    reps: dict[int, dict[str, Any]] = {}

    def rep_row(row: dict[str, Any]) -> dict[str, Any]:
        return reps.setdefault(
            row["rep_id"],
            {
                "name": f"{row['rep__person__first_name']} {row['rep__person__last_name']}".strip(),
                "kind": row["rep__kind__name"],
                "thanked": 0,
                "recognised": [],
            },
        )

    for row in thanks:
        rep_row(row)["thanked"] += row["n"]
    for row in recognitions.order_by("kind"):
        rep_row(row)["recognised"].append(str(kinds.get(row["kind"], row["kind"])))
    ordered = sorted(reps.values(), key=lambda rep: (-(rep["thanked"] + len(rep["recognised"])), rep["name"]))
    return {"count": len(ordered), "rows": ordered[:THANKED_LISTED]}


def _unit_employers(unit: OrgUnit) -> QuerySet[Employer]:
    """Employers the unit works with: looked after in its subtree, or with a workplace organised there."""
    if unit.is_root():
        return Employer.objects.all()
    has_workplace = Exists(Workplace.objects.filter(employer=OuterRef("pk"), branch__in=_subtree(unit)))
    return Employer.objects.filter(Q(unit__in=_subtree(unit)) | Q(has_workplace))


def employer_work(
    unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date, today: datetime.date
) -> dict[str, Any]:
    """Learning agreements signed and due for review, learning committee meetings, time off asked for and the
    negotiation cases refusals opened and closed."""
    agreements = LearningAgreement.objects.filter(
        Exists(
            LearningAgreement.units.through.objects.filter(learningagreement=OuterRef("pk"), orgunit__in=_subtree(unit))
        )
    )
    signed = agreements.filter(signed_on__gte=starts_on, signed_on__lte=ends_on).order_by("signed_on", "pk")
    review_by = max(ends_on, today) + relativedelta(months=COMING_UP_MONTHS)
    reviews = agreements.filter(status=LearningAgreement.Status.SIGNED, review_on__lte=review_by).order_by(
        "review_on", "pk"
    )
    meetings = CommitteeMeeting.objects.filter(
        held_on__gte=starts_on, held_on__lte=ends_on, committee__employer__in=_unit_employers(unit).values("pk")
    ).order_by("held_on", "pk")
    requests = TimeOffRequest.objects.filter(
        _in("person__branch", unit), requested_on__gte=starts_on, requested_on__lte=ends_on
    )
    decisions = dict(requests.values_list("decision").annotate(n=Count("id")))
    hours = requests.aggregate(asked=Sum("hours"), approved=Sum("hours_approved"))
    cases = NegotiationCase.objects.filter(_in("request__person__branch", unit))
    opened = cases.filter(opened_on__gte=starts_on, opened_on__lte=ends_on).count()
    closed = cases.filter(status=NegotiationCase.Status.CLOSED, closed_on__gte=starts_on, closed_on__lte=ends_on)
    outcomes = dict(closed.values_list("outcome").annotate(n=Count("id")))
    outcome_labels = dict(NegotiationCase.Outcome.choices)
    return {
        "signed": {
            "count": signed.count(),
            "rows": [
                {"employer": row["employer__name"], "title": row["title"], "signed_on": _iso(row["signed_on"])}
                for row in signed.values("employer__name", "title", "signed_on")[:EMPLOYER_ROWS_LISTED]
            ],
        },
        "reviews": {
            "by": _iso(review_by),
            "count": reviews.count(),
            "rows": [
                {
                    "employer": row["employer__name"],
                    "title": row["title"],
                    "review_on": _iso(row["review_on"]),
                    "overdue": bool(row["review_on"] and row["review_on"] < today),
                }
                for row in reviews.values("employer__name", "title", "review_on")[:EMPLOYER_ROWS_LISTED]
            ],
        },
        "meetings": {
            "count": meetings.count(),
            "rows": [
                {
                    "employer": row["committee__employer__name"],
                    "committee": row["committee__name"],
                    "held_on": _iso(row["held_on"]),
                }
                for row in meetings.values("committee__employer__name", "committee__name", "held_on")[
                    :EMPLOYER_ROWS_LISTED
                ]
            ],
        },
        "time_off": {
            "requested": sum(decisions.values()),
            "approved": decisions.get(TimeOffRequest.Decision.APPROVED, 0),
            "partly": decisions.get(TimeOffRequest.Decision.PARTLY, 0),
            "refused": decisions.get(TimeOffRequest.Decision.REFUSED, 0),
            "pending": decisions.get(TimeOffRequest.Decision.PENDING, 0),
            "hours_asked": str(hours["asked"] or 0),
            "hours_approved": str(hours["approved"] or 0),
        },
        "cases": {
            "opened": opened,
            "closed": sum(outcomes.values()),
            "outcomes": [
                {"label": str(label), "count": outcomes[code]}
                for code, label in outcome_labels.items()
                if outcomes.get(code)
            ],
            "open_now": cases.filter(status=NegotiationCase.Status.OPEN).count(),
        },
    }


def _ancestor_paths(unit: OrgUnit) -> list[str]:
    return [unit.path[:end] for end in range(unit.steplen, len(unit.path), unit.steplen)]


def survey_results(unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date, author: User) -> dict[str, Any]:
    """Surveys of the unit (or run by the units above it) that closed in the period: how many answered and the
    answer most people gave to each question, using the surveys' own findings (`surveys.findings`): nothing is
    shown of a survey with fewer responses than its threshold, and no answer under it is picked out."""
    surveys = (
        Survey.objects.filter(Q(unit__in=_subtree(unit)) | Q(unit__path__in=_ancestor_paths(unit)))
        .filter(closes_on__gte=starts_on, closes_on__lte=ends_on)
        .exclude(status=Survey.Status.DRAFT)
        .select_related("unit")
        .order_by("-closes_on", "-pk")
    )
    listed = list(surveys[:SURVEYS_LISTED])
    rows = []
    for survey in listed:  # at most SURVEYS_LISTED, three queries each
        found = survey_findings_module.survey_findings(author, survey)
        rows.append(
            {
                "title": survey.title,
                "unit": survey.unit.name,
                "closes_on": _iso(survey.closes_on),
                "anonymous": survey.is_anonymous,
                "threshold": found.threshold,
                "enough": found.enough,
                "responses": found.responses if found.enough else None,
                "questions": [_headline(figures) for figures in found.questions] if found.enough else [],
            }
        )
    return {"count": surveys.count() if len(listed) == SURVEYS_LISTED else len(listed), "rows": rows}


def _headline(figures: Any) -> dict[str, Any]:
    """A question's headline: the answer most people gave, if its count may be shown."""
    shown = [cell for cell in figures.cells if not cell.hidden and cell.count and cell.label != "No answer"]
    top = max(shown, key=lambda cell: cell.count, default=None)
    return {
        "question": figures.question.text,
        "answer": top.label if top else None,
        "people": top.count if top else None,
        "percent": top.percent if top else None,
    }


EQUALITY_NOTE = (
    "Equality of participation is not in this report: only the equality officer (or a national administrator) may "
    "see equality figures. The equality officer can add them to the draft from its page before it is issued."
)


def equality_section(
    unit: OrgUnit,
    *,
    starts_on: datetime.date,
    ends_on: datetime.date,
    author: User | None,
    added_by: User | None = None,
) -> dict[str, Any]:
    """Equality of participation: in the report when its author may see equality data for the unit, or when an
    equality officer of the unit added it to the draft (`added_by`); otherwise a line saying who can add it.
    Figures are aggregate, small numbers already suppressed by `equality.participation`."""
    if author is not None and equality.may_see_equality(author, unit):
        by = None
    elif added_by is not None and equality.may_see_equality(added_by, unit):
        by = added_by
    else:
        return {"included": False, "note": EQUALITY_NOTE}
    found = equality.participation(unit, starts_on=starts_on, ends_on=ends_on)
    return {
        "included": True,
        "added_by": (by.full_name or by.email) if by is not None else "",
        "populations": [[str(value), str(label)] for value, label in found.populations],
        "participation": plain(found.as_data()),
    }


def recruitment_section(unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date) -> dict[str, Any]:
    """Non-members who came to learning and joined, learners who became reps or activists, and join leads."""
    found = recruitment.recruitment(unit, starts_on=starts_on, ends_on=ends_on)
    return {"empty": found.is_empty, **plain(found.as_data())}


def budget_section(unit: OrgUnit, *, ends_on: datetime.date) -> dict[str, Any]:
    summary = budget.budget_summary(unit, year_starts_on=budget.current_year_start(ends_on))
    return {"empty": summary.is_empty, **plain(summary.as_data())}


def units_compared(
    unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date, on: datetime.date
) -> list[dict[str, Any]]:
    """The units directly below, side by side: each measure's value over the period (one grouped count for all
    of them) and the red/amber/green of each one's targets, those falling behind first."""
    children = list(OrgUnit.objects.get_children(unit).select_related("kind"))
    if not children:
        return []
    values = measures.measure_values(children, COMPARED_MEASURES, starts_on=starts_on, ends_on=ends_on)
    progress_by_unit = targets.progress_for_units(children, on=on)
    rows = []
    for child in children:
        progress = [_progress_row(row) for row in progress_by_unit.get(child.pk, [])]
        statuses = [row["rag"] for row in progress]
        rows.append(
            {
                "name": child.name,
                "code": child.code,
                "values": {code: int(values.get(child.pk, {}).get(code, 0)) for code in COMPARED_MEASURES},
                "targets": progress,
                "red": statuses.count("red"),
                "amber": statuses.count("amber"),
                "on_track": statuses.count("green") + statuses.count("met"),
                "worst": min(statuses, key=lambda rag: RAG_ORDER.get(rag, 9), default=""),
            }
        )
    return sorted(rows, key=lambda row: (-row["red"], -row["amber"], row["name"]))


def gather(
    *,
    unit: OrgUnit,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    author: User,
    commentary: str = "",
    budget_request: str = "",
    equality_added_by: User | None = None,
    author_adds_equality: bool = True,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """The snapshot of a report: every section, as plain JSON.

    `author_adds_equality`: whether the author's own right to see equality data puts the figures in (not for a
    draft shown to a reader who cannot issue it: they see what its issuer would send, not what they may see).
    """
    today = today or timezone.localdate()
    progress_on = min(ends_on, today)
    snapshot: dict[str, Any] = {
        "version": SNAPSHOT_VERSION,
        "kind": kind,
        "kind_label": str(CommitteeReport.Kind(kind).label),
        "unit": {"name": unit.name, "code": unit.code, "kind": unit.kind.name},
        "period": {"starts_on": _iso(starts_on), "ends_on": _iso(ends_on), "label": period_label(starts_on, ends_on)},
        "gathered_on": _iso(today),
        "author": author.full_name or author.email,
        "headlines": headline_figures(unit, starts_on=starts_on, ends_on=ends_on),
        "targets": {"on": _iso(progress_on), "rows": target_progress(unit, on=progress_on)},
        "trends": monthly_trends(unit, starts_on=starts_on, ends_on=ends_on),
        "held": activities_held(unit, starts_on=starts_on, ends_on=ends_on),
        "coming_up": activities_coming_up(unit, ends_on=ends_on, today=today),
        "thanked": reps_thanked(unit, starts_on=starts_on, ends_on=ends_on),
        "employers": employer_work(unit, starts_on=starts_on, ends_on=ends_on, today=today),
        "surveys": survey_results(unit, starts_on=starts_on, ends_on=ends_on, author=author),
        "equality": equality_section(
            unit,
            starts_on=starts_on,
            ends_on=ends_on,
            author=author if author_adds_equality else None,
            added_by=equality_added_by,
        ),
        "recruitment": recruitment_section(unit, starts_on=starts_on, ends_on=ends_on),
        "budget": budget_section(unit, ends_on=ends_on),
        "budget_request": budget_request.strip(),
        "commentary": commentary.strip(),
    }
    if kind == CommitteeReport.Kind.STEERING:
        snapshot["compared"] = {
            "measures": [{"measure": code, "label": str(Measure(code).label)} for code in COMPARED_MEASURES],
            "rows": units_compared(unit, starts_on=starts_on, ends_on=ends_on, on=progress_on),
        }
    return snapshot


def report_snapshot(report: CommitteeReport, *, user: User, today: datetime.date | None = None) -> dict[str, Any]:
    """An issued report's frozen snapshot; a draft's gathered now, as it would be issued by `user` (or, for a
    reader who cannot issue it, by an editor without the right to see equality data)."""
    if report.is_issued:
        return report.data
    may_issue = scoping.editable_committee_reports(user).filter(pk=report.pk).exists()
    return gather(
        unit=report.unit,
        kind=report.kind,
        starts_on=report.starts_on,
        ends_on=report.ends_on,
        author=user,
        author_adds_equality=may_issue,
        commentary=report.commentary,
        budget_request=report.budget_request,
        equality_added_by=equality_added_by(report),
        today=today,
    )


# While a report is a draft, its `data` holds only who added the equality figures to it (issuing replaces it with
# the snapshot). An equality officer reads the drafts of their unit but does not write them.
EQUALITY_ADDED_BY = "equality_added_by"


def equality_added_by(report: CommitteeReport) -> User | None:
    if report.is_issued or not isinstance(report.data, dict):
        return None
    pk = report.data.get(EQUALITY_ADDED_BY)
    return User.objects.filter(pk=pk, is_active=True).first() if pk else None


def may_add_equality(user: User, report: CommitteeReport) -> bool:
    return not report.is_issued and equality.may_see_equality(user, report.unit)
