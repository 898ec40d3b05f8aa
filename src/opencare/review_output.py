"""The review report as text for a terminal: the headline, then each finding in plain English."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from opencare.ocds.review import Report

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
SEVERITY_HEADING = {"error": "Errors", "warning": "Warnings", "info": "Information"}
EXAMPLES_SHOWN = 3


def print_report(report: Report, console: Console) -> None:
    """Print what was checked and what was found, errors first."""
    verdict = "[bold green]No errors.[/bold green]" if report.valid else "[bold red]The data has errors.[/bold red]"
    console.print(verdict)
    console.print(
        f"Format: {report.format}. OCDS {report.version} (checked against {report.standard}). "
        f"{_plural(report.releases, 'release')}, {_plural(report.records, 'record')}, "
        f"{_plural(report.ocids, 'contracting process', 'contracting processes')}."
    )
    if report.extensions_applied:
        names = ", ".join(applied["name"] for applied in report.extensions_applied)
        console.print(f"Extensions applied: {escape(names)}.")
    for skipped in report.extensions_not_applied:
        console.print(f"[yellow]Extension not applied:[/yellow] {escape(skipped['url'])}: {escape(skipped['reason'])}")
    for severity in ("error", "warning", "info"):
        findings = [finding for finding in report.findings if finding.severity == severity]
        if not findings:
            continue
        total = sum(finding.count for finding in findings)
        console.print(
            f"\n[{SEVERITY_STYLE[severity]}]{SEVERITY_HEADING[severity]}[/] ({total:,} in {len(findings)} kinds)"
        )
        for finding in findings:
            console.print(
                f"\n[{SEVERITY_STYLE[severity]}]●[/] [bold]{escape(finding.path)}[/bold] ({_times(finding.count)})"
            )
            console.print(f"  {escape(finding.message)}")
            console.print(f"  [dim]How to fix:[/dim] {escape(finding.how_to_fix)}")
            for example in finding.examples[:EXAMPLES_SHOWN]:
                where = f"{example.ocid or ''} {example.release_id or ''}".strip()
                value = "" if example.value is None else f" = {example.value!r}"
                console.print(f"  [dim]e.g. {escape(example.pointer)}{escape(value)}  {escape(where)}[/dim]")


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count:,} times"
