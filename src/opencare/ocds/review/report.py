"""The review's result: findings grouped by check and field, and the report as JSON (docs/review-json.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opencare.ocds.review.messages import explain

SEVERITIES = ("error", "warning", "info")
MAX_EXAMPLES = 5
MAX_VALUE_LENGTH = 200


@dataclass
class Example:
    """One place a finding occurs."""

    ocid: str | None
    release_id: str | None
    pointer: str
    value: Any = None
    order: int = 0  # the item's position in the input, so examples merged from parallel workers stay in order

    def as_json(self) -> dict[str, Any]:
        """The example as the report contract has it."""
        return {"ocid": self.ocid, "release_id": self.release_id, "pointer": self.pointer, "value": self.value}


@dataclass
class Finding:
    """One kind of problem at one field path, however many times it occurs."""

    check: str
    severity: str
    path: str
    count: int = 0
    examples: list[Example] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    field_title: str = ""
    field_description: str = ""

    @property
    def message(self) -> str:
        """What this means, in plain English."""
        return explain(self.check, self.path, self.context)[0]

    @property
    def how_to_fix(self) -> str:
        """What to do about it."""
        return explain(self.check, self.path, self.context)[1]

    def as_json(self) -> dict[str, Any]:
        """The finding as the report contract has it."""
        return {
            "check": self.check,
            "severity": self.severity,
            "path": self.path,
            "count": self.count,
            "message": self.message,
            "how_to_fix": self.how_to_fix,
            "field": {"title": self.field_title, "description": self.field_description},
            **({"values": self.context["values"]} if "values" in self.context else {}),
            "examples": [example.as_json() for example in self.examples],
        }


class FindingCollector:
    """Groups occurrences by (check, path): a count, the first few examples, and the first occurrence's context."""

    def __init__(self) -> None:
        self._findings: dict[tuple[str, str], Finding] = {}

    def add(
        self,
        check: str,
        severity: str,
        path: str,
        example: Example,
        *,
        context: dict[str, Any] | None = None,
        field_title: str = "",
        field_description: str = "",
    ) -> None:
        """Count one occurrence."""
        key = (check, path)
        finding = self._findings.get(key)
        if finding is None:
            finding = self._findings[key] = Finding(
                check=check,
                severity=severity,
                path=path,
                context=context or {},
                field_title=field_title,
                field_description=field_description,
            )
        finding.count += 1
        if len(finding.examples) < MAX_EXAMPLES:
            example.value = _short(example.value)
            finding.examples.append(example)

    def get(self, check: str, path: str) -> Finding | None:
        """The finding for a check at a path, if there is one yet."""
        return self._findings.get((check, path))

    def shift(self, offset: int, items_key: str) -> None:
        """Move every example ``offset`` items on: these findings came from a later part of the same input."""
        prefix = f"/{items_key}/"
        for finding in self._findings.values():
            for example in finding.examples:
                example.order += offset
                if example.pointer.startswith(prefix):
                    index, _, rest = example.pointer[len(prefix) :].partition("/")
                    if index.isdigit():
                        example.pointer = f"{prefix}{int(index) + offset}" + (f"/{rest}" if rest else "")

    def merge(self, other: FindingCollector) -> None:
        """Add another collector's findings (from a parallel worker): counts add up, the earliest examples stay."""
        for key, theirs in other._findings.items():
            ours = self._findings.get(key)
            if ours is None:
                self._findings[key] = theirs
                continue
            ours.count += theirs.count
            for value in theirs.context.get("values", []):
                if value not in ours.context.setdefault("values", []):
                    ours.context["values"].append(value)
            ours.examples = sorted(ours.examples + theirs.examples, key=lambda e: e.order)[:MAX_EXAMPLES]

    def findings(self) -> list[Finding]:
        """Errors first, then warnings, then information; within each, the most frequent first."""
        return sorted(self._findings.values(), key=lambda f: (SEVERITIES.index(f.severity), -f.count, f.path))


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_VALUE_LENGTH:
        return value[:MAX_VALUE_LENGTH] + "…"
    if isinstance(value, dict | list):
        kind = "an object" if isinstance(value, dict) else "a list"
        return f"({kind} of {len(value)} item{'s' if len(value) != 1 else ''})"
    return value


@dataclass
class Report:
    """Everything the review found about one input."""

    format: str
    version: str
    standard: str
    extensions_applied: list[dict[str, str]]
    extensions_not_applied: list[dict[str, str]]
    releases: int
    records: int
    ocids: int
    findings: list[Finding]
    #: False when the review stopped at a limit (a finding says which): the counts and findings are of what it checked.
    complete: bool = True

    @property
    def valid(self) -> bool:
        """True when nothing of severity 'error' was found."""
        return not any(finding.severity == "error" for finding in self.findings)

    def as_json(self) -> dict[str, Any]:
        """The stable JSON report contract (docs/review-json.md)."""
        return {
            "format": self.format,
            "version": self.version,
            "standard": self.standard,
            "extensions": {"applied": self.extensions_applied, "not_applied": self.extensions_not_applied},
            "counts": {"releases": self.releases, "records": self.records, "ocids": self.ocids},
            "valid": self.valid,
            "complete": self.complete,
            "findings": [finding.as_json() for finding in self.findings],
        }
