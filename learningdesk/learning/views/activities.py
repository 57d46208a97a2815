"""The activity catalogue for staff: activities and their helpers, sessions, providers and activity types."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.learning import activities, sessions
from learningdesk.learning.forms.activities import (
    SESSION_FIELD_OF,
    ActivityFilterForm,
    ActivityForm,
    ActivityTypeForm,
    HelperForm,
    ProviderContactForm,
    ProviderForm,
    SessionForm,
)
from learningdesk.learning.models import Activity, ActivityType, Provider, ProviderContact, Session, SignUp
from learningdesk.learning.templatetags.learning_links import session_when
from learningdesk.org import scoping
from learningdesk.org.forms import PersonSearchForm
from learningdesk.org.selectors import people_matching


def learning_crumbs() -> Crumbs:
    return [("Learning", reverse("learning:activities"))]


def activity_crumbs(activity: Activity) -> Crumbs:
    return [*learning_crumbs(), (activity.title, reverse("learning:activity_detail", args=[activity.pk]))]


def provider_crumbs(provider: Provider | None = None) -> Crumbs:
    crumbs = [*learning_crumbs(), ("Providers", reverse("learning:providers"))]
    if provider is not None:
        crumbs.append((provider.name, reverse("learning:provider_detail", args=[provider.pk])))
    return crumbs


def type_crumbs() -> Crumbs:
    return [*learning_crumbs(), ("Activity types", reverse("learning:activity_types"))]


# Activities ---------------------------------------------------------------------------------------


# The tables as files (core/exports.py): the whole filtered list.
ACTIVITY_COLUMNS = [
    Column("Activity", lambda a: a.title),
    Column("Unit", lambda a: a.unit.name),
    Column("Type", lambda a: a.type.name),
    Column("Subject", lambda a: a.subject.name if a.subject else ""),
    Column("Level", lambda a: a.get_level_display()),
    Column("Status", lambda a: a.get_status_display()),
    Column("Who can come", lambda a: a.get_audience_display()),
    Column("Funding", lambda a: a.get_funding_display()),
    Column("Cost to the branch (£)", lambda a: a.cost),
    Column("Provider", lambda a: a.provider.name if a.provider else ""),
    Column("Next session", lambda a: a.next_start),
]
PROVIDER_COLUMNS = [
    Column("Provider", lambda p: p.name),
    Column("Kind", lambda p: p.get_kind_display()),
    Column("Unit", lambda p: p.unit.name),
    Column("Website", lambda p: p.website),
    Column("Email", lambda p: p.email),
    Column("Phone", lambda p: p.phone),
    Column("Still used", lambda p: p.is_active),
    Column("Your activities", lambda p: p.activity_count),
]
# Access needs stay on the page: they can say more about someone's health than a list passed round should.
SIGN_UP_COLUMNS = [
    Column("Session", lambda s: s.session.starts_at),
    Column("Last name", lambda s: s.person.last_name),
    Column("First name", lambda s: s.person.first_name),
    Column("Email", lambda s: s.person.email or s.given_email),
    Column("Phone", lambda s: s.person.phone or s.given_phone),
    Column("Status", lambda s: s.get_status_display()),
    Column("How", lambda s: s.get_source_display()),
    Column("Signed up", lambda s: s.created_at),
    Column("Member when they signed up", lambda s: s.was_member),
]


def activity_list(request: AuthenticatedRequest) -> HttpResponse:
    """Activities in the user's scope: coming up first, then the newest; filtered, searched and paginated."""
    form = ActivityFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    fmt = export_format(request)
    if fmt:
        rows = activities.activity_list(user=request.user, filters=filters).select_related(
            "unit", "type", "subject", "provider"
        )
        return export_response(request, name="activities", columns=ACTIVITY_COLUMNS, rows=rows, fmt=fmt)
    page = paginate(request, activities.activity_list(user=request.user, filters=filters))
    on_page = list(page.object_list)
    next_sessions = activities.next_sessions(on_page)
    return render(
        request,
        "learning/activities/activity_list.html",
        {
            "form": form,
            "filters": filters,
            "page_obj": page,
            "rows": [(activity, next_sessions.get(activity.pk)) for activity in on_page],
            "can_add": scoping.may_add_activities(request.user),
            "can_edit_types": scoping.is_national_admin(request.user),
        },
    )


def _activity_form(request: AuthenticatedRequest, form: ActivityForm, activity: Activity | None) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            saved = activities.activity_save(
                acting_user=request.user, activity=form.save_to_instance(), fields=form.changed_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{saved.title}” {'saved' if activity else 'added'}.")
            return redirect("learning:activity_detail", pk=saved.pk)
    crumbs = activity_crumbs(activity) if activity else learning_crumbs()
    return render(
        request, "learning/activities/activity_form.html", {"form": form, "activity": activity, "crumbs": crumbs}
    )


@require_http_methods(["GET", "POST"])
def activity_add(request: AuthenticatedRequest) -> HttpResponse:
    if not scoping.may_add_activities(request.user):
        raise PermissionDenied("Only co-ordinators add activities.")
    form = ActivityForm(request.POST or None, user=request.user, instance=Activity())
    return _activity_form(request, form, None)


@require_http_methods(["GET", "POST"])
def activity_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = scoping.get_activity_for_user(request.user, pk, for_change=True)
    form = ActivityForm(request.POST or None, user=request.user, instance=activity)
    return _activity_form(request, form, activity)


def activity_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Everything about an activity: its details, who runs and helps with it, its sessions and (for those who
    run it) who signed up."""
    user = request.user
    activity = scoping.get_activity_for_user(user, pk)
    can_edit = scoping.editable_activities(user).filter(pk=activity.pk).exists()
    can_run = can_edit or scoping.runnable_activities(user).filter(pk=activity.pk).exists()
    fmt = export_format(request)
    if fmt and can_run:
        signed_up = (
            SignUp.objects.filter(session__activity=activity)
            .select_related("session", "person")
            .order_by("session__starts_at", "session_id", "created_at", "id")
        )
        return export_response(
            request,
            name="sign-ups",
            columns=SIGN_UP_COLUMNS,
            rows=signed_up,
            fmt=fmt,
            unit=activity.unit,
            filters={"activity": activity.pk},
        )
    session_list = (
        activity.sessions.select_related("workplace", "room__centre")
        .annotate(waiting=Count("sign_ups", filter=Q(sign_ups__status=SignUp.Status.WAITLISTED)))
        .order_by("starts_at", "id")
    )
    if can_run:
        session_list = session_list.prefetch_related(
            Prefetch("sign_ups", queryset=SignUp.objects.select_related("person").order_by("created_at", "id"))
        )
    provider_visible = (
        activity.provider_id is not None and scoping.visible_providers(user).filter(pk=activity.provider_id).exists()
    )
    return render(
        request,
        "learning/activities/activity_detail.html",
        {
            "activity": activity,
            "sessions": list(session_list),
            "helpers": list(activity.helpers.select_related("person")),
            "can_edit": can_edit,
            "can_run": can_run,
            "provider_visible": provider_visible,
            "cancellable": (SignUp.Status.CONFIRMED, SignUp.Status.WAITLISTED, SignUp.Status.OFFERED),
            "crumbs": learning_crumbs(),
        },
    )


# Helpers ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def activity_helpers(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Who staffs the activity: find a person and add them with their task, or remove one. For those who may
    change the activity (its co-ordinators and organiser)."""
    user = request.user
    activity = scoping.get_activity_for_user(user, pk, for_change=True)
    here = reverse("learning:activity_helpers", args=[activity.pk])
    helper_form = None
    chosen = None
    if request.method == "POST" and "remove" in request.POST:
        helper = get_object_or_404(activity.helpers.select_related("person", "activity"), pk=request.POST["remove"])
        activities.helper_remove(acting_user=user, helper=helper)
        messages.success(request, f"{helper.person.full_name} is no longer a helper.")
        return redirect(here)
    if request.method == "POST":
        helper_form = HelperForm(request.POST)
        if helper_form.is_valid():
            chosen = scoping.get_person_for_user(user, helper_form.cleaned_data["person"])
            try:
                activities.helper_add(
                    acting_user=user, activity=activity, person=chosen, task=helper_form.cleaned_data["task"]
                )
            except ValidationError as error:
                add_service_errors(helper_form, error)
            else:
                messages.success(request, f"{chosen.full_name} added as a helper.")
                return redirect(here)
    elif request.GET.get("person", "").isdigit():
        chosen = scoping.get_person_for_user(user, request.GET["person"])
        helper_form = HelperForm(initial={"person": chosen.pk})
    search = PersonSearchForm(request.GET if "q" in request.GET else None)
    found = None
    if chosen is None and search.is_valid():
        people = people_matching(scoping.visible_people(user), search.cleaned_data["q"])
        found = paginate(
            request, people.select_related("branch", "workplace").order_by("last_name_key", "first_name_key", "id"), 20
        )
    return render(
        request,
        "learning/activities/helpers.html",
        {
            "activity": activity,
            "helpers": list(activity.helpers.select_related("person__workplace")),
            "search": search,
            "page_obj": found,
            "chosen": chosen,
            "form": helper_form,
            "crumbs": activity_crumbs(activity),
        },
    )


# Sessions -----------------------------------------------------------------------------------------


def _session_form(
    request: AuthenticatedRequest, activity: Activity, form: SessionForm, session: Session | None
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            saved = sessions.session_save(form.save_to_instance(), acting_user=request.user)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                error = ValidationError(
                    {SESSION_FIELD_OF.get(name, name): errors for name, errors in error.error_dict.items()}
                )
            add_service_errors(form, error)
        else:
            messages.success(request, f"Session {'saved' if session else 'added'}: {session_when(saved)}.")
            return redirect("learning:activity_detail", pk=activity.pk)
    return render(
        request,
        "learning/activities/session_form.html",
        {"form": form, "activity": activity, "session": session, "crumbs": activity_crumbs(activity)},
    )


@require_http_methods(["GET", "POST"])
def session_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = scoping.get_activity_for_user(request.user, pk, for_change=True)
    form = SessionForm(request.POST or None, user=request.user, activity=activity, instance=Session(activity=activity))
    return _session_form(request, activity, form, None)


@require_http_methods(["GET", "POST"])
def session_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = scoping.get_session_for_user(request.user, pk, for_change=True)
    activity = session.activity
    if session.is_cancelled:
        messages.info(request, "That session was cancelled: add a new one instead.")
        return redirect("learning:activity_detail", pk=activity.pk)
    form = SessionForm(request.POST or None, user=request.user, activity=activity, instance=session)
    return _session_form(request, activity, form, session)


@require_http_methods(["GET", "POST"])
def session_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask, then cancel a session: every learner signed up or waiting is told."""
    session = scoping.get_session_for_user(request.user, pk, for_change=True)
    activity = session.activity
    problem = ""
    if request.method == "POST":
        try:
            told = sessions.session_cancel(session, acting_user=request.user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            learners = f"{told} learner{'s were' if told != 1 else ' was'} told" if told else "No one had signed up"
            messages.success(request, f"Session on {session_when(session)} cancelled. {learners}.")
            return redirect("learning:activity_detail", pk=activity.pk)
    live = session.sign_ups.exclude(status__in=[SignUp.Status.CANCELLED, SignUp.Status.EXPIRED])
    return render(
        request,
        "learning/activities/session_cancel.html",
        {
            "session": session,
            "activity": activity,
            "live_count": live.count(),
            "problem": problem,
            "crumbs": activity_crumbs(activity),
        },
    )


# Providers ----------------------------------------------------------------------------------------


def provider_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    query = " ".join(request.GET.get("q", "").split())
    providers = scoping.visible_providers(user)
    if query:
        providers = providers.filter(name__icontains=query)
    # Only the activities the user can see are counted: another branch's work stays out of sight.
    in_scope = Q(activities__in=scoping.visible_activities(user).values("pk"))
    providers = providers.annotate(activity_count=Count("activities", filter=in_scope)).order_by("name", "id")
    fmt = export_format(request)
    if fmt:
        rows = providers.select_related("unit")
        return export_response(request, name="providers", columns=PROVIDER_COLUMNS, rows=rows, fmt=fmt)
    return render(
        request,
        "learning/activities/provider_list.html",
        {
            "page_obj": paginate(request, providers),
            "query": query,
            "can_add": scoping.may_add_activities(user),
            "crumbs": learning_crumbs(),
        },
    )


def _provider_form(request: AuthenticatedRequest, form: ProviderForm, provider: Provider | None) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        activities.record_save(
            acting_user=request.user, record=record, unit_id=record.unit_id, fields=form.changed_data
        )
        messages.success(request, f"{record.name} {'saved' if provider else 'added'}.")
        return redirect("learning:provider_detail", pk=record.pk)
    return render(
        request,
        "learning/activities/provider_form.html",
        {"form": form, "provider": provider, "crumbs": provider_crumbs(provider)},
    )


@require_http_methods(["GET", "POST"])
def provider_add(request: AuthenticatedRequest) -> HttpResponse:
    if not scoping.may_add_activities(request.user):
        raise PermissionDenied("Only co-ordinators add providers.")
    return _provider_form(request, ProviderForm(request.POST or None, user=request.user), None)


@require_http_methods(["GET", "POST"])
def provider_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    provider = scoping.get_provider_for_user(request.user, pk, for_change=True)
    return _provider_form(request, ProviderForm(request.POST or None, user=request.user, instance=provider), provider)


def provider_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A provider's details and contacts, and the activities they ran that the user can see."""
    user = request.user
    provider = scoping.get_provider_for_user(user, pk)
    ran = scoping.visible_activities(user).filter(provider=provider).order_by("-created_at", "-id")
    return render(
        request,
        "learning/activities/provider_detail.html",
        {
            "provider": provider,
            "contacts": list(provider.contacts.all()),
            "page_obj": paginate(request, ran),
            "can_edit": scoping.editable_providers(user).filter(pk=provider.pk).exists(),
            "crumbs": provider_crumbs(),
        },
    )


@require_http_methods(["GET", "POST"])
def provider_contact_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    provider = scoping.get_provider_for_user(request.user, pk, for_change=True)
    form = ProviderContactForm(request.POST or None, instance=ProviderContact(provider=provider))
    if request.method == "POST" and form.is_valid():
        contact = form.save(commit=False)
        activities.record_save(
            acting_user=request.user, record=contact, unit_id=provider.unit_id, fields=form.changed_data
        )
        messages.success(request, f"{contact.name} added to {provider.name}’s contacts.")
        return redirect("learning:provider_detail", pk=provider.pk)
    return render(
        request,
        "learning/activities/contact_form.html",
        {"form": form, "provider": provider, "crumbs": provider_crumbs(provider)},
    )


# Activity types -----------------------------------------------------------------------------------


def activity_type_list(request: AuthenticatedRequest) -> HttpResponse:
    """The kinds of activity, the same for the whole union; national administrators change them."""
    if scoping.get_scope(request.user).is_empty:
        raise PermissionDenied
    return render(
        request,
        "learning/activities/type_list.html",
        {
            "types": list(ActivityType.objects.all()),
            "can_edit": scoping.is_national_admin(request.user),
            "crumbs": learning_crumbs(),
        },
    )


def _type_form(request: AuthenticatedRequest, activity_type: ActivityType | None) -> HttpResponse:
    if not scoping.is_national_admin(request.user):
        raise PermissionDenied("Only a national administrator changes the activity types.")
    form = ActivityTypeForm(request.POST or None, instance=activity_type or ActivityType())
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        activities.record_save(acting_user=request.user, record=record, unit_id=None, fields=form.changed_data)
        messages.success(request, f"Activity type “{record.name}” {'saved' if activity_type else 'added'}.")
        return redirect("learning:activity_types")
    return render(
        request,
        "learning/activities/type_form.html",
        {"form": form, "activity_type": activity_type, "crumbs": type_crumbs()},
    )


@require_http_methods(["GET", "POST"])
def activity_type_add(request: AuthenticatedRequest) -> HttpResponse:
    return _type_form(request, None)


@require_http_methods(["GET", "POST"])
def activity_type_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not scoping.is_national_admin(request.user):
        raise PermissionDenied("Only a national administrator changes the activity types.")
    return _type_form(request, get_object_or_404(ActivityType, pk=pk))


urlpatterns: list[URLPattern] = [
    path("", activity_list, name="activities"),
    path("activities/add/", activity_add, name="activity_add"),
    path("activities/<int:pk>/", activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", activity_edit, name="activity_edit"),
    path("activities/<int:pk>/helpers/", activity_helpers, name="activity_helpers"),
    path("activities/<int:pk>/sessions/add/", session_add, name="session_add"),
    path("sessions/<int:pk>/edit/", session_edit, name="session_edit"),
    path("sessions/<int:pk>/cancel/", session_cancel, name="session_cancel"),
    path("providers/", provider_list, name="providers"),
    path("providers/add/", provider_add, name="provider_add"),
    path("providers/<int:pk>/", provider_detail, name="provider_detail"),
    path("providers/<int:pk>/edit/", provider_edit, name="provider_edit"),
    path("providers/<int:pk>/contacts/add/", provider_contact_add, name="provider_contact_add"),
    path("activity-types/", activity_type_list, name="activity_types"),
    path("activity-types/add/", activity_type_add, name="activity_type_add"),
    path("activity-types/<int:pk>/edit/", activity_type_edit, name="activity_type_edit"),
]
public_urlpatterns: list[URLPattern] = []  # the public pages are in views/public.py
