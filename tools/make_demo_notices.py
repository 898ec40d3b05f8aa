"""Derive the demo's real social-care notices from ../shared/realdata (a developer tool; never run by the site).

Usage: .venv/bin/python tools/make_demo_notices.py [SHARED_DIR]

Keeps the social-care releases that validate against the profile with no errors, grouped by publisher, each in a
release package with its publisher's real header (publisher, licence, extensions), and drops the research
annotation ``x_anchorSource``. The Public Contracts Scotland releases are left out because none has a release ``id``
(the registry stores and flags them; the demo shows only valid data).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from opencare.ocds.schema_check import release_schema_errors

OUT = Path(__file__).resolve().parents[1] / "src" / "opencare" / "demo" / "data"
PUBLISHERS = {
    "contracts-finder": ("contracts-finder/cf-ocds-search-page-2022-10-20.json", "contracts-finder-social-care.json"),
    "sell2wales": ("sell2wales/s2w-releases-2025-02.json", "sell2wales-social-care.json"),
}


def main(shared: Path) -> None:
    """Write one package per publisher into the demo data folder."""
    subset = json.loads((shared / "realdata" / "social-care-subset.json").read_text(encoding="utf-8"))
    for prefix, (header_file, out_name) in PUBLISHERS.items():
        header = json.loads((shared / "realdata" / header_file).read_text(encoding="utf-8"))
        releases = [
            {key: value for key, value in release.items() if key != "x_anchorSource"}
            for release in subset["releases"]
            if release.get("x_anchorSource", "").startswith(prefix)
        ]
        valid = [release for release in releases if not release_schema_errors(release)]
        package = {
            key: header[key]
            for key in ("uri", "version", "extensions", "publishedDate", "publisher", "license", "publicationPolicy")
            if key in header
        }
        package["publishedDate"] = max(release["date"] for release in valid)
        package["releases"] = sorted(valid, key=lambda release: (release["ocid"], release["date"]))
        (OUT / out_name).write_text(json.dumps(package, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{out_name}: {len(valid)} of {len(releases)} releases")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared")
