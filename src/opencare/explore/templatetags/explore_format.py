"""Template tags for the public pages: figures in their units, query strings that keep the current search, and codes
in people's words (opencare.explore.contract_words)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import template
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import get_language

from opencare.explore import contract_words
from opencare.explore.charts import format_figure, unit_label
from opencare.ocds.metric_catalogue import metric_title_in

register = template.Library()


@register.simple_tag
def figure(amount: Decimal | float | None, unit_id: str = "", currency: str = "") -> str:
    """A figure as people write it: "£27.55", "1.4%", "2,569", or a dash when there is none."""
    return format_figure(amount, unit_id, currency)


@register.simple_tag
def unit(unit_id: str = "", currency: str = "") -> str:
    """A unit in words: "£ per hour", "%", "hours"."""
    return unit_label(unit_id, currency)


@register.simple_tag
def with_parameter(query: QueryDict, name: str, value: Any) -> str:
    """The current query string with one parameter set (and the page number dropped)."""
    parameters = query.copy()
    parameters.pop("page", None)
    parameters[name] = str(value)
    return "?" + parameters.urlencode()


@register.simple_tag
def page_link(query: QueryDict, number: int) -> str:
    """The current query string on another page of results."""
    parameters = {key: query.getlist(key) for key in query if key != "page"}
    return "?" + urlencode({**parameters, "page": number}, doseq=True)


@register.filter
def cell_for(row: Any, metric_id: str) -> Any:
    """A comparison row's cell for one metric, or None."""
    return row.cells.get(metric_id)


@register.filter
def status_words(status: str) -> str:
    """A status code in words ("active" becomes "Under way")."""
    return contract_words.status_name(status)


@register.filter
def role_words(roles: list[str]) -> list[str]:
    """A party's role codes as what it does ("Pays for the service")."""
    return contract_words.role_names(roles)


@register.filter
def breakdown_words(items: Any) -> list[str]:
    """A figure's breakdown (key, value) pairs in words."""
    return contract_words.breakdown_words(items or ())


@register.simple_tag
def contract_name(process: Any) -> str:
    """A contract's title (the notice's own Welsh title on a Welsh page, where it gives one), or words naming it when
    it has none (never its OCID)."""
    own = contract_words.published_in_language(_loaded_release(process), "title", translation.get_language())
    return own or process.title or contract_words.contract_label(title="", buyer=process.buyer_name or "")


@register.simple_tag
def service_description(process: Any, described: str) -> str:
    """What the service is, as the notice describes it: in Welsh on a Welsh page where the notice gives one."""
    own = contract_words.published_in_language(_loaded_release(process), "description", translation.get_language())
    return own or described


def _loaded_release(process: Any) -> dict[str, Any]:
    """The process's compiled release if its page read it; never a query per row of a list that left it out (a
    list's titles then stay as the process has them)."""
    deferred = process.get_deferred_fields() if hasattr(process, "get_deferred_fields") else set()
    return {} if "compiled_release" in deferred else (getattr(process, "compiled_release", None) or {})


@register.filter
def row_label(row: Any) -> str:
    """A comparison row named by its provider and buyer, in the page's language."""
    return contract_words.provider_for_buyer(provider=row.supplier_name, buyer=row.buyer_name)


@register.simple_tag
def whose(provider: str, buyer: str) -> str:
    """Whose promise or figure it is: "Brightwater Home Care for Borsetdale Council", or the one that is named."""
    return contract_words.provider_for_buyer(provider=provider, buyer=buyer) if provider else buyer


@register.filter
def metric_titles(titles: list[str]) -> list[str]:
    """Catalogue metric titles stored in English (a process's measures below target) in the page's language; a
    local measure's own title stays as published."""
    return [metric_title_in(title, get_language() or "en") for title in titles or ()]


@register.simple_tag
def when_words(process: Any) -> str:
    """When the contract runs, as a sentence from its dates and today's date."""
    return contract_words.when_sentence(
        start=process.period_start, end=process.period_end, status=process.status or "", today=timezone.localdate()
    )
