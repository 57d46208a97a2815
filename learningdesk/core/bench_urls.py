"""The site's URLs plus a bare view, for the benchmarks only (core/bench.py switches to this URLconf):
the public pages are measured against the least a Django view can do, through the same middleware."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from learningdesk.urls import urlpatterns as site_urlpatterns


@login_not_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# Last, as a new view of the site would be: Django tries the patterns in order, for the bare view as for ours.
urlpatterns = [*site_urlpatterns, path("bench/bare/", bare, name="bench_bare")]
