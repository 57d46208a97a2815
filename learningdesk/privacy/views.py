"""Members' data rights for co-ordinators: subject access, the self-service link, erasure, and the retention page.

Each acts on a person the user may change as a co-ordinator of their unit (scoping.get_person_for_data_rights):
anyone else gets 404, as if the person did not exist. Each is a confirmation page (GET) and the action (POST).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.org import scoping
from learningdesk.org.models import Person
from learningdesk.privacy import erasure, retention, self_service
from learningdesk.privacy.forms import ConfirmErasureForm
from learningdesk.privacy.models import RetentionRun
from learningdesk.privacy.subject_access import subject_access_zip


def _crumbs(person: Person, here: str) -> Crumbs:
    return [
        ("People", reverse("org:person_list")),
        (person.full_name, reverse("org:person_detail", args=[person.pk])),
        (here, None),
    ]


@require_http_methods(["GET", "POST"])
def subject_access(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Everything held on the person, as a ZIP of a PDF summary and JSON data: confirm, then download."""
    person = scoping.get_person_for_data_rights(request.user, pk)
    if request.method == "POST":
        name, data = subject_access_zip(acting_user=request.user, person=person)
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
    return render(
        request,
        "privacy/subject_access.html",
        {"person": person, "crumbs": _crumbs(person, "Everything we hold")},
    )


@require_http_methods(["GET", "POST"])
def send_link(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Email the person a link to see and correct their own details and consents."""
    person = scoping.get_person_for_data_rights(request.user, pk)
    if request.method == "POST" and person.email:
        self_service.link_sent_by_staff(acting_user=request.user, person=person)
        messages.success(request, f"We have emailed {person.full_name} a link to check their details.")
        return redirect("org:person_detail", pk=person.pk)
    return render(
        request,
        "privacy/send_link.html",
        {"person": person, "days": self_service.LINK_DAYS, "crumbs": _crumbs(person, "Send a link")},
    )


def _erase(request: AuthenticatedRequest, pk: int, *, what: str) -> HttpResponse:
    person = scoping.get_person_for_data_rights(request.user, pk)
    anonymising = what == erasure.ANONYMISED
    if anonymising and erasure.is_anonymised(person):
        raise Http404
    blockers = erasure.blockers(acting_user=request.user, person=person)
    form = ConfirmErasureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not blockers and form.is_valid():
        name = person.full_name
        try:
            (erasure.anonymise if anonymising else erasure.remove)(acting_user=request.user, person=person)
        except erasure.ErasureRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{name} was {'anonymised' if anonymising else 'removed'}.")
            return redirect("org:person_list")
    return render(
        request,
        "privacy/erase.html",
        {
            "person": person,
            "form": form,
            "anonymising": anonymising,
            "blockers": blockers,
            "held": erasure.held(person) if not blockers else [],
            "says": erasure.ANONYMISE_SAYS if anonymising else erasure.REMOVE_SAYS,
            "crumbs": _crumbs(person, "Anonymise" if anonymising else "Remove"),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Delete the person and everything about them, after a confirmation that says exactly what goes."""
    return _erase(request, pk, what=erasure.REMOVED)


@require_http_methods(["GET", "POST"])
def anonymise(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Keep the person only as an anonymous placeholder, so that what they took part in still counts."""
    return _erase(request, pk, what=erasure.ANONYMISED)


def _national_admin_only(request: AuthenticatedRequest) -> None:
    if not scoping.is_national_admin(request.user):
        raise Http404


def retention_page(request: AuthenticatedRequest) -> HttpResponse:
    """The retention rules in force and the runs that applied them: national administrators only."""
    _national_admin_only(request)
    page = paginate(request, RetentionRun.objects.all())
    page.object_list = [(run, retention.described(run)) for run in page.object_list]
    return render(
        request,
        "privacy/retention.html",
        {"rules": [(rule, rule.in_use()) for rule in retention.RULES], "page": page},
    )


def retention_check(request: AuthenticatedRequest) -> HttpResponse:
    """Count what the rules would remove or anonymise today, without changing anything (a dry run)."""
    _national_admin_only(request)
    if request.method != "POST":
        return redirect("privacy:retention")
    run = retention.run_now(dry_run=True, trigger=RetentionRun.Trigger.PAGE)
    messages.success(request, f"Checked: {run.total} record{'s' if run.total != 1 else ''} have passed their period.")
    return redirect("privacy:retention")
