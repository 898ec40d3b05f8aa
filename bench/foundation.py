"""Foundation figures: how long building the profile, validating the demo and loading it take.

Usage: .venv/bin/python bench/foundation.py
Loads the demo into a throwaway SQLite database in a temporary folder; prints a Markdown table.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def timed(label: str, action: Callable[[], object], rows: list[tuple[str, str]]) -> object:
    started = time.perf_counter()
    result = action()
    rows.append((label, f"{(time.perf_counter() - started) * 1000:.0f} ms"))
    return result


def main() -> None:
    rows: list[tuple[str, str]] = []
    folder = Path(tempfile.mkdtemp(prefix="opencare-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencare.config.settings")

    from opencare.ocds.profile import build_profile

    timed("Build the social-care profile (27 extensions, from vendored files)", build_profile, rows)
    from opencare.ocds.schema_check import release_validator

    timed("Compile the JSON Schema validator", release_validator, rows)

    import django

    django.setup()
    from opencare.demo.services import DEMO_SOURCES
    from opencare.ocds.schema_check import release_schema_errors

    releases = [release for demo in DEMO_SOURCES for release in demo.package()["releases"]]

    def count_errors() -> int:
        return sum(len(release_schema_errors(release)) for release in releases)

    errors = timed(f"Validate all {len(releases)} demo releases", count_errors, rows)

    from django.core.management import call_command

    timed("Create the SQLite database (migrate)", lambda: call_command("migrate", verbosity=0), rows)
    from opencare.demo.services import load_demo

    timed("Load the demo (store, check and compile every release)", load_demo, rows)
    timed("Load the demo again (nothing to add)", load_demo, rows)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| Step ({sys.platform}, Python {sys.version.split()[0]}) | Time |\n| --- | --- |")
    for label, value in rows:
        print(f"| {label} | {value} |")
    print(f"| Schema errors in the demo data | {errors} |\n| Peak memory of the whole run | {peak_mb:.0f} MB |")


if __name__ == "__main__":
    main()
