"""A news item and an image card about a unit's learning in a period, for the branch newsletter and social media.

Nobody is named but a learner who has said yes to being named in branch news (`Consent.Kind.NAMED_IN_NEWS`, given
and not withdrawn): their evaluation may give the item a quote. The figures are the measures' own
(reports/measures.py), so the item agrees with the dashboards and the committee report.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from learningdesk.learning.models import Evaluation, SignUp
from learningdesk.org.models import Consent, OrgUnit
from learningdesk.reports import measures
from learningdesk.reports.forms_equality import season_of
from learningdesk.reports.models import Measure

NEWS_MEASURES = (
    Measure.LEARNERS,
    Measure.QUALIFICATIONS,
    Measure.COMPLETIONS,
    Measure.REPS_RECRUITED,
    Measure.RECRUITED_THROUGH_LEARNING,
)
# A quote long enough to say something, short enough for a newsletter column.
QUOTE_LENGTH = 220

# The card: the size social media shows without cropping (16:9), in the brand's colours (core/assets/app.scss).
CARD_SIZE = (1200, 675)
BRAND = "#4b2a6b"
BRAND_DARK = "#2f1a44"
TINT = "#e2dbe9"
TINT_50 = "#a594b5"
WHITE = "#ffffff"
ACCENT = "#ffdd00"  # GOV.UK's focus yellow: a strong mark that reads on the purple
FONTS = Path("/usr/share/fonts/truetype/dejavu")
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Quote:
    text: str
    name: str  # only of someone who said yes to being named
    activity: str


@dataclass(frozen=True)
class NewsFigures:
    unit_name: str
    organisation: str  # the name at the top of the tree: the union
    unit_email: str
    starts_on: datetime.date
    ends_on: datetime.date
    learners: int
    activities: int
    qualifications: int
    completions: int
    new_reps: int
    joined: int
    highlights: tuple[str, ...]  # the titles of the activities with most learners
    quote: Quote | None

    @property
    def is_empty(self) -> bool:
        return not (self.learners or self.qualifications or self.completions or self.new_reps or self.joined)


def news_figures(unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date) -> NewsFigures:
    """The period's figures, the best-attended activities and a quote, in a handful of queries."""
    values = measures.measure_values([unit], NEWS_MEASURES, starts_on=starts_on, ends_on=ends_on)[unit.pk]
    attended = SignUp.objects.filter(
        measures.DEFINITIONS[Measure.LEARNERS].where(starts_on, ends_on), measures.SIGN_UPS.in_subtrees([unit.path])
    )
    activities = attended.aggregate(activities=Count("session__activity", distinct=True))["activities"]
    highlights = (
        attended.values("session__activity__title")
        .annotate(learners=Count("person", distinct=True))
        .order_by("-learners", "session__activity__title")[:3]
    )
    root = OrgUnit.objects.filter(path=unit.path[: OrgUnit.steplen]).only("name").first() or unit
    return NewsFigures(
        unit_name=unit.name,
        organisation=root.name,
        unit_email=unit.email,
        starts_on=starts_on,
        ends_on=ends_on,
        learners=values[Measure.LEARNERS],
        activities=activities,
        qualifications=values[Measure.QUALIFICATIONS],
        completions=values[Measure.COMPLETIONS],
        new_reps=values[Measure.REPS_RECRUITED],
        joined=values[Measure.RECRUITED_THROUGH_LEARNING],
        highlights=tuple(row["session__activity__title"] for row in highlights),
        quote=_quote(unit, starts_on, ends_on),
    )


def consented_evaluations(unit: OrgUnit, starts_on: datetime.date, ends_on: datetime.date) -> QuerySet[Evaluation]:
    """Evaluations in the period, of the unit's learning, by learners who have said yes to being named in news."""
    start, end = measures.day_bounds(starts_on, ends_on)
    named = Consent.objects.filter(
        person=OuterRef("sign_up__person"),
        kind=Consent.Kind.NAMED_IN_NEWS,
        given=True,
        withdrawn_at__isnull=True,
    )
    return Evaluation.objects.filter(
        Exists(named),
        sign_up__session__activity__unit__path__startswith=unit.path,
        submitted_at__gte=start,
        submitted_at__lt=end,
    ).exclude(learnt="")


def _quote(unit: OrgUnit, starts_on: datetime.date, ends_on: datetime.date) -> Quote | None:
    evaluation = (
        consented_evaluations(unit, starts_on, ends_on)
        .select_related("sign_up__person", "sign_up__session__activity")
        .order_by("-rating", "-submitted_at", "-pk")
        .first()
    )
    if evaluation is None:
        return None
    learner = evaluation.sign_up.person
    return Quote(
        text=_shortened(" ".join(evaluation.learnt.split())),
        name=learner.full_name,
        activity=evaluation.sign_up.session.activity.title,
    )


def _shortened(text: str) -> str:
    """At most QUOTE_LENGTH characters, cut after a sentence if one ends in time, else at a word, with "…"."""
    if len(text) <= QUOTE_LENGTH:
        return text
    cut = text[:QUOTE_LENGTH]
    sentence_end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if sentence_end > QUOTE_LENGTH // 2:
        return cut[: sentence_end + 1]
    return cut.rsplit(" ", 1)[0].rstrip(",;:") + "…"


# Words --------------------------------------------------------------------------------------------------------


def _day(day: datetime.date, *, year: bool = True) -> str:
    return f"{day.day} {day:%B %Y}" if year else f"{day.day} {day:%B}"


def _last_of_month(day: datetime.date) -> bool:
    return (day + datetime.timedelta(days=1)).day == 1


def when(starts_on: datetime.date, ends_on: datetime.date, today: datetime.date | None = None) -> str:
    """How a newsletter says the period: "This autumn", "In 2025", "In March 2026", "Between 3 and 14 May 2026"."""
    today = today or timezone.localdate()
    current = starts_on <= today <= ends_on + datetime.timedelta(days=31)
    season, season_period = season_of(starts_on)
    if (starts_on, ends_on) == (season_period.starts_on, season_period.ends_on):
        if current:
            return f"This {season}"
        return f"In {season} {starts_on.year}" if season != "winter" else f"In the winter of {starts_on.year}"
    whole_year = (starts_on.month, starts_on.day, ends_on.month, ends_on.day) == (1, 1, 12, 31)
    if whole_year and starts_on.year == ends_on.year:
        return "This year" if current else f"In {starts_on.year}"
    whole_months = starts_on.day == 1 and _last_of_month(ends_on)
    if whole_months and (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month):
        return "This month" if current else f"In {starts_on:%B %Y}"
    if whole_months and starts_on.year == ends_on.year:
        return f"Between {starts_on:%B} and {ends_on:%B %Y}"
    if whole_months:
        return f"Between {starts_on:%B %Y} and {ends_on:%B %Y}"
    return f"Between {_day(starts_on, year=starts_on.year != ends_on.year)} and {_day(ends_on)}"


def title(figures: NewsFigures, today: datetime.date | None = None) -> str:
    """The card's heading for the period: "Autumn 2026", "2025", "March 2026", "3 March to 14 May 2026"."""
    starts_on, ends_on = figures.starts_on, figures.ends_on
    phrase = when(starts_on, ends_on, today)
    season, season_period = season_of(starts_on)
    if (starts_on, ends_on) == (season_period.starts_on, season_period.ends_on):
        return f"{season.capitalize()} {starts_on.year}"
    if phrase in ("This year", f"In {starts_on.year}"):
        return str(starts_on.year)
    if phrase.startswith("In ") or phrase == "This month":
        return f"{starts_on:%B %Y}"
    return phrase.removeprefix("Between ").replace(" and ", " to ", 1)


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


def _listed(titles: tuple[str, ...]) -> str:
    """ "Maths for work to Book swap and Digital skills": the range of what was on."""
    return f"{titles[0]} to {' and '.join(titles[1:])}"


def item_text(figures: NewsFigures, today: datetime.date | None = None) -> str:
    """The news item, in plain text paragraphs, to copy into a newsletter or a post."""
    lead = when(figures.starts_on, figures.ends_on, today)
    place = figures.unit_name
    if figures.is_empty:
        return (
            f"{lead}, there is no learning yet to report at {place}. "
            "Ask your union learning rep what is coming up, or how to suggest something you would like to learn."
        )
    paragraphs = []
    if figures.learners:
        sentence = (
            f"{lead}, {_count(figures.learners, 'person', 'people')} at {place} took part in "
            f"{_count(figures.activities, 'learning activity', 'learning activities')}"
        )
        if len(figures.highlights) > 1:
            sentence += f", from {_listed(figures.highlights)}"
        elif figures.highlights:
            sentence += f": {figures.highlights[0]}"
        paragraphs.append(sentence + ".")
    else:
        paragraphs.append(f"{lead}, learning at {place} carried on.")
    achievements = []
    if figures.qualifications:
        achievements.append(f"{_count(figures.qualifications, 'learner', 'learners')} gained a qualification")
    if figures.completions:
        achievements.append(f"{_count(figures.completions, 'course was', 'courses were')} completed")
    if figures.new_reps:
        achievements.append(f"{_count(figures.new_reps, 'new learning rep', 'new learning reps')} agreed to stand")
    if achievements:
        joined = achievements[0] if len(achievements) == 1 else f"{', '.join(achievements[:-1])} and {achievements[-1]}"
        paragraphs.append(joined[0].upper() + joined[1:] + ".")
    if figures.joined:
        if figures.joined == 1:
            paragraphs.append("One person who first came to learning as a non-member has joined the union.")
        else:
            paragraphs.append(
                f"{figures.joined:,} people who first came to learning as non-members have joined the union."
            )
    if figures.quote is not None:
        quote = figures.quote
        paragraphs.append(f"{quote.name}, who took part in {quote.activity}, said: “{quote.text}”")
    contact = f" or email {figures.unit_email}" if figures.unit_email else ""
    paragraphs.append(f"Want to join in? Speak to your union learning rep{contact} to find out what is coming up.")
    return "\n\n".join(paragraphs)


def alt_text(figures: NewsFigures, today: datetime.date | None = None) -> str:
    """A description of the image card for screen readers, to paste with it."""
    stats = "; ".join(f"{number} {label}" for number, label in card_stats(figures))
    return f"{figures.organisation}: learning at {figures.unit_name}, {title(figures, today)}. {stats}."


def news_item(unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date) -> str:
    """The news item for the unit's period, in plain text to copy."""
    return item_text(news_figures(unit, starts_on=starts_on, ends_on=ends_on))


# The image card -------------------------------------------------------------------------------------------


def card_stats(figures: NewsFigures) -> list[tuple[str, str]]:
    """The three big numbers: learners and activities, then the best of what else happened."""
    stats = [
        (f"{figures.learners:,}", "took part" if figures.learners != 1 else "person took part"),
        (f"{figures.activities:,}", "learning activities" if figures.activities != 1 else "learning activity"),
    ]
    if figures.learners != 1:
        stats[0] = (stats[0][0], "people took part")
    others = [
        (figures.qualifications, "qualification gained", "qualifications gained"),
        (figures.joined, "joined the union", "joined the union"),
        (figures.new_reps, "new learning rep", "new learning reps"),
        (figures.completions, "course completed", "courses completed"),
    ]
    best = next(((n, one, many) for n, one, many in others if n), others[0])
    stats.append((f"{best[0]:,}", best[1] if best[0] == 1 else best[2]))
    return stats


def _font(size: int, *, bold: bool = False) -> Font:
    """DejaVu Sans, or Pillow's own font where DejaVu is not installed."""
    try:
        return ImageFont.truetype(str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)
    except OSError:
        return ImageFont.load_default(size=size)


def _fitting(draw: ImageDraw.ImageDraw, texts: list[str], width: int, size: int, *, least: int) -> Font:
    """The largest bold font from `size` down to `least` at which every text fits the width."""
    while size > least and any(draw.textlength(text, font=_font(size, bold=True)) > width for text in texts):
        size -= 2
    return _font(size, bold=True)


def _lines(draw: ImageDraw.ImageDraw, text: str, width: int, font: Font) -> list[str]:
    """The text broken at spaces into lines that fit the width (a word too long for one is cut with "…")."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(_ellipsised(draw, word, width, font))
    return lines


def _ellipsised(draw: ImageDraw.ImageDraw, text: str, width: int, font: Font) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _unit_name(draw: ImageDraw.ImageDraw, name: str, width: int) -> tuple[list[str], Font, int]:
    """The unit's name on one line as large as it fits, else on two: its lines, font and line height."""
    single = _fitting(draw, [name], width, 72, least=52)
    if draw.textlength(name, font=single) <= width:
        return [name], single, 84
    for size in range(56, 38, -2):
        font = _font(size, bold=True)
        lines = _lines(draw, name, width, font)
        if len(lines) <= 2:
            return lines, font, round(size * 1.2)
    font = _font(40, bold=True)
    lines = _lines(draw, name, width, font)
    return [lines[0], _ellipsised(draw, " ".join(lines[1:]), width, font)], font, 48


def card_png(figures: NewsFigures, today: datetime.date | None = None) -> bytes:
    """The card as a PNG: the unit and the period at the top, three big numbers, the union at the foot."""
    width, height = CARD_SIZE
    margin, footer_top = 72, height - 110
    inner = width - 2 * margin
    image = Image.new("RGB", CARD_SIZE, BRAND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, footer_top), fill=ACCENT)
    draw.rectangle((0, footer_top, width, height), fill=BRAND_DARK)

    y = 60
    draw.text((margin, y), "LEARNING AT", font=_font(30, bold=True), fill=TINT_50)
    y += 44
    lines, name_font, line_height = _unit_name(draw, figures.unit_name, inner)
    for line in lines:
        draw.text((margin, y), line, font=name_font, fill=WHITE)
        y += line_height
    draw.text((margin, y + 18), title(figures, today), font=_font(36), fill=TINT)

    stats = card_stats(figures)
    column = inner // len(stats)
    top = max(y + 84, 300)
    label_font = _font(30)
    # Numbers as large as fit their column and the room left above the footer (label and gaps: about 90 px).
    most = min(132, footer_top - 40 - top - 90)
    number_font = _fitting(draw, [number for number, _label in stats], column - 40, most, least=40)
    number_height = number_font.getbbox("0")[3] if isinstance(number_font, ImageFont.FreeTypeFont) else most
    for index, (number, label) in enumerate(stats):
        left = margin + index * column
        draw.rectangle((left, top, left + 64, top + 6), fill=ACCENT)
        draw.text((left, top + 22), number, font=number_font, fill=WHITE)
        label_line = _ellipsised(draw, label, column - 24, label_font)
        draw.text((left, top + 22 + number_height + 26), label_line, font=label_font, fill=TINT)

    footer = _font(28, bold=True)
    organisation = _ellipsised(draw, figures.organisation, inner // 2, footer)
    draw.text((margin, height - 72), organisation, font=footer, fill=WHITE)
    invite = _font(26)
    line = _ellipsised(draw, figures.unit_email or "Ask your union learning rep", inner // 2, invite)
    draw.text((width - margin - draw.textlength(line, font=invite), height - 70), line, font=invite, fill=TINT)

    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def image_card_png(unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date) -> bytes:
    """The image card (1200 × 675 PNG) for the unit's period, for a newsletter or social media."""
    return card_png(news_figures(unit, starts_on=starts_on, ends_on=ends_on))
