"""The member import screens through Django's test client: the journey, each status, scope, query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learningdesk.imports import forms as import_forms
from learningdesk.imports import services
from learningdesk.imports.models import ImportProblem, MemberImport
from learningdesk.org.models import Person
from tests.conftest import client_for
from tests.imports import HEADER, check, csv_bytes, start

Status = MemberImport.Status

# A Derby file with four good rows and three bad ones (rows 4, 6 and 8 as a spreadsheet numbers them).
JOURNEY_ROWS = [
    HEADER,
    ["D100001", "Ann", "Archer", "ann.archer@example.org", "Council House", "Derby City Council", "01/02/2020"],
    ["D100002", "Bilal", "Baker", "bilal@example.org", "Riverside Library", "Derby City Council", "15/06/2021"],
    ["D100003", "Chloe", "Carter", "not an email", "Council House", "Derby City Council", ""],
    ["D100004", "Dmitri", "Novak", "dmitri@example.org", "", "", "2019-03-04"],
    ["D100005", "Ewa", "", "ewa@example.org", "", "", ""],
    ["D100006", "Femi", "Adeyemi", "", "Council House", "Derby City Council", ""],
    ["D100007", "Gus", "Grant", "", "", "", "31/02/2020"],
]


def upload(client, content: bytes, *, name: str = "derby-members.csv", **data):
    return client.post(reverse("imports:upload"), {"file": SimpleUploadedFile(name, content), **data})


def derby_import(world, rows=JOURNEY_ROWS, *, checked: bool = True) -> MemberImport:
    member_import = start(world.derby, csv_bytes(rows), user=world.coordinator, file_name="derby-members.csv")
    return check(member_import) if checked else member_import


# The whole journey ----------------------------------------------------------------------------------------------


def test_a_coordinator_imports_a_file_with_bad_rows_and_finds_a_new_member(
    world, coordinator_client, django_capture_on_commit_callbacks
):
    response = upload(coordinator_client, csv_bytes(JOURNEY_ROWS))
    member_import = MemberImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:columns", args=[member_import.pk])
    assert member_import.unit == world.derby  # the co-ordinator's only branch, without asking

    page = coordinator_client.get(response["Location"])
    columns = page.context["form"]
    assert [columns[f"column_{n}"].initial for n in range(7)] == [
        "membership_number", "first_name", "last_name", "email", "workplace", "employer", "joined_on",
    ]  # fmt: skip
    assert "Ann" in page.content.decode()  # the first rows' values beside each column

    chosen = {f"column_{n}": columns[f"column_{n}"].initial for n in range(7)}
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("imports:columns", args=[member_import.pk]), chosen)
    assert response["Location"] == reverse("imports:detail", args=[member_import.pk])

    page = coordinator_client.get(response["Location"])
    body = page.content.decode()
    member_import.refresh_from_db()
    assert member_import.status == Status.CHECKED
    assert "Check what the import will do" in body
    assert "<strong>4</strong> new people" in body
    assert "<strong>3</strong> rows rejected" in body
    assert "<strong>2</strong> members of Derby City are not in the file" in body  # Maria Alberts and Dev Patel
    assert "Riverside Library" in body  # a new workplace, added on confirming
    rejected = [(p.row_number, p.column) for p in page.context["problems_page"].object_list]
    assert rejected == [(4, "Email"), (6, "Last name"), (8, "Date joined")]
    assert "“not an email” is not an email address" in body
    assert "Import 4 rows and leave out 3 rejected rows" in body
    assert "Mark the 2 members who are not in the file as left" in body

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("imports:confirm", args=[member_import.pk]), {})
    page = coordinator_client.get(response["Location"])
    member_import.refresh_from_db()
    assert member_import.status == Status.DONE
    assert "Members imported" in page.content.decode()
    assert "4 added, 0 updated" in page.content.decode()
    assert Person.objects.get(membership_number="D100002").workplace.name == "Riverside Library"
    assert Person.objects.get(pk=world.derby_person.pk).status == Person.Status.MEMBER  # not asked to mark left

    found = coordinator_client.get(reverse("org:person_list"), {"q": "novak"})
    assert [p.membership_number for p in found.context["page_obj"].object_list] == ["D100004"]


def test_members_missing_from_the_file_are_marked_left_only_when_asked(
    world, coordinator_client, django_capture_on_commit_callbacks
):
    member_import = derby_import(world)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(reverse("imports:confirm", args=[member_import.pk]), {"mark_left": "on"})
    member_import.refresh_from_db()
    assert member_import.marked_left == 2
    assert Person.objects.get(pk=world.derby_person.pk).status == Person.Status.LEFT


# Upload ---------------------------------------------------------------------------------------------------------


def test_an_excel_file_is_read_like_a_csv_file(world, coordinator_client):
    from openpyxl import Workbook

    workbook = Workbook()
    for row in JOURNEY_ROWS:
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)
    response = upload(coordinator_client, content.getvalue(), name="derby-members.xlsx")
    page = coordinator_client.get(response["Location"])
    assert page.context["form"]["column_0"].initial == "membership_number"
    assert "D100001, D100002, D100003" in page.content.decode()


def test_a_file_that_is_not_a_member_list_is_refused_next_to_the_file_field(world, coordinator_client):
    response = upload(coordinator_client, b"\xd0\xcf\x11\xe0old excel", name="members.xls")
    assert response.status_code == 200
    assert "old-style Excel file (.xls)" in str(response.context["form"].errors["file"])
    assert 'class="govuk-file-upload govuk-file-upload--error"' in response.content.decode()
    assert not MemberImport.objects.exists()


def test_no_file_chosen_asks_for_one(world, coordinator_client):
    response = coordinator_client.post(reverse("imports:upload"), {})
    assert response.context["form"].errors["file"] == ["Choose the member file to upload"]


def test_a_file_over_the_size_limit_is_refused_with_the_limit(world, coordinator_client, monkeypatch):
    monkeypatch.setattr(import_forms, "MAX_UPLOAD_BYTES", 100)
    response = upload(coordinator_client, csv_bytes(JOURNEY_ROWS))
    assert "the most is 200 MB" in response.context["form"].errors["file"][0]
    assert not MemberImport.objects.exists()


def test_a_branch_coordinator_is_not_asked_which_unit(world, coordinator_client):
    body = coordinator_client.get(reverse("imports:upload")).content.decode()
    assert 'name="unit"' not in body
    assert "The members will go into <strong>Derby City</strong>" in body


def test_a_regional_coordinator_chooses_the_region_or_one_branch(world):
    response = client_for(world.regional).get(reverse("imports:upload"))
    units = list(response.context["form"].fields["unit"].queryset)
    assert units == [world.region, world.derby, world.notts]
    assert "East Midlands (region): the file has a branch code column" in response.content.decode()


def test_nobody_uploads_into_a_unit_outside_their_scope(world, coordinator_client):
    response = upload(client_for(world.regional), csv_bytes(JOURNEY_ROWS), unit=world.manchester.pk)
    assert "unit" in response.context["form"].errors
    assert not MemberImport.objects.exists()
    upload(coordinator_client, csv_bytes(JOURNEY_ROWS), unit=world.notts.pk)
    assert MemberImport.objects.get().unit == world.derby


# Matching columns -----------------------------------------------------------------------------------------------


def test_missing_and_doubled_columns_are_shown_in_the_summary_and_beside_the_select(world, coordinator_client):
    member_import = derby_import(world, checked=False)
    data = {f"column_{n}": "" for n in range(7)} | {"column_0": "membership_number", "column_1": "first_name"}
    data |= {"column_3": "email", "column_6": "email"}
    response = coordinator_client.post(reverse("imports:columns", args=[member_import.pk]), data)
    form = response.context["form"]
    assert form.errors["column_6"] == ["Choose one column for email: 2 have it."]
    assert "column_3" not in form.errors
    assert form.non_field_errors() == ["Choose the column that holds the last name."]
    body = response.content.decode()
    assert body.count("govuk-error-summary") >= 1
    assert '<a href="#id_column_6">Choose one column for email: 2 have it.</a>' in body
    assert 'class="govuk-select govuk-select--error"' in body
    member_import.refresh_from_db()
    assert member_import.status == Status.UPLOADED


def test_a_region_file_needs_its_branch_column(world):
    member_import = start(world.region, csv_bytes(JOURNEY_ROWS), user=world.regional)
    response = client_for(world.regional).post(
        reverse("imports:columns", args=[member_import.pk]),
        {f"column_{n}": name for n, name in member_import.mapping.items()},
    )
    assert response.context["form"].non_field_errors() == [
        "Choose the column that holds the branch code: this import is for more than one branch."
    ]


def test_the_columns_page_of_a_finished_import_goes_to_the_import(world, coordinator_client):
    member_import = derby_import(world)
    MemberImport.objects.filter(pk=member_import.pk).update(status=Status.DONE)
    response = coordinator_client.get(reverse("imports:columns", args=[member_import.pk]))
    assert response["Location"] == reverse("imports:detail", args=[member_import.pk])


# The import's page in each status -------------------------------------------------------------------------------


def test_an_uploaded_import_opens_on_its_columns(world, coordinator_client):
    member_import = derby_import(world, checked=False)
    response = coordinator_client.get(reverse("imports:detail", args=[member_import.pk]))
    assert response["Location"] == reverse("imports:columns", args=[member_import.pk])


def test_a_running_check_shows_a_progress_bar_that_polls_and_a_refresh_button(world, coordinator_client):
    member_import = derby_import(world, checked=False)
    MemberImport.objects.filter(pk=member_import.pk).update(status=Status.CHECKING, rows_total=3000, rows_done=1200)
    url = reverse("imports:detail", args=[member_import.pk])
    body = coordinator_client.get(url).content.decode()
    assert '<progress id="import-progress-bar" class="ld-progress__bar" max="100" value="40">40%</progress>' in body
    assert f'hx-get="{url}" hx-trigger="every 1s" hx-swap="outerHTML"' in body
    assert "1,200 of about 3,000 rows" in body
    assert f'href="{url}" role="button"' in body  # Refresh, for a browser without JavaScript
    assert "ld-without-js" in body
    assert reverse("imports:cancel", args=[member_import.pk]) in body  # Stop


def test_polling_gets_only_the_progress_until_the_import_has_finished(world, coordinator_client):
    member_import = derby_import(world, checked=False)
    MemberImport.objects.filter(pk=member_import.pk).update(status=Status.CHECKING, rows_total=10, rows_done=5)
    url = reverse("imports:detail", args=[member_import.pk])
    response = coordinator_client.get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="import-progress"')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]
    MemberImport.objects.filter(pk=member_import.pk).update(status=Status.CHECKED)
    response = coordinator_client.get(url, headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true"  # the whole page changes: the polling stops with it


def test_an_import_being_saved_shows_that_it_is_running(world, coordinator_client):
    member_import = derby_import(world)
    MemberImport.objects.filter(pk=member_import.pk).update(status=Status.IMPORTING)
    body = coordinator_client.get(reverse("imports:detail", args=[member_import.pk])).content.decode()
    assert "Importing members" in body
    assert "<progress" in body
    assert "Saving 4 rows in one go" in body
    assert "Stop" not in body  # the import itself is all or nothing: it is not stopped half way


def test_stopping_a_running_check_asks_it_to_stop(world, coordinator_client):
    member_import = derby_import(world, checked=False)
    MemberImport.objects.filter(pk=member_import.pk).update(status=Status.CHECKING)
    response = coordinator_client.post(reverse("imports:cancel", args=[member_import.pk]))
    assert response.status_code == 302
    member_import.refresh_from_db()
    assert member_import.cancel_requested


def test_cancelling_a_checked_import_changes_nothing_and_offers_to_start_again(world, coordinator_client):
    member_import = derby_import(world)
    response = coordinator_client.post(reverse("imports:cancel", args=[member_import.pk]), follow=True)
    member_import.refresh_from_db()
    assert member_import.status == Status.CANCELLED
    body = response.content.decode()
    assert "Import cancelled" in body
    assert "Start again" in body
    assert not Person.objects.filter(membership_number="D100001").exists()


def test_a_failed_import_says_why(world, coordinator_client):
    member_import = derby_import(world)
    MemberImport.objects.filter(pk=member_import.pk).update(status=Status.FAILED, error="The file ended early.")
    body = coordinator_client.get(reverse("imports:detail", args=[member_import.pk])).content.decode()
    assert "The import did not work" in body
    assert "The file ended early." in body
    assert reverse("imports:upload") in body


def test_confirming_an_import_twice_imports_it_once(world, coordinator_client, django_capture_on_commit_callbacks):
    member_import = derby_import(world)
    url = reverse("imports:confirm", args=[member_import.pk])
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url, {})
        response = coordinator_client.post(url, {}, follow=True)
    assert "moved on since that page was shown" in response.content.decode()
    assert Person.objects.filter(membership_number__startswith="D1").count() == 4


def test_two_confirmations_at_once_start_one_import(world, django_capture_on_commit_callbacks):
    member_import = derby_import(world)
    other_tab = MemberImport.objects.get(pk=member_import.pk)  # loaded before either confirmation
    with django_capture_on_commit_callbacks() as enqueued:
        services.import_confirm(member_import=member_import, mark_left=False, conflicts="keep")
        again = services.import_confirm(member_import=other_tab, mark_left=True, conflicts="overwrite")
    assert len(enqueued) == 1
    assert (again.status, again.mark_left) == (Status.IMPORTING, False)


def test_conflicts_offer_a_choice_and_the_file_wins_only_when_chosen(
    world, coordinator_client, django_capture_on_commit_callbacks
):
    from learningdesk.org.services import person_update

    first = derby_import(world, JOURNEY_ROWS[:2])
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(reverse("imports:confirm", args=[first.pk]), {})
    ann = Person.objects.get(membership_number="D100001")
    person_update(acting_user=world.coordinator, person=ann, data={"email": "ann@home.example.org"})
    changed = [[*JOURNEY_ROWS[1][:3], "ann.new@example.org", *JOURNEY_ROWS[1][4:]]]
    second = derby_import(world, [HEADER, *changed])
    url = reverse("imports:detail", args=[second.pk])
    body = coordinator_client.get(url).content.decode()
    assert "row with fields changed on Learning Desk since the last import" in body
    assert "Use the values in the file" in body
    assert "ann.new@example.org" in body
    assert reverse("org:person_detail", args=[ann.pk]) in body
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(reverse("imports:confirm", args=[second.pk]), {"conflicts": "overwrite"})
    ann.refresh_from_db()
    assert ann.email == "ann.new@example.org"


# Error report ---------------------------------------------------------------------------------------------------


def test_the_error_report_lists_every_problem_and_defuses_formulas(world, coordinator_client):
    header = [*HEADER[:3], "@Email", *HEADER[4:]]  # a header is copied into the report's Column cells
    rows = [header, *JOURNEY_ROWS[1:], ["=HYPERLINK(1)", "Hal", "Hart", "", "", "", ""]]
    member_import = derby_import(world, rows)
    response = coordinator_client.get(reverse("imports:error_report", args=[member_import.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="derby-members-problems.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["Row", "Column", "Problem", "Kind", "Value in the file"]
    assert [line[:2] for line in lines[1:4]] == [["4", "'@Email"], ["6", "Last name"], ["8", "Date joined"]]
    assert len(lines) == 1 + ImportProblem.objects.filter(member_import=member_import).count()
    for line in lines[1:]:
        for cell in line:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


# Who may do it --------------------------------------------------------------------------------------------------

RECORD_URLS = ["imports:detail", "imports:columns", "imports:confirm", "imports:cancel", "imports:error_report"]


@pytest.mark.parametrize("name", ["imports:list", "imports:upload", *RECORD_URLS])
def test_anonymous_users_are_sent_to_sign_in(world, client, name):
    kwargs = {"pk": derby_import(world, checked=False).pk} if name in RECORD_URLS else {}
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", RECORD_URLS)
def test_it_checks_scope(world, outsider_client, name):
    member_import = derby_import(world)
    url = reverse(name, args=[member_import.pk])
    for response in (outsider_client.get(url), outsider_client.post(url, {"mark_left": "on"})):
        assert response.status_code in (404, 405)
    member_import.refresh_from_db()
    assert member_import.status == Status.CHECKED


@pytest.mark.parametrize("persona", ["officer", "ulr", "equality"])
@pytest.mark.parametrize("name", ["imports:list", "imports:upload", *RECORD_URLS])
def test_only_coordinators_reach_the_import(world, persona, name):
    kwargs = {"pk": derby_import(world).pk} if name in RECORD_URLS else {}
    client = client_for(getattr(world, persona))
    assert client.get(reverse(name, kwargs=kwargs)).status_code in (404, 405)
    assert client.post(reverse(name, kwargs=kwargs)).status_code in (404, 405)


def test_the_regional_coordinator_sees_a_branch_import_and_the_outsider_does_not(world, outsider_client):
    derby_import(world)
    regional = client_for(world.regional).get(reverse("imports:list"))
    assert [mi.file_name for mi in regional.context["page_obj"].object_list] == ["derby-members.csv"]
    outsider = outsider_client.get(reverse("imports:list"))
    assert "derby-members.csv" not in outsider.content.decode()
    assert "No member files have been imported yet" in outsider.content.decode()


def test_the_people_list_offers_the_import_to_coordinators_only(world, coordinator_client):
    assert reverse("imports:list") in coordinator_client.get(reverse("org:person_list")).content.decode()
    officer_page = client_for(world.officer).get(reverse("org:person_list")).content.decode()
    assert reverse("imports:list") not in officer_page


# Query counts ---------------------------------------------------------------------------------------------------


def test_the_imports_list_pages_in_the_database(world, coordinator_client, django_assert_max_num_queries, settings):
    settings.PAGE_SIZE = 10
    for number in range(15):
        MemberImport.objects.create(
            created_by=world.coordinator, unit=world.derby, file_name=f"file-{number}.csv", status=Status.DONE
        )
    with django_assert_max_num_queries(6):
        response = coordinator_client.get(reverse("imports:list"))
    assert response.context["page_obj"].paginator.count == 15
    assert len(response.context["page_obj"].object_list) == 10


def test_a_check_with_many_problems_shows_them_fifty_at_a_time(
    world, coordinator_client, django_assert_max_num_queries
):
    rows = [HEADER] + [[f"X{n}", "Name", "", "", "", "", ""] for n in range(300)]
    member_import = derby_import(world, rows)
    assert member_import.rejected == 300
    url = reverse("imports:detail", args=[member_import.pk])
    with django_assert_max_num_queries(7):
        response = coordinator_client.get(url, {"page": 3})
    page = response.context["problems_page"]
    assert page.paginator.count == 300
    assert [p.row_number for p in page.object_list][:2] == [102, 103]
    assert "Import 0 rows" not in response.content.decode()
