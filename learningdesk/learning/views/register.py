"""On the day and after: the register (tick who came, add walk-ins), the printable sign-in sheet, and
learners' outcomes. Whoever runs the activity may use them (co-ordinators, the organiser, its helpers, a
ULR of the branch); the evaluation summary is in views/evaluation.py and listed here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.pagination import paginate
from learningdesk.core.pdf import pdf_response, render_pdf
from learningdesk.learning import attendance, outcomes, signups
from learningdesk.learning.forms.register import OutcomeForm, WalkInForm
from learningdesk.learning.models import Activity, SignUp
from learningdesk.learning.views import evaluation
from learningdesk.learning.views.register_parts import activity_crumbs, session_crumbs, when
from learningdesk.org import scoping


def may_run(request: AuthenticatedRequest, activity: Activity) -> bool:
    return scoping.runnable_activities(request.user).filter(pk=activity.pk).exists()


# The register -----------------------------------------------------------------------------------


def _counts(learners: list[SignUp]) -> dict[str, int]:
    return {
        "booked": len(learners),
        "attended": sum(record.status == SignUp.Status.ATTENDED for record in learners),
        "no_show": sum(record.status == SignUp.Status.NO_SHOW for record in learners),
    }


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def register(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Tick who came. One form and one button without JavaScript; with htmx each tick saves on its own."""
    session = scoping.get_session_for_user(request.user, pk, to_run=True)
    learners = attendance.register_learners(session)
    if request.method == "POST":
        ticked = {int(value) for value in request.POST.getlist("attended") if value.isdigit()}
        one = request.POST.get("one", "")
        chosen = [record for record in learners if str(record.pk) == one] if one else learners
        came, missed = attendance.register_save(
            acting_user=request.user, session=session, learners=chosen, ticked=ticked
        )
        if request.htmx and one:
            return render(
                request, "learning/register/register.html#counts", {"counts": _counts(learners), "session": session}
            )
        messages.success(
            request,
            f"Register saved: {len(came)} more marked as attended"
            + (f", {len(missed)} as not coming." if session.has_started else "."),
        )
        return redirect("learning:register", pk=session.pk)
    return render(
        request,
        "learning/register/register.html",
        {
            "session": session,
            "activity": session.activity,
            "when": when(session),
            "learners": learners,
            "counts": _counts(learners),
            "crumbs": [*session_crumbs(session), ("Register", None)],
        },
    )


@require_http_methods(["GET", "POST"])
def walk_in(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Add someone who came without booking: they are marked attended at once, and take a place."""
    session = scoping.get_session_for_user(request.user, pk, to_run=True)
    form = WalkInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = f"{form.cleaned_data['first_name']} {form.cleaned_data['last_name']}".strip()
        try:
            signups.sign_up(
                session=session, details=form.details(), source=SignUp.Source.WALK_IN, acting_user=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except signups.SessionClosed as error:
            form.add_error(None, str(error))
        except signups.DuplicateSignUp as duplicate:
            existing = duplicate.existing
            if existing.status in (SignUp.Status.CONFIRMED, SignUp.Status.NO_SHOW):
                signups.mark_attendance(existing, attended=True, acting_user=request.user)
                messages.success(request, f"{name} had already booked: marked as attended.")
                return redirect("learning:register", pk=session.pk)
            if existing.status == SignUp.Status.ATTENDED:
                form.add_error(None, f"{name} is already in the register as attended.")
            else:
                form.add_error(
                    None,
                    f"{name} is {existing.get_status_display().lower()} for this session: "
                    "raise the capacity to give them a place, then tick them in the register.",
                )
        else:
            messages.success(request, f"{name} added to the register as a walk-in.")
            return redirect("learning:register", pk=session.pk)
    return render(
        request,
        "learning/register/walk_in.html",
        {
            "form": form,
            "session": session,
            "when": when(session),
            "crumbs": [*session_crumbs(session), ("Register", reverse("learning:register", args=[session.pk]))],
        },
    )


# Rows for walk-ins on the sign-in sheet: enough for the places left (up to a point), never fewer than a
# handful, and enough to fill the first page.
MIN_BLANK_ROWS = 6
MAX_BLANK_ROWS = 30
ROWS_ON_FIRST_PAGE = 16


@require_GET
def sign_in_sheet(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A printable A4 sign-in sheet: the booked names with a column to sign, and blank rows for walk-ins."""
    session = scoping.get_session_for_user(request.user, pk, to_run=True)
    learners = attendance.register_learners(session)
    blank = max(MIN_BLANK_ROWS, min(session.places_left, MAX_BLANK_ROWS), ROWS_ON_FIRST_PAGE - len(learners))
    pdf = render_pdf(
        "learning/register/sign_in_sheet.html",
        {
            "session": session,
            "activity": session.activity,
            "when": when(session),
            "learners": learners,
            "blank_rows": range(len(learners) + 1, len(learners) + blank + 1),
            "printed_at": timezone.localtime(),
        },
    )
    name = f"sign-in-{slugify(session.activity.title)[:40]}-{session.local_start:%Y-%m-%d}.pdf"
    return pdf_response(pdf, name)


# Outcomes ---------------------------------------------------------------------------------------


def outcomes_url(activity: Activity) -> str:
    return reverse("learning:outcomes", args=[activity.pk])


@require_GET
def outcome_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The activity's learners (those who attended) with their outcomes."""
    activity = scoping.get_activity_for_user(request.user, pk)
    page = paginate(request, outcomes.learners(activity))
    return render(
        request,
        "learning/register/outcomes.html",
        {
            "activity": activity,
            "page_obj": page,
            "can_run": may_run(request, activity),
            "crumbs": [*activity_crumbs(activity), ("Outcomes", None)],
        },
    )


@require_http_methods(["GET", "POST"])
def outcome_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record an outcome for one learner (?person=<id>) who attended the activity."""
    activity = scoping.get_activity_for_user(request.user, pk, to_run=True)
    person_id = request.GET.get("person", "")
    person = outcomes.learners(activity).filter(pk=int(person_id) if person_id.isdigit() else 0).first()
    if person is None:
        raise Http404("Not a learner of this activity")
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = outcomes.outcome_add(
                acting_user=request.user, activity=activity, person=person, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{outcome.get_kind_display()} recorded for {person.full_name}.")
            return redirect(outcomes_url(activity))
    return render(
        request,
        "learning/register/outcome_form.html",
        {
            "form": form,
            "activity": activity,
            "person": person,
            "crumbs": [*activity_crumbs(activity), ("Outcomes", outcomes_url(activity))],
        },
    )


@require_POST
def outcomes_completed(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark everyone who attended as having completed the activity (those not marked already)."""
    activity = scoping.get_activity_for_user(request.user, pk, to_run=True)
    created = outcomes.mark_all_completed(acting_user=request.user, activity=activity)
    if created:
        messages.success(request, f"{len(created)} learner{'s' if len(created) != 1 else ''} marked as completed.")
    else:
        messages.info(request, "Everyone who attended is already marked as completed.")
    return redirect(outcomes_url(activity))


@require_http_methods(["GET", "POST"])
def outcome_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    outcome = scoping.get_outcome_for_user(request.user, pk, to_run=True)
    activity = outcome.activity
    if request.method == "POST":
        outcomes.outcome_delete(acting_user=request.user, outcome=outcome)
        messages.success(request, f"{outcome.get_kind_display()} for {outcome.person.full_name} deleted.")
        return redirect(outcomes_url(activity))
    return render(
        request,
        "learning/register/outcome_delete.html",
        {
            "outcome": outcome,
            "activity": activity,
            "crumbs": [*activity_crumbs(activity), ("Outcomes", outcomes_url(activity))],
        },
    )


urlpatterns: list[URLPattern] = [
    path("sessions/<int:pk>/register/", register, name="register"),
    path("sessions/<int:pk>/walk-in/", walk_in, name="walk_in"),
    path("sessions/<int:pk>/sign-in-sheet.pdf", sign_in_sheet, name="sign_in_sheet"),
    path("activities/<int:pk>/outcomes/", outcome_list, name="outcomes"),
    path("activities/<int:pk>/outcomes/add/", outcome_add, name="outcome_add"),
    path("activities/<int:pk>/outcomes/completed/", outcomes_completed, name="outcomes_completed"),
    path("outcomes/<int:pk>/delete/", outcome_delete, name="outcome_delete"),
    *evaluation.urlpatterns,
]
public_urlpatterns: list[URLPattern] = []
