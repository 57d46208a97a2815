"""The member import on a phone: upload a file with bad rows, match columns, see the check, import, find a member.

The test settings run background tasks at once (ImmediateBackend), so the check and the import finish inside
the POST; the progress bar is shown on an import put in the "checking" state by hand.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from learningdesk.imports.models import MemberImport
from learningdesk.org.models import Person
from tests.browser.conftest import sign_in
from tests.factories import PersonFactory
from tests.imports import csv_bytes, start
from tests.imports.test_import_views import JOURNEY_ROWS


def test_a_branch_coordinator_imports_a_member_file_on_a_phone(world, phone, tmp_path):
    PersonFactory.create_batch(12, branch=world.derby, workplace=world.town_hall)
    member_file = tmp_path / "derby-members.csv"
    member_file.write_bytes(csv_bytes(JOURNEY_ROWS))
    page = phone.page
    sign_in(phone, "coordinator@example.org")

    phone.goto("/people/")
    page.get_by_role("button", name="Import members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Member imports")
    phone.check("import-list-empty")

    page.get_by_role("button", name="Import members").click()
    page.get_by_role("button", name="Upload file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the member file to upload")
    phone.check("import-upload-error")
    page.get_by_label("Member file").set_input_files(member_file)
    phone.check("import-upload")
    page.get_by_role("button", name="Upload file").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Match the columns")
    expect(page.get_by_label("Import “Last name” as")).to_have_value("last_name")
    page.get_by_label("Import “Last name” as").select_option(label="Do not import")
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the column that holds the last name.")
    phone.check("import-columns-error")
    page.get_by_label("Import “Last name” as").select_option(label="Last name")
    phone.check("import-columns")
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check what the import will do")
    dry_run = page.locator(".ld-dry-run")
    expect(dry_run).to_contain_text("4 new people")
    expect(dry_run).to_contain_text("3 rows rejected")
    expect(dry_run).to_contain_text("14 members of Derby City are not in the file")
    problems = page.locator(".ld-problems")
    expect(problems).to_contain_text("“not an email” is not an email address")
    expect(problems).to_contain_text("Date joined")
    expect(page.get_by_text("Riverside Library, Derby City Council")).to_be_visible()
    phone.check("import-dry-run")

    page.get_by_role("button", name="Import 4 rows and leave out 3 rejected rows").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members imported")
    expect(page.locator(".govuk-panel__body")).to_contain_text("4 added, 0 updated")
    phone.check("import-done")
    assert Person.objects.filter(membership_number__startswith="D1").count() == 4

    page.get_by_role("button", name="Go to people").click()
    # Type only once the page (and htmx, which searches as you type) has loaded: a click waits for less.
    page.wait_for_load_state("load")
    page.get_by_label("Search").fill("novak")
    expect(page.locator(".ld-result")).to_have_count(1)
    expect(page.locator(".ld-result")).to_contain_text("Novak, Dmitri")
    phone.check("import-find-member")

    page.get_by_role("link", name="Novak, Dmitri").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dmitri Novak")

    phone.goto("/people/imports/")
    expect(page.locator(".govuk-table")).to_contain_text("derby-members.csv")
    phone.check("import-list")


def test_the_progress_bar_follows_a_running_check_until_it_is_done(world, phone):
    member_import = start(world.derby, csv_bytes(JOURNEY_ROWS), user=world.coordinator, file_name="big-branch.csv")
    running = MemberImport.objects.filter(pk=member_import.pk)
    running.update(status=MemberImport.Status.CHECKING, rows_total=3000, rows_done=1200)
    sign_in(phone, "coordinator@example.org")

    phone.goto(f"/people/imports/{member_import.pk}/")
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Checking the file")
    expect(phone.page.locator("progress")).to_have_attribute("value", "40")
    expect(phone.page.get_by_role("button", name="Refresh")).to_be_hidden()  # htmx refreshes it
    phone.check("import-progress")

    running.update(rows_done=2400)
    expect(phone.page.locator(".ld-progress__text")).to_contain_text("80%")
    running.update(status=MemberImport.Status.CHECKED, rows_total=7, created=4, rejected=3)
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Check what the import will do")


def test_without_javascript_a_running_check_has_a_refresh_button(world, phone_without_js):
    member_import = start(world.derby, csv_bytes(JOURNEY_ROWS), user=world.coordinator)
    running = MemberImport.objects.filter(pk=member_import.pk)
    running.update(status=MemberImport.Status.CHECKING, rows_total=3000, rows_done=300)
    sign_in(phone_without_js, "coordinator@example.org")
    phone_without_js.goto(f"/people/imports/{member_import.pk}/")
    expect(phone_without_js.page.locator(".ld-progress__text")).to_contain_text("10%")
    running.update(rows_done=1500)
    phone_without_js.page.get_by_role("button", name="Refresh").click()
    expect(phone_without_js.page.locator(".ld-progress__text")).to_contain_text("50%")
    phone_without_js.page.get_by_role("button", name="Stop the check").click()
    expect(phone_without_js.page.locator(".govuk-notification-banner")).to_contain_text("Stopping the check")
    assert running.get().cancel_requested
    expect(phone_without_js.page).to_have_url(re.compile(rf"/people/imports/{member_import.pk}/$"))


def test_a_regional_coordinator_imports_a_file_that_spans_branches_on_a_desktop(world, desktop, tmp_path):
    member_file = tmp_path / "east-midlands.csv"
    member_file.write_bytes(
        csv_bytes(
            [
                ["Branch", "Member No", "Forename", "Surname", "Workplace", "Employer", "Status"],
                ["EM-DERBY", "R200001", "Hana", "Ishikawa", "Council House", "Derby City Council", "Member"],
                ["EM-NOTTS", "R200002", "Joe", "Kerr", "City Hospital", "Nottingham University Hospitals", "Lapsed"],
                ["EM-LEEDS", "R200003", "Kim", "Lowe", "", "", "Member"],
                ["EM-NOTTS", "R200004", "Lee", "Moss", "", "", "Gone fishing"],
            ]
        )
    )
    page = desktop.page
    sign_in(desktop, "region@example.org")
    desktop.goto("/people/imports/new/")
    page.get_by_label("Member file").set_input_files(member_file)
    page.get_by_label("Who is in the file").select_option(
        label="East Midlands (region): the file has a branch code column"
    )
    desktop.check("import-upload-region")
    page.get_by_role("button", name="Upload file").click()

    expect(page.get_by_label("Import “Branch” as")).to_have_value("branch")
    desktop.check("import-columns-region")
    page.get_by_role("button", name="Check the file").click()

    expect(page.locator(".ld-dry-run")).to_contain_text("2 new people")
    expect(page.locator(".ld-problems")).to_contain_text("“EM-LEEDS” is not the code of a branch in East Midlands")
    expect(page.locator(".ld-problems")).to_contain_text("“Gone fishing” is not a status we know")
    expect(page.get_by_text("City Hospital, Nottingham University Hospitals (EM-NOTTS)")).to_be_visible()
    desktop.check("import-dry-run-region")
    page.get_by_role("button", name="Import 2 rows and leave out 2 rejected rows").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members imported")
    desktop.check("import-done-region")
    assert Person.objects.get(membership_number="R200002").branch == world.notts
