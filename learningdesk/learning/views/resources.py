"""The resource catalogue: the list in the user's scope, adding, changing and deleting a resource (co-ordinators),
downloading its file; and the public list of a unit's resources under /learn/<code>/resources/."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.forms import add_service_errors
from learningdesk.core.http import AuthenticatedRequest, Crumbs
from learningdesk.core.pagination import paginate
from learningdesk.learning import resources
from learningdesk.learning.forms.resources import ResourceForm
from learningdesk.learning.models import Resource, ResourceAudience, Subject
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit


def list_crumbs() -> Crumbs:
    return [("Resources", reverse("learning:resources"))]


def resource_crumbs(resource: Resource) -> Crumbs:
    return [*list_crumbs(), (resource.title, reverse("learning:resource_detail", args=[resource.pk]))]


def _filters(search: resources.Search, *, staff: bool) -> dict:
    """The choices of the filter selects, for the templates."""
    filters = {
        "subjects": list(Subject.objects.order_by("order", "name").values_list("pk", "name")),
        "audiences": ResourceAudience.Group.choices,
    }
    if staff:
        filters["kinds"] = Resource.Kind.choices
        filters["visibilities"] = Resource.Visibility.choices
    return filters


def _results_caption(count: int, search: resources.Search) -> str:
    noun = "resource" if count == 1 else "resources"
    return f"{count:,} {noun} found" if search.is_filtered else f"{count:,} {noun}"


def _file_response(resource: Resource) -> FileResponse:
    """The file as an attachment: browsers save it rather than render it (nosniff: nor guess its type)."""
    if not resource.file:
        raise Http404("This resource has no file")
    try:
        handle = resource.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing") from error
    response = FileResponse(handle, as_attachment=True, filename=PurePath(resource.file.name or "").name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# The catalogue ----------------------------------------------------------------------------------


RESOURCE_COLUMNS = [  # the list as a file (core/exports.py)
    Column("Resource", lambda r: r.title),
    Column("Kind", lambda r: r.get_kind_display()),
    Column("Subjects", lambda r: ", ".join(sorted(subject.name for subject in r.subjects.all()))),
    Column("Link", lambda r: r.url),
    Column("Has a file", lambda r: bool(r.file)),
    Column("Who can see it", lambda r: r.get_visibility_display()),
    Column("Unit", lambda r: r.unit.name),
    Column("Owner", lambda r: str(r.owner) if r.owner else ""),
    Column("Review by", lambda r: r.review_by),
]


@require_GET
def resource_list(request: AuthenticatedRequest) -> HttpResponse:
    """Resources in the user's scope (their units' and those of the units above), searchable and filtered."""
    search = resources.Search.from_query(request.GET)
    found = resources.search_resources(scoping.visible_resources(request.user), search).order_by("title", "id")
    fmt = export_format(request)
    if fmt:
        rows = found.prefetch_related("subjects")
        return export_response(request, name="resources", columns=RESOURCE_COLUMNS, rows=rows, fmt=fmt)
    page = paginate(request, found)
    return render(
        request,
        "learning/resources/list.html",
        {
            "page_obj": page,
            "search": search,
            "caption": _results_caption(page.paginator.count, search),
            "today": timezone.localdate(),
            "may_add": scoping.editable_units(request.user).exists(),
            **_filters(search, staff=True),
        },
    )


@require_GET
def resource_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resource = scoping.get_resource_for_user(request.user, pk)
    may_change = scoping.editable_resources(request.user).filter(pk=resource.pk).exists()
    return render(
        request,
        "learning/resources/detail.html",
        {
            "resource": resource,
            "subjects": resource.subjects.all(),
            "audiences": resource.audiences.all(),
            "may_change": may_change,
            "today": timezone.localdate(),
            "crumbs": list_crumbs(),
        },
    )


@require_http_methods(["GET", "POST"])
def resource_add(request: AuthenticatedRequest) -> HttpResponse:
    """Add a resource to the catalogue. Co-ordinators only: others get 403."""
    if not scoping.editable_units(request.user).exists():
        raise PermissionDenied("Only co-ordinators add resources")
    form = ResourceForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            resource = resources.resource_save(acting_user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{resource.title}” added to the resources.")
            return redirect("learning:resource_detail", pk=resource.pk)
    return render(request, "learning/resources/form.html", {"form": form, "crumbs": list_crumbs()})


@require_http_methods(["GET", "POST"])
def resource_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resource = scoping.get_resource_for_user(request.user, pk, for_change=True)
    form = ResourceForm(request.POST or None, request.FILES or None, instance=resource, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            resource = resources.resource_save(acting_user=request.user, resource=resource, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{resource.title}” saved.")
            return redirect("learning:resource_detail", pk=resource.pk)
    return render(
        request,
        "learning/resources/form.html",
        {"form": form, "resource": resource, "crumbs": resource_crumbs(resource)},
    )


@require_http_methods(["GET", "POST"])
def resource_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask, then delete a resource and its file."""
    resource = scoping.get_resource_for_user(request.user, pk, for_change=True)
    if request.method == "POST":
        title = resource.title
        resources.resource_delete(acting_user=request.user, resource=resource)
        messages.success(request, f"“{title}” deleted.")
        return redirect("learning:resources")
    return render(
        request, "learning/resources/delete.html", {"resource": resource, "crumbs": resource_crumbs(resource)}
    )


@require_GET
def resource_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """A resource's file, public or members only, for a signed-in user who can see it."""
    return _file_response(scoping.get_resource_for_user(request.user, pk))


# The public pages -------------------------------------------------------------------------------


def _public_unit(code: str) -> OrgUnit:
    unit = resources.public_unit(code)
    if unit is None:
        raise Http404("No such branch or region")
    return unit


def _public_list(unit: OrgUnit) -> QuerySet[Resource]:
    return resources.public_resources(unit).order_by("title", "id")


@login_not_required
@require_GET
def public_resource_list(request: HttpRequest, code: str) -> HttpResponse:
    """The public resources of a unit and the units above it, searchable; out-of-date ones are hidden."""
    unit = _public_unit(code)
    search = resources.Search.from_query(request.GET)
    search = resources.Search(q=search.q, subject=search.subject, audience=search.audience)
    page = paginate(request, resources.search_resources(_public_list(unit), search))
    return render(
        request,
        "learning/resources/public_list.html",
        {
            "unit": unit,
            "code": code.lower(),
            # The unit's learning page (learning/views/public.py) lives at /learn/<code>/.
            "learning_url": f"/learn/{unit.code.lower()}/",
            "page_obj": page,
            "search": search,
            "caption": _results_caption(page.paginator.count, search),
            **_filters(search, staff=False),
        },
    )


@login_not_required
@require_GET
def public_resource_download(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """A public resource's file; members-only and out-of-date ones answer 404, as if they did not exist."""
    resource = _public_list(_public_unit(code)).filter(pk=pk).first()
    if resource is None:
        raise Http404("No such resource")
    return _file_response(resource)


urlpatterns: list[URLPattern] = [
    path("resources/", resource_list, name="resources"),
    path("resources/add/", resource_add, name="resource_add"),
    path("resources/<int:pk>/", resource_detail, name="resource_detail"),
    path("resources/<int:pk>/edit/", resource_edit, name="resource_edit"),
    path("resources/<int:pk>/delete/", resource_delete, name="resource_delete"),
    path("resources/<int:pk>/download/", resource_download, name="resource_download"),
]
public_urlpatterns: list[URLPattern] = [
    path("<str:code>/resources/", public_resource_list, name="resources"),
    path("<str:code>/resources/<int:pk>/download/", public_resource_download, name="resource_download"),
]
