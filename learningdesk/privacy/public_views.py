"""The person's own pages, no login: ask for a link by email, then see and correct their details and consents.

Every token is the last segment of its URL, so the request log redacts it with one rule (core/logs.py). Pages
reached by a token are never cached and send no Referer, so the token does not leak to another site.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from learningdesk.org.models import Consent
from learningdesk.privacy import self_service
from learningdesk.privacy.forms import LinkRequestForm, MyDetailsForm
from learningdesk.privacy.models import AnonymisedPerson

SENT = "If we hold your email address, we have sent you a link. Check your email."


def _client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: ClientAddressMiddleware puts the visitor's address there behind a trusted proxy.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    # Not "no-referrer": Chromium then sends "Origin: null" with the page's own form, which Django's CSRF check
    # refuses. "same-origin" still keeps the link, which holds the token, from every other site.
    response["Referrer-Policy"] = "same-origin"
    return response


def _not_valid(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "privacy/public/link_not_valid.html", status=404))


@login_not_required
@require_http_methods(["GET", "POST"])
def request_link(request: HttpRequest) -> HttpResponse:
    """Ask for a link to your details. The answer is the same whether or not the address is known."""
    form = LinkRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if self_service.request_allowed(email=email, ip_address=_client_ip(request)):
            from learningdesk.privacy.tasks import send_details_links

            # Queued with ids (possibly none) so the answer takes as long either way, and no address is kept.
            send_details_links.enqueue(person_ids=self_service.people_with_email(email))
            messages.success(request, SENT)
            return redirect("privacy_public:request")
        form.add_error("email", "You have asked for too many links. Wait an hour, then try again")
        status = 429
    return render(request, "privacy/public/request.html", {"form": form, "days": self_service.LINK_DAYS}, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def details(request: HttpRequest, token: str) -> HttpResponse:
    """The person's contact details and consents, to correct, through the link we emailed them."""
    person = self_service.person_for_token(token)
    if person is None or AnonymisedPerson.objects.filter(person=person).exists():
        return _not_valid(request)
    states = self_service.consent_states(person)
    initial = {name: getattr(person, name) for name in self_service.FIELDS}
    initial |= {f"consent_{kind}": answer for kind, answer in states.items()}
    form = MyDetailsForm(request.POST if request.method == "POST" else None, initial=initial, person=person)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            new_email = form.cleaned_data["email"]
            changes = self_service.update_details(person=person, data=form.details(), consents=form.consents())
            if new_email != person.email:
                if self_service.confirm_allowed(person):
                    self_service.send_email_confirmation(person=person, new_email=new_email)
                    messages.success(
                        request,
                        f"We have sent a link to {new_email}. Your email address changes when you open it.",
                    )
                else:
                    messages.error(request, "We have sent too many links to new addresses. Try again in an hour.")
            if changes:
                messages.success(request, "Your details are saved. Thank you for keeping them up to date.")
            elif new_email == person.email:
                messages.success(request, "Nothing has changed: your details are as they were.")
            return _private(redirect("privacy_public:details", token=token))
        status = 400
    return _private(
        render(
            request,
            "privacy/public/details.html",
            {
                "person": person,
                "form": form,
                "consent_kinds": Consent.Kind.choices,
                "days": self_service.LINK_DAYS,
            },
            status=status,
        )
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """Take a new email address, from a link sent to it. GET shows a button: mail scanners open links too."""
    found = self_service.read_confirm_token(token)
    if found is None:
        return _not_valid(request)
    person, new_email = found
    if request.method == "POST":
        person = self_service.change_email(person=person, new_email=new_email)
        messages.success(request, f"Your email address is now {person.email}.")
        # Links made for the old address stop working: this one was made for the new address, just confirmed.
        return _private(redirect("privacy_public:details", token=self_service.make_token(person)))
    return _private(render(request, "privacy/public/confirm_email.html", {"person": person, "new_email": new_email}))
