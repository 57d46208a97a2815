"""Pages for people without a login: unsubscribing from an email's link, and a unit's public newsletter archive.

Unsubscribing never happens on GET: mail scanners open every link in a message, so the link shows a page with a
button, and only a POST (the button, or a mail program's RFC 8058 one-click POST, which carries no cookie and no
CSRF token) withdraws the consent. The token is the last part of the path, where the request log redacts it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.comms import content, selectors, services
from learningdesk.core import ratelimit
from learningdesk.core.pagination import paginate
from learningdesk.org.models import OrgUnit

# Links that match no message, from one address in the window: someone trying tokens is stopped (a real
# unsubscribe is never counted: many people's one-click POSTs come from one mail provider's few addresses).
BAD_TOKENS_PER_ADDRESS = 20
RATE_WINDOW_SECONDS = 10 * 60


def _bad_token_key(request: HttpRequest) -> str:
    return f"comms:bad-unsubscribe:{request.META.get('REMOTE_ADDR', '') or 'unknown'}"


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if int(cache.get(_bad_token_key(request), 0)) >= BAD_TOKENS_PER_ADDRESS:
        return render(request, "comms/public/too_many.html", status=429)
    recipient = services.recipient_for_token(token)
    if recipient is None:
        ratelimit.count(_bad_token_key(request), RATE_WINDOW_SECONDS)
        return render(request, "comms/public/unsubscribe_not_found.html", status=404)
    mailing = recipient.mailing
    context = {"mailing": mailing, "unit": mailing.unit, "what": content.STOP_WHAT[mailing.consent_kind]}
    if request.method == "POST":
        services.unsubscribe(recipient)
        return render(request, "comms/public/unsubscribed.html", context)
    if not services.still_subscribed(recipient):
        return render(request, "comms/public/unsubscribed.html", context)
    return render(request, "comms/public/unsubscribe.html", context)


def _archive_unit(unit_pk: int) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=unit_pk, is_active=True).select_related("kind").first()
    if unit is None:
        raise Http404("No such branch or region")
    return unit


@login_not_required
@require_GET
def archive(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """A unit's past newsletters that its co-ordinators chose to publish, newest first."""
    unit = _archive_unit(unit_pk)
    page = paginate(request, selectors.archived(unit.pk))
    return render(
        request,
        "comms/public/archive.html",
        {"unit": unit, "page_obj": page, "crumbs": [(f"Newsletters from {unit.name}", None)]},
    )


@login_not_required
@require_GET
def archive_mailing(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    """One published newsletter as it was sent, without anything about the people it went to."""
    unit = _archive_unit(unit_pk)
    mailing = selectors.archived(unit.pk).filter(pk=pk).first()
    if mailing is None:
        raise Http404("No such newsletter")
    return render(
        request,
        "comms/public/archive_mailing.html",
        {
            "unit": unit,
            "mailing": mailing,
            # Rendered when it was sent from our own templates, every value escaped (content.render_body).
            "body": mark_safe(mailing.archive_html),
            "crumbs": [
                (f"Newsletters from {unit.name}", reverse("comms_public:archive", args=[unit.pk])),
                (mailing.subject, None),
            ],
        },
    )


urlpatterns: list[URLPattern] = [
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
    path("archive/<int:unit_pk>/", archive, name="archive"),
    path("archive/<int:unit_pk>/<int:pk>/", archive_mailing, name="archive_mailing"),
]
