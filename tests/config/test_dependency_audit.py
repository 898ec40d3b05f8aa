"""tools/dependency_audit.py: pip-audit's findings as a report that never fails `make test`."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parents[2] / "tools" / "dependency_audit.py"
spec = importlib.util.spec_from_file_location("dependency_audit", TOOL)
dependency_audit = importlib.util.module_from_spec(spec)
sys.modules["dependency_audit"] = dependency_audit  # dataclasses look their module up there
spec.loader.exec_module(dependency_audit)

VULNERABLE = {
    "dependencies": [
        {"name": "django", "version": "5.2.1", "vulns": [
            {"id": "PYSEC-2025-1", "fix_versions": ["5.2.2"], "aliases": ["CVE-2025-0001"],
             "description": "A denial of service in something.\nMore detail."},
        ]},
        {"name": "orjson", "version": "3.13.0", "vulns": []},
        {"name": "opencare", "skip_reason": "Dependency not found on PyPI and could not be audited: opencare (0.1.0)"},
    ]
}  # fmt: skip
#: What pip-audit says when the PyPI it reaches serves the package index but not the JSON API with vulnerabilities.
NOTHING_AUDITED = {
    "dependencies": [
        {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} (1.0)"}
        for name in ("altair", "django", "orjson")
    ]
}


def test_vulnerabilities_are_listed_with_their_fix():
    lines = dependency_audit.report_lines([dependency_audit.read_report("pypi", VULNERABLE)])
    assert lines[0] == "pip-audit (pypi): 2 packages audited, 1 skipped."
    assert lines[1] == "1 known vulnerabilities (a report, not a failure):"
    assert (
        lines[2] == "  django 5.2.1: PYSEC-2025-1 (CVE-2025-0001), fixed in 5.2.2: A denial of service in something."
    )


def test_no_vulnerabilities_says_so():
    clean = {"dependencies": [{"name": "orjson", "version": "3.13.0", "vulns": []}]}
    lines = dependency_audit.report_lines([dependency_audit.read_report("pypi", clean)])
    assert lines == [
        "pip-audit (pypi): 1 packages audited, 0 skipped.",
        "No known vulnerabilities in the audited packages.",
    ]


def test_a_service_that_audits_nothing_gives_one_clear_line_not_no_known_vulnerabilities():
    pypi = dependency_audit.read_report("pypi", NOTHING_AUDITED)
    osv = dependency_audit.Audit("osv", problem="ConnectionError: Failed to resolve 'api.osv.dev'")
    lines = dependency_audit.report_lines([pypi, osv])
    assert len(lines) == 1
    assert lines[0].startswith("pip-audit could not reach a vulnerability service, so nothing was audited")
    assert "pypi: all 3 packages skipped" in lines[0]
    assert "osv: ConnectionError" in lines[0]


def test_the_second_service_is_used_when_the_first_audits_nothing():
    pypi = dependency_audit.read_report("pypi", NOTHING_AUDITED)
    osv = dependency_audit.read_report("osv", VULNERABLE)
    assert dependency_audit.report_lines([pypi, osv])[0] == "pip-audit (osv): 2 packages audited, 1 skipped."


def test_a_hanging_or_missing_pip_audit_is_a_note(monkeypatch):
    def hangs(*args, **kwargs):
        raise subprocess.TimeoutExpired(cmd="pip-audit", timeout=1)

    monkeypatch.setattr(dependency_audit.subprocess, "run", hangs)
    assert "no answer within" in dependency_audit.run_pip_audit("pypi").problem

    def missing(*args, **kwargs):
        raise FileNotFoundError

    monkeypatch.setattr(dependency_audit.subprocess, "run", missing)
    assert "is not installed" in dependency_audit.run_pip_audit("pypi").problem


def test_unreadable_output_is_a_note_with_pip_audits_last_words(monkeypatch):
    def fails(*args, **kwargs):
        return subprocess.CompletedProcess(
            args, 1, stdout="", stderr="Traceback...\nServiceError: the service is down\n"
        )

    monkeypatch.setattr(dependency_audit.subprocess, "run", fails)
    assert dependency_audit.run_pip_audit("pypi").problem == "ServiceError: the service is down"


def test_the_run_never_fails_even_with_vulnerabilities(monkeypatch, capsys):
    monkeypatch.setattr(
        dependency_audit, "run_pip_audit", lambda service: dependency_audit.read_report(service, VULNERABLE)
    )
    assert dependency_audit.main() == 0
    assert "PYSEC-2025-1" in capsys.readouterr().out
