"""The review engine: everything the OCDS Data Review Tool checks and more, explained in plain English.

Entry point: ``review(source)`` returns a Report (see docs/review-json.md for its JSON form). The engine is imported
when first asked for, so ``opencare compile``, which needs only ``review.extensions``, does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opencare.ocds.review.engine import review
    from opencare.ocds.review.report import Finding, Report

__all__ = ["Finding", "Report", "review"]


def __getattr__(name: str) -> Any:
    if name == "review":
        from opencare.ocds.review.engine import review

        return review
    if name in {"Finding", "Report"}:
        from opencare.ocds.review import report

        return getattr(report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
