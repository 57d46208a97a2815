"""Letting a rep sign in: a ULR login linked to their person record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from learningdesk.accounts.models import User
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.org import scoping
from learningdesk.org.models import Role
from learningdesk.reps import services


@require_http_methods(["GET", "POST"])
def give_login(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Confirm, then grant the rep a ULR role covering their workplaces, on a login linked to them."""
    rep = scoping.get_rep_for_user(request.user, pk, for_change=True)
    person = rep.person
    login = User.objects.filter(person=person).first() or (
        User.objects.filter(email__iexact=person.email).first() if person.email else None
    )
    has_ulr_role = login is not None and scoping.active_roles(login).filter(role=Role.ULR).exists()
    problem = ""
    if request.method == "POST":
        try:
            services.rep_give_login(acting_user=request.user, rep=rep, request=request)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            if login is None:
                messages.success(
                    request, f"{person.full_name} can now sign in: we have emailed them a link to set a password."
                )
            else:
                messages.success(request, f"{person.full_name} can now sign in as a ULR with {person.email}.")
            return redirect("reps:detail", pk=rep.pk)
    return render(
        request,
        "reps/access/give_login.html",
        {"rep": rep, "login": login, "has_ulr_role": has_ulr_role, "problem": problem},
    )


urlpatterns: list[URLPattern] = [path("<int:pk>/login/", give_login, name="give_login")]
