"""The news item and the image card: the figures in words, the period as a newsletter says it, nobody named
without their consent, the PNG itself, and who may make them."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from learningdesk.learning.models import Evaluation, Outcome, SignUp
from learningdesk.org.models import Consent, OrgUnit, Person
from learningdesk.reports import newsitem
from learningdesk.reports.newsitem import news_item, when
from learningdesk.reps.models import Stage
from tests.conftest import client_for
from tests.factories import PersonFactory
from tests.learning import make_activity, make_session
from tests.reports import aware, learner_sign_up, rep_record

AUTUMN = datetime.date(2026, 9, 1), datetime.date(2026, 11, 30)
IN_AUTUMN = datetime.date(2026, 10, 6)
NEWS = reverse("reports:news_item")
PERIOD = {"period": "dates", "starts_on": "2026-09-01", "ends_on": "2026-11-30"}


def course(unit: OrgUnit, title: str, learners: list[Person], on: datetime.date = IN_AUTUMN) -> list[SignUp]:
    session = make_session(make_activity(unit, title=title), starts=aware(on), capacity=200)
    return [learner_sign_up(session, learner) for learner in learners]


def evaluated(sign_up: SignUp, learnt: str, *, rating: int = 5) -> Evaluation:
    return Evaluation.objects.create(sign_up=sign_up, rating=rating, learnt=learnt, submitted_at=aware(IN_AUTUMN))


def consent(person: Person, *, given: bool = True, withdrawn: bool = False) -> None:
    Consent.objects.create(
        person=person,
        kind=Consent.Kind.NAMED_IN_NEWS,
        given=given,
        method=Consent.Method.IN_PERSON,
        withdrawn_at=timezone.now() if withdrawn else None,
    )


def autumn_item(unit: OrgUnit) -> str:
    return news_item(unit, starts_on=AUTUMN[0], ends_on=AUTUMN[1])


# The period in words -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "today", "words"),
    [
        ("2026-09-01", "2026-11-30", "2026-11-26", "This autumn"),
        ("2026-09-01", "2026-11-30", "2027-03-01", "In autumn 2026"),
        ("2025-12-01", "2026-02-28", "2026-06-01", "In the winter of 2025"),
        ("2026-01-01", "2026-12-31", "2026-11-26", "This year"),
        ("2025-01-01", "2025-12-31", "2026-11-26", "In 2025"),
        ("2026-03-01", "2026-03-31", "2026-11-26", "In March 2026"),
        ("2026-07-01", "2026-09-30", "2026-11-26", "Between July and September 2026"),
        ("2025-10-01", "2026-03-31", "2026-11-26", "Between October 2025 and March 2026"),
        ("2026-03-03", "2026-05-14", "2026-11-26", "Between 3 March and 14 May 2026"),
        ("2025-03-03", "2026-05-14", "2026-11-26", "Between 3 March 2025 and 14 May 2026"),
    ],
)
def test_the_period_is_said_the_way_a_newsletter_would(starts_on, ends_on, today, words):
    day = datetime.date.fromisoformat
    assert when(day(starts_on), day(ends_on), day(today)) == words


# The item ----------------------------------------------------------------------------------------------


def test_the_item_gives_the_periods_figures_and_what_was_on(world):
    learners = [PersonFactory(branch=world.derby) for _ in range(5)]
    maths = course(world.derby, "Functional Skills maths", learners)
    course(world.derby, "Digital skills", learners[:3])
    course(world.derby, "Book swap", learners[:1])
    course(world.derby, "Last year's course", learners, on=datetime.date(2025, 10, 1))
    Outcome.objects.create(
        person=learners[0], activity=maths[0].session.activity, kind="qualification", achieved_on=IN_AUTUMN
    )
    rep_record(learners[1], stage=Stage.AGREED, agreed_on=IN_AUTUMN)
    text = news_item(world.derby, starts_on=AUTUMN[0], ends_on=AUTUMN[1])
    assert "5 people at Derby City took part in 3 learning activities" in text
    assert "from Functional Skills maths to Digital skills and Book swap" in text
    assert "1 learner gained a qualification" in text
    assert "1 new learning rep agreed to stand" in text
    assert "Last year's course" not in text


def test_an_empty_period_says_so_plainly(world):
    text = autumn_item(world.derby)
    assert "there is no learning yet to report at Derby City" in text


def test_a_learner_who_said_yes_to_being_named_is_quoted(world):
    jane = PersonFactory(branch=world.derby, first_name="Jane", last_name="Smith")
    consent(jane)
    (sign_up,) = course(world.derby, "Functional Skills maths", [jane])
    evaluated(sign_up, "I can help my daughter with her maths homework now.")
    text = autumn_item(world.derby)
    assert "Jane Smith, who took part in Functional Skills maths, said:" in text
    assert "“I can help my daughter with her maths homework now.”" in text


def test_nobody_is_named_without_their_consent(world):
    """A better-rated evaluation by someone who never said yes, refused, or withdrew is never used."""
    learners = {
        "never": PersonFactory(branch=world.derby, first_name="Nora", last_name="Neverasked"),
        "refused": PersonFactory(branch=world.derby, first_name="Rhoda", last_name="Refused"),
        "withdrew": PersonFactory(branch=world.derby, first_name="Walt", last_name="Withdrew"),
        "other_kind": PersonFactory(branch=world.derby, first_name="Olive", last_name="Otherkind"),
        "yes": PersonFactory(branch=world.derby, first_name="Yasmin", last_name="Yes"),
    }
    consent(learners["refused"], given=False)
    consent(learners["withdrew"], withdrawn=True)
    Consent.objects.create(
        person=learners["other_kind"], kind=Consent.Kind.LEARNING_NEWS, given=True, method=Consent.Method.ONLINE
    )
    consent(learners["yes"])
    sign_ups = course(world.derby, "Book swap", list(learners.values()))
    for key, sign_up in zip(learners, sign_ups, strict=True):
        evaluated(sign_up, f"Lovely afternoon, said {key}.", rating=3 if key == "yes" else 5)
    text = autumn_item(world.derby)
    assert "Yasmin Yes" in text
    for key in ("never", "refused", "withdrew", "other_kind"):
        someone = learners[key]
        assert someone.first_name not in text and someone.last_name not in text
        assert f"said {key}" not in text


def test_without_a_consented_quote_the_item_names_nobody(world):
    learners = [PersonFactory(branch=world.derby, first_name=f"Learner{n}", last_name="Unnamed") for n in range(4)]
    for sign_up in course(world.derby, "Maths for work", learners):
        evaluated(sign_up, "Brilliant course.")
    text = autumn_item(world.derby)
    assert "Unnamed" not in text and "Learner" not in text.replace("learner", "")
    assert "said:" not in text


def test_a_long_quote_is_shortened_at_a_sentence(world):
    jane = PersonFactory(branch=world.derby, first_name="Jane", last_name="Smith")
    consent(jane)
    (sign_up,) = course(world.derby, "Maths for work", [jane])
    evaluated(sign_up, "I feel confident with fractions now. " + "It was great and I want to do more. " * 10)
    assert "said: “I feel confident with fractions now. It was great and I want to do more." in autumn_item(world.derby)


def test_the_item_counts_the_units_learning_only(world):
    course(world.notts, "Notts course", [PersonFactory(branch=world.notts) for _ in range(3)])
    assert "no learning yet to report" in autumn_item(world.derby)
    assert "3 people at East Midlands took part in 1 learning activity" in autumn_item(world.region)


# The card ----------------------------------------------------------------------------------------------


def test_the_card_is_a_1200_by_675_png(world):
    course(world.derby, "Maths for work", [PersonFactory(branch=world.derby) for _ in range(3)])
    png = newsitem.image_card_png(world.derby, starts_on=AUTUMN[0], ends_on=AUTUMN[1])
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (1200, 675)
    assert image.getpixel((600, 250))[:3] == (0x4B, 0x2A, 0x6B)  # the brand's purple behind the text


def test_the_card_is_made_with_pillows_own_font_when_dejavu_is_missing(world, monkeypatch, tmp_path):
    monkeypatch.setattr(newsitem, "FONTS", tmp_path)
    png = newsitem.image_card_png(world.derby, starts_on=AUTUMN[0], ends_on=AUTUMN[1])
    assert Image.open(io.BytesIO(png)).size == (1200, 675)


def test_the_alt_text_says_what_the_card_shows(world):
    course(world.derby, "Maths for work", [PersonFactory(branch=world.derby) for _ in range(3)])
    figures = newsitem.news_figures(world.derby, starts_on=AUTUMN[0], ends_on=AUTUMN[1])
    assert newsitem.alt_text(figures) == (
        "Learning Union: learning at Derby City, Autumn 2026. "
        "3 people took part; 1 learning activity; 0 qualifications gained."
    )


# The pages ---------------------------------------------------------------------------------------------


def card(unit: OrgUnit) -> str:
    return reverse("reports:news_card", args=[unit.pk])


def test_the_coordinator_gets_the_item_the_card_and_its_alt_text(world):
    course(world.derby, "Maths for work", [PersonFactory(branch=world.derby) for _ in range(3)])
    response = client_for(world.coordinator).get(NEWS, PERIOD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 people at Derby City took part in 1 learning activity" in page
    assert "Describe the image when you post it" in page
    assert "Learning Union: learning at Derby City, Autumn 2026." in page
    assert f"{card(world.derby)}?period=dates&amp;starts_on=2026-09-01&amp;ends_on=2026-11-30" in page


def test_the_card_is_served_as_a_png(world):
    response = client_for(world.officer).get(card(world.derby), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (1200, 675)
    download = client_for(world.officer).get(card(world.derby), {**PERIOD, "download": "1"})
    assert download["Content-Disposition"] == 'attachment; filename="learning-em-derby-2026-09-01.png"'


def test_a_ulr_gets_404(world):
    client = client_for(world.ulr)
    assert client.get(NEWS).status_code == 404
    assert client.get(card(world.derby)).status_code == 404


def test_another_branch_cannot_make_derbys(world):
    client = client_for(world.outsider)
    assert client.get(NEWS, {"unit": world.derby.pk}).status_code == 404
    assert client.get(card(world.derby), PERIOD).status_code == 404
    assert client.get(card(world.notts), {**PERIOD, "unit": world.derby.pk}).status_code == 404
    assert client.get(card(world.notts), PERIOD).status_code == 200


def test_another_branch_gets_its_own_by_default(world):
    course(world.derby, "Derby only course", [PersonFactory(branch=world.derby) for _ in range(3)])
    page = client_for(world.outsider).get(NEWS, PERIOD).content.decode()
    assert "Nottingham Health" in page
    assert "Derby" not in page


def test_anonymous_users_are_sent_to_sign_in(world, client):
    for url in (NEWS, card(world.derby)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_wrong_dates_get_a_message_on_the_page_and_no_card(world):
    client = client_for(world.coordinator)
    query = {"period": "dates", "starts_on": "2026-11-30", "ends_on": "2026-09-01"}
    assert "The last day must be on or after the first day" in client.get(NEWS, query).content.decode()
    assert client.get(card(world.derby), query).status_code == 404


def test_the_news_page_takes_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    learners = [PersonFactory(branch=world.derby) for _ in range(10)]
    course(world.derby, "Maths for work", learners)
    client = client_for(world.coordinator)
    client.get(NEWS, PERIOD)
    course(world.derby, "English for work", learners)
    # Signing in and the scope (5), the figures (10: one a measure), the unit picker (2): however many learners.
    with django_assert_max_num_queries(18):
        assert client.get(NEWS, PERIOD).status_code == 200
