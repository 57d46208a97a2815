"""Learning agreements: recording and changing one (with the rules between its dates), its key elements
checklist, the list with the elements matrix, and who may do what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.employers import agreements
from learningdesk.employers.models import AgreementElement, Element, LearningAgreement
from learningdesk.org.models import Role
from tests.conftest import client_for
from tests.employers import days_from_today, make_agreement
from tests.factories import EmployerFactory, UserFactory, WorkplaceFactory, give_role

pytestmark = pytest.mark.django_db

Status = LearningAgreement.Status


def save(world, agreement=None, **data):
    values = {
        "title": "Learning agreement 2026",
        "status": Status.NEGOTIATING,
        "signed_on": None,
        "review_on": None,
        "ended_on": None,
        "units": [world.derby],
        "negotiated_by": [],
        **data,
    }
    return agreements.agreement_save(
        acting_user=world.coordinator, agreement=agreement, employer=world.council, data=values
    ).agreement


def form_data(world, **data) -> dict:
    return {
        "title": "Learning agreement 2026",
        "units": [world.derby.pk],
        "status": Status.SIGNED,
        "signed_on": days_from_today(-10).isoformat(),
        "review_on": days_from_today(355).isoformat(),
        "ended_on": "",
        "employer_negotiators": "Jo Bloggs (Head of HR)",
        "ulr_hours": "",
        "ulr_per": "week",
        "coordinator_hours": "",
        "coordinator_per": "week",
        "learner_hours": "50% of course time",
        "notes": "",
        **data,
    }


def set_elements(agreement, **states):
    for element, state in states.items():
        AgreementElement.objects.filter(agreement=agreement, element=element).update(state=state)


# Recording an agreement -------------------------------------------------------------------------


def test_a_new_agreement_has_the_ten_key_elements_missing(world):
    agreement = save(world)
    assert sorted(agreement.elements.values_list("element", flat=True)) == sorted(Element.values)
    assert set(agreement.elements.values_list("state", flat=True)) == {AgreementElement.State.MISSING}
    assert list(agreement.units.all()) == [world.derby]
    event = AuditEvent.objects.get(target_type="learningagreement", target_id=agreement.pk)
    assert (event.action, event.actor, event.unit) == ("created", world.coordinator, world.derby)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"status": Status.SIGNED}, "signed_on", "Enter the date the agreement was signed"),
        ({"status": Status.DRAFT, "signed_on": days_from_today(-3)}, "signed_on", "has not been signed"),
        ({"status": Status.SIGNED, "signed_on": days_from_today(2)}, "signed_on", "cannot be in the future"),
        (
            {"status": Status.SIGNED, "signed_on": days_from_today(-3), "review_on": days_from_today(-3)},
            "review_on",
            "The review date must be after the date it was signed",
        ),
        (
            {"status": Status.ENDED, "signed_on": days_from_today(-300)},
            "ended_on",
            "Enter the date the agreement ended",
        ),
        ({"ended_on": days_from_today(-3)}, "ended_on", "Only an ended or expired agreement has an end date"),
        (
            {"status": Status.ENDED, "signed_on": days_from_today(-3), "ended_on": days_from_today(-30)},
            "ended_on",
            "The end date must be on or after the date it was signed",
        ),
        ({"units": []}, "units", "Select the branches"),
    ],
)
def test_the_rules_between_the_fields_say_what_to_put_right(world, data, field, message):
    with pytest.raises(ValidationError) as caught:
        save(world, **data)
    assert message in " ".join(caught.value.message_dict[field])
    assert not LearningAgreement.objects.exists()


def test_an_agreement_covers_only_units_with_the_employers_workplaces(world):
    with pytest.raises(ValidationError) as caught:
        save(world, units=[world.notts])
    assert caught.value.message_dict["units"] == [
        "Derby City Council has no workplaces in Nottingham Health: choose the units whose members work there"
    ]


def test_the_region_may_cover_its_branches_workplaces(world):
    agreement = agreements.agreement_save(
        acting_user=world.regional, employer=world.council, data={"title": "Regional", "units": [world.region]}
    ).agreement
    assert list(agreement.units.all()) == [world.region]


def test_a_change_is_audited_with_what_changed(world):
    agreement = save(world)
    save(world, agreement, status=Status.SIGNED, signed_on=days_from_today(-1), review_on=days_from_today(364))
    event = AuditEvent.objects.filter(target_id=agreement.pk, action="changed").get()
    assert event.changes["status"] == ["negotiating", "signed"]
    assert event.changes["review_on"] == [None, str(days_from_today(364))]


def test_the_add_page_asks_for_the_employer_first_then_records_and_opens_the_checklist(world):
    other = EmployerFactory(name="Derby College", unit=world.derby)
    client = client_for(world.coordinator)
    page = client.get(reverse("employers:agreement_add")).content.decode()
    assert "Derby City Council" in page and other.name in page
    url = reverse("employers:agreement_add") + f"?employer={world.council.pk}"
    assert "Derby City" in client.get(url).content.decode()
    response = client.post(url, form_data(world))
    agreement = LearningAgreement.objects.get()
    assert response["Location"] == reverse("employers:agreement_elements", args=[agreement.pk])
    assert (agreement.employer, agreement.status, agreement.employer_negotiators) == (
        world.council,
        Status.SIGNED,
        "Jo Bloggs (Head of HR)",
    )


def test_continuing_without_choosing_an_employer_says_so(world):
    EmployerFactory(name="Derby College", unit=world.derby)
    response = client_for(world.coordinator).get(reverse("employers:agreement_add"), {"employer": ""})
    assert response.context["form"].errors["employer"] == ["Select the employer the agreement is with"]
    assert "There is a problem" in response.content.decode()


def test_a_coordinator_with_one_employer_goes_straight_to_the_form(world):
    response = client_for(world.coordinator).get(reverse("employers:agreement_add"))
    assert response.templates[0].name == "employers/agreement_form.html"
    assert response.context["employer"] == world.council


def test_the_form_shows_each_problem_next_to_its_field(world):
    url = reverse("employers:agreement_add") + f"?employer={world.council.pk}"
    response = client_for(world.coordinator).post(
        url, form_data(world, signed_on="", review_on="", ulr_hours="0.1", units=[])
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["units"] == ["Select the branches (or the region) whose members the agreement covers"]
    assert errors["ulr_hours"] == ["Enter at least 0.25 hours, or leave it blank"]
    page = response.content.decode()
    assert "There is a problem" in page
    assert not LearningAgreement.objects.exists()


def test_a_signed_agreement_without_a_date_is_refused_next_to_the_date(world):
    url = reverse("employers:agreement_add") + f"?employer={world.council.pk}"
    response = client_for(world.coordinator).post(url, form_data(world, signed_on=""))
    assert response.context["form"].errors["signed_on"] == ["Enter the date the agreement was signed"]


def test_another_branchs_employer_cannot_be_chosen(world, outsider_client):
    url = reverse("employers:agreement_add") + f"?employer={world.council.pk}"
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, form_data(world)).status_code == 404
    assert not LearningAgreement.objects.exists()


def test_editing_keeps_the_employer_and_saves_the_changes(world):
    agreement = make_agreement(world)
    url = reverse("employers:agreement_edit", args=[agreement.pk])
    response = client_for(world.coordinator).post(
        url,
        form_data(
            world,
            signed_on=agreement.signed_on.isoformat(),
            review_on=days_from_today(30).isoformat(),
            title="Renewed",
        ),
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.title, agreement.review_on, agreement.employer) == ("Renewed", days_from_today(30), world.council)


# Who may do what --------------------------------------------------------------------------------


def test_a_branch_officer_reads_but_cannot_change(world):
    agreement = make_agreement(world)
    client = client_for(world.officer)
    page = client.get(reverse("employers:agreement_detail", args=[agreement.pk])).content.decode()
    assert agreement.title in page
    assert reverse("employers:agreement_edit", args=[agreement.pk]) not in page
    assert client.get(reverse("employers:agreement_add")).status_code == 403
    for name in ("agreement_edit", "agreement_elements", "agreement_document_add"):
        assert client.get(reverse(f"employers:{name}", args=[agreement.pk])).status_code == 404
    assert client.post(reverse("employers:agreement_apply_time", args=[agreement.pk])).status_code == 404


def test_a_ulr_sees_the_agreement_of_their_workplaces_employer_but_cannot_change_it(world):
    agreement = make_agreement(world)
    client = client_for(world.ulr)
    assert client.get(reverse("employers:agreement_detail", args=[agreement.pk])).status_code == 200
    assert client.get(reverse("employers:agreement_edit", args=[agreement.pk])).status_code == 404
    assert "Record an agreement" not in client.get(reverse("employers:agreement_list")).content.decode()


def test_the_regional_coordinator_may_change_a_branch_agreement(world):
    agreement = make_agreement(world)
    client = client_for(world.regional)
    url = reverse("employers:agreement_edit", args=[agreement.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(world, signed_on=agreement.signed_on.isoformat(), title="Regional edit"))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "Regional edit"


def test_a_branch_coordinator_works_with_an_employer_of_the_region_where_their_members_work(world):
    regional_employer = EmployerFactory(name="East Midlands Ambulance", unit=world.region)
    WorkplaceFactory(name="Derby Station", employer=regional_employer, branch=world.derby)
    url = reverse("employers:agreement_add") + f"?employer={regional_employer.pk}"
    response = client_for(world.coordinator).get(url)
    assert [unit.name for unit in response.context["form"].fields["units"].queryset] == ["Derby City"]


# The key elements -------------------------------------------------------------------------------


def test_the_checklist_saves_each_element_with_notes_and_is_audited(world):
    agreement = make_agreement(world)
    data = {}
    for element in Element.values:
        data[f"{element}-state"] = "present"
        data[f"{element}-notes"] = ""
    data["equalities-state"] = "weak"
    data["equalities-notes"] = "Mentions equality but no monitoring"
    data["legislation-state"] = "missing"
    response = client_for(world.coordinator).post(reverse("employers:agreement_elements", args=[agreement.pk]), data)
    assert response.status_code == 302
    states = dict(agreement.elements.values_list("element", "state"))
    assert states["equalities"] == "weak" and states["legislation"] == "missing" and states["purpose"] == "present"
    assert agreement.elements.get(element="equalities").notes == "Mentions equality but no monitoring"
    event = AuditEvent.objects.filter(target_id=agreement.pk, action="changed").get()
    assert event.changes["elements"]["equalities"] == ["missing", "weak"]
    assert "legislation" not in event.changes["elements"]


def test_the_checklist_page_has_a_fieldset_for_each_element(world):
    agreement = make_agreement(world)
    page = client_for(world.coordinator).get(reverse("employers:agreement_elements", args=[agreement.pk]))
    html = page.content.decode()
    assert html.count("<fieldset") == 10
    assert "Facility time for ULRs and the learning co-ordinator" in html


def test_an_element_without_a_choice_is_refused_by_name(world):
    agreement = make_agreement(world)
    data = {f"{e}-state": "present" for e in Element.values}
    del data["committee-state"]
    response = client_for(world.coordinator).post(reverse("employers:agreement_elements", args=[agreement.pk]), data)
    assert response.context["form"].errors["committee-state"] == [
        "Select whether a joint learning committee is present, weak or missing"
    ]


# The list and the matrix ------------------------------------------------------------------------


def test_the_matrix_shows_which_agreements_lack_which_elements_with_totals(world):
    first = make_agreement(world, title="Council agreement")
    second = make_agreement(world, title="Depot agreement", status=Status.NEGOTIATING)
    set_elements(first, purpose="present", equalities="weak")
    set_elements(second, purpose="present")
    response = client_for(world.coordinator).get(reverse("employers:agreement_list"))
    totals = {total.element: (total.missing, total.weak) for total in response.context["totals"]}
    assert totals["purpose"] == (0, 0)
    assert totals["equalities"] == (1, 1)
    assert totals["legislation"] == (2, 0)
    page = response.content.decode()
    assert "Present" in page and "Weak" in page and "Missing" in page


def test_the_list_filters_by_a_lacking_element_and_status(world):
    first = make_agreement(world, title="Council agreement")
    make_agreement(world, title="Depot agreement", status=Status.NEGOTIATING)
    set_elements(first, committee="present")
    client = client_for(world.coordinator)
    rows = client.get(reverse("employers:agreement_list"), {"lacking": "committee"}).context["rows"]
    assert [row[0].title for row in rows] == ["Depot agreement"]
    rows = client.get(reverse("employers:agreement_list"), {"status": "signed"}).context["rows"]
    assert [row[0].title for row in rows] == ["Council agreement"]


def test_the_list_filters_by_review_due(world):
    make_agreement(world, title="Soon", review_on=days_from_today(20))
    make_agreement(world, title="Later", review_on=days_from_today(80))
    make_agreement(world, title="Late", review_on=days_from_today(-1))
    make_agreement(world, title="Far off", review_on=days_from_today(200))
    client = client_for(world.coordinator)

    def titles(review: str) -> list[str]:
        rows = client.get(reverse("employers:agreement_list"), {"review": review}).context["rows"]
        return sorted(row[0].title for row in rows)

    assert titles("due") == ["Late", "Later", "Soon"]
    assert titles("30") == ["Late", "Soon"]
    assert titles("overdue") == ["Late"]


def test_the_list_shows_nothing_of_another_branch(world, outsider_client):
    make_agreement(world, title="Council agreement")
    page = outsider_client.get(reverse("employers:agreement_list")).content.decode()
    assert "Council agreement" not in page and "Derby City Council" not in page
    assert "No learning agreements yet" in page


def test_an_empty_list_says_what_to_do(world):
    page = client_for(world.coordinator).get(reverse("employers:agreement_list")).content.decode()
    assert "No learning agreements yet" in page
    assert reverse("employers:agreement_add") in page


def test_the_list_is_paginated_in_a_fixed_number_of_queries(world, settings, django_assert_max_num_queries):
    settings.PAGE_SIZE = 5
    for n in range(12):
        make_agreement(world, title=f"Agreement {n:02d}")
    client = client_for(world.coordinator)
    client.get(reverse("employers:agreement_list"))  # warm the session
    with django_assert_max_num_queries(9):
        response = client.get(reverse("employers:agreement_list"), {"page": 2})
    assert [row[0].title for row in response.context["rows"]] == [f"Agreement {n:02d}" for n in range(5, 10)]
    assert sum(total.missing for total in response.context["totals"]) == 12 * 10


def test_the_detail_page_shows_the_agreement_and_its_checklist(world):
    agreement = make_agreement(world, ulr_hours=Decimal("3"), learner_hours="50% of course time")
    set_elements(agreement, purpose="present", equalities="weak")
    page = client_for(world.coordinator).get(reverse("employers:agreement_detail", args=[agreement.pk]))
    html = page.content.decode()
    assert "3 hours a week" in html
    assert "50% of course time" in html
    assert "1 present, 1 weak, 8 missing" in html
    assert agreement.review_on.strftime("%-d %B %Y") in html


def test_an_employer_contact_with_a_union_role_elsewhere_is_not_confused(world):
    """A Derby co-ordinator who is also the council's contact keeps their union pages (not only shared ones)."""
    user = UserFactory()
    give_role(user, Role.BRANCH_COORDINATOR, world.derby)
    give_role(user, Role.EMPLOYER_CONTACT, world.council.unit, employer=world.council)
    assert client_for(user).get(reverse("employers:agreement_list")).status_code == 200
