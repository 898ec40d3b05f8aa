"""The review engine: everything the OCDS Data Review Tool checks and more, explained in plain English.

Entry point: ``review(source)`` returns a Report (see docs/review-json.md for its JSON form).
"""

from opencare.ocds.review.engine import review
from opencare.ocds.review.report import Finding, Report

__all__ = ["Finding", "Report", "review"]
