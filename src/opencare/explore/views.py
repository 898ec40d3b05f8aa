"""Public pages. Views only read through registry selectors and render; they hold no business logic."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from opencare.ocds.metric_catalogue import metric_catalogue
from opencare.registry import bulk, selectors

CONTRACTS_PER_PAGE = 25


def home(request: HttpRequest) -> HttpResponse:
    """The home page: what opencare is, how much it holds, and the latest contracts."""
    context = {
        "counts": selectors.registry_counts(),
        "latest": selectors.process_list()[:10],
    }
    return render(request, "explore/home.html", context)


def contracts(request: HttpRequest) -> HttpResponse:
    """Every contracting process in the registry, a page at a time."""
    paginator = Paginator(selectors.process_list(), CONTRACTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "explore/contracts.html", {"page": page, "paginator": paginator})


def contract(request: HttpRequest, ocid: str) -> HttpResponse:
    """One contracting process: its summary, the metrics it carries and its release history."""
    process = selectors.process_by_ocid(ocid=ocid)
    if process is None:
        raise Http404("No contracting process has that OCID.")
    catalogue = metric_catalogue()
    metrics = [(metric_id, catalogue.get(metric_id)) for metric_id in process.metric_ids]
    context = {
        "process": process,
        "metrics": metrics,
        "releases": selectors.process_releases(ocid=ocid),
        "involved": selectors.process_involved(process=process),
    }
    return render(request, "explore/contract.html", context)


def contract_record(request: HttpRequest, ocid: str) -> JsonResponse:
    """The process as an OCDS record package: every release and the compiled release."""
    process = selectors.process_by_ocid(ocid=ocid)
    if process is None:
        raise Http404("No contracting process has that OCID.")
    releases = [release.data for release in selectors.process_releases(ocid=ocid)]
    package = {
        "uri": request.build_absolute_uri(),
        "version": "1.1",
        "publisher": {"name": "opencare"},
        "records": [{"ocid": process.ocid, "releases": releases, "compiledRelease": process.compiled_release}],
    }
    response = JsonResponse(package, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{_filename(ocid)}-record.json"'
    return response


def about_data(request: HttpRequest) -> HttpResponse:
    """Where the data comes from, under which licence, and which data is invented."""
    return render(request, "explore/about_data.html", {"sources": selectors.sources_with_counts()})


def _filename(ocid: str) -> str:
    return "".join(character if character.isalnum() or character in "-_" else "_" for character in ocid)


def downloads(request: HttpRequest) -> HttpResponse:
    """The bulk downloads: the whole registry and the social-care subset, with sizes, SHA-256 and licences."""
    return render(request, "explore/downloads.html", {"index": bulk.read_index()})


def downloads_index(request: HttpRequest) -> HttpResponse:
    """index.json of the bulk downloads."""
    index = bulk.read_index()
    if index is None:
        raise Http404("The bulk downloads have not been made yet.")
    return JsonResponse(index)


def download_file(request: HttpRequest, name: str) -> FileResponse:
    """One bulk download file."""
    path = bulk.download_path(name)
    if path is None:
        raise Http404("There is no download with that name.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)
