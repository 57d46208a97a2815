"""Learners' records: on a person's page for staff, and for the learner themselves through a link sent to
their email address (no login)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.pdf import pdf_response
from learningdesk.learning import records, tokens
from learningdesk.learning.forms.records import RecordRequestForm
from learningdesk.org import scoping, services
from learningdesk.org.models import Person

SENT = "If we hold a learning record for that address, we've sent a link to it. Check your email."


def _person_crumbs(person: Person, here: str | None = None) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [
        ("People", reverse("org:person_list")),
        (person.full_name, reverse("org:person_detail", args=[person.pk])),
    ]
    return [*crumbs, (here, None)] if here else crumbs


# For staff: a person's record ----------------------------------------------------------------------


@require_GET
def person_record(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The whole learning record of a person the user may see."""
    person = scoping.get_person_for_user(request.user, pk)
    services.person_viewed(acting_user=request.user, person=person)
    return render(
        request,
        "learning/records/person_record.html",
        {
            "record": records.learner_record(person),
            "person": person,
            "pdf_url": reverse("learning:person_record_pdf", args=[person.pk]),
            "crumbs": _person_crumbs(person, "Learning record"),
        },
    )


@require_GET
def person_record_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = scoping.get_person_for_user(request.user, pk)
    services.person_viewed(acting_user=request.user, person=person)
    record = records.learner_record(person)
    return pdf_response(records.record_pdf(record), records.record_file_name(person))


# For the learner: a link by email ------------------------------------------------------------------


def _client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a proxy in front sets it (as for django-axes); a header the visitor sends is not trusted.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


@login_not_required
@require_http_methods(["GET", "POST"])
def record_request(request: HttpRequest) -> HttpResponse:
    """Ask for a link to your own record. The answer is the same whether or not the address is known."""
    form = RecordRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if records.record_request_allowed(email=email, ip_address=_client_ip(request)):
            # Sent by the task worker, so the answer takes as long whether or not the address is known.
            records.send_record_links_task.enqueue(email=email)
            messages.success(request, SENT)
            return redirect("learn:record_request")
        form.add_error("email", "You have asked for too many links. Wait an hour, then try again")
        status = 429
    return render(request, "learning/records/record_request.html", {"form": form}, status=status)


def _person_from_token(token: str) -> Person | None:
    """The person a record link was made for; None if it was changed, has expired or they are gone."""
    person_id = tokens.read(tokens.RECORD, token, max_age=tokens.RECORD_MAX_AGE)
    if person_id is None:
        return None
    return Person.objects.select_related("branch").filter(pk=person_id).first()


def _link_not_valid(request: HttpRequest) -> HttpResponse:
    return render(request, "learning/records/link_not_valid.html", status=404)


@login_not_required
@require_GET
def record(request: HttpRequest, token: str) -> HttpResponse:
    """The learner's own record, through the link we emailed them."""
    person = _person_from_token(token)
    if person is None:
        return _link_not_valid(request)
    response = render(
        request,
        "learning/records/own_record.html",
        {
            "record": records.learner_record(person),
            "person": person,
            "pdf_url": reverse("learn:record_pdf", args=[token]),
            "days": tokens.RECORD_MAX_AGE // (24 * 3600),
        },
    )
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"  # the link is the key to the record: keep it out of Referer
    return response


@login_not_required
@require_GET
def record_pdf(request: HttpRequest, token: str) -> HttpResponse:
    person = _person_from_token(token)
    if person is None:
        return _link_not_valid(request)
    record = records.learner_record(person)
    return pdf_response(records.record_pdf(record), records.record_file_name(person), as_attachment=True)


urlpatterns: list[URLPattern] = [  # under /learning/, namespace "learning" (signed in)
    path("people/<int:pk>/record/", person_record, name="person_record"),
    path("people/<int:pk>/record.pdf", person_record_pdf, name="person_record_pdf"),
]
public_urlpatterns: list[URLPattern] = [  # under /learn/, namespace "learn" (no login)
    path("my-record/", record_request, name="record_request"),
    path("my-record/<str:token>/", record, name="record"),
    path("my-record/<str:token>/record.pdf", record_pdf, name="record_pdf"),
]
