"""The resource catalogue: saving with file checks, search and filters, the out-of-date badge, downloads, the
public page of a unit, review reminders, and who may do what."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.learning import resources
from learningdesk.learning.models import Resource, ResourceAudience
from tests.conftest import client_for
from tests.learning import subject
from tests.learning.urls_resources import PDF, derby_resource, make_resource

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def today() -> datetime.date:
    return timezone.localdate()


def in_days(days: int) -> datetime.date:
    return today() + datetime.timedelta(days=days)


def pdf(name: str = "guide.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def office_file(name: str, folder: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def save(world, resource: Resource | None = None, **data) -> Resource:
    values = {
        "unit": world.derby,
        "title": "Maths workbook",
        "description": "",
        "kind": Resource.Kind.LINK,
        "url": "https://www.example.org/maths",
        "visibility": Resource.Visibility.PUBLIC,
        "owner": world.coordinator,
        "review_by": in_days(365),
        **data,
    }
    return resources.resource_save(acting_user=world.coordinator, resource=resource, data=values)


def form_data(world, **data) -> dict:
    return {
        "title": "Money and pensions guide",
        "description": "Plan for retirement.",
        "kind": Resource.Kind.FILE,
        "url": "",
        "visibility": Resource.Visibility.PUBLIC,
        "owner": world.coordinator.pk,
        "review_by": in_days(365).isoformat(),
        "unit": world.derby.pk,
        **data,
    }


# Saving and the file checks ---------------------------------------------------------------------


def test_a_resource_keeps_its_subjects_audiences_and_file(world, media):
    maths = subject()
    resource = save(
        world,
        kind=Resource.Kind.FILE,
        url="",
        file=pdf(),
        subjects=[maths],
        audiences=[ResourceAudience.Group.WOMEN, ResourceAudience.Group.YOUTH],
    )
    assert list(resource.subjects.all()) == [maths]
    assert sorted(resource.audiences.values_list("group", flat=True)) == ["women", "youth"]
    assert (media / resource.file.name).read_bytes() == PDF
    event = AuditEvent.objects.get(target_type="resource", target_id=resource.pk)
    assert (event.action, event.unit, event.actor) == ("created", world.derby, world.coordinator)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("guide.pdf", PDF),
        ("poster.png", PNG),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
        ("talk.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 20),
    ],
)
def test_the_allowed_file_types_are_accepted(name, content):
    assert resources.file_problem(SimpleUploadedFile(name, content)) is None


@pytest.mark.parametrize(("name", "folder"), [("notes.docx", "word"), ("slides.pptx", "ppt"), ("sums.xlsx", "xl")])
def test_office_files_are_accepted(name, folder):
    assert resources.file_problem(office_file(name, folder)) is None


def test_a_pdf_that_is_really_a_text_file_is_refused(world):
    fake = pdf(content=b"#!/bin/sh\necho not a pdf\n")
    assert "not really a PDF file" in resources.file_problem(fake)
    with pytest.raises(ValidationError) as raised:
        save(world, kind=Resource.Kind.FILE, url="", file=fake)
    assert "file" in raised.value.error_dict
    assert not Resource.objects.exists()


def test_a_zip_renamed_docx_is_refused():
    assert "not really a Word (.docx) file" in resources.file_problem(office_file("notes.docx", "xl"))


def test_other_file_types_are_refused():
    problem = resources.file_problem(SimpleUploadedFile("run.exe", b"MZ\x90\x00"))
    assert problem == "The file must be a PDF, DOCX, PPTX, XLSX, MP4, PNG or JPG file"


def test_a_file_over_25_mb_is_refused():
    big = pdf(content=PDF + b"\x00" * (25 * 1024 * 1024))
    assert resources.file_problem(big) == "The file is 25.0\xa0MB: it must be 25 MB or smaller"
    assert resources.file_problem(pdf(content=PDF + b"\x00" * (25 * 1024 * 1024 - len(PDF)))) is None


def test_a_link_needs_its_link(world):
    with pytest.raises(ValidationError) as raised:
        save(world, url="")
    assert "url" in raised.value.error_dict


def test_a_file_needs_its_file(world):
    with pytest.raises(ValidationError) as raised:
        save(world, kind=Resource.Kind.FILE, url="")
    assert "file" in raised.value.error_dict


def test_a_recording_may_be_a_link_or_a_file(world):
    assert save(world, kind=Resource.Kind.WEBINAR).url
    assert save(world, kind=Resource.Kind.WEBINAR, url="", file=pdf()).file


def test_the_review_date_cannot_be_in_the_past_when_adding(world):
    with pytest.raises(ValidationError) as raised:
        save(world, review_by=in_days(-1))
    assert "review_by" in raised.value.error_dict


def test_an_out_of_date_resource_can_be_changed_without_moving_its_date(world):
    resource = make_resource(world.derby, review_by=in_days(-10))
    save(world, resource, title="Maths workbook, 2nd edition", review_by=resource.review_by)
    resource.refresh_from_db()
    assert resource.title == "Maths workbook, 2nd edition"


def test_a_new_file_replaces_the_old_one(world, media, django_capture_on_commit_callbacks):
    resource = save(world, kind=Resource.Kind.FILE, url="", file=pdf("first.pdf"))
    old = media / resource.file.name
    with django_capture_on_commit_callbacks(execute=True):
        save(world, resource, kind=Resource.Kind.FILE, url="", file=pdf("second.pdf"))
    resource.refresh_from_db()
    assert resource.file.name.endswith("second.pdf")
    assert not old.exists()
    event = AuditEvent.objects.filter(target_type="resource", action="changed").get()
    assert event.changes == {"fields": ["file"]}


def test_a_file_changed_into_a_link_drops_its_file(world, media, django_capture_on_commit_callbacks):
    resource = save(world, kind=Resource.Kind.FILE, url="", file=pdf())
    stored = media / resource.file.name
    with django_capture_on_commit_callbacks(execute=True):
        save(world, resource, kind=Resource.Kind.LINK, url="https://example.org/guide")
    resource.refresh_from_db()
    assert (resource.file.name, resource.url) == ("", "https://example.org/guide")
    assert not stored.exists()


def test_deleting_removes_the_resource_and_its_file(world, media, django_capture_on_commit_callbacks):
    resource = save(world, kind=Resource.Kind.FILE, url="", file=pdf())
    stored = media / resource.file.name
    with django_capture_on_commit_callbacks(execute=True):
        resources.resource_delete(acting_user=world.coordinator, resource=resource)
    assert not Resource.objects.exists()
    assert not stored.exists()
    assert AuditEvent.objects.filter(target_type="resource", action="deleted").exists()


# Search and filters -----------------------------------------------------------------------------


def titles(response) -> list[str]:
    return [resource.title for resource in response.context["page_obj"].object_list]


@pytest.fixture
def catalogue(world):
    maths = subject("Functional skills maths")
    money = subject("Money and pensions")
    workbook = make_resource(world.derby, title="Maths workbook", description="Fractions and decimals")
    workbook.subjects.add(maths)
    pensions = make_resource(
        world.derby, title="Pensions explained", description="For YOUNG workers", kind=Resource.Kind.VIDEO
    )
    pensions.subjects.add(money)
    ResourceAudience.objects.create(resource=pensions, group=ResourceAudience.Group.YOUTH)
    plan = derby_resource(world)
    national = make_resource(world.national, title="Union learning handbook", kind=Resource.Kind.MANUAL)
    ResourceAudience.objects.create(resource=national, group=ResourceAudience.Group.REPS)
    make_resource(world.notts, title="Nottingham nursing notes")
    return {"maths": maths, "money": money, "workbook": workbook, "pensions": pensions, "plan": plan}


def test_the_catalogue_lists_the_users_scope_and_the_units_above(world, catalogue):
    response = client_for(world.coordinator).get(reverse("learning:resources"))
    assert titles(response) == [
        "Branch learning plan",
        "Maths workbook",
        "Pensions explained",
        "Union learning handbook",
    ]


def test_search_looks_in_title_and_description_in_any_case(world, catalogue):
    client = client_for(world.coordinator)
    assert titles(client.get(reverse("learning:resources"), {"q": "MATHS"})) == ["Maths workbook"]
    assert titles(client.get(reverse("learning:resources"), {"q": "young"})) == ["Pensions explained"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"audience": "youth"}, ["Pensions explained"]),
        ({"audience": "reps"}, ["Union learning handbook"]),
        ({"audience": "everyone"}, ["Branch learning plan", "Maths workbook"]),
        ({"kind": "video"}, ["Pensions explained"]),
        ({"visibility": "members"}, ["Branch learning plan"]),
    ],
)
def test_filters_narrow_the_list(world, catalogue, params, expected):
    assert titles(client_for(world.coordinator).get(reverse("learning:resources"), params)) == expected


def test_filter_by_subject(world, catalogue):
    response = client_for(world.coordinator).get(reverse("learning:resources"), {"subject": catalogue["money"].pk})
    assert titles(response) == ["Pensions explained"]


def test_a_search_that_finds_nothing_says_what_to_do(world, catalogue):
    response = client_for(world.coordinator).get(reverse("learning:resources"), {"q": "astrophysics"})
    assert "No resources match" in response.content.decode()


def test_an_empty_catalogue_invites_the_first_resource(world):
    page = client_for(world.coordinator).get(reverse("learning:resources")).content.decode()
    assert "No resources yet." in page
    assert "Add the first one" in page


def test_out_of_date_resources_have_a_badge(world):
    make_resource(world.derby, title="Old guide", review_by=in_days(-1))
    make_resource(world.derby, title="Fresh guide", review_by=today())
    page = client_for(world.coordinator).get(reverse("learning:resources")).content.decode()
    assert page.count("Out of date") == 1
    assert page.index("Out of date") > page.index("Old guide")


def test_the_catalogue_does_not_query_per_resource(world, django_assert_max_num_queries):
    def add(count: int) -> None:
        for number in range(count):
            resource = make_resource(world.derby, title=f"Guide {number}", owner=world.coordinator)
            resource.subjects.add(subject())
            ResourceAudience.objects.create(resource=resource, group=ResourceAudience.Group.WOMEN)

    client = client_for(world.coordinator)
    add(3)
    with django_assert_max_num_queries(10):
        client.get(reverse("learning:resources"))
    add(20)
    with django_assert_max_num_queries(10):
        assert len(titles(client.get(reverse("learning:resources")))) == 23


# Adding, changing and deleting through the screens ----------------------------------------------


def test_a_coordinator_adds_a_file_resource(world, media):
    maths = subject()
    response = client_for(world.coordinator).post(
        reverse("learning:resource_add"),
        form_data(world, file=pdf(), subjects=[maths.pk], audiences=["women", "bme"]),
    )
    resource = Resource.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:resource_detail", args=[resource.pk])
    assert (resource.unit, resource.owner, resource.kind) == (world.derby, world.coordinator, "file")
    assert list(resource.subjects.all()) == [maths]
    assert sorted(resource.audiences.values_list("group", flat=True)) == ["bme", "women"]


def test_the_add_form_suggests_a_review_a_year_ahead(world):
    page = client_for(world.coordinator).get(reverse("learning:resource_add")).content.decode()
    assert f'value="{resources.default_review_by().isoformat()}"' in page


def test_a_fake_pdf_gets_a_clear_message_next_to_the_file(world):
    response = client_for(world.coordinator).post(
        reverse("learning:resource_add"), form_data(world, file=pdf(content=b"just some text\n"))
    )
    assert response.status_code == 200
    assert "is called .pdf but is not really a PDF file" in response.context["form"].errors["file"][0]
    assert 'id="id_file-error"' in response.content.decode()
    assert not Resource.objects.exists()


def test_a_link_without_its_link_gets_a_message_next_to_the_link(world):
    response = client_for(world.coordinator).post(
        reverse("learning:resource_add"), form_data(world, kind=Resource.Kind.LINK)
    )
    assert response.context["form"].errors["url"] == ["Enter the link, for example https://www.example.org/course"]
    assert not Resource.objects.exists()


def test_a_review_date_in_the_past_is_refused_when_adding(world):
    response = client_for(world.coordinator).post(
        reverse("learning:resource_add"),
        form_data(world, kind=Resource.Kind.LINK, url="https://example.org", review_by=in_days(-1).isoformat()),
    )
    assert response.context["form"].errors["review_by"] == ["The review-by date must be today or in the future"]


def test_a_coordinator_changes_a_resource(world):
    resource = derby_resource(world)
    data = form_data(world, kind=Resource.Kind.LINK, url="https://example.org/plan", title="Learning plan 2027")
    response = client_for(world.coordinator).post(reverse("learning:resource_edit", args=[resource.pk]), data)
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.title, resource.visibility) == ("Learning plan 2027", "public")
    event = AuditEvent.objects.get(target_type="resource", action="changed")
    assert event.changes == {"fields": ["title", "description", "url", "visibility", "review_by"]}


def test_a_coordinator_deletes_a_resource_after_confirming(world):
    resource = derby_resource(world)
    client = client_for(world.coordinator)
    url = reverse("learning:resource_delete", args=[resource.pk])
    assert "Delete this resource?" in client.get(url).content.decode()
    assert client.post(url)["Location"] == reverse("learning:resources")
    assert not Resource.objects.exists()


@pytest.mark.parametrize("who", ["officer", "ulr"])
def test_officers_and_ulrs_cannot_add_resources(world, who):
    client = client_for(getattr(world, who))
    assert client.get(reverse("learning:resource_add")).status_code == 403
    data = form_data(world, kind=Resource.Kind.LINK, url="https://example.org")
    assert client.post(reverse("learning:resource_add"), data).status_code == 403
    assert not Resource.objects.exists()


@pytest.mark.parametrize("who", ["officer", "ulr"])
def test_officers_and_ulrs_see_but_cannot_change_resources(world, who):
    resource = derby_resource(world)
    client = client_for(getattr(world, who))
    page = client.get(reverse("learning:resource_detail", args=[resource.pk])).content.decode()
    assert "Branch learning plan" in page
    assert reverse("learning:resource_edit", args=[resource.pk]) not in page
    assert client.post(reverse("learning:resource_edit", args=[resource.pk]), form_data(world)).status_code == 404
    assert client.post(reverse("learning:resource_delete", args=[resource.pk])).status_code == 404
    assert Resource.objects.get().title == "Branch learning plan"


def test_an_outsider_cannot_reach_a_derby_resource(world):
    resource = derby_resource(world)
    client = client_for(world.outsider)
    for name in ("learning:resource_detail", "learning:resource_edit", "learning:resource_download"):
        assert client.get(reverse(name, args=[resource.pk])).status_code == 404
    assert client.post(reverse("learning:resource_delete", args=[resource.pk])).status_code == 404
    assert Resource.objects.filter(pk=resource.pk).exists()
    assert "Branch learning plan" not in client.get(reverse("learning:resources")).content.decode()


def test_the_owner_is_chosen_among_people_with_roles_in_the_users_units(world):
    owners = client_for(world.coordinator).get(reverse("learning:resource_add")).context["form"].fields["owner"]
    names = {user.full_name for user in owners.queryset}
    assert {"Carol Coordinator", "Uma Rep", "Olu Officer"} <= names
    assert "Owen Outsider" not in names


# Downloads --------------------------------------------------------------------------------------


def file_resource(world, **fields) -> Resource:
    fields.setdefault("visibility", Resource.Visibility.MEMBERS)
    return save(world, kind=Resource.Kind.FILE, url="", file=pdf("plan.pdf"), **fields)


def test_a_member_in_scope_downloads_the_file_as_an_attachment(world):
    resource = file_resource(world)
    response = client_for(world.ulr).get(reverse("learning:resource_download", args=[resource.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith('attachment; filename="plan')
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_members_only_download_needs_signing_in_and_scope(world, client):
    resource = file_resource(world)
    url = reverse("learning:resource_download", args=[resource.pk])
    assert client.get(url)["Location"].startswith(reverse("login"))
    assert client_for(world.outsider).get(url).status_code == 404
    public_url = reverse("learn:resource_download", kwargs={"code": "em-derby", "pk": resource.pk})
    assert client.get(public_url).status_code == 404


def test_a_public_file_downloads_without_signing_in(world, client):
    resource = file_resource(world, visibility=Resource.Visibility.PUBLIC)
    response = client.get(reverse("learn:resource_download", kwargs={"code": "EM-Derby", "pk": resource.pk}))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]


def test_a_public_file_of_another_branch_is_not_on_derbys_page(world, client):
    resource = file_resource(world, visibility=Resource.Visibility.PUBLIC, unit=world.notts)
    assert client.get(reverse("learn:resource_download", args=["em-derby", resource.pk])).status_code == 404
    assert client.get(reverse("learn:resource_download", args=["em-notts", resource.pk])).status_code == 200


# The public page --------------------------------------------------------------------------------


def public_titles(client, code: str = "em-derby", **params) -> list[str]:
    response = client.get(reverse("learn:resources", args=[code]), params)
    assert response.status_code == 200
    return [resource.title for resource in response.context["page_obj"].object_list]


def test_the_public_page_shows_only_public_resources_not_out_of_date(world, client):
    make_resource(world.derby, title="Maths workbook")
    make_resource(world.derby, title="Branch plan", visibility=Resource.Visibility.MEMBERS)
    make_resource(world.derby, title="Old guide", review_by=in_days(-1))
    make_resource(world.notts, title="Nottingham notes")
    assert public_titles(client) == ["Maths workbook"]


def test_a_national_resource_shows_on_every_branch_page(world, client):
    make_resource(world.national, title="Union learning handbook")
    make_resource(world.region, title="East Midlands courses")
    assert public_titles(client, "EM-DERBY") == ["East Midlands courses", "Union learning handbook"]
    assert public_titles(client, "nw-manc") == ["Union learning handbook"]


def test_the_public_page_is_searchable_and_filterable(world, client, catalogue):
    assert public_titles(client, q="fractions") == ["Maths workbook"]
    assert public_titles(client, subject=catalogue["money"].pk) == ["Pensions explained"]
    assert public_titles(client, audience="reps") == ["Union learning handbook"]


def test_the_public_page_ignores_the_staff_filters(world, client, catalogue):
    assert public_titles(client, visibility="members") == [
        "Maths workbook",
        "Pensions explained",
        "Union learning handbook",
    ]


def test_an_unknown_unit_has_no_public_page(world, client):
    assert client.get(reverse("learn:resources", args=["xx-nowhere"])).status_code == 404


def test_the_public_page_has_an_empty_state(world, client):
    assert "No resources here yet." in client.get(reverse("learn:resources", args=["em-derby"])).content.decode()


def test_the_public_page_does_not_query_per_resource(world, client, django_assert_max_num_queries):
    for number in range(25):
        resource = make_resource(world.derby if number % 2 else world.national, title=f"Guide {number}")
        resource.subjects.add(subject())
        ResourceAudience.objects.create(resource=resource, group=ResourceAudience.Group.DISABLED)
    with django_assert_max_num_queries(6):
        assert len(public_titles(client)) == 25


# Review reminders -------------------------------------------------------------------------------


def test_each_owner_is_reminded_once_about_resources_due_for_review(world):
    make_resource(world.derby, title="Due soon", owner=world.coordinator, review_by=in_days(14))
    make_resource(world.derby, title="Past it", owner=world.coordinator, review_by=in_days(-3))
    make_resource(world.derby, title="In 15 days", owner=world.coordinator, review_by=in_days(15))
    make_resource(world.derby, title="Nobody's", review_by=in_days(1))
    assert resources.send_review_reminders(today()) == 1
    (email,) = mail.outbox
    assert email.to == ["coordinator@example.org"]
    assert email.subject == "2 resources to review"
    assert "Due soon" in email.body and "Past it" in email.body and "In 15 days" not in email.body
    due_soon = Resource.objects.get(title="Due soon")
    assert f"http://127.0.0.1:8000/learning/resources/{due_soon.pk}/edit/" in email.body
    html = email.alternatives[0].content
    assert f"/learning/resources/{due_soon.pk}/edit/" in html

    assert resources.send_review_reminders(today()) == 0
    assert len(mail.outbox) == 1
    # A week on, only the resource that has come within two weeks of its date since.
    assert resources.send_review_reminders(in_days(7)) == 1
    assert mail.outbox[-1].subject == "Resource to review: In 15 days"


def test_a_new_review_date_means_a_new_reminder_when_it_comes(world):
    resource = make_resource(world.derby, title="Due soon", owner=world.coordinator, review_by=in_days(3))
    resources.send_review_reminders(today())
    save(world, resource, title=resource.title, url=resource.url, review_by=in_days(300))
    assert resources.send_review_reminders(today()) == 0
    assert resources.send_review_reminders(in_days(290)) == 1
    assert mail.outbox[-1].subject == "Resource to review: Due soon"
