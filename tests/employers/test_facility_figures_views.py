"""Facility-time figures through the pages: producing them, the figures page, the officials' form, the CSV and the
one-page PDF, and who may see and change what."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import HTML

from learningdesk.accounts.models import AuditEvent
from learningdesk.employers import facility_figures
from learningdesk.employers.models import FacilityTimeReturn, ReturnOfficial
from learningdesk.org.models import Person, Role
from tests.conftest import client_for
from tests.employers.test_facility_figures import YEAR, add_official, council_return, log, make_worked_example, rep_for
from tests.factories import EmployerFactory, UserFactory, WorkplaceFactory, give_role
from tests.reps import make_rep, rep_with_login

pytestmark = pytest.mark.django_db

LIST = reverse("employers:return_list")


@pytest.fixture
def worked_example(world) -> FacilityTimeReturn:
    return make_worked_example(world)


ADD = reverse("employers:return_add")


def url(name: str, facility_return: FacilityTimeReturn) -> str:
    return reverse(f"employers:{name}", args=[facility_return.pk])


def officials_data(facility_return: FacilityTimeReturn, changes: dict[int, dict] | None = None, **add) -> dict:
    """The officials' form as the page fills it in, with `changes` per official pk and an official to add."""
    officials = list(facility_figures.officials_of(facility_return))
    data = {
        "officials-TOTAL_FORMS": str(len(officials)),
        "officials-INITIAL_FORMS": str(len(officials)),
        "officials-MIN_NUM_FORMS": "0",
        "officials-MAX_NUM_FORMS": "1000",
        "add-weeks": "52.0",
    }
    for index, official in enumerate(officials):
        values = {
            "id": official.pk,
            "hours_per_week": official.hours_per_week,
            "weeks": official.weeks,
            "hourly_cost": "" if official.hourly_cost is None else official.hourly_cost,
        }
        values.update((changes or {}).get(official.pk, {}))
        data.update({f"officials-{index}-{name}": value for name, value in values.items() if value is not None})
    data.update({f"add-{name}": value for name, value in add.items()})
    return data


# Producing the figures ---------------------------------------------------------------------------


def test_coordinator_produces_figures_and_checks_the_officials_filled_in(world, coordinator_client):
    rep_for(world, "Ann", "Ash", on=facility_figures.datetime.date(2024, 1, 10))
    page = coordinator_client.get(f"{ADD}?employer={world.council.pk}")
    assert page.context["form"]["employer"].value() == world.council.pk

    response = coordinator_client.post(
        ADD,
        {"employer": world.council.pk, "year": YEAR, "full_time_hours": "37", "total_pay_bill": "10000000"},
    )

    facility_return = FacilityTimeReturn.objects.get()
    assert response["Location"] == url("return_officials", facility_return)
    assert facility_return.created_by == world.coordinator
    form_page = coordinator_client.get(response["Location"]).content.decode()
    assert "Figures started with 1 official from the register" in form_page
    assert "Ann Ash" in form_page and "Check" in form_page


def test_a_second_set_of_figures_for_the_same_year_is_refused_with_a_link_to_the_first(world, coordinator_client):
    existing = council_return(world)
    response = coordinator_client.post(ADD, {"employer": world.council.pk, "year": YEAR, "full_time_hours": "37"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Derby City Council already has figures for 2025 to 2026" in page
    assert f'href="{url("return_detail", existing)}"' in page
    assert FacilityTimeReturn.objects.count() == 1


def test_bad_numbers_get_a_message_that_says_what_to_fix(world, coordinator_client):
    response = coordinator_client.post(
        ADD, {"employer": world.council.pk, "year": YEAR, "full_time_hours": "90", "total_pay_bill": "lots"}
    )
    errors = response.context["form"].errors
    assert errors["full_time_hours"] == ["The full-time hours a week must be 80 or fewer"]
    assert errors["total_pay_bill"] == ["Enter the total pay bill as a number, like 0"]
    assert not FacilityTimeReturn.objects.exists()


def test_a_private_employer_may_have_figures_with_a_note_that_it_need_not_publish(world, coordinator_client):
    shop = EmployerFactory(name="Derby Co-op", unit=world.derby, is_public_sector=False)
    world.council.is_public_sector = True
    world.council.save()
    form = coordinator_client.get(ADD).context["form"]
    labels = [label for _value, label in form.fields["employer"].choices][1:]
    assert labels.index("Derby City Council") < labels.index("Derby Co-op (not public sector)")

    coordinator_client.post(ADD, {"employer": shop.pk, "year": YEAR, "full_time_hours": "37"})

    page = coordinator_client.get(url("return_detail", FacilityTimeReturn.objects.get())).content.decode()
    assert "not marked as public sector, so the Regulations don't require it to publish" in page


# The list -----------------------------------------------------------------------------------------


def test_list_shows_the_figures_and_the_public_employers_still_to_do(world, coordinator_client):
    council_return(world)
    hospital_trust = EmployerFactory(name="Derby Hospitals", unit=world.derby, is_public_sector=True)
    facility_figures_year = facility_figures.last_complete_year(facility_figures.timezone.localdate())

    page = coordinator_client.get(LIST).content.decode()

    assert url("return_detail", FacilityTimeReturn.objects.get()) in page
    assert f"{ADD}?employer={hospital_trust.pk}" in page
    assert f"Still to produce for {facility_figures_year} to {facility_figures_year + 1}" in page


def test_another_branch_does_not_see_derbys_figures_in_the_list(world, outsider_client):
    council_return(world)
    world.council.is_public_sector = True
    world.council.save()
    page = outsider_client.get(LIST).content.decode()
    assert "Derby City Council" not in page
    assert "No figures yet" in page


def test_list_is_paginated_in_the_database(world, coordinator_client, django_assert_max_num_queries):
    for number in range(30):
        employer = EmployerFactory(name=f"Employer {number:02}", unit=world.derby, is_public_sector=True)
        FacilityTimeReturn.objects.create(employer=employer, year=YEAR)
    with django_assert_max_num_queries(12):
        response = coordinator_client.get(LIST)
    assert len(response.context["page_obj"].object_list) < 30
    assert "30 sets of figures" in response.content.decode()


# The figures page --------------------------------------------------------------------------------


def test_the_figures_page_shows_the_worked_example_as_the_employer_would_publish_it(world, worked_example):
    worked_example.employer_figures = "Officials: 4\nFTE: 3.5\nPay bill: 0.9%"
    worked_example.save()
    page = client_for(world.coordinator).get(url("return_detail", worked_example)).content.decode()
    for shown in ('id="figure-officials">4<', 'id="figure-fte">3.50<', "£84,200.00", "0.84%", "5.34%", "51.98%"):
        assert shown in page
    assert "160 of 2,998 hours" in page
    assert "What the employer published" in page and "Pay bill: 0.9%" in page
    assert "How these are worked out" in page and "counts as paid facility time" in page


def test_missing_inputs_are_called_out_and_shown_as_a_dash_never_a_number(world, worked_example):
    worked_example.total_pay_bill = None
    worked_example.save()
    ReturnOfficial.objects.filter(rep__person__last_name="Cedar").update(hourly_cost=None, hours_checked=False)

    page = client_for(world.coordinator).get(url("return_detail", worked_example)).content.decode()

    assert "Before you rely on these figures" in page
    assert "No hourly cost for Cat Cedar, who spent time on facility time." in page
    assert "No total pay bill entered" in page
    assert "The contracted hours of Cat Cedar are a guess" in page
    assert "£84,200.00" not in page and "0.84%" not in page


def test_reps_who_logged_time_but_are_not_in_the_figures_are_named(world, worked_example):
    forgotten = rep_for(world, "Fred", "Forgot")
    log(forgotten, 6)
    page = client_for(world.coordinator).get(url("return_detail", worked_example)).content.decode()
    assert "Fred Forgot logged time for Derby City Council in the period but is not in these figures" in page


def test_officials_of_another_branch_are_counted_but_not_named(world):
    """A regional employer's figures, seen by Derby's co-ordinator: the Nottingham rep is a row without a name."""
    trust = EmployerFactory(name="East Midlands Ambulance Service", unit=world.region, is_public_sector=True)
    station = WorkplaceFactory(name="Derby station", employer=trust, branch=world.derby)
    facility_return = FacilityTimeReturn.objects.create(employer=trust, year=YEAR)
    add_official(facility_return, rep_for(world, "Ann", "Ash", workplaces=[station]), "37", "20")
    add_official(facility_return, make_rep(world.notts_person, stage="active", workplaces=[]), "37", "20")

    page = client_for(world.coordinator).get(url("return_detail", facility_return)).content.decode()

    assert "Ann Ash" in page and "A rep in another branch" in page
    assert "Okafor" not in page
    officials = client_for(world.coordinator).get(url("return_officials", facility_return)).content.decode()
    assert "1 more official from other branches is in these figures too" in officials
    assert "Okafor" not in officials


def test_the_figures_page_takes_a_fixed_number_of_queries(world, worked_example, django_assert_max_num_queries):
    client = client_for(world.coordinator)
    client.get(url("return_detail", worked_example))  # warm the session
    for number in range(15):
        rep = rep_for(world, "Extra", f"Official{number}")
        log(rep, 3)
        add_official(worked_example, rep, "37", "15")
    with django_assert_max_num_queries(14):
        response = client.get(url("return_detail", worked_example))
    assert response.context["figures"].officials == 19


# Changing the inputs -----------------------------------------------------------------------------


def test_changing_the_pay_bill_is_audited_with_the_fields_changed(world, worked_example):
    client = client_for(world.coordinator)
    response = client.post(
        url("return_edit", worked_example),
        {"total_pay_bill": "20000000", "full_time_hours": "37", "employer_figures": "They say 0.5%"},
    )
    assert response["Location"] == url("return_detail", worked_example)
    worked_example.refresh_from_db()
    assert worked_example.total_pay_bill == Decimal("20000000")
    event = AuditEvent.objects.get(target_type="facilitytimereturn", action=AuditEvent.Action.CHANGED)
    assert event.changes == {"fields": ["employer_figures", "total_pay_bill"]}
    assert "0.42%" in client.get(response["Location"]).content.decode()  # 84,200 ÷ 20,000,000 × 100 = 0.421


def test_saving_the_officials_checks_them_removes_one_and_adds_a_rep(world, worked_example):
    ReturnOfficial.objects.update(hours_checked=False)
    ann, ben = (ReturnOfficial.objects.get(rep__person__last_name=name) for name in ("Ash", "Birch"))
    newcomer = rep_for(world, "Nia", "New")
    client = client_for(world.coordinator)

    response = client.post(
        url("return_officials", worked_example),
        officials_data(
            worked_example,
            {ann.pk: {"hours_per_week": "30"}, ben.pk: {"DELETE": "on"}},
            rep=newcomer.pk,
            hours_per_week="18.5",
            hourly_cost="14.20",
        ),
    )

    assert response["Location"] == url("return_detail", worked_example)
    officials = {o.rep.person.last_name: o for o in facility_figures.officials_of(worked_example)}
    assert set(officials) == {"Ash", "Cedar", "Deal", "New"}
    assert all(o.hours_checked for o in officials.values())
    assert officials["Ash"].hours_per_week == Decimal("30")
    assert officials["New"].hourly_cost == Decimal("14.20")
    assert AuditEvent.objects.filter(target_type="facilitytimereturn", target_id=worked_example.pk).count() == 1


def test_a_mistake_in_the_officials_form_saves_nothing_and_says_what_to_fix(world, worked_example):
    ann = ReturnOfficial.objects.get(rep__person__last_name="Ash")
    client = client_for(world.coordinator)
    response = client.post(
        url("return_officials", worked_example),
        officials_data(worked_example, {ann.pk: {"hours_per_week": "0"}}, rep=rep_for(world, "Nia", "New").pk),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ann Ash: Their contracted hours a week must be 0.5 or more" in page
    assert "Adding an official: Enter their contracted hours a week" in page
    assert ReturnOfficial.objects.get(pk=ann.pk).hours_per_week == Decimal("37")
    assert ReturnOfficial.objects.count() == 4


def test_leaving_the_add_fields_blank_adds_nobody(world, worked_example):
    rep_for(world, "Nia", "New")
    response = client_for(world.coordinator).post(
        url("return_officials", worked_example), officials_data(worked_example)
    )
    assert response.status_code == 302
    assert ReturnOfficial.objects.count() == 4


# The CSV and the PDF -----------------------------------------------------------------------------


def test_the_csv_has_the_four_figures_in_the_regulations_order_then_each_official(world, worked_example):
    Person.objects.filter(last_name="Ash").update(first_name="=HYPERLINK(1)")
    response = client_for(world.coordinator).get(url("return_csv", worked_example))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    labels = [row[0] for row in rows if row]
    sections = [label for label in labels if label[:2] in ("1.", "2.", "3.", "4.")]
    assert sections == [
        "1. Relevant union officials",
        "2. Percentage of time spent on facility time",
        "3. Percentage of pay bill spent on facility time",
        "4. Paid trade union activities",
    ]
    values = {row[0]: row[1] for row in rows if len(row) > 1}
    assert values["Full-time equivalent employee number"] == "3.50"
    assert [values[band] for band in facility_figures.BANDS] == ["1", "1", "1", "1"]
    assert values["Total cost of facility time (£)"] == "84200.00"
    assert "'=HYPERLINK(1) Ash" in labels
    assert response["Content-Disposition"] == (
        'attachment; filename="facility-time-Derby-City-Council-2025-to-2026.csv"'
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert (event.target_id, event.changes) == (worked_example.pk, {"format": "csv"})


def pdf_pages(facility_return: FacilityTimeReturn) -> list:
    result = facility_figures.figures(facility_return)
    html = render_to_string("employers/pdf/facility_figures.html", facility_figures.pdf_context(result))
    return HTML(string=html).render().pages


@pytest.mark.parametrize("with_everything", [False, True])
def test_the_pdf_is_one_a4_page_however_many_officials(world, worked_example, with_everything):
    """40 officials with long names; and, at worst, the employer's figures pasted in at length and every warning."""
    for number in range(36):
        add_official(
            worked_example, rep_for(world, "Bartholomew-Alexander", f"Fitzwilliam-Montgomery{number:02}"), "37", "15"
        )
    if with_everything:
        worked_example.employer_figures = "The council's figures, copied from its website. " * 60
        worked_example.save()
        ReturnOfficial.objects.filter(rep__person__last_name__in=["Cedar", "Deal"]).update(
            hourly_cost=None, hours_checked=False, weeks=Decimal("10")
        )

    pages = pdf_pages(worked_example)

    assert len(pages) == 1
    assert pages[0].width == pytest.approx(210 * 96 / 25.4, rel=0.01)  # A4, in CSS pixels


def test_the_pdf_download_is_audited(world, worked_example):
    response = client_for(world.coordinator).get(url("return_pdf", worked_example))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED, changes={"format": "pdf"}).count() == 1


# Who may see and change what ----------------------------------------------------------------------


def test_a_branch_officer_reads_the_figures_but_changes_nothing(world, worked_example):
    client = client_for(world.officer)
    page = client.get(url("return_detail", worked_example)).content.decode()
    assert "£84,200.00" in page
    assert url("return_edit", worked_example) not in page
    assert client.get(LIST).status_code == 200
    assert client.get(url("return_csv", worked_example)).status_code == 200
    assert client.get(ADD).status_code == 403
    assert client.get(url("return_edit", worked_example)).status_code == 404
    response = client.post(url("return_officials", worked_example), officials_data(worked_example))
    assert response.status_code == 404


def test_a_ulr_sees_no_facility_time_figures(world, worked_example):
    rep_with_login(world)
    client = client_for(world.ulr)
    assert client.get(LIST).status_code == 403
    assert client.get(ADD).status_code == 403
    for name in ("return_detail", "return_csv", "return_pdf", "return_edit", "return_officials"):
        assert client.get(url(name, worked_example)).status_code == 404, name
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_the_regional_coordinator_changes_a_branchs_employer_figures(world, worked_example):
    client = client_for(world.regional)
    response = client.post(url("return_edit", worked_example), {"total_pay_bill": "5000000", "full_time_hours": "37.5"})
    assert response.status_code == 302
    worked_example.refresh_from_db()
    assert worked_example.full_time_hours == Decimal("37.5")


def test_a_coordinator_of_another_branch_cannot_produce_figures_for_derbys_employer(world, outsider_client):
    response = outsider_client.post(ADD, {"employer": world.council.pk, "year": YEAR, "full_time_hours": "37"})
    assert response.context["form"].errors["employer"] == ["Select one of the employers you work with"]
    assert not FacilityTimeReturn.objects.exists()


def test_the_employer_page_can_list_the_figures_the_user_may_see(world, worked_example):
    other = FacilityTimeReturn.objects.create(employer=world.council, year=YEAR - 1)
    assert list(facility_figures.returns_for(world.coordinator, world.council)) == [worked_example, other]
    assert list(facility_figures.returns_for(world.outsider, world.council)) == []
    nobody = UserFactory(email="nobody@example.org")
    give_role(nobody, Role.ULR, world.derby, workplaces=[world.town_hall])
    assert list(facility_figures.returns_for(nobody, world.council)) == []
