"""What one release changed, in plain English, for a contract's history.

A release carries only what is new or changed at its date, so listing what it holds is listing what changed:
"Tender published with 2 documents", "Performance figures: 7 measures, 1 payment, 1 review".
"""

from __future__ import annotations

from typing import Any

from opencare.ocds.json_values import as_object, as_objects, as_text

#: Release tags (the releaseTag codelist) in plain English.
TAGS = {
    "planning": "Planning notice",
    "planningUpdate": "Planning notice updated",
    "tender": "Tender published",
    "tenderAmendment": "Tender amended",
    "tenderUpdate": "Tender updated",
    "tenderCancellation": "Tender cancelled",
    "award": "Contract awarded",
    "awardUpdate": "Award updated",
    "awardCancellation": "Award cancelled",
    "contract": "Contract signed",
    "contractUpdate": "Contract updated",
    "contractAmendment": "Contract amended",
    "implementation": "Progress report",
    "implementationUpdate": "Progress report",
    "contractTermination": "Contract ended",
    "compiled": "Compiled record",
}


def release_headline(tags: list[Any]) -> str:
    """The release's tags in plain English, e.g. "Contract awarded"."""
    names = [TAGS.get(tag, str(tag)) for tag in tags if isinstance(tag, str)]
    return "; ".join(dict.fromkeys(names)) or "Release"


def release_changes(release: dict[str, Any]) -> list[str]:
    """What a release holds, one short phrase per part, in the order of a contract's life."""
    changes: list[str] = []
    tender = as_object(release.get("tender"))
    if tender:
        documents = len(as_objects(tender.get("documents")))
        targets = len(as_objects(tender.get("targets")))
        changes.append(_phrase("Tender details", documents=documents, targets=targets))
    awards = as_objects(release.get("awards"))
    suppliers = {as_text(s.get("name")) or None for award in awards for s in as_objects(award.get("suppliers"))}
    if awards and (suppliers or any(award.get("value") for award in awards)):
        changes.append(_phrase("Award", awards=len(awards), providers=len(suppliers)))
    contracts = as_objects(release.get("contracts"))
    signed = [contract for contract in contracts if contract.get("dateSigned") or contract.get("documents")]
    if signed:
        documents = sum(len(as_objects(contract.get("documents"))) for contract in signed)
        targets = sum(len(as_objects(contract.get("agreedMetrics"))) for contract in signed)
        changes.append(_phrase("Contract", contracts=len(signed), documents=documents, targets=targets))
    implementations = [as_object(contract.get("implementation")) for contract in contracts]
    figures = sum(len(as_objects(item.get("metrics"))) for item in implementations)
    payments = sum(len(as_objects(item.get("transactions"))) for item in implementations)
    reviews = sum(len(as_objects(item.get("milestones"))) for item in implementations)
    failures = sum(len(as_objects(item.get("performanceFailures"))) for item in implementations)
    if figures or payments or reviews or failures:
        changes.append(_phrase("Performance", measures=figures, payments=payments, reviews=reviews, failures=failures))
    return changes


def _phrase(subject: str, **counts: int) -> str:
    parts = [f"{count} {name if count != 1 else name.removesuffix('s')}" for name, count in counts.items() if count]
    return f"{subject}: {', '.join(parts)}" if parts else subject
