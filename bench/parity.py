"""Does opencare find everything the OCDS Data Review Tool (lib-cove-ocds) finds? A table, fixture by fixture.

Usage: .venv/bin/python bench/parity.py [--shared ../shared] [--verbose]

For each fixture in SHARED/ocds/fixtures/libcoveocds/, runs lib-cove-ocds offline (SHARED/tools/run-libcoveocds.sh,
needing the reference-tools venv described there) and opencare's review on the same file. Every field path that
lib-cove-ocds reports as a validation error, a closed or open codelist value, an additional field, a deprecated
field, an empty field or a bad OCID prefix must appear among opencare's findings of the matching kind, with the same
count, unless it is one of lib-cove-ocds's known mistakes, checked against opencare's extended schema (a field
allowed by an extension's patternProperties; a field an extension un-deprecated with a null). Where lib-cove-ocds
crashes, opencare must give a clear message (exit 2) or a report, never a traceback.
Exits 1 if any path is missing or any count differs.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from opencare.ocds.profile import Profile
from opencare.ocds.readers import InputError
from opencare.ocds.review import review
from opencare.ocds.review.extensions import choose_schema

ROOT = Path(__file__).resolve().parents[1]
CATEGORY_OF_CHECK = {
    "schema.closed-codelist": "closed codelist",
    "ocds.open-codelist-value": "open codelist",
    "ocds.additional-field": "additional field",
    "ocds.deprecated-field": "deprecated field",
    "ocds.empty-field": "empty field",
    "ocds.ocid-prefix": "ocid prefix",
    "ocds.duplicate-id-in-array": "validation",
    "ocds.duplicate-record-ocid": "validation",
}
#: Where opencare names a more precise path than lib-cove-ocds for the same problem.
LIBCOVE_PATH_OF_CHECK = {
    "ocds.duplicate-release-id": ("validation", "releases"),  # opencare: releases/id
    "ocds.no-items": ("validation", ""),  # lib-cove-ocds: "'None' is not a JSON object" at the top
}
MISSING = re.compile(r"'([^']+)' is missing but required")


def without_positions(path: str) -> str:
    """A path with array positions and leading/trailing slashes removed."""
    return "/".join(part for part in path.strip("/").split("/") if part and not part.isdigit())


def libcove_paths(result: dict) -> Counter:
    """(kind, path) -> count, from lib-cove-ocds's JSON output."""
    found: Counter = Counter()
    for error in result.get("validation_errors", []):
        path = without_positions(error.get("path", ""))
        if error.get("type") == "required":
            missing = MISSING.search(error.get("description", ""))
            path = "/".join(filter(None, [path, missing.group(1) if missing else ""]))
        found[("validation", path)] += 1
    for kind, key in (("closed codelist", "additional_closed_codelist_values"),
                      ("open codelist", "additional_open_codelist_values")):  # fmt: skip
        for path, details in (result.get(key) or {}).items():
            found[(kind, without_positions(path))] += len(details.get("values") or [1])  # distinct values
    for field in result.get("additional_fields") or []:
        path = without_positions(f"{field['path']}/{field['field']}")
        found[("additional field", path)] += int(field.get("usage_count", 1))
    for field in result.get("deprecated_fields") or []:
        for path in field.get("paths", []) or [field.get("path", "")]:
            found[("deprecated field", without_positions(f"{path}/{field.get('field', '')}"))] += 1
    for empty in (result.get("additional_checks") or {}).get("empty_field", []):
        found[("empty field", without_positions(empty["json_location"]))] += 1
    for _, path in (result.get("conformance_errors") or {}).get("ocds_prefixes_bad_format", []):
        found[("ocid prefix", without_positions(path))] += 1
    return found


def opencare_paths(report_json: dict) -> Counter:
    """(kind, path) -> count, from opencare's report."""
    found: Counter = Counter()
    for finding in report_json["findings"]:
        check = finding["check"]
        if check in LIBCOVE_PATH_OF_CHECK:
            found[LIBCOVE_PATH_OF_CHECK[check]] += finding["count"]
            continue
        kind = CATEGORY_OF_CHECK.get(check, "validation" if check.startswith("schema.") else None)
        if kind in ("closed codelist", "open codelist"):
            found[(kind, finding["path"])] += len(finding.get("values") or [1])  # distinct values, as lib-cove
        elif kind:
            found[(kind, finding["path"])] += finding["count"]
    return found


def known_libcove_error(kind: str, path: str, profile: Profile) -> str | None:
    """Why lib-cove-ocds is wrong about this path, if it is one of its known mistakes; checked against our schema."""
    node = _schema_node(profile.release_schema, path.split("/")[1:] if path.startswith("releases/") else [])
    if kind == "additional field" and node is None:
        parent = _schema_node(profile.release_schema, path.split("/")[1:-1])
        name = path.rsplit("/", 1)[-1]
        patterns = (parent or {}).get("patternProperties") or {}
        if any(re.search(pattern, name) for pattern in patterns):
            return "allowed by the extension's patternProperties, which lib-cove-ocds does not read"
    if kind == "deprecated field" and node is not None and not node.get("deprecated"):
        return "un-deprecated by the extension with a JSON Merge Patch null, which lib-cove-ocds strips (O3)"
    return None


def _schema_node(schema: dict, parts: list[str]) -> dict | None:
    node: dict | None = schema
    for part in parts:
        if node is None:
            return None
        node = _resolve(schema, node)
        node = _resolve(schema, node.get("items", node)) if node.get("type") == "array" or "items" in node else node
        node = (node.get("properties") or {}).get(part)
    return _resolve(schema, node) if node is not None else None


def _resolve(schema: dict, node: dict) -> dict:
    ref = node.get("$ref") if isinstance(node, dict) else None
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        return schema["definitions"][ref.removeprefix("#/definitions/")]
    return node


def run_libcove(shared: Path, fixture: Path) -> dict | None:
    """lib-cove-ocds's result, or None when it crashes."""
    process = subprocess.run(["bash", str(shared / "tools" / "run-libcoveocds.sh"), str(fixture)],
                             capture_output=True, text=True, check=False)  # fmt: skip
    if process.returncode != 0:
        return None
    try:
        return json.loads(process.stdout)
    except json.JSONDecodeError:
        return None


def explain(expected: Counter, found: Counter, ours: dict | None) -> dict[tuple[str, str], str]:
    """The lib-cove-ocds paths opencare does not report because lib-cove-ocds is wrong about them, and why."""
    if ours is None:
        return {}
    choice = choose_schema(ours["version"], [a["url"] for a in ours["extensions"]["applied"] if a["url"]])
    reasons = {}
    for key in expected:
        if key not in found:
            reason = known_libcove_error(key[0], key[1], choice.profile)
            if reason:
                reasons[key] = reason
    return reasons


def main() -> int:
    """Print the parity table; exit 1 on any gap."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--verbose", action="store_true")
    arguments = parser.parse_args()
    fixtures = sorted((arguments.shared / "ocds" / "fixtures" / "libcoveocds").glob("*.json"))
    fixtures = [fixture for fixture in fixtures if not fixture.name.endswith(".expected.json")]
    print("| Fixture | lib-cove-ocds | its paths | found by opencare | counts agree | opencare |")
    print("| --- | --- | --- | --- | --- | --- |")
    gaps = 0
    for fixture in fixtures:
        libcove = run_libcove(arguments.shared, fixture)
        try:
            ours = review(fixture).as_json()
            ours_summary = f"{'valid' if ours['valid'] else 'errors'}, {len(ours['findings'])} findings"
        except InputError as error:
            ours, ours_summary = None, f"clear message (exit 2): {error.message}"
        if libcove is None:
            print(f"| {fixture.name} | crashed | - | - | - | {ours_summary} |")
            continue
        if ours and not ours["format"].endswith("package") and libcove.get("count") is not None:
            # lib-cove-ocds reads a bare release as a package with every package field missing and every release
            # field "additional"; opencare recognises it and checks it as a release (and says to package it).
            print(
                f"| {fixture.name} | read as a broken package | - | - | - | read as a {ours['format']}: "
                f"{ours_summary} |"
            )
            continue
        expected = libcove_paths(libcove)
        found = opencare_paths(ours) if ours else Counter()
        explained = explain(expected, found, ours)
        for key, reason in explained.items():
            del expected[key]
            if arguments.verbose:
                print(f"|   lib-cove-ocds error: {key}: {reason} | | | | | |")
        missing = [key for key in expected if key not in found]
        different = [key for key in expected if key in found and found[key] != expected[key]]
        gaps += len(missing) + len(different)
        agree = len(expected) - len(missing) - len(different)
        print(
            f"| {fixture.name} | {len(libcove.get('validation_errors', []))} validation errors | {len(expected)} "
            f"| {len(expected) - len(missing)} | {agree} | {ours_summary} |"
        )
        if arguments.verbose:
            for key in missing:
                print(f"|   missing: {key} x{expected[key]} | | | | | |")
            for key in different:
                print(f"|   count: {key} lib-cove {expected[key]}, opencare {found[key]} | | | | | |")
    print(f"\n{gaps} gap(s).")
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
