"""Report known vulnerabilities in the installed Python packages (pip-audit), without ever failing the test run.

Usage:
    python tools/dependency_audit.py          # audits the venv this Python runs in; always exits 0

`make test` runs it as a report: a vulnerability is printed for a person to act on (upgrade the pin in
pyproject.toml and constraints.txt), not a reason to stop the other tests. pip-audit asks PyPI's JSON API for each
package's known vulnerabilities, then the OSV database if PyPI answered for none; where neither can be reached (a
mirror that serves only the package index, or no network), it prints one line saying nothing could be audited, rather
than pip-audit's misleading "No known vulnerabilities found".
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

#: pip-audit's own limit per request, and ours for a whole run: a hanging service must not hold up the tests.
REQUEST_TIMEOUT_SECONDS = 10
RUN_TIMEOUT_SECONDS = 240
SERVICES = ("pypi", "osv")


@dataclass
class Audit:
    """What one pip-audit run found: vulnerable packages, how many were audited, why the rest were not."""

    service: str
    audited: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    vulnerable: list[str] = field(default_factory=list)
    problem: str = ""


def run_pip_audit(service: str) -> Audit:
    """Run pip-audit against one vulnerability service over the packages installed beside this Python."""
    pip_audit = Path(sys.executable).with_name("pip-audit")
    command = [
        str(pip_audit), "--local", "--skip-editable", "--progress-spinner", "off", "--format", "json",
        "--vulnerability-service", service, "--timeout", str(REQUEST_TIMEOUT_SECONDS),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS, check=False)
    except FileNotFoundError:
        return Audit(service, problem=f"{pip_audit} is not installed (make install puts it in the test extras)")
    except subprocess.TimeoutExpired:
        return Audit(service, problem=f"no answer within {RUN_TIMEOUT_SECONDS} s")
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        return Audit(service, problem=lines[-1][:300] if lines else f"pip-audit exited {done.returncode}")
    return read_report(service, report)


def read_report(service: str, report: dict) -> Audit:
    """The audit described by pip-audit's JSON report."""
    audit = Audit(service)
    for dependency in report.get("dependencies", []):
        name = f"{dependency['name']} {dependency.get('version', '')}".strip()
        if "skip_reason" in dependency:
            audit.skipped[name] = dependency["skip_reason"]
            continue
        audit.audited += 1
        for vuln in dependency.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            aliases = ", ".join(vuln.get("aliases") or [])
            summary = (vuln.get("description") or "").strip().splitlines()
            line = f"{name}: {vuln['id']}{f' ({aliases})' if aliases else ''}, fixed in {fixed}"
            audit.vulnerable.append(line + (f": {summary[0][:160]}" if summary else ""))
    return audit


def report_lines(audits: list[Audit]) -> list[str]:
    """What to print: the vulnerabilities of the first service that audited anything, or why none could."""
    for audit in audits:
        if audit.audited:
            lines = [f"pip-audit ({audit.service}): {audit.audited} packages audited, {len(audit.skipped)} skipped."]
            if audit.vulnerable:
                lines.append(f"{len(audit.vulnerable)} known vulnerabilities (a report, not a failure):")
                lines += [f"  {line}" for line in audit.vulnerable]
            else:
                lines.append("No known vulnerabilities in the audited packages.")
            return lines
    reasons = "; ".join(f"{audit.service}: {audit.problem or _why_skipped(audit)}" for audit in audits)
    return [f"pip-audit could not reach a vulnerability service, so nothing was audited ({reasons})."]


def _why_skipped(audit: Audit) -> str:
    if not audit.skipped:
        return "no packages found"
    first = next(iter(audit.skipped.values()))
    return f"all {len(audit.skipped)} packages skipped, e.g. '{first}'"


def main() -> int:
    audits = []
    for service in SERVICES:
        audits.append(run_pip_audit(service))
        if audits[-1].audited:
            break
    print("\n".join(report_lines(audits)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
