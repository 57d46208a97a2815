"""The mailings pages: the lists (drafts and the sent archive), composing a mailing (details, audience, blocks),
previewing it on a desktop and a phone width, a test to oneself, sending, and what became of each message.

Co-ordinators of the mailing's unit compose and send; officers read; a ULR (or anyone without a unit in their
scope) gets 404. A sent mailing is the record of what was sent: it cannot be changed or deleted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningdesk.accounts.models import User
from learningdesk.comms import audience, content, selectors, sending, services
from learningdesk.comms.forms import BLOCK_FORMS, AudienceForm, MailingForm, RecipientFilterForm
from learningdesk.comms.models import Mailing, MailingBlock, Recipient
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.org import scoping

# The email preview is the message's own HTML: it may style itself, and nothing else (no script, no request
# anywhere but here for images), and only our pages may frame it.
PREVIEW_CSP: dict[str, list[str] | str] = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "sandbox": "",  # the directive on its own: no script, no forms, a unique origin
}


def _check_may_read(user: User) -> None:
    if not scoping.may_read_mailings(user):
        raise Http404


def _may_compose(user: User) -> bool:
    return bool(scoping.get_scope(user).edit)


def _may_change(user: User, mailing: Mailing) -> bool:
    return scoping.editable_mailings(user).filter(pk=mailing.pk).exists()


def crumbs(mailing: Mailing | None = None, here: str | None = None, *, sent_list: bool = False) -> Crumbs:
    trail: Crumbs = [("Mailings", reverse("comms:list"))]
    if sent_list or (mailing is not None and mailing.status == Mailing.Status.SENT):
        trail.append(("Sent", reverse("comms:sent")))
    if mailing is not None:
        trail.append((mailing.subject, reverse("comms:detail", args=[mailing.pk]) if here else None))
    if here:
        trail.append((here, None))
    return trail


def _draft_for_change(request: AuthenticatedRequest, pk: int) -> Mailing | HttpResponse:
    """The mailing if the user may change it and it is still a draft; else 404, or back to its page."""
    mailing = scoping.get_mailing_for_user(request.user, pk, for_change=True)
    if not mailing.is_draft:
        messages.error(request, "This mailing has been sent, so it can no longer be changed.")
        return redirect("comms:detail", pk=mailing.pk)
    return mailing


# The lists --------------------------------------------------------------------------------------------------


def _list_page(request: AuthenticatedRequest, *, sent: bool) -> HttpResponse:
    _check_may_read(request.user)
    page = paginate(request, selectors.mailings(request.user, sent=sent))
    found = selectors.figures(mailing.pk for mailing in page.object_list)
    rows = [{"mailing": mailing, "figures": found[mailing.pk]} for mailing in page.object_list]
    return render(
        request,
        "comms/list.html",
        {
            "page_obj": page,
            "rows": rows,
            "sent": sent,
            "can_add": _may_compose(request.user),
            "crumbs": [("Mailings", reverse("comms:list") if sent else None)] + ([("Sent", None)] if sent else []),
        },
    )


@require_GET
def mailing_list(request: AuthenticatedRequest) -> HttpResponse:
    """Drafts and mailings being sent, the most recently changed first."""
    return _list_page(request, sent=False)


@require_GET
def sent_list(request: AuthenticatedRequest) -> HttpResponse:
    """The sent archive: every mailing sent in the user's scope, newest first."""
    return _list_page(request, sent=True)


# A mailing --------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def mailing_add(request: AuthenticatedRequest) -> HttpResponse:
    _check_may_read(request.user)
    if not _may_compose(request.user):
        raise Http404
    form = MailingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            mailing = services.mailing_save(form.instance, acting_user=request.user, fields=sorted(form.changed_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Mailing started. Now choose who it is for and add what it says.")
            return redirect("comms:detail", pk=mailing.pk)
    return render(request, "comms/mailing_form.html", {"form": form, "mailing": None, "crumbs": crumbs(here="New")})


@require_http_methods(["GET", "POST"])
def mailing_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = _draft_for_change(request, pk)
    if isinstance(found, HttpResponse):
        return found
    form = MailingForm(request.POST or None, instance=found, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.mailing_save(form.instance, acting_user=request.user, fields=sorted(form.changed_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Details saved.")
            return redirect("comms:detail", pk=found.pk)
    return render(
        request,
        "comms/mailing_form.html",
        {"form": form, "mailing": found, "crumbs": crumbs(found, "Change the details")},
    )


@require_GET
def mailing_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A draft with what it says, who it is for and how many will get it; or, once sent, what became of it."""
    mailing = scoping.get_mailing_for_user(request.user, pk)
    can_change = _may_change(request.user, mailing)
    context: dict[str, object] = {
        "mailing": mailing,
        "can_change": can_change,
        "blocks": content.blocks_queryset(mailing) if mailing.is_draft else [],
        "crumbs": crumbs(mailing),
    }
    if mailing.is_draft:
        if can_change:
            count = audience.count_audience(request.user, mailing)
            context["count"] = count
            context["problems"] = services.send_problems(mailing, count)
        context["audience_problem"] = audience.audience_problem(mailing)
        context["employers"] = list(mailing.audience_employers.order_by("name"))
        context["workplaces"] = list(mailing.audience_workplaces.order_by("name"))
    else:
        context["figures"] = selectors.figures([mailing.pk])[mailing.pk]
    return render(request, "comms/detail.html", context)


@require_http_methods(["GET", "POST"])
def mailing_audience(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = _draft_for_change(request, pk)
    if isinstance(found, HttpResponse):
        return found
    form = AudienceForm(request.POST or None, user=request.user, mailing=found)
    if request.method == "POST" and form.is_valid():
        services.audience_save(found, acting_user=request.user, data=form.cleaned_data)
        count = audience.count_audience(request.user, found)
        messages.success(request, f"Audience saved: {count.receiving} will get it.")
        return redirect("comms:detail", pk=found.pk)
    return render(
        request, "comms/audience_form.html", {"form": form, "mailing": found, "crumbs": crumbs(found, "Who it is for")}
    )


@require_http_methods(["GET", "POST"])
def mailing_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = _draft_for_change(request, pk)
    if isinstance(found, HttpResponse):
        return found
    if request.method == "POST":
        services.mailing_delete(found, acting_user=request.user)
        messages.success(request, "Draft deleted.")
        return redirect("comms:list")
    return render(request, "comms/delete.html", {"mailing": found, "crumbs": crumbs(found, "Delete")})


# Blocks -----------------------------------------------------------------------------------------------------


def _block_form(request: AuthenticatedRequest, kind: str, block: MailingBlock) -> ModelForm:
    form_class = BLOCK_FORMS[kind]
    kwargs: dict[str, Any] = {"instance": block}
    if kind != MailingBlock.Kind.ARTICLE:
        kwargs["user"] = request.user
    return form_class(request.POST or None, **kwargs)


def _save_block(request: AuthenticatedRequest, form: ModelForm) -> bool:
    block = form.instance
    try:
        services.block_save(
            block,
            acting_user=request.user,
            activities=form.cleaned_data.get("activities"),
            resources=form.cleaned_data.get("resources"),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@require_http_methods(["GET", "POST"])
def block_add(request: AuthenticatedRequest, pk: int, kind: str) -> HttpResponse:
    found = _draft_for_change(request, pk)
    if isinstance(found, HttpResponse):
        return found
    if kind not in BLOCK_FORMS:
        raise Http404
    form = _block_form(request, kind, MailingBlock(mailing=found, kind=kind))
    if request.method == "POST" and form.is_valid() and _save_block(request, form):
        messages.success(request, f"{MailingBlock.Kind(kind).label} added.")
        return redirect(reverse("comms:detail", args=[found.pk]) + "#blocks")
    label = MailingBlock.Kind(kind).label
    return render(
        request,
        "comms/block_form.html",
        {
            "form": form,
            "mailing": found,
            "kind": kind,
            "label": label,
            "part": None,
            "crumbs": crumbs(found, f"Add {label.lower()}"),
        },
    )


def _block_for_change(
    request: AuthenticatedRequest, pk: int, block_pk: int
) -> tuple[Mailing, MailingBlock] | HttpResponse:
    found = _draft_for_change(request, pk)
    if isinstance(found, HttpResponse):
        return found
    return found, get_object_or_404(MailingBlock.objects.select_related("mailing__unit"), pk=block_pk, mailing=found)


@require_http_methods(["GET", "POST"])
def block_edit(request: AuthenticatedRequest, pk: int, block_pk: int) -> HttpResponse:
    found = _block_for_change(request, pk, block_pk)
    if isinstance(found, HttpResponse):
        return found
    mailing, block = found
    form = _block_form(request, block.kind, block)
    if request.method == "POST" and form.is_valid() and _save_block(request, form):
        messages.success(request, f"{block.get_kind_display()} saved.")
        return redirect(reverse("comms:detail", args=[mailing.pk]) + "#blocks")
    label = block.get_kind_display()
    return render(
        request,
        "comms/block_form.html",
        {
            "form": form,
            "mailing": mailing,
            "kind": block.kind,
            "label": label,
            "part": block,
            "crumbs": crumbs(mailing, f"Change {label.lower()}"),
        },
    )


@require_http_methods(["GET", "POST"])
def block_delete(request: AuthenticatedRequest, pk: int, block_pk: int) -> HttpResponse:
    found = _block_for_change(request, pk, block_pk)
    if isinstance(found, HttpResponse):
        return found
    mailing, block = found
    if request.method == "POST":
        services.block_delete(block, acting_user=request.user)
        messages.success(request, f"{block.get_kind_display()} removed.")
        return redirect(reverse("comms:detail", args=[mailing.pk]) + "#blocks")
    return render(
        request, "comms/block_delete.html", {"mailing": mailing, "part": block, "crumbs": crumbs(mailing, "Remove")}
    )


@require_POST
def block_move(request: AuthenticatedRequest, pk: int, block_pk: int) -> HttpResponse:
    found = _block_for_change(request, pk, block_pk)
    if isinstance(found, HttpResponse):
        return found
    mailing, block = found
    services.block_move(block, acting_user=request.user, up=request.POST.get("direction") != "down")
    return redirect(reverse("comms:detail", args=[mailing.pk]) + "#blocks")


# Preview and test -------------------------------------------------------------------------------------------


def _preview_body(mailing: Mailing) -> content.Body:
    """A draft as it would be sent now; a sent mailing as it was sent."""
    if mailing.is_draft:
        return content.render_body(mailing)
    return sending.stored_body(mailing)


@require_GET
def mailing_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The email on a desktop width and a phone width side by side (each in a frame), and its plain text."""
    mailing = scoping.get_mailing_for_user(request.user, pk)
    rendered = content.render_email(mailing, _preview_body(mailing))
    return render(
        request,
        "comms/preview.html",
        {
            "mailing": mailing,
            "rendered": rendered,
            "can_change": _may_change(request.user, mailing),
            "email_url": reverse("comms:preview_email", args=[mailing.pk]),
            "crumbs": crumbs(mailing, "Preview"),
        },
    )


@require_GET
@xframe_options_sameorigin
@csp_override(PREVIEW_CSP)
def mailing_preview_email(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The email's HTML part on its own, for the preview's frames (or to open in a tab)."""
    mailing = scoping.get_mailing_for_user(request.user, pk)
    rendered = content.render_email(mailing, _preview_body(mailing))
    return HttpResponse(rendered.html)


@require_POST
def mailing_test(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Send the draft to the user's own address, and nobody else's."""
    mailing = scoping.get_mailing_for_user(request.user, pk, for_change=True)
    try:
        services.send_test(mailing, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Test sent to {request.user.email}.")
    return redirect("comms:preview", pk=mailing.pk)


# Sending ----------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def mailing_send(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Check who will get it and who is left out, then send."""
    found = _draft_for_change(request, pk)
    if isinstance(found, HttpResponse):
        return found
    errors: list[str] = []
    if request.method == "POST":
        try:
            queued = services.mailing_queue(found, acting_user=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request, f"Sending to {queued.recipients} {'person' if queued.recipients == 1 else 'people'}."
            )
            return redirect("comms:detail", pk=found.pk)
    count = audience.count_audience(request.user, found)
    return render(
        request,
        "comms/send.html",
        {
            "mailing": found,
            "count": count,
            "problems": errors or services.send_problems(found, count),
            "crumbs": crumbs(found, "Send"),
        },
    )


@require_POST
def mailing_resume(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    mailing = scoping.get_mailing_for_user(request.user, pk, for_change=True)
    try:
        services.mailing_resume(mailing, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Sending again. Nobody who has been sent it will get it twice.")
    return redirect("comms:detail", pk=mailing.pk)


@require_GET
def mailing_recipients(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What became of each message: sent, failed, bounced, unsubscribed, not sent, not known."""
    mailing = scoping.get_mailing_for_user(request.user, pk)
    if mailing.is_draft:
        raise Http404
    form = RecipientFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    return render(
        request,
        "comms/recipients.html",
        {
            "mailing": mailing,
            "form": form,
            "status": status,
            "page_obj": paginate(request, selectors.recipients(mailing, status=status)),
            "figures": selectors.figures([mailing.pk])[mailing.pk],
            "can_change": _may_change(request.user, mailing),
            "crumbs": crumbs(mailing, "Recipients"),
        },
    )


@require_POST
def recipient_bounced(request: AuthenticatedRequest, pk: int, recipient_pk: int) -> HttpResponse:
    """Record a bounce that came back to the branch's mailbox."""
    mailing = scoping.get_mailing_for_user(request.user, pk, for_change=True)
    recipient = get_object_or_404(Recipient.objects.select_related("mailing"), pk=recipient_pk, mailing=mailing)
    try:
        services.recipient_mark_bounced(recipient, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Marked as bounced.")
    return redirect(reverse("comms:recipients", args=[mailing.pk]) + f"?status={Recipient.Status.BOUNCED}")


urlpatterns: list[URLPattern] = [
    path("", mailing_list, name="list"),
    path("sent/", sent_list, name="sent"),
    path("new/", mailing_add, name="add"),
    path("<int:pk>/", mailing_detail, name="detail"),
    path("<int:pk>/edit/", mailing_edit, name="edit"),
    path("<int:pk>/audience/", mailing_audience, name="audience"),
    path("<int:pk>/delete/", mailing_delete, name="delete"),
    path("<int:pk>/blocks/add/<str:kind>/", block_add, name="block_add"),
    path("<int:pk>/blocks/<int:block_pk>/edit/", block_edit, name="block_edit"),
    path("<int:pk>/blocks/<int:block_pk>/delete/", block_delete, name="block_delete"),
    path("<int:pk>/blocks/<int:block_pk>/move/", block_move, name="block_move"),
    path("<int:pk>/preview/", mailing_preview, name="preview"),
    path("<int:pk>/preview/email/", mailing_preview_email, name="preview_email"),
    path("<int:pk>/test/", mailing_test, name="test"),
    path("<int:pk>/send/", mailing_send, name="send"),
    path("<int:pk>/resume/", mailing_resume, name="resume"),
    path("<int:pk>/recipients/", mailing_recipients, name="recipients"),
    path("<int:pk>/recipients/<int:recipient_pk>/bounced/", recipient_bounced, name="recipient_bounced"),
]
