"""Charts as SVG, drawn on the server with Altair (Vega-Lite) and vl-convert: no JavaScript in the browser.

Every chart is shown as an image with a text alternative and always sits beside a table of the same numbers
(docs/decisions/0012-public-pages.md). Drawing takes tens of milliseconds, so each SVG is kept by its spec. Its words
(axes, legend, description) are in the page's language: a chart under /cy/ is in Welsh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

import orjson
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opencare.explore.contract_words import provider_for_buyer
from opencare.ocds.performance import MetricProgress, Reading
from opencare.registry.comparison import Column, Row

if TYPE_CHECKING:
    import altair as alt

#: GOV.UK Frontend colours: blue bars, black and dark grey reference lines, text in black.
BLUE, BLACK, GREY = "#1d70b8", "#0b0c0c", "#505a5f"
#: One colour per contract's line, in GOV.UK Frontend's palette order.
SERIES_COLOURS = ["#1d70b8", "#f47738", "#4c2c92", "#00703c", "#5694ca", "#912b88"]
FONT = "Arial, Helvetica, sans-serif"
WIDTH = 560
#: Bars leave room for long labels ("Provider Ltd for Borsetdale Council") beside them.
BAR_WIDTH = 380


@dataclass(frozen=True)
class Chart:
    """An SVG and the plain-English text that stands in for it."""

    svg: str
    description: str


def progress_chart(metrics: Sequence[MetricProgress]) -> Chart:
    """One metric over time: a line per contract, and the target as a dashed line."""
    import altair as alt  # here, not at the top: importing it took 0.4 s of every process that loads the site's URLs

    first = metrics[0]
    points = [
        {"month": reading.period_end.isoformat(), "figure": float(reading.amount), "contract": _who(metric)}
        for metric in metrics
        for reading in metric.series
        if reading.period_end is not None and reading.amount is not None
    ]
    targets = sorted({float(metric.target) for metric in metrics if metric.target is not None})
    unit = unit_label(first.unit_id, first.currency)
    lines = (
        alt.Chart(alt.Data(values=points))
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("month:T", title=_("End of period"), axis=alt.Axis(format="%b %Y", labelAngle=-45)),
            y=alt.Y("figure:Q", title=unit, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "contract:N",
                title=_("Contract"),
                scale=alt.Scale(range=SERIES_COLOURS),
                legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=WIDTH),
            ),
        )
    )
    layers: list[alt.Chart] = [lines]
    if targets:
        rule = alt.Chart(alt.Data(values=[{"target": t} for t in targets])).mark_rule(
            color=BLACK, strokeDash=[6, 4], strokeWidth=2
        )
        layers.append(rule.encode(y="target:Q"))
    description = _progress_description(metrics, unit, targets)
    return Chart(_svg(alt.layer(*layers), first.title, description), description)


def comparison_chart(column: Column, rows: Sequence[Row]) -> Chart:
    """One metric across contracts: a bar per contract, with the benchmark and the average of all contracts."""
    import altair as alt  # see progress_chart

    bars = [
        {
            "contract": provider_for_buyer(provider=row.supplier_name, buyer=row.buyer_name),
            "figure": float(row.cells[column.metric_id].amount),
        }
        for row in rows
        if column.metric_id in row.cells and row.cells[column.metric_id].amount is not None
    ]
    unit = unit_label(column.unit_id, column.currency)
    chart = (
        alt.Chart(alt.Data(values=bars))
        .mark_bar(color=BLUE)
        .encode(
            x=alt.X("figure:Q", title=unit),
            y=alt.Y("contract:N", title=None, sort=None, axis=alt.Axis(labelLimit=420)),
        )
    )
    layers: list[alt.Chart] = [chart]
    references = [{"line": _(b["title"]), "value": float(b["value"])} for b in column.benchmarks[:1]]
    if column.spread_average is not None:
        references.append({"line": _("Average of all contracts"), "value": float(column.spread_average)})
    if references:
        layers.append(
            alt.Chart(alt.Data(values=references))
            .mark_rule(strokeWidth=2)
            .encode(
                x="value:Q",
                strokeDash=alt.StrokeDash("line:N", title=_("Reference"), scale=alt.Scale(range=[[6, 4], [2, 2]])),
                color=alt.Color(
                    "line:N",
                    title=_("Reference"),
                    scale=alt.Scale(range=[BLACK, GREY]),
                    legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=WIDTH),
                ),
            )
        )
    description = _comparison_description(column, bars, unit, references)
    return Chart(_svg(alt.layer(*layers), column.title, description, width=BAR_WIDTH), description)


def unit_label(unit_id: str, currency: str) -> str:
    """The unit in words, in the page's language: "£ per hour", "%", "hours", "number"."""
    if currency:
        if unit_id == "HUR":
            return _("£ per hour") if currency == "GBP" else _("%(currency)s per hour") % {"currency": currency}
        return "£" if currency == "GBP" else currency
    return {"P1": "%", "HUR": _("hours"), "C62": _("number")}.get(unit_id, unit_id)


def format_figure(amount: Decimal | float | None, unit_id: str, currency: str) -> str:
    """A figure as people write it: "£27.55", "1.4%", "2,569"."""
    if amount is None:
        return "—"
    amount = Decimal(str(amount))
    if currency:
        symbol = "£" if currency == "GBP" else f"{currency} "
        return f"{symbol}{amount:,.2f}"
    if unit_id == "P1":
        return f"{amount.normalize():f}%"
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,.1f}"


def _who(metric: MetricProgress) -> str:
    return provider_for_buyer(provider=metric.supplier_name, buyer=metric.buyer_name)


def _latest_sentence(metric: MetricProgress, latest: Reading) -> str:
    """One contract's latest figure, and how often it met its target, as a whole sentence."""
    words = {
        "who": _who(metric),
        "figure": format_figure(latest.amount, metric.unit_id, metric.currency),
        "date": date_format(latest.period_end, "j F Y") if latest.period_end else "",
        "met": metric.met_count,
        "total": len(metric.classified),
    }
    if not metric.classified:
        return _("%(who)s: latest %(figure)s for the period ending %(date)s.") % words
    if metric.judged_against_promises:
        return (
            _(
                "%(who)s: latest %(figure)s for the period ending %(date)s; met the target, every wage the contract "
                "promises and the legal minimum in %(met)s of %(total)s periods."
            )
            % words
        )
    return (
        _("%(who)s: latest %(figure)s for the period ending %(date)s; met the target in %(met)s of %(total)s periods.")
        % words
    )


def _progress_description(metrics: Sequence[MetricProgress], unit: str, targets: list[float]) -> str:
    parts = [_("%(title)s, by period, in %(unit)s.") % {"title": metrics[0].title, "unit": unit}]
    parts += [_latest_sentence(metric, metric.latest) for metric in metrics if metric.latest is not None]
    if targets:
        listed = ", ".join(f"{t:g}" for t in targets)
        parts.append(_("The dashed line is the target: %(targets)s.") % {"targets": listed})
    return " ".join(parts)


def _comparison_description(column: Column, bars: list[dict], unit: str, references: list[dict]) -> str:
    words = {"title": column.title, "count": len(bars), "unit": unit}
    parts = [
        ngettext(
            "%(title)s for %(count)s contract, in %(unit)s.",
            "%(title)s for %(count)s contracts, in %(unit)s.",
            len(bars),
        )
        % words
    ]
    parts += [f"{bar['contract']}: {bar['figure']:g}." for bar in bars]
    parts += [
        _("Dashed line, %(line)s: %(value)s.") % {"line": reference["line"], "value": f"{reference['value']:g}"}
        for reference in references
    ]
    return " ".join(parts)


#: The look every chart shares (Vega-Lite's config), set on the spec itself: Altair's configure_*() methods copy the
#: whole chart each time, which took longer than the rest of building it.
CONFIG = {
    "font": FONT,
    "axis": {"labelFontSize": 13, "titleFontSize": 14, "labelColor": BLACK, "titleColor": BLACK},
    "legend": {"labelFontSize": 13, "titleFontSize": 14, "labelColor": BLACK, "titleColor": BLACK},
    "title": {"fontSize": 17, "color": BLACK, "anchor": "start"},
    "view": {"stroke": None},
}


def _svg(chart: alt.LayerChart, title: str, description: str, width: int = WIDTH) -> str:
    spec = chart.to_dict(validate=False)
    config = spec.get("config", {})  # Altair's defaults (the view's size), which ours add to
    config = {**config, **CONFIG, "view": {**config.get("view", {}), **CONFIG["view"]}}
    spec.update(width=width, title=title, description=description, config=config)
    return _render(orjson.dumps(spec, option=orjson.OPT_SORT_KEYS).decode())


@lru_cache(maxsize=512)
def _render(spec: str) -> str:
    import vl_convert  # with Altair, only where a chart is drawn

    return vl_convert.vegalite_to_svg(orjson.loads(spec))
