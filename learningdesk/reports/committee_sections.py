"""The committee report laid out: a snapshot (committee.py) turned into headed sections of sentences, figures
and tables, the same words for the page, the PDF and the Word file.

Each renderer walks the same list of `Section`s, so what the committee reads on paper is what the co-ordinator
saw on the draft page. Everything here reads the snapshot only, never the database: an issued report's
snapshot lays out the same way for as long as it is kept.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.safestring import SafeString

from learningdesk.reports import charts

NO_TARGETS = "No targets are running for this unit on the last day of the period."
NO_THANKS = "No rep was recorded as thanked or recognised in the period."
NO_HEADLINE = "No answer can be picked out"
COMPARED_NOTE = (
    "Each unit's figures over the period, and how its targets stand: units with targets well behind (red) or "
    "behind (amber) come first."
)
# Sections with no more rows than this keep to one page in the PDF.
SHORT_ROWS = 12
SHORT_TABLE_ROWS = 15
# GOV.UK tag colours for a target's status; the words are always shown with the colour.
RAG_COLOURS = {"green": "green", "amber": "yellow", "red": "red", "met": "blue"}


@dataclass(frozen=True)
class Tag:
    """A status in words with a colour (the colour is never the only cue)."""

    text: str
    colour: str

    def __str__(self) -> str:
        return self.text


Cell = str | Tag


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[Cell]]
    # Which columns hold figures (right-aligned); by default every column but the first.
    numeric: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.numeric:
            self.numeric = [index > 0 for index in range(len(self.headers))]

    @property
    def is_short(self) -> bool:
        """Short enough to keep on one page in the PDF (a longer one breaks, its header repeated)."""
        return len(self.rows) <= SHORT_TABLE_ROWS

    @property
    def columns(self) -> list[tuple[str, bool]]:
        return list(zip(self.headers, self.numeric, strict=True))

    @property
    def body(self) -> list[list[tuple[Cell, bool, str]]]:
        """Each row's cells with whether each is a figure and its column's header (a phone shows it beside)."""
        return [list(zip(row, self.numeric, self.headers, strict=True)) for row in self.rows]


@dataclass
class Section:
    key: str
    heading: str
    level: int = 1  # 1: a part of the report; 2: within the part before it
    paragraphs: list[str] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)  # (number, what it is): the big numbers
    bullets: list[str] = field(default_factory=list)
    chart: SafeString | None = None
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # small print under the tables

    @property
    def is_heading_only(self) -> bool:
        """A part whose content is in the sections after it (it keeps with them on paper)."""
        return not (self.paragraphs or self.figures or self.bullets or self.chart or self.tables or self.notes)

    @property
    def is_short(self) -> bool:
        """Short enough to keep on one page, rather than break a few rows away from the heading."""
        return self.chart is None and sum(len(table.rows) for table in self.tables) <= SHORT_ROWS


# Words ------------------------------------------------------------------------------------------------


def day_text(iso: str | None) -> str:
    """3 March 2027"""
    if not iso:
        return "–"
    day = datetime.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def period_text(starts_on: str, ends_on: str) -> str:
    return f"{day_text(starts_on)} to {day_text(ends_on)}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 activity", "3 activities", "no activities" """
    number = f"{count:,}" if count else "no"
    return f"{number} {singular if count == 1 else (plural_form or singular + 's')}"


def _sentence(text: str) -> str:
    """A capital letter and a full stop: for sentences that start with a count ("No reps were ...")."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def more_line(count: int, singular: str, plural_form: str) -> str:
    return f"And {count:,} more {singular if count == 1 else plural_form}, not listed here."


def money(value: object) -> str:
    """£2,500.00 (from the text a snapshot keeps money in); negative as −£120.00."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"−£{-amount:,.2f}" if amount < 0 else f"£{amount:,.2f}"


def about_line(snapshot: dict[str, Any], *, is_draft: bool) -> str:
    unit = snapshot["unit"]
    made = f"Prepared by {snapshot['author']} on {day_text(snapshot['gathered_on'])}."
    draft = " This is a draft: its figures are counted afresh until the report is issued." if is_draft else ""
    return (
        f"{snapshot['kind_label']} for {unit['name']} ({unit['kind'].lower()}), {period_text(**_period(snapshot))}. "
        f"{made}{draft}"
    )


def _period(snapshot: dict[str, Any]) -> dict[str, str]:
    return {"starts_on": snapshot["period"]["starts_on"], "ends_on": snapshot["period"]["ends_on"]}


def figure(snapshot: dict[str, Any], measure: str) -> int:
    return next((row["value"] for row in snapshot["headlines"] if row["measure"] == measure), 0)


def rag_tag(row: dict[str, Any]) -> Tag:
    key = "met" if row.get("rag_label") == "Met" else row.get("rag", "")
    return Tag(row.get("rag_label") or "", RAG_COLOURS.get(key, "grey"))


def targets_note(targets: dict[str, Any]) -> str:
    on = day_text(targets["on"])
    return (
        f"The targets running on {on}. “So far” counts from the start of each target's own period; “expected” is "
        f"where it would be by {on} if the work were spread evenly over the period."
    )


def targets_summary(row: dict[str, Any]) -> str:
    """ "2 well behind, 1 behind, 3 on track or met" or "No targets" """
    if not row["targets"]:
        return "No targets"
    parts = []
    if row["red"]:
        parts.append(f"{row['red']} well behind")
    if row["amber"]:
        parts.append(f"{row['amber']} behind")
    if row["on_track"]:
        parts.append(f"{row['on_track']} on track or met")
    return ", ".join(parts)


def activity_name(row: dict[str, Any], unit_name: str) -> str:
    """ "Maths for work (Functional skills maths)", with its unit when it is not the report's own."""
    about = [row.get("subject") or row.get("type") or ""]
    if row["unit"] != unit_name:
        about.append(row["unit"])
    details = ", ".join(part for part in about if part and part != row["title"])
    return f"{row['title']} ({details})" if details else row["title"]


def held_line(held: dict[str, Any]) -> str:
    activities, sessions = plural(held["count"], "activity", "activities"), plural(held["sessions"], "session")
    return f"{activities} met in the period, in {sessions}."


def coming_heading(coming: dict[str, Any]) -> str:
    return f"Coming up, {day_text(coming['starts_on'])} to {day_text(coming['ends_on'])}"


def reps_line(snapshot: dict[str, Any]) -> str:
    recruited, trained = figure(snapshot, "reps_recruited"), figure(snapshot, "reps_trained")
    active = figure(snapshot, "active_reps")
    champions, tutors = figure(snapshot, "learner_champions"), figure(snapshot, "tutors")
    line = (
        f"In the period {plural(recruited, 'person', 'people')} agreed to stand as a rep and "
        f"{plural(trained, 'rep')} finished their initial training. "
        f"On {day_text(snapshot['period']['ends_on'])}, {plural(active, 'rep was', 'reps were')} active"
    )
    extras = []
    if champions:
        extras.append(plural(champions, "learner champion"))
    if tutors:
        extras.append(plural(tutors, "tutor or assessor", "tutors and assessors"))
    return line + (", among them " + " and ".join(extras) if extras else "") + "."


def review_text(row: dict[str, Any]) -> str:
    return f"{day_text(row['review_on'])}{' (overdue)' if row['overdue'] else ''}"


def employer_lines(work: dict[str, Any]) -> list[str]:
    signed, reviews, meetings = work["signed"], work["reviews"], work["meetings"]
    time_off, cases = work["time_off"], work["cases"]
    overdue = sum(1 for row in reviews["rows"] if row["overdue"])
    lines = [
        _sentence(f"{plural(signed['count'], 'learning agreement')} signed in the period"),
        _sentence(
            f"{plural(reviews['count'], 'agreement')} due for review by {day_text(reviews['by'])}"
            + (f", {overdue:,} of them overdue" if overdue else "")
        ),
        _sentence(f"{plural(meetings['count'], 'learning committee meeting')} held with employers"),
    ]
    if time_off["requested"]:
        lines.append(
            f"{plural(time_off['requested'], 'request')} for time off to learn: {time_off['approved']:,} approved, "
            f"{time_off['partly']:,} partly approved, {time_off['refused']:,} refused and {time_off['pending']:,} "
            f"waiting for a decision."
        )
    else:
        lines.append("No request for time off to learn was made in the period.")
    if cases["opened"] or cases["closed"] or cases["open_now"]:
        outcomes = ", ".join(f"{row['label'].lower()}: {row['count']:,}" for row in cases["outcomes"])
        lines.append(
            _sentence(
                f"{plural(cases['opened'], 'negotiation case')} opened over refusals and {cases['closed']:,} closed"
                + (f" ({outcomes})" if outcomes else "")
                + f"; {cases['open_now']:,} open now"
            )
        )
    else:
        lines.append("No negotiation case over a refused request was open.")
    return lines


def survey_line(survey: dict[str, Any]) -> str:
    what = "An anonymous survey" if survey["anonymous"] else "A survey"
    closed = f"{what} by {survey['unit']}, closed {day_text(survey['closes_on'])}."
    if not survey["enough"]:
        return f"{closed} Fewer than {survey['threshold']} people answered, so no figures are shown."
    return (
        f"{closed} {plural(survey['responses'], 'person', 'people')} answered. No answer given by fewer than "
        f"{survey['threshold']} people is picked out."
    )


# Sections ---------------------------------------------------------------------------------------------


def sections(snapshot: dict[str, Any], *, charts: dict[str, SafeString | None] | None = None) -> list[Section]:
    """The whole report, in order."""
    charts = charts or {}
    parts = [
        Section(
            "commentary",
            "Commentary",
            paragraphs=_paragraphs(snapshot.get("commentary", "")) or ["No commentary has been written yet."],
        ),
        _figures(snapshot),
        _targets_section(snapshot),
        _trends(snapshot, charts.get("trends")),
    ]
    if snapshot.get("compared") is not None:
        parts.append(_compared(snapshot, charts.get("compared")))
    parts += [
        *_activities(snapshot),
        *_reps(snapshot),
        _employers(snapshot),
        *_surveys(snapshot),
        _equality(snapshot),
        _recruitment(snapshot),
        _budget(snapshot),
        Section(
            "budget_request",
            "Budget and resources asked for",
            paragraphs=_paragraphs(snapshot.get("budget_request", "")) or ["Nothing is asked for in this report."],
        ),
    ]
    return parts


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


HEADLINE_FIGURES = ("learners", "sign_ups", "completions", "qualifications")


def _figures(snapshot: dict[str, Any]) -> Section:
    rows = snapshot["headlines"]
    big = [row for row in rows if row["measure"] in HEADLINE_FIGURES]
    return Section(
        "figures",
        f"The figures for {snapshot['period']['label']}",
        figures=[(f"{row['value']:,}", row["label"]) for row in big],
        tables=[
            Table(
                caption=f"Every measure for {snapshot['unit']['name']}, {snapshot['period']['label']}",
                headers=["Measure", "Figure", "What it counts"],
                rows=[[row["label"], f"{row['value']:,}", row["help"]] for row in rows],
                numeric=[False, True, False],
            )
        ],
    )


def _targets_section(snapshot: dict[str, Any]) -> Section:
    targets = snapshot["targets"]
    if not targets["rows"]:
        return Section("targets", "Progress against targets", paragraphs=[NO_TARGETS])
    on = day_text(targets["on"])
    rows: list[list[Cell]] = []
    rolled_up = False
    for row in targets["rows"]:
        name = f"{row['label']}, {period_text(row['starts_on'], row['ends_on'])}"
        if row.get("from_below"):
            name += f" (added up from {row['from_below']})"
            rolled_up = True
        rows.append([name, f"{row['target']:,}", f"{row['actual']:,}", f"{row['expected']:,}", rag_tag(row)])
    notes = ["A target “added up from” the units below is the sum of their own targets."] if rolled_up else []
    return Section(
        "targets",
        "Progress against targets",
        paragraphs=[targets_note(targets)],
        tables=[
            Table(
                caption=f"Targets on {on}",
                headers=["Target", "Target figure", "So far", f"Expected by {on}", "Status"],
                rows=rows,
                numeric=[False, True, True, True, False],
            )
        ],
        notes=notes,
    )


def _trends(snapshot: dict[str, Any], chart: SafeString | None) -> Section:
    trends = snapshot["trends"]
    months = trends["months"]
    series = trends["series"]
    table = Table(
        caption=f"Month by month, {snapshot['unit']['name']}",
        headers=["Month", *(row["label"] for row in series)],
        rows=[
            [f"{datetime.date.fromisoformat(month):%B %Y}", *(f"{row['values'][index]:,}" for row in series)]
            for index, month in enumerate(months)
        ],
    )
    return Section(
        "trends",
        "Month by month",
        paragraphs=[f"The twelve months to {day_text(trends['ends_on'])}, to show the trend around the period."],
        chart=chart,
        tables=[table] if months else [],
    )


def _compared(snapshot: dict[str, Any], chart: SafeString | None) -> Section:
    compared = snapshot["compared"]
    measures = compared["measures"]
    rows = compared["rows"]
    behind = [row for row in rows if row["red"] or row["amber"]]
    bullets = [
        f"{row['name']}: "
        + ", ".join(
            f"{target['label'].lower()} {target['rag_label'].lower()}"
            for target in row["targets"]
            if target["rag"] in ("red", "amber") and target["rag_label"] != "Met"
        )
        for row in behind
    ]
    table_rows: list[list[Cell]] = [
        [
            row["name"],
            *(f"{row['values'].get(measure['measure'], 0):,}" for measure in measures),
            Tag(targets_summary(row), RAG_COLOURS.get(row["worst"], "grey") if row["targets"] else "grey"),
        ]
        for row in rows
    ]
    return Section(
        "compared",
        "Units compared",
        paragraphs=[COMPARED_NOTE]
        + (["Falling behind:"] if bullets else ["No unit has a target well behind or behind."] if rows else []),
        bullets=bullets,
        chart=chart,
        tables=[
            Table(
                caption=f"The units of {snapshot['unit']['name']}, {snapshot['period']['label']}",
                headers=["Unit", *(measure["label"] for measure in measures), "Targets"],
                rows=table_rows,
                numeric=[False, *(True for _ in measures), False],
            )
        ]
        if rows
        else [],
    )


def _activities(snapshot: dict[str, Any]) -> list[Section]:
    held, coming = snapshot["held"], snapshot["coming_up"]
    unit_name = snapshot["unit"]["name"]
    held_section = Section("held", "Held in the period", level=2)
    if held["rows"]:
        held_section.paragraphs.append(held_line(held))
        held_section.tables.append(
            Table(
                caption="Activities held, the best attended first",
                headers=["Activity", "Sessions", "Learners"],
                rows=[
                    [activity_name(row, unit_name), f"{row['sessions']:,}", f"{row['learners']:,}"]
                    for row in held["rows"]
                ],
            )
        )
        if held["count"] > len(held["rows"]):
            held_section.notes.append(more_line(held["count"] - len(held["rows"]), "activity", "activities"))
    else:
        held_section.paragraphs.append("No activity had a session in the period.")
    coming_section = Section("coming_up", coming_heading(coming), level=2)
    if coming["rows"]:
        coming_section.tables.append(
            Table(
                caption="Activities coming up, the soonest first",
                headers=["Activity", "First session", "Sessions", "Places left"],
                rows=[
                    [
                        activity_name(row, unit_name),
                        day_text(row["next_on"]),
                        f"{row['sessions']:,}",
                        f"{row['places_left']:,}",
                    ]
                    for row in coming["rows"]
                ],
                numeric=[False, False, True, True],
            )
        )
        if coming["count"] > len(coming["rows"]):
            coming_section.notes.append(more_line(coming["count"] - len(coming["rows"]), "activity", "activities"))
    else:
        coming_section.paragraphs.append("Nothing is published for these months yet.")
    return [Section("activities", "Learning activities"), held_section, coming_section]


def _reps(snapshot: dict[str, Any]) -> list[Section]:
    thanked = snapshot["thanked"]
    reps = Section(
        "reps",
        "Reps",
        paragraphs=[reps_line(snapshot)],
        figures=[
            (f"{figure(snapshot, 'reps_recruited'):,}", "agreed to stand"),
            (f"{figure(snapshot, 'reps_trained'):,}", "trained"),
            (f"{figure(snapshot, 'active_reps'):,}", "active at the end"),
        ],
    )
    thanks = Section("thanked", "Thanked and recognised", level=2)
    if thanked["rows"]:
        thanks.paragraphs.append(
            "Reps thanked for their good work (in a support conversation) or recognised in the period."
        )
        thanks.tables.append(
            Table(
                caption="Reps thanked and recognised",
                headers=["Rep", "Times thanked", "Recognition"],
                rows=[
                    [f"{row['name']}, {row['kind']}", f"{row['thanked']:,}", ", ".join(row["recognised"]) or "–"]
                    for row in thanked["rows"]
                ],
                numeric=[False, True, False],
            )
        )
        if thanked["count"] > len(thanked["rows"]):
            thanks.notes.append(more_line(thanked["count"] - len(thanked["rows"]), "rep", "reps"))
    else:
        thanks.paragraphs.append(NO_THANKS)
    return [reps, thanks]


def _employers(snapshot: dict[str, Any]) -> Section:
    work = snapshot["employers"]
    section = Section("employers", "Working with employers", bullets=employer_lines(work))
    if work["signed"]["rows"]:
        section.tables.append(
            Table(
                caption="Learning agreements signed",
                headers=["Employer", "Agreement", "Signed"],
                rows=[[row["employer"], row["title"], day_text(row["signed_on"])] for row in work["signed"]["rows"]],
                numeric=[False, False, False],
            )
        )
    if work["reviews"]["rows"]:
        section.tables.append(
            Table(
                caption=f"Learning agreements due for review by {day_text(work['reviews']['by'])}",
                headers=["Employer", "Agreement", "Review date"],
                rows=[[row["employer"], row["title"], review_text(row)] for row in work["reviews"]["rows"]],
                numeric=[False, False, False],
            )
        )
    for key, singular, plural_form in (
        ("signed", "agreement signed", "agreements signed"),
        ("reviews", "agreement due for review", "agreements due for review"),
    ):
        if work[key]["count"] > len(work[key]["rows"]):
            section.notes.append(more_line(work[key]["count"] - len(work[key]["rows"]), singular, plural_form))
    if work["meetings"]["rows"]:
        section.tables.append(
            Table(
                caption="Learning committee meetings held",
                headers=["Employer", "Committee", "Held"],
                rows=[
                    [row["employer"], row["committee"], day_text(row["held_on"])] for row in work["meetings"]["rows"]
                ],
                numeric=[False, False, False],
            )
        )
    if work["meetings"]["count"] > len(work["meetings"]["rows"]):
        more = work["meetings"]["count"] - len(work["meetings"]["rows"])
        section.notes.append(more_line(more, "meeting", "meetings"))
    return section


def _surveys(snapshot: dict[str, Any]) -> list[Section]:
    surveys = snapshot["surveys"]
    if not surveys["rows"]:
        return [Section("surveys", "Survey findings", paragraphs=["No survey closed in the period."])]
    parts = [Section("surveys", "Survey findings")]
    for survey in surveys["rows"]:
        part = Section("survey", survey["title"], level=2, paragraphs=[survey_line(survey)])
        if survey["questions"]:
            part.tables.append(
                Table(
                    caption=f"{survey['title']}: the answer most people gave",
                    headers=["Question", "Most people answered", "Share"],
                    rows=[
                        [
                            question["question"],
                            question["answer"] or NO_HEADLINE,
                            f"{question['percent']}%" if question["percent"] is not None else "–",
                        ]
                        for question in survey["questions"]
                    ],
                    numeric=[False, False, True],
                )
            )
        parts.append(part)
    if surveys["count"] > len(surveys["rows"]):
        parts[-1].notes.append(more_line(surveys["count"] - len(surveys["rows"]), "survey", "surveys"))
    return parts


def _equality(snapshot: dict[str, Any]) -> Section:
    equality = snapshot["equality"]
    section = Section("equality", "Equality of participation")
    if not equality.get("included"):
        section.paragraphs.append(equality.get("note", ""))
        return section
    found = equality["participation"]
    threshold = found["threshold"]
    populations = equality["populations"]
    if equality.get("added_by"):
        section.paragraphs.append(f"Added to the report by {equality['added_by']}, who may see equality figures.")
    section.paragraphs.append(
        "Each group's share of the members who gave equality information, against its share of the learners, "
        f"reps and survey respondents who gave it. Counts under {threshold} are shown as “fewer than {threshold}”, "
        "and others are hidden where they would let a small number be worked out."
    )
    if found.get("anonymous_responses"):
        section.paragraphs.append(
            f"{plural(found['anonymous_responses'], 'response')} to anonymous surveys are linked to nobody, so they "
            "are not counted here."
        )
    answered = found.get("answered", {})
    if not any(cell.get("count") != 0 for cell in answered.values()):
        section.paragraphs.append("Nobody in these groups has given equality information yet.")
        return section
    if found["under_represented"]:
        section.paragraphs.append("Under-represented groups:")
        section.bullets.extend(found["under_represented"])
    else:
        section.paragraphs.append("No group stands out as under-represented.")
    for characteristic in found["characteristics"]:
        withheld = characteristic.get("withheld") or []
        section.tables.append(
            Table(
                caption=characteristic["label"]
                + (" (some columns withheld: too few people to show safely)" if withheld else ""),
                headers=["Group", *(label for _value, label in populations)],
                rows=[
                    [row["label"], *(_equality_cell(cell, threshold) for cell in row["cells"])]
                    for row in characteristic["rows"]
                ],
            )
        )
    return section


def _equality_cell(cell: dict[str, Any], threshold: int) -> str:
    """ "123 (12.5%)", "fewer than 10", "hidden" or "withheld" """
    if cell.get("count") is not None:
        share = cell.get("share")
        return f"{cell['count']:,}" + (f" ({share:.1f}%)" if share is not None else "")
    if cell.get("small"):
        return f"fewer than {threshold}"
    return "withheld" if cell.get("withheld") else "hidden"


def _recruitment(snapshot: dict[str, Any]) -> Section:
    found = snapshot.get("recruitment") or {}
    section = Section("recruitment", "Recruitment through learning")
    if not found or found.get("empty"):
        section.paragraphs.append(
            "Nobody who came to learning as a non-member joined in the period, no learner became a rep or an "
            "activist, and nobody asked about joining."
        )
        return section
    joined, reps, activists = found["joined"], found["became_reps"], found["became_activists"]
    leads, leads_joined = found["leads_total"], found["leads_joined"]
    section.bullets = [
        _sentence(f"{plural(joined, 'person', 'people')} who came to learning as non-members became members")
        if joined
        else "Nobody who came to learning as a non-member became a member.",
        _sentence(f"{plural(reps, 'learner')} took on a learning role as a rep"),
        _sentence(f"{plural(activists, 'learner')} helped to run an activity"),
        _sentence(f"{plural(leads, 'person', 'people')} said they would like to join, and {leads_joined:,} have joined")
        if leads
        else "Nobody said they would like to join the union.",
    ]
    if found.get("by_activity"):
        section.tables.append(
            Table(
                caption="Where the new members came to learning",
                headers=["Activity", "New members"],
                rows=[[row["title"], f"{row['people']:,}"] for row in found["by_activity"]],
            )
        )
    if found.get("leads") and leads:
        section.tables.append(
            Table(
                caption="People who asked about joining, by what happened",
                headers=["What happened", "People", "Members now"],
                rows=[[row["label"], f"{row['leads']:,}", f"{row['now_members']:,}"] for row in found["leads"]],
            )
        )
    return section


def _budget(snapshot: dict[str, Any]) -> Section:
    budget = snapshot.get("budget") or {}
    heading = f"Budget for {budget['label']}" if budget.get("label") else "Budget"
    nothing = not budget or budget.get("empty") or not (Decimal(budget["total"]) or Decimal(budget["spent"]))
    if nothing:
        return Section(
            "budget", heading, paragraphs=["No budget has been set for this year and nothing has been spent."]
        )
    lines: list[list[Cell]] = [["From the branch", money(budget["from_branch"])]]
    lines += [[f"Funding: {row['title']}", money(row["amount"])] for row in budget.get("funding", [])]
    lines.append(["Total", money(budget["total"])])
    lines.append(["Spent on activities", money(budget["on_activities"])])
    lines.append(["Other spending", money(budget["on_other"])])
    over = bool(budget.get("is_over"))
    lines.append(["Overspent by" if over else "Left to spend", money(abs(Decimal(str(budget["remaining"]))))])
    spend: list[list[Cell]] = [
        [row["title"], money(row["total"])] for row in budget.get("activities", []) if Decimal(str(row["total"]))
    ]
    spend += [
        [f"{row['description']} ({day_text(row['spent_on'])})", money(row["amount"])] for row in budget.get("other", [])
    ]
    section = Section(
        "budget",
        heading,
        paragraphs=[f"The learning budget for {period_text(budget['starts_on'], budget['ends_on'])}."],
        tables=[Table(caption="Money in and out", headers=["Budget", "Amount"], rows=lines)],
    )
    if over:
        section.paragraphs.append(f"The budget is overspent by {money(abs(Decimal(str(budget['remaining']))))}.")
    if spend:
        section.tables.append(Table(caption="What the money was spent on", headers=["Spent on", "Amount"], rows=spend))
    return section


# Charts ----------------------------------------------------------------------------------------------


def trend_chart(snapshot: dict[str, Any]) -> SafeString | None:
    trends = snapshot.get("trends") or {}
    months = [datetime.date.fromisoformat(month) for month in trends.get("months", [])]
    if not months:
        return None
    series = {row["label"]: list(zip(months, row["values"], strict=False)) for row in trends.get("series", [])}
    first, last = months[0], months[-1]
    return charts.line_chart(
        series,
        table=False,
        title=f"Month by month, {first:%B %Y} to {last:%B %Y}",
        description=(
            f"{', '.join(series)} in {snapshot['unit']['name']} each month from {first:%B %Y} to {last:%B %Y}."
        ),
    )


COMPARED_CHART_BARS = 15  # a taller chart would not fit on a page


def compared_chart(snapshot: dict[str, Any]) -> SafeString | None:
    """Learners engaged in each unit below; with many units, those listed first (the ones behind first)."""
    rows = (snapshot.get("compared") or {}).get("rows") or []
    if not rows:
        return None
    shown = rows[:COMPARED_CHART_BARS]
    bars = [(row["name"], row["values"].get("learners", 0)) for row in shown]
    which = "each unit" if len(shown) == len(rows) else f"the first {len(shown)} of the {len(rows)} units in the table"
    return charts.bar_chart(
        bars,
        table=False,
        label_header="Unit",
        title=f"Learners engaged in {which}, {snapshot['period']['label']}",
        description=f"Learners engaged in {which} of {snapshot['unit']['name']}, in the order of the table.",
    )


def snapshot_charts(snapshot: dict[str, Any]) -> dict[str, SafeString | None]:
    """The report's charts, drawn from the snapshot's numbers (so an issued report draws them as issued). The
    report has its own tables of the same figures, so the charts come without theirs."""
    return {"trends": trend_chart(snapshot), "compared": compared_chart(snapshot)}
