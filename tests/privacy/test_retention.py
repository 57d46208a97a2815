"""Retention: each kind of record is removed (or its person anonymised) once it has passed its period, and not a
day before; every run is stored with what it did."""

from __future__ import annotations

import dataclasses
import datetime
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from learningdesk.accounts.models import SignInEvent, UserSession
from learningdesk.comms.models import Mailing, Recipient
from learningdesk.imports.models import ImportProblem, ImportRow, MemberImport
from learningdesk.learning.models import SignUp
from learningdesk.org.models import Person
from learningdesk.privacy import retention
from learningdesk.privacy.models import AnonymisedPerson, RetentionRun
from learningdesk.surveys.models import Invitation, Survey
from tests.conftest import client_for
from tests.factories import PersonFactory, UserFactory
from tests.learning import derby_session, in_days, make_activity, make_session
from tests.privacy import zebedee

DAY = datetime.timedelta(days=1)


def ago(days: int, plus: datetime.timedelta = datetime.timedelta(0)) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days) + plus


def just_outside(kind: str) -> datetime.datetime:
    """A moment a day past the kind's period: the record should go."""
    return ago(retention.DEFAULT_DAYS[kind], -DAY)


def just_inside(kind: str) -> datetime.datetime:
    """A moment a day before the kind's period ends: the record stays."""
    return ago(retention.DEFAULT_DAYS[kind], DAY)


def apply() -> RetentionRun:
    return retention.run_now(dry_run=False, trigger=RetentionRun.Trigger.COMMAND)


def contact(world, when: datetime.datetime, **fields) -> Person:
    fields.setdefault("status", Person.Status.NON_MEMBER)
    fields.setdefault("membership_number", None)
    person = PersonFactory(branch=world.derby, **fields)
    Person.objects.filter(pk=person.pk).update(created_at=when, updated_at=when)
    return person


def test_non_member_contacts_with_nothing_happening_are_anonymised(world):
    gone_quiet = contact(world, just_outside("inactive_contacts"), first_name="Quentin")
    recent = contact(world, just_inside("inactive_contacts"))
    member = contact(world, just_outside("inactive_contacts"), status=Person.Status.MEMBER, membership_number="M1")
    with_login = contact(world, just_outside("inactive_contacts"))
    UserFactory(person=with_login)
    learning = contact(world, just_outside("inactive_contacts"))
    SignUp.objects.create(session=derby_session(world), person=learning, status="cancelled", source="public")

    run = apply()

    assert run.counts["inactive_contacts"] == 1
    assert set(AnonymisedPerson.objects.values_list("person_id", flat=True)) == {gone_quiet.pk}
    gone_quiet.refresh_from_db()
    assert gone_quiet.full_name == "Anonymised person" and gone_quiet.email == ""
    for kept in (recent, member, with_login, learning):
        kept.refresh_from_db()
        assert kept.email, kept


def test_cancelled_sign_ups_go_after_two_years(world):
    session = derby_session(world)
    people = [PersonFactory(branch=world.derby) for _ in range(3)]
    old = SignUp.objects.create(session=session, person=people[0], status="cancelled", source="public")
    new = SignUp.objects.create(session=session, person=people[1], status="expired", source="public")
    attended = SignUp.objects.create(session=session, person=people[2], status="attended", source="public")
    SignUp.objects.filter(pk__in=[old.pk, attended.pk]).update(created_at=just_outside("cancelled_sign_ups"))
    SignUp.objects.filter(pk=new.pk).update(created_at=just_inside("cancelled_sign_ups"))

    apply()

    assert set(SignUp.objects.values_list("pk", flat=True)) == {new.pk, attended.pk}


def test_survey_links_go_a_year_after_the_survey_closed(world):
    today = timezone.localdate()
    days = retention.DEFAULT_DAYS["survey_invitations"]
    closed_long_ago = Survey.objects.create(
        unit=world.derby, title="Old", closes_on=today - datetime.timedelta(days + 1)
    )
    closed_lately = Survey.objects.create(unit=world.derby, title="New", closes_on=today - datetime.timedelta(days - 1))
    undated = Survey.objects.create(unit=world.derby, title="Undated", status="closed")
    Survey.objects.filter(pk=undated.pk).update(created_at=just_outside("survey_invitations"))
    for survey in (closed_long_ago, closed_lately, undated):
        Invitation.objects.create(survey=survey, person=world.derby_person)

    run = apply()

    assert list(Invitation.objects.values_list("survey__title", flat=True)) == ["New"]
    assert run.counts["survey_invitations"] == 2


def test_the_rows_of_finished_member_imports_go_after_ninety_days(world):
    def member_import(when: datetime.datetime, status: str = "done") -> MemberImport:
        done = MemberImport.objects.create(unit=world.derby, file_name="m.csv", status=status)
        MemberImport.objects.filter(pk=done.pk).update(created_at=when, imported_at=when if status == "done" else None)
        ImportRow.objects.create(
            member_import=done,
            row_number=2,
            action="create",
            membership_number="M9",
            title="",
            first_name="A",
            last_name="B",
            email="",
            phone="",
            workplace_name="",
            employer_name="",
            status="member",
            job_title="",
            edited_fields="",
        )
        ImportProblem.objects.create(member_import=done, row_number=2, message="Enter a name")
        return done

    old = member_import(just_outside("member_import_details"))
    recent = member_import(just_inside("member_import_details"))
    waiting = member_import(just_outside("member_import_details"), status="checked")

    apply()

    assert set(ImportRow.objects.values_list("member_import", flat=True)) == {recent.pk, waiting.pk}
    assert set(ImportProblem.objects.values_list("member_import", flat=True)) == {recent.pk, waiting.pk}
    assert MemberImport.objects.filter(pk=old.pk).exists()  # the import itself (its counts) stays


def test_finished_tasks_go_after_thirty_days(world):
    def task(status: str, finished: datetime.datetime | None) -> DBTaskResult:
        return DBTaskResult.objects.create(
            status=status,
            finished_at=finished,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="a.b",
            backend_name="default",
            run_after=timezone.now(),
            exception_class_path="",
            traceback="",
        )

    old = task("SUCCESSFUL", just_outside("finished_tasks"))
    failed = task("FAILED", just_outside("finished_tasks"))
    recent = task("SUCCESSFUL", just_inside("finished_tasks"))
    running = task("RUNNING", None)

    apply()

    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}
    assert not DBTaskResult.objects.filter(pk__in=[old.pk, failed.pk]).exists()


def test_who_was_sent_a_mailing_goes_after_two_years(world):
    def mailing(finished: datetime.datetime) -> Recipient:
        sent = Mailing.objects.create(unit=world.derby, subject="News", status="sent", finished_at=finished)
        return Recipient.objects.create(mailing=sent, person=world.derby_person, email="m@example.net", status="sent")

    mailing(just_outside("mailing_recipients"))
    kept = mailing(just_inside("mailing_recipients"))

    apply()

    assert list(Recipient.objects.values_list("pk", flat=True)) == [kept.pk]
    assert Mailing.objects.count() == 2


def test_the_sign_in_log_goes_after_its_period(world, settings):
    old = SignInEvent.objects.create(kind="signed_in", user=world.coordinator, at=ago(settings.SIGN_IN_LOG_DAYS + 1))
    recent = SignInEvent.objects.create(kind="signed_in", user=world.coordinator, at=ago(settings.SIGN_IN_LOG_DAYS - 1))
    ended = UserSession.objects.create(
        user=world.coordinator, session_key="s1", ended_at=ago(settings.SIGN_IN_LOG_DAYS + 1)
    )

    run = apply()

    assert not SignInEvent.objects.filter(pk=old.pk).exists()
    assert SignInEvent.objects.filter(pk=recent.pk).exists()
    assert not UserSession.objects.filter(pk=ended.pk).exists()
    assert run.counts["sign_in_events"] >= 2


def test_sign_in_attempts_go_after_a_year(world):
    def attempt(when: datetime.datetime, username: str) -> AccessAttempt:
        made = AccessAttempt.objects.create(
            username=username,
            ip_address="192.0.2.1",
            user_agent="x",
            http_accept="*/*",
            path_info="/sign-in/",
            get_data="",
            post_data="",
            failures_since_start=1,
        )
        AccessAttempt.objects.filter(pk=made.pk).update(attempt_time=when)
        return made

    attempt(just_outside("sign_in_attempts"), "someone@example.org")
    kept = attempt(just_inside("sign_in_attempts"), "someone.else@example.org")

    apply()

    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_dry_run_counts_and_changes_nothing(world):
    contact(world, just_outside("inactive_contacts"))
    session = derby_session(world)
    old = SignUp.objects.create(session=session, person=world.derby_person, status="cancelled", source="public")
    SignUp.objects.filter(pk=old.pk).update(created_at=just_outside("cancelled_sign_ups"))

    run = retention.run_now(dry_run=True, trigger=RetentionRun.Trigger.COMMAND)

    assert run.dry_run and run.status == RetentionRun.Status.DONE
    assert (run.counts["inactive_contacts"], run.counts["cancelled_sign_ups"]) == (1, 1)
    assert SignUp.objects.filter(pk=old.pk).exists()
    assert not AnonymisedPerson.objects.exists()


@override_settings(RETENTION={"cancelled_sign_ups": None})
def test_a_kind_set_to_none_is_kept_for_good(world):
    old = SignUp.objects.create(
        session=derby_session(world), person=world.derby_person, status="cancelled", source="public"
    )
    SignUp.objects.filter(pk=old.pk).update(created_at=ago(5000))

    run = apply()

    assert SignUp.objects.filter(pk=old.pk).exists()
    assert "cancelled_sign_ups" not in run.counts


def test_a_rule_that_fails_leaves_the_others_done(world, monkeypatch):
    old = SignUp.objects.create(
        session=derby_session(world), person=world.derby_person, status="cancelled", source="public"
    )
    SignUp.objects.filter(pk=old.pk).update(created_at=just_outside("cancelled_sign_ups"))

    def broken(cutoff):
        raise RuntimeError("disk full")

    rules = [dataclasses.replace(r, past=broken) if r.kind == "survey_invitations" else r for r in retention.RULES]
    monkeypatch.setattr(retention, "RULES", tuple(rules))

    run = apply()

    assert run.status == RetentionRun.Status.FAILED
    assert "Personal survey links: RuntimeError: disk full" in run.error
    assert run.counts["cancelled_sign_ups"] == 1
    assert not SignUp.objects.filter(pk=old.pk).exists()


def test_anonymising_never_touches_a_zebedee_with_a_login(world):
    """The full person (with a login, roles ended) is not a contact to anonymise, however old their record."""
    z = zebedee(world)
    Person.objects.filter(pk=z.person.pk).update(created_at=ago(5000), updated_at=ago(5000), status="non_member")

    apply()

    assert not AnonymisedPerson.objects.filter(person=z.person).exists()


# The command and the daily task ------------------------------------------------------------------------------


def test_the_command_applies_the_rules_and_reports(world):
    contact(world, just_outside("inactive_contacts"))
    out = StringIO()

    call_command("apply_retention", stdout=out)

    assert "Non-member contacts with nothing happening: 1" in out.getvalue()
    assert RetentionRun.objects.get().trigger == RetentionRun.Trigger.COMMAND


def test_the_command_can_only_check(world):
    contact(world, just_outside("inactive_contacts"))
    out = StringIO()

    call_command("apply_retention", "--dry-run", stdout=out)

    assert "Would remove or anonymise" in out.getvalue()
    assert not AnonymisedPerson.objects.exists()


def test_the_daily_run_is_queued_once_a_day(world):
    contact(world, just_outside("inactive_contacts"))
    out = StringIO()

    call_command("apply_retention", "--if-due", stdout=out)
    call_command("apply_retention", "--if-due", stdout=out)

    run = RetentionRun.objects.get()
    assert (run.trigger, run.status, run.dry_run) == ("scheduled", "done", False)
    assert run.counts["inactive_contacts"] == 1
    assert "Not due" in out.getvalue()
    RetentionRun.objects.update(queued_at=ago(1, -datetime.timedelta(hours=1)))
    assert retention.queue_if_due() is not None


def test_a_run_left_behind_by_a_dead_worker_is_given_up_on(world):
    stuck = RetentionRun.objects.create(trigger="scheduled", status="running", queued_at=ago(1))

    assert retention.queue_if_due() is not None

    stuck.refresh_from_db()
    assert stuck.status == RetentionRun.Status.FAILED


def test_if_due_with_dry_run_is_refused():
    with pytest.raises(CommandError, match="--if-due"):
        call_command("apply_retention", "--if-due", "--dry-run")


# The page for national administrators ---------------------------------------------------------------


def test_national_administrators_see_the_rules_and_the_runs(world, django_assert_max_num_queries):
    for _ in range(30):
        retention.run_now(dry_run=True, trigger=RetentionRun.Trigger.COMMAND)
    client = client_for(world.admin)

    with django_assert_max_num_queries(20):
        response = client.get(reverse("privacy:retention"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Non-member contacts with nothing happening" in page and "3 years" in page
    assert page.count("Check only") == 25  # one page of runs


@pytest.mark.parametrize("who", ["coordinator", "regional", "officer", "ulr", "equality", "outsider"])
def test_only_national_administrators_see_retention(world, who):
    client = client_for(getattr(world, who))

    assert client.get(reverse("privacy:retention")).status_code == 404
    assert client.post(reverse("privacy:retention_check")).status_code == 404
    assert not RetentionRun.objects.exists()


def test_an_administrator_checks_what_has_passed_without_changing_anything(world):
    contact(world, just_outside("inactive_contacts"))

    response = client_for(world.admin).post(reverse("privacy:retention_check"), follow=True)

    assert "Checked: 1 record" in response.content.decode()
    assert RetentionRun.objects.get().dry_run
    assert not AnonymisedPerson.objects.exists()


def test_upcoming_sessions_are_not_counted_as_cancelled(world):
    session = make_session(make_activity(world.derby, title="Later"), starts=in_days(30))
    booked = SignUp.objects.create(session=session, person=world.derby_person, status="confirmed", source="public")
    SignUp.objects.filter(pk=booked.pk).update(created_at=ago(5000))

    apply()

    assert SignUp.objects.filter(pk=booked.pk).exists()
