"""Facility time: agreed allowances, logging time, agreed against used; a rep's conversations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.org import scoping
from learningdesk.reps import facility
from learningdesk.reps.forms.facility import AllowanceForm, ConversationForm, ReportFilterForm, TimeEntryForm
from learningdesk.reps.models import FacilityAllowance, Rep
from learningdesk.reps.views.register import rep_crumbs as register_rep_crumbs

# The report lists the employers with the most agreed time; the filter reaches any other.
REPORT_EMPLOYERS = 50


def rep_crumbs(request: AuthenticatedRequest, rep: Rep) -> Crumbs:
    """Back to the rep's own page for a rep logging for themselves, else to the rep's page on the register."""
    if rep.person_id == request.user.person_id:
        return [("My rep page", reverse("reps:own"))]
    return register_rep_crumbs(rep)


def _rep_to_log_for(request: AuthenticatedRequest) -> tuple[Rep | None, QuerySet[Rep] | None]:
    """The rep named by ?rep= (one the user may log for, or 404); else the user's own role, or their own
    roles to choose from when they hold several. (None, None) when the user is not a rep."""
    if "rep" in request.GET:
        return facility.get_loggable_rep(request.user, request.GET["rep"]), None
    own = facility.own_loggable_reps(request.user).order_by("kind__order", "pk")
    reps = list(own)
    if len(reps) == 1:
        return reps[0], None
    return None, (own if reps else None)


def _not_a_rep(request: AuthenticatedRequest, doing: str) -> HttpResponse:
    return render(
        request,
        "reps/facility/not_a_rep.html",
        {"doing": doing, "may_manage": scoping.may_manage_reps(request.user)},
    )


# Logging time -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def time_log(request: AuthenticatedRequest) -> HttpResponse:
    """A rep logs facility time on their phone: date, how long, what for."""
    rep, choices = _rep_to_log_for(request)
    if rep is None and choices is None:
        return _not_a_rep(request, "log facility time")
    logged = None
    if rep is not None and request.method == "GET" and request.GET.get("logged", "").isdigit():
        logged = rep.time_entries.select_related("employer").filter(pk=request.GET["logged"]).first()
    employers = facility.employers_for(rep) if rep is not None else []
    form = TimeEntryForm(request.POST or None, reps=choices, employers=employers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rep = data.get("rep") or rep
        assert rep is not None  # the form requires a choice when there is no rep yet
        try:
            entry = facility.time_log(
                acting_user=request.user,
                rep=rep,
                on=data["on"],
                hours=data["hours"],
                purpose=data["purpose"],
                note=data["note"],
                employer=data.get("employer"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The page it goes to confirms it, with "Log more time" and the totals: no banner as well.
            return redirect(f"{reverse('reps:time_log')}?rep={rep.pk}&logged={entry.pk}")
    today = timezone.localdate()
    return render(
        request,
        "reps/facility/time_log.html",
        {
            "form": form,
            "rep": rep,
            "logged": logged,
            "summary": facility.rep_facility(rep, today) if rep is not None else None,
            "today": today,
            "crumbs": rep_crumbs(request, rep) if rep is not None else [],
        },
    )


# Conversations ----------------------------------------------------------------------------------


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def conversation_log(request: AuthenticatedRequest) -> HttpResponse:
    """A rep logs a conversation about learning; "they would like to become a rep" adds a prospect."""
    rep, choices = _rep_to_log_for(request)
    if rep is None and choices is None:
        return _not_a_rep(request, "log a conversation")
    people = facility.people_to_talk_to(request.user, [rep] if rep is not None else choices or [])
    if request.htmx and "find" in request.GET:
        matches = facility.people_matching(people, request.GET.get("name", ""))
        return render(
            request,
            "reps/facility/conversation_log.html#people",
            {"matches": matches, "searched": request.GET.get("name", "").strip(), "rep": rep},
        )
    finding = request.method == "POST" and "find" in request.POST
    if finding:
        # "Find" redisplays the form with the people matching the name, keeping what was typed.
        form = ConversationForm(initial=request.POST.dict(), reps=choices, people=people)
    else:
        form = ConversationForm(request.POST or None, reps=choices, people=people)
    if request.method == "POST" and not finding and form.is_valid():
        data = form.cleaned_data
        rep = data.get("rep") or rep
        assert rep is not None
        person = data["person"]
        try:
            result = facility.conversation_log(
                acting_user=request.user,
                rep=rep,
                on=data["on"],
                about=data["about"],
                person=person,
                name=data["name"],
                notes=data["notes"],
                follow_up=data["follow_up"],
                wants_to_be_rep=data["wants_to_be_rep"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _conversation_message(result))
            return redirect(f"{reverse('reps:conversation_log')}?rep={rep.pk}")
    name = str(form["name"].value() or "")
    selected = form["person"].value()
    matches = facility.people_matching(people, name)
    if str(selected or "").isdigit() and int(str(selected)) not in {p.pk for p in matches}:
        matches = list(people.filter(pk=selected)) + matches
    return render(
        request,
        "reps/facility/conversation_log.html",
        {
            "form": form,
            "rep": rep,
            "matches": matches,
            "searched": name.strip(),
            "selected": str(selected or ""),
            "recent": list(rep.conversations.select_related("person")[:5]) if rep is not None else [],
            "crumbs": rep_crumbs(request, rep) if rep is not None else [],
        },
    )


def _conversation_message(result: facility.ConversationLogged) -> str:
    conversation = result.conversation
    who = conversation.person.full_name if conversation.person else conversation.name
    message = f"Conversation with {who} logged."
    if result.prospect is not None:
        kind = result.prospect.kind.name
        message += f" {who} is now on the register as a prospect {kind}: your co-ordinator will follow it up."
    elif result.already_on_register is not None:
        rep = result.already_on_register
        message += f" {who} is already on the register as a {rep.kind.name} ({rep.get_stage_display().lower()})."
    elif conversation.follow_up:
        message += " It is marked for a follow-up."
    return message


# Agreed facility time ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def allowance_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record the facility time an employer agreed for a rep; an existing agreement with that employer is
    changed rather than added twice (?employer=<pk> opens it)."""
    rep = scoping.get_rep_for_user(request.user, pk, for_change=True)
    employers = facility.employers_for(rep)
    existing = {a.employer_id: a for a in rep.facility_allowances.all()}
    employer_pk = request.POST.get("employer") or request.GET.get("employer") or ""
    if not employer_pk and len(employers) == 1:
        employer_pk = str(employers[0].pk)
    instance = existing.get(int(employer_pk)) if employer_pk.isdigit() else None
    form = AllowanceForm(
        request.POST or None,
        instance=instance if request.method == "GET" else None,
        initial={} if instance else {"employer": employer_pk or None, "per": FacilityAllowance.Per.WEEK},
        employers=employers,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            allowance = facility.allowance_set(
                acting_user=request.user,
                rep=rep,
                employer=data["employer"],
                hours=data["hours"],
                per=data["per"],
                agreed_on=data["agreed_on"],
                notes=data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Facility time saved: {facility.format_hours(allowance.hours)} hours {allowance.get_per_display()} "
                f"with {allowance.employer.name}.",
            )
            return redirect("reps:detail", pk=rep.pk)
    return render(
        request,
        "reps/facility/allowance_form.html",
        {
            "form": form,
            "rep": rep,
            "employers": employers,
            "instance": instance,
            "crumbs": [
                ("Reps", reverse("reps:register")),
                (rep.person.full_name, reverse("reps:detail", args=[rep.pk])),
            ],
        },
    )


# Agreed against used ----------------------------------------------------------------------------


# The reps' table as a file (core/exports.py): hours as numbers, for the period chosen.
def _facility_columns(window: facility.Window) -> list[Column]:
    def usage(rep: Rep) -> facility.UsageRow:
        if not hasattr(rep, "_usage"):
            rep._usage = facility.usage_row(rep, window)  # type: ignore[attr-defined]
        return rep._usage  # type: ignore[attr-defined]

    return [
        Column("Rep", lambda rep: rep.person.full_name),
        Column("Role", lambda rep: rep.kind.name),
        Column("Workplaces", lambda rep: ", ".join(w.name for w in rep.workplaces.all())),
        Column("Agreed hours a month", lambda rep: usage(rep).agreed_per_month),
        Column("Used this month", lambda rep: usage(rep).used_month),
        Column("Used in the last 3 months", lambda rep: usage(rep).used_3_months),
        Column("Used in the period", lambda rep: usage(rep).used_period),
        Column("Agreed for the period", lambda rep: usage(rep).agreed_period),
        Column("Per cent used", lambda rep: usage(rep).percent_used),
    ]


def report(request: AuthenticatedRequest) -> HttpResponse:
    """Agreed facility time against time used, per rep and per employer, for the user's scope."""
    today = timezone.localdate()
    form = ReportFilterForm(request.GET or None, employers=facility.report_employer_choices(request.user))
    period = facility.Period.QUARTER.value
    employer = None
    if form.is_bound:
        form.is_valid()  # an employer out of the list is ignored; the period still applies
        period = form.cleaned_data.get("period") or period
        employer = form.cleaned_data.get("employer")
    window = facility.window(period, today)
    reps = facility.report_reps(user=request.user, today=today, window_=window, employer=employer)
    fmt = export_format(request)
    if fmt:
        filters = {"period": period, "employer": employer.pk if employer else None}
        return export_response(
            request,
            name="facility time",
            columns=_facility_columns(window),
            rows=reps.prefetch_related("workplaces"),
            fmt=fmt,
            filters=filters,
        )
    page = paginate(request, reps.prefetch_related("workplaces"))
    rows = [(rep, facility.usage_row(rep, window)) for rep in page.object_list]
    employers = []
    if employer is None:
        employers = [
            (row, facility.usage_row(row, window))
            for row in facility.report_employers(user=request.user, today=today, window_=window)[:REPORT_EMPLOYERS]
        ]
    return render(
        request,
        "reps/facility/report.html",
        {
            "form": form,
            "window": window,
            "employer": employer,
            "page_obj": page,
            "rows": rows,
            "employers": employers,
            "report_employers": REPORT_EMPLOYERS,
            "today": today,
            "crumbs": [("Reps", reverse("reps:register")), ("Facility time", None)],
        },
    )


urlpatterns: list[URLPattern] = [
    path("time/log/", time_log, name="time_log"),
    path("conversations/log/", conversation_log, name="conversation_log"),
    path("<int:pk>/facility/add/", allowance_add, name="allowance_add"),
    path("facility-time/", report, name="facility"),
]
