"""The facts about a process's performance that search and comparison query, from its compiled release, and what
search matches beyond its summary (its places, providers, measures and service type, in everyday words' terms).

Plain dictionaries, no models, so the recompile and the migration that fills them for processes stored before
they existed use the same code.
"""

from __future__ import annotations

from typing import Any

from opencare.ocds.everyday_words import search_tags, search_words
from opencare.ocds.performance import PRICE_PER_HOUR, WORKER_PAY, latest_amount, metric_progress, signal
from opencare.ocds.service_types import service_type

#: The Process fields these facts set.
PROCESS_FACT_FIELDS = [
    "service_type", "price_per_hour", "worker_pay_per_hour", "signal", "targets_measured", "targets_met",
    "targets_below",
]  # fmt: skip
#: The Process fields search_fields sets.
SEARCH_FIELDS = ["search_words", "search_tags"]


def search_fields(compiled: dict[str, Any], summary: dict[str, Any]) -> dict[str, str]:
    """The Process fields of SEARCH_FIELDS, from the compiled release and its summary and facts (``metric_ids``,
    ``supplier_names``, ``service_type``)."""
    return {
        "search_words": search_words(compiled, supplier_names=summary.get("supplier_names") or []),
        "search_tags": search_tags(
            metric_ids=summary.get("metric_ids") or [], service_type=summary.get("service_type") or ""
        ),
    }


def process_facts(
    compiled: dict[str, Any],
    *,
    social_care: bool,
    has_metrics: bool,
    statutory: frozenset[tuple[str, str]] = frozenset(),
) -> dict[str, Any]:
    """The Process fields of PROCESS_FACT_FIELDS, and under "contract_metrics" one dict per contract metric.

    ``statutory`` (procurement_act.statutory_metric_keys of the process's releases) are the Procurement Act KPIs and
    ratings: not co-designed figures, so they count in no signal or comparison."""
    facts: dict[str, Any] = {
        "service_type": service_type(compiled, social_care=social_care).code,
        "price_per_hour": None,
        "worker_pay_per_hour": None,
        "signal": "no-figures",
        "targets_measured": 0,
        "targets_met": 0,
        "targets_below": [],
        "contract_metrics": [],
    }
    if not has_metrics:  # most imported notices: skip the walk through contracts
        return facts
    progress = metric_progress(compiled, statutory)
    summary = signal(progress)
    facts |= {
        "price_per_hour": latest_amount(progress, PRICE_PER_HOUR),
        "worker_pay_per_hour": latest_amount(progress, WORKER_PAY),
        "signal": summary.code,
        "targets_measured": summary.measured,
        "targets_met": summary.met,
        "targets_below": list(summary.below_titles),
    }
    for metric in progress:
        latest = metric.latest
        if latest is None and metric.target is None:
            continue
        facts["contract_metrics"].append(
            {
                "contract_id": metric.contract_id,
                "contract_title": metric.contract_title,
                "buyer_name": metric.buyer_name,
                "supplier_name": metric.supplier_name,
                "metric_id": metric.metric_id,
                "title": metric.title,
                "unit_id": metric.unit_id,
                "unit_name": metric.unit_name,
                "currency": metric.currency,
                "target": metric.target,
                "latest_amount": latest.amount if latest else None,
                "latest_period_end": latest.period_end if latest else None,
                "latest_classification": latest.classification if latest else "",
                "periods_met": metric.met_count,
                "periods_below": metric.below_count,
            }
        )
    return facts
