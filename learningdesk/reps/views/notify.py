"""The employer notification (TULRCA s.168A) and its letter as PDF and DOCX; a unit's reminder settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.org import roles, scoping
from learningdesk.org.models import OrgUnit
from learningdesk.reps import letters, reminders, selectors, services
from learningdesk.reps.forms.notify import NotifyForm, RepSettingsForm
from learningdesk.reps.models import EmployerNotification, training_deadline
from learningdesk.reps.views.register import rep_crumbs

# A regional or national co-ordinator may look after many units: past this many, no select of them.
UNIT_CHOICES_LIMIT = 200


def _file(content: bytes, content_type: str, filename: str, *, as_attachment: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename) or ""
    # The letter names a member and their union role: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _letter(notification: EmployerNotification) -> letters.Letter:
    return letters.build_letter(notification.letter, statutory=notification.rep.kind.has_statutory_rights)


# Recording the notification ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def notify(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record the written notice to an employer; "Preview the letter" shows the draft without saving."""
    rep = scoping.get_rep_for_user(request.user, pk, for_change=True)
    if not rep.is_current:
        messages.info(request, f"{rep.person.full_name} has stood down: there is nothing to notify.")
        return redirect("reps:detail", pk=rep.pk)
    form = NotifyForm(request.POST or None, user=request.user, rep=rep)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            snapshot = services.letter_snapshot(
                rep=rep,
                employer=data["employer"],
                sent_on=data["sent_on"],
                contact=form.contact,
                signed_by=request.user,
            )
            letter = letters.build_letter(snapshot, statutory=rep.kind.has_statutory_rights, draft=True)
            return _file(letters.letter_pdf(letter), letters.PDF_TYPE, f"{letter.file_stem}.pdf", as_attachment=False)
        try:
            notification = services.rep_notify(
                acting_user=request.user,
                rep=rep,
                employer=data["employer"],
                sent_on=data["sent_on"],
                method=data["method"],
                contact=form.contact,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            rep.refresh_from_db()
            if rep.owes_training and rep.training_due_by:
                message = (
                    f"Notification to {notification.employer.name} recorded. {rep.person.first_name} must be "
                    f"trained by {letters.long_date(rep.training_due_by)}."
                )
            else:
                message = f"Notification to {notification.employer.name} recorded."
            messages.success(request, message)
            return redirect("reps:notification", pk=notification.pk)
    today = timezone.localdate()
    return render(
        request,
        "reps/notify/notify.html",
        {
            "rep": rep,
            "form": form,
            "statutory": rep.kind.has_statutory_rights,
            "deadline_if_sent_today": training_deadline(today),
            "earlier": list(rep.notifications.select_related("employer").order_by("sent_on")),
            "crumbs": rep_crumbs(rep),
        },
    )


@require_GET
def notification_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    notification = scoping.get_rep_notification_for_user(request.user, pk)
    rep = notification.rep
    today = timezone.localdate()
    return render(
        request,
        "reps/notify/notification.html",
        {
            "notification": notification,
            "rep": rep,
            "deadline": selectors.deadline_for(rep, today),
            "is_first": rep.notified_on == notification.sent_on,
            "letter": _letter(notification),
            "crumbs": rep_crumbs(rep),
        },
    )


@require_GET
def letter_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    letter = _letter(scoping.get_rep_notification_for_user(request.user, pk))
    return _file(letters.letter_pdf(letter), letters.PDF_TYPE, f"{letter.file_stem}.pdf")


@require_GET
def letter_docx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    letter = _letter(scoping.get_rep_notification_for_user(request.user, pk))
    return _file(letters.letter_docx(letter), letters.DOCX_TYPE, f"{letter.file_stem}.docx")


# A unit's settings ------------------------------------------------------------------------------


def _settings_unit(request: AuthenticatedRequest) -> OrgUnit:
    """The unit named by ?unit=, or the most local unit the user co-ordinates; 404 if they may not change it."""
    unit_pk = request.GET.get("unit", "")
    if unit_pk:
        if not unit_pk.isdigit():
            raise Http404
        return scoping.get_unit_for_user(request.user, unit_pk, for_change=True)
    own = [a.unit for a in scoping.get_scope(request.user).roles if a.role in roles.EDITOR_ROLES]
    if not own:
        raise Http404
    return max(own, key=lambda unit: (unit.depth, -unit.pk))


@require_http_methods(["GET", "POST"])
def rep_settings(request: AuthenticatedRequest) -> HttpResponse:
    """How many days without contact before a unit's reps are flagged, and the weekly digest email."""
    unit = _settings_unit(request)
    current = reminders.settings_for(unit)
    form = RepSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        reminders.settings_update(
            acting_user=request.user,
            unit=unit,
            no_contact_days=form.cleaned_data["no_contact_days"],
            weekly_digest=form.cleaned_data["weekly_digest"],
        )
        messages.success(request, f"Settings for {unit.name} saved.")
        return redirect(f"{reverse('reps:settings')}?unit={unit.pk}")
    units = list(scoping.editable_units(request.user).order_by("path")[: UNIT_CHOICES_LIMIT + 1])
    return render(
        request,
        "reps/notify/settings.html",
        {
            "form": form,
            "unit": unit,
            "units": units if 1 < len(units) <= UNIT_CHOICES_LIMIT else [],
            "crumbs": [("Reps", reverse("reps:register"))],
        },
    )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/notify/", notify, name="notify"),
    path("notifications/<int:pk>/", notification_detail, name="notification"),
    path("notifications/<int:pk>/letter.pdf", letter_pdf, name="letter_pdf"),
    path("notifications/<int:pk>/letter.docx", letter_docx, name="letter_docx"),
    path("settings/", rep_settings, name="settings"),
]
