"""Template tags for the public pages: figures in their units, and query strings that keep the current search."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import template
from django.http import QueryDict

from opencare.explore.charts import format_figure, unit_label

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
