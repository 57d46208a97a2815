"""The member import as a user meets it: what the check reports row by row, and what the import then does."""

from __future__ import annotations

import datetime
from functools import partial

import pytest
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.imports import engine, services
from learningdesk.imports.models import ImportFileChunk, ImportProblem, ImportRow, MemberImport
from learningdesk.org.models import Employer, Person, Workplace
from learningdesk.org.services import person_update
from tests.factories import PersonFactory
from tests.imports import HEADER, apply, check, csv_bytes, import_file, people_state, start

Status = MemberImport.Status


def member(
    number: str, first: str = "Amy", last: str = "Ash", email: str = "", *, workplace="", employer="", joined=""
) -> list[str]:
    """A row under HEADER: Membership number, First name, Last name, Email, Workplace, Employer, Date joined."""
    return [number, first, last, email, workplace, employer, joined]


def checked_file(world, rows: list[list[str]], *, header: list[str] = HEADER, unit=None, user=None) -> MemberImport:
    member_import = check(start(unit or world.derby, csv_bytes([header, *rows]), user=user or world.coordinator))
    assert member_import.status == Status.CHECKED, member_import.error
    return member_import


def problems(member_import: MemberImport, kind: str = ImportProblem.Kind.ERROR) -> list[tuple[int, str, str]]:
    found = ImportProblem.objects.filter(member_import=member_import, kind=kind)
    return list(found.values_list("row_number", "column", "message"))


def messages(member_import: MemberImport) -> list[str]:
    return [message for _row, _column, message in problems(member_import)]


def person(number: str) -> Person:
    return Person.objects.get(membership_number=number)


THREE = [
    member("A1", "Amy", "Ash", "amy@example.org"),
    member("A2", "Ben", "Bell", "ben@example.org"),
    member("A3", "Cat", "Cole", "cat@example.org"),
]


# Counts -----------------------------------------------------------------------------------------------------


def test_check_counts_new_changed_unchanged_and_rejected_rows(world):
    import_file(world.derby, [HEADER, *THREE])
    again = checked_file(
        world,
        [
            member("A1", "Amy", "Ash", "amy@example.org"),
            member("A2", "Ben", "Bellamy", "ben@example.org"),
            member("A4", "Dee", "Dunn"),
            member("A5", "Eve", "Eyre", "not an email"),
        ],
    )
    assert (again.created, again.updated, again.unchanged, again.rejected) == (1, 1, 1, 1)


def test_check_changes_nobody(world):
    import_file(world.derby, [HEADER, *THREE])
    before = people_state()
    checked_file(world, [member("A1", "Amy", "Ashby"), member("A9", "New", "Person")])
    assert people_state() == before


def test_import_creates_new_people_in_the_branch(world):
    done = import_file(world.derby, [HEADER, *THREE], user=world.coordinator)
    assert (done.status, done.created, done.updated) == (Status.DONE, 3, 0)
    amy = person("A1")
    assert (amy.first_name, amy.last_name, amy.email, amy.branch, amy.status) == (
        "Amy",
        "Ash",
        "amy@example.org",
        world.derby,
        Person.Status.MEMBER,
    )
    assert amy.imported_at is not None


def test_import_updates_people_matched_by_membership_number(world):
    import_file(world.derby, [HEADER, *THREE])
    done = import_file(world.derby, [HEADER, member("a2", "Ben", "Bellamy", "BEN@Example.org")])
    assert (done.created, done.updated) == (0, 1)
    ben = person("A2")
    assert (ben.last_name, ben.email) == ("Bellamy", "ben@example.org")
    assert Person.objects.filter(first_name="Ben").count() == 1


def test_reimporting_the_same_file_leaves_everyone_unchanged(world):
    import_file(world.derby, [HEADER, *THREE])
    before = people_state()
    again = checked_file(world, THREE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    apply(again)
    assert people_state() == before


# Rejected rows ----------------------------------------------------------------------------------------------


def test_bad_email_rejects_the_row_naming_the_column(world):
    checked = checked_file(world, [member("A1", email="amy@"), member("A2", email="ben@example.org")])
    assert checked.rejected == 1
    assert problems(checked) == [
        (2, "Email", "“amy@” is not an email address: it needs an @ and a domain, like name@example.org.")
    ]


def test_rejected_rows_are_left_out_of_the_import(world):
    done = apply(checked_file(world, [member("A1", email="amy@"), member("A2", email="ben@example.org")]))
    assert done.created == 1
    assert not Person.objects.filter(membership_number="A1").exists()


def test_missing_name_or_number_rejects_the_row(world):
    checked = checked_file(world, [member("", "Amy", "Ash"), member("A2", "", "Bell"), member("A3", "Cat", "")])
    assert checked.rejected == 3
    assert messages(checked) == [
        "Enter the membership number: people are matched by it.",
        "Enter the first name.",
        "Enter the last name.",
    ]


def test_duplicate_membership_number_rejects_the_later_row_naming_the_first(world):
    checked = checked_file(world, [member("A1", "Amy"), member("A2", "Ben"), member("a1", "Ann"), member("A1", "Al")])
    assert (checked.created, checked.rejected) == (2, 2)
    assert problems(checked) == [
        (4, "Membership number", msg := "A1 is also on row 2: a membership number belongs to one person. "
         "Remove the row that is wrong."),
        (5, "Membership number", msg),
    ]  # fmt: skip
    apply(checked)
    assert person("A1").first_name == "Amy"


@pytest.mark.parametrize("written", ["03/04/2020", "3/4/2020", "03.04.2020", "03-04-2020", "2020-04-03"])
def test_dates_are_read_day_first_as_in_the_uk(world, written):
    apply(checked_file(world, [member("A1", joined=written)]))
    assert person("A1").joined_on == datetime.date(2020, 4, 3)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("April 3rd 2020", "is not a date we understand: write it as dd/mm/yyyy"),
        ("2020/04/03", "is not a date we understand"),
        ("31/02/2020", "is not a real date: check the day and the month"),
        ("04/13/2020", "is not a real date"),
        ("01/01/1850", "is before 1900"),
    ],
)
def test_a_date_not_understood_rejects_the_row(world, written, message):
    checked = checked_file(world, [member("A1", joined=written)])
    assert checked.rejected == 1
    assert message in messages(checked)[0]


def test_a_date_in_the_future_rejects_the_row(world):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    checked = checked_file(world, [member("A1", joined=tomorrow)])
    assert messages(checked) == [f"“{tomorrow}” is in the future: the date joined must be today or earlier."]


def test_a_branch_code_outside_the_import_is_rejected(world):
    header = ["Member No", "Forename", "Surname", "Branch"]
    checked = checked_file(world, [["A1", "Amy", "Ash", "EM-NOTTS"], ["A2", "Ben", "Bell", "em-derby"]], header=header)
    assert (checked.created, checked.rejected) == (1, 1)
    assert problems(checked) == [(2, "Branch", "“EM-NOTTS” is not the code of a branch in Derby City. Check the code.")]


def test_a_new_workplace_without_an_employer_rejects_the_row(world):
    checked = checked_file(world, [member("A1", workplace="Bus Garage")])
    assert checked.rejected == 1
    assert messages(checked)[0].startswith("“Bus Garage” is not a workplace of this branch yet: give its employer")
    assert checked.new_workplaces == []


def test_a_formula_looking_cell_rejects_the_row(world):
    checked = checked_file(world, [member("A1", last='=HYPERLINK("http://example.com/x","click")')])
    assert checked.rejected == 1
    assert "looks like a spreadsheet formula: enter the value itself" in messages(checked)[0]


def test_a_too_long_field_rejects_the_row(world):
    checked = checked_file(world, [member("A1", last="L" * 81)])
    assert messages(checked) == ["The last name is 81 characters long: the most is 80."]


def test_a_membership_number_that_grows_when_upper_cased_is_rejected(world):
    # "ﬃ" upper-cases to "FFI": 11 of them made a 33-character number that PostgreSQL refused.
    checked = checked_file(world, [member("ﬃ" * 11)])
    assert checked.rejected == 1
    assert "is not a membership number: use only letters, digits" in messages(checked)[0]


def test_an_email_that_grows_when_lower_cased_past_the_limit_is_rejected(world):
    # "İ" lower-cases to two characters, past the 254 that PostgreSQL keeps.
    checked = checked_file(world, [member("A1", email="İ" * 240 + "@example.org")])
    assert messages(checked) == ["The email is 492 characters long: the most is 254."]


def test_a_status_not_known_rejects_the_row_and_known_words_are_understood(world):
    header = ["Member No", "Forename", "Surname", "Membership Status"]
    rows = [["A1", "Amy", "Ash", "In arrears"], ["A2", "Ben", "Bell", "RESIGNED"], ["A3", "Cat", "Cole", "Gold"]]
    checked = checked_file(world, rows, header=header)
    assert messages(checked) == [
        "“Gold” is not a status we know. Use Member, Lapsed, Retired, Unemployed, Left or Non-member."
    ]
    apply(checked)
    assert (person("A1").status, person("A2").status) == (Person.Status.LAPSED, Person.Status.LEFT)


def test_every_problem_of_a_row_is_reported(world):
    checked = checked_file(world, [member("A1", "", "Ash", "nope", joined="yesterday")])
    assert checked.rejected == 1
    assert [column for _row, column, _message in problems(checked)] == ["First name", "Email", "Date joined"]


# Places ------------------------------------------------------------------------------------------------------


def test_existing_workplace_is_matched_whatever_its_case(world):
    apply(checked_file(world, [member("A1", workplace="council HOUSE")]))
    assert person("A1").workplace == world.town_hall


def test_new_employers_and_workplaces_are_listed_by_the_check_and_added_by_the_import(world):
    rows = [
        member("A1", workplace="Bus Garage", employer="Derby Buses"),
        member("A2", workplace="bus garage", employer="Derby Buses"),
        member("A3", workplace="Riverside Library", employer="derby city council"),
    ]
    checked = checked_file(world, rows)
    assert checked.new_employers == ["Derby Buses"]
    assert checked.new_workplaces == [
        ["EM-DERBY", "Bus Garage", "Derby Buses"],
        ["EM-DERBY", "Riverside Library", "derby city council"],
    ]
    assert not Employer.objects.filter(name="Derby Buses").exists()

    apply(checked)

    garage = Workplace.objects.get(name="Bus Garage")
    assert (garage.employer.name, garage.branch) == ("Derby Buses", world.derby)
    assert Workplace.objects.get(name="Riverside Library").employer == world.council
    assert {person("A1").workplace, person("A2").workplace} == {garage}


# Changes made on Learning Desk --------------------------------------------------------------------------------


def test_editing_a_person_records_which_fields_changed_since_the_import(world):
    import_file(world.derby, [HEADER, *THREE])
    amy = person_update(
        acting_user=world.coordinator, person=person("A1"), data={"first_name": "Amy", "phone": "07700 900123"}
    )
    assert amy.edited_fields == "phone"
    person_update(acting_user=world.coordinator, person=amy, data={"job_title": "Porter"})
    assert person("A1").edited_fields == "job_title phone"


def test_a_field_edited_here_since_the_last_import_is_kept_and_reported_as_a_conflict(world):
    import_file(world.derby, [HEADER, *THREE])
    person_update(acting_user=world.coordinator, person=person("A1"), data={"email": "amy.ash@work.example.org"})

    checked = checked_file(world, [member("A1", "Amy", "Ashley", "amy@example.org")])
    assert (checked.updated, checked.conflicting) == (1, 1)
    assert problems(checked, ImportProblem.Kind.CONFLICT) == [
        (2, "Email", "Email was changed on Learning Desk; the file has “amy@example.org”.")
    ]
    apply(checked)

    amy = person("A1")
    assert (amy.last_name, amy.email) == ("Ashley", "amy.ash@work.example.org")
    assert amy.edited_fields == "email"  # still kept at the next import


def test_a_field_edited_here_is_overwritten_when_the_user_chooses_the_files_values(world):
    import_file(world.derby, [HEADER, *THREE])
    person_update(acting_user=world.coordinator, person=person("A1"), data={"email": "amy.ash@work.example.org"})

    done = apply(checked_file(world, [member("A1", "Amy", "Ash", "amy@example.org")]), conflicts="overwrite")

    assert done.updated == 1
    amy = person("A1")
    assert (amy.email, amy.edited_fields) == ("amy@example.org", "")


def test_an_edit_the_file_agrees_with_is_no_conflict(world):
    import_file(world.derby, [HEADER, *THREE])
    person_update(acting_user=world.coordinator, person=person("A1"), data={"email": "amy.ash@work.example.org"})
    checked = checked_file(world, [member("A1", "Amy", "Ash", "amy.ash@work.example.org")])
    assert (checked.unchanged, checked.conflicting) == (1, 0)


def test_hand_entered_people_keep_their_values_at_their_first_import(world):
    maria = world.derby_person
    checked = checked_file(world, [member(maria.membership_number, "Mary", "Alberts", workplace="Stores Road Depot")])
    assert checked.conflicting == 1
    assert {message for _row, _column, message in problems(checked, ImportProblem.Kind.CONFLICT)} == {
        "First name was changed on Learning Desk; the file has “Mary”.",
        "Workplace was changed on Learning Desk; the file has “Stores Road Depot”.",
    }
    apply(checked)
    maria.refresh_from_db()
    assert (maria.first_name, maria.workplace) == ("Maria", world.town_hall)


def test_blank_cells_never_clear_a_field(world):
    import_file(world.derby, [HEADER, member("A1", "Amy", "Ash", "amy@example.org", joined="01/02/2015")])
    done = import_file(world.derby, [HEADER, member("A1", "Amy", "Ash", "", workplace="Council House")])
    assert done.updated == 1
    amy = person("A1")
    assert (amy.email, amy.joined_on, amy.workplace) == ("amy@example.org", datetime.date(2015, 2, 1), world.town_hall)


def test_a_person_in_a_branch_outside_the_import_is_rejected_not_moved(world):
    nia = world.notts_person
    checked = checked_file(world, [member(nia.membership_number, "Nia", "Okafor")])
    assert checked.rejected == 1
    assert "someone in another branch, outside Derby City" in messages(checked)[0]
    apply(checked)
    nia.refresh_from_db()
    assert nia.branch == world.notts


def test_a_person_edited_after_the_check_is_skipped_by_the_import(world):
    import_file(world.derby, [HEADER, *THREE])
    checked = checked_file(world, [member("A1", "Amy", "Ashley"), member("A2", "Ben", "Bellamy")])
    person_update(acting_user=world.coordinator, person=person("A1"), data={"job_title": "Porter"})

    done = apply(checked)

    assert (done.updated, done.skipped) == (1, 1)
    assert (person("A1").last_name, person("A1").job_title) == ("Ash", "Porter")
    assert person("A2").last_name == "Bellamy"


def test_overwriting_conflicts_leaves_alone_a_person_edited_after_the_check(world):
    import_file(world.derby, [HEADER, *THREE])
    person_update(acting_user=world.coordinator, person=person("A1"), data={"email": "amy.ash@work.example.org"})
    checked = checked_file(world, [member("A1", "Amy", "Ash", "amy@example.org")])
    person_update(acting_user=world.coordinator, person=person("A1"), data={"email": "amy@home.example.org"})

    done = apply(checked, conflicts="overwrite")

    assert done.updated == 0
    assert person("A1").email == "amy@home.example.org"


# Members not in the file ---------------------------------------------------------------------------------------


def test_members_missing_from_the_file_are_counted_but_not_marked_left_unless_asked(world):
    done = import_file(world.derby, [HEADER, *THREE])
    assert (done.missing, done.marked_left) == (2, 0)
    assert person(world.derby_person.membership_number).status == Person.Status.MEMBER


def test_mark_left_marks_only_members_of_the_branch_missing_from_the_file(world):
    PersonFactory(branch=world.derby, status=Person.Status.LAPSED, membership_number="L1")
    rejected = member(world.depot_person.membership_number, "Dev", "Patel", "not an email")
    checked = checked_file(world, [*THREE, rejected])
    assert checked.missing == 2  # Maria and the lapsed member; Dev's row is in the file, though rejected

    done = apply(checked, mark_left=True)

    assert done.marked_left == 2
    statuses = dict(Person.objects.values_list("membership_number", "status"))
    assert statuses[world.derby_person.membership_number] == Person.Status.LEFT
    assert statuses["L1"] == Person.Status.LEFT
    assert statuses[world.depot_person.membership_number] == Person.Status.MEMBER
    assert statuses[world.notts_person.membership_number] == Person.Status.MEMBER
    assert statuses["A1"] == Person.Status.MEMBER


# All or nothing -------------------------------------------------------------------------------------------------


def fail_at(name: str):
    def step(reached: str) -> None:
        if reached == name:
            raise RuntimeError(f"failed at {reached}")

    return step


def changing_file(world) -> MemberImport:
    """A checked file that creates, updates, adds a workplace and marks someone left."""
    import_file(world.derby, [HEADER, *THREE])
    return checked_file(
        world,
        [
            member("A1", "Amy", "Ashley"),
            member("A2", "Ben", "Bell", workplace="Bus Garage", employer="Derby Buses"),
            member("A9", "New", "Person"),
        ],
    )


@pytest.mark.parametrize("step", ["places", "created", "updated", "left"])
def test_a_failure_part_way_through_the_import_changes_nobody(world, step):
    checked = changing_file(world)
    checked.mark_left = True
    before = people_state(), Employer.objects.count(), Workplace.objects.count()

    with pytest.raises(RuntimeError):
        engine.apply(checked, after_step=fail_at(step))

    assert (people_state(), Employer.objects.count(), Workplace.objects.count()) == before


def test_a_failed_import_is_marked_failed_with_a_message(world, monkeypatch):
    checked = changing_file(world)
    before = people_state()
    monkeypatch.setattr(engine, "apply", partial(engine.apply, after_step=fail_at("updated")))

    done = apply(checked)

    assert done.status == Status.FAILED
    assert "nothing was changed" in done.error
    assert people_state() == before
    assert not ImportFileChunk.objects.filter(member_import=done).exists()
    assert not ImportRow.objects.filter(member_import=done).exists()


# Before and after ---------------------------------------------------------------------------------------------------


def test_a_stopped_check_ends_cancelled_keeping_nothing_of_the_file(world):
    member_import = start(world.derby, csv_bytes([HEADER, *THREE]))
    member_import.status = Status.CHECKING
    member_import.save()
    services.import_cancel(member_import=member_import)

    services.run_check(member_import.pk)

    member_import.refresh_from_db()
    assert member_import.status == Status.CANCELLED
    assert not ImportRow.objects.filter(member_import=member_import).exists()
    assert not ImportFileChunk.objects.filter(member_import=member_import).exists()
    assert not Person.objects.filter(membership_number="A1").exists()


def test_cancelling_a_checked_import_discards_its_rows_and_file(world):
    checked = checked_file(world, THREE)
    services.import_cancel(member_import=checked)
    assert checked.status == Status.CANCELLED
    assert not ImportRow.objects.filter(member_import=checked).exists()
    assert not ImportFileChunk.objects.filter(member_import=checked).exists()


def test_after_the_import_the_rows_and_file_are_deleted_but_the_error_report_remains(world):
    done = apply(checked_file(world, [*THREE, member("A4", email="nope")]))
    assert done.status == Status.DONE
    assert not ImportRow.objects.filter(member_import=done).exists()
    assert not ImportFileChunk.objects.filter(member_import=done).exists()
    assert [row for row, _column, _message in problems(done)] == [5]


def test_checking_again_starts_afresh(world):
    checked = checked_file(world, [*THREE, member("A4", email="nope")])
    again = check(checked)
    assert (again.created, again.rejected) == (3, 1)
    assert ImportProblem.objects.filter(member_import=again).count() == 1
    assert ImportRow.objects.filter(member_import=again).count() == 4


def test_the_import_is_written_to_the_audit_log(world):
    done = import_file(world.derby, [HEADER, *THREE, member("A4", email="nope")], user=world.coordinator)
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORTED)
    assert event.actor == world.coordinator
    assert event.unit_id == world.derby.pk
    assert event.changes == {
        "created": 3,
        "updated": 0,
        "marked_left": 0,
        "rejected": 1,
        "employers_added": 0,
        "workplaces_added": 0,
    }
    assert str(done.pk) in str(event.target_id)


def test_the_whole_journey_through_the_services_runs_the_background_tasks_on_commit(
    world, django_capture_on_commit_callbacks
):
    member_import = start(world.derby, csv_bytes([HEADER, *THREE]), user=world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_check_start(
            acting_user=world.coordinator, member_import=member_import, mapping=member_import.mapping
        )
    member_import.refresh_from_db()
    assert (member_import.status, member_import.created) == (Status.CHECKED, 3)

    with django_capture_on_commit_callbacks(execute=True):
        services.import_confirm(member_import=member_import, mark_left=False, conflicts="keep")
    member_import.refresh_from_db()
    assert member_import.status == Status.DONE
    assert Person.objects.filter(membership_number__in=["A1", "A2", "A3"]).count() == 3


# Whose import -----------------------------------------------------------------------------------------------------


def test_a_regional_import_places_people_in_the_branches_its_branch_column_names(world):
    header = ["Member No", "Forename", "Surname", "Branch", "Workplace"]
    rows = [
        ["A1", "Amy", "Ash", "EM-DERBY", "Council House"],
        ["A2", "Ben", "Bell", "em-notts", "Queen's Medical Centre"],
        ["A3", "Cat", "Cole", "", ""],
        ["A4", "Dee", "Dunn", "NW-MANC", ""],
    ]
    checked = checked_file(world, rows, header=header, unit=world.region, user=world.regional)
    assert (checked.created, checked.rejected) == (2, 2)
    assert messages(checked) == [
        "Enter the branch code: the import is for all of East Midlands.",
        "“NW-MANC” is not the code of a branch in East Midlands. Check the code.",
    ]

    apply(checked)

    assert (person("A1").branch, person("A1").workplace) == (world.derby, world.town_hall)
    assert (person("A2").branch, person("A2").workplace) == (world.notts, world.hospital)


def test_a_regional_import_marks_left_only_in_the_branches_it_names(world):
    header = ["Member No", "Forename", "Surname", "Branch"]
    checked = checked_file(world, [["A1", "Amy", "Ash", "EM-DERBY"]], header=header, unit=world.region)
    done = apply(checked, mark_left=True)
    assert done.marked_left == 2
    assert person(world.notts_person.membership_number).status == Person.Status.MEMBER
    assert person(world.derby_person.membership_number).status == Person.Status.LEFT


REGIONAL = ["Member No", "Forename", "Surname", "Branch", "Workplace"]


def test_a_member_the_file_moves_to_another_branch_leaves_the_old_branchs_workplace(world):
    import_file(world.region, [REGIONAL, ["A1", "Amy", "Ash", "EM-DERBY", "Council House"]])
    import_file(world.region, [REGIONAL, ["A1", "Amy", "Ash", "EM-NOTTS", ""]])
    amy = person("A1")
    # Left at the Council House, a Nottingham member would show to Derby's ULR there.
    assert (amy.branch, amy.workplace) == (world.notts, None)


def test_a_branch_kept_against_the_file_keeps_the_workplace_too(world):
    import_file(world.region, [REGIONAL, ["A1", "Amy", "Ash", "EM-DERBY", ""]])
    person_update(acting_user=world.regional, person=person("A1"), data={"branch": world.notts})

    checked = checked_file(
        world, [["A1", "Amy", "Ash", "EM-DERBY", "Council House"]], header=REGIONAL, unit=world.region
    )
    assert [message for _r, _c, message in problems(checked, ImportProblem.Kind.CONFLICT)] == [
        "Branch code was changed on Learning Desk; the file has “EM-DERBY”.",
        "Workplace was changed on Learning Desk; the file has “Council House”.",
    ]
    apply(checked)

    amy = person("A1")
    assert (amy.branch, amy.workplace) == (world.notts, None)


def test_overwriting_a_kept_branch_moves_the_member_with_the_files_workplace(world):
    import_file(world.region, [REGIONAL, ["A1", "Amy", "Ash", "EM-DERBY", ""]])
    person_update(acting_user=world.regional, person=person("A1"), data={"branch": world.notts})
    checked = checked_file(
        world, [["A1", "Amy", "Ash", "EM-DERBY", "Council House"]], header=REGIONAL, unit=world.region
    )

    apply(checked, conflicts="overwrite")

    amy = person("A1")
    assert (amy.branch, amy.workplace) == (world.derby, world.town_hall)


def test_overwriting_a_kept_branch_alone_takes_the_member_off_the_old_branchs_workplace(world):
    import_file(world.region, [REGIONAL, ["A1", "Amy", "Ash", "EM-DERBY", ""]])
    person_update(
        acting_user=world.regional, person=person("A1"), data={"branch": world.notts, "workplace": world.hospital}
    )
    checked = checked_file(world, [["A1", "Amy", "Ash", "EM-DERBY", ""]], header=REGIONAL, unit=world.region)

    apply(checked, conflicts="overwrite")

    amy = person("A1")
    assert (amy.branch, amy.workplace) == (world.derby, None)


def test_a_branch_import_without_a_branch_column_puts_everyone_in_the_branch(world):
    done = import_file(world.derby, [HEADER, *THREE], user=world.coordinator)
    assert done.created == 3
    assert set(Person.objects.filter(membership_number__in=["A1", "A2", "A3"]).values_list("branch", flat=True)) == {
        world.derby.pk
    }
