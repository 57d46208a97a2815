"""Signing in, the team (who holds which role) and the audit log."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from learningdesk.accounts import sessions, two_factor
from learningdesk.accounts.forms import AuditFilterForm, ChangePasswordForm, NewPasswordForm, ResetForm, SignInForm
from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.pagination import paginate
from learningdesk.org import scoping, services
from learningdesk.org.forms import RoleEndForm, RoleGrantForm


class LoginView(auth_views.LoginView):
    """The password step. When the login has two-step sign-in, the code is asked next (two_step_verify)."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        if self.request.session.get(two_factor.PENDING_KEY):
            return f"{reverse('accounts:two_step_verify')}?{urlencode({'next': url})}"
        return url

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Why the last session ended (accounts/middleware.py), said once.
        reason = self.request.session.pop(sessions.ENDED_BECAUSE, None)
        context["signed_out_because"] = SIGNED_OUT_BECAUSE.get(reason or "", "")
        return context


SIGNED_OUT_BECAUSE: dict[str, str] = {
    sessions.EndReason.IDLE: "You were signed out because you had not used Learning Desk for a while. Sign in again.",
    sessions.EndReason.TOO_LONG: "You were signed out because you had been signed in for a long time. Sign in again.",
    sessions.EndReason.ENDED_BY_USER: "This session was signed out from another device. Sign in again.",
}

login = LoginView.as_view()
logout = auth_views.LogoutView.as_view()
password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    form_class=ResetForm,
    email_template_name="accounts/emails/password_reset.txt",
    subject_template_name="accounts/emails/password_reset_subject.txt",
    success_url=reverse_lazy("password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        # A new password signs every session out (Django checks the password's hash): say so on "Your sessions".
        sessions.end_all(form.user, reason=sessions.EndReason.PASSWORD_CHANGED)
        return response


password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        # Django has signed the other sessions out (they carry the old password's hash); this one stays, new key.
        sessions.sync_key(self.request)
        sessions.end_all(form.user, reason=sessions.EndReason.PASSWORD_CHANGED, keep=self.request.session.session_key)
        messages.success(self.request, "Your password has been changed. You have been signed out everywhere else.")
        return response


password_change = PasswordChangeView.as_view()


# The tables as files (core/exports.py): the whole filtered list.
TEAM_COLUMNS = [
    Column("Name", lambda a: a.user.full_name),
    Column("Email", lambda a: a.user.email),
    Column("Role", lambda a: a.get_role_display()),
    Column("Unit", lambda a: a.unit.name),
    Column("Workplaces", lambda a: ", ".join(w.name for w in a.workplaces.all())),
    Column("Starts on", lambda a: a.starts_on),
    Column("Ends on", lambda a: a.ends_on),
]
# The log holds ids, never names or values (accounts/models.py): so does its export.
AUDIT_COLUMNS = [
    Column("When", lambda e: e.at),
    Column("Who", lambda e: (e.actor.full_name or e.actor.email) if e.actor else "The system"),
    Column("What", lambda e: e.get_action_display()),
    Column("Fields", lambda e: e.changed_fields),
    Column("Record", lambda e: e.target_type),
    Column("Record id", lambda e: e.target_id),
    Column("Unit", lambda e: e.unit.name if e.unit else ""),
]


def team(request: AuthenticatedRequest) -> HttpResponse:
    """Who holds which role in the user's scope, current or ended."""
    show = request.GET.get("show", "current")
    assignments = scoping.visible_role_assignments(request.user).prefetch_related("workplaces")
    today = timezone.localdate()
    if show == "ended":
        assignments = assignments.filter(ends_on__lt=today)
    else:
        show = "current"
        assignments = assignments.exclude(ends_on__lt=today)
    fmt = export_format(request)
    if fmt:
        rows = assignments.order_by("unit__path", "role", "user__full_name")
        return export_response(request, name="team", columns=TEAM_COLUMNS, rows=rows, fmt=fmt)
    grantable = set(scoping.grantable_units(request.user).values_list("pk", flat=True))
    page = paginate(request, assignments.order_by("unit__path", "role", "user__full_name"))
    # Whose sign-in security (two-step sign-in, sessions) the user may look after: a link on their row.
    manageable = (
        set(
            scoping.manageable_logins(request.user)
            .filter(pk__in=[a.user_id for a in page.object_list])
            .values_list("pk", flat=True)
        )
        if grantable
        else set()
    )
    return render(
        request,
        "accounts/team.html",
        {
            "page_obj": page,
            "manageable": manageable,
            "show": show,
            "grantable": grantable,
            "can_grant": bool(grantable),
            "may_audit": bool(scoping.get_scope(request.user).audit),
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
def role_grant(request: AuthenticatedRequest) -> HttpResponse:
    if not scoping.grantable_units(request.user).exists():
        raise Http404
    form = RoleGrantForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assignment = services.role_grant(acting_user=request.user, request=request, **data)
        messages.success(
            request, f"{assignment.user.full_name or assignment.user.email} is now {assignment.get_role_display()}."
        )
        return redirect("accounts:team")
    return render(request, "accounts/role_grant.html", {"form": form})


@require_http_methods(["GET", "POST"])
def role_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assignment = scoping.get_role_assignment_for_user(request.user, pk)
    form = RoleEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.role_end(acting_user=request.user, assignment=assignment, ends_on=form.cleaned_data["ends_on"])
        messages.success(request, f"The role of {assignment.user} ends on {form.cleaned_data['ends_on']:%d %B %Y}.")
        return redirect("accounts:team")
    return render(request, "accounts/role_end.html", {"form": form, "assignment": assignment})


def audit_log(request: AuthenticatedRequest) -> HttpResponse:
    """The audit log of the user's scope: changes, and who looked at special category data."""
    if not scoping.get_scope(request.user).audit:
        raise Http404
    form = AuditFilterForm(request.GET or None)
    events = scoping.visible_audit_events(request.user)
    if form.is_valid() and form.cleaned_data["action"]:
        events = events.filter(action=form.cleaned_data["action"])
    fmt = export_format(request)
    if fmt:
        # Up to now: the export's own event, written as it starts, is not one of its rows.
        logged = events.filter(at__lte=timezone.now()).select_related("unit")
        return export_response(request, name="audit log", columns=AUDIT_COLUMNS, rows=logged, fmt=fmt)
    page = paginate(request, events)
    person_ids = {e.target_id for e in page.object_list if e.target_type == "person"}
    people = {
        p.pk: p for p in scoping.visible_people(request.user).filter(pk__in=person_ids).only("first_name", "last_name")
    }
    rows = [
        (event, people.get(event.target_id) if event.target_type == "person" else None) for event in page.object_list
    ]
    return render(request, "accounts/audit_log.html", {"form": form, "page_obj": page, "rows": rows})
