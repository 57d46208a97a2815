"""Subject access: one action gives a ZIP of everything held on a person, a readable PDF and the data in JSON."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.privacy import personal_data
from learningdesk.privacy.subject_access import in_words
from tests.conftest import client_for
from tests.privacy import zebedee
from tests.reps.test_notify import pdf_text

# Kinds a person with one of every record still does not have: nobody has anonymised them.
NOT_EXPECTED = {"privacy.anonymisedperson"}


def _download(world, person) -> tuple[dict, str]:
    response = client_for(world.coordinator).post(reverse("privacy:subject_access", args=[person.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(f'attachment; filename="subject-access-{person.pk}-')
    assert response["Cache-Control"] == "private, no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["data.json", "summary.pdf"]
    data = json.loads(archive.read("data.json"))
    return data, pdf_text(archive.read("summary.pdf"))


def test_the_zip_holds_every_kind_of_record_in_json_and_in_the_pdf(world):
    z = zebedee(world)
    data, pdf = _download(world, z.person)

    sections = data["sections"]
    assert data["person_id"] == z.person.pk
    for kind in personal_data.KINDS:
        if kind.key in NOT_EXPECTED:
            continue
        assert sections.get(kind.title), f"{kind.title} is missing from data.json"
        assert kind.title in pdf, f"{kind.title} is missing from summary.pdf"
    for title in (
        "Audit log entries about them",
        "Records their login made about other people (counted, not listed)",
        "Mailings and newsletters sent to them",
        "Sign-in sessions",
        "Two-step sign-in",
    ):
        assert sections.get(title), f"{title} is missing from data.json"
        assert title in pdf
    # Their own words and their own equality data, in both files; dates in words in the PDF.
    assert sections["Profile"][0]["email"] == "zq@quux.example"
    assert sections["Profile"][0]["membership_number"] == "ZQ5544"
    assert sections["Equality monitoring"][0]["gender"] == "Man"
    assert sections["Evaluations"][0]["learnt"] == "Zebedee learnt fractions"
    assert sections["Identified survey answers"][0]["text"] == "Zebedee would like Quux lessons"
    assert sections["Support contacts with them as a rep"][0]["notes"] == "Zebedee feels supported"
    assert sections["Conversations a rep had with them"][0]["notes"] == "Zebedee wants maths"
    assert sections["Notes of those cases"][0]["text"] == "Spoke up for Zebedee"
    assert sections["Rows of member files about them"][0]["email"] == "zq@quux.example"
    assert sections["Notices to the employer that they are a ULR"][0]["letter"]
    assert f"What we hold about {z.person.full_name}" in pdf
    for words in ("Zebedee learnt fractions", "Zebedee would like Quux lessons", "Spoke up for Zebedee", "Man"):
        assert words in pdf
    signed_up = timezone.localtime(z.attended.created_at)
    assert f"{signed_up.day} {signed_up:%B %Y}" in pdf  # in words, not 2026-11-26
    # The download is logged, with how many records of each kind and nothing else.
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED, target_type="person", target_id=z.person.pk)
    assert event.actor == world.coordinator
    assert event.changes["subject_access"]["learning.signup"] == 3


def test_the_zip_leaves_out_anonymous_answers_and_secrets(world):
    z = zebedee(world)
    data, pdf = _download(world, z.person)

    text = json.dumps(data)
    assert "More evening courses please" not in text
    assert "More evening courses please" not in pdf
    assert z.person.survey_invitations.first().token not in text
    assert z.user.password not in text
    assert "k" * 32 not in text  # the session key


def test_the_confirmation_says_what_the_zip_holds(world):
    response = client_for(world.coordinator).get(reverse("privacy:subject_access", args=[world.derby_person.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "summary.pdf" in page and "data.json" in page
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_a_person_with_almost_nothing_still_gets_a_zip(world):
    data, pdf = _download(world, world.depot_person)
    assert data["sections"]["Profile"][0]["last_name"] == "Patel"
    assert "Nothing held" in pdf


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2025-03-03", "3 March 2025"),
        ("2025-03-03T14:05:00+00:00", "3 March 2025, 14:05"),
        (True, "Yes"),
        (["a", "b"], "a, b"),
        ({"first_line": "x"}, "first line: x"),
        (None, ""),
    ],
)
def test_values_are_shown_in_words(value, words):
    assert in_words(value) == words
