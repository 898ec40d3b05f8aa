"""Make large release packages of realistic social-care releases for the benchmarks.

Usage: .venv/bin/python bench/make_packages.py OUT_DIR [--mb 50 150]

Replicates the invented Borsetdale contracts (tender, award, contract and 24 monthly implementation releases each,
with metrics, documents and reviews) under new ocids until each package reaches the size asked for. For each size
it also writes a variant with errors: every contracting process gets a closed-codelist error (awards/status "won"),
a missing required field (a release without "id") and a bad date (tender/tenderPeriod/startDate "31/03/2024").
"""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

from opencare.demo.borsetdale import borsetdale_release_package


def write_package(path: Path, megabytes: int, *, errors: bool) -> tuple[int, int]:
    """Write one package; returns (releases, processes)."""
    base = borsetdale_release_package()
    header = {key: value for key, value in base.items() if key != "releases"}
    target = megabytes * 1024 * 1024
    written = releases = processes = 0
    with path.open("w", encoding="utf-8") as out:
        opening = json.dumps(header, indent=2)[:-2] + ',\n  "releases": [\n'
        out.write(opening)
        written += len(opening)
        copy_number = 0
        while written < target:
            copy_number += 1
            by_ocid: dict[str, list[dict]] = {}
            for release in base["releases"]:
                by_ocid.setdefault(release["ocid"], []).append(release)
            for ocid, group in by_ocid.items():
                new_ocid = f"{ocid}-{copy_number:06d}"
                for index, release in enumerate(group):
                    clone = copy.deepcopy(release)
                    clone["ocid"] = new_ocid
                    clone["id"] = f"{clone['id']}-{copy_number:06d}"
                    if errors:
                        _add_errors(clone, index)
                    text = ("" if releases == 0 else ",\n") + json.dumps(clone, indent=2)
                    out.write(text)
                    written += len(text)
                    releases += 1
                processes += 1
        out.write("\n  ]\n}\n")
    return releases, processes


def _add_errors(release: dict, index: int) -> None:
    if index == 0:
        release.setdefault("tender", {}).setdefault("tenderPeriod", {})["startDate"] = "31/03/2024"
    if index == 1:
        for award in release.get("awards", []):
            award["status"] = "won"
    if index == 2:
        del release["id"]


def main() -> None:
    """Write the packages and say what they hold."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=int, nargs="+", default=[50, 150])
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    for megabytes in arguments.mb:
        for errors in (False, True):
            path = arguments.out / f"social-care-{megabytes}mb{'-errors' if errors else ''}.json"
            if path.exists():
                print(f"{path}: already there")
                continue
            releases, processes = write_package(path, megabytes, errors=errors)
            print(f"{path}: {path.stat().st_size / 1e6:.1f} MB, {releases:,} releases, {processes:,} processes")


if __name__ == "__main__":
    main()
