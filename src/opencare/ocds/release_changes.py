"""What one release changed, in plain English, for a contract's history.

A release carries only what is new or changed at its date, so listing what it holds is listing what changed:
"Tender published with 2 documents", "Performance figures: 7 measures, 1 payment, 1 review".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from opencare.ocds.json_values import as_date, as_object, as_objects, as_text

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


#: The stage a release's tags put it in, for its sentence in a contract's history (the first tag that has one).
STAGES = {
    "planning": "planning", "planningUpdate": "planning",
    "tender": "tender", "tenderUpdate": "tender update", "tenderAmendment": "tender update",
    "tenderCancellation": "tender cancelled",
    "award": "award", "awardUpdate": "award update", "awardCancellation": "award cancelled",
    "contract": "contract", "contractUpdate": "contract update", "contractAmendment": "contract amended",
    "implementation": "progress", "implementationUpdate": "progress",
    "contractTermination": "contract ended",
}  # fmt: skip


@dataclass(frozen=True)
class Figures:
    """New figures for one period: how many measures, and the period they are for."""

    start: date | None
    end: date | None
    measures: int

    @property
    def one_month(self) -> bool:
        """Whether the period is one calendar month (a monthly report)."""
        return bool(self.start and self.end and (self.start.year, self.start.month) == (self.end.year, self.end.month))


@dataclass(frozen=True)
class Update:
    """What one release changed that earlier releases of its process did not already say: counts and names, for
    a sentence in people's words (the Django side words it, so that it can be translated)."""

    stage: str
    tender_documents: int = 0
    tender_targets: int = 0
    providers: tuple[str, ...] = ()
    contract_documents: int = 0
    contract_targets: int = 0
    figures: tuple[Figures, ...] = ()
    payments: int = 0
    reviews_planned: int = 0
    reviews_held: int = 0
    failures: int = 0


def release_updates(releases: list[dict[str, Any]]) -> list[Update]:
    """What each release of one process changed, oldest first. A publisher may repeat what it published before
    (a monthly report that carries the award again); only what is new or changed counts."""
    seen: set[tuple[str, ...]] = set()
    updates = []
    for release in releases:
        found: dict[str, set[tuple[str, ...]]] = {}
        for kind, key in _facts(release):
            if (kind, *key) not in seen:
                found.setdefault(kind, set()).add(key)
        seen.update((kind, *key) for kind, keys in found.items() for key in keys)
        updates.append(_update(release, found))
    return updates


def _update(release: dict[str, Any], found: dict[str, set[tuple[str, ...]]]) -> Update:
    tags = [tag for tag in release.get("tag") or [] if isinstance(tag, str)]
    stage = next((STAGES[tag] for tag in tags if tag in STAGES), "")
    periods: dict[tuple[str, str], set[str]] = {}
    for _contract, metric, _observation, start, end in found.get("observation", ()):
        periods.setdefault((start, end), set()).add(metric)
    figures = tuple(
        Figures(as_date(start), as_date(end), len(metrics))
        for (start, end), metrics in sorted(periods.items(), key=lambda item: (item[0][1], item[0][0]))
    )
    milestones = found.get("milestone", set())
    return Update(
        stage=stage,
        tender_documents=len(found.get("tender document", ())),
        tender_targets=len(found.get("tender target", ())),
        providers=tuple(sorted({name for _award, name in found.get("supplier", ()) if name})),
        contract_documents=len(found.get("contract document", ())),
        contract_targets=len(found.get("contract target", ())),
        figures=figures,
        payments=len(found.get("payment", ())),
        reviews_planned=sum(1 for *_, status in milestones if status != "met"),
        reviews_held=sum(1 for *_, status in milestones if status == "met"),
        failures=len(found.get("failure", ())),
    )


def _facts(release: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """Everything a release says that the history counts, each with a key that stays the same when it is repeated."""
    facts: list[tuple[str, tuple[str, ...]]] = []
    tender = as_object(release.get("tender"))
    facts += [("tender document", _key(item, index)) for index, item in enumerate(as_objects(tender.get("documents")))]
    facts += [("tender target", _key(item, index)) for index, item in enumerate(as_objects(tender.get("targets")))]
    for award in as_objects(release.get("awards")):
        facts += [
            ("supplier", (as_text(award.get("id")), as_text(s.get("name"))))
            for s in as_objects(award.get("suppliers"))
        ]
    for contract in as_objects(release.get("contracts")):
        contract_id = as_text(contract.get("id"))
        for kind, field in (("contract document", "documents"), ("contract target", "agreedMetrics")):
            facts += [(kind, (contract_id, *_key(item, i))) for i, item in enumerate(as_objects(contract.get(field)))]
        implementation = as_object(contract.get("implementation"))
        for metric in as_objects(implementation.get("metrics")):
            metric_id = as_text(metric.get("id"))
            for index, observation in enumerate(as_objects(metric.get("observations"))):
                period = as_object(observation.get("period"))
                key = (contract_id, metric_id, *_key(observation, index))
                period_key = (as_text(period.get("startDate")), as_text(period.get("endDate")))
                facts.append(("observation", (*key, *period_key)))
        for index, item in enumerate(as_objects(implementation.get("transactions"))):
            facts.append(("payment", (contract_id, *_key(item, index))))
        for index, item in enumerate(as_objects(implementation.get("milestones"))):
            facts.append(("milestone", (contract_id, *_key(item, index), as_text(item.get("status")))))
        for index, item in enumerate(as_objects(implementation.get("performanceFailures"))):
            facts.append(("failure", (contract_id, *_key(item, index))))
    return facts


def _key(item: dict[str, Any], index: int) -> tuple[str]:
    """An item's id, or its place in the list when it has none."""
    return (as_text(item.get("id")) or f"#{index}",)
