"""Asking people to answer a survey: personal invitations by email, reminders, and the public link's QR code."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.learning import qr
from learningdesk.learning.calendar import absolute
from learningdesk.org import scoping
from learningdesk.surveys import invitations
from learningdesk.surveys.forms.invite import InviteForm
from learningdesk.surveys.models import Survey
from learningdesk.surveys.views.builder import survey_crumbs


def _crumbs(survey: Survey, here: str) -> Crumbs:
    return survey_crumbs(survey, (here, None))


def _people(count: int) -> str:
    return f"{count:,} {'person' if count == 1 else 'people'}"


# Who was invited, as a file (core/exports.py): never their link, which would let anyone answer as them.
INVITATION_COLUMNS = [
    Column("Last name", lambda invitation: invitation.person.last_name),
    Column("First name", lambda invitation: invitation.person.first_name),
    Column("Email", lambda invitation: invitation.person.email),
    Column("Sent", lambda invitation: invitation.sent_at),
    Column("Reminded", lambda invitation: invitation.reminded_at),
    Column("Answered", lambda invitation: invitation.used),
]


@require_http_methods(["GET", "POST"])
def invitation_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Who was invited and who answered; invite an audience, with a step that says how many first."""
    survey = scoping.get_survey_for_user(request.user, pk, to_run=True)
    is_open = invitations.is_open_now(survey)
    fmt = export_format(request)
    if fmt and request.method == "GET":
        listed = scoping.visible_invitations(request.user, survey)
        return export_response(
            request,
            name="survey invitations",
            columns=INVITATION_COLUMNS,
            rows=listed.order_by("person__last_name", "person__first_name", "pk"),
            fmt=fmt,
            unit=survey.unit,
            filters={"survey": survey.pk},
        )
    form = InviteForm(request.POST or None, user=request.user, survey=survey)
    if request.method == "POST" and not is_open:
        form.add_error(None, "This survey is not open, so nobody can be invited to it. Open it first.")
    elif request.method == "POST" and form.is_valid():
        audience = form.cleaned_data["audience"]
        if request.POST.get("confirm") == "yes":
            count = invitations.invitations_send(acting_user=request.user, survey=survey, audience=audience)
            if count:
                messages.success(request, f"Invitations are on their way to {_people(count)} {audience.description}.")
            else:
                messages.success(request, f"Nobody {audience.description} is left to invite.")
            return redirect("surveys:invitations", pk=survey.pk)
        count = invitations.audience_people(request.user, survey, audience).count()
        return render(
            request,
            "surveys/invite/confirm.html",
            {
                "survey": survey,
                "audience": audience,
                "count": count,
                "people": _people(count),
                "crumbs": _crumbs(survey, "Invite people"),
            },
        )
    invited = scoping.visible_invitations(request.user, survey)
    counts = invited.aggregate(invited=Count("pk"), answered=Count("pk", filter=Q(used=True)))
    page = paginate(request, invited.order_by("person__last_name", "person__first_name", "pk"))
    return render(
        request,
        "surveys/invite/invitations.html",
        {
            "survey": survey,
            "form": form,
            "is_open": is_open,
            "counts": counts,
            "not_yet": counts["invited"] - counts["answered"],
            "page_obj": page,
            "public_url": absolute(reverse("survey:public", kwargs={"token": survey.public_token})),
            "crumbs": _crumbs(survey, "Invitations"),
        },
    )


@require_POST
def remind(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Remind those who have not answered yet: at most once every 3 days, while the survey is open."""
    survey = scoping.get_survey_for_user(request.user, pk, to_run=True)
    if not invitations.is_open_now(survey):
        messages.error(request, "This survey is not open, so there is nothing to remind people about.")
        return redirect("surveys:invitations", pk=survey.pk)
    count = invitations.reminders_send(acting_user=request.user, survey=survey)
    if count:
        messages.success(request, f"Reminders are on their way to {_people(count)} who have not answered yet.")
    else:
        messages.success(request, "Nobody to remind: everyone has answered, or was emailed in the last 3 days.")
    return redirect("surveys:invitations", pk=survey.pk)


@require_GET
def qr_code(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The QR code of the survey's public link, for posters and stalls."""
    survey = scoping.get_survey_for_user(request.user, pk, to_run=True)
    url = absolute(reverse("survey:public", kwargs={"token": survey.public_token}))
    response = HttpResponse(qr.qr_svg(url, title=f"QR code: {survey.title}"), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="survey-{survey.pk}-qr.svg"'
    return response


urlpatterns: list[URLPattern] = [
    path("<int:pk>/invitations/", invitation_list, name="invitations"),
    path("<int:pk>/invitations/remind/", remind, name="remind"),
    path("<int:pk>/qr.svg", qr_code, name="qr"),
]
public_urlpatterns: list[URLPattern] = []  # under /s/, namespace "survey" (no login)
