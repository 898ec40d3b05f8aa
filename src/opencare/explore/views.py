"""Public pages. Views only read through registry selectors and render; they hold no business logic."""

from __future__ import annotations

import csv
from decimal import Decimal
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from opencare.explore import charts, json_twins
from opencare.explore.contract_words import history_groups, status_name
from opencare.explore.forms import CompareForm, SearchForm
from opencare.ocds.extensions_used import declared_and_used
from opencare.ocds.metric_catalogue import metric_catalogue
from opencare.ocds.service_types import BY_CODE
from opencare.ocds.spreadsheets.cell_values import FORMULA_START
from opencare.registry import bulk, selectors
from opencare.registry.answer_cache import cached_by_registry_version
from opencare.registry.comparison import Comparison
from opencare.registry.comparison import compare as compare_contracts
from opencare.registry.contract_pages import contract_story, metric_group, metric_groups_of
from opencare.registry.organisation_pages import organisation_page
from opencare.registry.packages import package_metadata
from opencare.registry.search import SIGNALS, Search, search_facets, search_processes, with_matched_measures

CONTRACTS_PER_PAGE = 25
#: Public pages, charts and CSVs are kept per web worker until new data arrives (OPENCARE_PAGE_CACHE_SECONDS).
cached_page = cached_by_registry_version("OPENCARE_PAGE_CACHE_SECONDS")


@cached_page
def home(request: HttpRequest) -> HttpResponse:
    """The home page: what opencare is, a search box, the kinds of service, and the latest contracts."""
    processes = search_processes(Search())
    context = {
        "counts": selectors.registry_counts(),
        "latest": processes[:10],
        "facets": search_facets(processes),
        "form": SearchForm(),
    }
    return render(request, "explore/home.html", context)


@cached_page
def contracts(request: HttpRequest) -> HttpResponse:
    """Search contracts by words, council, provider, service, status, how it's going and dates, with facets."""
    form = SearchForm(request.GET or None)
    if request.GET and not form.is_valid():
        if json_twins.wants_json(request):
            return json_twins.problem("The search is not valid.", status=400, errors=form.errors)
        return render(request, "explore/contracts.html", {"form": form}, status=400)
    search = form.search() if request.GET else Search()
    processes = search_processes(search)
    paginator = Paginator(processes, CONTRACTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    results = with_matched_measures(page, search.q)
    facets = search_facets(processes)
    if json_twins.wants_json(request):
        return json_twins.json_answer({
            "search": search, "count": paginator.count, "page": page.number, "pages": paginator.num_pages,
            "per_page": CONTRACTS_PER_PAGE, "results": results, "facets": facets,
        })  # fmt: skip
    context = {
        "form": form,
        "page": page,
        "results": results,
        "paginator": paginator,
        "facets": facets,
        "filters": _active_filters(search),
    }
    return render(request, "explore/contracts.html", context)


def _active_filters(search: Search) -> list[tuple[str, str, str]]:
    """(label, value, address without it) for each filter in use, for "remove" links."""
    labels = {
        "q": _("Words"), "buyer": _("Council or NHS body"), "supplier": _("Provider"), "service_type": _("Service"),
        "status": _("Status"), "signal": _("How it's going"), "running_from": _("Running on or after"),
        "running_to": _("Running on or before"),
    }  # fmt: skip
    active = []
    for name, label in labels.items():
        value = getattr(search, name)
        if value:
            if name == "service_type" and value in BY_CODE:
                shown = _(BY_CODE[value].name)
            elif name == "status":
                shown = status_name(value)
            else:
                shown = _(SIGNALS[value]) if name == "signal" and value in SIGNALS else value
            active.append((str(label), str(shown), "?" + urlencode(search.without(name))))
    return active


@cached_page
def contract(request: HttpRequest, ocid: str) -> HttpResponse:
    """One contracting process: what was promised, how it is going, who is involved, its history."""
    story = contract_story(ocid=ocid)
    if story is None:
        if json_twins.wants_json(request):
            return json_twins.problem("No contracting process has that OCID.", status=404)
        raise Http404("No contracting process has that OCID.")
    if json_twins.wants_json(request):
        return json_twins.json_answer(story)
    context = {"story": story, "process": story.process, "history_groups": history_groups(story.history)}
    return render(request, "explore/contract.html", context)


@cached_page
def contract_easy_read(request: HttpRequest, ocid: str) -> HttpResponse:
    """The contract in short sentences with the key numbers."""
    story = contract_story(ocid=ocid, with_history=False)
    if story is None:
        raise Http404("No contracting process has that OCID.")
    return render(request, "explore/easy_read.html", {"story": story, "process": story.process})


@cached_page
def contract_chart(request: HttpRequest, ocid: str, metric_id: str) -> HttpResponse:
    """One metric of a contract over time, as an SVG image."""
    group = metric_group(ocid=ocid, metric_id=metric_id)
    if group is None or not group.chartable:
        raise Http404("That contract has no figures over time for that measure.")
    return _svg(charts.progress_chart(group.contracts))


@cached_page
def contract_performance_csv(request: HttpRequest, ocid: str) -> HttpResponse:
    """Every figure of every metric of the contract, one row per period, as CSV."""
    groups = metric_groups_of(ocid=ocid)
    if groups is None:
        raise Http404("No contracting process has that OCID.")
    rows = [
        [
            metric.contract_id, metric.buyer_name, metric.supplier_name, metric.metric_id, group.title,
            reading.period_start, reading.period_end, reading.dimensions, reading.amount, metric.unit_name,
            metric.currency, metric.target, reading.classification_name, reading.classified_by,
            " ".join(item.sentence for item in (*reading.shortfalls, *reading.benchmarks)),
        ]
        for group in groups
        for metric in group.contracts
        for reading in metric.actuals
    ]  # fmt: skip
    header = [
        "contract_id", "buyer", "provider", "metric_id", "metric", "period_start", "period_end", "breakdown",
        "figure", "unit", "currency", "target", "classification", "classified_by", "why",
    ]  # fmt: skip
    return _csv(f"{_filename(ocid)}-performance.csv", header, rows)


@cached_page
def contract_record(request: HttpRequest, ocid: str) -> HttpResponse:
    """The process as an OCDS record package: every release and the compiled release."""
    process = selectors.process_by_ocid(ocid=ocid)
    if process is None:
        raise Http404("No contracting process has that OCID.")
    stored = list(selectors.process_releases(ocid=ocid))
    extensions = declared_and_used(selectors.extensions_declared(stored), [release.data for release in stored])
    package = package_metadata(path=request.get_full_path(), extensions=extensions) | {
        "records": [{
            "ocid": process.ocid,
            "releases": [release.data for release in stored],
            "compiledRelease": process.compiled_release,
        }],
    }  # fmt: skip
    response = JsonResponse(package, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{_filename(ocid)}-record.json"'
    return response


def organisations(request: HttpRequest) -> HttpResponse:
    """Councils, NHS bodies and providers, searchable by name, a page at a time."""
    query = request.GET.get("q", "")[:200]
    paginator = Paginator(selectors.organisation_list(q=query).order_by("-process_total", "name"), CONTRACTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "explore/organisations.html", {"page": page, "paginator": paginator, "q": query})


@cached_page
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    """One council or provider: what it buys or provides, and how those contracts are going."""
    content = organisation_page(pk=pk)
    if content is None:
        raise Http404("There is no organisation with that number.")
    return render(request, "explore/organisation.html", {"content": content, "org": content.organisation})


@cached_page
def compare(request: HttpRequest) -> HttpResponse:
    """Contracts side by side on shared metrics, with the spread across all contracts and benchmarks."""
    if json_twins.wants_json(request):
        return _compare_json(request)
    form = CompareForm(request.GET or None)
    if form.is_blank:
        return render(request, "explore/compare.html", {"form": CompareForm()})
    if not form.is_valid():
        return render(request, "explore/compare.html", {"form": form}, status=400)
    result, missing = _comparison(form)
    if result is None:
        return render(request, "explore/compare.html", {"form": form, "missing": missing}, status=404)
    context = {"form": form, "result": result, "missing": missing, "query": request.GET.urlencode()}
    return render(request, "explore/compare.html", context)


def _compare_json(request: HttpRequest) -> HttpResponse:
    """The comparison page's JSON twin: its rows, columns and the OCIDs asked for that the registry does not hold."""
    form = CompareForm(request.GET)
    if form.is_blank or not form.is_valid():
        how = "Choose 2 to 10 contracts (?ocid=...&ocid=...) or a service (?service_type=home-care)."
        return json_twins.problem(how, status=400, errors=form.errors)
    result, missing = _comparison(form)
    if result is None:
        return json_twins.problem("None of those contracts is in the register, or that service has none.", status=404)
    document = {"rows": result.rows, "columns": result.columns, "truncated": result.truncated, "missing": missing}
    return json_twins.json_answer(document)


@cached_page
def compare_csv(request: HttpRequest) -> HttpResponse:
    """The comparison as CSV: one row per contract and metric."""
    result = _comparison_or_error(request)
    if isinstance(result, HttpResponse):
        return result
    header = [
        "ocid", "contract_id", "contract", "buyer", "provider", "service_type", "metric_id", "metric", "figure",
        "unit", "currency", "target", "latest_classification", "periods_met", "periods_below",
        "worked_out_by_opencare", "all_contracts_count", "all_contracts_lowest", "all_contracts_average",
        "all_contracts_highest",
    ]  # fmt: skip
    rows = [
        [
            row.process.ocid, row.contract_id, row.contract_title, row.buyer_name, row.supplier_name,
            row.process.service_type, column.metric_id, column.title, cell.amount, column.unit_id, column.currency,
            cell.target, cell.classification, cell.periods_met, cell.periods_below, cell.worked_out,
            column.spread_count, column.spread_min, column.spread_average, column.spread_max,
        ]
        for row in result.rows
        for column in result.columns
        if (cell := row.cells.get(column.metric_id)) is not None
    ]  # fmt: skip
    return _csv("opencare-comparison.csv", header, rows)


@cached_page
def compare_chart(request: HttpRequest, metric_id: str) -> HttpResponse:
    """One metric of a comparison as a bar chart (SVG)."""
    result = _comparison_or_error(request)
    if isinstance(result, HttpResponse):
        return result
    column = next((c for c in result.columns if c.metric_id == metric_id), None)
    if column is None:
        raise Http404("That comparison has no figures for that measure.")
    return _svg(charts.comparison_chart(column, result.rows))


def _comparison(form: CompareForm) -> tuple[Comparison | None, list[str]]:
    """The comparison the valid form asks for, and the OCIDs asked for that the registry does not hold."""
    ocids = form.cleaned_data["ocid"]
    if ocids:
        result = compare_contracts(ocids=ocids)
        found = {row.process.ocid for row in result.rows}
        missing = [ocid for ocid in ocids if ocid not in found]
        return (result if len(found) >= 2 else None), missing
    result = compare_contracts(service_type=form.cleaned_data["service_type"])
    return (result if result.rows else None), []


def _comparison_or_error(request: HttpRequest) -> Comparison | HttpResponse:
    """For the comparison's downloads: the comparison asked for, or a plain-text 400 or 404 saying why not."""
    form = CompareForm(request.GET or None)
    if form.is_blank or not form.is_valid():
        problems = " ".join(str(error) for errors in form.errors.values() for error in errors)
        message = f"{problems} Choose 2 to 10 contracts (?ocid=...&ocid=...) or a service (?service_type=home-care)."
        return _plain_text(message.strip(), status=400)
    result, _missing = _comparison(form)
    if result is None:
        return _plain_text("None of those contracts is in the register, or that service has none.", status=404)
    return result


def _plain_text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def glossary(request: HttpRequest) -> HttpResponse:
    """The words used on opencare's pages, explained."""
    return render(request, "explore/glossary.html", {"metrics": metric_catalogue(get_language()).metrics.values()})


def _svg(chart: charts.Chart) -> HttpResponse:
    response = HttpResponse(chart.svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


def _csv(filename: str, header: list[str], rows: list[list[object]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else _csv_safe(value) for value in row])
    return response


def _csv_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe (CSV injection); a figure is
    written as people write it, without the database's trailing zeros or an exponent (22.4, not 22.4000000000000)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, Decimal) and value.is_finite():
        return format(value.normalize(), "f")
    return value


def about_data(request: HttpRequest) -> HttpResponse:
    """Where the data comes from, under which licence, and which data is invented."""
    return render(request, "explore/about_data.html", {"sources": selectors.sources_with_counts()})


def _filename(ocid: str) -> str:
    return "".join(character if character.isalnum() or character in "-_" else "_" for character in ocid)


def downloads(request: HttpRequest) -> HttpResponse:
    """The bulk downloads: the whole registry and the social-care subset, with sizes, SHA-256 and licences."""
    state = bulk.downloads_state()
    return render(request, "explore/downloads.html", {"index": state.index, "state": state})


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
