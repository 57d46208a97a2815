"""Employer contacts: their details, the notes of each conversation, and inviting them to sign in (they then see
only what is shared with their employer) or ending that access."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.employers import contacts
from learningdesk.employers.forms.contacts import ContactForm, ContactNoteForm
from learningdesk.employers.models import CommitteeAction, EmployerContact
from learningdesk.org import scoping
from learningdesk.org.models import Employer

NOTES_PER_PAGE = 10


def employer_crumbs(employer: Employer) -> Crumbs:
    return [
        ("Employers", reverse("org:employer_list")),
        (employer.name, reverse("org:employer_detail", args=[employer.pk])),
    ]


def contact_crumbs(contact: EmployerContact) -> Crumbs:
    return [*employer_crumbs(contact.employer), (contact.name, reverse("employers:contact_detail", args=[contact.pk]))]


def _contact_form(request: AuthenticatedRequest, form: ContactForm, crumbs: Crumbs, cancel_url: str) -> HttpResponse:
    contact: EmployerContact = form.instance
    is_new = contact.pk is None
    if request.method == "POST" and form.is_valid():
        had_access = not is_new and contacts.access_role(contact, today=timezone.localdate()) is not None
        contact = contacts.contact_save(
            acting_user=request.user, contact=form.save(commit=False), today=timezone.localdate()
        )
        message = f"{contact.name} {'added' if is_new else 'saved'}."
        if had_access and not contact.is_current:
            message += " They are no longer in post, so their sign-in has ended."
        messages.success(request, message)
        return redirect("employers:contact_detail", pk=contact.pk)
    return render(
        request,
        "employers/contact_form.html",
        {"form": form, "contact": contact, "employer": contact.employer, "crumbs": crumbs, "cancel_url": cancel_url},
    )


@require_http_methods(["GET", "POST"])
def contact_add(request: AuthenticatedRequest, employer_pk: int) -> HttpResponse:
    employer = scoping.get_workable_employer_for_user(request.user, employer_pk)
    form = ContactForm(request.POST or None, instance=EmployerContact(employer=employer))
    return _contact_form(request, form, employer_crumbs(employer), reverse("org:employer_detail", args=[employer.pk]))


@require_http_methods(["GET", "POST"])
def contact_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contact = scoping.get_employer_contact_for_user(request.user, pk, for_change=True)
    form = ContactForm(request.POST or None, instance=contact)
    return _contact_form(request, form, contact_crumbs(contact), reverse("employers:contact_detail", args=[contact.pk]))


def _detail(
    request: AuthenticatedRequest, contact: EmployerContact, note_form: ContactNoteForm | None = None
) -> HttpResponse:
    today = timezone.localdate()
    can_edit = scoping.may_work_with_employer(request.user, contact.employer)
    if can_edit and note_form is None:
        note_form = ContactNoteForm(prefix="note", initial={"on": today})
    notes = paginate(request, contact.conversations.select_related("recorded_by"), NOTES_PER_PAGE)
    meetings = list(contact.committee_meetings.select_related("committee").order_by("-held_on", "-pk")[:10])
    actions = list(
        contact.committee_actions.select_related("meeting__committee").order_by("status", "due_on", "pk")[:20]
    )
    return render(
        request,
        "employers/contact_detail.html",
        {
            "contact": contact,
            "employer": contact.employer,
            "can_edit": can_edit,
            "note_form": note_form if can_edit else None,
            "notes": notes,
            "meetings": meetings,
            "actions": actions,
            "open": CommitteeAction.Status.OPEN,
            "access": contacts.access_role(contact, today=today),
            "today": today,
            "crumbs": employer_crumbs(contact.employer),
        },
    )


def contact_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail(request, scoping.get_employer_contact_for_user(request.user, pk))


@require_POST
def contact_note_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contact = scoping.get_employer_contact_for_user(request.user, pk, for_change=True)
    form = ContactNoteForm(request.POST, prefix="note")
    if not form.is_valid():
        return _detail(request, contact, form)
    contacts.contact_note_add(acting_user=request.user, contact=contact, note=form.save(commit=False))
    messages.success(request, f"Conversation with {contact.name} recorded.")
    return redirect(reverse("employers:contact_detail", args=[contact.pk]) + "#conversations")


@require_http_methods(["GET", "POST"])
def contact_invite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask, then let the contact sign in: they get an email with a link to choose their password."""
    contact = scoping.get_employer_contact_for_user(request.user, pk, for_change=True)
    today = timezone.localdate()
    problem = contacts.invite_problem(contact, today=today)
    if request.method == "POST" and not problem:
        site_url = f"{request.scheme}://{request.get_host()}"
        try:
            assignment = contacts.contact_invite(
                acting_user=request.user, contact=contact, today=today, site_url=site_url
            )
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(
                request,
                f"Invitation sent to {assignment.user.email}. Once they choose a password they see only what you "
                f"share with {contact.employer.name}.",
            )
            return redirect("employers:contact_detail", pk=contact.pk)
    access = contacts.access_role(contact, today=today)
    return render(
        request,
        "employers/contact_invite.html",
        {
            "contact": contact,
            "problem": problem,
            "again": access is not None,
            "login": contacts.login_for(contact),
            "crumbs": contact_crumbs(contact),
        },
        status=400 if problem and request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def contact_access_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask, then end the contact's sign-in at once."""
    contact = scoping.get_employer_contact_for_user(request.user, pk, for_change=True)
    today = timezone.localdate()
    access = contacts.access_role(contact, today=today)
    if access is None:
        messages.info(request, f"{contact.name} cannot sign in: there is no access to end.")
        return redirect("employers:contact_detail", pk=contact.pk)
    if request.method == "POST":
        contacts.contact_access_end(acting_user=request.user, contact=contact, today=today)
        messages.success(
            request, f"{contact.name} can no longer sign in to see what is shared with {contact.employer.name}."
        )
        return redirect("employers:contact_detail", pk=contact.pk)
    return render(
        request,
        "employers/contact_access_end.html",
        {"contact": contact, "access": access, "crumbs": contact_crumbs(contact)},
    )


urlpatterns: list[URLPattern] = [
    path("<int:employer_pk>/contacts/add/", contact_add, name="contact_add"),
    path("contacts/<int:pk>/", contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/notes/add/", contact_note_add, name="contact_note_add"),
    path("contacts/<int:pk>/invite/", contact_invite, name="contact_invite"),
    path("contacts/<int:pk>/access/end/", contact_access_end, name="contact_access_end"),
]
