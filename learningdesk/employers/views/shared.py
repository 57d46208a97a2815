"""An employer contact's own pages: what the union shares with their employer, and nothing else.

The committee actions the co-ordinator chose to share, the dates of the committee's meetings (dates only: no
minutes, no attendees) and the survey findings reports shared. Every query goes through the scoping functions
for employer contacts; a union user, who is nobody's contact, gets 404 here. The middleware keeps an employer
contact off every other page.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET

from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.pagination import paginate
from learningdesk.core.pdf import pdf_response
from learningdesk.employers import sharing
from learningdesk.org import scoping

MEETING_DATES = 6  # past and coming, each


@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    employers = list(scoping.contact_employers(user).order_by("name"))
    if not employers:
        raise Http404
    today = timezone.localdate()
    actions = paginate(
        request,
        scoping.shared_committee_actions(user).order_by("status", "due_on", "pk"),
        settings.PAGE_SIZE,
    )
    actions.object_list = sharing.name_owners_for_employer(list(actions.object_list), today=today)
    meetings = scoping.shared_meeting_dates(user).only("held_on", "starts_at", "committee__name")
    return render(
        request,
        "employers/shared/home.html",
        {
            "employers": employers,
            "several": len(employers) > 1,
            "page_obj": actions,
            "coming": list(meetings.filter(held_on__gte=today).order_by("held_on", "pk")[:MEETING_DATES]),
            "past": list(meetings.filter(held_on__lt=today).order_by("-held_on", "-pk")[:MEETING_DATES]),
            "findings": list(scoping.shared_findings_for_contact(user).order_by("-shared_at")),
            "today": today,
        },
    )


@require_GET
def finding_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    finding = scoping.get_shared_finding_for_contact(request.user, pk)
    with finding.pdf.open("rb") as file:
        return pdf_response(file.read(), sharing.finding_file_name(finding))


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("findings/<int:pk>/pdf/", finding_pdf, name="finding_pdf"),
]
