"""Key facts about a whole input: who buys, who supplies, what the contracts are worth, which metrics and documents
are there, and over what dates, gathered in one streaming pass so it works for 1 release and for 100,000.

Each process (ocid) is counted once per fact, however many releases repeat it, and each contract's value is its
latest figure, so updates are not double counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from opencare.ocds.json_values import as_decimal, as_object, as_objects, as_text, metric_ids
from opencare.ocds.readers import read_ocds

#: How many names each list shows; the rest are counted, not listed.
SHOWN = 10


@dataclass
class KeyFacts:
    """The facts, ready to show or serialise."""

    releases: int = 0
    processes: int = 0
    buyers: list[tuple[str, int]] = field(default_factory=list)
    buyers_total: int = 0
    suppliers: list[tuple[str, int]] = field(default_factory=list)
    suppliers_total: int = 0
    contract_values: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[tuple[str, int]] = field(default_factory=list)
    documents: list[tuple[str, int]] = field(default_factory=list)
    first_date: str = ""
    last_date: str = ""

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict; name lists are [name, number of processes] pairs, most frequent first."""
        return {
            "releases": self.releases,
            "processes": self.processes,
            "buyers": {"top": [list(pair) for pair in self.buyers], "total": self.buyers_total},
            "suppliers": {"top": [list(pair) for pair in self.suppliers], "total": self.suppliers_total},
            "contract_values": self.contract_values,
            "metrics": [list(pair) for pair in self.metrics],
            "documents": [list(pair) for pair in self.documents],
            "dates": {"first": self.first_date, "last": self.last_date},
        }


class _Gatherer:
    """Counts as releases stream past; memory grows with the number of processes, never with file size."""

    def __init__(self) -> None:
        self.releases = 0
        self.process_index: dict[Any, int] = {}  # ocid -> small int, so the sets below hold ints, not strings
        self.buyers: defaultdict[str, set[int]] = defaultdict(set)
        self.suppliers: defaultdict[str, set[int]] = defaultdict(set)
        self.contract_values: dict[tuple[int, str], tuple[Decimal, str]] = {}
        self.metrics: defaultdict[str, set[int]] = defaultdict(set)
        self.documents: defaultdict[str, set[int]] = defaultdict(set)
        self.first_date = ""
        self.last_date = ""

    def add(self, release: dict[str, Any]) -> None:
        self.releases += 1
        ocid = release.get("ocid")
        process = self.process_index.setdefault(ocid if isinstance(ocid, str) else None, len(self.process_index))
        self._dates(release.get("date"))
        for name in _buyer_names(release):
            self.buyers[name].add(process)
        for award in as_objects(release.get("awards")):
            for supplier in as_objects(award.get("suppliers")):
                if name := as_text(supplier.get("name")):
                    self.suppliers[name].add(process)
        for index, contract in enumerate(as_objects(release.get("contracts"))):
            value = as_object(contract.get("value"))
            amount = as_decimal(value.get("amount"))
            if amount is not None:
                key = (process, as_text(contract.get("id")) or f"#{index}")
                self.contract_values[key] = (amount, as_text(value.get("currency")))
        for metric_id in metric_ids(release):
            self.metrics[metric_id].add(process)
        for document_type in _document_types(release):
            self.documents[document_type].add(process)

    def _dates(self, value: Any) -> None:
        if not isinstance(value, str) or len(value) < 10:
            return
        day = value[:10]
        if not self.first_date or day < self.first_date:
            self.first_date = day
        if day > self.last_date:
            self.last_date = day

    def facts(self) -> KeyFacts:
        buyers, suppliers = _ranked(self.buyers), _ranked(self.suppliers)
        return KeyFacts(
            releases=self.releases,
            processes=len(self.process_index),
            buyers=buyers[:SHOWN],
            buyers_total=len(buyers),
            suppliers=suppliers[:SHOWN],
            suppliers_total=len(suppliers),
            contract_values=_totals(self.contract_values.values()),
            metrics=_ranked(self.metrics),
            documents=_ranked(self.documents),
            first_date=self.first_date,
            last_date=self.last_date,
        )


def gather_key_facts(
    source: Any | BinaryIO, progress: Callable[[int], None] | None = None, max_items: int | None = None
) -> KeyFacts:
    """Read OCDS data (anything readers.read_ocds takes) and gather its key facts, of the first ``max_items`` items
    only when that is given (what a review stopped at its limit checked).

    For records, the compiled release stands for the process when there is one, else each embedded release counts.
    """
    gatherer = _Gatherer()
    with read_ocds(source) as data:
        for index, item in enumerate(data.items()):
            if max_items is not None and index >= max_items:
                break
            for release in _releases_of(item, data.kind):
                gatherer.add(release)
            if progress is not None and index % 1000 == 999:
                progress(index + 1)
    return gatherer.facts()


def facts_of_releases(releases: Iterable[dict[str, Any]]) -> KeyFacts:
    """Key facts of releases already in memory (e.g. a single compiled release)."""
    gatherer = _Gatherer()
    for release in releases:
        if isinstance(release, dict):
            gatherer.add(release)
    return gatherer.facts()


def _releases_of(item: Any, kind: str) -> list[dict[str, Any]]:
    if not isinstance(item, dict):
        return []
    if kind != "record":
        return [item]
    compiled = item.get("compiledRelease")
    if isinstance(compiled, dict):
        return [compiled]
    return as_objects(item.get("releases"))


def _ranked(sets: dict[str, set[int]]) -> list[tuple[str, int]]:
    return sorted(((name, len(members)) for name, members in sets.items()), key=lambda pair: (-pair[1], pair[0]))


def _totals(values: Iterable[tuple[Decimal, str]]) -> list[dict[str, Any]]:
    """Total, count, smallest and largest contract value per currency, largest total first."""
    by_currency: dict[str, list[Decimal]] = defaultdict(list)
    for amount, currency in values:
        by_currency[currency].append(amount)
    totals = [
        {
            "currency": currency,
            "contracts": len(amounts),
            "total": str(sum(amounts, Decimal(0))),
            "smallest": str(min(amounts)),
            "largest": str(max(amounts)),
        }
        for currency, amounts in by_currency.items()
    ]
    return sorted(totals, key=lambda row: -Decimal(row["total"]))


def _buyer_names(release: dict[str, Any]) -> list[str]:
    names = [as_text(as_object(release.get("buyer")).get("name"))]
    names += [as_text(p.get("name")) for p in as_objects(release.get("parties")) if "buyer" in _roles(p)]
    return list(dict.fromkeys(name for name in names if name))


def _roles(party: dict[str, Any]) -> list[Any]:
    roles = party.get("roles")
    return roles if isinstance(roles, list) else []


def _document_types(release: dict[str, Any]) -> set[str]:
    holders = [as_object(release.get("planning")), as_object(release.get("tender"))]
    holders += as_objects(release.get("awards"))
    for contract in as_objects(release.get("contracts")):
        holders += [contract, as_object(contract.get("implementation"))]
    types: set[str] = set()
    for holder in holders:
        for document in as_objects(holder.get("documents")):
            types.add(as_text(document.get("documentType")) or "(no type given)")
    return types


__all__ = ["SHOWN", "KeyFacts", "facts_of_releases", "gather_key_facts"]
