"""Comparing contracts side by side on shared metric ids and units, with the spread across every contract.

A row is one contract (a process with lots has one per lot, often with a different buyer or provider). Columns are
the metrics the rows share, headline ones first. Three queries, whatever the registry holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Max, Min
from django.utils.translation import get_language

from opencare.ocds.metric_catalogue import metric_catalogue
from opencare.ocds.performance import PRICE_PER_HOUR, WORKER_PAY
from opencare.registry.models import ContractMetric, Process

#: The share of the hourly rate that reaches care workers, worked out by opencare as pay ÷ price where both exist.
SHARE_TO_WORKERS = "sc-share-of-rate-to-workers"
#: Metrics people compare first, in this order; any other metric the rows share follows.
HEADLINE = (
    PRICE_PER_HOUR, WORKER_PAY, SHARE_TO_WORKERS, "sc-missed-visits", "sc-punctuality", "sc-continuity-of-carer",
    "sc-outcomes-achieved", "sc-satisfaction",
)  # fmt: skip
#: At most this many processes in a comparison.
MAX_PICKED = 10
MAX_BY_SERVICE_TYPE = 200


@dataclass
class Cell:
    """One contract's figure for one metric."""

    amount: Decimal | None
    target: Decimal | None = None
    classification: str = ""
    periods_met: int = 0
    periods_below: int = 0
    worked_out: bool = False


@dataclass
class Row:
    """One contract in the comparison."""

    process: Process
    contract_id: str
    contract_title: str
    buyer_name: str
    supplier_name: str
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How the row is named in tables and charts: the provider and the buyer."""
        provider = self.supplier_name or "No provider named"
        return f"{provider} for {self.buyer_name}" if self.buyer_name else provider


@dataclass(frozen=True)
class Column:
    """One metric compared: its catalogue title, unit, the spread across all contracts and benchmarks."""

    metric_id: str
    title: str
    unit_id: str
    currency: str
    better: str
    figures: int
    spread_count: int
    spread_min: Decimal | None
    spread_average: Decimal | None
    spread_max: Decimal | None
    benchmarks: tuple[dict, ...]


@dataclass(frozen=True)
class Comparison:
    """Rows (contracts), columns (metrics) and whether the set was cut to the maximum."""

    rows: list[Row]
    columns: list[Column]
    truncated: bool


def compare(*, ocids: list[str] | None = None, service_type: str = "") -> Comparison:
    """Compare the processes named (at most MAX_PICKED) or the most recent of a service type."""
    processes = Process.objects.defer("compiled_release", "description")
    if ocids is not None:
        limit = MAX_PICKED
        processes = processes.filter(ocid__in=ocids[:MAX_PICKED])
    else:
        limit = MAX_BY_SERVICE_TYPE
        processes = processes.filter(service_type=service_type).order_by("-last_release_date", "ocid")
    chosen = list(processes[: limit + 1])
    truncated = len(chosen) > limit
    chosen = chosen[:limit]
    metrics = ContractMetric.objects.filter(process__in=[process.pk for process in chosen]).order_by("pk")
    rows = _rows(chosen, list(metrics))
    return Comparison(rows=rows, columns=_columns(rows), truncated=truncated)


def _rows(processes: list[Process], metrics: list[ContractMetric]) -> list[Row]:
    by_pk = {process.pk: process for process in processes}
    rows: dict[tuple[int, str], Row] = {}
    for metric in metrics:
        key = (metric.process_id, metric.contract_id)
        if key not in rows:
            rows[key] = Row(by_pk[metric.process_id], metric.contract_id, metric.contract_title,
                            metric.buyer_name, metric.supplier_name)  # fmt: skip
        rows[key].cells[metric.metric_id] = Cell(
            amount=metric.latest_amount,
            target=metric.target,
            classification=metric.latest_classification,
            periods_met=metric.periods_met,
            periods_below=metric.periods_below,
        )
    with_metrics = {process_pk for process_pk, _ in rows}
    for process in processes:  # a process with no figures still has a row, so the reader sees the gap
        if process.pk not in with_metrics:
            rows[(process.pk, "")] = Row(process, "", process.title, process.buyer_name,
                                         ", ".join(process.supplier_names))  # fmt: skip
    for row in rows.values():
        _add_share_to_workers(row)
    order = {process.pk: index for index, process in enumerate(processes)}
    return sorted(rows.values(), key=lambda row: (order[row.process.pk], row.contract_id))


def _add_share_to_workers(row: Row) -> None:
    price, pay = row.cells.get(PRICE_PER_HOUR), row.cells.get(WORKER_PAY)
    if SHARE_TO_WORKERS in row.cells or not price or not pay or not price.amount or pay.amount is None:
        return
    share = (pay.amount / price.amount * 100).quantize(Decimal("0.1"))
    row.cells[SHARE_TO_WORKERS] = Cell(amount=share, worked_out=True)


def _columns(rows: list[Row]) -> list[Column]:
    present = {metric_id for row in rows for metric_id in row.cells}
    ordered = [m for m in HEADLINE if m in present] + sorted(present - set(HEADLINE))
    spread = _spread(ordered)
    catalogue = metric_catalogue(get_language())  # titles in the page's language
    columns = []
    for metric_id in ordered:
        entry = catalogue.get(metric_id)
        count, low, average, high = spread.get(metric_id, (0, None, None, None))
        columns.append(
            Column(
                metric_id=metric_id,
                title=entry.title if entry else metric_id,
                unit_id=(entry.unit.get("id", "") if entry else ""),
                currency=(entry.currency or "") if entry else "",
                better=entry.better if entry else "neither",
                figures=sum(1 for row in rows if (cell := row.cells.get(metric_id)) and cell.amount is not None),
                spread_count=count,
                spread_min=low,
                spread_average=average,
                spread_max=high,
                benchmarks=entry.benchmarks if entry else (),
            )
        )
    return columns


def _spread(metric_ids: list[str]) -> dict[str, tuple[int, Decimal | None, Decimal | None, Decimal | None]]:
    """Count, lowest, average and highest latest figure of each metric across every contract: one query."""
    figures = (
        ContractMetric.objects.filter(metric_id__in=metric_ids, latest_amount__isnull=False)
        .values_list("metric_id")
        .annotate(count=Count("pk"), low=Min("latest_amount"), average=Avg("latest_amount"), high=Max("latest_amount"))
        .order_by()
    )
    return {
        metric_id: (count, low, Decimal(average).quantize(Decimal("0.01")) if average is not None else None, high)
        for metric_id, count, low, average, high in figures
    }
