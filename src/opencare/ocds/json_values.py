"""Reading values out of OCDS data that may be malformed: a wrong type gives an empty value, never an error.

Summaries, key facts and the social-care rule read data that has not (or not yet) passed the schema, so they take
what is there and ignore what is not the shape they expect.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any


def as_object(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_objects(value: Any) -> list[dict[str, Any]]:
    """The objects in the value if it is a list, else an empty list."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def as_text(value: Any) -> str:
    """The value without surrounding white space if it is a string, else ''."""
    return value.strip() if isinstance(value, str) else ""


def as_date(value: Any) -> date | None:
    """The calendar date an OCDS date-time string starts with, else None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def as_decimal(value: Any) -> Decimal | None:
    """A finite number from a number or numeric string, else None (booleans are not numbers). A string beyond the
    largest double (such as ``"1e9999"``, a number that could not be read, kept as its text) is no real figure."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() and abs(result) <= LARGEST_DOUBLE else None


#: The largest number a JSON number read as a double can be.
LARGEST_DOUBLE = Decimal(sys.float_info.max)


def metric_ids(release: dict[str, Any]) -> list[str]:
    """The ids of every metric a release carries, wherever the metrics extension attaches them, in order, once each:
    planning forecasts, tender targets, award and contract agreed metrics, and contract implementation actuals."""
    metrics = as_objects(as_object(release.get("planning")).get("forecasts"))
    metrics += as_objects(as_object(release.get("tender")).get("targets"))
    for award in as_objects(release.get("awards")):
        metrics += as_objects(award.get("agreedMetrics"))
    for contract in as_objects(release.get("contracts")):
        metrics += as_objects(contract.get("agreedMetrics"))
        metrics += as_objects(as_object(contract.get("implementation")).get("metrics"))
    return list(dict.fromkeys(metric_id for metric in metrics if (metric_id := as_text(metric.get("id")))))
