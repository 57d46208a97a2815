"""Helpers for members' data rights: Zebedee Quux, a person with one of every kind of record, each holding a value
nobody else in the database has, so a scan of every table can tell whether anything of theirs is left."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from axes.models import AccessAttempt
from django.apps import apps
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from learningdesk.accounts.models import User
from learningdesk.employers.models import (
    CaseNote,
    EmployerContact,
    FacilityTimeReturn,
    LearningAgreement,
    NegotiationCase,
    ReturnOfficial,
    TimeOffRequest,
)
from learningdesk.imports.models import ImportProblem, ImportRow, MemberImport, SavedMapping
from learningdesk.learning.models import ActivityHelper, Evaluation, JoinLead, Outcome, Session, SignUp
from learningdesk.org import services as org_services
from learningdesk.org.models import Consent, EqualityRecord, Person, Role
from learningdesk.reps import facility, meetings, support
from learningdesk.reps import services as rep_services
from learningdesk.reps.models import FacilityAllowance, MeetingInvite, Recognition, Rep, RepReason, Stage
from learningdesk.surveys.models import Answer, Invitation, Question, Response, Section, Survey
from tests.conftest import World
from tests.employers import make_action, make_agreement, make_committee, make_meeting
from tests.factories import PersonFactory, UserFactory, give_role
from tests.learning import in_days, make_activity, make_session, sign_up
from tests.reps import days_ago, make_rep

# Strings only Zebedee's records hold (compared without regard to case).
NEEDLES = ("zebedee", "quux", "07700 900461", "zq5544")
EMAIL = "zq@quux.example"
LOGIN_EMAIL = "zebedee.login@quux.example"
PERSON_TEXT = "Zebedee Quux said so"


@dataclass
class Zebedee:
    person: Person
    user: User
    attended: SignUp
    upcoming: SignUp
    waiting: SignUp
    rep: Rep
    anonymous_answer: Answer
    other_rep: Rep


def zebedee(world: World) -> Zebedee:
    """Zebedee Quux of Derby, with one of every kind of record Learning Desk holds about a person."""
    derby = world.derby
    person = PersonFactory(
        title="Dr",
        first_name="Zebedee",
        last_name="Quux",
        email=EMAIL,
        phone="07700 900461",
        membership_number="ZQ5544",
        branch=derby,
        workplace=world.town_hall,
        job_title="Chief Quuxologist",
        preferred_language="Quuxish",
        status=Person.Status.MEMBER,
    )
    org_services.person_update(acting_user=world.coordinator, person=person, data={"job_title": "Head Quuxologist"})
    org_services.person_viewed(acting_user=world.coordinator, person=person)
    org_services.consent_record(
        acting_user=world.coordinator, person=person, kind=Consent.Kind.NEWSLETTER, given=True, method="in_person"
    )
    Consent.objects.filter(person=person).update(source="Zebedee's stall form")
    EqualityRecord.objects.create(person=person, gender="man", consent_method="in_person")

    # A login, with a role that has ended (a live role would block erasure), and what it remembers.
    user = UserFactory(email=LOGIN_EMAIL, full_name="Zebedee Quux", person=person)
    give_role(user, Role.ULR, derby, workplaces=[world.town_hall], ends_on=days_ago(1))
    SavedMapping.objects.create(user=user, mapping={"zebedee's column": "email"})
    EmployerContact.objects.create(employer=world.council, name="Zebedee Quux", email=LOGIN_EMAIL, user=user)
    AccessAttempt.objects.create(
        username=EMAIL,
        ip_address="192.0.2.7",
        user_agent="Quux browser",
        http_accept="*/*",
        path_info="/sign-in/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )

    # Learning: attended (with an evaluation and an outcome), booked, and on a waiting list.
    activity = make_activity(derby, title="Fractions for all")
    past = make_session(activity, starts=in_days(-7), capacity=5)
    attended = SignUp.objects.create(
        session=past,
        person=person,
        status=SignUp.Status.ATTENDED,
        source=SignUp.Source.STAFF,
        given_name="Zebedee Quux",
        given_email=EMAIL,
        given_phone="07700 900461",
        given_membership_number="ZQ5544",
        access_needs="Zebedee needs a ramp",
        was_member=True,
    )
    Session.objects.filter(pk=past.pk).update(taken=F("taken") + 1)
    evaluation = Evaluation.objects.create(
        sign_up=attended, rating=5, learnt="Zebedee learnt fractions", next_steps="Quux level 2", other_topics="Quux"
    )
    evaluation.topics.set([])
    Outcome.objects.create(person=person, activity=activity, kind="completed", notes="Zebedee finished early")
    JoinLead.objects.create(person=person, unit=derby, source="sign_up", notes="Call Zebedee back")
    upcoming_session = make_session(activity, starts=in_days(10), capacity=1)
    upcoming = sign_up(upcoming_session, person, phone="07700 900461", access_needs="Quux access")
    waiting_for = make_session(activity, starts=in_days(12), capacity=1)
    waiting = sign_up(waiting_for, person)  # takes the only place
    other = PersonFactory(first_name="Wanda", last_name="Waiting", branch=derby)
    sign_up(waiting_for, other)  # waits behind Zebedee
    organised = make_activity(derby, title="Book swap", organiser=person, created_by=user)
    ActivityHelper.objects.create(activity=organised, person=person, task="Zebedee's table")

    # The ULR network: a notified ULR, with everything recorded about them as a rep.
    rep = make_rep(
        person,
        stage=Stage.NOTIFIED,
        workplaces=[world.town_hall],
        by=world.coordinator,
        notes="Zebedee is keen",
        motivation_notes="Quux motivation",
    )
    rep.stage_changes.update(note="Zebedee agreed")
    RepReason.objects.create(rep=rep, kind=RepReason.Kind.MOTIVATION, code="helping_people")
    rep_services.training_add(
        acting_user=world.coordinator,
        rep=rep,
        data={"course": "ULR stage 1", "on": days_ago(3), "notes": "Zebedee did well"},
    )
    support.support_contact_add(
        acting_user=world.coordinator,
        rep=rep,
        data={"on": days_ago(2), "kind": "one_to_one", "notes": "Zebedee feels supported", "appreciation": True},
        actions=[{"description": "Zebedee to book the room", "due_on": in_days(5).date()}],
    )
    support.plan_action_add(acting_user=world.coordinator, rep=rep, data={"description": "Zebedee's plan step"})
    Recognition.objects.create(rep=rep, kind="thanked", note="Thanked Zebedee")
    meeting = meetings.meeting_add(
        acting_user=world.coordinator,
        unit=derby,
        data={"title": "ULR meeting", "starts_at": in_days(-3), "ends_at": in_days(-3) + datetime.timedelta(hours=1)},
    )
    MeetingInvite.objects.create(meeting=meeting, rep=rep, attendance="attended")
    meetings.meeting_action_add(
        acting_user=world.coordinator, meeting=meeting, description="Zebedee brings biscuits", due_on=None, rep=rep
    )
    FacilityAllowance.objects.create(rep=rep, employer=world.council, hours=Decimal("2"), notes="Zebedee's hours")
    facility.time_log(
        acting_user=world.coordinator,
        rep=rep,
        on=days_ago(1),
        hours=Decimal("1.5"),
        purpose="advising",
        note="Advised by Zebedee",
    )
    facility.conversation_log(
        acting_user=world.coordinator, rep=rep, on=days_ago(1), about="course", name="Quux's colleague", notes="Zebedee"
    )
    facility_return = FacilityTimeReturn.objects.create(employer=world.council, year=2025)
    ReturnOfficial.objects.create(facility_return=facility_return, rep=rep, hours_per_week=Decimal("37"))
    # Another rep talked to Zebedee, and owns an action Zebedee was only named in.
    other_rep = make_rep(world.depot_person, stage=Stage.ACTIVE, workplaces=[world.depot])
    facility.conversation_log(
        acting_user=world.coordinator,
        rep=other_rep,
        on=days_ago(1),
        about="learning_needs",
        person=person,
        name="Zebedee",
        notes="Zebedee wants maths",
    )
    support.plan_action_add(
        acting_user=world.coordinator, rep=other_rep, data={"description": "Phone round", "owner_name": "Zebedee Quux"}
    )

    # Surveys: an identified response, and an anonymous one that nothing links to anyone.
    identified = Survey.objects.create(unit=derby, title="Skills audit", is_anonymous=False, status="open")
    question = Question.objects.create(
        section=Section.objects.create(survey=identified, title="You"), kind=Question.Kind.LONG_TEXT, text="Say more"
    )
    invitation = Invitation.objects.create(survey=identified, person=person, used=True)
    response = Response.objects.create(
        survey=identified,
        person=person,
        invitation=invitation,
        unit=derby,
        is_complete=True,
        submitted_on=timezone.localdate(),
    )
    Answer.objects.create(response=response, question=question, text="Zebedee would like Quux lessons")
    anonymous = Survey.objects.create(unit=derby, title="Anonymous audit", is_anonymous=True, status="open")
    anonymous_question = Question.objects.create(
        section=Section.objects.create(survey=anonymous, title="All"), kind=Question.Kind.LONG_TEXT, text="Ideas?"
    )
    Invitation.objects.create(survey=anonymous, person=person, used=True)
    anonymous_answer = Answer.objects.create(
        response=Response.objects.create(survey=anonymous, unit=derby, is_complete=True),
        question=anonymous_question,
        text="More evening courses please",
    )

    # Working with the employer.
    time_off = TimeOffRequest.objects.create(
        employer=world.council, person=person, hours=Decimal("6"), learning="Maths", reason="Zebedee is needed"
    )
    case = NegotiationCase.objects.create(request=time_off, owner=world.coordinator)
    CaseNote.objects.create(case=case, text="Spoke up for Zebedee", written_by=world.coordinator)
    committee_meeting = make_meeting(make_committee(world))
    committee_meeting.union_attendees.add(person)
    make_action(committee_meeting, description="Send dates", owner_person=person)
    make_action(committee_meeting, description="Ask HR", owner_name="Zebedee Quux")
    agreement: LearningAgreement = make_agreement(world)
    agreement.negotiated_by.add(person)

    # A member import that checked a row about them, and a background task that named their address.
    member_import = MemberImport.objects.create(
        created_by=world.coordinator, unit=derby, file_name="members.csv", status=MemberImport.Status.DONE
    )
    ImportRow.objects.create(
        member_import=member_import,
        row_number=2,
        action="update",
        person_id=person.pk,
        membership_number="ZQ5544",
        title="Dr",
        first_name="Zebedee",
        last_name="Quux",
        email=EMAIL,
        phone="07700 900461",
        workplace_name="",
        employer_name="",
        status="member",
        job_title="",
        edited_fields="",
    )
    ImportProblem.objects.create(
        member_import=member_import,
        kind="conflict",
        row_number=2,
        field="email",
        message="Changed here",
        person_id=person.pk,
        value=EMAIL,
    )
    DBTaskResult.objects.create(
        status="SUCCESSFUL",
        args_kwargs={"args": [], "kwargs": {"email": EMAIL}},
        task_path="x.y",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )

    _other_parts(world, person, user)
    return Zebedee(
        person=person,
        user=user,
        attended=attended,
        upcoming=upcoming,
        waiting=waiting,
        rep=rep,
        anonymous_answer=anonymous_answer,
        other_rep=other_rep,
    )


def _other_parts(world: World, person: Person, user: User) -> None:
    """A mailing sent to them, and their login's sign-in history and two-step device, where those parts exist."""
    try:
        mailing_model = apps.get_model("comms", "Mailing")
        recipient_model = apps.get_model("comms", "Recipient")
    except LookupError:
        pass
    else:
        mailing = mailing_model.objects.create(unit=world.derby, subject="Autumn newsletter", status="sent")
        recipient_model.objects.create(mailing=mailing, person=person, email=EMAIL, status="sent")
    try:
        event_model = apps.get_model("accounts", "SignInEvent")
        session_model = apps.get_model("accounts", "UserSession")
    except LookupError:
        pass
    else:
        event_model.objects.create(user=None, kind="failed_password", email_typed=LOGIN_EMAIL, browser="Quux browser")
        event_model.objects.create(user=user, kind="signed_in", browser="Firefox on Linux")
        session_model.objects.create(user=user, session_key="k" * 32, browser="Quux browser")
    try:
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:
        return
    TOTPDevice.objects.create(user=user, name="Zebedee's phone", confirmed=True)


def every_table_row() -> list[tuple[str, str]]:
    """Every row of every table in the database, as (table, row text): what a scan for leftovers reads."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(include_views=False):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the database)
            for row in cursor.fetchall():
                rows.append((table, " | ".join(_text(value) for value in row)))
    return rows


def _text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def leftovers() -> list[tuple[str, str]]:
    """Rows anywhere in the database that still hold one of Zebedee's values."""
    return [(table, text) for table, text in every_table_row() if any(needle in text.lower() for needle in NEEDLES)]
