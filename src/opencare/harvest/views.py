"""The administrators' harvest page: each source, how far it has been harvested, and its recent runs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from opencare.accounts.roles import is_administrator
from opencare.harvest.selectors import FAILING_AFTER, SourceState, source_states


@require_safe
@login_required
def harvests(request: HttpRequest) -> HttpResponse:
    """Each source's progress and recent runs (site administrators only; no one else learns the page exists).
    ``?format=json`` gives the same as JSON."""
    if not is_administrator(request.user):
        raise Http404("There is no such page.")
    states = source_states()
    if request.GET.get("format") == "json":
        return JsonResponse({"sources": [_as_json(state) for state in states], "failing_after": FAILING_AFTER})
    return render(request, "harvest/harvests.html", {"sources": states, "failing_after": FAILING_AFTER})


def _as_json(state: SourceState) -> dict[str, Any]:
    return {
        "source": state.name, "title": state.title, "base_url": state.base_url, "scheduled": state.scheduled,
        "harvested_until": state.done_until, "window_under_way_from": state.under_way,
        "next_scheduled": state.next_scheduled, "failing": state.failing,
        "failures_in_a_row": state.failures_in_a_row,
        "runs": [{
            "id": run.pk, "status": run.status, "window_start": run.window_start, "window_end": run.window_end,
            "requests": run.requests, "pages": run.pages, "releases_read": run.releases_read, "added": run.added,
            "already_stored": run.already_stored, "flagged": run.flagged, "errors": run.errors,
            "started_at": run.started_at, "finished_at": run.finished_at,
        } for run in state.runs],
    }  # fmt: skip
