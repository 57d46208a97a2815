"""Every table a user can see downloads as CSV and XLSX: the whole filtered list, only the user's rows, logged.

One Derby record and one Nottingham record of each kind; Derby's co-ordinator downloads each list and must find
Derby's and never Nottingham's (and the other way round), with an audit event for each download.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from learningdesk.accounts.models import AuditEvent
from learningdesk.employers.models import FacilityTimeReturn, FundingBid, NegotiationCase, TimeOffRequest
from learningdesk.imports.models import MemberImport
from learningdesk.learning.models import JoinLead, LearningCentre, Provider, Resource
from learningdesk.org.models import Consent, EqualityRecord
from learningdesk.reps.models import Action, RepMeeting, Stage
from tests.conftest import World, client_for
from tests.employers import make_agreement, make_committee, make_contact, make_meeting
from tests.learning import in_days, make_activity, make_session
from tests.reps import make_rep
from tests.surveys import invite, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(world: World) -> World:
    """The same records in Derby and in Nottingham, each named after its branch."""
    for unit, person, place, tag in (
        (world.derby, world.derby_person, world.town_hall, "Derby"),
        (world.notts, world.notts_person, world.hospital, "Notts"),
    ):
        employer = place.employer
        AuditEvent.objects.create(action=AuditEvent.Action.CHANGED, target_type=f"{tag.lower()}thing", unit=unit)
        MemberImport.objects.create(unit=unit, file_name=f"{tag}-members.csv", status=MemberImport.Status.DONE)
        rep = make_rep(person, stage=Stage.ACTIVE, workplaces=[place])
        Action.objects.create(unit=unit, rep=rep, description=f"{tag} action", due_on=in_days(7).date())
        RepMeeting.objects.create(unit=unit, title=f"{tag} ULR meeting", starts_at=in_days(3), ends_at=in_days(3, 14))
        activity = make_activity(unit, title=f"{tag} maths")
        make_session(activity)
        JoinLead.objects.create(person=person, unit=unit, activity=activity, source=JoinLead.Source.SIGN_UP)
        LearningCentre.objects.create(unit=unit, name=f"{tag} learning centre")
        Resource.objects.create(
            unit=unit, title=f"{tag} reading list", kind=Resource.Kind.LINK, url="https://example.org",
            review_by=in_days(90).date(),
        )  # fmt: skip
        Provider.objects.create(unit=unit, name=f"{tag} college", kind=Provider.Kind.COLLEGE)
        make_survey(unit, title=f"{tag} learning survey")
        make_contact(employer, name=f"{tag} training manager", email=f"{tag.lower()}@example.org")
        request = TimeOffRequest.objects.create(
            employer=employer, person=person, hours=Decimal("6"), learning=f"{tag} course",
            decision=TimeOffRequest.Decision.REFUSED, decided_on=timezone.localdate(),
        )  # fmt: skip
        NegotiationCase.objects.create(request=request)
        FacilityTimeReturn.objects.create(employer=employer, year=2024)
        FundingBid.objects.create(
            unit=unit, title=f"{tag} bid", source=FundingBid.Source.UNION_LEARNING_FUND, amount=Decimal("900")
        )
        # Equality data is recorded for both people: it must never appear in any export.
        EqualityRecord.objects.create(
            person=person, gender="non_binary", ethnicity="mixed", consent_method=Consent.Method.values[0]
        )
    make_agreement(world, title="Derby agreement")
    notts_agreement = make_agreement(world, title="Notts agreement")
    notts_agreement.employer = world.hospital.employer
    notts_agreement.save()
    notts_agreement.units.set([world.notts])
    return world


# url name, table name (audit), what Derby's file holds, what Nottingham's holds
LISTS = [
    ("org:person_list", "people", "Alberts", "Okafor"),
    ("org:unit_list", "units", "Derby City", "Nottingham Health"),
    ("org:employer_list", "employers", "Derby City Council", "Nottingham University Hospitals"),
    ("accounts:team", "team", "Carol Coordinator", "Owen Outsider"),
    ("accounts:audit_log", "audit log", "derbything", "nottsthing"),
    ("imports:list", "member imports", "Derby-members.csv", "Notts-members.csv"),
    ("reps:register", "reps register", "Alberts", "Okafor"),
    ("reps:actions", "rep actions", "Derby action", "Notts action"),
    ("reps:meetings", "rep meetings", "Derby ULR meeting", "Notts ULR meeting"),
    ("reps:facility", "facility time", "Alberts", "Okafor"),
    ("learning:activities", "activities", "Derby maths", "Notts maths"),
    ("learning:leads", "join leads", "Alberts", "Okafor"),
    ("learning:centres", "learning centres", "Derby learning centre", "Notts learning centre"),
    ("learning:resources", "resources", "Derby reading list", "Notts reading list"),
    ("learning:providers", "providers", "Derby college", "Notts college"),
    ("surveys:list", "surveys", "Derby learning survey", "Notts learning survey"),
    ("employers:agreement_list", "learning agreements", "Derby agreement", "Notts agreement"),
    ("employers:time_off_list", "time-off requests", "Derby course", "Notts course"),
    ("employers:case_list", "negotiation cases", "Derby course", "Notts course"),
    ("employers:funding_list", "funding bids", "Derby bid", "Notts bid"),
    ("employers:return_list", "facility time returns", "Derby City Council", "Nottingham University Hospitals"),
]


def csv_text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content).decode("utf-8-sig")


def xlsx_text(response) -> str:
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    return "\n".join(",".join("" if v is None else str(v) for v in row) for row in sheet.iter_rows(values_only=True))


@pytest.mark.parametrize(("name", "table", "derby", "notts"), LISTS)
def test_each_list_downloads_with_only_the_users_rows(both, name, table, derby, notts):
    text = csv_text(client_for(both.coordinator).get(reverse(name), {"format": "csv"}))
    assert derby in text
    assert notts not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert (event.actor, event.target_type, event.changes["format"]) == (both.coordinator, table, "csv")
    assert event.changes["rows"] == len(list(csv.reader(io.StringIO(text)))) - 1
    for equality_value in ("non_binary", "Non-binary", "Mixed or multiple"):
        assert equality_value not in text


@pytest.mark.parametrize(("name", "table", "derby", "notts"), LISTS)
def test_each_list_downloads_as_xlsx_for_the_other_branch_too(both, name, table, derby, notts):
    text = xlsx_text(client_for(both.outsider).get(reverse(name), {"format": "xlsx"}))
    assert notts in text
    assert derby not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert (event.actor, event.target_type, event.unit) == (both.outsider, table, both.notts)


def test_the_export_is_the_whole_filtered_list_not_the_page(both, settings):
    settings.PAGE_SIZE = 1
    make_activity(both.derby, title="Derby English")
    make_activity(both.derby, title="Derby cooking", status="draft")
    response = client_for(both.coordinator).get(reverse("learning:activities"), {"status": "published", "page": 2})
    assert 'format=csv"' in response.content.decode()
    text = csv_text(
        client_for(both.coordinator).get(reverse("learning:activities"), {"status": "published", "format": "csv"})
    )
    assert "Derby maths" in text and "Derby English" in text
    assert "Derby cooking" not in text
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED).changes["filters"] == {"status": "published"}


@pytest.mark.parametrize(("name", "table"), [(name, table) for name, table, *_ in LISTS])
def test_each_list_page_links_to_its_downloads(both, name, table):
    page = client_for(both.coordinator).get(reverse(name)).content.decode()
    assert "format=csv" in page and "format=xlsx" in page, f"{name} has no export links"


def record_exports(world: World) -> list[tuple[str, dict, dict, str, str]]:
    """Tables on a record's page: (url name, kwargs, extra query, table name, what Derby's file holds)."""
    activity = make_activity(world.derby, title="Derby welding")
    session = make_session(activity)
    session.sign_ups.create(person=world.depot_person, status="confirmed", source="staff")
    survey = make_survey(world.derby, title="Depot survey", anonymous=False)
    invite(survey, world.depot_person)
    make_contact(world.council, name="Tessa Trainer")
    committee = make_committee(world)
    make_meeting(committee, place="Committee Room 4")
    return [
        ("org:employer_detail", {"pk": world.council.pk}, {}, "workplaces", "Council House"),
        ("org:employer_detail", {"pk": world.council.pk}, {"table": "contacts"}, "employer contacts", "Tessa Trainer"),
        ("org:unit_detail", {"pk": world.derby.pk}, {}, "workplaces", "Stores Road Depot"),
        ("learning:activity_detail", {"pk": activity.pk}, {}, "sign-ups", "Patel"),
        ("surveys:invitations", {"pk": survey.pk}, {}, "survey invitations", "Patel"),
        ("employers:committee_detail", {"pk": committee.pk}, {}, "learning committee meetings", "Committee Room 4"),
    ]


def test_tables_on_a_records_page_download_for_its_branch_only(world):
    for name, kwargs, extra, table, derby in record_exports(world):
        url = reverse(name, kwargs=kwargs)
        AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).delete()
        assert client_for(world.outsider).get(url, {**extra, "format": "csv"}).status_code == 404, name
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()
        text = csv_text(client_for(world.coordinator).get(url, {**extra, "format": "csv"}))
        assert derby in text, (name, extra)
        event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
        assert (event.target_type, event.unit) == (table, world.derby), name


def test_sign_ups_are_exported_only_for_those_who_run_the_activity(world):
    activity = make_activity(world.derby, title="Derby welding")
    make_session(activity).sign_ups.create(person=world.depot_person, status="confirmed", source="staff")
    # A branch officer reads the activity but does not run it: the page shows no sign-ups, and gives no file.
    response = client_for(world.officer).get(reverse("learning:activity_detail", args=[activity.pk]), {"format": "csv"})
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_the_costs_export_comes_as_xlsx_too(world):
    activity = make_activity(world.derby, title="=cmd|' /C calc'!A0", cost=Decimal("300.00"))
    make_session(activity, starts=in_days(-3))
    today = timezone.localdate()
    query = {"period": "custom", "starts_on": (today - datetime.timedelta(days=10)).isoformat(), "ends_on": today}
    response = client_for(world.coordinator).get(reverse("employers:costs_export"), {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Activity"
    assert values[1][:3] == ("'=cmd|' /C calc'!A0", "Derby City", 300)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED, target_type="learning costs")
    assert event.changes["format"] == "xlsx"
